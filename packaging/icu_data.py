"""Linux: a smaller ICU data library for the bundle (``libicudata.so.NN``).

The PySide6 wheel's Qt Core links ICU, and ICU's data library holds every locale, calendar,
time zone, unit, currency, collation and character set of ICU: 30 MiB, a quarter of the
package. The app never asks Qt for any of that: it sorts in Python, shows English only,
formats numbers and dates with Qt's own tables, and reads and writes UTF-8 (Qt's own
codec). With gdb breakpoints on ICU's data entry points (udata_open, udata_openChoice)
the frozen app opened no ICU data at all through a session with voice, the history chart
and a file dialog, nor did its sound player and voice-stop listener (packaging/README.md).
``trimmed_library`` rebuilds the library with only ``KEEP`` in it: the base data any ICU
service reads first, so that a Qt call the app does not make today (a QCollator, a zone's
name) still works in the root locale instead of failing. For an item left out ICU reports
U_MISSING_RESOURCE_ERROR and Qt falls back to its own behaviour.

The data is ICU's "common data" format (ucmndata.h): a header, a table of contents
(count, then name offset and data offset of each item, sorted by name), the names, then
the items, each aligned to 16 bytes. ``gcc`` wraps the new data in a shared library with
the same name, soname and symbol (``icudtNN_dat``).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePath

KEEP = (
    # the resource bundle machinery: the index of locales, the shared key pool, the root
    # and English locales every lookup falls back to
    "res_index.res", "pool.res", "root.res", "en.res", "en_US.res", "en_001.res",
    "en_GB.res", "en_US_POSIX.res", "likelySubtags.res", "supplementalData.res",
    "metadata.res", "langInfo.res",
    # Unicode data not built into libicuuc (its properties, case and NFC tables are):
    # character names, NFKC, case folding, IDNA, layout and emoji properties
    "unames.icu", "nfkc.nrm", "nfkc_cf.nrm", "uts46.nrm", "ulayout.icu", "uemoji.icu",
    # collation in the root order (a QCollator in any locale falls back to it)
    "coll/res_index.res", "coll/root.res", "coll/ucadata.icu", "coll/en.res",
    "coll/en_US.res", "coll/en_US_POSIX.res",
    # text boundaries (QTextBoundaryFinder uses Qt's own tables; kept for ICU's)
    "brkitr/res_index.res", "brkitr/root.res", "brkitr/en.res", "brkitr/char.brk",
    "brkitr/word.brk", "brkitr/line.brk", "brkitr/sent.brk",
    # character set converters: the alias table and the Unicode and Latin ones
    "cnvalias.icu",
    # time zones (QTimeZone's ICU backend; the tz files are the default on Linux)
    "zoneinfo64.res", "timezoneTypes.res", "metaZones.res", "windowsZones.res",
    "zone/res_index.res", "zone/root.res", "zone/en.res", "zone/tzdbNames.res",
    # plural rules and number systems, read by any number or date format
    "plurals.res", "numberingSystems.res", "dayPeriods.res", "grammaticalFeatures.res",
    "keyTypeData.res", "icustd.res", "genderList.res",
    "lang/res_index.res", "lang/root.res", "lang/en.res",
    "region/res_index.res", "region/root.res", "region/en.res",
    "curr/res_index.res", "curr/root.res", "curr/en.res", "curr/supplementalData.res",
    "unit/res_index.res", "unit/root.res", "unit/en.res",
)  # fmt: skip
"""Item names without the package prefix (``icudt73l/``)."""

REQUIRED = ("res_index.res", "pool.res", "root.res")
"""Without these no resource bundle opens: a data library lacking them is not ICU's."""

MIB = 1024 * 1024


