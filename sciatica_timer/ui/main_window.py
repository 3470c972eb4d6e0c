"""The main window: home, session, done and safety screens, and the keys that work anywhere."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.engine import SessionState, Snapshot
from sciatica_timer.library import Library
from sciatica_timer.timeline import build_timeline
from sciatica_timer.ui import theme
from sciatica_timer.ui.controller import SessionController, SessionSummary
from sciatica_timer.ui.session_view import SessionView
from sciatica_timer.ui.views import DoneView, HomeView, SafetyView

KEYS = [
    ("Space", "pause / resume"),
    ("→", "skip to the next part"),
    ("←", "back: restart this part"),
    ("+", "add 15 seconds"),
    ("H", "hold a tender spot (again to release)"),
    ("P", "STOP – pain radiates"),
    ("E", "end the session"),
    ("F", "full screen"),
    ("M", "mute the voice"),
    ("?", "show or hide these keys"),
]


class Banner(QFrame):
    """In-window notices (never a dialog over the stop button)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setObjectName("bannerLabel")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("✕")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.setFixedSize(44, 44)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._messages: list[str] = []
        self.hide()

    def add(self, message: str) -> None:
        if message in self._messages:
            return
        self._messages.append(message)
        self.label.setText("\n".join(self._messages))
        self.show()

    def messages(self) -> list[str]:
        return list(self._messages)

    def clear(self) -> None:
        self._messages.clear()
        self.hide()


class KeysOverlay(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("keysOverlay")
        grid = QGridLayout(self)
        grid.setContentsMargins(28, 20, 28, 20)
        for row, (key, what) in enumerate(KEYS):
            k = QLabel(f"<b>{key}</b>")
            grid.addWidget(k, row, 0)
            grid.addWidget(QLabel(what), row, 1)
        self.hide()


class MainWindow(QMainWindow):
    mute_toggled = Signal(bool)
    routine_chosen = Signal(str)

    def __init__(
        self,
        library: Library,
        controller: SessionController,
        assets_dir: Path,
        selected_routine: str | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Sciatica Timer")
        icon = assets_dir / "icons" / "sciatica-timer.svg"
        if icon.is_file():
            self.setWindowIcon(QIcon(str(icon)))
        self.setStyleSheet(theme.STYLE_SHEET)
        self.library = library
        self.controller = controller
        self.muted = False

        self._assets = assets_dir
        self.banner = Banner()
        self.home = HomeView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.home)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.keys_overlay = KeysOverlay(central)

        self.set_library(library, selected_routine)
        self.home.start_requested.connect(self.start_routine)
        controller.updated.connect(self._on_snapshot)
        controller.finished.connect(self._on_finished)
        self._install_keys()
        self.resize(1280, 720)
        self.setMinimumSize(800, 560)

    # The other screens are built when first shown: the window paints sooner.

    @cached_property
    def session(self) -> SessionView:
        view = SessionView(self._assets)
        c = self.controller
        view.pause_button.clicked.connect(c.toggle_pause)
        view.skip_button.clicked.connect(c.skip)
        view.back_button.clicked.connect(c.back)
        view.add_button.clicked.connect(c.add_time)
        view.hold_button.clicked.connect(c.hold)
        view.end_button.clicked.connect(c.end)
        view.pain_button.clicked.connect(c.pain_stop)
        self.stack.addWidget(view)
        return view

    @cached_property
    def done(self) -> DoneView:
        view = DoneView()
        view.home_requested.connect(self.show_home)
        self.stack.addWidget(view)
        return view

    @cached_property
    def safety(self) -> SafetyView:
        view = SafetyView()
        view.home_requested.connect(self.show_home)
        self.stack.addWidget(view)
        return view

    def set_library(self, library: Library, selected_routine: str | None) -> None:
        self.library = library
        self.home.set_library(library, selected_routine)

    # --- keys -------------------------------------------------------------------------

    def _install_keys(self) -> None:
        c = self.controller
        bindings: list[tuple[list[str], Callable[[], None]]] = [
            (["Space"], c.toggle_pause),
            (["Right"], c.skip),
            (["Left"], c.back),
            (["+", "=", "Shift+="], c.add_time),
            (["H"], c.hold),
            (["P"], c.pain_stop),
            (["E"], c.end),
            (["F", "F11"], self.toggle_fullscreen),
            (["M"], self.toggle_mute),
            (["?", "Shift+/", "F1"], self.toggle_keys),
            (["Return", "Enter"], self._enter_key),
        ]
        self.shortcuts: list[QShortcut] = []
        for keys, slot in bindings:
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(slot)
                self.shortcuts.append(shortcut)

    def _enter_key(self) -> None:
        current = self.stack.currentWidget()
        if current is self.home:
            self.home.start_button.click()
        elif isinstance(current, DoneView | SafetyView):
            self.show_home()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def toggle_mute(self) -> None:
        self.muted = not self.muted
        self.mute_toggled.emit(self.muted)
        self.show_notice("Voice muted (M to unmute)." if self.muted else "")

    def toggle_keys(self) -> None:
        overlay = self.keys_overlay
        if overlay.isVisible():
            overlay.hide()
            return
        overlay.adjustSize()
        # over the content, never over the stop button at the bottom
        x = (self.width() - overlay.width()) // 2
        overlay.move(max(0, x), 80)
        overlay.raise_()
        overlay.show()

    def show_notice(self, message: str) -> None:
        if message:
            self.banner.add(message)
        else:
            self.banner.clear()

    # --- screens ------------------------------------------------------------------------

    def start_routine(self, routine_id: str) -> None:
        if self.controller.running or routine_id not in self.library.routines:
            return
        self.routine_chosen.emit(routine_id)
        timeline = build_timeline(self.library, routine_id)
        self.session.begin(timeline.routine.name)
        self.stack.setCurrentWidget(self.session)
        self.session.fit_fonts(self.height())
        self.controller.start(timeline)

    def _on_snapshot(self, snap: Snapshot) -> None:
        self.session.show_snapshot(snap)

    def _on_finished(self, summary: SessionSummary) -> None:
        if summary.state is SessionState.STOPPED_PAIN:
            self.safety.show_summary(summary)
            self.stack.setCurrentWidget(self.safety)
        else:
            self.done.show_summary(summary)
            self.stack.setCurrentWidget(self.done)

    def show_home(self) -> None:
        self.stack.setCurrentWidget(self.home)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if "session" in self.__dict__:
            self.session.fit_fonts(self.height())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.shutdown()
        super().closeEvent(event)
