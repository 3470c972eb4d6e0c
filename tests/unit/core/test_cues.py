"""The voice policy without a window: what is said or played for each engine event."""

from __future__ import annotations

import pytest

from sciatica_timer.core.clock import NS_PER_S
from sciatica_timer.core.cues import (
    EVENT_TEXTS,
    LATE_LIMIT_S,
    PAIN_STOP_SENTENCE,
    PAUSED_TEXT,
    PENDING_LIMIT_S,
    RESUMED_TEXT,
    Play,
    Reaction,
    Say,
    Sound,
    SpeechSettings,
    Verbosity,
    react,
    speaks,
    talks,
    verbosity_named,
)
from sciatica_timer.core.engine import Event, EventKind
from sciatica_timer.core.timeline import Cue, CueKind

NOW = 1000.0
FULL_ONLY = {CueKind.REMINDER, CueKind.HALFWAY, CueKind.NEXT}


def event(kind: EventKind) -> Event:
    return Event(kind, 0, None)


def cue(kind: CueKind, text: str = "Rest", late_s: float = 0.0) -> Event:
    return Event(EventKind.CUE, 0, None, Cue(0, kind, text), late_ns=round(late_s * NS_PER_S))


def react_to(
    e: Event,
    settings: SpeechSettings | None = None,
    *,
    muted: bool = False,
    silenced: bool = False,
) -> Reaction:
    return react(e, settings or SpeechSettings(), muted=muted, silenced=silenced, now=NOW)


def say(text: str) -> Say:
    return Say(text, NOW + PENDING_LIMIT_S)


# --- the verbosity table ------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CueKind))
def test_verbosity_table(kind: CueKind) -> None:
    """Full says everything; short drops reminder/halfway/next; beeps and silent say nothing."""
    assert speaks(kind, Verbosity.FULL)
    assert speaks(kind, Verbosity.SHORT) is (kind not in FULL_ONLY)
    assert not speaks(kind, Verbosity.BEEPS)
    assert not speaks(kind, Verbosity.SILENT)


def test_short_keeps_side_countdown_and_changes() -> None:
    """Short keeps the exercise-and-side announcement, the countdown and every change."""
    for kind in (CueKind.ANNOUNCE, CueKind.TEN_SECONDS, CueKind.COUNTDOWN, CueKind.SWITCH):
        assert speaks(kind, Verbosity.SHORT)
    for kind in (CueKind.REST, CueKind.HOLD, CueKind.RELEASE, CueKind.COMPLETE):
        assert speaks(kind, Verbosity.SHORT)
    assert [v for v in Verbosity if talks(v)] == [Verbosity.FULL, Verbosity.SHORT]


def test_settings_are_clamped() -> None:
    """Out-of-range rate and volume from a settings file are clamped, not rejected."""
    s = SpeechSettings(rate=1000, volume=3.0, verbosity="short")  # type: ignore[arg-type]
    assert (s.rate, s.volume, s.verbosity) == (300, 1.0, Verbosity.SHORT)
    assert SpeechSettings(rate=10, volume=-1).volume == 0.0


def test_an_unknown_verbosity_name_reads_as_full() -> None:
    """A settings file's verbosity name is used when known, full otherwise."""
    assert verbosity_named("beeps") is Verbosity.BEEPS
    assert verbosity_named("chatty") is Verbosity.FULL


# --- events -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verbosity", "said"),
    [
        (Verbosity.FULL, True),
        (Verbosity.SHORT, True),
        (Verbosity.BEEPS, False),
        (Verbosity.SILENT, False),
    ],
)
def test_a_pain_stop_cuts_off_says_the_sentence_and_silences(
    verbosity: Verbosity, said: bool
) -> None:
    """A pain stop always stops playback and silences the session; the sentence is said
    whenever the verbosity talks at all."""
    got = react_to(event(EventKind.PAIN_STOP), SpeechSettings(verbosity=verbosity))
    assert got == Reaction(True, say(PAIN_STOP_SENTENCE) if said else None, silenced=True)


def test_after_a_pain_stop_nothing_until_the_next_start() -> None:
    """Silenced, every event is ignored; the next start lifts it."""
    for e in (cue(CueKind.REST), event(EventKind.RESUMED), event(EventKind.PHASE_STARTED)):
        assert react_to(e, silenced=True) == Reaction(silenced=True)
    assert react_to(event(EventKind.STARTED), silenced=True) == Reaction()


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (EventKind.PAUSED, Reaction(True, say(PAUSED_TEXT))),
        (EventKind.RESUMED, Reaction(then=say(RESUMED_TEXT))),
        (EventKind.ENDED, Reaction(True)),
        (EventKind.PHASE_STARTED, Reaction(then=Play(Sound.CHIME))),
        (EventKind.COMPLETED, Reaction(then=Play(Sound.END))),
        (EventKind.STARTED, Reaction()),
        (EventKind.HOLD_STARTED, Reaction()),
        (EventKind.SKIPPED, Reaction()),
    ],
)
def test_each_event_kind_at_full(kind: EventKind, expected: Reaction) -> None:
    """Pause stops and says "Paused", resume says "Resuming", the end stops; a new phase
    chimes, completion plays the end sound; other events do nothing."""
    assert react_to(event(kind)) == expected


