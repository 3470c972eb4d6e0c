"""Every palette's text against its background: at least 4.5:1 (WCAG AA), 7:1 in high
contrast (AAA). Read from the palettes themselves, so a new colour cannot slip through."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest

from sciatica_timer.ui.theme import DARK, HIGH_CONTRAST, LIGHT, PRINT, THEMES, Palette

PAIRS = [
    # (text, background): every place the style sheet or a painter puts one on the other
    ("text", "background"),
    ("text", "panel"),
    ("text", "pressed"),
    ("text", "selection"),
    ("text", "banner_bg"),
    ("text", "caution_bg"),
    ("text", "region"),  # the body map's words
    ("muted", "background"),
    ("muted", "panel"),
    ("muted", "selection"),  # a home row's details when it is selected
    ("on_accent", "accent"),
    ("on_accent", "left"),
    ("on_accent", "right"),
    ("on_accent", "pain"),
    ("on_accent", "pain_dark"),  # a checked 'yes' that warns; the pressed stop button
    ("overlay_text", "overlay"),
    ("pain_dark", "background"),  # warnings
    ("pain_dark", "panel"),
    ("accent", "background"),  # 'good' notes
    ("left", "background"),  # the phase words and the countdown in the side's colour
    ("right", "background"),
    ("hold", "background"),
    ("rest", "background"),
]
"""Disabled text is left out, as WCAG allows (an inactive control)."""


def _rgb(colour: str) -> tuple[int, int, int]:
    if colour == "white":
        return 255, 255, 255
    if match := re.fullmatch(r"rgba\((\d+), (\d+), (\d+), (\d+)\)", colour):
        return int(match[1]), int(match[2]), int(match[3])
    assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_ratio_is_wcags() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_the_overlays_are_nearly_opaque() -> None:
    """The keys overlay is read as its own colour: it lets almost nothing through."""
    for palette in THEMES.values():
        alpha = int(palette.overlay.rsplit(",", 1)[1].strip(" )"))
        assert alpha >= 235


@pytest.mark.parametrize(
    ("name", "palette", "least"),
    [("light", LIGHT, 4.5), ("dark", DARK, 4.5), ("contrast", HIGH_CONTRAST, 7.0),
     ("print", PRINT, 4.5)],
)  # fmt: skip
def test_text_stands_out_from_its_background(name: str, palette: Palette, least: float) -> None:
    low = [
        f"{fg} on {bg}: {ratio:.2f}"
        for fg, bg in PAIRS
        if (ratio := contrast(getattr(palette, fg), getattr(palette, bg))) < least
    ]
    assert not low, f"{name}: {low}"


def test_every_theme_is_checked_and_every_colour_is_a_colour() -> None:
    assert set(THEMES.values()) == {LIGHT, DARK, HIGH_CONTRAST}
    for palette in THEMES.values():
        for f in fields(Palette):
            _rgb(getattr(palette, f.name))
