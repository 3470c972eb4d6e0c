"""The package's layers, read from every module's own imports (lazy and type-only ones too).

core → storage → speech → cli/selftest → ui → app: a module imports only its own layer or
one before it, no module imports one that imports it back, and Qt is imported only in
``ui/`` and ``app.py``. See docs/architecture.md.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sciatica_timer"
ROOT = "sciatica_timer"

LAYERS: dict[str, int] = {
    "sciatica_timer": 0,  # the package itself: its version
    "sciatica_timer.core": 0,
    "sciatica_timer.storage": 1,
    "sciatica_timer.speech": 2,
    "sciatica_timer.cli": 3,
    "sciatica_timer.selftest": 3,
    "sciatica_timer.ui": 4,
    "sciatica_timer.app": 5,
    "sciatica_timer.__main__": 6,
}
QT = ("PySide6", "shiboken6")
QT_ALLOWED = ("sciatica_timer.ui", "sciatica_timer.app")
INNER: dict[str, tuple[str, ...]] = {
    # inside ui/: reusable widgets never reach up into the screens or the audio
    "sciatica_timer.ui.widgets": ("sciatica_timer.ui.screens", "sciatica_timer.ui.audio"),
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every module name this file imports, anywhere in it, with the line."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:  # `from sciatica_timer.ui import theme` is a module
                if f"{target}.{alias.name}" in MODULES:
                    yield f"{target}.{alias.name}", node.lineno


def _graph() -> dict[str, set[str]]:
    return {
        name: {t for t, _ in _imports(name, path) if t in MODULES and t != name}
        for name, path in MODULES.items()
    }


def _layer(name: str) -> tuple[str, int]:
    best = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return best, LAYERS[best]


def test_the_reader_sees_every_import_even_a_lazy_one() -> None:
    """The graph is real: app's lazy import of the window and cli's of the self-test count."""
    graph = _graph()
    assert "sciatica_timer.ui.screens.main_window" in graph["sciatica_timer.app"]
    assert "sciatica_timer.selftest" in graph["sciatica_timer.cli"]
    assert len(MODULES) > 30


def test_no_module_imports_one_that_imports_it_back() -> None:
    """The import graph has no cycle of any length."""
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_arrows_point_one_way(name: str) -> None:
    """A module imports only its own layer or an earlier one (core first, app last)."""
    own, rank = _layer(name)
    wrong = []
    for target, line in _imports(name, MODULES[name]):
        if target in MODULES:
            layer, target_rank = _layer(target)
            if target_rank > rank:
                wrong.append(f"line {line}: {target} ({layer} comes after {own})")
            for inner, forbidden in INNER.items():
                if name.startswith(inner) and target.startswith(forbidden):
                    wrong.append(f"line {line}: {target} (not from {inner})")
    assert not wrong, f"{name} imports:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_qt_only_in_ui_and_app(name: str) -> None:
    """Only ui/ and app.py import PySide6; the core, storage, speech and the CLI never do."""
    allowed = any(name == p or name.startswith(p + ".") for p in QT_ALLOWED)
    qt = [
        f"line {line}: {target}"
        for target, line in _imports(name, MODULES[name])
        if target.split(".")[0] in QT
    ]
    assert allowed or not qt, f"{name} imports Qt:\n" + "\n".join(qt)


def test_every_folder_is_a_layer() -> None:
    """A new folder is given its place in the layers before it is used."""
    for name in MODULES:
        assert _layer(name)[0] != ROOT or name in (ROOT, *LAYERS), name


def test_importing_everything_outside_ui_loads_no_qt() -> None:
    """Every module of core/, storage/, speech/, the CLI and the self-test, and app.py
    itself (it imports the window lazily), imported in a fresh process, leave PySide6
    unloaded: what --list and --check rely on to answer at once."""
    names = [n for n in MODULES if not any(n == p or n.startswith(p + ".") for p in QT_ALLOWED)]
    names.remove("sciatica_timer.__main__")  # it runs the app
    names.append("sciatica_timer.app")
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(len(sys.modules))\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert len(names) >= 20


def test_the_test_support_package_loads_no_qt() -> None:
    """tests/support/ is Qt-free: the unit tests and the fault suite can use it."""
    support = PACKAGE.parent / "tests" / "support"
    names = sorted(f"support.{p.stem}" for p in support.glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=support.parent, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert len(names) >= 5
