"""The app's name, version and description, read from pyproject.toml (no imports of the app).

Used by the PyInstaller spec and the build script, so the bundle, the archive, the
Windows version resource and the macOS Info.plist all say what pyproject.toml says.

    python packaging/metadata.py            # prints: sciatica-timer 0.1.0
    python packaging/metadata.py version    # prints: 0.1.0
"""

from __future__ import annotations

import ast
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DISPLAY_NAME = "Sciatica Timer"
APP_ID = "sciatica-timer"
"""The desktop file id (``sciatica-timer.desktop``); app.py sets the same desktopFileName."""
RDNS_ID = "org.sciaticatimer.SciaticaTimer"
"""The reverse-DNS id: the macOS bundle identifier and the AppStream component id
(``packaging/linux/<RDNS_ID>.metainfo.xml``). Change all three together, if ever."""


@dataclass(frozen=True)
class Metadata:
    name: str
    version: str
    description: str
    license: str

    @property
    def version_tuple(self) -> tuple[int, int, int, int]:
        """The version as four integers (Windows wants exactly four)."""
        numbers = []
        for part in self.version.split(".")[:4]:
            digits = "".join(ch for ch in part if ch.isdigit())
            numbers.append(int(digits or 0))
        padded = (*numbers, 0, 0, 0, 0)[:4]
        return (padded[0], padded[1], padded[2], padded[3])


def _attr_version(root: Path, attr: str) -> str:
    """The value of ``module.ATTR`` read from the module's source, without importing it."""
    module, _, name = attr.rpartition(".")
    base = root.joinpath(*module.split("."))
    source = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise SystemExit(f"metadata: no string {name} = ... in {source}")


def read(root: Path = ROOT) -> Metadata:
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    if "version" in project:
        version = str(project["version"])
    else:
        attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
        version = _attr_version(root, attr)
    license_ = project.get("license", {})
    return Metadata(
        name=project["name"],
        version=version,
        description=project.get("description", ""),
        license=license_.get("text", "") if isinstance(license_, dict) else str(license_),
    )


if __name__ == "__main__":
    meta = read()
    if sys.argv[1:] == ["version"]:
        print(meta.version)
    elif sys.argv[1:] == ["name"]:
        print(meta.name)
    else:
        print(meta.name, meta.version)
