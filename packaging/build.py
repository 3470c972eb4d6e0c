"""Build the double-clickable app with PyInstaller (what ``make package`` runs).

    python packaging/build.py               # dist/sciatica-timer/ and its archive
    python packaging/build.py --onefile     # dist/onefile/sciatica-timer (one file) instead
    python packaging/build.py --no-archive  # skip the .tar.gz / .zip

Writes ``dist/sciatica-timer/sciatica-timer`` (``.exe`` on Windows; on macOS also
``dist/Sciatica Timer.app``) and ``dist/sciatica-timer-VERSION-OS-ARCH.tar.gz`` (``.zip`` on
Windows and macOS), then prints what it built, how big it is and how long it took.
PyInstaller's work files go to ``build/pyinstaller``. Run it with the project's venv
Python, which must have the ``package`` extra installed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metadata

ROOT = metadata.ROOT
SPEC = ROOT / "packaging" / "sciatica-timer.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
MIB = 1024 * 1024


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    system = "linux" if system.startswith("linux") else system
    return f"{system}-{platform.machine().lower() or 'unknown'}"


def tree_size(path: Path) -> tuple[int, int]:
    """Bytes and number of files below path (symbolic links count as nothing)."""
    if path.is_file():
        return path.stat().st_size, 1
    total = count = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            file = Path(dirpath, name)
            if not file.is_symlink():
                total += file.stat().st_size
                count += 1
    return total, count


def make_archive(target: Path, base: str) -> Path:
    """``base.tar.gz`` of target on Linux, ``base.zip`` elsewhere; symbolic links kept."""
    if sys.platform.startswith("linux"):
        archive = DIST / f"{base}.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(target, arcname=target.name)
        return archive
    archive = DIST / f"{base}.zip"
    archive.unlink(missing_ok=True)
    if sys.platform == "darwin" and shutil.which("ditto"):
        subprocess.run(["ditto", "-c", "-k", "--keepParent", str(target), str(archive)], check=True)
        return archive
    return Path(shutil.make_archive(str(DIST / base), "zip", target.parent, target.name))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--onefile", action="store_true", help="build one executable file")
    parser.add_argument("--no-archive", action="store_true", help="do not make the archive")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first")
    parser.add_argument("--dist", type=Path, default=DIST, help="output folder (default dist/)")
    parser.add_argument("--work", type=Path, default=WORK, help="PyInstaller's work folder")
    args = parser.parse_args(argv)

    meta = metadata.read()
    exe_name = meta.name + (".exe" if sys.platform == "win32" else "")
    dist = args.dist.resolve() / "onefile" if args.onefile else args.dist.resolve()
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level=WARN",
        "--workpath", str(args.work), "--distpath", str(dist),
        *(["--clean"] if args.clean else []),
        str(SPEC),
        *(["--", "--onefile"] if args.onefile else []),
    ]  # fmt: skip
    print("build:", " ".join(command), flush=True)
    started = time.monotonic()
    subprocess.run(command, check=True, cwd=ROOT)
    seconds = time.monotonic() - started

    target = dist / exe_name if args.onefile else dist / meta.name
    executable = target if args.onefile else target / exe_name
    if not executable.is_file():
        print(f"build: PyInstaller finished but {executable} is missing", file=sys.stderr)
        return 1
    if sys.platform == "darwin" and not args.onefile:
        target = dist / f"{metadata.DISPLAY_NAME}.app"
    size, files = tree_size(target)
    print(
        f"build: {meta.name} {meta.version}: {executable.relative_to(ROOT)}; "
        f"{target.relative_to(ROOT)} is {size / MIB:.1f} MiB in {files} files; "
        f"built in {seconds:.0f} s"
    )
    if not args.no_archive:
        started = time.monotonic()
        onefile = "-onefile" if args.onefile else ""
        archive = make_archive(target, f"{meta.name}-{meta.version}-{platform_tag()}{onefile}")
        print(
            f"build: archive {archive.relative_to(ROOT)} is "
            f"{archive.stat().st_size / MIB:.1f} MiB ({time.monotonic() - started:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
