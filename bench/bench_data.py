"""Pain-stop durability and the history screen on 5 years of daily sessions (issue 16).

Run: ``QT_QPA_PLATFORM=offscreen python bench/bench_data.py [--json FILE]`` (under a minute).
Rows go to bench/table.py's table, section "data".
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from table import Row, markdown, write_json  # noqa: E402


def filesystem(path: Path) -> str:
    """The type of the filesystem holding ``path`` (longest mount point in /proc/mounts)."""
    best, kind = "", "?"
    with open("/proc/mounts", encoding="utf-8") as fh:
        for line in fh:
            _dev, mount, fstype = line.split()[:3]
            if str(path).startswith(mount) and len(mount) > len(best):
                best, kind = mount, fstype
    return kind


def pain_stops(n: int = 30) -> Row:
    from sciatica_timer.core.records import PainStopRecord
    from sciatica_timer.core.timeline import PhaseKind, Side
    from sciatica_timer.storage.journal.store import Journal

    folder = Path(tempfile.mkdtemp(prefix="sciatica-bench-data-"))
    path = folder / "journal.sqlite3"
    times = []
    with Journal.open(path) as journal:
        for _ in range(n):
            sid = journal.start_session("sciatica-foam-roll", "Sciatica foam roll", 5)
            stop = PainStopRecord(
                sid,
                "sciatica-foam-roll",
                "hamstring-roll",
                "Hamstring roll",
                Side.LEFT,
                PhaseKind.WORK,
                "Roll",
                12.0,
            )
            started = time.perf_counter()
            journal.record_pain_stop(stop)
            times.append((time.perf_counter() - started) * 1000)
            assert journal.writable, "the pain stop was not saved in the file"
    with closing(sqlite3.connect(path)) as other:  # as another process sees the file
        saved = other.execute("SELECT count(*) FROM pain_stop").fetchone()[0]
    assert saved == n, saved
    return Row(
        "data",
        "pain stop on disk (commit + sync)",
        "ms",
        times,
        note=(
            f"{n} calls of Journal.record_pain_stop (what SessionController.pain_stop "
            "calls first), "
            "each its own transaction, WAL with synchronous=FULL, returns once committed; all "
            f"{n} read back through another connection; {filesystem(folder)} on a virtual disk"
        ),
    )


def history(opens: int = 5) -> list[Row]:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication
    from support.history import SetClock, seed_years

    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    from sciatica_timer.storage.journal.store import Journal
    from sciatica_timer.storage.paths import AppPaths

    app = QApplication.instance() or QApplication([sys.argv[0]])
    data = Path(tempfile.mkdtemp(prefix="sciatica-bench-history-"))
    with Journal.open(AppPaths.under(data).journal) as journal:
        days = seed_years(journal, SetClock(datetime.now().astimezone()), years=5)
    ctx = build(parse_args(["--data-dir", str(data), "--no-voice"]))
    ctx.window.resize(1366, 768)
    ctx.window.show()
    QTimer.singleShot(500, app.quit)
    app.exec()

    painted: list[float] = []

    class Watch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
                QTimer.singleShot(0, app.quit)  # after this paint is done
            return False

    watch = Watch()
    open_ms: list[float] = []
    for _ in range(opens):
        painted.clear()
        started = time.perf_counter()
        ctx.window.show_history()
        history = ctx.window._history
        assert history is not None
        history.chart_view.viewport().installEventFilter(watch)
        QTimer.singleShot(10_000, app.quit)
        app.exec()
        done = time.perf_counter()
        assert painted, "the history chart was never painted"
        open_ms.append((done - started) * 1000)
        history.close()
    assert history is not None and len(history.sessions) == days, len(history.sessions)
    draw_ms = []
    for _ in range(opens):
        started = time.perf_counter()
        history.chart_view.grab()
        draw_ms.append((time.perf_counter() - started) * 1000)
    first = open_ms[0]
    ctx.close()
    return [
        Row(
            "data",
            "history open, 5 years",
            "ms",
            open_ms,
            note=(
                f"{days} daily sessions seeded through the journal's API "
                "(tests/support/history.py); "
                "MainWindow.show_history() (journal read, tables and chart filled) until the "
                "chart's "
                f"first paint is done; {opens} opens, the first {first:.0f} ms (QtCharts import, "
                "window built), later ones reload the same window"
            ),
        ),
        Row(
            "data",
            "history chart draw, 5 years",
            "ms",
            draw_ms,
            note=f"chart_view.grab(): the whole chart rendered to a pixmap, {opens} times",
        ),
    ]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="write the rows here (bench/run.py)")
    args = parser.parse_args(argv)
    rows = [pain_stops(), *history()]
    rows.append(
        Row(
            "speech",
            "cue latency (request → sound)",
            "",
            [],
            note=("skipped: bench/bench_speech.py prints its figures and returns none to import"),
        )
    )
    if args.json:
        write_json(rows, args.json)
    else:
        print(markdown(rows))
    print(
        f"(medians: {[round(statistics.median(r.values), 2) for r in rows if r.values]})",
        file=sys.stderr,
    )
    os._exit(0)  # the window's helper threads need not be waited for


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
