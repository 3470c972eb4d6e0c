"""History: sessions and pain stops, a chart of pain over time, exports for a clinician."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCharts import (
    QAreaSeries,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QScatterSeries,
    QXYSeries,
)
from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeySequence,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.records import PainStop, Reach, SessionRow, SessionStatus
from sciatica_timer.core.text import format_clock
from sciatica_timer.storage.journal.export import save_folder
from sciatica_timer.storage.journal.store import Journal
from sciatica_timer.storage.paths import open_private_text
from sciatica_timer.ui.theme import LIGHT, PRINT, Palette, apply_theme, palette_of, set_role

STATUS_WORDS = {
    SessionStatus.COMPLETED: "completed",
    SessionStatus.ENDED_EARLY: "ended early",
    SessionStatus.STOPPED_PAIN: "pain stop",
    SessionStatus.INTERRUPTED: "interrupted",
    SessionStatus.RUNNING: "running",
}
ALL_SKIPPED = "all skipped"
NOT_RECORDED = "not recorded"
REPORT_NAME = "sciatica-timer-report.pdf"

PAIN_TOP = 10
UNRATED_Y = 11.0
"""Where a pain stop with no strength recorded is drawn: its own lane above the 0-10 scale."""
Y_MAX = 12.0
"""Top of both vertical axes: the 0-10 scale (reach levels x 2) and the unrated lane."""
BAND_PAD = 0.2
"""The reach band reaches this far past its levels, so an unchanged reach is still a strip."""
MAX_TICKS = 8
"""Labels on the time axis at most: each has room at the chart's 1,200 px (screen and PDF)."""
MAX_BARS = 120
"""Bars in the reach band at most, so none is thinner than about 9 px."""

_SECONDS: dict[str, float] = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
_SECONDS |= {"month": 30.44 * 86400, "year": 365.25 * 86400}
_STEPS: tuple[tuple[str, int], ...] = (
    ("minute", 15), ("minute", 30), ("hour", 1), ("hour", 2), ("hour", 3), ("hour", 6),
    ("hour", 12), ("day", 1), ("day", 2), ("week", 1), ("week", 2), ("month", 1), ("month", 2),
    ("month", 3), ("month", 6), ("year", 1), ("year", 2), ("year", 5), ("year", 10),
    ("year", 25), ("year", 100),
)  # fmt: skip
"""Tick steps for the time axis, finest first: ticks fall on whole hours, days, months..."""


