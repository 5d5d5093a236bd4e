"""The built-in rule packs' patterns, compiled once and kept between runs.

The ``regex`` module parses a pattern in Python: the packs' patterns, their
context words and the title lists took a tenth of a second to compile at
every start, more than reading a small file's text. A compiled pattern
pickles as its compiled program (``regex`` registers that with
``copyreg``), and unpickles without being parsed again; this module keeps
them in ``patterns-<stamp>.pickle`` in the cache directory of the word
tables (:func:`redactor.detect.wordtables.cache_dir`).

* The file maps (pattern, flags) to the compiled pattern: a pack that
  changes asks for other patterns, which are compiled and added. The stamp
  names the ``regex`` version, the Python version and the byte order: the
  program is read by that ``regex`` only. A file that holds more than
  :data:`MAX_PATTERNS` is written again with this run's patterns alone.
* Only patterns made from the built-in packs are kept (:func:`kept`):
  a user's own pack, an ``--allow`` list or a plan's terms may hold the
  very names being redacted, and they are not copied into a cache.
* The file is read with an unpickler that builds nothing but ``regex``
  patterns, and each must be the pattern asked for. A file that cannot be
  read is ignored; a directory that cannot be written is not written:
  slower, never different.
* New patterns are written when the process ends, to a temporary file
  renamed into place.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import hashlib
import io
import os
import pickle
import sys
import threading
from pathlib import Path

import regex

#: Bumped when what the file holds changes.
FORMAT = 1
MAX_PATTERNS = 2000
#: Whether patterns compiled now may be kept in the cache (see :func:`kept`).
KEEP: contextvars.ContextVar[bool] = contextvars.ContextVar("redactor_keep_patterns", default=False)

_lock = threading.Lock()
_state: dict = {}
_PATTERN = type(regex.compile(""))


def stamp() -> str:
    h = hashlib.sha256(f"format {FORMAT}\0regex {regex.__version__}\0{sys.implementation.cache_tag}\0"
                       f"{sys.byteorder}\0{sys.maxsize}".encode())
    return h.hexdigest()[:16]


def path() -> Path:
    from redactor.detect.wordtables import cache_dir

    return cache_dir() / f"patterns-{stamp()}.pickle"


@contextlib.contextmanager
def kept(on: bool = True):
    """Patterns compiled inside the block (and :class:`LazyPattern`\\ s made
    inside it) may be kept in the cache: for the built-in packs only."""
    token = KEEP.set(on)
    try:
        yield
    finally:
        KEEP.reset(token)


class _Unpickler(pickle.Unpickler):
    """Builds ``regex`` patterns from their compiled programs, and nothing else."""

    def find_class(self, module: str, name: str):
        if name == "compile" and module in ("regex._regex", "_regex"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a compiled pattern")


def _read(p: Path) -> dict:
    from redactor.detect.wordtables import trusted

    if not trusted(p):
        return {}
    try:
        data = _Unpickler(io.BytesIO(p.read_bytes())).load()
    except Exception:  # missing, damaged, or written by something else: compile afresh
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items()
            if isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int)
            and isinstance(value, _PATTERN) and value.pattern == key[0]}


def _loaded() -> dict:
    """This process's patterns: those read from the file, and those it
    compiled (a forked child starts with its parent's, and saves its own)."""
    pid = os.getpid()
    if _state.get("pid") != pid:
        stored = _read(path()) if "stored" not in _state else {**_state["stored"], **_state["new"]}
        _state.update(pid=pid, stored=stored, new={}, saving=False)
    return _state


def compile(source: str, flags: int = 0, keep: bool | None = None) -> regex.Pattern:  # noqa: A001
    """``regex.compile(source, flags)``; from the cache when ``keep`` (by
    default: inside :func:`kept`)."""
    if not (KEEP.get() if keep is None else keep):
        return regex.compile(source, flags)
    key = (source, int(flags))
    with _lock:
        state = _loaded()
        found = state["stored"].get(key) or state["new"].get(key)
    if found is not None:
        return found
    compiled = regex.compile(source, flags)  # a bad pattern raises here, as before
    with _lock:
        state["new"][key] = compiled
        if not state["saving"]:
            state["saving"] = True
            atexit.register(save)
    return compiled


def save() -> None:
    """Write the patterns compiled in this process, with those stored
    (or this process's alone, past :data:`MAX_PATTERNS`)."""
    with _lock:
        state = _loaded()
        new = dict(state["new"])
        if not new:
            return
        merged = {**state["stored"], **new}
        if len(merged) > MAX_PATTERNS:
            merged = new
        state["stored"], state["new"] = merged, {}
    target = path()
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp.write_bytes(pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written: compiled again next time
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
