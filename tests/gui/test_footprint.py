"""What keeps a session's resident memory in budget (figures: ``make bench``).

Each test pins one mechanism, in a fresh process: a session with voice and sounds on,
playing into the test session's private sound server, never maps OpenSSL or QtMultimedia's
FFmpeg backend, and start-up leaves no source lines cached.
"""

from __future__ import annotations

import json
from pathlib import Path

from support.processes import run_python
from support.sound_server import SoundServer

ROOT = Path(__file__).resolve().parents[2]

SESSION = """
import json, linecache, sys
from PySide6.QtWidgets import QApplication; app = QApplication([])
from PySide6.QtCore import QEventLoop, QTimer
from sciatica_timer.app import build
from sciatica_timer.cli import parse_args
ctx = build(parse_args(['--data-dir', sys.argv[1]]))
cached = sum(len(entry[2]) for entry in linecache.cache.values() if len(entry) > 2)
ctx.window.resize(1366, 768); ctx.window.show()
ctx.window.start_routine('sciatica-foam-roll')
loop = QEventLoop(); QTimer.singleShot(1500, loop.quit); loop.exec()
speaking = ctx.voice.speaker is not None and ctx.voice.speaker.is_playing()
maps = open('/proc/self/maps').read()
ctx.close()
print(json.dumps({
    'cached_lines': cached,
    'speaking': speaking,
    'libcrypto': 'libcrypto' in maps,
    'ffmpeg': 'ffmpegmediaplugin' in maps or 'libavcodec' in maps,
    'hashlib_backend': sys.modules['hashlib'].sha256.__module__,
}))
"""


def test_a_spoken_session_maps_neither_openssl_nor_ffmpeg(
    tmp_path: Path, sound_server: SoundServer
) -> None:
    """Voice and sounds on, a cue being said: no libcrypto (3.3 MB; hashes are Python's
    own), no FFmpeg media backend (12 MB; WAVs need none), and start-up's source lines
    read by PySide6's import hook (about 5 MB) are dropped."""
    run = run_python(SESSION, str(tmp_path))
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["speaking"] is True
    assert seen["libcrypto"] is False and seen["ffmpeg"] is False
    assert seen["hashlib_backend"] != "_hashlib"  # Python's own SHA-256, not OpenSSL's
    assert seen["cached_lines"] < 1000
