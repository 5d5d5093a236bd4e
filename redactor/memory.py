"""Memory given back to the system between the steps of a run (issue 14).

glibc's malloc keeps what a step freed (qpdf's and MuPDF's copies of the
document, the pages' parses) inside the process; the next step, asking
for blocks of other sizes, takes more from the system, so a large file's
peak grew with every step although little was still in use.
:func:`give_back` returns the free pages to the system (``malloc_trim``);
where the C library is not glibc it does nothing. Within a small document
(:func:`document`, under :data:`SMALL` pages) it does nothing either: each
step frees little there, malloc uses it again for the next, and trimming
and taking the pages back cost 2-3 % of the time of a run of short files.

glibc also gives each thread that allocates a malloc arena of its own (up
to eight a core), and what is freed in one arena serves only that
arena's later allocations. A large document's NER read-ahead thread
left ~16 MiB in its arena that the main thread's next steps could not
use: from the first large document on (:func:`document`), the process's
threads share the main arena (``mallopt(M_ARENA_MAX, 1)``; bench_memory's
10,000-page file: 451.7 -> 438.3 MiB at its peak, the 100-page file's
unchanged).

Python's cyclic garbage collector, in its full passes, walks every object
that can hold others; after the rule packs and the spaCy model are loaded
those are many, and a run makes enough objects (the pages' glyphs, their
parses) to start a full pass every few pages: 2.6 s of a 14-page paper's
run went there. :func:`settle` sets what the process has made so far
aside from those passes (``gc.freeze``): the model and the packs are
kept for the life of the process anyway.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import gc
import sys

_trim = None
_mallopt = None
#: glibc's mallopt parameter: the number of malloc arenas a process may have
M_ARENA_MAX = -8
#: documents with fewer pages than this keep what their steps free (see above)
SMALL = 50
_small = contextvars.ContextVar("redactor_small_document", default=False)


@contextlib.contextmanager
def document(pages: int):
    """While a document of ``pages`` pages is worked on (in this thread)."""
    token = _small.set(pages < SMALL)
    if pages >= SMALL:
        one_arena()
    try:
        yield
    finally:
        _small.reset(token)


def _glibc(name: str, argtypes: list, restype):
    """The C library's function ``name``, or False where the C library is not
    glibc (musl has no malloc_trim) or the system not Linux."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        function = getattr(ctypes.CDLL("libc.so.6"), name)
    except (OSError, AttributeError):
        return False
    function.argtypes, function.restype = argtypes, restype
    return function


def _load():
    global _trim
    if _trim is None:
        _trim = _glibc("malloc_trim", [ctypes.c_size_t], ctypes.c_int)
    return _trim


def one_arena() -> None:
    """From now on, threads allocate from the main malloc arena (glibc;
    elsewhere, nothing). Arenas threads already have stay theirs."""
    global _mallopt
    if _mallopt is None:
        _mallopt = _glibc("mallopt", [ctypes.c_int, ctypes.c_int], ctypes.c_int)
        if _mallopt:
            _mallopt(M_ARENA_MAX, 1)


def give_back() -> None:
    """Return the pages malloc holds free to the system (a few ms), unless
    a small document is being worked on (:func:`document`)."""
    if _small.get():
        return
    trim = _load()
    if trim:
        trim(0)


def settle() -> None:
    """What the process holds now (modules, rule packs, the spaCy model) is
    to stay: collect once, then leave it out of the collector's later
    passes. Call once the detector is built; objects made after it are
    collected as always."""
    gc.collect()
    gc.freeze()
