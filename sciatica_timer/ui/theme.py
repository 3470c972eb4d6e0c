"""Colours and the style sheet: calm, high contrast, readable from the floor.

Widgets say what they are with a dynamic property, ``role`` (and for a few, ``tone``,
``phase``, ``side`` or ``compact``); the one style sheet, generated from a ``Palette`` and
a text scale, says how each looks. The themes: ``LIGHT``, ``DARK``, ``HIGH_CONTRAST``, and
"system" (light or dark as the desktop says). Text on its background is at least 4.5:1
(7:1 in high contrast); ``tests/gui/test_contrast.py`` reads every palette to check it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

_PROPERTY = "themePalette"
_SCALE = "themeScale"


@dataclass(frozen=True)
class Palette:
    """The colours the screens use, by what they are for."""

    background: str
    panel: str
    text: str
    muted: str
    accent: str
    on_accent: str
    """Text on the accent, the side colours and the stop button."""
    accent_disabled: str
    ring_track: str
    left: str  # with a left arrow
    right: str  # with a right arrow
    hold: str
    rest: str
    pain: str
    pain_dark: str
    caution_bg: str
    caution_border: str
    banner_bg: str
    banner_border: str
    border: str
    pressed: str
    disabled_text: str
    disabled_border: str
    list_border: str
    list_divider: str
    selection: str
    overlay: str
    overlay_text: str
    figure: str
    """The body map's figure."""
    region: str
    """A body-map region the pain does not reach."""
    picture: str
    """Behind an exercise's picture: the pictures are drawn in dark lines, as for paper."""

    def phase(self, tone: str) -> str:
        """The colour of a phase tone (see ``PHASE_TONES``)."""
        colors = {"left": self.left, "right": self.right, "hold": self.hold}
        return {**colors, "rest": self.rest, "accent": self.accent}[tone]


PHASE_TONES = ("left", "right", "hold", "rest", "accent")

LIGHT = Palette(
    background="#f6f4ef",
    panel="#ffffff",
    text="#1f2a30",
    muted="#5b6870",
    accent="#1e7a6f",  # deep teal: white text on it is 5:1
    on_accent="white",
    accent_disabled="#b9d9d4",
    ring_track="#e3e0d8",
    left="#1d5fa8",  # deep blue
    right="#a3480b",  # burnt orange
    hold="#7b4fa0",
    rest="#56705f",
    pain="#c62828",
    pain_dark="#8e1b1b",
    caution_bg="#fff4e0",
    caution_border="#e0a040",
    banner_bg="#fff8d6",
    banner_border="#e6d27a",
    border="#cfcac0",
    pressed="#ebe7df",
    disabled_text="#a9a9a9",
    disabled_border="#e3e0d8",
    list_border="#ddd8ce",
    list_divider="#eeeae2",
    selection="#dff1ee",
    overlay="rgba(31, 42, 48, 235)",
    overlay_text="white",
    figure="#ffffff",
    region="#f1eee8",
    picture="#ffffff",
)

DARK = Palette(
    background="#15191c",
    panel="#1f2529",
    text="#e9eef1",
    muted="#a8b5bc",
    accent="#4cc2b1",
    on_accent="#0f1417",  # the accents are light: dark text on them
    accent_disabled="#2f4a46",
    ring_track="#2b3338",
    left="#7db3f5",  # light blue
    right="#f3a262",  # light orange
    hold="#c9a2ec",
    rest="#94c4a8",
    pain="#f2706a",
    pain_dark="#ff9d96",  # warnings as text on the dark background; pressed stop
    caution_bg="#3a2a10",
    caution_border="#d9963a",
    banner_bg="#3a3315",
    banner_border="#bfa64a",
    border="#4a555c",
    pressed="#2b3338",
    disabled_text="#6d777d",
    disabled_border="#2b3338",
    list_border="#3a444a",
    list_divider="#2b3338",
    selection="#1f4a45",
    overlay="rgba(5, 8, 10, 240)",
    overlay_text="#e9eef1",
    figure="#2a3237",
    region="#2a3237",
    picture="#dfe5e8",
)

