"""Footprint while counting and start-up, each program under its own Xvfb, side by side.

    python bench/footprint.py [--runs N] [--settle S] [--window S] [--quick] [--json FILE]

Every program runs alone (never two at once: shared pages would lower each other's PSS), in
a fresh Xvfb at 1366×768 (real X painting, not offscreen), inside its own
``dbus-run-session`` (the bus is not counted), playing into the private PulseAudio null
sink of tests/support/sound_server.py. After ``--settle`` seconds the whole process tree is
read from /proc for ``--window`` seconds:

- CPU: user + system time of every process of the program (its sound player and voice-stop
  listener included; children that ended are in their parent's cutime/cstime), over the
  window, as % of one core;
- RSS and PSS: summed over the same processes at the end of the window (smaps_rollup).

Start-up: from ``exec`` to the program's window being mapped and viewable (xwininfo, polled
every 10 ms, the same for every program), from source and frozen (``dist/sciatica-timer``,
when built), after one unmeasured start to warm the disk cache.

The caches are warm for every counted run (one unmeasured session first renders the cues
and validates the library, as a user's first day does), so the figures are what every later
session costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))
from support.sound_server import private_sound_server  # noqa: E402
from table import Row, markdown, skipped, write_json  # noqa: E402

RUNNER = HERE / "session_runner.py"
FROZEN = ROOT / "dist" / "sciatica-timer" / "sciatica-timer"
CLK_TCK = os.sysconf("SC_CLK_TCK")
NOT_COUNTED = ("dbus-daemon", "dbus-run-sessio", "Xvfb")
"""The bus and display every program is given: the same for all, so left out of all."""


@dataclass
class Program:
    name: str
    argv: list[str]
    title: str
    """The window to wait for at start-up (``WM_NAME``)."""


@dataclass
class Reading:
    cpu_percent: float
    rss_mb: float
    pss_mb: float
    parts: dict[str, float]
    """PSS MB and CPU % by process (the window, the sound player, the listener)."""


@contextmanager
def xvfb() -> Iterator[str]:
    """A fresh Xvfb on a free display; its name (":N")."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as fh:
        number = fh.readline().strip()
    try:
        if not number:
            raise SystemExit("Xvfb did not start")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rpartition(")")[2].split()
            except OSError:
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def descendants(root: int) -> list[int]:
    tree = children_of()
    found, todo = [root], [root]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii", errors="replace") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def counted(root: int) -> list[int]:
    return [pid for pid in descendants(root) if comm(pid) not in NOT_COUNTED]


def cpu_s(pids: Sequence[int]) -> dict[int, float]:
    """Seconds on a CPU of each process, to the nanosecond (schedstat), plus the user +
    system time of its children that ended (cutime + cstime, in clock ticks)."""
    out: dict[int, float] = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat", encoding="ascii") as fh:
                ran_ns = int(fh.read().split()[0])
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rpartition(")")[2].split()
        except OSError:
            continue
        out[pid] = ran_ns / 1e9 + (int(fields[13]) + int(fields[14])) / CLK_TCK
    return out


def rollup(pid: int) -> dict[str, float]:
    """Rss and Pss (MB) of one process."""
    out: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    out[key] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return out


def label_of(pid: int) -> str:
    """What a process of ours is: the window, the sound player or the listener."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
    except OSError:
        return comm(pid)
    if any(b"voice-listener" in a or b"listener_process" in a for a in argv):
        return "listener"
    if any(b"sound-player" in a or b"player_process" in a for a in argv):
        return "player"
    return comm(pid)


def environment(display: str, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(home / "run"),
        NO_AT_BRIDGE="1",
    )
    # A user's Python writes bytecode once and loads it after; this machine's environment
    # says not to, which would time compiling every module at every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    (home / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def end(proc: subprocess.Popen[bytes]) -> None:
    """The program and everything it started."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def start(program: Program, display: str, home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["dbus-run-session", "--", *program.argv],
        env=environment(display, home),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def measure(program: Program, home: Path, settle: float, window: float) -> Reading:
    with xvfb() as display:
        proc = start(program, display, home)
        try:
            time.sleep(settle)  # a bench waits for the program to settle; no test does this
            if proc.poll() is not None:
                raise SystemExit(f"{program.name} ended by itself (exit {proc.returncode})")
            began, before = time.monotonic(), cpu_s(counted(proc.pid))
            time.sleep(window)
            pids = counted(proc.pid)
            after = cpu_s(pids)
            took = time.monotonic() - began
            cpu = 100 * (sum(after.values()) - sum(before.values())) / took
            parts: dict[str, float] = {}
            for pid in pids:
                name = label_of(pid) + " CPU %"
                spent = 100 * (after.get(pid, 0.0) - before.get(pid, 0.0)) / took
                if spent > 0.005:
                    parts[name] = parts.get(name, 0.0) + spent
            rss = pss = 0.0
            for pid in pids:
                figures = rollup(pid)
                rss += figures.get("Rss", 0.0)
                pss += figures.get("Pss", 0.0)
                if figures.get("Pss", 0.0) > 1:
                    name = label_of(pid) + " PSS MB"
                    parts[name] = parts.get(name, 0.0) + figures["Pss"]
            return Reading(cpu, rss, pss, parts)
        finally:
            end(proc)


