"""What the voice does for each engine event: what is said, which sound plays, what stops.

The policy only; playing it is the UI's job (``ui.audio.voice.Voice``). Time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sciatica_timer.core.engine import Event, EventKind
from sciatica_timer.core.timeline import CueKind

PAIN_STOP_SENTENCE = "Stopping now. Rest, and breathe slowly."
PAUSED_TEXT = "Paused"
RESUMED_TEXT = "Resuming"
EVENT_TEXTS = (PAIN_STOP_SENTENCE, PAUSED_TEXT, RESUMED_TEXT)
"""What is said for events rather than cues (rendered ahead with the first cue)."""
LATE_LIMIT_S = 1.5
"""A cue due longer ago than this is dropped (except "Session complete")."""
PENDING_LIMIT_S = 1.0
"""A cue rendered on demand is still played if it is ready this soon after it was asked."""
RATE_RANGE = (80, 300)
"""Words a minute (the settings file, the speed slider and the engine share it)."""


class Verbosity(StrEnum):
    FULL = "full"
    SHORT = "short"
    BEEPS = "beeps"
    SILENT = "silent"


class Sound(StrEnum):
    """The short sounds (``assets/sounds/<name>.wav``)."""

    TICK = "tick"
    CHIME = "chime"
    END = "end"


_SHORT_KINDS = frozenset(
    {
        CueKind.GET_READY,
        CueKind.ANNOUNCE,
        CueKind.TEN_SECONDS,
        CueKind.COUNTDOWN,
        CueKind.REP,
        CueKind.SWITCH,
        CueKind.REST,
        CueKind.HOLD,
        CueKind.RELEASE,
        CueKind.COMPLETE,
        CueKind.CHECK,
    }
)
SPOKEN_KINDS: dict[Verbosity, frozenset[CueKind]] = {
    Verbosity.FULL: frozenset(CueKind),
    Verbosity.SHORT: _SHORT_KINDS,
    Verbosity.BEEPS: frozenset(),
    Verbosity.SILENT: frozenset(),
}
"""Short drops the reminder, "halfway" and "next: ..."; it keeps sides, counts and changes."""
TICKED_KINDS = frozenset({CueKind.COUNTDOWN, CueKind.REP})
"""Cues that tick when they are not spoken."""


def speaks(kind: CueKind, verbosity: Verbosity) -> bool:
    """Whether a cue of this kind is spoken at this verbosity."""
    return kind in SPOKEN_KINDS[verbosity]


def talks(verbosity: Verbosity) -> bool:
    """Whether this verbosity speaks at all (pause, resume and the pain-stop sentence)."""
    return verbosity in (Verbosity.FULL, Verbosity.SHORT)


@dataclass(frozen=True)
class SpeechSettings:
    """The voice and sound settings the window exposes; rate and volume are clamped."""

    voice_on: bool = True
    voice_id: str | None = None
    rate: int = 150
    volume: float = 0.9
    verbosity: Verbosity = Verbosity.FULL
    sounds_on: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", max(RATE_RANGE[0], min(RATE_RANGE[1], int(self.rate))))
        object.__setattr__(self, "volume", max(0.0, min(1.0, float(self.volume))))
        object.__setattr__(self, "verbosity", Verbosity(self.verbosity))

    @property
    def speaking(self) -> bool:
        """Anything is spoken at all."""
        return self.voice_on and talks(self.verbosity)

    @property
    def sounding(self) -> bool:
        """The short sounds are played."""
        return self.sounds_on and self.verbosity is not Verbosity.SILENT


def verbosity_named(name: str) -> Verbosity:
    """The verbosity a settings file names; full for a name it does not know."""
    return Verbosity(name) if name in {v.value for v in Verbosity} else Verbosity.FULL


@dataclass(frozen=True)
class Say:
    text: str
    until: float
    """Rendered on demand, it is still played if ready by then (the caller's ``now`` clock)."""


@dataclass(frozen=True)
class Play:
    sound: Sound


@dataclass(frozen=True)
class Reaction:
    """What to do for one event: first cut off what plays (``stop``), then say or play."""

    stop: bool = False
    """Cut off what plays and drop what waits to be said."""
    then: Say | Play | None = None
    silenced: bool = False
    """Nothing more is said or played until the next start (after a pain stop)."""


def react(
    event: Event, settings: SpeechSettings, *, muted: bool, silenced: bool, now: float
) -> Reaction:
    """The voice's answer to one engine event; ``silenced`` is the last reaction's.

    A pain stop cuts everything off, says the pain-stop sentence and silences the rest of
    the session; pause cuts off and says "Paused"; a late cue is dropped, but never
    "Session complete"; a countdown or rep that is not spoken ticks. Muted: nothing is
    said or played (a stop still stops).
    """
    kind = event.kind
    if kind is EventKind.STARTED:
        silenced = False
    if silenced:
        return Reaction(silenced=True)

    def say(text: str) -> Say | None:
        if muted or not settings.voice_on:
            return None
        return Say(text, now + PENDING_LIMIT_S)

    def play(sound: Sound) -> Play | None:
        return None if muted or not settings.sounding else Play(sound)

    talking = talks(settings.verbosity)
    if kind is EventKind.PAIN_STOP:
        return Reaction(True, say(PAIN_STOP_SENTENCE) if talking else None, silenced=True)
    if kind is EventKind.PAUSED:
        return Reaction(True, say(PAUSED_TEXT) if talking else None)
    if kind is EventKind.ENDED:
        return Reaction(True)
    if kind is EventKind.RESUMED:
        return Reaction(then=say(RESUMED_TEXT) if talking else None)
    if kind is EventKind.PHASE_STARTED:
        return Reaction(then=play(Sound.CHIME))
    if kind is EventKind.COMPLETED:
        return Reaction(then=play(Sound.END))
    cue = event.cue
    if kind is not EventKind.CUE or cue is None:
        return Reaction()
    if event.late_ns > LATE_LIMIT_S * 1e9 and cue.kind is not CueKind.COMPLETE:
        return Reaction()
    if speaks(cue.kind, settings.verbosity) and settings.voice_on:
        return Reaction(then=say(cue.text))
    if cue.kind in TICKED_KINDS:
        return Reaction(then=play(Sound.TICK))
    return Reaction()
