"""History: sessions and pain stops, a chart of pain over time, exports for a clinician."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCharts import (
    QAreaSeries,
    QCategoryAxis,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPageSize, QPainter, QPdfWriter, QPen
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

from sciatica_timer.cli import format_clock
from sciatica_timer.journal import Journal, PainStop, SessionRow
from sciatica_timer.library import Library
from sciatica_timer.paths import PRIVATE_FILE_MODE
from sciatica_timer.safety import REACH_WORDS, Reach
from sciatica_timer.ui import theme

STATUS_WORDS = {
    "completed": "completed",
    "ended_early": "ended early",
    "stopped_pain": "pain stop",
    "interrupted": "interrupted",
    "running": "running",
}


def _when(stamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


def _ms(stamp: str) -> float | None:
    when = _when(stamp)
    return when.timestamp() * 1000 if when else None


def _duration(row: SessionRow) -> str:
    start, end = _when(row.started_at), _when(row.ended_at or "")
    return format_clock((end - start).total_seconds()) if start and end else ""


def _reach(value: str | None) -> str:
    try:
        return REACH_WORDS[Reach(value)] if value else ""
    except ValueError:
        return value or ""


def _level(value: str | None) -> int | None:
    try:
        return Reach(value).level if value else None
    except ValueError:
        return None


def _pair(before: object, after: object) -> str:
    if before in (None, "") and after in (None, ""):
        return ""
    return f"{'' if before is None else before} → {'' if after is None else after}"


class HistoryWindow(QWidget):
    """A window of its own, opened from the home screen."""

    def __init__(self, journal: Journal, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Sciatica Timer: history")
        self.setStyleSheet(theme.STYLE_SHEET)
        self.resize(1200, 760)
        self.journal = journal
        self.library = library
        self.sessions: list[SessionRow] = []
        self._band_lines: tuple[QLineSeries, QLineSeries] | None = None
        self.stops: list[PainStop] = []
        self.chart = QChart()
        self.chart.setTitle("Pain before and after each session")
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("historyChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.session_table = self._table(
            "sessionTable",
            ["Date", "Routine", "Length", "Status", "Pain before → after", "Reach before → after"],
        )
        self.stop_table = self._table(
            "painStopTable",
            ["Date", "Exercise", "Side", "Phase", "Seconds in", "Radiated to", "Felt", "Strength"],
        )
        tabs = QTabWidget()
        tabs.addTab(self.chart_view, "Chart")
        tabs.addTab(self.session_table, "Sessions")
        tabs.addTab(self.stop_table, "Pain stops")
        self.summary = QLabel()
        self.summary.setObjectName("historySummary")
        self.summary.setStyleSheet("font-size: 18px;")
        csv_button = QPushButton("Export CSV…")
        csv_button.setObjectName("exportCsvButton")
        csv_button.clicked.connect(self._ask_csv)
        pdf_button = QPushButton("Report for my clinician (PDF)…")
        pdf_button.setObjectName("exportPdfButton")
        pdf_button.clicked.connect(self._ask_pdf)
        self.export_note = QLabel()
        self.export_note.setObjectName("exportNote")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(csv_button)
        bar.addWidget(pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.export_note)

    @staticmethod
    def _table(name: str, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # --- content ----------------------------------------------------------------------

    def reload(self) -> None:
        self.sessions = sorted(self.journal.sessions(), key=lambda s: s.started_at, reverse=True)
        self.stops = sorted(self.journal.pain_stops(), key=lambda p: p.at, reverse=True)
        self._fill_tables()
        self._fill_chart()
        done = sum(1 for s in self.sessions if s.status.value == "completed")
        self.summary.setText(
            f"{len(self.sessions)} sessions ({done} completed) · {len(self.stops)} pain stops"
        )

    def _fill_tables(self) -> None:
        rows = [
            [
                s.started_at[:16].replace("T", " "),
                s.routine_name,
                _duration(s),
                STATUS_WORDS.get(s.status.value, s.status.value),
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
                p.side or "",
                p.phase_label,
                f"{p.seconds_into:.0f}",
                _reach(p.radiated_to),
                ", ".join(p.qualities),
                "" if p.intensity is None else str(p.intensity),
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
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        before, after = QLineSeries(), QLineSeries()
        before.setName("pain before")
        after.setName("pain after")
        before.setPen(QPen(QColor(theme.RIGHT), 3))
        after.setPen(QPen(QColor(theme.ACCENT), 3))
        upper, lower = QLineSeries(), QLineSeries()
        for s in sorted(self.sessions, key=lambda s: s.started_at):
            x = _ms(s.started_at)
            if x is None:
                continue
            if s.pain_before is not None:
                before.append(x, s.pain_before)
            if s.pain_after is not None:
                after.append(x, s.pain_after)
            levels = [v for v in (_level(s.reach_before), _level(s.reach_after)) if v is not None]
            if levels:
                upper.append(x, max(levels) * 2)
                lower.append(x, min(levels) * 2)
        band = QAreaSeries(upper, lower)
        self._band_lines = (upper, lower)  # the area series does not own its boundaries
        band.setName("how far it reached (before to after)")
        fill = QColor(theme.LEFT)
        fill.setAlpha(55)
        band.setColor(fill)
        band.setBorderColor(fill)
        stops = QScatterSeries()
        stops.setName("pain stops")
        stops.setColor(QColor(theme.PAIN))
        stops.setMarkerSize(14)
        for p in self.stops:
            x = _ms(p.at)
            if x is not None:
                stops.append(x, 10 if p.intensity is None else p.intensity)
        for series in (band, before, after, stops):
            chart.addSeries(series)
        times = [_ms(s.started_at) for s in self.sessions] + [_ms(p.at) for p in self.stops]
        known = [t for t in times if t is not None]
        x_axis = QDateTimeAxis()
        x_axis.setFormat("d MMM")
        if known:
            day = 12 * 3600 * 1000
            x_axis.setRange(
                QDateTime.fromMSecsSinceEpoch(int(min(known) - day)),
                QDateTime.fromMSecsSinceEpoch(int(max(known) + day)),
            )
        pain_axis = QValueAxis()
        pain_axis.setRange(0, 10)
        pain_axis.setTickCount(6)
        pain_axis.setLabelFormat("%d")
        pain_axis.setTitleText("pain (0-10)")
        reach_axis = QCategoryAxis()
        reach_axis.setRange(0, 10)
        for reach in Reach:
            reach_axis.append(reach.words, reach.level * 2 + 0.001)
        reach_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        reach_axis.setTitleText("reach")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(pain_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(reach_axis, Qt.AlignmentFlag.AlignRight)
        for series in (before, after, stops):
            series.attachAxis(x_axis)
            series.attachAxis(pain_axis)
        band.attachAxis(x_axis)
        band.attachAxis(reach_axis)

    # --- exports ------------------------------------------------------------------------

    def export_csv(self, folder: Path) -> tuple[Path, Path]:
        """sessions.csv and pain-stops.csv in ``folder``, readable by the user only."""
        sessions, stops = folder / "sessions.csv", folder / "pain-stops.csv"
        with sessions.open("w", encoding="utf-8", newline="") as fh:
            self.journal.export_csv(fh)
        with stops.open("w", encoding="utf-8", newline="") as fh:
            self.journal.export_pain_stops_csv(fh)
        for path in (sessions, stops):
            path.chmod(PRIVATE_FILE_MODE)
        return sessions, stops

    def export_pdf(self, path: Path) -> Path:
        """A one-page A4 report: chart, recent sessions, and every pain stop with its side."""
        writer = QPdfWriter(str(path))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setResolution(150)
        writer.setTitle("Sciatica Timer report")
        writer.setPageMargins(QMarginsF(14, 14, 14, 14))
        painter = QPainter(writer)
        width = writer.width()
        y = 0.0

        def text(line: str, size: int, bold: bool = False, color: str = theme.TEXT) -> None:
            nonlocal y
            font = QFont("DejaVu Sans")
            font.setPointSize(size)
            font.setBold(bold)
            painter.setFont(font)
            painter.setPen(QColor(color))
            height = painter.fontMetrics().height() * 1.25
            painter.drawText(QRectF(0, y, width, height), Qt.AlignmentFlag.AlignLeft, line)
            y += height

        text("Sciatica Timer: sessions and pain stops", 16, bold=True)
        span = sorted(s.started_at[:10] for s in self.sessions)
        period = f"{span[0]} to {span[-1]}" if span else "no sessions yet"
        text(
            f"{period} · {self.summary.text()} · made {datetime.now():%Y-%m-%d}",
            9,
            color=theme.MUTED,
        )
        y += 10
        chart_height = width * 0.42
        self.chart_view.resize(1200, 500)
        self.chart_view.render(painter, QRectF(0, y, width, chart_height))
        y += chart_height + 14
        text("Recent sessions", 11, bold=True)
        for s in self.sessions[:12]:
            pains = _pair(s.pain_before, s.pain_after)
            reach = _pair(_reach(s.reach_before), _reach(s.reach_after))
            line = f"{s.started_at[:16].replace('T', ' ')}  {s.routine_name}  {_duration(s)}  "
            line += f"{STATUS_WORDS.get(s.status.value, s.status.value)}"
            if pains:
                line += f"  pain {pains}"
            if reach:
                line += f"  reach {reach}"
            text(line, 8)
        y += 8
        text("Pain stops (radiating pain)", 11, bold=True, color=theme.PAIN_DARK)
        if not self.stops:
            text("none", 8)
        for p in self.stops[:14]:
            line = f"{p.at[:16].replace('T', ' ')}  {p.exercise_name or 'between exercises'}"
            line += f", {p.side} side" if p.side else ""
            line += f", {p.phase_label.lower()} at {p.seconds_into:.0f} s"
            if p.radiated_to:
                line += f", reached {_reach(p.radiated_to)}"
            if p.qualities:
                line += f" ({', '.join(p.qualities)})"
            text(line, 8)
        y = writer.height() - 40
        text("Self-recorded with Sciatica Timer; not a diagnosis.", 7, color=theme.MUTED)
        painter.end()
        path.chmod(PRIVATE_FILE_MODE)
        return path

    def _ask_csv(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the CSV files")
        if folder:
            sessions, stops = self.export_csv(Path(folder))
            self.export_note.setText(f"Saved {sessions} and {stops}.")

    def _ask_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the report", "sciatica-timer-report.pdf", "PDF (*.pdf)"
        )
        if name:
            self.export_note.setText(f"Saved {self.export_pdf(Path(name))}.")