def viewable(display: str, title: str) -> bool:
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
    ).stdout
    for line in tree.splitlines():
        if f'"{title}": ("' in line:  # the real window has a WM_CLASS; Qt's helpers do not
            info = subprocess.run(
                ["xwininfo", "-id", line.split()[0]],
                env={**os.environ, "DISPLAY": display},
                capture_output=True,
                text=True,
            ).stdout
            return "IsViewable" in info
    return False


def launch_s(program: Program, home: Path) -> float:
    with xvfb() as display:
        began = time.monotonic()
        proc = start(program, display, home)
        try:
            while not viewable(display, program.title):
                if proc.poll() is not None or time.monotonic() - began > 30:
                    raise SystemExit(f"{program.name}: no window within 30 s")
                time.sleep(0.01)  # polling the X server, as smoke.sh does
            return time.monotonic() - began
        finally:
            end(proc)


def ratio_row(
    section: str,
    name: str,
    unit: str,
    values: list[float],
    bare: float,
    most: float,
    note: str = "",
) -> Row:
    import statistics

    ratio = statistics.median(values) / bare if bare else float("nan")
    return Row(
        section,
        name,
        unit,
        values,
        f"≤ {most}× bare",
        ratio <= most,
        f"{ratio:.2f}× bare" + (f"; {note}" if note else ""),
    )


def footprint_rows(runs: int, settle: float, window: float, work: Path) -> list[Row]:
    import statistics

    def runner(name: str, mode: str, title: str = "Sciatica Timer") -> Program:
        return Program(name, [sys.executable, str(RUNNER), mode, str(work / mode)], title)

    programs = [
        runner("bare PySide6 label window ticking each second", "bare", "bare"),
        runner(
            "bare label as large as the session's (m:ss, 150 px, 1334×696 window)",
            "bare-big",
            "bare",
        ),
        runner("Sciatica Timer session, --no-voice", "no-voice"),
        runner("Sciatica Timer session, voice on", "voice"),
        runner(
            "Sciatica Timer session, every feature on (voice, voice stop listening, flash)",
            "every-feature",
        ),
    ]
    workrave = shutil.which("workrave")
    if workrave:
        programs.append(Program("Workrave (Debian), timers running", [workrave], "Workrave"))
    readings: dict[str, list[Reading]] = {}
    for program in programs:
        home = work / ("home-" + program.argv[-1].rsplit("/", 1)[-1])
        measure(program, home, settle, min(window, 10))  # warm: cues rendered, library checked
        readings[program.name] = []
        for run in range(runs):
            reading = measure(program, home, settle, window)
            readings[program.name].append(reading)
            print(
                f"  {program.name}, run {run + 1}: CPU {reading.cpu_percent:.2f} %, RSS "
                f"{reading.rss_mb:.1f} MB, PSS {reading.pss_mb:.1f} MB "
                f"({', '.join(f'{k} {v:.1f}' for k, v in sorted(reading.parts.items()))})",
                flush=True,
            )
    bare = readings[programs[0].name]
    bare_cpu = statistics.median(r.cpu_percent for r in bare)
    bare_rss = statistics.median(r.rss_mb for r in bare)
    work_pss = (
        statistics.median(r.pss_mb for r in readings[programs[-1].name]) if workrave else None
    )
    work_cpu = (
        statistics.median(r.cpu_percent for r in readings[programs[-1].name]) if workrave else None
    )
    rows: list[Row] = []
    for program in programs:
        got = readings[program.name]
        cpu = [r.cpu_percent for r in got]
        rss = [r.rss_mb for r in got]
        pss = [r.pss_mb for r in got]
        parts = got[-1].parts
        split = (
            ", ".join(f"{k} {v:.2f}" for k, v in sorted(parts.items())) if len(parts) > 1 else ""
        )
        ours = program.title == "Sciatica Timer"
        if not ours:
            rows += [
                Row("footprint", f"{program.name}: CPU", "% of a core", cpu),
                Row("footprint", f"{program.name}: RSS", "MB", rss),
                Row("footprint", f"{program.name}: PSS", "MB", pss),
            ]
            continue
        cpu_note = f"Workrave {work_cpu:.2f} %" if work_cpu is not None else "Workrave not measured"
        rows.append(
            ratio_row(
                "footprint", f"{program.name}: CPU", "% of a core", cpu, bare_cpu, 0.9, cpu_note
            )
        )
        rows.append(ratio_row("footprint", f"{program.name}: RSS", "MB", rss, bare_rss, 1.3))
        met = None if work_pss is None else statistics.median(pss) <= work_pss
        note = (
            "Workrave not installed: `apt-get install workrave`"
            if work_pss is None
            else f"Workrave {work_pss:.1f} MB" + (f"; PSS by process: {split}" if split else "")
        )
        rows.append(Row("footprint", f"{program.name}: PSS", "MB", pss, "≤ Workrave", met, note))
    if not workrave:
        rows.append(
            skipped(
                "footprint",
                "Workrave (Debian), timers running",
                "workrave is not installed (`apt-get install workrave`)",
            )
        )
    return rows


