"""One measured run of the window, in its own process (called by bench/run.py).

    python bench/window_probe.py MODE SECONDS DATA_DIR

MODE is launch, session, session-voice, session-listening or bare.

``session`` runs with ``--no-voice`` (sounds on), ``session-voice`` as a user would by
default, voice and sounds on; playback needs a sound server (bench/run.py starts one).
``session-listening`` is ``session-voice`` with the voice stop listening (``--voice-stop``,
the sound server's microphone); the listener process's own CPU and memory are reported too.

Prints one JSON line of figures.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of another process (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    mode, seconds, data_dir = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([sys.argv[0]])
    result: dict[str, float | int | str] = {"mode": mode}
    locals_ctx: list[object] = []  # the app, for the listener's process id

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "first_paint_monotonic" not in result:
                result["first_paint_monotonic"] = time.monotonic()
                if mode == "launch":
                    QTimer.singleShot(0, app.quit)
            return False

    painter_watch = FirstPaint()
    if mode == "bare":
        label = QLabel("0")
        label.installEventFilter(painter_watch)
        label.show()
        counter = [0]

        def tick() -> None:
            counter[0] += 1
            label.setText(str(counter[0]))

        timer = QTimer()
        timer.timeout.connect(tick)
        timer.start(1000)
        window: object = label
    else:
        from sciatica_timer.app import build
        from sciatica_timer.cli import parse_args

        voice = {"session-voice": [], "session-listening": ["--voice-stop"]}.get(
            mode, ["--no-voice"]
        )
        ctx = build(parse_args(["--data-dir", data_dir, *voice]))
        locals_ctx.append(ctx)
        ctx.window.installEventFilter(painter_watch)
        ctx.window.resize(1366, 768)
        ctx.window.show()
        window = ctx.window
        if mode.startswith("session"):
            lateness: list[int] = []
            shown = [-1]

            def on_snapshot(snap: object) -> None:
                secs = snap.display_seconds  # type: ignore[attr-defined]
                if secs != shown[0]:
                    if shown[0] != -1:
                        lateness.append(secs * 1_000_000_000 - snap.remaining_ns)  # type: ignore[attr-defined]
                    shown[0] = secs

            ctx.controller.updated.connect(on_snapshot)
            ctx.window.start_routine("compress-reactivate-stretch")
            result["_lateness"] = 0

            def report() -> None:
                ordered = sorted(lateness)
                result["changes"] = len(ordered)
                if ordered:
                    result["p50_ms"] = ordered[len(ordered) // 2] / 1e6
                    result["p99_ms"] = (
                        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e6
                    )
                    result["max_ms"] = ordered[-1] / 1e6

            app.aboutToQuit.connect(report)
    del window
    if mode != "launch":
        marks: dict[str, float] = {}

        def listener_pid() -> int | None:
            stop = getattr(locals_ctx[0], "voice_stop", None) if locals_ctx else None
            proc = getattr(getattr(stop, "listener", None), "_proc", None)
            return (proc.processId() or None) if proc is not None else None

        def begin() -> None:  # measure the steady state, not the start-up
            marks["cpu"] = time.process_time()
            marks["wall"] = time.monotonic()
            if (pid := listener_pid()) is not None:
                marks["listener_pid"], marks["listener_cpu"] = pid, process_cpu_s(pid)

        def measure() -> None:
            result["cpu_percent"] = (
                100 * (time.process_time() - marks["cpu"]) / (time.monotonic() - marks["wall"])
            )
            result["rss_mb"] = rss_mb()
            pid = int(marks.get("listener_pid", 0))
            if pid and pid == listener_pid():
                spent = process_cpu_s(pid) - marks["listener_cpu"]
                result["listener_cpu_percent"] = 100 * spent / (time.monotonic() - marks["wall"])
                result["listener_rss_mb"] = process_rss_mb(pid)
            app.quit()

        QTimer.singleShot(2000, begin)
        QTimer.singleShot(round((seconds + 2) * 1000), measure)
    app.exec()
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.pop("_lateness", None)
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
