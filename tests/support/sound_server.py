"""A private PulseAudio server with one null sink: real playback, with no sound card.

The test session starts one (tests/conftest.py) and points ``PULSE_SERVER`` at it, so
QtMultimedia finds a real output called "Null Output", really plays into it, and the
monitor of that sink can be recorded to check what was heard. Tests never reach the
developer's own speakers.
"""

from __future__ import annotations

import array
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SINK = "mat"


class SoundServer:
    """One ``pulseaudio`` process serving a socket in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "pulse.sock"
        self.address = f"unix:{self.socket}"
        self.problem: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> bool:
        """Start the server; False (with ``problem`` set) when it cannot run here."""
        binary = shutil.which("pulseaudio")
        if binary is None:
            self.problem = (
                "the tests play sound into a private PulseAudio server: "
                "sudo apt-get install pulseaudio pulseaudio-utils"
            )
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "pulseaudio.log").open("wb")
        env = {"HOME": str(self.folder), "XDG_RUNTIME_DIR": str(self.folder), "PATH": "/usr/bin"}
        self._process = subprocess.Popen(
            [
                binary,
                "--daemonize=no",
                "-n",  # no default.pa: only the modules below
                "--exit-idle-time=-1",
                "--disable-shm=yes",
                "--log-target=stderr",
                "--log-level=error",
                "-L",
                f"module-null-sink sink_name={SINK}",
                "-L",
                f"module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()  # the server has its own copy
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.socket.exists() and self._pactl("info").returncode == 0:
                return True
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        said = (self.folder / "pulseaudio.log").read_text(errors="replace")[-500:]
        self.problem = f"the private PulseAudio server did not start: {said}"
        self.stop()
        return False

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None

    def _pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", "--server", self.address, *args],
            capture_output=True,
            text=True,
            timeout=10,
        )

    def record(self, sink: str = SINK) -> Recording:
        """Start recording what a sink plays (stop it with ``Recording.stop``)."""
        return Recording(self.address, sink)

    def add_sink(self, name: str) -> str:
        """Another null sink (like headphones being plugged in); returns its module id."""
        return self._pactl("load-module", "module-null-sink", f"sink_name={name}").stdout.strip()

    def add_microphone(self, name: str = "mic") -> str:
        """A microphone that hears what the null sink plays (the app's own speech included, as
        a laptop's microphone hears its speakers), made the default input. A virtual source,
        since Qt lists no monitor as an input. Returns its module id."""
        if name in self._pactl("list", "short", "sources").stdout.split():
            self._pactl("set-default-source", name)
            return ""  # made by an earlier test
        module = self._pactl(
            "load-module", "module-virtual-source", f"source_name={name}", f"master={SINK}.monitor"
        ).stdout.strip()
        self._pactl("set-default-source", name)
        return module

    def play(self, path: Path, sink: str = SINK) -> None:
        """Play a WAV into the sink (so into the microphone too), to its end."""
        subprocess.run(
            ["paplay", "--server", self.address, f"--device={sink}", str(path)],
            check=True,
            timeout=60,
        )

    def remove_sink(self, module: str) -> None:
        self._pactl("unload-module", module)

    def set_default(self, sink: str) -> None:
        self._pactl("set-default-sink", sink)

    def playing_on(self) -> list[str]:
        """The sinks that streams are playing into now, by name."""
        sinks = {
            fields[0]: fields[1]
            for line in self._pactl("list", "short", "sinks").stdout.splitlines()
            if len(fields := line.split()) > 1
        }
        return [
            sinks.get(fields[1], fields[1])
            for line in self._pactl("list", "short", "sink-inputs").stdout.splitlines()
            if len(fields := line.split()) > 1
        ]


@contextmanager
def private_sound_server(who: str) -> Iterator[SoundServer]:
    """A private server for this process and the ones it starts (through ``PULSE_SERVER``),
    stopped at the end; exits with the reason when it cannot start (for the benches)."""
    server = SoundServer(Path(tempfile.mkdtemp(prefix="sciatica-pulse-")))
    if not server.start():
        raise SystemExit(f"{who}: {server.problem}")
    os.environ["PULSE_SERVER"] = server.address
    try:
        yield server
    finally:
        server.stop()


class Recording:
    """Raw 16-bit mono samples of the null sink's monitor, recorded by ``parec``."""

    RATE = 8000

    def __init__(self, address: str, sink: str = SINK) -> None:
        self._process = subprocess.Popen(
            [
                "parec",
                "--server",
                address,
                "--device",
                f"{sink}.monitor",
                "--raw",
                "--format=s16le",
                f"--rate={self.RATE}",
                "--channels=1",
                "--latency-msec=20",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        # Read as it comes: a full pipe would stall parec and the server would drop audio.
        self._data = bytearray()
        self._started = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._started.wait(5):  # recording for real before anything is played
            raise RuntimeError("parec delivered nothing")

    def _read(self) -> None:
        assert self._process.stdout is not None
        while chunk := self._process.stdout.read1(4096):
            self._data += chunk
            self._started.set()

    def stop(self) -> array.array[int]:
        self._process.terminate()
        self._process.wait(timeout=5)
        self._reader.join(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()
        samples = array.array("h")
        samples.frombytes(bytes(self._data[: len(self._data) // 2 * 2]))
        return samples


def loud_seconds(
    samples: array.array[int], rate: int = Recording.RATE, threshold: int = 500
) -> float:
    """How many seconds of the recording carry sound above a faint hiss (20 ms windows)."""
    window = rate // 50
    loud = sum(
        1
        for i in range(0, len(samples) - window + 1, window)
        if max(abs(s) for s in samples[i : i + window]) > threshold
    )
    return loud * window / rate


def wav_loud_seconds(path: Path) -> float:
    """``loud_seconds`` of a 16-bit mono WAV file, to compare with what was recorded."""
    with wave.open(str(path)) as wav:
        samples = array.array("h")
        samples.frombytes(wav.readframes(wav.getnframes()))
        return loud_seconds(samples, wav.getframerate())
