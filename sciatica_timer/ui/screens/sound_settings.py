"""Voice and sound settings: on or off, which voice, speed, volume, how much is said."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from sciatica_timer.core.cues import RATE_RANGE, Verbosity
from sciatica_timer.storage.settings import Settings
from sciatica_timer.ui.theme import set_role

VERBOSITY_CHOICES = [
    (Verbosity.FULL.value, "Everything: exercise, side, reminders, halfway, countdown"),
    (Verbosity.SHORT.value, "Short: side, countdown and changes only"),
    (Verbosity.BEEPS.value, "Beeps only"),
    (Verbosity.SILENT.value, "Silent"),
]


class SoundSettingsView(QWidget):
    """A page of the main window, opened from the home screen."""

    changed = Signal(object)  # Settings
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = Settings()
        self._voices: Callable[[], Sequence[tuple[str, str]]] = list
        self._tries = 0
        self.voice_on = QCheckBox("Speak the cues")
        self.voice_on.setObjectName("voiceOnCheck")
        self.voice = QComboBox()
        self.voice.setObjectName("voiceCombo")
        self.rate = QSlider(Qt.Orientation.Horizontal)
        self.rate.setObjectName("rateSlider")
        self.rate.setRange(*RATE_RANGE)
        self.rate_label = QLabel()
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("volumeSlider")
        self.volume.setRange(0, 100)
        self.volume_label = QLabel()
        self.verbosity = QComboBox()
        self.verbosity.setObjectName("verbosityCombo")
        for key, text in VERBOSITY_CHOICES:
            self.verbosity.addItem(text, key)
        self.sounds = QCheckBox("Play the tick, chime and end sounds")
        self.sounds.setObjectName("soundsCheck")
        done = QPushButton("Done")
        done.setObjectName("soundSettingsDone")
        done.setMinimumHeight(56)
        done.clicked.connect(self._done)
        self.rate.valueChanged.connect(lambda v: self.rate_label.setText(f"{v} words a minute"))
        self.volume.valueChanged.connect(lambda v: self.volume_label.setText(f"{v} %"))

        def slider(widget: QSlider, label: QLabel) -> QWidget:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(widget, 1)
            label.setMinimumWidth(170)
            row.addWidget(label)
            return box

        form = QFormLayout()
        form.setVerticalSpacing(18)
        form.addRow(self.voice_on)
        form.addRow("Voice", self.voice)
        form.addRow("Speed", slider(self.rate, self.rate_label))
        form.addRow("Volume", slider(self.volume, self.volume_label))
        form.addRow("How much is said", self.verbosity)
        form.addRow(self.sounds)
        title = QLabel("Voice and sounds")
        set_role(title, "title")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 24, 36, 24)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(done, 0, Qt.AlignmentFlag.AlignRight)

    def begin(self, settings: Settings, voices: Callable[[], Sequence[tuple[str, str]]]) -> None:
        """Show the current settings; ``voices`` lists (id, name) and may start the engine."""
        self._settings = settings
        self._voices = voices
        self._tries = 0
        self.voice_on.setChecked(settings.voice_on)
        self.voice.clear()
        self.voice.addItem("Default voice", None)
        self._fill_voices()
        self.rate.setValue(settings.rate)
        self.volume.setValue(round(settings.volume * 100))
        self.verbosity.setCurrentIndex(max(0, self.verbosity.findData(settings.verbosity)))
        self.sounds.setChecked(settings.sounds_on)

    def _fill_voices(self) -> None:
        """The engine starts in the background; list its voices once it has them."""
        found = self._voices()
        if not found and self._tries < 25:
            self._tries += 1
            QTimer.singleShot(200, self._fill_voices)
            return
        for ident, name in found:
            self.voice.addItem(name, ident)
        self.voice.setCurrentIndex(max(0, self.voice.findData(self._settings.voice_id)))

    def current(self) -> Settings:
        return self._settings.with_changes(
            voice_on=self.voice_on.isChecked(),
            voice_id=self.voice.currentData(),
            rate=self.rate.value(),
            volume=self.volume.value() / 100,
            verbosity=self.verbosity.currentData(),
            sounds_on=self.sounds.isChecked(),
        )

    def _done(self) -> None:
        self.changed.emit(self.current())
        self.closed.emit()