HIGH_CONTRAST = Palette(
    background="#000000",
    panel="#000000",
    text="#ffffff",
    muted="#e6e6e6",
    accent="#ffd60a",  # yellow on black
    on_accent="#000000",
    accent_disabled="#4d4d4d",
    ring_track="#4d4d4d",
    left="#79bcff",
    right="#ffab5c",
    hold="#e0b3ff",
    rest="#a6f0be",
    pain="#ff7a7a",
    pain_dark="#ffb0b0",
    caution_bg="#1f1300",
    caution_border="#ffab5c",
    banner_bg="#1c1a00",
    banner_border="#ffd60a",
    border="#ffffff",
    pressed="#333333",
    disabled_text="#8c8c8c",
    disabled_border="#4d4d4d",
    list_border="#ffffff",
    list_divider="#808080",
    selection="#003a66",
    overlay="rgba(0, 0, 0, 245)",
    overlay_text="#ffffff",
    figure="#000000",
    region="#1a1a1a",
    picture="#ffffff",
)

PRINT = LIGHT
"""The report's colours: paper is white whatever the screen's theme."""

THEMES: dict[str, Palette] = {"light": LIGHT, "dark": DARK, "contrast": HIGH_CONTRAST}
"""The palettes by the settings' ``theme`` name ("system" is light or dark)."""


def system_is_dark() -> bool:
    """The desktop asks for a dark scheme (unknown, as offscreen reports: light)."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    return QGuiApplication.styleHints().colorScheme() is Qt.ColorScheme.Dark


def palette_for(theme: str) -> Palette:
    """The palette of a settings ``theme`` name; "system" (and any other) follows the desktop."""
    if theme in THEMES:
        return THEMES[theme]
    return DARK if system_is_dark() else LIGHT


ROLES = (
    # buttons (a plain QPushButton is the secondary button)
    "hero",  # the big accent button that moves on: Start, back to routines
    "primary",  # an accent button of the usual size (start after the questions)
    "stop",  # the pain-stop button
    "answer",  # a checkable answer (Yes, No); ``tone="warning"`` when yes means trouble
    "scale",  # one number of the 0-10 pain scale
    "close",  # the notice's small close button
    # boxes
    "caution",
    "banner",
    "overlay",  # the keys help
    "reading",  # a scrolling text that is a Tab stop (the keys scroll it): framed when focused
    # text
    "title",  # ``large=True`` on a screen of its own
    "lead",  # the muted line under a title
    "fine",  # small print
    "body",
    "question",
    "prompt",  # a shorter question, after a session or a stop
    "flag",  # a red-flag question
    "verdict",
    "note",
    "header",  # the session's name above the countdown
    "clock",  # the session's time left
    "upNext",
)
"""Every value of the ``role`` property the style sheet has a rule for."""


def style_sheet(p: Palette, scale: float = 1.0) -> str:
    """The whole application's style sheet in palette ``p``, every font size times ``scale``
    (the text size setting).

    Role rules come after the general ones: on equal specificity the role wins.
    """

    def px(size: int) -> int:
        return max(1, round(size * scale))

    def row(size: int) -> int:
        """The session's control row (the stop button in it) and the eleven numbers of
        the pain scale always fit in their row: they grow no larger than the usual size."""
        return max(1, round(size * min(scale, 1.0)))

    phases = "\n".join(f'QLabel[phase="{t}"] {{ color: {p.phase(t)}; }}' for t in PHASE_TONES)
    sides = "\n".join(
        f'QLabel[side="{s}"] {{ background: {p.phase(s)}; color: {p.on_accent}; '
        "border-radius: 14px; padding: 4px 18px; }"
        for s in ("left", "right")
    )
    return f"""
