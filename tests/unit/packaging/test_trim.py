"""What the Linux package leaves out to fit its 100 MiB: the smoke test's budget, and ICU's
data library rebuilt with only its base (packaging/icu_data.py), tried on the real PySide6
wheel's ICU and the real Qt."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "packaging"))
import icu_data  # noqa: E402

ELF_TOOLS = sys.platform.startswith("linux") and all(
    shutil.which(tool) for tool in ("gcc", "readelf")
)


def _wheel_icu_data() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not found:
        pytest.skip("this PySide6 wheel ships no ICU")
    return found[0]


def test_smoke_fails_a_one_folder_over_100_mib() -> None:
    smoke = (ROOT / "packaging" / "smoke.sh").read_text()
    budget = re.search(r"^MAX_DIR_MIB=\$\{MAX_DIR_MIB:-(\d+)\}", smoke, re.MULTILINE)
    assert budget is not None, "smoke.sh sets no MAX_DIR_MIB"
    assert int(budget.group(1)) <= 100
    assert 'dir_mib=$(du -sm "dist/$NAME" | cut -f1)' in smoke
    assert '[ "$dir_mib" -le "$MAX_DIR_MIB" ] || fail' in smoke
    assert "MAX_DIR_MIB" not in (ROOT / ".ci" / "run").read_text()  # CI keeps the budget


@pytest.mark.skipif(not ELF_TOOLS, reason="needs Linux, gcc and readelf")
def test_icu_common_data_reads_and_writes_back_unchanged() -> None:
    library = _wheel_icu_data()
    blob = _blob_of(library)
    header, items = icu_data.read_items(blob)
    assert len(items) > 1000
    assert icu_data.write_items(header, items) == blob


@pytest.mark.skipif(not ELF_TOOLS, reason="needs Linux, gcc and readelf")
def test_trimmed_icu_is_small_and_serves_qt(tmp_path: Path) -> None:
    library = _wheel_icu_data()
    built = icu_data.trimmed_library(library, tmp_path)
    assert built.name == library.name
    assert built.stat().st_size < 4 * 1024 * 1024 < library.stat().st_size
    _, offset, size = icu_data._symbol(built)
    _, items = icu_data.read_items(built.read_bytes()[offset : offset + size])
    kept = {name.split("/", 1)[1] for name, _ in items}
    assert set(icu_data.REQUIRED) <= kept <= set(icu_data.KEEP)

    # Qt Core loaded with the trimmed library in place of the wheel's (same soname)
    probe = (
        "from PySide6.QtCore import QCollator, QLocale\n"
        "c = QCollator(QLocale('de_DE'))\n"
        "print(c.compare('apple', 'Banana') < 0, QLocale('tr_TR').toUpper('istanbul'))\n"
    )
    env = {**os.environ, "LD_PRELOAD": str(built), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "İSTANBUL"]
    assert "collator" not in done.stderr.lower()  # root collation is there


@pytest.mark.skipif(not ELF_TOOLS, reason="needs Linux, gcc and readelf")
def test_icu_data_without_its_base_is_refused(tmp_path: Path) -> None:
    header = bytes(icu_data.read_items(_blob_of(_wheel_icu_data()))[0])
    fake = tmp_path / "libicudata.so.99"
    source = tmp_path / "fake.S"
    data = tmp_path / "fake.dat"
    data.write_bytes(icu_data.write_items(header, [("icudt99l/en.res", b"\0" * 16)]))
    source.write_text(
        f".section .rodata\n.globl icudt99_dat\n.type icudt99_dat, @object\nicudt99_dat:\n"
        f'.incbin "{data}"\n.size icudt99_dat, .-icudt99_dat\n'
    )
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(fake), str(source)], check=True)
    with pytest.raises(ValueError, match="without"):
        icu_data.trimmed_library(fake, tmp_path / "out")


def _blob_of(library: Path) -> bytes:
    _, offset, size = icu_data._symbol(library)
    return library.read_bytes()[offset : offset + size]


def test_replaced_swaps_only_the_icu_data_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Path] = []

    def fake_trim(library: Path, out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        target = out / library.name
        target.write_bytes(b"small")
        made.append(library)
        return target

    monkeypatch.setattr(icu_data, "trimmed_library", fake_trim)
    big = tmp_path / "libicudata.so.73"
    big.write_bytes(b"big")
    other = tmp_path / "libicuuc.so.73"
    other.write_bytes(b"code")
    entries = [
        ("PySide6/Qt/lib/libicudata.so.73", str(big), "BINARY"),
        ("PySide6/Qt/lib/libicuuc.so.73", str(other), "BINARY"),
    ]
    out = icu_data.replaced(entries, tmp_path / "icu")
    assert out[1] == entries[1]
    assert out[0][0] == entries[0][0] and Path(out[0][1]).read_bytes() == b"small"
    icu_data.replaced(entries, tmp_path / "icu")  # built once
    assert made == [big]
