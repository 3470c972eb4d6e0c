"""Colours and the style sheet: calm, high contrast, readable from the floor."""

BACKGROUND = "#f6f4ef"
PANEL = "#ffffff"
TEXT = "#1f2a30"
MUTED = "#5b6870"
ACCENT = "#2a9d8f"
RING_TRACK = "#e3e0d8"
LEFT = "#1d5fa8"  # deep blue, with a left arrow
RIGHT = "#b8520f"  # burnt orange, with a right arrow
HOLD = "#7b4fa0"
REST = "#6c8a7a"
PAIN = "#c62828"
PAIN_DARK = "#8e1b1b"
CAUTION_BG = "#fff4e0"
CAUTION_BORDER = "#e0a040"

STYLE_SHEET = f"""
QWidget {{ background: {BACKGROUND}; color: {TEXT}; font-size: 16px; }}
QLabel {{ background: transparent; }}
QPushButton {{
    background: {PANEL}; border: 2px solid #cfcac0; border-radius: 12px;
    padding: 10px 18px; font-size: 18px; font-weight: 600;
}}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:pressed {{ background: #ebe7df; }}
QPushButton:disabled {{ color: #a9a9a9; border-color: #e3e0d8; }}
QPushButton#startButton, QPushButton#homeButton {{
    background: {ACCENT}; color: white; border: none; font-size: 22px; padding: 14px 32px;
}}
QPushButton#painStopButton {{
    background: {PAIN}; color: white; border: 3px solid {PAIN_DARK};
    font-size: 24px; font-weight: 800; padding: 14px 24px;
}}
QPushButton#painStopButton:pressed {{ background: {PAIN_DARK}; }}
QListWidget {{ background: {PANEL}; border: 1px solid #ddd8ce; border-radius: 12px; }}
QListWidget::item {{ padding: 2px; border-bottom: 1px solid #eeeae2; }}
QListWidget::item:selected {{ background: #dff1ee; color: {TEXT}; }}
QProgressBar {{
    background: {RING_TRACK}; border: none; border-radius: 6px; height: 12px;
    text-align: center; font-size: 1px; color: transparent;
}}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 6px; }}
QFrame#caution {{
    background: {CAUTION_BG}; border: 2px solid {CAUTION_BORDER}; border-radius: 10px;
}}
QFrame#banner {{ background: #fff8d6; border: 1px solid #e6d27a; border-radius: 8px; }}
QFrame#keysOverlay {{ background: rgba(31, 42, 48, 235); border-radius: 16px; }}
QFrame#keysOverlay QLabel {{ color: white; font-size: 20px; }}
"""