def test_beeps_keep_the_sounds_and_say_nothing() -> None:
    """At beeps, pause still stops (silently) and the chime still plays."""
    beeps = SpeechSettings(verbosity=Verbosity.BEEPS)
    assert react_to(event(EventKind.PAUSED), beeps) == Reaction(True)
    assert react_to(event(EventKind.RESUMED), beeps) == Reaction()
    assert react_to(event(EventKind.PHASE_STARTED), beeps) == Reaction(then=Play(Sound.CHIME))


@pytest.mark.parametrize("verbosity", list(Verbosity))
def test_a_cue_is_said_or_ticks_per_verbosity(verbosity: Verbosity) -> None:
    """A spoken cue is said; a countdown or rep not spoken ticks (never at silent); any
    other cue not spoken does nothing."""
    settings = SpeechSettings(verbosity=verbosity)
    for kind in CueKind:
        got = react_to(cue(kind, "Three"), settings).then
        if speaks(kind, verbosity):
            assert got == say("Three")
        elif kind in (CueKind.COUNTDOWN, CueKind.REP) and verbosity is not Verbosity.SILENT:
            assert got == Play(Sound.TICK)
        else:
            assert got is None


def test_with_the_voice_off_a_countdown_ticks() -> None:
    """Voice off, sounds on: the countdown ticks instead, and the reminder is not said."""
    off = SpeechSettings(voice_on=False)
    assert react_to(cue(CueKind.COUNTDOWN, "Three"), off).then == Play(Sound.TICK)
    assert react_to(cue(CueKind.REMINDER, "Breathe"), off).then is None
    assert react_to(event(EventKind.PAUSED), off) == Reaction(True)


def test_sounds_off_plays_no_sound() -> None:
    """Sounds off: no chime, no tick, no end sound."""
    quiet = SpeechSettings(sounds_on=False, voice_on=False)
    for e in (event(EventKind.PHASE_STARTED), event(EventKind.COMPLETED), cue(CueKind.REP)):
        assert react_to(e, quiet).then is None


def test_a_late_cue_is_dropped_but_never_session_complete() -> None:
    """A cue due more than LATE_LIMIT_S ago is dropped, "Session complete" never."""
    late = LATE_LIMIT_S + 0.1
    assert react_to(cue(CueKind.REST, late_s=late)) == Reaction()
    assert react_to(cue(CueKind.COUNTDOWN, late_s=late)) == Reaction()
    assert react_to(cue(CueKind.REST, late_s=LATE_LIMIT_S)).then == say("Rest")
    done = react_to(cue(CueKind.COMPLETE, "Session complete", late_s=60))
    assert done.then == say("Session complete")


def test_muted_says_and_plays_nothing_but_still_stops() -> None:
    """Muted: no cue, no sound, no sentence; a pain stop still stops and silences."""
    for e in (cue(CueKind.REST), cue(CueKind.COUNTDOWN), event(EventKind.PHASE_STARTED)):
        assert react_to(e, muted=True) == Reaction()
    assert react_to(event(EventKind.PAIN_STOP), muted=True) == Reaction(True, silenced=True)


def test_a_cue_said_now_waits_for_its_render_at_most_the_pending_limit() -> None:
    """The Say carries the deadline for a cue rendered on demand: now + PENDING_LIMIT_S."""
    got = react(cue(CueKind.REST), SpeechSettings(), muted=False, silenced=False, now=5.0)
    assert got.then == Say("Rest", 5.0 + PENDING_LIMIT_S)


def test_speaking_and_sounding_follow_the_settings() -> None:
    """Speaking needs the voice on and a talking verbosity; sounds need them on, not silent."""
    assert SpeechSettings().speaking and SpeechSettings().sounding
    assert not SpeechSettings(voice_on=False).speaking
    assert not SpeechSettings(verbosity=Verbosity.BEEPS).speaking
    assert SpeechSettings(verbosity=Verbosity.BEEPS).sounding
    assert not SpeechSettings(verbosity=Verbosity.SILENT).sounding
    assert not SpeechSettings(sounds_on=False).sounding


def test_every_sentence_said_for_an_event_is_rendered_ahead() -> None:
    """What is said for an event other than a cue is one of EVENT_TEXTS (prepared at start)."""
    said = {
        r.then.text
        for kind in EventKind
        if kind is not EventKind.CUE and isinstance((r := react_to(event(kind))).then, Say)
    }
    assert said == set(EVENT_TEXTS)
