"""Question buttons take focus and are pressed by Space and Enter (issue 14)."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from sciatica_timer.ui.widgets.parts import big_button


def test_big_button_is_focusable_and_keys_press_it(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    button = big_button("I understand", "acceptDisclaimerButton")
    button.setParent(host)
    host.show()
    qtbot.waitExposed(host)
    assert button.focusPolicy() == Qt.FocusPolicy.StrongFocus
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
        with qtbot.waitSignal(button.clicked, timeout=1000):
            QTest.keyClick(button, key)
