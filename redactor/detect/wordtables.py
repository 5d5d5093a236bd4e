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

Other languages' frequencies (:data:`redactor.detect.lexicon.OTHER_LANGUAGES`:
is a name a word of another language, is a page German) are kept in a file
of their own, ``foreign-<stamp>.sqlite``, built the first time one is asked
for: wordfreq's lists of those languages take some 400 MiB and seconds to
read, in every process that reads them (each batch worker, for the rest of
its life). Only words of letters (Latin-1 and Latin Extended-A, as wordfreq
writes them after its normalisation), alone or hyphenated, and only those
at least :data:`FOREIGN_FLOOR` on the Zipf scale are kept; below it they
read as 0.0, which is all the lexicon needs (it compares them with 2.0 and
more). Any other word is asked of wordfreq, as before.
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
import time
import unicodedata
from pathlib import Path
from typing import Callable, NamedTuple

#: Bumped when what the file holds, or how it is read, changes.
FORMAT = 2
_LETTERS = "a-z\u00e0-\u00f6\u00f8-\u00ff\u0100-\u017f"
#: Words whose frequency is stored: wordfreq's English tokenizer takes them
#: as themselves.
PLAIN = re.compile(rf"[{_LETTERS}]+(?:\.[{_LETTERS}]+)*")
#: wordfreq's ``zipf_to_freq(0)``: what zipf_frequency passes as the least
#: frequency by default.
_MINIMUM = 10**0 / 1e9

#: Another language's words are kept at or above this Zipf frequency; any
#: other reads as 0.0 (the lexicon compares them with 2.0 and more).
FOREIGN_FLOOR = 2.0
#: Words of another language whose frequency is kept: wordfreq's tokenizer
#: takes a run of these letters as one word in every language asked of it.
LETTERS = re.compile(rf"[{_LETTERS}]+")

_lock = threading.Lock()
_state: dict[str, tuple[int, sqlite3.Connection]] = {}  # kind -> (pid, connection)


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


def _foreign_sources() -> list[Path]:
    from redactor.detect.lexicon import OTHER_LANGUAGES

    wf = _package_dir("wordfreq")
    lists = sorted(p for lang in OTHER_LANGUAGES for p in (wf / "data").glob(f"*_{lang}.msgpack.gz"))
    return [wf / "__init__.py", wf / "tokens.py", wf / "language_info.py", *lists]


def stamp(kind: str = "lexicon") -> str:
    """Names what the tables are built from: changes when a library does."""
    h = hashlib.sha256(f"format {FORMAT}\n".encode())
    for p in _KINDS[kind].sources():
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


def foreign_plain(key: str) -> bool:
    """Is ``key`` (case-folded) a word wordfreq reads as itself in every
    language of :func:`_fill_foreign`: letters only, in the form its
    normalisation (NFKC, case folding) leaves as it is?"""
    return bool(LETTERS.fullmatch(key)) and unicodedata.normalize("NFKC", key) == key


def _fill_foreign(db: sqlite3.Connection, tag: str) -> None:
    from wordfreq import get_frequency_dict, get_frequency_list

    from redactor.detect.lexicon import OTHER_LANGUAGES

    db.executescript("""
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE freq (lang TEXT NOT NULL, word TEXT NOT NULL, f REAL NOT NULL,
                           PRIMARY KEY (lang, word)) WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    """)
    for lang in OTHER_LANGUAGES:  # one list in memory at a time
        try:
            db.executemany("INSERT INTO freq VALUES (?, ?, ?)",
                           sorted((lang, w, f) for w, f in get_frequency_dict(lang).items()
                                  if foreign_plain(w) and _zipf_of(f) >= FOREIGN_FLOOR))
        finally:
            get_frequency_dict.cache_clear()  # wordfreq keeps every list it read
            get_frequency_list.cache_clear()
    db.execute("INSERT INTO meta VALUES ('stamp', ?)", (tag,))
    db.commit()


class _Kind(NamedTuple):
    sources: Callable[[], list[Path]]
    fill: Callable[[sqlite3.Connection, str], None]


_KINDS = {"lexicon": _Kind(_sources, _fill), "foreign": _Kind(_foreign_sources, _fill_foreign)}


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


def _build_file(path: Path, tag: str, fill=_fill) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        db = sqlite3.connect(tmp)
        try:
            fill(db, tag)
        finally:
            db.close()
        os.replace(tmp, path)  # whole or not at all: a concurrent reader never sees half a file
    finally:
        tmp.unlink(missing_ok=True)
    remove_stale(path)


#: A table file built from other versions of the libraries that no run has
#: read for this long is removed when a new one is built beside it.
STALE_DAYS = 30


