"""Running the app's Python in a fresh process, and ending one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(
    code: str, *args: str, no_sound_in: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run Python code in a fresh process from the project's root, with ``args`` as its
    ``sys.argv[1:]``. With ``no_sound_in`` (a folder), that process finds no sound server:
    its ``PULSE_SERVER`` points at a socket nobody listens on there."""
    env = dict(os.environ)
    if no_sound_in is not None:
        env["PULSE_SERVER"] = f"unix:{no_sound_in / 'nobody-here'}"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )


CLI = "import sys\nfrom sciatica_timer.app import main\nsys.exit(main(sys.argv[1:]))\n"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line (``sciatica-timer ARGS``) in a fresh process, from the root."""
    return run_python(CLI, *args)


def end_process(proc: subprocess.Popen[str]) -> None:
    """Kill a child (if still alive), reap it, and close its pipes (an open pipe is a
    ResourceWarning, which fails whatever test the garbage collector runs in)."""
    proc.kill()
    proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
