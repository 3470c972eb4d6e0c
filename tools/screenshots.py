"""Screenshots of every screen, taken from a real X display (run under xvfb-run).

xvfb-run -a -s "-screen 0 1366x768x24" python tools/screenshots.py OUTDIR
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from sciatica_timer.app import build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.engine import SessionState
from sciatica_timer.core.safety import Reach
from sciatica_timer.ui.theme import palette_of
from sciatica_timer.ui.widgets.flash import RISE_SHARE


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "shots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    screen = app.primaryScreen()
    size = screen.geometry()
    tag = f"{size.width()}x{size.height()}"
    data = tempfile.mkdtemp(prefix="sciatica-shots-")
    ctx = build(parse_args(["--data-dir", data, "--no-voice", "--routine", "sciatica-foam-roll"]))
    window, controller = ctx.window, ctx.controller
    window.setGeometry(size)
    window.show()

    def shot(name: str) -> None:
        pump(400)
        screen.grabWindow(0).save(str(out / f"{name}-{tag}.png"))

    shot("home")
    window.show_settings()
    shot("settings")
    window.settings_page.scroll_area.ensureWidgetVisible(window.settings_page.flash)
    shot("settings-session")
    window.show_home()
    window.ask_then_start("sciatica-foam-roll")
    shot("checkin-disclaimer")
    window.checkin.disclaimer_page.findChild(QPushButton, "acceptDisclaimerButton").click()
    shot("checkin-red-flags")
    for answer in window.checkin.red_flag_answers.values():
        answer.no.click()
    window.checkin.red_flag_continue.click()
    window.checkin.pain_scale.group.button(6).click()
    window.checkin.body_map.set_reach(Reach.BELOW_KNEE)
    window.checkin.flare.yes.click()
    shot("checkin-pain")
    window.checkin.flare.no.click()  # the whole routine, for the session shots
    window.checkin.start_button.click()
    shot("session-prepare")
    controller.skip()
    pump(1300)
    shot("session-roll-left")
    window.set_listening(True)  # as the voice stop shows it while it listens
    shot("session-listening")
    window.set_listening(False)
    overlay = window.session.flash_overlay
    overlay.hold_at(RISE_SHARE, palette_of(window.session).accent)  # the flash at its peak
    shot("session-flash-peak")
    overlay.hold_at(0.5, palette_of(window.session).accent)
    shot("session-flash-fading")
    overlay.stop()
    controller.hold()
    pump(1300)
    shot("session-hold")
    controller.hold()
    controller.skip()
    controller.skip()
    pump(1200)
    shot("session-roll-right")
    controller.skip()
    pump(1200)
    shot("session-rest")
    window.toggle_keys()
    shot("session-keys")
    window.toggle_keys()
    controller.skip()  # into the IT-band roll: the stop offers to leave it out
    controller.pain_stop()
    shot("pain-stop-safety")
    window.show_home()
    window.start_routine("compress-reactivate-stretch")
    engine = controller.engine
    assert engine is not None
    while engine.state is not SessionState.ASKING:
        controller.skip()
    shot("session-strengthen-check")
    controller.answer_check(pain_left=False)
    while not (engine.phase.exercise and engine.phase.exercise.id == "clamshell"):
        controller.skip()
    shot("session-clamshell-left")
    controller.skip()
    controller.skip()
    shot("session-clamshell-right")
    controller.end()
    window.show_home()
    window.start_routine("sciatica-foam-roll")
    while controller.running:
        controller.skip()
    pump(200)  # the finish reaches the done screen (which starts with no answers)
    window.done.after.pain_scale.group.button(3).click()
    window.done.after.body_map.set_reach(Reach.BUTTOCK)
    window.done.after.save.click()
    shot("done")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from support.history import seed_history

    seed_history(ctx.journal, weeks=5)
    window.show_history()
    history = window._history
    assert history is not None
    history.setGeometry(size)
    shot("history")
    history.export_pdf(out / "report.pdf")
    ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