def remove_stale(path: Path) -> list[Path]:
    """Remove the files of ``path``'s kind (``lexicon-*``, ``foreign-*``)
    beside it, built from other versions of the libraries (an upgrade), that
    have not been read or written for :data:`STALE_DAYS` days; this user's
    only (another redactor installed beside this one, still in use, keeps
    its file). The removed files."""
    kind = path.name.split("-", 1)[0]
    removed = []
    cutoff = time.time() - STALE_DAYS * 86400
    for other in path.parent.glob(f"{kind}-*.sqlite"):
        try:
            st = other.stat()
            if other == path or st.st_uid != os.getuid() or max(st.st_atime, st.st_mtime) > cutoff:
                continue
            other.unlink()
            removed.append(other)
        except OSError:
            continue
    return removed


def _connect(kind: str) -> sqlite3.Connection:
    fill = _KINDS[kind].fill
    try:
        tag = stamp(kind)
        path = cache_dir() / f"{kind}-{tag}.sqlite"
        db = _open_file(path, tag)
        if db is None:
            _build_file(path, tag, fill)
            db = _open_file(path, tag)
        if db is not None:
            return db
    except (OSError, sqlite3.Error, ImportError):
        pass
    db = sqlite3.connect(":memory:", check_same_thread=False)  # no cache to be had: the same tables, in memory
    fill(db, "memory")
    return db


def connection(kind: str = "lexicon") -> sqlite3.Connection:
    """This process's connection to the ``kind`` tables ("lexicon": English
    and the names; "foreign": other languages); a forked child opens its own."""
    pid = os.getpid()
    held = _state.get(kind)
    if held is None or held[0] != pid:
        with _lock:
            held = _state.get(kind)
            if held is None or held[0] != pid:
                held = _state[kind] = (pid, _connect(kind))
    return held[1]


def _one(sql: str, *params, kind: str = "lexicon"):
    row = connection(kind).execute(sql, params).fetchone()
    return None if row is None else row[0]


def _zipf_of(*freqs: float) -> float:
    """The Zipf value wordfreq 3 gives a word made of parts of these
    frequencies (``_word_frequency``, ``freq_to_zipf``): 1/f = 1/f1 + 1/f2,
    rounded to three significant figures, then to 0.01."""
    one_over = 0.0
    for f in freqs:
        one_over += 1.0 / f
    unrounded = max(1.0 / one_over, _MINIMUM)
    freq = round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


def _parts_zipf(key: str, plain, frequency) -> float | None:
    """The Zipf value wordfreq 3 gives ``key``, a word or words joined by
    hyphens, each part's frequency from ``frequency`` (None: not on the
    list); None if a part is not ``plain`` (ask wordfreq).

    The arithmetic is wordfreq's (``_word_frequency``, ``freq_to_zipf``):
    the parts of "smith-jones" combine as 1/f = 1/f1 + 1/f2, a part not on
    the list makes the whole the least frequency, and the result is rounded
    to three significant figures, then to 0.01 on the Zipf scale."""
    parts = [p for p in key.split("-") if p]
    if not parts or not all(plain(p) for p in parts):
        return None
    freqs = []
    for p in parts:
        f = frequency(p)
        if f is None:
            return round(math.log(_MINIMUM, 10) + 9, 2)
        freqs.append(f)
    return _zipf_of(*freqs)


def zipf(key: str) -> float | None:
    """``wordfreq.zipf_frequency(key, "en")`` for a case-folded word made of
    plain words and hyphens; None for any other word (ask wordfreq)."""
    return _parts_zipf(key, PLAIN.fullmatch, lambda p: _one("SELECT f FROM freq WHERE word = ?", p))


def zipf_other(key: str, lang: str) -> float | None:
    """``wordfreq.zipf_frequency(key, lang)`` for a case-folded word of
    letters (:func:`foreign_plain`) or of such words and hyphens, in one of
    the lexicon's other languages, where that is at least
    :data:`FOREIGN_FLOOR`; 0.0 where it is less; None for any other word
    (ask wordfreq). A hyphenated word is its parts, combined as wordfreq
    does: less frequent than each part, so below the floor if one is."""
    z = _parts_zipf(key, foreign_plain,
                    lambda p: _one("SELECT f FROM freq WHERE lang = ? AND word = ?", lang, p, kind="foreign"))
    return None if z is None else z if z >= FOREIGN_FLOOR else 0.0


def surname_share(upper: str) -> float:
    return _one("SELECT share FROM surname WHERE name = ?", upper) or 0.0


def first_name_share(upper: str) -> float:
    return _one("SELECT share FROM first WHERE name = ?", upper) or 0.0


@functools.lru_cache(maxsize=65536)
def in_world(lower: str) -> bool:
    return _one("SELECT 1 FROM world WHERE name = ?", lower) is not None
