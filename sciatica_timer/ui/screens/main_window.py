"""The main window: home, session, done and safety screens, and the keys that work anywhere."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QIcon, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core import safety
from sciatica_timer.core.engine import ADD_TIME_S, SessionState, Snapshot
from sciatica_timer.core.models import Exercise, Library, Pauses, Routine
from sciatica_timer.core.safety import Reach, RedFlagAnswers
from sciatica_timer.core.text import format_clock
from sciatica_timer.core.timeline import Side, Timeline, build_timeline
from sciatica_timer.storage.settings import TEXT_SIZES, Settings
from sciatica_timer.ui.controller import SessionController, SessionSummary
from sciatica_timer.ui.screens.done import DoneView
from sciatica_timer.ui.screens.home import HomeView
from sciatica_timer.ui.screens.safety import SafetyView
from sciatica_timer.ui.theme import apply_theme, palette_for, set_role
from sciatica_timer.ui.widgets.body_map import PAIN_SIDE
from sciatica_timer.ui.widgets.page_stack import PageStack

if TYPE_CHECKING:  # the screens not needed for the first paint are imported on first use
    from sciatica_timer.storage.user_library import ImportPlan, UserLibrary
    from sciatica_timer.ui.screens.checkin import CheckIn, CheckInView, FlareAlternative
    from sciatica_timer.ui.screens.editor import EditorView
    from sciatica_timer.ui.screens.exercise_editor import ExerciseEditor
    from sciatica_timer.ui.screens.history import HistoryWindow
    from sciatica_timer.ui.screens.import_dialog import ImportDialog
    from sciatica_timer.ui.screens.session import SessionView
    from sciatica_timer.ui.screens.settings import SettingsView


ROUTINE_SUFFIX = ".sciatica.json"
"""An exported routine's file name ends so: the desktop opens it with the app."""


@dataclass(frozen=True)
class Keys:
    """One row of the keys help and the shortcuts it stands for: (key sequence, action)."""

    shown: str
    """The keys as the help shows them; empty for a key the help does not list."""
    what: str
    bindings: tuple[tuple[str, str], ...]


KEYS = (
    Keys("Space", "pause / resume", (("Space", "pause"),)),
    Keys("→", "skip to the next part", (("Right", "skip"),)),
    Keys("←", "back: restart this part", (("Left", "back"),)),
    # A character that needs Shift arrives with Shift held (US: Shift+= gives "Shift++"),
    # and a shortcut for "+" alone does not match it: both forms are bound.
    Keys("+", f"add {ADD_TIME_S} seconds", (("+", "add"), ("Shift++", "add"), ("=", "add"))),
    Keys("H", "hold a tender spot (again to release)", (("H", "hold"),)),
    Keys("P", "STOP – pain radiates", (("P", "pain_stop"),)),
    Keys("E", "end the session (press twice)", (("E", "end"),)),
    Keys("Y / N", "answer the question on screen (is pain left?)", (("Y", "yes"), ("N", "no"))),
    Keys("F", "full screen", (("F", "fullscreen"), ("F11", "fullscreen"))),
    Keys("M", "mute the voice", (("M", "mute"),)),
    Keys("?", "show or hide these keys", (("?", "keys"), ("Shift+?", "keys"), ("F1", "keys"))),
    Keys("", "start; back to the routines", (("Return", "enter"), ("Enter", "enter"))),
    # A presenter clicker sends Page Down / Page Up; a headset's one button arrives as
    # Play both times on Linux, so Play toggles like Space.
    Keys("Page Down / Page Up", "clicker: skip / back", (("PgDown", "skip"), ("PgUp", "back"))),
    # A clicker's "blank screen" key sends B or "." (the same key every press, unlike its
    # slideshow key, which alternates F5 and Esc): it is the pain stop, which never asks.
    Keys(
        "B / .",
        "clicker's blank-screen key: STOP – pain radiates",
        (("B", "pain_stop"), (".", "pain_stop")),
    ),
    Keys(
        "Media keys",  # words: the usual fonts have no glyphs for ⏸ ⏭ ⏮
        "Play, headset button: pause / resume; Next / Previous: skip / back",
        (
            ("Media Play", "pause"),
            ("Toggle Media Play/Pause", "pause"),
            ("Media Next", "skip"),
            ("Media Previous", "back"),
            # Pause and Stop only ever pause: never a resume nor an end from a stray press
            ("Media Pause", "pause_only"),
            ("Media Stop", "pause_only"),
        ),
    ),
)
"""Every key the window answers to: the shortcuts and the keys help are both built from it."""
SESSION_ACTIONS = frozenset(
    {"pause", "pause_only", "skip", "back", "add", "hold", "pain_stop", "end", "yes", "no"}
)
"""The actions of a running session: their keys work on the session screen only."""


END_CONFIRM_MS = 4000
"""A second E this soon after the first ends the session (one E alone never does)."""
END_AGAIN = "Press E again to end the session (or keep going)."
CLOSE_AGAIN = "The session is still going: close the window again to end it (or keep going)."

