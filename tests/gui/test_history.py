"""The history window: a chart, a report and a CSV a clinician can trust."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCharts import QAreaSeries, QCategoryAxis, QChartView, QXYSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QTabWidget, QWidget
from pytestqt.qtbot import QtBot
from support.history import NO_STRENGTH, SetClock, record_session, seed_years

from sciatica_timer.cli import parse_args, run_command
from sciatica_timer.core.records import Reach
from sciatica_timer.storage.journal.store import Journal
from sciatica_timer.ui.screens.history import (
    MAX_BARS,
    MAX_TICKS,
    PAIN_TOP,
    REPORT_NAME,
    UNRATED_Y,
    HistoryWindow,
    chart_range,
    reach_bars,
    time_ticks,
)

# The offscreen platform cannot size a top-level window, and says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")

DAY = datetime(2025, 12, 2, 7, 5).astimezone()
"""Local 07:05 on 2 December 2025."""
HOURS = [(7, 5), (9, 40), (12, 15), (16, 30), (20, 50)]


@pytest.fixture
def clock() -> SetClock:
    return SetClock(DAY)


@pytest.fixture
def journal(tmp_path: Path, clock: SetClock) -> Iterator[Journal]:
    with Journal.open(tmp_path / "data" / "journal.sqlite3", now=clock) as opened:
        yield opened


@pytest.fixture
def history(qtbot: QtBot, journal: Journal) -> HistoryWindow:
    window = HistoryWindow(journal)
    qtbot.addWidget(window)
    return window


def series(history: HistoryWindow, name: str) -> QXYSeries:
    found = [s for s in history.chart.series() if s.name().startswith(name)]
    assert len(found) == 1, [s.name() for s in history.chart.series()]
    assert isinstance(found[0], QXYSeries)
    return found[0]


def band(history: HistoryWindow) -> QAreaSeries:
    found = [s for s in history.chart.series() if isinstance(s, QAreaSeries)]
    assert len(found) == 1
    return found[0]


def axis(history: HistoryWindow, where: Qt.AlignmentFlag) -> QCategoryAxis:
    (found,) = [a for a in history.chart.axes() if a.alignment() == where]
    assert isinstance(found, QCategoryAxis)
    return found


def xs(s: QXYSeries) -> list[float]:
    return [p.x() for p in s.points()]


def ms(at: datetime) -> float:
    return at.timestamp() * 1000


def one_day(journal: Journal, clock: SetClock) -> list[datetime]:
    """Five sessions on one day: two end in a pain stop, one with no strength recorded."""
    starts = [DAY.replace(hour=h, minute=m) for h, m in HOURS]
    stops = [None, 7, NO_STRENGTH, None, None]
    for i, (at, stop) in enumerate(zip(starts, stops, strict=True)):
        record_session(journal, clock, at, (6 - i, 5 - i), stop=stop)
    return starts


def pdf_text(pdf: Path) -> str:
    """The PDF's text with every run of white space as one space."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_sessions_on_one_day_are_distinct_points(
    history: HistoryWindow, journal: Journal, clock: SetClock
) -> None:
    """Five sessions on one day are five points at their own times, and the time axis is
    labelled with times of day, none twice, with the date in its title."""
    starts = one_day(journal, clock)
    history.reload()
    assert xs(series(history, "pain before")) == [ms(at) for at in starts]
    assert xs(series(history, "pain after")) == [ms(at) for at in starts]
    x_axis = axis(history, Qt.AlignmentFlag.AlignBottom)
    labels = x_axis.categoriesLabels()
    assert 3 <= len(labels) <= MAX_TICKS
    assert len(set(labels)) == len(labels), labels
    assert all(re.fullmatch(r"\d\d:\d\d", label) for label in labels), labels
    assert "2 Dec 2025" in x_axis.titleText()


def test_pain_before_is_plotted_for_sessions_that_ended_in_a_pain_stop(
    history: HistoryWindow, journal: Journal, clock: SetClock
) -> None:
    """A session stopped for pain still has its pain before (and after) on the chart."""
    record_session(journal, clock, DAY, (8, 6), stop=5)
    history.reload()
    assert [(p.x(), p.y()) for p in series(history, "pain before").points()] == [(ms(DAY), 8)]
    assert [p.y() for p in series(history, "pain after").points()] == [6]


