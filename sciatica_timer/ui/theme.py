"""Colours and the style sheet: calm, high contrast, readable from the floor.

Widgets say what they are with a dynamic property, ``role`` (and for a few, ``tone``,
``phase``, ``side`` or ``compact``); the one style sheet, generated from a ``Palette``,
says how each looks. A dark or high-contrast theme is one more ``Palette(...)`` value.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget

_PROPERTY = "themePalette"


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
    accent="#2a9d8f",
    on_accent="white",
    accent_disabled="#b9d9d4",
    ring_track="#e3e0d8",
    left="#1d5fa8",  # deep blue
    right="#b8520f",  # burnt orange
    hold="#7b4fa0",
    rest="#6c8a7a",
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
)

PRINT = LIGHT
"""The report's colours: paper is white whatever the screen's theme."""

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


def style_sheet(p: Palette) -> str:
    """The whole application's style sheet in palette ``p``.

    Role rules come after the general ones: on equal specificity the role wins.
    """
    phases = "\n".join(f'QLabel[phase="{t}"] {{ color: {p.phase(t)}; }}' for t in PHASE_TONES)
    sides = "\n".join(
        f'QLabel[side="{s}"] {{ background: {p.phase(s)}; color: {p.on_accent}; '
        "border-radius: 14px; padding: 4px 18px; }"
        for s in ("left", "right")
    )
    return f"""
QWidget {{ background: {p.background}; color: {p.text}; font-size: 16px; }}
QLabel {{ background: transparent; }}
QPushButton {{
    background: {p.panel}; border: 2px solid {p.border}; border-radius: 12px;
    padding: 10px 18px; font-size: 18px; font-weight: 600;
}}
QPushButton:hover {{ border-color: {p.accent}; }}
QPushButton:pressed {{ background: {p.pressed}; }}
QPushButton:disabled {{ color: {p.disabled_text}; border-color: {p.disabled_border}; }}
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
QPushButton[role="hero"] {{ font-size: 22px; padding: 14px 32px; }}
QPushButton[role="primary"]:disabled {{ background: {p.accent_disabled}; }}
QPushButton[role="stop"] {{
    background: {p.pain}; color: {p.on_accent}; border: 3px solid {p.pain_dark};
    font-size: 24px; font-weight: 800; padding: 14px 24px;
}}
QPushButton[role="stop"]:pressed {{ background: {p.pain_dark}; }}
QPushButton[role="answer"]:checked, QPushButton[role="scale"]:checked {{
    background: {p.accent}; color: {p.on_accent};
}}
QPushButton[role="answer"][tone="warning"]:checked {{ background: {p.pain_dark}; }}
QPushButton[role="scale"] {{ padding: 4px; }}
QPushButton[role="close"] {{ padding: 0; font-size: 20px; }}
QPushButton[compact="true"] {{ padding: 8px 6px; font-size: 16px; }}
QPushButton[role="stop"][compact="true"] {{ font-size: 20px; padding: 12px 10px; }}
QFrame[role="caution"] {{
    background: {p.caution_bg}; border: 2px solid {p.caution_border}; border-radius: 10px;
}}
QFrame[role="banner"] {{
    background: {p.banner_bg}; border: 1px solid {p.banner_border}; border-radius: 8px;
}}
QFrame[role="overlay"] {{ background: {p.overlay}; border-radius: 16px; }}
QFrame[role="overlay"] QLabel {{ color: {p.overlay_text}; font-size: 20px; }}
[role="title"] {{ font-size: 30px; font-weight: 800; }}
[role="title"][large="true"] {{ font-size: 34px; }}
[role="lead"] {{ font-size: 18px; color: {p.muted}; }}
[role="fine"] {{ font-size: 14px; color: {p.muted}; }}
[role="body"] {{ font-size: 18px; }}
[role="question"] {{ font-size: 20px; font-weight: 600; }}
[role="prompt"] {{ font-size: 19px; font-weight: 600; }}
[role="flag"] {{ font-size: 19px; }}
[role="verdict"] {{ font-size: 20px; font-weight: 700; }}
[role="note"] {{ font-size: 17px; }}
[role="header"] {{ font-size: 20px; font-weight: 700; }}
[role="clock"] {{ font-size: 20px; }}
[role="upNext"] {{ font-size: 20px; color: {p.muted}; }}
QLabel[tone="warning"] {{ color: {p.pain_dark}; }}
QLabel[tone="good"] {{ color: {p.accent}; }}
{phases}
{sides}
"""


def apply_theme(target: QApplication | QWidget, palette: Palette = LIGHT) -> None:
    """Style ``target`` (a window, or the whole application) in ``palette``."""
    target.setStyleSheet(style_sheet(palette))
    target.setProperty(_PROPERTY, palette)


def palette_of(widget: QWidget) -> Palette:
    """The palette applied to the widget's window (or the application); LIGHT if none."""
    w: QWidget | None = widget
    while w is not None:
        found = w.property(_PROPERTY)
        if isinstance(found, Palette):
            return found
        w = w.parentWidget()
    app = QApplication.instance()
    found = app.property(_PROPERTY) if app is not None else None
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
