"""The command line: options, and the commands that need no window.

Nothing here imports Qt, so ``--list``, ``--check`` and ``--plan`` answer at once.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import NoReturn, TextIO

from sciatica_timer import __version__
from sciatica_timer.core.models import Library
from sciatica_timer.core.text import equipment_of, format_clock
from sciatica_timer.core.timeline import Timeline, build_timeline
from sciatica_timer.storage.library_cache import VerifiedCache
from sciatica_timer.storage.library_checks import check_file, schema_path
from sciatica_timer.storage.library_file import load_library
from sciatica_timer.storage.paths import AppPaths, bundled_library
from sciatica_timer.storage.problems import LibraryError, printable

_BUNDLED = "<bundled>"


class UsageError(Exception):
    """Bad arguments: one line for the user, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see --help)")


@dataclass(frozen=True)
class Options:
    list: bool
    check: str | None
    plan: str | None
    json: bool
    schema: bool
    self_test: bool
    exercises: Path | None
    routine: str | None
    start: bool
    data_dir: Path | None
    no_voice: bool
    fullscreen: bool
    export_history: str | None

    @property
    def paths(self) -> AppPaths:
        return AppPaths.under(self.data_dir) if self.data_dir else AppPaths.from_platform()

    @property
    def opens_window(self) -> bool:
        commands = (self.list, self.check, self.plan, self.schema, self.export_history)
        return not (any(commands) or self.self_test)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sciatica-timer",
        description="A calm, hands-free timer for foam rolling, stretches and gentle "
        "strengthening with sciatica or low-back pain. With no options it opens the window.",
        epilog="Self-care guidance, not a diagnosis. Stop at once if pain spreads down the leg.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    info = parser.add_argument_group("look without opening the window")
    info.add_argument("--list", action="store_true", help="list the routines and exit")
    info.add_argument(
        "--check",
        nargs="?",
        const=_BUNDLED,
        metavar="FILE",
        help="validate an exercises file (default: the bundled one); exit 0 if valid, 2 if not",
    )
    info.add_argument("--plan", metavar="ROUTINE_ID", help="print a routine's timetable and exit")
    info.add_argument("--json", action="store_true", help="with --plan: print JSON")
    info.add_argument(
        "--schema", action="store_true", help="print the JSON Schema of the exercises format"
    )
    info.add_argument(
        "--self-test",
        action="store_true",
        help="check the library, the window, speech and the journal, print a report, exit 0 "
        "(or 1 with the reason)",
    )
    info.add_argument(
        "--export-history",
        metavar="FILE",
        help="write the session history as CSV to FILE ('-' for standard output) and exit",
    )
    run = parser.add_argument_group("the window")
    run.add_argument(
        "--exercises",
        type=Path,
        metavar="FILE",
        help="use this exercises file (with --list/--plan: instead of the bundled one; "
        "in the window: beside it)",
    )
    run.add_argument("--routine", metavar="ID", help="preselect this routine")
    run.add_argument(
        "--start",
        action="store_true",
        help="begin the routine at once, skipping the pain check-in (the first-use "
        "disclaimer and the daily red-flag questions are still asked)",
    )
    run.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="keep the journal, settings, cache and logs under DIR",
    )
    run.add_argument("--no-voice", action="store_true", help="no spoken cues")
    run.add_argument("--fullscreen", action="store_true", help="open full screen")
    return parser


def parse_args(argv: Sequence[str]) -> Options:
    ns = build_parser().parse_args(list(argv))
    if ns.json and not ns.plan:
        raise UsageError("--json goes with --plan ROUTINE_ID (see --help)")
    return Options(**{f.name: getattr(ns, f.name) for f in fields(Options)})


def _load(opts: Options) -> Library:
    """The library for --list and --plan (a file validated before skips the schema)."""
    path = opts.exercises or bundled_library()
    display = str(opts.exercises) if opts.exercises else "exercises.json"
    return load_library(path, display, verified=VerifiedCache.of(opts.paths))


