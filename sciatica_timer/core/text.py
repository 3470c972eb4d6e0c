"""How times and lists are written for people: on screen, in the terminal, in reports."""

from __future__ import annotations

from sciatica_timer.core.models import Library


def format_clock(seconds: float) -> str:
    """M:SS, or H:MM:SS from an hour up."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def equipment_of(library: Library, routine_id: str) -> list[str]:
    routine = library.routines[routine_id]
    items: dict[str, None] = {}
    for step in routine.steps:
        items.update(dict.fromkeys(library.exercises[step.exercise].equipment))
    return list(items)
