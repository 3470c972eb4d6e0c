"""The validation cache: a file that passed before is loaded without jsonschema, and the
cache never makes a load worse (damaged, unwritable or edited caches fall back in full)."""

from __future__ import annotations

import json
import logging
import pickle
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.platforms import POSIX

from sciatica_timer.storage.library_cache import MAX_KEYS, VerifiedCache, write_keys
from sciatica_timer.storage.library_checks import check_file
from sciatica_timer.storage.library_file import content_key, load_library
from sciatica_timer.storage.problems import LibraryError

ROOT = Path(__file__).resolve().parents[3]
SKIPPED = "schema check skipped"

LOAD_SCRIPT = textwrap.dedent(
    """
    import pickle, sys
    from pathlib import Path
    from sciatica_timer.storage.library_file import load_library
    from sciatica_timer.storage.library_cache import VerifiedCache
    shipped = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    verified = VerifiedCache(Path(sys.argv[2]), shipped=shipped)
    library = load_library(Path(sys.argv[1]), verified=verified)
    loaded = [m for m in ("jsonschema", "json_source_map") if m in sys.modules]
    sys.stdout.buffer.write(pickle.dumps((library, loaded)))
    """
)

MAIN_SCRIPT = textwrap.dedent(
    """
    import sys
    from sciatica_timer.app import main
    code = main(sys.argv[1:])
    print("exit", code, "jsonschema" in sys.modules, file=sys.stderr)
    """
)

VALID = {
    "exercises": [{"id": "glute-roll", "name": "Glute roll", "sides": "each", "duration_s": 120}],
    "routines": [{"id": "quick", "name": "Quick", "steps": [{"exercise": "glute-roll"}]}],
}


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _load_in_subprocess(
    path: Path, cache: Path, shipped: Path | None = None
) -> tuple[object, list[str]]:
    extra = [str(shipped)] if shipped else []
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, str(path), str(cache), *extra],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    result: tuple[object, list[str]] = pickle.loads(proc.stdout)
    return result


