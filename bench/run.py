"""`make bench`: one table of figures, printed and written to bench/results.md, never asserted.

    python bench/run.py [--quick] [--no-write]

Each part runs in its own process, one after the other (never two at once: they would
disturb each other's figures), and hands its rows back as JSON (bench/table.py):

- bench/footprint.py: RSS, PSS and CPU while a session counts, each program under its own
  Xvfb (a bare PySide6 window, the app with voice off, on, and with every feature on,
  Workrave), and start-up from source and frozen;
- bench/bench_timing.py: every displayed-second change of a 5-minute sided routine in the
  real window, beside a naive 1 s QTimer countdown; a 60-minute session's end; the same
  countdown and the longest GUI stall with both cores kept busy, voice on;
- bench/bench_data.py: the pain stop's commit + sync, and the history of 5 years;
- the package's size (dist/sciatica-timer, when built).

Then the speech and the voice stop print their own detailed figures (bench_speech.py,
bench_voice_stop.py), which results.md keeps below the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from table import Row, markdown, read_json  # noqa: E402

ANALYSIS = HERE / "analysis.md"
"""What the figures mean, where the time and memory go, what each miss would take: written
by hand from the last full run, kept at the end of results.md."""
PACKAGE = ROOT / "dist" / "sciatica-timer"
PACKAGE_MIB = 100


def part(script: str, *args: str) -> list[Row]:
    """The rows of one bench script, run in its own process (its progress goes to stdout)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    try:
        print(f"--- {script} {' '.join(args)}", flush=True)
        done = subprocess.run(
            [sys.executable, str(HERE / script), *args, "--json", str(out)], cwd=ROOT, check=False
        )
        if done.returncode != 0 or not out.stat().st_size:
            return [Row("failed", script, "", [], note=f"exit {done.returncode}: see its output")]
        return read_json(out)
    finally:
        out.unlink(missing_ok=True)


def package_rows() -> list[Row]:
    if not PACKAGE.is_dir():
        return [
            Row(
                "package",
                "one-folder package",
                "MiB",
                [],
                f"≤ {PACKAGE_MIB}",
                None,
                "skipped: not built (`make package`)",
            )
        ]
    size = sum(p.stat().st_size for p in PACKAGE.rglob("*") if p.is_file() and not p.is_symlink())
    mib = size / 2**20
    return [
        Row(
            "package",
            "one-folder package (dist/sciatica-timer)",
            "MiB",
            [mib],
            f"≤ {PACKAGE_MIB}",
            mib <= PACKAGE_MIB,
        )
    ]


def text_of(script: str) -> str:
    """The printed figures of a bench that reports in sentences."""
    print(f"--- {script}", flush=True)
    done = subprocess.run(
        [sys.executable, str(HERE / script)], cwd=ROOT, check=False, capture_output=True, text=True
    )
    print(done.stdout, end="", flush=True)
    return done.stdout if done.returncode == 0 else done.stdout + f"\n(exit {done.returncode})\n"


def version_of(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def machine() -> str:
    """What these figures were measured on."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="ascii") as fh:
        mem_gib = int(fh.readline().split()[1]) / 2**20
    os_name = "Linux"
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    from PySide6 import __version__ as pyside

    workrave = version_of(["dpkg-query", "-W", "-f", "${Version}", "workrave"]) or "not installed"
    load = os.getloadavg()
    return "\n".join(
        [
            f"- {cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB; {os_name}, kernel "
            f"{platform.release()}; no screen (Xvfb), no sound card (PulseAudio null sink)",
            f"- Python {platform.python_version()}, PySide6 {pyside}; Workrave {workrave}",
            f"- load average when the run began: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
            f"- measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    parser.add_argument("--no-write", action="store_true", help="do not write results.md")
    args = parser.parse_args()
    quick = ["--quick"] if args.quick else []
    about = machine()
    began = time.monotonic()
    rows = part("footprint.py", *quick)
    rows += part("bench_timing.py", *quick)
    rows += part("bench_data.py", *quick)
    rows += package_rows()
    speech = text_of("bench_speech.py")
    voice = text_of("bench_voice_stop.py")
    table = markdown(rows)
    print("\n" + table)
    took = (time.monotonic() - began) / 60
    if not args.no_write:
        (HERE / "results.md").write_text(
            "# `make bench` results\n\n"
            "Written by `bench/run.py`"
            + (" (`--quick`)" if args.quick else "")
            + f" in {took:.0f} min. Each figure is the median of the runs, with min–max;\n"
            "ratios are against the bare PySide6 window measured in the same run.\n\n"
            "## The machine\n\n"
            + about
            + "\n\n## Figures\n\n"
            + table
            + "\n## Speech\n\n```\n"
            + speech.strip()
            + "\n```\n\n"
            "## Voice stop\n\n```\n"
            + voice.strip()
            + "\n```\n"
            + ("\n" + ANALYSIS.read_text(encoding="utf-8") if ANALYSIS.exists() else ""),
            encoding="utf-8",
        )
        print(f"written: {HERE / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