def test_unrated_pain_stop_has_its_own_lane_above_the_scale(
    history: HistoryWindow, journal: Journal, clock: SetClock
) -> None:
    """A pain stop with no strength recorded is a distinct marker in a lane of its own above
    the 0-10 scale, never at 10; a rated one is at its strength."""
    record_session(journal, clock, DAY, stop=NO_STRENGTH)
    record_session(journal, clock, DAY + timedelta(hours=2), stop=7)
    history.reload()
    unrated = series(history, "pain stop, strength not recorded")
    rated = series(history, "pain stop, at its strength")
    assert [p.y() for p in unrated.points()] == [UNRATED_Y]
    assert UNRATED_Y > PAIN_TOP
    assert [p.y() for p in rated.points()] == [7]
    assert unrated.markerShape() != rated.markerShape()
    pain_axis = axis(history, Qt.AlignmentFlag.AlignLeft)
    assert pain_axis.max() > UNRATED_Y
    assert "not rated" in pain_axis.categoriesLabels()


def test_one_session_still_shows_its_band_and_points(
    history: HistoryWindow, journal: Journal, clock: SetClock
) -> None:
    """With one session the reach band has width and height, and the pain values show as
    points (a one-point line draws nothing)."""
    record_session(journal, clock, DAY, reach=(Reach.THIGH, Reach.THIGH))
    history.reload()
    edge = band(history).upperSeries().points()
    x_axis = axis(history, Qt.AlignmentFlag.AlignBottom)
    assert edge[-1].x() - edge[0].x() >= (x_axis.max() - x_axis.min()) / 100
    assert edge[0].x() < ms(DAY) < edge[-1].x()
    lower = band(history).lowerSeries().points()
    assert edge[0].y() > lower[0].y(), "an unchanged reach is a strip, not a line"
    assert series(history, "pain before").pointsVisible()


def test_five_years_of_daily_sessions_stay_legible(
    history: HistoryWindow, journal: Journal, clock: SetClock
) -> None:
    """Five years of daily sessions build quickly; the axis shows years, none twice; the
    reach band is one bar per month (never more than MAX_BARS bars, none a sliver) and the
    pain lines a mean per month."""
    count = seed_years(journal, clock, years=5)
    assert count >= 1800
    began = time.perf_counter()
    history.reload()
    took = time.perf_counter() - began
    assert took < 3, f"{took:.2f} s"
    assert history.session_table.rowCount() == count
    labels = axis(history, Qt.AlignmentFlag.AlignBottom).categoriesLabels()
    assert len(set(labels)) == len(labels) and 2 <= len(labels) <= MAX_TICKS, labels
    assert history.grouping == "month"
    x_axis = axis(history, Qt.AlignmentFlag.AlignBottom)
    bars = reach_bars(history.sessions, x_axis.min(), x_axis.max())
    assert 55 <= len(bars) <= MAX_BARS
    assert min(bar.end - bar.start for bar in bars) >= timedelta(days=28).total_seconds() * 1000
    assert band(history).upperSeries().count() <= 4 * len(bars)
    assert series(history, "pain before").count() <= MAX_BARS
    assert "average each month" in history.chart.title()


@pytest.mark.parametrize(
    "span",
    [
        timedelta(0),
        timedelta(minutes=20),
        timedelta(hours=2, minutes=10),
        timedelta(hours=5),
        timedelta(hours=20),
        timedelta(days=1, hours=6),
        timedelta(days=9),
        timedelta(days=90),
        timedelta(days=550),
        timedelta(days=5 * 365),
        timedelta(days=40 * 365),
    ],
)
def test_time_axis_labels_never_repeat(span: timedelta) -> None:
    """Whatever the span, the time axis has a few labels on round times and no two alike."""
    lo, hi = chart_range([ms(DAY), ms(DAY + span)])
    ticks = time_ticks(lo, hi)
    assert 2 <= len(ticks.labels) <= MAX_TICKS, ticks
    assert len(set(ticks.labels)) == len(ticks.labels), ticks
    assert list(ticks.positions) == sorted(ticks.positions)
    assert lo <= ticks.positions[0] and ticks.positions[-1] <= hi