def known_routine(library: Library, routine_id: str) -> str:
    """The id, when the library has that routine; otherwise one line for the user (exit 2)."""
    if routine_id not in library.routines:
        near = difflib.get_close_matches(routine_id, list(library.routines), n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise UsageError(f"unknown routine '{routine_id}'{hint}; see --list")
    return routine_id


def timeline_for(library: Library, routine_id: str) -> Timeline:
    return build_timeline(library, known_routine(library, routine_id))


def _print_list(library: Library, out: TextIO) -> None:
    rows = [
        (
            rid,
            routine.name,
            format_clock(build_timeline(library, rid).total_s),
            ", ".join(equipment_of(library, rid)) or "none",
        )
        for rid, routine in library.routines.items()
    ]
    header = ("ID", "NAME", "TIME", "EQUIPMENT")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        print(
            f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}",
            file=out,
        )


def _print_plan(timeline: Timeline, out: TextIO) -> None:
    routine = timeline.routine
    print(f"{routine.name} ({routine.id}), {format_clock(timeline.total_s)} in all", file=out)
    print(file=out)
    print(f"{'AT':>7}  {'FOR':>5}  {'PHASE':<13} {'EXERCISE':<28} {'SIDE':<6} SET", file=out)
    for p in timeline.phases:
        name = p.exercise.name if p.exercise else ""
        side = p.side.value if p.side else ""
        sets = f"{p.set_number}/{p.sets}" if p.exercise else ""
        print(
            f"{format_clock(p.start_s):>7}  {format_clock(p.duration_s):>5}  {p.label:<13} "
            f"{name:<28} {side:<6} {sets}",
            file=out,
        )
        for cue in p.cues:
            print(f"{'':>16}{format_clock(p.start_s + cue.offset_s):>7}  “{cue.text}”", file=out)


def _export_history(opts: Options, out: TextIO, window_open: Callable[[Path], bool]) -> int:
    """The sessions as CSV to FILE (then one line on ``out`` saying where and how many), or
    with '-' to ``out`` alone, so nothing else gets into the CSV. A FILE that cannot be
    written raises OSError naming it (``run_command`` prints one line and exits 1)."""
    from sciatica_timer.storage.journal.export import save_sessions, write_sessions
    from sciatica_timer.storage.journal.store import Journal

    journal = Journal.open(opts.paths.journal)
    if not window_open(opts.paths.data_dir):  # no window runs there: a 'running' session
        journal.mark_interrupted()  # was left by one that was killed; say so in the file
    try:
        if opts.export_history == "-":
            write_sessions(journal, out)
            return 0
        target = Path(str(opts.export_history))
        try:
            count = save_sessions(journal, target)
        except OSError as exc:
            why = f"cannot write the history there ({exc.strerror or exc})"
            raise OSError(exc.errno, why, str(target)) from exc
    finally:
        journal.close()
    print(f"Wrote {count} session{'' if count == 1 else 's'} to {target.resolve()}", file=out)
    return 0


def _maybe_open(_folder: Path) -> bool:
    return True  # without a way to tell, assume a window may be using the journal


def run_command(
    opts: Options,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    window_open: Callable[[Path], bool] = _maybe_open,
    self_test: Callable[[TextIO], int] | None = None,
) -> int:
    """Run a command that needs no window; return the exit code. ``window_open`` tells
    whether a window holds the data folder, and ``self_test`` runs every check, the Qt
    ones included (the app passes both; without it the self-test skips the Qt checks)."""
    try:
        if opts.check:  # always every check: this is how a user finds the line to fix
            path = bundled_library() if opts.check == _BUNDLED else Path(opts.check)
            display = "exercises.json" if opts.check == _BUNDLED else opts.check
            problems = check_file(path, display)
            for problem in problems:
                print(problem, file=out)
            if not problems:  # a name from the command line may hold a lone surrogate
                print(f"{printable(display)}: OK", file=out)
            return 2 if problems else 0
        if opts.self_test:
            if self_test is not None:
                return self_test(out)
            from sciatica_timer.selftest import run

            return run(out)
        if opts.schema:
            out.write(schema_path().read_text(encoding="utf-8"))
            return 0
        if opts.export_history:
            return _export_history(opts, out, window_open)
        library = _load(opts)
        if opts.list:
            _print_list(library, out)
            return 0
        assert opts.plan is not None
        timeline = timeline_for(library, opts.plan)
        if opts.json:
            json.dump(timeline.to_json(), out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            _print_plan(timeline, out)
        return 0
    except LibraryError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        return 2
    except UsageError as exc:
        print(f"sciatica-timer: {exc}", file=err)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except OSError as exc:
        print(f"sciatica-timer: {exc.filename or ''}: {exc.strerror}", file=err)
        return 1
