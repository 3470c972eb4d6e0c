"""The settings screen: voice and sound, timing, the session, the body, the look.

One page of the main window, opened from the home screen. Every change is applied at
once (a slider's a moment after it stops moving); Back or Esc returns to the routines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.cues import RATE_RANGE, Verbosity
from sciatica_timer.storage.settings import HOLD_RANGE, PAUSE_RANGE, Settings
from sciatica_timer.ui.theme import set_role
from sciatica_timer.ui.widgets.parts import title

VERBOSITY_CHOICES = [
    (Verbosity.FULL.value, "Everything: exercise, side, reminders, halfway, countdown"),
    (Verbosity.SHORT.value, "Short: side, countdown and changes only"),
    (Verbosity.BEEPS.value, "Beeps only"),
    (Verbosity.SILENT.value, "Silent"),
]
FIRST_SIDE_CHOICES = [
    ("left", "Left"),
    ("right", "Right"),
    ("alternate", "Alternate: the other side each session"),
]
PAIN_SIDE_CHOICES = [("both", "Both sides"), ("left", "Left"), ("right", "Right")]
THEME_CHOICES = [
    ("system", "Follow the system"),
    ("light", "Light"),
    ("dark", "Dark"),
    ("contrast", "High contrast"),
]
TEXT_SIZE_CHOICES = ["Small", "Normal", "Large", "Largest"]
FLASH_TEXT = "Flash the screen softly at each change and at 3, 2, 1"
FLASH_DESCRIPTION = (
    "For when the cues cannot be heard: a brief wash of colour over the session screen as "
    "each part begins and in its last three seconds. Never more than twice a second; the "
    "stop button is never covered."
)
VOICE_STOP_TEXT = "Stop the session when I say “stop” (uses the microphone)"
VOICE_STOP_TITLE = "Listen for “stop”?"
VOICE_STOP_EXPLAINED = (
    "While a session runs, the app listens to this computer's microphone for one word: "
    "“stop” (or “help”). Saying it does what the red STOP button does: "
    "the session ends at once and the stop is saved in your history.\n\n"
    "Everything happens on this computer. Nothing you say is recorded, kept or sent "
    "anywhere. The app does not listen while it is speaking, or outside sessions; the "
    "session screen shows “● Listening” while it listens.\n\n"
    "It understands English, and it can miss a word, so the red button and the P key "
    "always work as well. Say the word on its own, with a short pause before and after."
)
APPLY_AFTER_MS = 250
"""A change is applied this long after the last one (a slider dragged sends many)."""


def _choices(name: str, accessible: str, items: Sequence[tuple[object, str]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    for key, text in items:
        combo.addItem(text, key)
    combo.setMaximumWidth(720)
    return combo


def _seconds(name: str, accessible: str, limits: tuple[int, int]) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setAccessibleName(accessible)
    spin.setRange(*limits)
    spin.setSuffix(" s")
    spin.setMinimumWidth(110)
    spin.setMaximumWidth(160)
    # its own arrows are hidden by the theme (a style sheet draws them badly): ours, − and +
    spin.setToolTip("Up and Down arrows: a second more or less; Page Up and Down: ten")
    return spin


def _stepper(spin: QSpinBox) -> QWidget:
    """The spin box between a − and a + button (for the mouse; keys: Up, Down)."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    spin.setSingleStep(1)
    for text, words, step in (("−", "less", -5), ("+", "more", 5)):
        button = QPushButton(text)
        button.setObjectName(f"{spin.objectName()}{'Less' if step < 0 else 'More'}")
        button.setAccessibleName(f"Five seconds {words}: {spin.accessibleName()}")
        button.setAccessibleDescription(
            "For the mouse: with the keyboard, Up and Down in the box change it a second at a "
            "time, Page Up and Page Down ten"
        )
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the box's own keys do it (no 2nd stop)
        button.setFixedWidth(52)
        button.clicked.connect(lambda _=False, s=step: spin.setValue(spin.value() + s))
        if step > 0:
            row.addWidget(spin)
        row.addWidget(button)
    row.addStretch(1)
    return box