def test_pdf_report_names_strength_spread_and_counts(
    history: HistoryWindow, journal: Journal, clock: SetClock, tmp_path: Path
) -> None:
    """The one-page report gives each pain stop's strength and how far it spread, and its
    counts are grammatical: '1 session', '1 pain stop'."""
    record_session(journal, clock, DAY, stop=7, spread=Reach.BELOW_KNEE)
    history.reload()
    text = pdf_text(history.export_pdf(tmp_path / "report.pdf"))
    assert "1 session (0 completed) · 1 pain stop ·" in text
    assert "strength 7/10 · spread to: below the knee" in text
    assert "1 sessions" not in text and "1 pain stops" not in text


def test_pdf_report_does_not_call_an_all_skipped_session_completed(
    history: HistoryWindow, journal: Journal, clock: SetClock, tmp_path: Path
) -> None:
    """A session where every part was skipped is 'all skipped' in the counts, the session
    lines and the table, not 'completed'; a stop with no strength says so. One A4 page."""
    record_session(journal, clock, DAY, completed=(), skipped=("a", "b"))
    record_session(journal, clock, DAY + timedelta(hours=2))
    record_session(journal, clock, DAY + timedelta(hours=4), stop=NO_STRENGTH, spread=Reach.THIGH)
    history.reload()
    assert history.session_table.item(2, 3).text() == "all skipped"
    assert history.session_table.item(1, 3).text() == "completed"
    pdf = history.export_pdf(tmp_path / "report.pdf")
    text = pdf_text(pdf)
    assert "3 sessions (1 completed, 1 all skipped) · 1 pain stop ·" in text
    assert re.search(r"07:05 Sciatica foam roll 15:00 all skipped pain", text), text
    assert "strength not recorded · spread to: thigh" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_pdf_report_of_five_years_stays_on_one_page(
    history: HistoryWindow, journal: Journal, clock: SetClock, tmp_path: Path
) -> None:
    """With more pain stops than fit, the report says how many more there are, on one page."""
    seed_years(journal, clock, years=5)
    history.reload()
    pdf = history.export_pdf(tmp_path / "report.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    more = re.search(r"and (\d+) earlier pain stops: all are in the CSV export", pdf_text(pdf))
    assert more and 0 < int(more[1]) < len(history.stops)


def test_csv_times_carry_their_utc_offset(
    history: HistoryWindow, journal: Journal, clock: SetClock, tmp_path: Path
) -> None:
    """Every time in both CSV files is ISO 8601 with a UTC offset, including rows an older
    version wrote without one, which are read as local time."""
    record_session(journal, clock, DAY, stop=4)
    record_session(journal, clock, DAY + timedelta(hours=3))
    with sqlite3.connect(journal.path) as db:
        sid = db.execute(
            "INSERT INTO session (started_at, ended_at, routine_id, routine_name, status) "
            "VALUES ('2020-01-01T08:00:00', '2020-01-01T08:15:00', 'r', 'R', 'stopped_pain')"
        ).lastrowid
        db.execute(
            "INSERT INTO pain_stop (session_id, at, routine_id, phase_kind, phase_label, "
            "seconds_into) VALUES (?, '2020-01-01T08:10:00', 'r', 'work', 'Hold', 3)",
            (sid,),
        )
    db.close()
    history.reload()
    sessions, stops = history.export_csv(tmp_path)
    cells = []
    for path, columns in ((sessions, ("started_at", "ended_at")), (stops, ("at",))):
        with path.open(encoding="utf-8", newline="") as fh:
            cells += [row[c] for row in csv.DictReader(fh) for c in columns]
    assert len(cells) == 2 * 3 + 2
    for cell in cells:
        assert datetime.fromisoformat(cell).tzinfo is not None, cell
    old = datetime.fromisoformat("2020-01-01T08:00:00").astimezone().isoformat()
    assert old in cells


# The offscreen platform activates windows itself; Esc goes through the window's shortcut.
def test_escape_closes_the_window(history: HistoryWindow, qtbot: QtBot) -> None:
    """Esc closes the history window."""
    history.show()
    history.activateWindow()
    qtbot.waitUntil(history.isActiveWindow)
    qtbot.keyClick(history.session_table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not history.isVisible())


def test_export_dialogs_remember_the_last_folder(
    history: HistoryWindow, journal: Journal, clock: SetClock, tmp_path: Path
) -> None:
    """The CSV and PDF dialogs start in the folder the last export went to."""
    record_session(journal, clock, DAY)
    history.reload()
    asked: list[Path | None] = []
    csv_folder, pdf_folder = tmp_path / "csv", tmp_path / "pdf"
    csv_folder.mkdir()
    pdf_folder.mkdir()

    def folder(start: Path | None) -> Path:
        asked.append(start)
        return csv_folder

    def pdf(start: Path) -> Path:
        asked.append(start)
        return pdf_folder / "mine.pdf"

    history.choose_folder = folder  # type: ignore[method-assign]
    history.choose_pdf = pdf  # type: ignore[method-assign]
    csv_button = history.findChild(QPushButton, "exportCsvButton")
    pdf_button = history.findChild(QPushButton, "exportPdfButton")
    assert csv_button is not None and pdf_button is not None
    csv_button.click()
    assert (csv_folder / "sessions.csv").exists()
    pdf_button.click()
    assert (pdf_folder / "mine.pdf").read_bytes().startswith(b"%PDF")
    csv_button.click()
    assert asked == [None, csv_folder / REPORT_NAME, pdf_folder]
    assert history.last_folder == csv_folder
    note = f"Saved {csv_folder / 'sessions.csv'} and {csv_folder / 'pain-stops.csv'}."
    assert history.export_note.text() == note


def test_export_to_an_unwritable_folder_says_so(history: HistoryWindow, tmp_path: Path) -> None:
    """An export that cannot be written says where, in the window, and raises nothing."""
    missing = tmp_path / "gone"
    history.choose_folder = lambda start: missing  # type: ignore[method-assign]
    history._ask_csv()
    assert history.export_note.text().startswith(f"Could not save in {missing}:")
    assert history.last_folder is None


def test_every_control_has_an_object_and_accessible_name(
    history: HistoryWindow, journal: Journal, clock: SetClock
) -> None:
    """Buttons, tables, tabs, chart and labels each have an object name and an accessible
    name, for screen readers and for tests."""
    record_session(journal, clock, DAY)
    history.reload()
    kinds = (QPushButton, QTableWidget, QTabWidget, QChartView, QLabel)
    controls = [w for w in history.findChildren(QWidget) if isinstance(w, kinds)]
    assert len(controls) >= 8
    for control in controls:
        assert control.objectName() and control.accessibleName(), control


def test_an_empty_history_builds(history: HistoryWindow, tmp_path: Path) -> None:
    """With no sessions yet the chart has its axes and no series, the counts say 0, and the
    report still comes out."""
    history.reload()
    assert history.chart.series() == []
    assert axis(history, Qt.AlignmentFlag.AlignBottom).categoriesLabels()
    assert history.summary.text() == "0 sessions (0 completed) · 0 pain stops"
    assert "no sessions yet" in pdf_text(history.export_pdf(tmp_path / "report.pdf"))


def test_sessions_are_listed_in_the_order_they_happened_across_clock_changes(
    history: HistoryWindow, journal: Journal, clock: SetClock
) -> None:
    """Across the autumn DST change (02:59+02:00, then 02:00+01:00) and after the clock is
    set back an hour, the newest session is still listed first (issue 11, item 12)."""
    from datetime import timezone

    summer, winter = timezone(timedelta(hours=2)), timezone(timedelta(hours=1))
    record_session(journal, clock, datetime(2025, 10, 26, 2, 59, 49, tzinfo=summer), minutes=0.2)
    record_session(journal, clock, datetime(2025, 10, 26, 2, 0, 13, tzinfo=winter), minutes=0.2)
    record_session(journal, clock, datetime(2025, 10, 26, 1, 30, 0, tzinfo=winter), minutes=0.2)
    history.reload()
    firsts = [history.session_table.item(r, 0).text() for r in range(3)]
    assert firsts == ["2025-10-26 01:30", "2025-10-26 02:00", "2025-10-26 02:59"]


def test_length_comes_from_the_monotonic_clock_not_the_wall_clock(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A 24 s session during which the wall clock jumps back an hour shows 0:24, not 0:00:
    the controller measures it on the engine's clock and the journal keeps that."""
    from sciatica_timer.app import build
    from sciatica_timer.cli import parse_args
    from sciatica_timer.core.clock import FakeClock

    clock = FakeClock()
    ctx = build(parse_args(["--data-dir", str(tmp_path), "--no-voice"]), clock=clock)
    qtbot.addWidget(ctx.window)
    wall = SetClock(DAY)
    ctx.journal._now = wall  # the wall clock, set back mid-session below
    ctx.window.start_routine("sciatica-foam-roll")
    clock.advance(24)
    wall.at = DAY - timedelta(hours=1)
    ctx.controller.refresh()
    ctx.controller.end()
    history = HistoryWindow(ctx.journal)
    qtbot.addWidget(history)
    history.reload()
    assert ctx.journal.sessions()[0].elapsed_s == 24
    assert history.session_table.item(0, 2).text() == "0:24"
    ctx.close()


def test_the_window_exports_the_sessions_csv_the_command_line_writes(
    history: HistoryWindow, journal: Journal, clock: SetClock, tmp_path: Path
) -> None:
    """The window's sessions.csv holds the very bytes ``--export-history`` writes: both go
    through the journal's one export path."""
    record_session(journal, clock, DAY, stop=4)
    record_session(journal, clock, DAY + timedelta(hours=3), completed=(), skipped=("=x",))
    history.reload()
    sessions, _ = history.export_csv(tmp_path)
    out = tmp_path / "cli.csv"
    opts = parse_args(["--data-dir", str(journal.path.parent), "--export-history", str(out)])
    assert run_command(opts, io.StringIO()) == 0
    assert out.read_bytes() == sessions.read_bytes()


def test_the_chart_follows_a_dark_theme_on_screen_and_prints_on_white(
    history: HistoryWindow, journal: Journal, clock: SetClock, tmp_path: Path
) -> None:
    """In the dark theme the chart's background, title and axis labels are the theme's;
    the PDF's chart is drawn in the print palette (dark ink on white), and the window's
    chart is dark again afterwards."""
    from PySide6.QtGui import QImage

    from sciatica_timer.ui.theme import DARK, PRINT, apply_theme

    record_session(journal, clock, DAY, stop=5, spread=Reach.THIGH)
    record_session(journal, clock, DAY + timedelta(days=1))
    apply_theme(history, DARK)
    history.reload()
    chart = history.chart
    assert chart.backgroundBrush().color().name() == QColor(DARK.panel).name()
    labels = {axis.labelsColor().name() for axis in chart.axes()}
    assert labels == {QColor(DARK.text).name()}
    pdf = history.export_pdf(tmp_path / "report.pdf")
    assert chart.backgroundBrush().color().name() == QColor(DARK.panel).name()
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")], check=True)
    page = QImage(str(tmp_path / "p-1.png"))
    # the chart sits in the upper half of the page: sample it
    dark = sum(
        1
        for x in range(0, page.width(), 4)
        for y in range(page.height() // 10, page.height() // 2, 4)
        if QColor(page.pixel(x, y)).lightness() < 80
    )
    total = len(range(0, page.width(), 4)) * len(range(page.height() // 10, page.height() // 2, 4))
    assert dark / total < 0.1, f"{dark} of {total} samples dark: the chart printed dark"
    assert QColor(PRINT.panel).lightness() > 200
