"""`make bench`: the figures the issues ask for, printed, never asserted.

- every displayed-second change, how late after its true boundary (p50/p99/max)
- launch to first painted window (median of several launches), against a bare window
- resident memory and CPU while a session counts, against a bare window
- the voice stop: what it catches and mistakes, its CPU, and its delay on a real sound path
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from support.sound_server import private_sound_server  # noqa: E402

PROBE = HERE / "window_probe.py"


def probe(mode: str, seconds: float, data: str | None = None) -> dict[str, float]:
    """One run in its own process; ``data`` shared means warm caches, as on a user's
    second and later starts (library already validated, cues already rendered)."""
    data = data or tempfile.mkdtemp(prefix="sciatica-bench-")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(PROBE), mode, str(seconds), data],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        cwd=HERE.parent,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} probe failed:\n{proc.stderr}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    if "first_paint_monotonic" in result:
        result["launch_s"] = result["first_paint_monotonic"] - started
    return result


def main() -> int:
    with private_sound_server("bench") as server:  # the probes play into its null sink
        server.add_microphone()  # and the voice stop listens to it
        return figures()


def figures() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30
    home = tempfile.mkdtemp(prefix="sciatica-bench-home-")
    app_launch = [probe("launch", 0)["launch_s"] for _ in range(runs)]
    bare = [probe("bare", 2)["launch_s"] for _ in range(runs)]
    print(
        f"launch to first paint: app median {statistics.median(app_launch):.3f} s "
        f"(min {min(app_launch):.3f}), bare PySide6 window median {statistics.median(bare):.3f} s"
    )
    first = probe("session-voice", seconds / 2, home)  # the first start ever: cold caches
    session = probe("session-voice", seconds, home)
    print(
        f"displayed-second changes over {seconds:.0f} s: {session.get('changes', 0)} changes, "
        f"late by p50 {session.get('p50_ms', float('nan')):.2f} ms, "
        f"p99 {session.get('p99_ms', float('nan')):.2f} ms, "
        f"max {session.get('max_ms', float('nan')):.2f} ms"
    )
    print(
        f"during the very first session (cold caches), voice and sounds on: RSS "
        f"{first['rss_mb']:.1f} MB, CPU {first['cpu_percent']:.2f} % of one core"
    )
    print(
        f"during a session, voice and sounds on: RSS {session['rss_mb']:.1f} MB "
        f"(peak {session['max_rss_mb']:.1f} MB), CPU {session['cpu_percent']:.2f} % of one core"
    )
    listening = probe("session-listening", seconds, home)
    print(
        f"with the voice stop listening: displayed-second changes late by p50 "
        f"{listening.get('p50_ms', float('nan')):.2f} ms, p99 "
        f"{listening.get('p99_ms', float('nan')):.2f} ms, max "
        f"{listening.get('max_ms', float('nan')):.2f} ms (without: p99 "
        f"{session.get('p99_ms', float('nan')):.2f} ms); window RSS {listening['rss_mb']:.1f} MB, "
        f"CPU {listening['cpu_percent']:.2f} %; the listener process RSS "
        f"{listening.get('listener_rss_mb', float('nan')):.1f} MB, CPU "
        f"{listening.get('listener_cpu_percent', float('nan')):.2f} % of one core"
    )
    quiet = probe("session", seconds, home)
    print(
        f"during a session, --no-voice: RSS {quiet['rss_mb']:.1f} MB "
        f"(peak {quiet['max_rss_mb']:.1f} MB), CPU {quiet['cpu_percent']:.2f} % of one core"
    )
    bare_run = probe("bare", seconds)
    print(
        f"bare PySide6 label window: RSS {bare_run['rss_mb']:.1f} MB, "
        f"CPU {bare_run['cpu_percent']:.2f} % of one core"
    )
    speech_bench = HERE / "bench_speech.py"
    if speech_bench.exists():
        print("--- speech")
        subprocess.run([sys.executable, str(speech_bench)], check=False, cwd=HERE.parent)
    print("--- voice stop")
    subprocess.run(
        [sys.executable, str(HERE / "bench_voice_stop.py")], check=False, cwd=HERE.parent
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