def _main_in_subprocess(*args: str) -> tuple[str, str]:
    """Run the real command line; (its output, 'exit CODE JSONSCHEMA_LOADED')."""
    proc = subprocess.run(
        [sys.executable, "-c", MAIN_SCRIPT, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    return proc.stdout, proc.stderr.strip().splitlines()[-1]


@pytest.fixture
def cache(tmp_path: Path) -> VerifiedCache:
    return VerifiedCache(tmp_path / "cache" / "verified-libraries.json")


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="sciatica_timer")
    return caplog


def test_second_start_does_not_import_jsonschema(tmp_path: Path, bundled_path: Path) -> None:
    """The bundled file loads in full once; the next process builds it without jsonschema."""
    cache = tmp_path / "cache" / "verified-libraries.json"
    first, first_loaded = _load_in_subprocess(bundled_path, cache)
    second, second_loaded = _load_in_subprocess(bundled_path, cache)
    assert first_loaded == ["jsonschema"], "the first load must validate in full"
    assert second_loaded == []
    assert first == second == load_library(bundled_path)


def test_a_shipped_digest_spares_even_the_first_start(tmp_path: Path, bundled_path: Path) -> None:
    """The packaged app ships the digest of its bundled library, checked in full at build
    time: its very first start builds the library without jsonschema."""
    shipped = tmp_path / "bundle" / "verified-libraries.json"
    shipped.parent.mkdir()
    key = content_key(bundled_path.read_bytes())
    assert key is not None
    write_keys(shipped, [key])
    cache = tmp_path / "cache" / "verified-libraries.json"
    library, loaded = _load_in_subprocess(bundled_path, cache, shipped)
    assert loaded == []
    assert library == load_library(bundled_path)


def test_a_shipped_digest_vouching_for_a_broken_file_still_refuses_it(tmp_path: Path) -> None:
    """A shipped file is trusted no more than the cache: a broken file is still refused."""
    path = tmp_path / "bad.json"
    path.write_text(
        '{"exercises": [{"id": "x", "name": "X", "duration_s": 10}], '
        '"routines": [{"id": "r", "name": "R", "steps": [{"exercise": "nope"}]}]}'
    )
    shipped = tmp_path / "shipped.json"
    key = content_key(path.read_bytes())
    assert key is not None
    write_keys(shipped, [key])
    verified = VerifiedCache(tmp_path / "cache.json", shipped=shipped)
    with pytest.raises(LibraryError) as err:
        load_library(path, "bad.json", verified=verified)
    assert err.value.problems == check_file(path, "bad.json") != []


def test_one_changed_byte_is_validated_again(
    tmp_path: Path, cache: VerifiedCache, debug_log: pytest.LogCaptureFixture
) -> None:
    """One changed byte means a full check: remembered if valid, refused if not."""
    path = _write(tmp_path / "mine.json", VALID)
    load_library(path, verified=cache)
    assert cache.keys() == [content_key(path.read_bytes())]

    path.write_bytes(path.read_bytes().replace(b'"Quick"', b'"Quack"'))
    debug_log.clear()
    assert load_library(path, verified=cache).routines["quick"].name == "Quack"
    assert SKIPPED not in debug_log.text
    assert cache.keys()[-1] == content_key(path.read_bytes()) and len(cache.keys()) == 2

    before = cache.keys()
    path.write_bytes(path.read_bytes().replace(b'"each"', b'"eacx"'))
    with pytest.raises(LibraryError) as err:
        load_library(path, verified=cache)
    (problem,) = err.value.problems
    assert "must be one of 'each', 'none'" in problem.message and problem.line == 6
    assert cache.keys() == before


def test_a_cached_file_is_built_without_the_schema(
    tmp_path: Path, cache: VerifiedCache, debug_log: pytest.LogCaptureFixture
) -> None:
    """The second load of an unchanged file says it skipped the schema, and gives the same
    library."""
    path = _write(tmp_path / "mine.json", VALID)
    first = load_library(path, verified=cache)
    assert SKIPPED not in debug_log.text
    assert load_library(path, verified=cache) == first
    assert SKIPPED in debug_log.text


def test_a_broken_file_is_never_cached(tmp_path: Path, cache: VerifiedCache) -> None:
    """A file with problems is checked in full every time and keeps its line and column."""
    path = tmp_path / "bad.json"
    path.write_text('{"exercises": [{"id": "a", "name": "A", "duraton_s": 3}]}')
    for _ in range(2):
        with pytest.raises(LibraryError) as err:
            load_library(path, "bad.json", verified=cache)
        assert [str(p) for p in err.value.problems] == [
            "bad.json:1:41: exercises[0]: unknown key 'duraton_s' (did you mean 'duration_s'?)"
        ]
    assert not cache.path.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00",
        b"[1, 2]",
        b'{"keys": "abc"}',
        b'{"keys": [1, "zz", null]}',
        b"",
    ],
    ids=["not-json", "not-utf8", "a-list", "keys-not-a-list", "keys-not-digests", "empty"],
)
def test_a_corrupt_cache_file_falls_back_and_is_repaired(
    tmp_path: Path, cache: VerifiedCache, content: bytes
) -> None:
    """A damaged cache file is read as empty: the file is checked in full and the cache
    rewritten."""
    path = _write(tmp_path / "mine.json", VALID)
    cache.path.parent.mkdir()
    cache.path.write_bytes(content)
    assert load_library(path, verified=cache) == load_library(path)
    assert cache.keys() == [content_key(path.read_bytes())]


def test_a_folder_where_the_cache_file_should_be_falls_back(
    tmp_path: Path, cache: VerifiedCache, debug_log: pytest.LogCaptureFixture
) -> None:
    """A cache path that can be neither read nor replaced (a folder) only costs the full
    check."""
    path = _write(tmp_path / "mine.json", VALID)
    cache.path.mkdir(parents=True)
    for _ in range(2):
        assert load_library(path, verified=cache) == load_library(path)
    assert cache.path.is_dir() and SKIPPED not in debug_log.text
    assert "could not write the validation cache" in debug_log.text


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write in, even root (made immutable where chmod is not enough)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    try:
        try:
            (folder / "probe").touch()
        except PermissionError:
            pass
        else:
            (folder / "probe").unlink()
            chattr = shutil.which("chattr")
            if not chattr or subprocess.run([chattr, "+i", str(folder)]).returncode != 0:
                pytest.skip("cannot make a folder read-only for this user")
            immutable = True
        yield folder
    finally:
        if immutable:
            subprocess.run([str(shutil.which("chattr")), "-i", str(folder)], check=True)
        folder.chmod(0o700)