QWidget {{ background: {p.background}; color: {p.text}; font-size: {px(16)}px; }}
QLabel {{ background: transparent; }}
QPushButton {{
    background: {p.panel}; border: 2px solid {p.border}; border-radius: 12px;
    padding: 10px 18px; font-size: {px(18)}px; font-weight: 600;
}}
QPushButton:hover {{ border-color: {p.accent}; }}
QPushButton:pressed {{ background: {p.pressed}; }}
QPushButton:disabled {{ color: {p.disabled_text}; border-color: {p.disabled_border}; }}
QPushButton:focus {{ border-color: {p.accent}; }}
QScrollArea[role="reading"] {{ border: 2px solid transparent; border-radius: 6px; }}
QScrollArea[role="reading"]:focus {{ border-color: {p.accent}; }}
QCheckBox::indicator {{
    width: {px(20)}px; height: {px(20)}px; border: 2px solid {p.muted}; border-radius: 4px;
    background: {p.panel};
}}
QCheckBox::indicator:checked {{ background: {p.accent}; border-color: {p.accent}; }}
QCheckBox:focus {{ background: {p.selection}; border-radius: 6px; }}
QSlider::groove:horizontal {{ height: 8px; background: {p.ring_track}; border-radius: 4px; }}
QSlider::sub-page:horizontal {{ background: {p.accent}; border-radius: 4px; }}
QSlider::handle:horizontal {{
    background: {p.accent}; width: 24px; margin: -8px 0; border-radius: 12px;
}}
QSlider::handle:horizontal:focus {{ background: {p.text}; }}
QSlider:focus {{ background: {p.selection}; border-radius: 6px; }}
QComboBox {{
    background: {p.panel}; border: 2px solid {p.border}; border-radius: 6px; padding: 4px 8px;
}}
QSpinBox {{
    background: {p.panel}; border: 2px solid {p.border}; border-radius: 6px; padding: 4px 8px;
}}
QSpinBox::up-button, QSpinBox::down-button {{ width: 0; border: none; }}
QComboBox:focus, QSpinBox:focus {{ border-color: {p.accent}; }}
QComboBox QAbstractItemView {{
    background: {p.panel}; color: {p.text}; selection-background-color: {p.selection};
    selection-color: {p.text};
}}
QListWidget {{ background: {p.panel}; border: 1px solid {p.list_border}; border-radius: 12px; }}
QListWidget::item {{ padding: 2px; border-bottom: 1px solid {p.list_divider}; }}
QListWidget::item:selected {{ background: {p.selection}; color: {p.text}; }}
QProgressBar {{
    background: {p.ring_track}; border: none; border-radius: 6px; height: 12px;
    text-align: center; font-size: 1px; color: transparent;
}}
QProgressBar::chunk {{ background: {p.accent}; border-radius: 6px; }}
QPushButton[role="hero"], QPushButton[role="primary"] {{
    background: {p.accent}; color: {p.on_accent}; border: none;
}}
QPushButton[role="hero"] {{ font-size: {px(22)}px; padding: 14px 32px; }}
QPushButton[role="primary"]:disabled {{ background: {p.accent_disabled}; }}
QPushButton[role="stop"] {{
    background: {p.pain}; color: {p.on_accent}; border: 3px solid {p.pain_dark};
    font-size: {px(24)}px; font-weight: 800; padding: 14px 24px;
}}
QPushButton[role="stop"]:pressed {{ background: {p.pain_dark}; }}
QPushButton[role="answer"]:checked, QPushButton[role="scale"]:checked {{
    background: {p.accent}; color: {p.on_accent};
}}
QPushButton[role="answer"][tone="warning"]:checked {{ background: {p.pain_dark}; }}
QPushButton[role="scale"] {{ padding: 4px; font-size: {row(18)}px; }}
QPushButton[role="close"] {{ padding: 0; font-size: {px(20)}px; }}
QPushButton[compact="false"] {{ font-size: {row(18)}px; }}
QPushButton[role="stop"][compact="false"] {{ font-size: {row(24)}px; }}
QPushButton[compact="true"] {{ padding: 8px 6px; font-size: {row(16)}px; }}
QPushButton[role="stop"][compact="true"] {{ font-size: {row(20)}px; padding: 12px 10px; }}
QFrame[role="caution"] {{
    background: {p.caution_bg}; border: 2px solid {p.caution_border}; border-radius: 10px;
}}
QFrame[role="banner"] {{
    background: {p.banner_bg}; border: 1px solid {p.banner_border}; border-radius: 8px;
}}
QFrame[role="overlay"] {{ background: {p.overlay}; border-radius: 16px; }}
QFrame[role="overlay"] QLabel {{ color: {p.overlay_text}; font-size: {px(20)}px; }}
[role="title"] {{ font-size: {px(30)}px; font-weight: 800; }}
[role="title"][large="true"] {{ font-size: {px(34)}px; }}
[role="lead"] {{ font-size: {px(18)}px; color: {p.muted}; }}
[role="fine"] {{ font-size: {px(14)}px; color: {p.muted}; }}
[role="body"] {{ font-size: {px(18)}px; }}
[role="question"] {{ font-size: {px(20)}px; font-weight: 600; }}
[role="prompt"] {{ font-size: {px(19)}px; font-weight: 600; }}
[role="flag"] {{ font-size: {px(19)}px; }}
[role="verdict"] {{ font-size: {px(20)}px; font-weight: 700; }}
[role="note"] {{ font-size: {px(17)}px; }}
[role="header"] {{ font-size: {px(20)}px; font-weight: 700; }}
[role="clock"] {{ font-size: {px(20)}px; }}
[role="upNext"] {{ font-size: {px(20)}px; color: {p.muted}; }}
QLabel[tone="warning"] {{ color: {p.pain_dark}; }}
QLabel[tone="good"] {{ color: {p.accent}; }}
{phases}
{sides}
"""


def apply_theme(
    target: QApplication | QWidget, palette: Palette = LIGHT, scale: float = 1.0
) -> None:
    """Style ``target`` (a window, or the whole application) in ``palette``, text ``scale``."""
    target.setStyleSheet(style_sheet(palette, scale))
    target.setPalette(qt_palette(palette))  # what the style draws itself: arrows, sliders
    target.setProperty(_PROPERTY, palette)
    target.setProperty(_SCALE, scale)


def qt_palette(p: Palette) -> QPalette:
    """Qt's palette in the theme's colours, for what the style sheet leaves to the style
    (spin box and combo box arrows, slider grooves, focus frames, popups)."""
    qp = QPalette()
    role = QPalette.ColorRole
    for r, colour in (
        (role.Window, p.background),
        (role.WindowText, p.text),
        (role.Base, p.panel),
        (role.AlternateBase, p.pressed),
        (role.Text, p.text),
        (role.Button, p.panel),
        (role.ButtonText, p.text),
        (role.Highlight, p.accent),
        (role.HighlightedText, p.on_accent),
        (role.PlaceholderText, p.muted),
        (role.ToolTipBase, p.panel),
        (role.ToolTipText, p.text),
        (role.Mid, p.border),
        (role.Dark, p.border),
        (role.Light, p.panel),
    ):
        qp.setColor(r, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        qp.setColor(disabled, r, QColor(p.disabled_text))
    return qp


def _found(widget: QWidget, name: str) -> object:
    """The property ``name`` of the widget, its nearest ancestor that has it, or the app."""
    w: QWidget | None = widget
    while w is not None:
        found = w.property(name)
        if found is not None:
            return found
        w = w.parentWidget()
    app = QApplication.instance()
    return app.property(name) if app is not None else None


def scale_of(widget: QWidget) -> float:
    """The text scale applied to the widget's window (or the application); 1 if none."""
    found = _found(widget, _SCALE)
    return float(found) if isinstance(found, int | float) else 1.0


def font_px(widget: QWidget, base: int) -> int:
    """A font size of ``base`` px in the widget's text scale (for sizes in inline HTML)."""
    return max(1, round(base * scale_of(widget)))


def palette_of(widget: QWidget) -> Palette:
    """The palette applied to the widget's window (or the application); LIGHT if none."""
    found = _found(widget, _PROPERTY)
    return found if isinstance(found, Palette) else LIGHT


def set_role(widget: QWidget, role: str, **properties: object) -> None:
    """Say what ``widget`` is (and its other styling properties), before it is shown."""
    widget.setProperty("role", role)
    for name, value in properties.items():
        widget.setProperty(name, value)


def restyle(widget: QWidget, **properties: object) -> None:
    """Change styling properties (``tone``, ``phase``...) of a widget that may be showing:
    the style sheet is looked at again only when one really changed."""
    changed = False
    for name, value in properties.items():
        if widget.property(name) != value:
            widget.setProperty(name, value)
            changed = True
    if changed:
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)
        QApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))  # as setStyleSheet does
        widget.update()
