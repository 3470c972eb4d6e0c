"""The command line: options, and the commands that need no window.

Nothing here imports Qt, so ``--list``, ``--check`` and ``--plan`` answer at once. They
show the user's own routines (``storage/user_library``, imported or made in the window)
beside the bundled ones; ``--import`` and ``--export-routine`` move routines in and out.
"""

from __future__ import annotations

import argparse
import difflib
import io
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
from sciatica_timer.storage.user_library import UserLibrary, clash_problems

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
    voice_stop: bool = False
    """Listen for "stop" this run, as the voice stop setting does."""
    import_file: str | None = None
    export_routine: tuple[str, str] | None = None
    """The routine's id and the file to write it to."""
    open_file: Path | None = None
    """A file given alone (``sciatica-timer FILE``, as the desktop opens one): the window
    opens and offers to import it."""

    @property
    def paths(self) -> AppPaths:
        return AppPaths.under(self.data_dir) if self.data_dir else AppPaths.from_platform()

    @property
    def commands(self) -> tuple[object, ...]:
        return (
            self.list,
            self.check,
            self.plan,
            self.schema,
            self.export_history,
            self.import_file,
            self.export_routine,
            self.self_test,
        )

    @property
    def opens_window(self) -> bool:
        return not any(self.commands)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sciatica-timer",
        description="A calm, hands-free timer for foam rolling, stretches and gentle "
        "strengthening with sciatica or low-back pain. With no options it opens the window.",
        epilog="Self-care guidance, not a diagnosis. Stop at once if pain spreads down the leg.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "open_file",
        nargs="?",
        type=Path,
        metavar="FILE",
        help="open the window and offer to import this routines file (as opening it from "
        "the file manager does)",
    )
    info = parser.add_argument_group("look without opening the window")
    info.add_argument(
        "--list",
        action="store_true",
        help="list the routines (the bundled ones, then yours) and exit",
    )
    info.add_argument(
        "--check",
        nargs="?",
        const=_BUNDLED,
        metavar="FILE",
        help="validate an exercises file against the bundled exercises (default: the "
        "bundled file itself); exit 0 if valid, 2 if not",
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
    mine = parser.add_argument_group("your routines (kept in the data folder)")
    mine.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE",
        help="import the routines and exercises of FILE into your library and exit: all "
        "of it when it is valid and no routine id is taken (exit 0), else nothing, with "
        "the problems (exit 2)",
    )
    mine.add_argument(
        "--export-routine",
        nargs=2,
        metavar=("ID", "FILE"),
        help="write routine ID, with your own exercises it uses, to FILE to share, and exit",
    )
    run = parser.add_argument_group("the window")
    run.add_argument(
        "--exercises",
        type=Path,
        metavar="FILE",
        help="also use the routines and exercises of this file, beside the bundled ones "
        "and yours (with --list/--plan and in the window), without importing it",
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
    run.add_argument(
        "--voice-stop",
        action="store_true",
        help='listen for "stop" during sessions this run (the default microphone, on this '
        "computer only; nothing is recorded)",
    )
    return parser


def parse_args(argv: Sequence[str]) -> Options:
    ns = build_parser().parse_args(list(argv))
    if ns.json and not ns.plan:
        raise UsageError("--json goes with --plan ROUTINE_ID (see --help)")
    if ns.export_routine is not None:
        ns.export_routine = tuple(ns.export_routine)
    opts = Options(**{f.name: getattr(ns, f.name) for f in fields(Options)})
    if opts.open_file is not None and not opts.opens_window:
        raise UsageError(
            f"a FILE to open goes alone (the window offers to import it); to import without "
            f"the window use --import {printable(str(opts.open_file))}"
        )
    return opts


def load_bundled(paths: AppPaths) -> Library:
    """The bundled library (a file validated before skips the schema)."""
    return load_library(bundled_library(), "exercises.json", verified=VerifiedCache.of(paths))


def load_extra(path: Path, bundled: Library, paths: AppPaths) -> Library:
    """An ``--exercises`` file: its steps may name the bundled exercises, and its pictures
    are inside ``assets/`` like the bundled ones."""
    return load_library(path, str(path), verified=VerifiedCache.of(paths), known=bundled.exercises)


def _user_library(opts: Options, bundled: Library, err: TextIO) -> UserLibrary:
    """The user's library; what went wrong with its file goes to ``err`` (told once)."""
    user, notices = UserLibrary.open(opts.paths, bundled)
    for notice in notices:
        print(f"sciatica-timer: {printable(notice)}", file=err)
    return user


def _load(opts: Options, err: TextIO) -> Library:
    """The library for --list and --plan: the bundled routines, the user's, then those of
    an ``--exercises`` file."""
    bundled = load_bundled(opts.paths)
    library = _user_library(opts, bundled, err).library()
    if opts.exercises:
        library = library.merged_with(load_extra(opts.exercises, bundled, opts.paths))
    return library


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
            if isinstance(out, io.TextIOWrapper):  # CSV ends its lines itself, with \r\n:
                out.reconfigure(newline="")  # Windows' text mode would make them \r\r\n
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


def _check(opts: Options, out: TextIO) -> int:
    """--check: every problem, one line each, or one OK line saying what it was checked
    against (always every check: this is how a user finds the line to fix)."""
    if opts.check == _BUNDLED:
        path, display, known = bundled_library(), "exercises.json", None
    else:
        path, display = Path(str(opts.check)), str(opts.check)
        known = load_library(bundled_library(), "exercises.json").exercises  # writes nothing
    problems = check_file(path, display, known)
    for problem in problems:
        print(problem, file=out)
    if not problems:  # a name from the command line may hold a lone surrogate
        against = f" (checked against the {len(known)} bundled exercises)" if known else ""
        print(f"{printable(display)}: OK{against}", file=out)
    return 2 if problems else 0


def _in_use(opts: Options, window_open: Callable[[Path], bool]) -> UsageError | None:
    if window_open(opts.paths.data_dir):
        return UsageError(
            f"Sciatica Timer is open for {opts.paths.data_dir}; import from its window "
            "(Import on the home screen), or close it and try again"
        )
    return None


def _import(opts: Options, out: TextIO, err: TextIO, window_open: Callable[[Path], bool]) -> int:
    """--import FILE: all of it, or nothing with the --check lines (or the clashes), exit 2."""
    path = Path(str(opts.import_file))
    display = str(opts.import_file)
    bundled = load_bundled(opts.paths)
    problems = check_file(path, display, bundled.exercises)
    if problems:
        for problem in problems:
            print(problem, file=out)
        return 2
    if (busy := _in_use(opts, window_open)) is not None:
        raise busy
    user = _user_library(opts, bundled, err)
    plan = user.plan_import(path)
    if plan.clashes:
        for problem in clash_problems(plan, display, user):
            print(problem, file=out)
        return 2
    before = dict(user.exercises)
    imported = user.apply_import(plan, {})
    for rid in imported:
        routine = user.routines[rid]
        print(f"Imported routine {rid} ({printable(routine.name)})", file=out)
    for eid, exercise in user.exercises.items():
        if eid not in before:  # one the user had already is not imported again
            print(f"Imported exercise {eid} ({printable(exercise.name)})", file=out)
    print(f"into {user.path}", file=out)
    return 0


def _export_routine(opts: Options, out: TextIO, err: TextIO) -> int:
    assert opts.export_routine is not None
    routine_id, file = opts.export_routine
    user = _user_library(opts, load_bundled(opts.paths), err)
    routine = user.library().routines[known_routine(user.library(), routine_id)]
    target = Path(file)
    try:
        user.export_routine(routine_id, target)
    except OSError as exc:
        why = f"cannot write the routine there ({exc.strerror or exc})"
        raise OSError(exc.errno, why, str(target)) from exc
    print(f"Wrote routine {routine_id} ({printable(routine.name)}) to {target.resolve()}", file=out)
    return 0


def _maybe_open(_folder: Path) -> bool:
    return True  # without a way to tell, assume a window may be using the journal


def run_command(
    opts: Options,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    window_open: Callable[[Path], bool] = _maybe_open,
    self_test: Callable[[TextIO, Path], int] | None = None,
) -> int:
    """Run a command that needs no window; return the exit code. ``window_open`` tells
    whether a window holds the data folder, and ``self_test`` runs every check, the Qt
    ones included (the app passes both; without it the self-test skips the Qt checks)."""
    try:
        if opts.check:
            return _check(opts, out)
        if opts.import_file:
            return _import(opts, out, err, window_open)
        if opts.export_routine:
            return _export_routine(opts, out, err)
        if opts.self_test:
            if self_test is not None:
                return self_test(out, opts.paths.user_library)
            from sciatica_timer.selftest import run

            return run(out, user_library=opts.paths.user_library)
        if opts.schema:
            out.write(schema_path().read_text(encoding="utf-8"))
            return 0
        if opts.export_history:
            return _export_history(opts, out, window_open)
        library = _load(opts, err)
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