MAXIMISED_UP_TO = QSize(1366, 768)
"""A screen this size or smaller: the window opens maximised (every pixel counts on a mat)."""
FRAME_ALLOWANCE = QSize(32, 72)
"""Room left for the window's frame and title bar, which the window's size leaves out."""


def opening_size(available: QRect) -> QSize | None:
    """The window's size on a screen with this available geometry; None: maximised."""
    if (
        available.width() <= MAXIMISED_UP_TO.width()
        or available.height() <= MAXIMISED_UP_TO.height()
    ):
        return None
    wanted = QSize(max(1280, round(available.width() * 0.7)),
                   max(720, round(available.height() * 0.75)))  # fmt: skip
    return wanted.boundedTo(available.size() - FRAME_ALLOWANCE)


class Banner(QFrame):
    """In-window notices (never a dialog over the stop button)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        set_role(self, "banner")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # notices quote file names
        self.label.setObjectName("bannerLabel")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("✕")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.setFixedSize(44, 44)
        set_role(close, "close")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._messages: list[str] = []
        self._home: QVBoxLayout | None = None
        self.hide()

    def add(self, message: str) -> None:
        if message in self._messages:
            return
        self._messages.append(message)
        self.label.setText("\n".join(self._messages))
        self.show()

    def messages(self) -> list[str]:
        return list(self._messages)

    def float_over(self, area: QRect | None) -> None:
        """Lie over ``area`` of the parent (during a session: nothing under it moves), or
        with ``None`` go back to the top of the window's layout, pushing the page down."""
        layout = self._home
        if layout is None:
            return
        if area is None:
            if layout.indexOf(self) < 0:
                layout.insertWidget(0, self)
            return
        if layout.indexOf(self) >= 0:
            layout.removeWidget(self)
        height = self.heightForWidth(area.width())
        height = min(area.height(), height if height > 0 else self.sizeHint().height())
        self.setGeometry(area.x(), area.y(), area.width(), max(0, height))
        self.raise_()

    def dock_in(self, layout: QVBoxLayout) -> None:
        """The layout the banner sits at the top of when it is not floating."""
        self._home = layout
        layout.insertWidget(0, self)

    def remove(self, message: str) -> None:
        """Take one notice away (the others stay)."""
        if message not in self._messages:
            return
        self._messages.remove(message)
        self.label.setText("\n".join(self._messages))
        self.setVisible(bool(self._messages))

    def clear(self) -> None:
        self._messages.clear()
        self.hide()


class AskOnce:
    """A first request only says how to confirm it; a second within ``END_CONFIRM_MS``
    goes ahead; a lone one is forgotten and its notice taken away."""

    def __init__(self, window: MainWindow, message: str) -> None:
        self.message = message
        self._window = window
        self.timer = QTimer(window)
        self.timer.setSingleShot(True)
        self.timer.setInterval(END_CONFIRM_MS)
        self.timer.timeout.connect(self.forget)

    def confirmed(self) -> bool:
        """True for the second request; the first shows the notice and says False."""
        if self.timer.isActive():
            return True
        self.timer.start()
        self._window.show_notice(self.message)
        return False

    def forget(self) -> None:
        self.timer.stop()
        self._window.banner.remove(self.message)
        self._window._place_banner()