def test_a_read_only_cache_folder_falls_back(
    tmp_path: Path, read_only_dir: Path, debug_log: pytest.LogCaptureFixture
) -> None:
    """When the cache cannot be written, every load is a full check and nobody is told."""
    path = _write(tmp_path / "mine.json", VALID)
    cache = VerifiedCache(read_only_dir / "verified-libraries.json")
    for _ in range(2):
        assert load_library(path, verified=cache) == load_library(path)
    assert not cache.path.exists() and SKIPPED not in debug_log.text
    assert "could not write the validation cache" in debug_log.text


TAMPERED: list[tuple[str, str]] = [
    ("missing-name", '{"exercises": [{"id": "a"}]}'),
    ("bad-category", '{"exercises": [{"id": "a", "name": "A", "category": "yoga"}]}'),
    (
        "unknown-step",
        '{"exercises": [{"id": "a", "name": "A"}],\n'
        ' "routines": [{"id": "r", "name": "R", "steps": [{"exercise": "b"}]}]}',
    ),
    ("duplicate-id", '{"exercises": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}'),
    ("duplicate-key", '{"exercises": [{"id": "a", "name": "A", "name": "B"}]}'),
    ("exercises-not-a-list", '{"exercises": 3}'),
    ("not-an-object", "[1]"),
]


@pytest.mark.parametrize(("name", "content"), TAMPERED, ids=[t[0] for t in TAMPERED])
def test_a_cache_vouching_for_a_broken_file_still_refuses_it(
    tmp_path: Path, cache: VerifiedCache, name: str, content: str
) -> None:
    """An edited cache cannot make a broken file load: the full check gives its problems."""
    path = tmp_path / "bad.json"
    path.write_text(content)
    key = content_key(path.read_bytes())
    assert key is not None
    cache.record(key)
    with pytest.raises(LibraryError) as err:
        load_library(path, "bad.json", verified=cache)
    assert err.value.problems == check_file(path, "bad.json") != []


def test_cache_file_is_private(tmp_path: Path, cache: VerifiedCache) -> None:
    """The cache file is readable by the user only, in a folder only the user can open."""
    load_library(_write(tmp_path / "mine.json", VALID), verified=cache)
    assert not POSIX or cache.path.stat().st_mode & 0o777 == 0o600
    assert not POSIX or cache.path.parent.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in cache.path.parent.iterdir()] == [cache.path.name], "no temp files"


def test_cache_keeps_only_the_newest_keys(tmp_path: Path, cache: VerifiedCache) -> None:
    """After more distinct files than it keeps, the oldest are forgotten first."""
    keys = []
    for i in range(MAX_KEYS + 4):
        doc = {**VALID, "routines": [{**VALID["routines"][0], "name": f"Quick {i}"}]}
        path = _write(tmp_path / f"{i}.json", doc)
        load_library(path, verified=cache)
        keys.append(content_key(path.read_bytes()))
    assert cache.keys() == keys[-MAX_KEYS:]


def test_key_covers_content_schema_and_version() -> None:
    """Different bytes give different keys; the same bytes the same key."""
    assert content_key(b"{}") == content_key(b"{}") != content_key(b"{} ")
    assert content_key(b"{}") is not None and len(str(content_key(b"{}"))) == 64


OK_AGAINST_BUNDLED = "OK (checked against the 21 bundled exercises)"


def test_check_ignores_the_cache(tmp_path: Path) -> None:
    """--list uses the cache (no jsonschema the second time); --check always checks in full
    and writes nothing."""
    data = tmp_path / "data"
    path = _write(tmp_path / "mine.json", VALID)
    out, status = _main_in_subprocess("--data-dir", str(data), "--check", str(path))
    assert (out.strip(), status) == (f"{path}: {OK_AGAINST_BUNDLED}", "exit 0 True")
    assert not (data / "cache").exists()
    listing = ["--data-dir", str(data), "--exercises", str(path), "--list"]
    assert _main_in_subprocess(*listing)[1] == "exit 0 True"
    out, status = _main_in_subprocess(*listing)
    assert status == "exit 0 False" and "quick" in out
    out, status = _main_in_subprocess("--data-dir", str(data), "--check", str(path))
    assert (out.strip(), status) == (f"{path}: {OK_AGAINST_BUNDLED}", "exit 0 True")
