"""The word tables :mod:`redactor.detect.lexicon` reads, kept in one SQLite
file in the user's cache directory so that a run does not parse them again.

Parsing them from the libraries' data costs most of a second at every start
(importing ``wordfreq`` and unpacking its English list, reading the Census
tables and gender-guesser's dictionary): more than a small file's whole
redaction. The first run builds ``lexicon-<stamp>.sqlite`` from exactly
those tables (``lexicon._census()``, ``lexicon._world_first_names()``,
``wordfreq``'s own zipf values) and renames it into place; later runs open it
and look words up one at a time, which costs nothing at start-up.

The stamp is made from the data files' names, sizes and modification times
and this module's :data:`FORMAT`: upgrading a library builds a new file. The
directory is ``$REDACTOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/redactor``, else
``~/.cache/redactor``. If it cannot be written the tables are built in
memory, as before: slower, never different.

English word frequencies are stored for the words wordfreq's English
tokenizer takes as themselves: letters a-z and the Latin-1 and Latin
Extended-A letters, with single full stops inside ("u.k", "tariq.okafor").
A hyphenated word is its parts, combined as wordfreq combines them
(:func:`zipf`). Any other word (an apostrophe, a digit, another script) is
asked of wordfreq, imported then. A test compares the two on wordfreq's
list and on words made up from it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import math
import os
import re
import sqlite3
import threading
from pathlib import Path

#: Bumped when what the file holds, or how it is read, changes.
FORMAT = 2
_LETTERS = "a-z\u00e0-\u00f6\u00f8-\u00ff\u0100-\u017f"
#: Words whose frequency is stored: wordfreq's English tokenizer takes them
#: as themselves.
PLAIN = re.compile(rf"[{_LETTERS}]+(?:\.[{_LETTERS}]+)*")
#: wordfreq's ``zipf_to_freq(0)``: what zipf_frequency passes as the least
#: frequency by default.
_MINIMUM = 10**0 / 1e9

_lock = threading.Lock()
_state: dict[str, object] = {}


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(name)
    return Path(next(iter(spec.submodule_search_locations)))


def _sources() -> list[Path]:
    wf = _package_dir("wordfreq")
    names = _package_dir("names")
    return [wf / "__init__.py", wf / "tokens.py", wf / "data" / "large_en.msgpack.gz",
            names / "dist.all.last", names / "dist.male.first", names / "dist.female.first",
            _package_dir("gender_guesser") / "data" / "nam_dict.txt"]


def stamp() -> str:
    """Names what the tables are built from: changes when a library does."""
    h = hashlib.sha256(f"format {FORMAT}\n".encode())
    for p in _sources():
        st = p.stat()
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    base = os.environ.get("REDACTOR_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "redactor"


def trusted(path: Path) -> bool:
    """May a cache file be read? Only if this user (or root) owns it and its
    folder, and no one else may write to either: what is read back from a
    cache decides what is found, and another user must not be able to
    plant it."""
    try:
        for p in (path, path.parent):
            st = p.stat()
            if st.st_uid not in (os.getuid(), 0) or st.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


def _frequencies() -> dict[str, float]:
    """wordfreq's English frequency of every plain word on its list."""
    from wordfreq import get_frequency_dict

    return {w: f for w, f in get_frequency_dict("en").items() if PLAIN.fullmatch(w)}


def _fill(db: sqlite3.Connection, tag: str) -> None:
    from redactor.detect import lexicon

    surnames, first = lexicon._census()
    # a cache built into a temporary file renamed into place when whole: no journal, no fsync
    db.executescript("""
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE freq (word TEXT PRIMARY KEY, f REAL NOT NULL) WITHOUT ROWID;
        CREATE TABLE surname (name TEXT PRIMARY KEY, share REAL NOT NULL) WITHOUT ROWID;
        CREATE TABLE first (name TEXT PRIMARY KEY, share REAL NOT NULL) WITHOUT ROWID;
        CREATE TABLE world (name TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    """)
    db.executemany("INSERT INTO freq VALUES (?, ?)", sorted(_frequencies().items()))
    db.executemany("INSERT INTO surname VALUES (?, ?)", sorted(surnames.items()))
    db.executemany("INSERT INTO first VALUES (?, ?)", sorted(first.items()))
    db.executemany("INSERT INTO world VALUES (?)", ((n,) for n in sorted(lexicon._world_first_names())))
    db.execute("INSERT INTO meta VALUES ('stamp', ?)", (tag,))
    db.commit()


def _open_file(path: Path, tag: str) -> sqlite3.Connection | None:
    if not trusted(path):
        return None
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        row = db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    except sqlite3.Error:
        return None
    if row is None or row[0] != tag:
        db.close()
        return None
    return db


def _build_file(path: Path, tag: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        db = sqlite3.connect(tmp)
        try:
            _fill(db, tag)
        finally:
            db.close()
        os.replace(tmp, path)  # whole or not at all: a concurrent reader never sees half a file
    finally:
        tmp.unlink(missing_ok=True)


def _connect() -> sqlite3.Connection:
    try:
        tag = stamp()
        path = cache_dir() / f"lexicon-{tag}.sqlite"
        db = _open_file(path, tag)
        if db is None:
            _build_file(path, tag)
            db = _open_file(path, tag)
        if db is not None:
            return db
    except (OSError, sqlite3.Error, ImportError):
        pass
    db = sqlite3.connect(":memory:", check_same_thread=False)  # no cache to be had: the same tables, in memory
    _fill(db, "memory")
    return db


def connection() -> sqlite3.Connection:
    """This process's connection (a forked child opens its own)."""
    pid = os.getpid()
    db = _state.get("db")
    if db is None or _state.get("pid") != pid:
        with _lock:
            db = _state.get("db")
            if db is None or _state.get("pid") != pid:
                db = _connect()
                _state.update(db=db, pid=pid)
    return db  # type: ignore[return-value]


def _one(sql: str, key: str):
    row = connection().execute(sql, (key,)).fetchone()
    return None if row is None else row[0]


def zipf(key: str) -> float | None:
    """``wordfreq.zipf_frequency(key, "en")`` for a case-folded word made of
    plain words and hyphens; None for any other word (ask wordfreq).

    The arithmetic is wordfreq 3's (``_word_frequency``, ``freq_to_zipf``):
    the parts of "smith-jones" combine as 1/f = 1/f1 + 1/f2, a part not on
    the list makes the whole the least frequency, and the result is rounded
    to three significant figures, then to 0.01 on the Zipf scale."""
    parts = [p for p in key.split("-") if p]
    if not parts or not all(PLAIN.fullmatch(p) for p in parts):
        return None
    one_over = 0.0
    for p in parts:
        f = _one("SELECT f FROM freq WHERE word = ?", p)
        if f is None:
            freq = _MINIMUM
            break
        one_over += 1.0 / f
    else:
        unrounded = max(1.0 / one_over, _MINIMUM)
        freq = round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


def surname_share(upper: str) -> float:
    return _one("SELECT share FROM surname WHERE name = ?", upper) or 0.0


def first_name_share(upper: str) -> float:
    return _one("SELECT share FROM first WHERE name = ?", upper) or 0.0


@functools.lru_cache(maxsize=65536)
def in_world(lower: str) -> bool:
    return _one("SELECT 1 FROM world WHERE name = ?", lower) is not None