def _when(stamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


def _ms(stamp: str) -> float | None:
    """Milliseconds since the epoch (a stamp without an offset is taken as local time)."""
    when = _when(stamp)
    return when.timestamp() * 1000 if when else None


def _local(ms: float) -> datetime:
    """The local wall time (naive) at this moment."""
    return datetime.fromtimestamp(ms / 1000)


def _duration(row: SessionRow) -> str:
    """How long it ran: measured on the monotonic clock when the journal has it, so a
    wall-clock jump mid-session changes nothing; else from the two stamps."""
    if row.elapsed_s is not None:
        return format_clock(row.elapsed_s)
    start, end = _when(row.started_at), _when(row.ended_at or "")
    return format_clock((end - start).total_seconds()) if start and end else ""


def _reach(reach: Reach | None) -> str:
    return "" if reach is None else reach.words


def _level(reach: Reach | None) -> int | None:
    return None if reach is None else reach.level


def _pair(before: object, after: object) -> str:
    if before in (None, "") and after in (None, ""):
        return ""
    return f"{'' if before is None else before} → {'' if after is None else after}"


def _count(n: int, noun: str) -> str:
    """'1 session', '2 sessions'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def all_skipped(row: SessionRow) -> bool:
    """Ended as completed, but every part of it was skipped: not a completed session."""
    return row.status is SessionStatus.COMPLETED and not row.completed and bool(row.skipped)


def status_words(row: SessionRow) -> str:
    if all_skipped(row):
        return ALL_SKIPPED
    return STATUS_WORDS[row.status]


def summary_text(sessions: Sequence[SessionRow], stops: Sequence[PainStop]) -> str:
    """'12 sessions (10 completed, 1 all skipped) · 1 pain stop'."""
    done = sum(1 for s in sessions if s.status is SessionStatus.COMPLETED and not all_skipped(s))
    skipped = sum(1 for s in sessions if all_skipped(s))
    detail = f"{done:,} completed" + (f", {skipped:,} {ALL_SKIPPED}" if skipped else "")
    return f"{_count(len(sessions), 'session')} ({detail}) · {_count(len(stops), 'pain stop')}"


def stop_line(p: PainStop) -> str:
    """One pain stop in words: when, where in the routine, how strong, how far it spread."""
    line = f"{p.at[:16].replace('T', ' ')}  {p.exercise_name or 'between exercises'}"
    line += f", {p.side.value} side" if p.side else ""
    line += f", {p.phase_label.lower()} at {p.seconds_into:.0f} s"
    line += f" · strength {NOT_RECORDED if p.intensity is None else f'{p.intensity}/10'}"
    line += f" · spread to: {_reach(p.radiated_to) or NOT_RECORDED}"
    if p.qualities:
        line += f" ({', '.join(p.qualities)})"
    return line


# --- the time axis and the reach band -----------------------------------------------------


def _floor(at: datetime, unit: str, n: int) -> datetime:
    """The start of the step (of n units) that ``at`` falls in."""
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "minute":
        return at.replace(minute=at.minute - at.minute % n, second=0, microsecond=0)
    if unit == "hour":
        return midnight.replace(hour=at.hour - at.hour % n)
    if unit == "day":
        return midnight
    if unit == "week":
        return midnight - timedelta(days=midnight.weekday())
    if unit == "month":
        return midnight.replace(day=1, month=at.month - (at.month - 1) % n)
    return midnight.replace(month=1, day=1, year=at.year - at.year % n)


def _advance(at: datetime, unit: str, n: int) -> datetime:
    if unit == "month":
        months = at.month - 1 + n
        return at.replace(year=at.year + months // 12, month=months % 12 + 1)
    if unit == "year":
        return at.replace(year=at.year + n)
    return at + timedelta(seconds=_SECONDS[unit] * n)


def _steps(lo: datetime, hi: datetime, unit: str, n: int) -> list[datetime]:
    """Every step start from the one holding ``lo`` up to ``hi``."""
    found: list[datetime] = []
    at = _floor(lo, unit, n)
    while at <= hi:
        found.append(at)
        at = _advance(at, unit, n)
    return found


@dataclass(frozen=True)
class TimeTicks:
    """Where the time axis is labelled: whole hours, days, months... each label different."""

    positions: tuple[float, ...]
    """Milliseconds since the epoch."""
    labels: tuple[str, ...]
    title: str


def time_ticks(lo_ms: float, hi_ms: float) -> TimeTicks:
    """At most MAX_TICKS ticks on round local times, labelled no finer than the step, so no
    two labels are the same: '08:00' within a day, '2 Dec' within weeks, 'Dec 2024' beyond."""
    lo, hi = _local(lo_ms), _local(hi_ms)
    span = (hi_ms - lo_ms) / 1000
    for unit, n in _STEPS:
        if span / (_SECONDS[unit] * n) > MAX_TICKS + 1 and (unit, n) != _STEPS[-1]:
            continue
        ticks = [t for t in _steps(lo, hi, unit, n) if t >= lo]
        if len(ticks) <= MAX_TICKS:
            break
    one_day = lo.date() == hi.date()
    if unit in ("minute", "hour"):
        labels = [f"{t:%H:%M}" if one_day else f"{t.day} {t:%b %H:%M}" for t in ticks]
        title = f"time on {lo:%a} {lo.day} {lo:%b %Y}" if one_day else "date and time"
    elif unit in ("day", "week"):
        labels = [f"{t.day} {t:%b}" for t in ticks]
        years = f"{lo.year}" if lo.year == hi.year else f"{lo.year}-{hi.year}"
        title = f"date ({years})"
    else:
        labels = [f"{t:%b %Y}" if unit == "month" else f"{t.year}" for t in ticks]
        title = "date"
    return TimeTicks(tuple(t.timestamp() * 1000 for t in ticks), tuple(labels), title)


@dataclass(frozen=True)
class Bar:
    """One piece of the reach band: from ``start`` to ``end`` (ms), between two heights."""

    start: float
    end: float
    low: float
    high: float


def _height(levels: Iterable[int]) -> tuple[float, float]:
    found = list(levels)
    return min(found) * 2 - BAND_PAD, max(found) * 2 + BAND_PAD


def grouping(lo_ms: float, hi_ms: float) -> str:
    """How the chart groups sessions over this span: 'session' (none) within two days, else
    the finest of day, week, month and year that gives at most MAX_BARS groups."""
    span = hi_ms - lo_ms
    if span <= 2 * _SECONDS["day"] * 1000:
        return "session"
    fits = (u for u in ("day", "week", "month") if span / (_SECONDS[u] * 1000) <= MAX_BARS)
    return next(fits, "year")


def averaged(unit: str) -> bool:
    """Over spans this long the pain lines show a mean per group: hundreds of daily points
    zigzag into a solid smear. Each session stays in the tables and the CSV."""
    return unit in ("week", "month", "year")


def _groups(points: Iterable[tuple[float, list[int]]], unit: str) -> dict[datetime, list[int]]:
    found: dict[datetime, list[int]] = {}
    for x, values in points:
        found.setdefault(_floor(_local(x), unit, 1), []).extend(values)
    return dict(sorted(found.items()))


def reach_bars(sessions: Sequence[SessionRow], lo_ms: float, hi_ms: float) -> list[Bar]:
    """The reach band as bars from the lowest to the highest reach recorded in them.

    A single point makes no area, and five years of sessions would make 1,800 slivers that
    read as noise, so the band is drawn as bars: per session within two days (1/60 of the
    chart wide, cut short where it would meet its neighbour), else one bar per day, week,
    month or year (see ``grouping``): never more than MAX_BARS, each at least ~9 px wide on
    a 1,100 px plot. A day, week... without a session leaves a gap."""
    points = []
    for s in sessions:
        levels = [v for v in (_level(s.reach_before), _level(s.reach_after)) if v is not None]
        if levels and (x := _ms(s.started_at)) is not None:
            points.append((x, levels))
    points.sort(key=lambda p: p[0])
    unit = grouping(lo_ms, hi_ms)
    if unit != "session":
        return [
            Bar(at.timestamp() * 1000, _advance(at, unit, 1).timestamp() * 1000, *_height(lv))
            for at, lv in _groups(points, unit).items()
        ]
    half = (hi_ms - lo_ms) / 120
    bars = []
    for i, (x, levels) in enumerate(points):
        left = max(x - half, (points[i - 1][0] + x) / 2) if i else x - half
        right = min(x + half, (points[i + 1][0] + x) / 2) if i + 1 < len(points) else x + half
        bars.append(Bar(left, right, *_height(levels)))
    return bars


def pain_points(sessions: Sequence[SessionRow], field: str, unit: str) -> list[QPointF]:
    """Pain before or after (``field``) at each session's time, oldest first, or when
    ``averaged(unit)``, its mean per group, at the middle of the group."""
    points: list[tuple[float, list[int]]] = []
    for s in sessions:
        value = getattr(s, field)
        if value is not None and (x := _ms(s.started_at)) is not None:
            points.append((x, [value]))
    points.sort(key=lambda p: p[0])
    if not averaged(unit):
        return [QPointF(x, values[0]) for x, values in points]
    return [
        QPointF((at.timestamp() + _advance(at, unit, 1).timestamp()) * 500, sum(v) / len(v))
        for at, v in _groups(points, unit).items()
    ]


def _band_lines(bars: Sequence[Bar]) -> tuple[list[QPointF], list[QPointF]]:
    """Upper and lower edges of the band; between bars that do not touch it has no height."""
    upper: list[QPointF] = []
    lower: list[QPointF] = []
    for i, bar in enumerate(bars):
        if i and bars[i - 1].end < bar.start:
            gap = bars[i - 1].end
            for edge in (upper, lower):
                edge += [QPointF(gap, 0), QPointF(bar.start, 0)]
        upper += [QPointF(bar.start, bar.high), QPointF(bar.end, bar.high)]
        lower += [QPointF(bar.start, bar.low), QPointF(bar.end, bar.low)]
    return upper, lower


def chart_range(times: Sequence[float]) -> tuple[float, float]:
    """The time axis' range: every point, a little room each side, at least two hours."""
    if not times:
        now = datetime.now().timestamp() * 1000
        return now - 7 * _SECONDS["day"] * 1000, now
    lo, hi = min(times), max(times)
    pad = max((hi - lo) * 0.04, _SECONDS["hour"] * 1000)
    return lo - pad, hi + pad


def _category_axis(
    title: str, ticks: Iterable[tuple[str, float]], lo: float, hi: float
) -> QCategoryAxis:
    axis = QCategoryAxis()
    axis.setRange(lo, hi)
    axis.setStartValue(lo)
    for label, at in ticks:
        axis.append(label, at)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setTitleText(title)
    return axis


PAIN_SIDE_WORDS = {
    "both": "pain on both sides",
    "left": "pain on the left side",
    "right": "pain on the right side",
}
"""The settings' side that hurts, as the summary and the report's header say it."""


class HistoryWindow(QWidget):
    """A window of its own, opened from the home screen; Esc closes it."""

    def __init__(self, journal: Journal, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Sciatica Timer: history")
        self.setObjectName("historyWindow")
        self.setAccessibleName("Session history")
        apply_theme(self, LIGHT)
        self.resize(1200, 760)
        self.journal = journal
        self.sessions: list[SessionRow] = []
        self.stops: list[PainStop] = []
        self.last_folder: Path | None = None
        """Where the last export went: the next export dialog starts there."""
        self.pain_side = "both"
        """The side that hurts (the settings'): the summary and the report name it."""
        self.grouping = "session"
        """What one bar of the reach band stands for: 'session', 'day', 'week'... (see
        ``grouping``); from 'week' up the pain lines show a mean per week, month or year."""
        self._band_lines: tuple[QLineSeries, QLineSeries] | None = None
        self.chart = QChart()
        self.chart.setTitle("Pain before and after each session")
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self._name(self.chart_view, "historyChart", "Chart of pain before and after each session")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.session_table = self._table(
            "sessionTable",
            "Sessions",
            ["Date", "Routine", "Length", "Status", "Pain before → after", "Reach before → after"],
        )
        self.stop_table = self._table(
            "painStopTable",
            "Pain stops",
            ["Date", "Exercise", "Side", "Phase", "Seconds in", "Radiated to", "Felt", "Strength"],
        )
        self.tabs = QTabWidget()
        self._name(self.tabs, "historyTabs", "Chart, sessions and pain stops")
        self.tabs.addTab(self.chart_view, "Chart")
        self.tabs.addTab(self.session_table, "Sessions")
        self.tabs.addTab(self.stop_table, "Pain stops")
        self.summary = QLabel()
        self._name(self.summary, "historySummary", "Summary")
        set_role(self.summary, "body")
        csv_button = QPushButton("Export CSV…")
        self._name(csv_button, "exportCsvButton", "Export the history as CSV files")
        csv_button.clicked.connect(self._ask_csv)
        pdf_button = QPushButton("Report for my clinician (PDF)…")
        self._name(pdf_button, "exportPdfButton", "Save a one-page report for my clinician")
        pdf_button.clicked.connect(self._ask_pdf)
        self.export_note = QLabel()
        self._name(self.export_note, "exportNote", "Where the export was saved")
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        close.setObjectName("closeHistoryShortcut")
        close.activated.connect(self.close)
        self.side_note = QLabel(PAIN_SIDE_WORDS[self.pain_side].capitalize())
        self._name(self.side_note, "historyPainSide", "The side that hurts")
        set_role(self.side_note, "body")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.side_note)
        bar.addWidget(csv_button)
        bar.addWidget(pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.export_note)

    @staticmethod
    def _name(widget: QWidget, name: str, accessible: str) -> None:
        widget.setObjectName(name)
        widget.setAccessibleName(accessible)

    @classmethod
    def _table(cls, name: str, accessible: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        cls._name(table, name, accessible)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # --- content ----------------------------------------------------------------------

    def reload(self) -> None:
        # The journal's own order (newest first, by when each row was written), never the
        # clock text: after the clock is set back, or across a DST change, the text sorts
        # newer sessions as older.
        self.sessions = self.journal.sessions()
        self.stops = self.journal.pain_stops()
        self._fill_tables()
        self._fill_chart()
        self.summary.setText(summary_text(self.sessions, self.stops))

    def set_pain_side(self, side: str) -> None:
        """The side that hurts ("both", "left", "right"), named in the summary and report."""
        self.pain_side = side if side in PAIN_SIDE_WORDS else "both"
        self.side_note.setText(PAIN_SIDE_WORDS[self.pain_side].capitalize())

    def _fill_tables(self) -> None:
        rows = [
            [
                s.started_at[:16].replace("T", " "),
                s.routine_name,
                _duration(s),
                status_words(s),
                _pair(s.pain_before, s.pain_after),
                _pair(_reach(s.reach_before), _reach(s.reach_after)),
            ]
            for s in self.sessions
        ]
        self._set_rows(self.session_table, rows)
        stop_rows = [
            [
                p.at[:16].replace("T", " "),
                p.exercise_name or "between exercises",
                p.side.value if p.side else "",
                p.phase_label,
                f"{p.seconds_into:.0f}",
                _reach(p.radiated_to) or NOT_RECORDED,
                ", ".join(p.qualities),
                NOT_RECORDED if p.intensity is None else str(p.intensity),
            ]
            for p in self.stops
        ]
        self._set_rows(self.stop_table, stop_rows)

    @staticmethod
    def _set_rows(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))

    def _fill_chart(self) -> None:
        """Each session at its own time; series with nothing to show are left out."""
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        times = [x for s in self.sessions if (x := _ms(s.started_at)) is not None]
        times += [x for p in self.stops if (x := _ms(p.at)) is not None]
        lo, hi = chart_range(times)
        self.grouping = grouping(lo, hi)
        mean = f" (average each {self.grouping})" if averaged(self.grouping) else ""
        chart.setTitle(f"Pain before and after each session{mean}")
        lines = [
            self._line("pain before", palette_of(self).right, "pain_before"),
            self._line("pain after", palette_of(self).accent, "pain_after"),
        ]
        ticks = time_ticks(lo, hi)
        x_axis = _category_axis(
            ticks.title, zip(ticks.labels, ticks.positions, strict=True), lo, hi
        )
        pain = [(str(v), v + (0.001 if v == 0 else 0)) for v in range(0, PAIN_TOP + 1, 2)]
        pain_axis = _category_axis("pain (0-10)", [*pain, ("not rated", UNRATED_Y)], 0, Y_MAX)
        reach = [(r.words, r.level * 2 + (0.001 if r.level == 0 else 0)) for r in Reach]
        reach_axis = _category_axis("reach", reach, 0, Y_MAX)
        reach_axis.setGridLineVisible(False)
        for axis, where in ((x_axis, Qt.AlignmentFlag.AlignBottom),
                            (pain_axis, Qt.AlignmentFlag.AlignLeft),
                            (reach_axis, Qt.AlignmentFlag.AlignRight)):  # fmt: skip
            chart.addAxis(axis, where)
        band = self._band(lo, hi)
        shown: list[tuple[QAreaSeries | QXYSeries, QCategoryAxis]] = [(band, reach_axis)]
        shown += [(series, pain_axis) for series in (*lines, *self._stop_markers())]
        for series, y_axis in shown:
            if isinstance(series, QXYSeries) and not series.count():
                continue
            if isinstance(series, QAreaSeries) and not series.upperSeries().count():
                continue
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        self.dress_chart(palette_of(self))

    def dress_chart(self, p: Palette) -> None:
        """The chart's own colours (background, title, legend, axes, grid) in a palette:
        the window's theme on screen, the print palette on paper."""
        chart = self.chart
        chart.setBackgroundBrush(QColor(p.panel))
        chart.setTitleBrush(QColor(p.text))
        chart.legend().setLabelColor(QColor(p.text))
        for axis in chart.axes():
            axis.setLabelsColor(QColor(p.text))
            axis.setTitleBrush(QColor(p.text))
            axis.setGridLineColor(QColor(p.list_divider))
            axis.setLinePenColor(QColor(p.muted))
        self.chart_view.setBackgroundBrush(QColor(p.background))

    def _line(self, name: str, color: str, field: str) -> QLineSeries:
        series = QLineSeries()
        series.setName(name)
        series.setPen(QPen(QColor(color), 3))
        series.replace(pain_points(self.sessions, field, self.grouping))
        series.setPointsVisible(series.count() <= MAX_BARS)  # a lone session is a dot
        return series

    def _stop_markers(self) -> tuple[QScatterSeries, QScatterSeries]:
        """Pain stops at their strength, and those with none recorded in a lane of their own
        above the 0-10 scale (never at 10, which would read as the worst pain)."""
        rated = self._markers(
            "pain stop, at its strength", QScatterSeries.MarkerShape.MarkerShapeCircle
        )
        unrated = self._markers(
            "pain stop, strength not recorded", QScatterSeries.MarkerShape.MarkerShapeTriangle
        )
        unrated.setColor(QColor(palette_of(self).panel))
        unrated.setBorderColor(QColor(palette_of(self).pain))
        for p in self.stops:
            if (x := _ms(p.at)) is not None:
                if p.intensity is None:
                    unrated.append(x, UNRATED_Y)
                else:
                    rated.append(x, p.intensity)
        for series in (rated, unrated):
            series.setMarkerSize(14 if len(self.stops) <= 40 else 9)
        return rated, unrated

    def _band(self, lo: float, hi: float) -> QAreaSeries:
        upper, lower = QLineSeries(), QLineSeries()
        top, bottom = _band_lines(reach_bars(self.sessions, lo, hi))
        upper.replace(top)
        lower.replace(bottom)
        band = QAreaSeries(upper, lower)
        self._band_lines = (upper, lower)  # the area series does not own its boundaries
        unit = self.grouping
        per = "before to after" if unit == "session" else f"lowest to highest each {unit}"
        band.setName(f"how far it reached ({per})")
        fill = QColor(palette_of(self).left)
        fill.setAlpha(70)
        band.setColor(fill)
        band.setPen(QPen(Qt.PenStyle.NoPen))
        return band

    def _markers(self, name: str, shape: QScatterSeries.MarkerShape) -> QScatterSeries:
        series = QScatterSeries()
        series.setName(name)
        series.setMarkerShape(shape)
        series.setColor(QColor(palette_of(self).pain))
        series.setMarkerSize(14)
        return series

    # --- exports ------------------------------------------------------------------------

    def export_csv(self, folder: Path) -> tuple[Path, Path]:
        """sessions.csv and pain-stops.csv in ``folder``, readable by the user only."""
        return save_folder(self.journal, folder)

    def export_pdf(self, path: Path) -> Path:
        """A one-page A4 report: chart, recent sessions, and the pain stops that fit, newest
        first, with their side, strength and how far they spread."""
        open_private_text(path).close()  # created 0600 first: the writer keeps the mode
        writer = QPdfWriter(str(path))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setResolution(150)
        writer.setTitle("Sciatica Timer report")
        writer.setPageMargins(QMarginsF(14, 14, 14, 14))
        painter = QPainter(writer)
        page = _Page(painter, writer.width(), writer.height() - 40)
        page.text("Sciatica Timer: sessions and pain stops", 16, bold=True)
        span = sorted(s.started_at[:10] for s in self.sessions)
        period = f"{span[0]} to {span[-1]}" if span else "no sessions yet"
        made = f"made {datetime.now():%Y-%m-%d}"
        side = PAIN_SIDE_WORDS[self.pain_side]
        page.text(f"{period} · {self.summary.text()} · {side} · {made}", 9, color=PRINT.muted)
        page.y += 10
        chart_height = page.width * 0.42
        self.chart_view.resize(1200, 500)
        self.dress_chart(PRINT)  # paper is white whatever the theme on screen
        try:
            self.chart_view.render(painter, QRectF(0, page.y, page.width, chart_height))
        finally:
            self.dress_chart(palette_of(self))
        page.y += chart_height + 14
        page.text("Recent sessions", 11, bold=True)
        for s in self.sessions[:12]:
            pains = _pair(s.pain_before, s.pain_after)
            reach = _pair(_reach(s.reach_before), _reach(s.reach_after))
            line = f"{s.started_at[:16].replace('T', ' ')}  {s.routine_name}  {_duration(s)}  "
            line += status_words(s)
            if pains:
                line += f"  pain {pains}"
            if reach:
                line += f"  reach {reach}"
            page.text(line, 8)
        if len(self.sessions) > 12:
            page.text(f"and {_count(len(self.sessions) - 12, 'earlier session')}", 8, PRINT.muted)
        page.y += 8
        page.text("Pain stops (radiating pain)", 11, bold=True, color=PRINT.pain_dark)
        if not self.stops:
            page.text("none", 8)

        def more(n: int) -> str:
            return f"and {_count(n, 'earlier pain stop')}: all are in the CSV export"

        for i, p in enumerate(self.stops):
            line, rest = stop_line(p), len(self.stops) - i - 1
            if not page.fits([line, more(rest)] if rest else [line], 8):
                page.text(more(rest + 1), 8, color=PRINT.muted)  # the last line had room for it
                break
            page.text(line, 8)
        page.y = page.bottom
        page.text("Self-recorded with Sciatica Timer; not a diagnosis.", 7, color=PRINT.muted)
        painter.end()
        return path

    # --- the export dialogs -------------------------------------------------------------

    def choose_folder(self, start: Path | None) -> Path | None:
        """Ask for the CSV folder, starting in ``start`` (tests answer this instead)."""
        folder = QFileDialog.getExistingDirectory(
            self, "Folder for the CSV files", str(start or "")
        )
        return Path(folder) if folder else None

    def choose_pdf(self, start: Path) -> Path | None:
        """Ask where to save the report, suggesting ``start`` (tests answer this instead)."""
        name, _ = QFileDialog.getSaveFileName(self, "Save the report", str(start), "PDF (*.pdf)")
        return Path(name) if name else None

    def _ask_csv(self) -> None:
        folder = self.choose_folder(self.last_folder)
        if folder is None:
            return
        try:
            sessions, stops = self.export_csv(folder)
        except OSError as exc:
            self.export_note.setText(f"Could not save in {folder}: {exc.strerror or exc}.")
            return
        self.last_folder = folder
        self.export_note.setText(f"Saved {sessions} and {stops}.")

    def _ask_pdf(self) -> None:
        start = self.last_folder / REPORT_NAME if self.last_folder else Path(REPORT_NAME)
        path = self.choose_pdf(start)
        if path is None:
            return
        try:
            self.export_pdf(path)
        except OSError as exc:
            self.export_note.setText(f"Could not save {path}: {exc.strerror or exc}.")
            return
        self.last_folder = path.parent
        self.export_note.setText(f"Saved {path}.")


_WRAP = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap


class _Page:
    """Lines of text down a page, wrapped to its width, none past ``bottom``."""

    def __init__(self, painter: QPainter, width: float, bottom: float) -> None:
        self.painter = painter
        self.width = width
        self.bottom = bottom
        self.y = 0.0

    def _font(self, size: int, bold: bool = False) -> None:
        font = QFont("DejaVu Sans")
        font.setPointSize(size)
        font.setBold(bold)
        self.painter.setFont(font)

    def _box(self, line: str) -> QRectF:
        return self.painter.boundingRect(QRectF(0, self.y, self.width, 10_000), _WRAP, line)

    def _gap(self) -> float:
        return self.painter.fontMetrics().height() * 0.25

    def fits(self, lines: Sequence[str], size: int) -> bool:
        """Room for these lines (wrapped) at this size above ``bottom``."""
        self._font(size)
        needed = sum(self._box(line).height() + self._gap() for line in lines)
        return self.y + needed <= self.bottom

    def text(self, line: str, size: int, color: str = PRINT.text, bold: bool = False) -> None:
        self._font(size, bold)
        self.painter.setPen(QColor(color))
        box = self._box(line)
        self.painter.drawText(box, _WRAP, line)
        self.y += box.height() + self._gap()