class KeysOverlay(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("keysOverlay")
        set_role(self, "overlay")
        grid = QGridLayout(self)
        grid.setContentsMargins(28, 20, 28, 20)
        for row, keys in enumerate(k for k in KEYS if k.shown):
            grid.addWidget(QLabel(f"<b>{keys.shown}</b>"), row, 0)
            grid.addWidget(QLabel(keys.what), row, 1)
        self.hide()


class MainWindow(QMainWindow):
    mute_toggled = Signal(bool)
    settings_changed = Signal(object)  # Settings
    exercise_saved = Signal(str)  # the id of a user's exercise just saved
    user_library: UserLibrary | None = None  # the user's own routines; set by app.py

    def __init__(
        self,
        library: Library,
        controller: SessionController,
        assets_dir: Path,
        selected_routine: str | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Sciatica Timer")
        icon = assets_dir / "icons" / "sciatica-timer.svg"
        if icon.is_file():
            self.setWindowIcon(QIcon(str(icon)))
        self.library = library
        self.controller = controller
        self.settings = settings or Settings()
        self.muted = False
        self._reach_before: Reach | None = None
        self._history: HistoryWindow | None = None
        self._settings_at_start()

        self._assets = assets_dir
        self.banner = Banner()
        self.home = HomeView()
        self.stack = PageStack()  # a page scrolls when the window is too small for it
        self.stack.addWidget(self.home)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        self.banner.dock_in(layout)
        self.setCentralWidget(central)
        self.keys_overlay = KeysOverlay(central)

        self._selected = selected_routine
        self._pending_routine = ""
        self.set_library(library, selected_routine)
        self.home.start_requested.connect(self.ask_then_start)
        self.home.leave_out_changed.connect(self._leave_out)
        self.home.history_requested.connect(self.show_history)
        self.home.sound_requested.connect(self.show_settings)
        self._connect_editing()
        self.voices: Callable[[], Sequence[tuple[str, str]]] = list
        """(id, name) of the speech engine's voices; the app sets this."""
        controller.updated.connect(self._on_snapshot)
        controller.notice.connect(self.show_notice)
        controller.finished.connect(self._on_finished)
        self._install_keys()
        self.stack.currentChanged.connect(self._keys_follow_the_page)
        self.stack.currentChanged.connect(self._place_banner)
        self._keys_follow_the_page()
        self._add_own_actions()
        self.resize(1280, 720)
        self.setMinimumSize(800, 480)  # a 1024x600 screen's window, less a panel and title

    # The other screens are built when first shown: the window paints sooner.

    @cached_property
    def session(self) -> SessionView:
        from sciatica_timer.ui.screens.session import SessionView

        view = SessionView(self._assets)
        c = self.controller
        view.pause_button.clicked.connect(c.toggle_pause)
        view.skip_button.clicked.connect(c.skip)
        view.back_button.clicked.connect(c.back)
        view.add_button.clicked.connect(c.add_time)
        view.hold_button.clicked.connect(c.hold)
        view.end_button.clicked.connect(c.end)
        view.pain_button.clicked.connect(c.pain_stop)
        view.check_panel.answer.changed.connect(c.answer_check)
        self._on_escape(view, self._leave_fullscreen)  # never ends the session
        self.stack.addWidget(view, scroll=False)  # the stop button always shows
        return view

    @cached_property
    def done(self) -> DoneView:
        view = DoneView()
        view.home_requested.connect(self.show_home)
        view.after_recorded.connect(lambda pain, reach: self.controller.record_after(pain, reach))
        self._on_escape(view, view.home_button.click)
        self.stack.addWidget(view)
        return view

    @cached_property
    def safety(self) -> SafetyView:
        view = SafetyView()
        view.home_requested.connect(self.show_home)
        self._on_escape(view, view.home_button.click)
        view.leave_out_requested.connect(lambda ex: self._leave_out(ex, True))
        view.follow_up.saved.connect(
            lambda reach, qualities, level: self.controller.add_pain_stop_details(
                reach, qualities, level
            )
        )
        self.stack.addWidget(view)
        return view

    @cached_property
    def checkin(self) -> CheckInView:
        from sciatica_timer.ui.screens.checkin import CheckInView

        view = CheckInView()
        view.cancelled.connect(self.show_home)
        self._on_escape(view, view.cancelled.emit)
        view.disclaimer_accepted.connect(lambda: self.change_settings(disclaimer_accepted=True))
        view.red_flags_cleared.connect(
            lambda: self.change_settings(**asdict(safety.red_flags_cleared(date.today())))
        )
        view.red_flags_raised.connect(
            lambda keys: self.change_settings(**asdict(safety.red_flags_raised(keys, date.today())))
        )
        view.routine_switched.connect(self._switch_pending)
        view.finished.connect(self._checked_in)
        self.stack.addWidget(view)
        return view

    def change_settings(self, **changes: object) -> None:
        before = self.settings
        self.settings = self.settings.with_changes(**changes)
        self.settings_changed.emit(self.settings)
        self._settings_take_effect(before)

    # --- settings: the screen, and each one taking effect at once -----------------------

    @cached_property
    def settings_page(self) -> SettingsView:
        from sciatica_timer.ui.screens.settings import SettingsView

        view = SettingsView()
        view.changed.connect(lambda changes: self.change_settings(**changes))
        view.closed.connect(self.show_home)
        self.stack.addWidget(view, scroll=False)  # it scrolls itself, under its title
        return view

    def show_settings(self) -> None:
        self.settings_page.begin(self.settings, self.voices)
        self.stack.setCurrentWidget(self.settings_page)
        self.settings_page.back.setFocus(Qt.FocusReason.OtherFocusReason)

    def _settings_at_start(self) -> None:
        """The first theme (and "follow the system" follows the desktop's), the hold."""
        self.apply_appearance()
        self.controller.hold_s = self.settings.hold_s
        self.setProperty(PAIN_SIDE, self.settings.pain_side)
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._system_scheme_changed)

    def _system_scheme_changed(self) -> None:
        if self.settings.theme == "system":
            self.apply_appearance()

    def apply_appearance(self) -> None:
        """The theme and text size of the settings, on this window and the history window;
        the home list is rebuilt (its inline sizes and colours come from the theme)."""
        palette = palette_for(self.settings.theme)
        scale = TEXT_SIZES[self.settings.text_size]
        apply_theme(self, palette, scale)
        if self._history is not None:
            apply_theme(self._history, palette, scale)
            self._history.reload()
        if "home" in self.__dict__:
            self.refresh_home()

    def session_timeline(self, library: Library, routine_id: str) -> Timeline:
        """The routine's timeline with the settings' pauses and starting side ("alternate":
        the other side from last session's, remembered)."""
        choice, last = self.settings.first_side, self.settings.last_first_side
        if choice == "alternate":
            side = Side.RIGHT if last == Side.LEFT.value else Side.LEFT
        else:
            side = Side.RIGHT if choice == Side.RIGHT.value else Side.LEFT
        if last != side.value:
            self.change_settings(last_first_side=side.value)
        return build_timeline(library, routine_id, self.settings.pauses, side)

    def _session_settings(self) -> None:
        """Full screen at the start of a session, if the settings say so (left again when
        the session's screen is left, if it was the session that went full screen)."""
        if self.settings.fullscreen and not self.isFullScreen():
            self._session_fullscreen = True
            self.showFullScreen()

    def _after_session_settings(self) -> None:
        if getattr(self, "_session_fullscreen", False):
            self._session_fullscreen = False
            self._leave_fullscreen()

    def _keys_follow_the_page(self) -> None:
        """The session's keys (Space, the arrows, Y, N...) only on the session screen: on
        the others Space presses the focused button and the arrows move sliders and lists.
        On the settings screen only the F keys stay (letters choose in a list there)."""
        current = self.stack.currentWidget()
        on_session = "session" in self.__dict__ and current is self.session
        on_settings = "settings_page" in self.__dict__ and current is self.settings_page
        bindings = [(key, action) for keys in KEYS for key, action in keys.bindings]
        for shortcut, (key, action) in zip(self.shortcuts, bindings, strict=True):
            if action in SESSION_ACTIONS:
                shortcut.setEnabled(on_session)
            else:
                shortcut.setEnabled(not on_settings or (key.startswith("F") and len(key) > 1))

    def _dress_history(self, history: HistoryWindow) -> None:
        apply_theme(history, palette_for(self.settings.theme), TEXT_SIZES[self.settings.text_size])
        history.set_pain_side(self.settings.pain_side)

    def _settings_take_effect(self, before: Settings) -> None:
        after = self.settings
        if (before.theme, before.text_size) != (after.theme, after.text_size):
            self.apply_appearance()
        if before.pauses != after.pauses:
            self.refresh_home()  # the routines' lengths
        if before.hold_s != after.hold_s:
            self.controller.hold_s = after.hold_s
        if before.pain_side != after.pain_side:
            self.setProperty(PAIN_SIDE, after.pain_side)  # every body map's leg
            self.update()
            if self._history is not None:
                self._history.set_pain_side(after.pain_side)

    def set_library(self, library: Library, selected_routine: str | None) -> None:
        self.library = library
        self._selected = selected_routine
        self.refresh_home(selected_routine)

    def flagged(self) -> dict[str, str]:
        """Exercises flagged by their pain stops (``safety.flagged``), by id, with their names."""
        stops = self.controller.journal.pain_stops()
        return safety.flagged(stops, self.library, datetime.now().astimezone())

    def refresh_home(self, selected: str | None = None) -> None:
        """The home screen again, on ``selected`` or else on what was selected before."""
        selected = selected or self.home.selected_routine() or self._selected
        left_out = set(self.settings.left_out)
        flagged = self.flagged()
        self.home.set_library(self.library, selected, flagged, left_out, self.settings.pauses)
        names = {i: self.library.exercises[i].name for i in left_out if i in self.library.exercises}
        self.home.set_flags(flagged, names)

    def _leave_out(self, exercise_id: str, on: bool) -> None:
        left = set(self.settings.left_out)
        left = left | {exercise_id} if on else left - {exercise_id}
        self.change_settings(left_out=tuple(sorted(left)))
        self.refresh_home()

    def usable_library(self, flare: bool = False) -> Library:
        """The library less what is left out (``safety.usable_library``)."""
        return safety.usable_library(self.library, self.settings.left_out, flare)

    def _flare_alternative(self, routine_id: str) -> FlareAlternative | None:
        from sciatica_timer.ui.screens.checkin import FlareAlternative

        gentle = safety.flare_alternative(self.library, self.settings.left_out, routine_id)
        if gentle is None:
            return None
        length = format_clock(gentle.total_s)
        return FlareAlternative(gentle.routine_id, gentle.name, length, gentle.replaces_most)

    def ask_then_start(self, routine_id: str, pain_questions: bool = True) -> None:
        """The questions first: disclaimer (once), red flags (once a day), pain, reach, flare.

        A red-flag 'yes' holds for the rest of the day. ``--start`` comes here without the
        pain questions: it never skips the disclaimer or the red flags."""
        if self.controller.running or routine_id not in self.library.routines:
            return
        self._pending_routine = routine_id
        today = date.today()
        s = self.settings
        answers = RedFlagAnswers(s.red_flags_clear_on, s.red_flag_yes_on, s.red_flags_yes)
        self.checkin.begin(
            self.library.routines[routine_id].name,
            need_disclaimer=not s.disclaimer_accepted,
            need_red_flags=safety.red_flags_due(answers, today),
            flare_preview=lambda flare: (
                safety.flare_names(self.library, routine_id) if flare else []
            ),
            alternative=self._flare_alternative(routine_id),
            pain_questions=pain_questions,
            pain_side=s.pain_side,
        )
        until = safety.red_flags_block(answers, today)
        if until is not None:
            self.checkin.show_blocked(s.red_flags_yes, until)
        self.stack.setCurrentWidget(self.checkin)

    def _switch_pending(self, routine_id: str) -> None:
        if routine_id in self.library.routines:
            self._pending_routine = routine_id

    def _checked_in(self, answers: CheckIn) -> None:
        routine_id = self._pending_routine
        library = self.usable_library(flare=answers.flare)
        if routine_id not in library.routines:
            self.show_notice(
                "Everything in this routine is best left out today; try the gentle flare-up "
                "routine instead."
            )
            self.show_home()
            return
        self._reach_before = answers.reach
        if answers.side != self.settings.pain_side:
            self.change_settings(pain_side=answers.side)  # told today: remembered
        self.start_routine(
            routine_id,
            library=library,
            pain_before=answers.pain,
            reach_before=answers.reach,
            flare=answers.flare,
        )

    # --- making routines one's own: the editor, duplicate, rename, delete and undo ------

    def _connect_editing(self) -> None:
        """The home screen's routine buttons work once the app has set ``user_library``
        (it is read each time: routines are changed only where they can be kept)."""
        self.home.set_editing(
            lambda: self.user_library is not None,
            lambda rid: self.user_library is None or self.user_library.is_bundled(rid),
        )
        self._deleted: tuple[Routine, int] | None = None
        self._editing_id: str | None = None
        self.home.new_requested.connect(lambda: self.show_editor(None))
        self.exercise_saved.connect(self._exercise_for_editor)
        self.home.edit_requested.connect(lambda rid: self.show_editor(rid))
        self.home.duplicate_requested.connect(lambda rid: self.show_editor(rid, duplicate=True))
        self.home.rename_requested.connect(self.rename_routine)
        self.home.delete_requested.connect(self.delete_routine)
        self.home.undo_requested.connect(self.undo_delete)

    @cached_property
    def editor(self) -> EditorView:
        from sciatica_timer.ui.screens.editor import EditorView

        view = EditorView(self._assets)
        view.saved.connect(self._editor_saved)
        view.cancelled.connect(self.show_home)
        view.new_exercise_requested.connect(self._new_exercise_from_editor)
        self.stack.addWidget(view)
        return view

    def editor_defaults(self) -> Pauses:
        """The get-ready, rest and switch a routine leaves to the user (the settings)."""
        return self.settings.pauses

    def show_editor(self, routine_id: str | None, duplicate: bool = False) -> None:
        """The editor on a new routine (None), on one of the user's, or on a copy (a bundled
        routine is always copied: it cannot be changed)."""
        ul = self.user_library
        if ul is None or self.controller.running:
            return
        routine = self.library.routines.get(routine_id) if routine_id else None
        note = ""
        if routine is None:
            self._editing_id = None
            heading = "New routine"
        elif duplicate or ul.is_bundled(routine.id):
            if not duplicate:
                note = (
                    f"'{routine.name}' came with the app and cannot be changed: "
                    "this is your own copy of it."
                )
            self._editing_id = None
            routine = replace(routine, name=f"{routine.name} (copy)"[:80])
            heading = "Duplicate routine"
        else:
            self._editing_id = routine.id
            heading = "Edit routine"
        self.editor.begin(self.library, routine, heading, note, self.editor_defaults())
        self.stack.setCurrentWidget(self.editor)

    def _new_exercise_from_editor(self) -> None:
        self.show_exercise_editor(None, back_to=self.editor)

    def _exercise_for_editor(self, exercise_id: str) -> None:
        """An exercise made from the editor's "New exercise…" goes into the step there."""
        if self.__dict__.get("_exercise_back_to") is self.__dict__.get("editor"):
            self.editor.add_exercise(self.library, exercise_id)

    def _save_failed(self, exc: Exception) -> None:
        path = self.user_library.path if self.user_library is not None else ""
        detail = getattr(exc, "strerror", None) or exc
        self.show_notice(f"Your routines could not be saved to {path}: {detail}")

    def _editor_saved(self, routine: Routine) -> None:
        ul = self.user_library
        if ul is None:
            return
        old = self._editing_id
        rid = old or ul.new_id(routine.name)
        routine = replace(routine, id=rid)
        try:
            ul.put_routine(routine, old_id=old)
        except (OSError, ValueError) as exc:
            self._save_failed(exc)
            return
        self._editing_id = None
        self.set_library(ul.library(), rid)
        self.stack.setCurrentWidget(self.home)
        self.home.routine_list.setFocus()

    def rename_routine(self, routine_id: str, name: str) -> None:
        """A new name for one of the user's routines (its id, and its place, stay)."""
        ul = self.user_library
        if ul is None or routine_id not in ul.routines:
            return
        try:
            ul.put_routine(replace(ul.routines[routine_id], name=name[:80]), old_id=routine_id)
        except (OSError, ValueError) as exc:
            self._save_failed(exc)
            return
        self.set_library(ul.library(), routine_id)

    def delete_routine(self, routine_id: str) -> None:
        """Delete one of the user's routines at once; 'Undo' puts it back in its place."""
        ul = self.user_library
        if ul is None or routine_id not in ul.routines:
            return
        place = list(ul.routines).index(routine_id)
        try:
            removed = ul.remove_routine(routine_id)
        except (OSError, ValueError) as exc:
            self._save_failed(exc)
            return
        self._deleted = (removed, place)
        ids = list(self.library.routines)
        at = ids.index(routine_id)
        ids.remove(routine_id)
        neighbour = ids[min(at, len(ids) - 1)] if ids else None
        self.set_library(ul.library(), neighbour)
        self.home.show_undo(removed.name)

    def undo_delete(self) -> None:
        """The routine deleted last, back exactly as it was, in its place, and selected."""
        ul, deleted = self.user_library, self._deleted
        if ul is None or deleted is None:
            return
        routine, place = deleted
        if routine.id in ul.routines or routine.id in ul.bundled.routines:
            routine = replace(routine, id=ul.new_id(routine.name))
        items = list(ul.routines.items())
        items.insert(min(place, len(items)), (routine.id, routine))
        routines = dict(items)
        try:
            ul.save(ul.exercises, routines)
        except (OSError, ValueError) as exc:
            self._save_failed(exc)
            return
        ul.routines = routines
        self._deleted = None
        self.set_library(ul.library(), routine.id)

    # --- keys -------------------------------------------------------------------------

    def _install_keys(self) -> None:
        c = self.controller
        actions: dict[str, Callable[[], None]] = {
            "pause": c.toggle_pause,
            "pause_only": c.pause,
            "skip": c.skip,
            "back": c.back,
            "add": c.add_time,
            "hold": c.hold,
            "pain_stop": c.pain_stop,
            "end": self._end_key,
            "yes": lambda: c.answer_check(True),
            "no": lambda: c.answer_check(False),
            "fullscreen": self.toggle_fullscreen,
            "mute": self.toggle_mute,
            "keys": self.toggle_keys,
            "enter": self._enter_key,
        }
        self.end_asks = AskOnce(self, END_AGAIN)
        self.close_asks = AskOnce(self, CLOSE_AGAIN)
        self.shortcuts: list[QShortcut] = []
        for keys in KEYS:
            for key, action in keys.bindings:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(actions[action])
                self.shortcuts.append(shortcut)

    def _end_key(self) -> None:
        """E asks once: the first press says how to confirm, a second within a few seconds
        ends (a stray E from the mat never throws away a session; the STOP never asks)."""
        if self.end_asks.confirmed():
            self.controller.end()  # its finish takes the notice away

    def _enter_key(self) -> None:
        """Enter presses the focused button (the window's shortcut would take the key from
        it); with none focused: start on the home screen, home from the done and safety."""
        focus = self.focusWidget()
        if isinstance(focus, QAbstractButton) and focus.isEnabled() and focus.isVisible():
            focus.click()
            return
        current = self.stack.currentWidget()
        if current is self.home:
            self.home.start_button.click()
        elif isinstance(current, DoneView | SafetyView):
            self.show_home()

    def _on_escape(self, view: QWidget, action: Callable[[], None]) -> None:
        """Esc on this screen (only while it shows: the settings and editors have their own)."""
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), view)
        escape.setContext(Qt.ShortcutContext.WindowShortcut)
        escape.activated.connect(action)

    def _leave_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()

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

    def show_fitted(self) -> None:
        """Open to fit the screen: maximised on a small one, else a size that fits it."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
        size = opening_size(available)
        # maximised, it still fits where nothing maximises it (no window manager)
        self.resize(size or available.size() - FRAME_ALLOWANCE)
        frame = QRect(available.topLeft(), self.size())
        frame.moveCenter(available.center())
        self.move(frame.topLeft())
        if size is None:
            self.showMaximized()
        else:
            self.show()

    def set_listening(self, on: bool) -> None:
        """The voice stop listens (or has stopped): the session screen's microphone mark."""
        self.session.set_listening(on)

    def show_notice(self, message: str) -> None:
        if message:
            self.banner.add(message)
        else:
            self.banner.clear()
        self._place_banner()

    def _place_banner(self) -> None:
        """During a session a notice lies over the picture and the steps, so the countdown,
        the side and the stop button never move; elsewhere it sits above the page."""
        if "session" not in self.__dict__ or self.stack.currentWidget() is not self.session:
            self.banner.float_over(None)
            return
        session = self.session
        area = session.notice_area()
        parent = self.banner.parentWidget()
        if parent is not None:
            area.moveTopLeft(session.mapTo(parent, area.topLeft()))
        self.banner.float_over(area)

    # --- screens ------------------------------------------------------------------------

    def start_routine(
        self,
        routine_id: str,
        library: Library | None = None,
        pain_before: int | None = None,
        reach_before: Reach | None = None,
        flare: bool | None = None,
    ) -> None:
        """Start at once (``--start`` comes straight here, without the questions)."""
        library = library or self.usable_library()
        if self.controller.running or routine_id not in library.routines:
            return
        if pain_before is None:
            self._reach_before = None
        self.change_settings(last_routine=routine_id)
        timeline = self.session_timeline(library, routine_id)
        self.session.begin(timeline.routine.name, self.settings.hold_s, self.settings.flash_on)
        self.stack.setCurrentWidget(self.session)
        self._session_settings()
        self.session.fit_fonts(self.height())
        self.controller.start(timeline, pain_before, reach_before, flare)

    def _on_snapshot(self, snap: Snapshot) -> None:
        self.session.show_snapshot(snap)
        if self.session.isVisible():
            # Paint the new second now, not on a later turn of the event loop: the repaint
            # Qt has queued for the window is taken at once (1 ms sooner, at the median).
            QCoreApplication.sendPostedEvents(self, QEvent.Type.UpdateRequest)

    def _on_finished(self, summary: SessionSummary) -> None:
        for asks in (self.end_asks, self.close_asks):
            asks.forget()
        if summary.state is SessionState.STOPPED_PAIN:
            self.safety.show_summary(summary, set(self.settings.left_out))
            self.stack.setCurrentWidget(self.safety)
        else:
            self.done.show_summary(summary, self._reach_before)
            self.stack.setCurrentWidget(self.done)

    def show_home(self) -> None:
        self._after_session_settings()
        self.refresh_home()
        self.stack.setCurrentWidget(self.home)

    def show_history(self) -> None:
        """The history window (a window of its own: it never covers a session)."""
        from sciatica_timer.ui.screens.history import HistoryWindow

        if self._history is None:
            self._history = HistoryWindow(self.controller.journal)
            self._dress_history(self._history)
        self._history.reload()
        self._history.show()
        self._history.raise_()

    # --- own exercises, import and export ------------------------------------------------

    def _add_own_actions(self) -> None:
        """The home screen's Exercises button, and Import / export: a menu to import a
        routine file or export the chosen routine (one button for both, so the row fits a
        small screen)."""
        exercises = QPushButton("Exercises")
        exercises.setObjectName("myExercisesButton")
        exercises.setAccessibleName("My exercises")
        exercises.setToolTip("Make or change your own exercises")
        exercises.clicked.connect(lambda: self.show_exercise_editor())
        self._add_home_action(exercises)
        share = QPushButton("Import / export")
        share.setObjectName("shareButton")
        share.setAccessibleName("Import or export a routine file")
        share.setToolTip("Import routines from a file (a prescription), or export the chosen one")
        menu = QMenu(share)
        menu.setObjectName("shareMenu")
        importing = menu.addAction("Import a routine file…")
        importing.setObjectName("importAction")
        importing.triggered.connect(lambda: self.ask_import())
        exporting = menu.addAction("Export the chosen routine…")
        exporting.setObjectName("exportRoutineAction")
        exporting.triggered.connect(lambda: self.ask_export())
        share.setMenu(menu)
        self._add_home_action(share)

    def _add_home_action(self, button: QPushButton) -> None:
        """Through ``HomeView.add_action`` when the home screen has it, else in a row of
        its own above the home screen's buttons."""
        add = getattr(self.home, "add_action", None)
        if callable(add):
            add(button)
            return
        row = self.__dict__.get("_own_actions_row")
        if not isinstance(row, QHBoxLayout):
            row = QHBoxLayout()
            row.addStretch(1)
            layout = self.home.layout()
            if isinstance(layout, QVBoxLayout):
                layout.insertLayout(layout.count() - 1, row)
            self._own_actions_row = row
        row.insertWidget(row.count() - 1, button)

    @cached_property
    def exercise_editor(self) -> ExerciseEditor:
        from sciatica_timer.ui.screens.exercise_editor import ExerciseEditor

        view = ExerciseEditor()
        view.saved.connect(self._save_exercise)
        view.delete_requested.connect(self._delete_exercise)
        view.closed.connect(self._leave_exercise_editor)
        self.stack.addWidget(view)
        return view

    def show_exercise_editor(
        self, exercise_id: str | None = None, back_to: QWidget | None = None
    ) -> None:
        """The own-exercise page on ``exercise_id`` (None: a new exercise); saving or
        leaving goes back to ``back_to`` (the routine editor, say) or home. A saved
        exercise is announced by ``exercise_saved``."""
        if self.controller.running:
            return
        lib = self.user_library
        if lib is None:
            self.show_notice("Your own exercises cannot be changed: your library is not loaded.")
            return
        self._exercise_back_to = back_to
        self.exercise_editor.begin(
            lib.exercises, lib.paths.images_dir, lib.new_exercise_id, exercise_id
        )
        self.stack.setCurrentWidget(self.exercise_editor)

    def _leave_exercise_editor(self) -> None:
        lib = self.user_library
        if lib is not None:
            used = {Path(e.image) for e in lib.exercises.values() if e.image}
            self.exercise_editor.drop_unused_pictures(used)
        back = self.__dict__.get("_exercise_back_to")
        if isinstance(back, QWidget) and self.stack.indexOf(back) >= 0:
            self.stack.setCurrentWidget(back)
        else:
            self.show_home()

    def _save_exercise(self, exercise: Exercise) -> None:
        lib = self.user_library
        if lib is None:
            return
        try:
            lib.put_exercise(exercise)
        except (OSError, ValueError) as exc:
            self.exercise_editor.show_problem(_not_saved(exc, lib.path))
            return
        self.set_library(lib.library(), self.home.selected_routine() or self._selected)
        self.show_notice(f"{exercise.name} is saved in your exercises.")
        self.exercise_saved.emit(exercise.id)
        self._leave_exercise_editor()

    def _delete_exercise(self, exercise_id: str) -> None:
        lib = self.user_library
        if lib is None:
            return
        try:
            removed = lib.remove_exercise(exercise_id)
        except (OSError, ValueError) as exc:
            self.exercise_editor.show_problem(_not_saved(exc, lib.path, "Not deleted"))
            return
        self.set_library(lib.library(), self.home.selected_routine() or self._selected)
        self.show_notice(f"{removed.name} is deleted from your exercises.")
        self._leave_exercise_editor()

    def ask_import(self) -> None:
        """Ask for a routine file, then show what importing it would do."""
        from PySide6.QtWidgets import QFileDialog

        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Import routines", str(Path.home()), "Routine files (*.json);;All files (*)"
        )
        if chosen:
            self.import_file(Path(chosen))

    def import_file(self, path: Path) -> ImportDialog | None:
        """The import dialog for ``path`` (shown, not waited for): its problems, exactly as
        ``--check`` prints them, or what it holds and a choice for each clash. Import
        brings it all in and selects the first imported routine on the home screen."""
        from sciatica_timer.storage.problems import LibraryError
        from sciatica_timer.ui.screens.import_dialog import ImportDialog

        lib = self.user_library
        if lib is None:
            self.show_notice(f"{path} cannot be imported now: your library is not loaded.")
            return None
        if self.controller.running:
            self.show_notice(f"{path} can be imported once this session is over.")
            return None
        if self.stack.currentWidget() is not self.home:
            self.show_home()
        dialog = ImportDialog(self)
        try:
            plan = lib.plan_import(path)
        except LibraryError as exc:
            dialog.show_problems(path, exc.problems)
        else:
            bundled = frozenset(r for r in plan.clashes if lib.is_bundled(r))
            dialog.show_plan(plan, lib.library(), bundled)
            dialog.accepted.connect(lambda: self._apply_import(plan, dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.import_dialog = dialog
        dialog.open()
        dialog.activateWindow()  # the keys go to it at once (Enter imports, Esc cancels)
        return dialog

    def _apply_import(self, plan: ImportPlan, dialog: ImportDialog) -> None:
        lib = self.user_library
        if lib is None:
            return
        try:
            imported = lib.apply_import(plan, dialog.choices())
        except (OSError, ValueError) as exc:
            self.show_notice(f"Nothing was imported from {plan.source}: {_reason(exc)}")
            return
        library = lib.library()
        self.set_library(library, imported[0] if imported else None)
        names = ", ".join(library.routines[r].name for r in imported)
        self.show_notice(f"Imported from {plan.source.name}: {names}.")

    def ask_export(self) -> None:
        """Ask where to save the chosen routine, then save it."""
        from PySide6.QtWidgets import QFileDialog

        routine_id = self.home.selected_routine()
        if routine_id is None:
            return
        suggested = Path.home() / f"{routine_id}{ROUTINE_SUFFIX}"
        target, _filter = QFileDialog.getSaveFileName(
            self, "Export routine", str(suggested), f"Routine files (*{ROUTINE_SUFFIX} *.json)"
        )
        if target:
            path = Path(target)
            self.export_routine_to(
                routine_id, path if path.suffix else Path(target + ROUTINE_SUFFIX)
            )

    def export_routine_to(self, routine_id: str, target: Path) -> bool:
        """Save one routine, with the user's exercises it uses, to ``target``; whether it
        was saved (the notice says where, or why not)."""
        lib = self.user_library
        if lib is None or routine_id not in self.library.routines:
            return False
        try:
            lib.export_routine(routine_id, target)
        except (OSError, ValueError) as exc:
            self.show_notice(f"The routine could not be saved to {target}: {_reason(exc)}")
            return False
        name = self.library.routines[routine_id].name
        self.show_notice(f"{name} is saved to {target}; anyone can import it from that file.")
        return True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if "session" in self.__dict__:
            self.session.fit_fonts(self.height())
            self._place_banner()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closed by the user (the title bar, Alt+F4: a spontaneous close) mid-session, the
        window asks once, as E does; a second close ends the session and quits. A close
        from the program or the desktop session (quit, log out) never asks."""
        if event.spontaneous() and self.controller.running:
            if not self.close_asks.confirmed():
                event.ignore()
                return
            self.controller.end()  # recorded as ended early, not as interrupted
        if self._history is not None:
            self._history.close()
        self.controller.shutdown()
        super().closeEvent(event)


def _reason(exc: BaseException) -> str:
    """Why a file could not be written or a change was refused, in a few words."""
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}."
    text = str(exc).strip()
    return text if text.endswith(".") else f"{text}."


def _not_saved(exc: BaseException, path: Path, what: str = "Not saved") -> str:
    if isinstance(exc, OSError):
        return f"Your exercises could not be saved to {path}: {_reason(exc)}"
    return f"{what}: {_reason(exc)}"