def _check(text: str, name: str) -> QCheckBox:
    box = QCheckBox(text)
    box.setObjectName(name)
    box.setAccessibleName(text)
    return box


class SettingsView(QWidget):
    """A page of the main window, opened from the home screen."""

    changed = Signal(dict)  # the page's settings by name (``Settings`` field names)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsScreen")
        self.setAccessibleName("Settings")
        self._settings = Settings()
        self._voices: Callable[[], Sequence[tuple[str, str]]] = list
        self._tries = 0
        self._loading = False
        self._agreed = False
        self._apply = QTimer(self)
        self._apply.setSingleShot(True)
        self._apply.setInterval(APPLY_AFTER_MS)
        self._apply.timeout.connect(self.apply_now)

        # voice and sound
        self.voice_on = _check("Speak the cues", "voiceOnCheck")
        self.voice = _choices("voiceCombo", "Voice", [])
        self.rate = QSlider(Qt.Orientation.Horizontal)
        self.rate.setObjectName("rateSlider")
        self.rate.setAccessibleName("Speed of the voice")
        self.rate.setRange(*RATE_RANGE)
        self.rate.setPageStep(10)
        self.rate_label = QLabel()
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("volumeSlider")
        self.volume.setAccessibleName("Volume")
        self.volume.setRange(0, 100)
        self.volume.setPageStep(10)
        self.volume_label = QLabel()
        self.verbosity = _choices("verbosityCombo", "How much is said", VERBOSITY_CHOICES)
        self.sounds = _check("Play the tick, chime and end sounds", "soundsCheck")
        self.rate.valueChanged.connect(lambda v: self.rate_label.setText(f"{v} words a minute"))
        self.volume.valueChanged.connect(lambda v: self.volume_label.setText(f"{v} %"))
        # timing
        self.prepare = _seconds("prepareSpin", "Get ready before a routine", PAUSE_RANGE)
        self.rest = _seconds("restSpin", "Rest between exercises", PAUSE_RANGE)
        self.switch = _seconds("switchSpin", "Time to switch sides", PAUSE_RANGE)
        self.hold = _seconds("holdSpin", "Tender-spot hold", HOLD_RANGE)
        self.first_side = _choices("firstSideCombo", "Starting side", FIRST_SIDE_CHOICES)
        # session
        self.fullscreen = _check("Start sessions in full screen", "fullscreenCheck")
        self.keep_awake = _check("Keep the screen awake during a session", "keepAwakeCheck")
        self.flash = _check(FLASH_TEXT, "flashCheck")
        self.voice_stop = _check(VOICE_STOP_TEXT, "voiceStopCheck")
        self.voice_stop.setAccessibleDescription(VOICE_STOP_EXPLAINED.replace("\n\n", " "))
        self.voice_stop.toggled.connect(self._voice_stop_toggled)
        self.voice_stop_box: QMessageBox | None = None
        """The explanation asked before listening is turned on (while it is open)."""
        self.flash.setAccessibleDescription(FLASH_DESCRIPTION)
        self.flash.setToolTip(FLASH_DESCRIPTION)
        # body
        self.pain_side = _choices("painSideCombo", "The side that hurts", PAIN_SIDE_CHOICES)
        # appearance
        self.theme = _choices("themeCombo", "Theme", THEME_CHOICES)
        self.text_size = _choices("textSizeCombo", "Text size", list(enumerate(TEXT_SIZE_CHOICES)))

        for box in (self.voice_on, self.sounds, self.fullscreen, self.keep_awake, self.flash):
            box.toggled.connect(self._edited)
        for combo in (self.voice, self.verbosity, self.first_side, self.pain_side, self.theme,
                      self.text_size):  # fmt: skip
            combo.currentIndexChanged.connect(self._edited)
        for spin in (self.prepare, self.rest, self.switch, self.hold):
            spin.valueChanged.connect(self._edited)
        for moved in (self.rate, self.volume):
            moved.valueChanged.connect(self._edited)

        def slider(widget: QSlider, label: QLabel) -> QWidget:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(widget, 1)
            label.setMinimumWidth(170)
            row.addWidget(label)
            return box

        content = QWidget()
        content.setObjectName("settingsContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 16, 16)
        column.setSpacing(8)

        self._labels: list[QLabel] = []
        """The row labels of every section: one width, so the controls line up."""

        def section(heading: str, rows: Sequence[tuple[str, QWidget]]) -> None:
            label = QLabel(heading)
            set_role(label, "question")
            column.addSpacing(10)
            column.addWidget(label)
            form = QFormLayout()
            form.setVerticalSpacing(12)
            form.setHorizontalSpacing(24)
            form.setContentsMargins(12, 0, 0, 0)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            for text, widget in rows:
                if text:
                    label = QLabel(text)
                    label.setBuddy(widget)
                    self._labels.append(label)
                    form.addRow(label, widget)
                else:
                    form.addRow(widget)
            column.addLayout(form)

        section(
            "Voice and sound",
            [
                ("", self.voice_on),
                ("Voice", self.voice),
                ("Speed", slider(self.rate, self.rate_label)),
                ("Volume", slider(self.volume, self.volume_label)),
                ("How much is said", self.verbosity),
                ("", self.sounds),
            ],
        )
        section(
            "Timing (for routines that do not set their own)",
            [
                ("Get ready", _stepper(self.prepare)),
                ("Rest between exercises", _stepper(self.rest)),
                ("Switch sides", _stepper(self.switch)),
                ("Tender-spot hold (H)", _stepper(self.hold)),
                ("Starting side", self.first_side),
            ],
        )
        section(
            "Session",
            [("", self.fullscreen), ("", self.keep_awake), ("", self.flash), ("", self.voice_stop)],
        )
        section("Body", [("The side that hurts", self.pain_side)])
        section("Appearance", [("Theme", self.theme), ("Text size", self.text_size)])
        column.addStretch(1)
        self._align_labels()

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("settingsScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.back = QPushButton("Back to routines")
        self.back.setObjectName("settingsBackButton")
        self.back.setAccessibleName("Back to routines")
        self.back.setToolTip("Back to the routines (Esc)")
        self.back.setMinimumHeight(56)
        self.back.clicked.connect(self._done)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setObjectName("settingsEscape")
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self._done)

        top = QHBoxLayout()
        top.addWidget(title("Settings"), 1)
        top.addWidget(self.back, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 20, 24, 12)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)
        self.setTabOrder(self.back, self.voice_on)

    def controls(self) -> list[QWidget]:
        """Every control, in the order Tab visits them."""
        return [self.back, self.voice_on, self.voice, self.rate, self.volume, self.verbosity,
                self.sounds, self.prepare, self.rest, self.switch, self.hold, self.first_side,
                self.fullscreen, self.keep_awake, self.flash, self.voice_stop, self.pain_side,
                self.theme,
                self.text_size]  # fmt: skip

    def _align_labels(self) -> None:
        """Every section's controls start at one line: the labels as wide as the widest
        (again when the text size changes)."""
        for label in self._labels:
            label.setMinimumWidth(0)
        widest = max((label.sizeHint().width() for label in self._labels), default=0)
        for label in self._labels:
            label.setMinimumWidth(widest)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._align_labels()

    def begin(self, settings: Settings, voices: Callable[[], Sequence[tuple[str, str]]]) -> None:
        """Show the current settings; ``voices`` lists (id, name) and may start the engine."""
        self._apply.stop()
        self._settings = settings
        self._voices = voices
        self._tries = 0
        self._loading = True
        try:
            self.voice_on.setChecked(settings.voice_on)
            self.voice.clear()
            self.voice.addItem("Default voice", None)
            self.rate.setValue(settings.rate)
            self.volume.setValue(round(settings.volume * 100))
            self.verbosity.setCurrentIndex(max(0, self.verbosity.findData(settings.verbosity)))
            self.sounds.setChecked(settings.sounds_on)
            self.prepare.setValue(settings.prepare_s)
            self.rest.setValue(settings.rest_s)
            self.switch.setValue(settings.switch_s)
            self.hold.setValue(settings.hold_s)
            self.first_side.setCurrentIndex(max(0, self.first_side.findData(settings.first_side)))
            self.fullscreen.setChecked(settings.fullscreen)
            self.keep_awake.setChecked(settings.keep_awake)
            self.flash.setChecked(settings.flash_on)
            self.voice_stop.setChecked(settings.voice_stop)
            self.pain_side.setCurrentIndex(max(0, self.pain_side.findData(settings.pain_side)))
            self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
            self.text_size.setCurrentIndex(settings.text_size)
        finally:
            self._loading = False
        self._fill_voices()
        self.scroll_area.verticalScrollBar().setValue(0)

    def _fill_voices(self) -> None:
        """The engine starts in the background; list its voices once it has them."""
        found = self._voices()
        if not found and self._tries < 25:
            self._tries += 1
            QTimer.singleShot(200, self._fill_voices)
            return
        self._loading = True
        try:
            for ident, name in found:
                self.voice.addItem(name, ident)
            self.voice.setCurrentIndex(max(0, self.voice.findData(self._settings.voice_id)))
        finally:
            self._loading = False

    def current(self) -> dict[str, object]:
        """What the page shows, by ``Settings`` field name."""
        return dict(
            voice_on=self.voice_on.isChecked(),
            voice_id=self.voice.currentData(),
            rate=self.rate.value(),
            volume=self.volume.value() / 100,
            verbosity=self.verbosity.currentData(),
            sounds_on=self.sounds.isChecked(),
            prepare_s=self.prepare.value(),
            rest_s=self.rest.value(),
            switch_s=self.switch.value(),
            hold_s=self.hold.value(),
            first_side=self.first_side.currentData(),
            fullscreen=self.fullscreen.isChecked(),
            keep_awake=self.keep_awake.isChecked(),
            flash_on=self.flash.isChecked(),
            voice_stop=self.voice_stop.isChecked(),
            pain_side=self.pain_side.currentData(),
            theme=self.theme.currentData(),
            text_size=self.text_size.currentIndex(),
        )

    def _voice_stop_toggled(self, on: bool) -> None:
        """Turning the voice stop on first explains it (one screen) and asks; off is at once."""
        if self._loading or not on or self._agreed:
            self._edited()
            return
        self.voice_stop.blockSignals(True)
        self.voice_stop.setChecked(False)  # until the user has read and agreed
        self.voice_stop.blockSignals(False)
        box = QMessageBox(self)
        box.setObjectName("voiceStopExplained")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(VOICE_STOP_TITLE)
        box.setText(VOICE_STOP_TITLE)
        box.setInformativeText(VOICE_STOP_EXPLAINED)
        box.setAccessibleName(VOICE_STOP_TITLE)
        box.setAccessibleDescription(VOICE_STOP_EXPLAINED.replace("\n\n", " "))
        yes = box.addButton("Turn on listening", QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        for button, name in ((yes, "voiceStopYes"), (no, "voiceStopNo")):
            button.setObjectName(name)
            button.setAccessibleName(button.text())
        box.setDefaultButton(yes)
        box.setEscapeButton(no)

        def answered() -> None:
            agreed = box.clickedButton() is yes
            self.voice_stop_box = None
            box.deleteLater()
            if agreed:
                self._agreed = True
                self.voice_stop.setChecked(True)  # toggled again, and saved
                self._agreed = False
            self.voice_stop.setFocus()

        box.finished.connect(answered)
        self.voice_stop_box = box
        box.open()

    def _edited(self) -> None:
        if not self._loading:
            self._apply.start()

    def apply_now(self) -> None:
        """Send the changes now (they are sent a moment after the last one anyway)."""
        self._apply.stop()
        shown = self.current()
        changes = {k: v for k, v in shown.items() if getattr(self._settings, k) != v}
        if changes:
            self._settings = self._settings.with_changes(**changes)
            self.changed.emit(changes)

    def _done(self) -> None:
        self.apply_now()
        self.closed.emit()
