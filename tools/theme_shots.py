"""Screenshots of the home, check-in, session and settings screens in every theme at two
text sizes, from a real X display (run under xvfb-run, once per screen size).

xvfb-run -a -s "-screen 0 1024x600x24" python tools/theme_shots.py OUTDIR
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from sciatica_timer.app import build
from sciatica_timer.cli import parse_args
from sciatica_timer.core.safety import Reach

THEMES = ("light", "dark", "contrast")
TEXT_SIZES = (1, 3)  # normal and largest


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "shots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    size = app.primaryScreen().geometry()
    tag = f"{size.width()}x{size.height()}"
    data = tempfile.mkdtemp(prefix="sciatica-theme-shots-")
    ctx = build(parse_args(["--data-dir", data, "--no-voice", "--routine", "sciatica-foam-roll"]))
    window, controller = ctx.window, ctx.controller
    window.change_settings(disclaimer_accepted=True, pain_side="left")
    window.setGeometry(size)
    window.show()

    def shot(name: str) -> None:
        pump(300)
        window.grab().save(str(out / f"{name}-{tag}.png"))

    for theme in THEMES:
        for text_size in TEXT_SIZES:
            window.change_settings(theme=theme, text_size=text_size)
            key = f"{theme}-t{text_size}"
            window.show_home()
            shot(f"home-{key}")
            window.show_settings()
            shot(f"settings-{key}")
            page = window.settings_page
            page.scroll_area.verticalScrollBar().setValue(
                page.scroll_area.verticalScrollBar().maximum()
            )
            shot(f"settings-end-{key}")
            window.show_home()
            window.ask_then_start("sciatica-foam-roll")
            checkin = window.checkin
            if checkin.pages.currentWidget() is checkin.red_flag_page:
                for answer in checkin.red_flag_answers.values():
                    answer.no.click()
                checkin.red_flag_continue.click()
            checkin.pain_scale.group.button(4).click()
            checkin.body_map.set_reach(Reach.THIGH)
            checkin.flare.no.click()
            shot(f"checkin-{key}")
            checkin.start_button.click()
            controller.skip()
            pump(1200)
            shot(f"session-{key}")
            controller.end()
            pump(200)
            shot(f"done-{key}")
            window.show_home()
    ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