def startup_rows(runs: int, work: Path) -> list[Row]:
    import statistics

    python = sys.executable
    programs = [
        Program(
            "bare PySide6 label window", [python, str(RUNNER), "bare", str(work / "b")], "bare"
        ),
        Program(
            "Sciatica Timer from source",
            [python, "-m", "sciatica_timer", "--data-dir", str(work / "s")],
            "Sciatica Timer",
        ),
    ]
    if FROZEN.exists():
        programs.append(
            Program(
                "Sciatica Timer frozen (dist/sciatica-timer)",
                [str(FROZEN), "--data-dir", str(work / "f")],
                "Sciatica Timer",
            )
        )
    times: dict[str, list[float]] = {}
    for program in programs:
        home = work / f"launch-home-{len(times)}"
        launch_s(program, home)  # the first start ever: disk cache, library check, not counted
        times[program.name] = [launch_s(program, home) for _ in range(runs)]
        print(f"  {program.name}: " + " ".join(f"{t:.3f}" for t in times[program.name]), flush=True)
    bare = statistics.median(times[programs[0].name])
    rows = [Row("start-up", f"{programs[0].name}: exec to window", "s", times[programs[0].name])]
    for program in programs[1:]:
        rows.append(
            ratio_row(
                "start-up", f"{program.name}: exec to window", "s", times[program.name], bare, 1.5
            )
        )
    if not FROZEN.exists():
        rows.append(skipped("start-up", "Sciatica Timer frozen", "not built (`make package`)"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=15.0)
    parser.add_argument("--window", type=float, default=40.0)
    parser.add_argument("--launches", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="1 run, 8 s settle, 15 s window")
    parser.add_argument("--only", choices=("footprint", "start-up"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.runs, args.settle, args.window, args.launches = 1, 8.0, 15.0, 3
    for tool in ("Xvfb", "xwininfo", "dbus-run-session", "pulseaudio"):
        if not shutil.which(tool):
            raise SystemExit(f"footprint needs {tool} (xvfb, x11-utils, dbus, pulseaudio)")
    work = Path(tempfile.mkdtemp(prefix="sciatica-footprint-"))
    rows: list[Row] = []
    try:
        with private_sound_server("footprint") as server:
            server.add_microphone()  # the voice stop listens to it
            if args.only != "start-up":
                rows += footprint_rows(args.runs, args.settle, args.window, work)
            if args.only != "footprint":
                rows += startup_rows(args.launches, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(markdown(rows))
    if args.json:
        write_json(rows, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
