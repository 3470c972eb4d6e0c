"""Time as an argument: a clock protocol and the real monotonic clock.

All times are integer nanoseconds so that pausing, resuming and adding time are exact.
"""

from __future__ import annotations

import time
from typing import Protocol

NS_PER_S = 1_000_000_000


class Clock(Protocol):
    """Something that tells the monotonic time in nanoseconds."""

    def now_ns(self) -> int: ...

    def wait_until_ns(self, deadline_ns: int) -> int:
        """Return at ``deadline_ns`` (for waits under a millisecond); the time then."""
        ...


class MonotonicClock:
    """The system's monotonic clock: never jumps with wall-clock changes."""

    def now_ns(self) -> int:
        return time.monotonic_ns()

    def wait_until_ns(self, deadline_ns: int) -> int:
        left = deadline_ns - time.monotonic_ns()
        if left > 0:
            time.sleep(left / NS_PER_S)
        return time.monotonic_ns()


class FakeClock:
    """A clock that only moves when told to: tests run long sessions instantly."""

    def __init__(self, start_ns: int = 1_000 * NS_PER_S) -> None:
        self._now = start_ns

    def now_ns(self) -> int:
        return self._now

    def advance(self, seconds: float) -> int:
        self._now += round(seconds * NS_PER_S)
        return self._now

    def set_ns(self, value: int) -> None:
        self._now = value

    def wait_until_ns(self, deadline_ns: int) -> int:
        self._now = max(self._now, deadline_ns)  # waiting is time passing
        return self._now