def _symbol(library: Path) -> tuple[str, int, int]:
    """The data symbol's name, file offset and size (its section maps address to offset)."""
    symbols = subprocess.run(
        ["readelf", "-Ws", "--dyn-syms", str(library)], capture_output=True, text=True, check=True
    ).stdout
    for line in symbols.splitlines():
        fields = line.split()
        if len(fields) == 8 and re.fullmatch(r"icudt\d+_dat", fields[7]):
            name, address, size = fields[7], int(fields[1], 16), int(fields[2], 0)
            break
    else:
        raise ValueError(f"{library}: no icudtNN_dat symbol")
    sections = subprocess.run(
        ["readelf", "-SW", str(library)], capture_output=True, text=True, check=True
    ).stdout
    for line in sections.splitlines():
        match = re.search(r"\]\s+\S+\s+\S+\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if match:
            start, offset, length = (int(group, 16) for group in match.groups())
            if start <= address < start + length:
                return name, address - start + offset, size
    raise ValueError(f"{library}: {name} is in no section")


def read_items(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and the (name, data) items of ICU common data."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", blob, 0)
    if (magic1, magic2) != (0xDA, 0x27) or blob[12:16] != b"CmnD":
        raise ValueError("not ICU common data")
    (count,) = struct.unpack_from("<I", blob, header_size)
    toc = [struct.unpack_from("<II", blob, header_size + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_at, data_at) in enumerate(toc):
        start = header_size + name_at
        name = blob[start : blob.index(b"\0", start)].decode("ascii")
        end = toc[i + 1][1] if i + 1 < count else len(blob) - header_size
        items.append((name, blob[header_size + data_at : header_size + end]))
    return blob[:header_size], items


def write_items(header: bytes, items: Sequence[tuple[str, bytes]]) -> bytes:
    """ICU common data of these items (kept in the given, sorted, order)."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    toc_size = 4 + 8 * len(items)
    offset = toc_size + len(names)
    offset += -(len(header) + offset) % 16
    toc = [struct.pack("<I", len(items))]
    data = bytearray()
    name_at = toc_size
    for name, item in items:
        toc.append(struct.pack("<II", name_at, offset + len(data)))
        name_at += len(name) + 1
        data += item
        data += b"\0" * (-len(data) % 16)
    padding = b"\xaa" * (offset - toc_size - len(names))
    return header + b"".join(toc) + names + padding + bytes(data)


def trimmed_library(library: Path, out: Path, keep: Sequence[str] = KEEP) -> Path:
    """Write out/<library's name>: the same library with only the ``keep`` items."""
    symbol, offset, size = _symbol(library)
    blob = library.read_bytes()[offset : offset + size]
    wanted = frozenset(keep)
    header, items = read_items(blob)
    present = {name.split("/", 1)[1] for name, _ in items}
    if not present.issuperset(REQUIRED):
        raise ValueError(f"{library}: ICU data without {sorted(set(REQUIRED) - present)}")
    data = write_items(header, [(n, d) for n, d in items if n.split("/", 1)[1] in wanted])
    out.mkdir(parents=True, exist_ok=True)
    target = out / library.name
    with tempfile.TemporaryDirectory() as work:
        dat = Path(work, "data.dat")
        dat.write_bytes(data)
        source = Path(work, "data.S")
        source.write_text(
            f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n"
            f'\t.balign 16\n{symbol}:\n\t.incbin "{dat}"\n\t.size {symbol}, .-{symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n'
        )
        subprocess.run(
            ["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-Wl,-s",
             "-o", str(target), str(source)],
            check=True,
        )  # fmt: skip
    return target


def replaced(entries: Sequence[tuple[str, str, str]], workdir: Path) -> list[tuple[str, str, str]]:
    """The bundle's entries with ICU's data library swapped for a trimmed copy (built once
    per source library and ``KEEP`` list, below workdir); unchanged without gcc or readelf."""
    tools = [tool for tool in ("gcc", "readelf") if shutil.which(tool) is None]
    if tools:
        print(f"icu_data: WARNING: no {' or '.join(tools)}: ICU's data library left whole")
        return list(entries)
    workdir = workdir / hashlib.sha256("\n".join(KEEP).encode()).hexdigest()[:12]  # KEEP's own
    out = []
    for dest, src, kind in entries:
        if re.fullmatch(r"libicudata\.so\.\d+", PurePath(dest).name):
            source = Path(src)
            built = workdir / source.name
            if not built.is_file() or built.stat().st_mtime < source.stat().st_mtime:
                built = trimmed_library(source, workdir)
            src = str(built)
        out.append((dest, src, kind))
    return out


if __name__ == "__main__":
    import sys

    built = trimmed_library(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{built}: {built.stat().st_size / MIB:.1f} MiB")
