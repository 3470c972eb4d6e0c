"""The journal's schema: the numbered migrations, and whether a file's tables are the ones
its format version means."""

from __future__ import annotations

import functools
import sqlite3
from contextlib import closing

MIGRATIONS: list[str] = [
    """
    CREATE TABLE session (
        session_id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, ended_at TEXT,
        routine_id TEXT NOT NULL, routine_name TEXT NOT NULL, status TEXT NOT NULL,
        stopped_exercise TEXT, stopped_side TEXT,
        completed TEXT NOT NULL DEFAULT '[]', skipped TEXT NOT NULL DEFAULT '[]'  -- JSON lists
    );
    CREATE TABLE pain_stop (
        pain_stop_id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL REFERENCES session (session_id), at TEXT NOT NULL,
        routine_id TEXT NOT NULL, exercise_id TEXT, exercise_name TEXT, side TEXT,
        phase_kind TEXT NOT NULL, phase_label TEXT NOT NULL, seconds_into REAL NOT NULL
    );
    CREATE INDEX pain_stop_by_session ON pain_stop (session_id);
    """,
    """
    ALTER TABLE session ADD COLUMN pain_before INTEGER;
    ALTER TABLE session ADD COLUMN reach_before TEXT;
    ALTER TABLE session ADD COLUMN pain_after INTEGER;
    ALTER TABLE session ADD COLUMN reach_after TEXT;
    ALTER TABLE session ADD COLUMN flare INTEGER;
    ALTER TABLE pain_stop ADD COLUMN radiated_to TEXT;
    ALTER TABLE pain_stop ADD COLUMN qualities TEXT NOT NULL DEFAULT '[]';  -- JSON list
    ALTER TABLE pain_stop ADD COLUMN intensity INTEGER;
    """,
    """
    ALTER TABLE session ADD COLUMN elapsed_s REAL;  -- measured on the monotonic clock
    """,
]
"""SQL scripts; ``MIGRATIONS[n]`` takes a journal from schema version n to n + 1. Append only."""


def latest() -> int:
    """The format version this app writes."""
    return len(MIGRATIONS)


def create(conn: sqlite3.Connection) -> None:
    """Make the newest schema in an empty database (no version check, no backup)."""
    for script in MIGRATIONS:
        conn.executescript(script)


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring the file from ``version`` to the newest schema, one committed step at a time
    (the caller has backed it up)."""
    for n in range(version, len(MIGRATIONS)):
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[n]};\nPRAGMA user_version = {n + 1};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


_Objects = dict[str, tuple[str, str, tuple[tuple[object, ...], ...]]]
"""name -> (type, table it belongs to, columns as PRAGMA table_info gives them)."""


def _objects(conn: sqlite3.Connection) -> _Objects:
    found: _Objects = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'"
    ).fetchall()
    for kind, name, table in rows:
        columns: list[tuple[object, ...]] = []
        if kind == "table":
            columns = conn.execute("SELECT * FROM pragma_table_info(?)", (name,)).fetchall()
        found[str(name)] = (str(kind), str(table), tuple(columns))
    return found


@functools.lru_cache(maxsize=16)
def _schema(scripts: tuple[str, ...]) -> _Objects:
    """What the migration scripts make, run on an empty database."""
    with closing(sqlite3.connect(":memory:")) as conn:
        for script in scripts:
            conn.executescript(script)
        return _objects(conn)


def schema_problem(conn: sqlite3.Connection, version: int) -> str | None:
    """Why the file's tables are not what format ``version`` means (a file made by hand or
    by another program, or damaged), or None when they are. Tables of other programs are
    allowed, except under the names of the journal's own tables, indexes and triggers."""
    if version < 0:
        return f"its format number is {version}, which no version of Sciatica Timer writes"
    expected = _schema(tuple(MIGRATIONS[:version]))
    ours = _schema(tuple(MIGRATIONS))
    present = _objects(conn)
    for name, (kind, table, columns) in expected.items():
        if name not in present:
            return f"it says it is format {version} but has no {kind} named {name}"
        if present[name] != (kind, table, columns):
            return f"its {kind} {name} is not the one format {version} has"
    for name, (kind, table, _) in present.items():
        if name in ours and name not in expected:
            return f"it already has a {kind} named {name}, which format {version} does not"
        if kind == "trigger" and name not in expected and table in ours:
            return f"it has a trigger {name} on the journal's {table} table"
    return None


def probe(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """The file's schema version, and why the file is damaged (None when it is not): SQLite
    finds it damaged or not a database, or its tables are not what its version means."""
    try:
        if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            return 0, "SQLite finds it damaged"
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            return version, None  # a newer app's: not ours to judge
        return version, schema_problem(conn, version)
    except sqlite3.DatabaseError as exc:
        if str(getattr(exc, "sqlite_errorname", "")).startswith(
            ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        ):
            return 0, "it is not a database SQLite can read"
        raise
