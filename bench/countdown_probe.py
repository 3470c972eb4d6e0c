"""One countdown, measured in its own process (called by bench/bench_timing.py).

    python bench/countdown_probe.py MODE SECONDS DATA_DIR

MODE is ``app`` (the real window, ``--no-voice``), ``app-voice`` (voice and sounds on: needs
a sound server, bench_timing starts one) or ``naive`` (a bare QLabel and a 1000 ms repeating
QTimer counting down from SECONDS, as a simple timer app would).

For the app, the window runs the bundled ``sciatica-foam-roll`` routine (left and right
sides, 9:15 in all) and is stopped after SECONDS. Its phases last whole seconds and nothing
pauses it, so every displayed-second change is due exactly on a whole second after the
session's start. Every change is measured three ways, each against that true boundary:

- ``woke``: the controller's own reading (``secs × 1e9 − remaining_ns`` of the snapshot, as
  window_probe.py measures): how late the timer woke the engine;
- ``set``: when the countdown label's text had changed (right after the window's slot);
- ``painted``: when the countdown label's first paint with its new text began (what a user can
  see, short of the compositor and the display's refresh), after the last whole second.

A 5 ms repeating precise QTimer in the same process records the event loop's gaps: a stall
is a gap's excess over 5 ms. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NS = 1_000_000_000
HEARTBEAT_MS = 5
ROUTINE = "sciatica-foam-roll"


def main() -> int:
    mode, seconds, data_dir = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([sys.argv[0]])
    result: dict[str, object] = {"mode": mode}
    woke: list[int] = []
    set_late: list[int] = []
    painted: list[int] = []
    gaps: list[int] = []
    pending: list[int] = []  # the boundary of a change the label has not painted yet
    last_beat = [0]

    beat_start = [0]
    worst: list[tuple[int, int]] = []  # (excess, when): the longest stalls, and when

    def beat() -> None:
        now = time.monotonic_ns()
        if last_beat[0]:
            gaps.append(now - last_beat[0])
            excess = gaps[-1] - HEARTBEAT_MS * 1_000_000
            if excess > 10_000_000:
                worst.append((excess, now - beat_start[0]))
        else:
            beat_start[0] = now
        last_beat[0] = now

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)

    painted_text = [""]
    since = [0]  # the app's session start: its seconds are due on whole seconds after it

    class PaintWatch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() != QEvent.Type.Paint:
                return False
            now = time.monotonic_ns()
            if since[0]:  # the app: the first paint of each new text, wherever it is painted
                text = obj.text()  # type: ignore[attr-defined]
                if text != painted_text[0]:
                    if painted_text[0]:
                        painted.append((now - since[0]) % NS)
                    painted_text[0] = text
            elif pending:
                painted.append(now - pending.pop())
                pending.clear()
            return False

    watch = PaintWatch()
    keep: list[object] = [watch, heartbeat]

    if mode == "naive":
        total = round(seconds)
        label = QLabel(str(total))
        label.resize(400, 200)
        label.installEventFilter(watch)
        label.show()
        count = [total]
        started = [0]

        def tick() -> None:
            now = time.monotonic_ns()
            count[0] -= 1
            label.setText(str(count[0]))
            boundary = started[0] + (total - count[0]) * NS
            set_late.append(now - boundary)
            pending[:] = [boundary]
            if count[0] <= 0:
                QTimer.singleShot(300, app.quit)

        timer = QTimer()  # the default: what a plain "QTimer every second" gets
        timer.timeout.connect(tick)
        keep += [label, timer]

        def begin() -> None:
            started[0] = time.monotonic_ns()
            timer.start(1000)
            heartbeat.start()

        QTimer.singleShot(1000, begin)
    else:
        from sciatica_timer.app import build
        from sciatica_timer.cli import parse_args

        voice = [] if mode == "app-voice" else ["--no-voice"]
        ctx = build(parse_args(["--data-dir", data_dir, *voice]))
        ctx.window.resize(1366, 768)
        ctx.window.show()
        countdown = ctx.window.session.countdown_label
        countdown.installEventFilter(watch)
        shown = [-1, ""]
        start_ns = [0]

        def on_snapshot(snap: object) -> None:
            now = time.monotonic_ns()
            secs = snap.display_seconds  # type: ignore[attr-defined]
            if secs != shown[0]:
                if shown[0] != -1:
                    late = secs * NS - snap.remaining_ns  # type: ignore[attr-defined]
                    woke.append(late)
                    # the true boundary: the whole second after the start nearest to it
                    k = round((now - late - start_ns[0]) / NS)
                    boundary = start_ns[0] + k * NS
                    set_late.append(now - boundary)
                shown[0] = secs
                shown[1] = countdown.text()

        def begin() -> None:
            ctx.controller.updated.connect(on_snapshot)  # after the window's own slot
            ctx.window.start_routine(ROUTINE)
            # when the session started, on the controller's clock (no public accessor)
            start_ns[0] = ctx.controller._started_ns
            since[0] = start_ns[0]
            painted_text[0] = ""  # the first text shown is not a change
            heartbeat.start()
            QTimer.singleShot(round(seconds * 1000) + 300, app.quit)

        keep.append(ctx)
        QTimer.singleShot(1500, begin)  # after the window has settled

    app.exec()
    heartbeat.stop()
    result["woke_ns"] = woke
    result["set_ns"] = set_late
    result["painted_ns"] = painted
    over = [g - HEARTBEAT_MS * 1_000_000 for g in gaps]
    result["stall_max_ns"] = max(over) if over else None
    result["beats"] = len(gaps)
    result["stalls_over_10ms"] = sum(1 for g in over if g > 10_000_000)
    result["worst_stalls"] = [  # [ms, seconds since the heartbeat started]
        [round(e / 1e6, 1), round(t / 1e9, 2)] for e, t in sorted(worst, reverse=True)[:8]
    ]
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
