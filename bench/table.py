"""The one table `make bench` prints and writes to bench/results.md.

Every bench script adds rows here; a row is a figure with its spread over several runs, the
target it is held to (if any), and whether it met it. Scripts run on their own print their
rows; ``--json FILE`` writes them for bench/run.py to gather into one table.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Row:
    section: str
    """Which table: "footprint", "start-up", "countdown", "under load", "speech", "data"."""
    name: str
    """What was measured, as a reader would say it: "Sciatica Timer session, voice on"."""
    unit: str
    """"MB", "%", "ms", "s", "MiB"."""
    values: list[float] = field(default_factory=list)
    """One figure per run; the table shows the median, with min and max when several."""
    target: str = ""
    """"≤ 0.9× bare window", "≤ 3 ms"; empty when the row is for comparison only."""
    met: bool | None = None
    """Whether the median meets the target; None when there is no target."""
    note: str = ""
    """A skip, what was compared with, or why a target is missed."""

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def cell(self) -> str:
        if not self.values:
            return "–"
        digits = 2 if abs(self.median) < 10 else 1
        text = f"{self.median:.{digits}f}"
        if len(self.values) > 1:
            text += f" ({min(self.values):.{digits}f}–{max(self.values):.{digits}f})"
        return text


def skipped(section: str, name: str, why: str) -> Row:
    """A row for a program or tool that is missing here: printed, with the reason."""
    return Row(section, name, "", [], note=f"skipped: {why}")


def write_json(rows: Sequence[Row], path: Path) -> None:
    path.write_text(json.dumps([asdict(row) for row in rows], indent=1), encoding="utf-8")


def read_json(path: Path) -> list[Row]:
    return [Row(**raw) for raw in json.loads(path.read_text(encoding="utf-8"))]


def markdown(rows: Sequence[Row]) -> str:
    """Rows grouped by section, each section one Markdown table."""
    out: list[str] = []
    sections: dict[str, list[Row]] = {}
    for row in rows:
        sections.setdefault(row.section, []).append(row)
    for section, members in sections.items():
        out += [
            f"### {section}",
            "",
            "| measured | median (min–max) | unit | target | met | note |",
        ]
        out.append("|---|---|---|---|---|---|")
        for row in members:
            met = "" if row.met is None else ("yes" if row.met else "**no**")
            out.append(
                f"| {row.name} | {row.cell()} | {row.unit} | {row.target} | {met} | {row.note} |"
            )
        out.append("")
    return "\n".join(out)
