"""The theme: one style sheet from a palette, roles that have rules, colours only from it;
and the keys table that both the shortcuts and the keys help are built from."""

from __future__ import annotations

import re
from dataclasses import fields, replace

from actions import click
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.app import AppContext
from sciatica_timer.core.engine import ADD_TIME_S, HOLD_DEFAULT_S
from sciatica_timer.ui.screens.main_window import KEYS
from sciatica_timer.ui.theme import (
    LIGHT,
    PHASE_TONES,
    ROLES,
    Palette,
    apply_theme,
    palette_of,
    restyle,
    style_sheet,
)


def _other_palette() -> Palette:
    """A second palette with every colour different from LIGHT's (as a dark theme would be)."""
    return replace(LIGHT, **{f.name: f"#0000{i:02x}" for i, f in enumerate(fields(Palette))})


def test_every_role_has_a_rule_in_any_palette() -> None:
    """A new palette is enough for a new theme: each role, phase tone and side has a rule."""
    for palette in (LIGHT, _other_palette()):
        sheet = style_sheet(palette)
        for role in ROLES:
            assert f'[role="{role}"]' in sheet, role
        for tone in PHASE_TONES:
            assert f'[phase="{tone}"]' in sheet, tone
        for side in ("left", "right"):
            assert f'[side="{side}"]' in sheet, side


def test_the_sheet_takes_every_colour_from_the_palette() -> None:
    """No colour is written into the sheet: a palette sharing none of LIGHT's colours gives
    a sheet containing none of them, and every palette colour is used."""
    other = _other_palette()
    sheet = style_sheet(other)
    light_colours = {getattr(LIGHT, f.name) for f in fields(Palette)}
    named = set(re.findall(r"#[0-9a-fA-F]{6}\b|rgba\([^)]*\)|\bwhite\b", sheet))
    assert not named & light_colours
    painted_only = {"figure", "region", "picture"}  # the body map's, the picture's backdrop
    for name in {f.name for f in fields(Palette)} - painted_only:
        assert getattr(other, name) in sheet, name


def test_a_second_palette_applies_without_a_parse_warning(qtbot: QtBot) -> None:
    """Qt parses the generated sheet (a parse failure would be a Qt warning: a failure)."""
    window = QWidget()
    qtbot.addWidget(window)
    label = QLabel("x", window)
    label.setProperty("role", "title")
    apply_theme(window, _other_palette())
    window.show()
    assert label.font().pixelSize() == 30


def test_a_widget_finds_its_windows_palette(qtbot: QtBot) -> None:
    """Painted widgets read the palette applied to their window; LIGHT when there is none."""
    other = _other_palette()
    window = QWidget()
    qtbot.addWidget(window)
    child = QWidget()
    QVBoxLayout(window).addWidget(child)
    loose = QWidget()
    qtbot.addWidget(loose)
    apply_theme(window, other)
    assert palette_of(child) is other
    assert palette_of(loose) is LIGHT


def test_restyle_changes_what_a_shown_widget_looks_like(qtbot: QtBot) -> None:
    """A phase property set after the widget is shown recolours it at once."""
    window = QWidget()
    qtbot.addWidget(window)
    label = QLabel("LEFT", window)
    apply_theme(window, LIGHT)
    window.show()
    for tone in ("left", "right", "hold"):
        restyle(label, phase=tone)
        assert label.palette().color(QPalette.ColorRole.WindowText).name() == LIGHT.phase(tone)


def test_widgets_set_no_colours_of_their_own(ctx: AppContext, qtbot: QtBot) -> None:
    """Only font sizes fitted to the window are set on a widget itself; colours, borders and
    spacing come from the theme (every screen visited)."""
    window = ctx.window
    click(ctx, qtbot, "startButton")
    _ = window.session, window.done, window.safety, window.settings_page
    window.session.fit_fonts(window.height())
    own = [w.styleSheet() for w in window.findChildren(QWidget) if w.styleSheet()]
    assert own, "the fitted labels size their fonts"
    for sheet in own:
        assert re.fullmatch(r"font-size: \d+px; (font-weight: 800;)?", sheet), sheet


def test_every_key_in_the_help_has_a_shortcut_and_every_shortcut_is_in_the_table(
    ctx: AppContext,
) -> None:
    """The keys help and the shortcuts come from one table, so they cannot drift apart."""
    window = ctx.window
    overlay = window.keys_overlay
    labels = [label.text() for label in overlay.findChildren(QLabel)]
    rows = list(zip(labels[::2], labels[1::2], strict=True))
    assert rows == [(f"<b>{k.shown}</b>", k.what) for k in KEYS if k.shown]
    assert all(k.bindings for k in KEYS)
    table = sorted(QKeySequence(key).toString() for k in KEYS for key, _ in k.bindings)
    made = sorted(s.key().toString() for s in window.shortcuts)
    assert made == table


def test_the_time_words_come_from_the_engine(ctx: AppContext) -> None:
    """'+15 s', 'add 15 seconds' and the 20 s hold are the engine's own numbers."""
    session = ctx.window.session
    assert session.add_button.text() == f"+{ADD_TIME_S} s"
    assert f"Add {ADD_TIME_S} seconds" in session.add_button.toolTip()
    assert f"{HOLD_DEFAULT_S} s" in session.hold_button.toolTip()
    assert any(k.what == f"add {ADD_TIME_S} seconds" for k in KEYS)


def test_the_application_can_carry_the_theme(qtbot: QtBot) -> None:
    """apply_theme on the application: every window finds that palette."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    other = _other_palette()
    widget = QWidget()
    qtbot.addWidget(widget)
    try:
        apply_theme(app, other)
        assert palette_of(widget) is other
    finally:
        app.setStyleSheet("")
        app.setProperty("themePalette", None)
