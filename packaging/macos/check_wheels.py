"""Check, from any system, that every dependency of the app has a macOS wheel.

    .venv/bin/python packaging/macos/check_wheels.py                # arm64 and x86_64, macOS 11
    .venv/bin/python packaging/macos/check_wheels.py --macos 13.0   # another oldest macOS
    .venv/bin/python packaging/macos/check_wheels.py --download DIR # fetch the wheels too

Reads ``[project.dependencies]`` from pyproject.toml, keeps those whose markers hold on
macOS (evaluated here for ``darwin``: pip running on Linux would evaluate them for Linux and
miss the ones behind ``sys_platform == 'darwin'``), and asks pip which wheel it would take
for each, ``--only-binary=:all: --no-deps`` with ``--platform macosx_V_arm64`` and
``--platform macosx_V_x86_64`` (``--python-version`` as given). Then it does the same for
what those wheels depend on (their metadata, markers again for macOS), until nothing new
is named. Without ``--download`` pip only resolves (``pip install --dry-run --report``:
it reads the index's metadata and downloads no wheel); with it, ``pip download`` fetches
them. Prints one line per requirement and platform; exit 1 if any has no wheel. Needs the
network (PyPI) and the ``packaging`` module (in the test tools).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
ARCHES = ("arm64", "x86_64")


def environment(arch: str, python: str, macos: str = "11.0") -> dict[str, str]:
    """PEP 508 marker values of a macOS CPython (``platform_release`` is the Darwin kernel's:
    macOS 11 is Darwin 20, and pyobjc's frameworks are chosen by it)."""
    darwin = int(macos.split(".")[0]) + 9
    return {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": arch,
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_release": f"{darwin}.0.0",
        "platform_version": "",
        "implementation_version": f"{python}.0",
        "extra": "",
    }


def applies(requirement: Requirement, env: dict[str, str]) -> bool:
    marker: Marker | None = requirement.marker
    return marker is None or marker.evaluate(env)


def project_requirements(env: dict[str, str]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = (Requirement(text) for text in project["dependencies"])
    return [r for r in found if applies(r, env)]


def resolve(
    requirements: list[Requirement], platform: str, python: str, download: Path | None
) -> tuple[dict[str, tuple[str, list[str]]], dict[str, str]]:
    """{name: (wheel file, its Requires-Dist)} of those pip finds a wheel for, and
    {name: pip's last line} for those it does not (each asked on its own: one missing
    wheel must not hide the others)."""
    found: dict[str, tuple[str, list[str]]] = {}
    missing: dict[str, str] = {}
    options = [
        "--only-binary=:all:", "--no-deps", "--platform", platform,
        "--python-version", python, "--implementation", "cp",
        "--quiet", "--disable-pip-version-check",
    ]  # fmt: skip
    for requirement in requirements:
        spec = str(requirement).split(";")[0].strip()
        with tempfile.TemporaryDirectory() as work:
            report = Path(work) / "report.json"
            pip = [sys.executable, "-m", "pip"]
            if download is None:
                target = str(Path(work) / "t")
                command = [*pip, "install", "--dry-run", "--ignore-installed"]
                command += ["--target", target, "--report", str(report), *options, spec]
            else:
                command = [*pip, "download", "-d", str(download), *options, spec]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                lines = [ln for ln in done.stderr.splitlines() if ln.startswith("ERROR")]
                missing[requirement.name] = (lines or ["pip failed"])[0]
                continue
            if download is None:
                item = json.loads(report.read_text())["install"][0]
                wheel = item["download_info"]["url"].rsplit("/", 1)[1]
                requires = item["metadata"].get("requires_dist", [])
            else:
                wheel, requires = _downloaded(download, requirement.name)
            found[requirement.name] = (wheel, requires)
    return found, missing


def _downloaded(folder: Path, name: str) -> tuple[str, list[str]]:
    import zipfile

    want = canonicalize_name(name)
    for wheel in sorted(folder.glob("*.whl")):
        if canonicalize_name(wheel.name.split("-")[0]) != want:
            continue
        with zipfile.ZipFile(wheel) as archive:
            meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            text = archive.read(meta).decode("utf-8", errors="replace")
        requires = [ln[len("Requires-Dist: ") :] for ln in text.splitlines()
                    if ln.startswith("Requires-Dist: ")]  # fmt: skip
        return wheel.name, requires
    return "?", []


def check(arch: str, macos: str, python: str, download: Path | None) -> int:
    platform = f"macosx_{macos.replace('.', '_')}_{arch}"
    env = environment(arch, python, macos)
    queue = project_requirements(env)
    seen = {canonicalize_name(r.name) for r in queue}
    direct = set(seen)
    problems = 0
    while queue:
        found, missing = resolve(queue, platform, python, download)
        queue = []
        for name, (wheel, requires) in sorted(found.items()):
            where = "" if canonicalize_name(name) in direct else " (needed by the above)"
            print(f"{platform}: ok      {name}: {wheel}{where}")
            for text in requires:
                requirement = Requirement(text)
                key = canonicalize_name(requirement.name)
                if key not in seen and applies(requirement, env):
                    seen.add(key)
                    queue.append(requirement)
        for name, why in sorted(missing.items()):
            problems += 1
            print(f"{platform}: MISSING {name}: {why}")
    print(f"{platform}: {len(seen) - problems} of {len(seen)} resolve to a wheel")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--macos", default="11.0", help="the oldest macOS (default 11.0)")
    parser.add_argument("--python", default="3.11", help="the Python version (default 3.11)")
    parser.add_argument("--arch", choices=ARCHES, action="append", help="default: both")
    parser.add_argument("--download", type=Path, help="download the wheels into this folder")
    args = parser.parse_args(argv)
    if args.download is not None:
        args.download.mkdir(parents=True, exist_ok=True)
    problems = sum(
        check(arch, args.macos, args.python, args.download) for arch in args.arch or ARCHES
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
