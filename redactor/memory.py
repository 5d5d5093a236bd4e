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
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import sys

_trim = None
#: documents with fewer pages than this keep what their steps free (see above)
SMALL = 50
_small = contextvars.ContextVar("redactor_small_document", default=False)


@contextlib.contextmanager
def document(pages: int):
    """While a document of ``pages`` pages is worked on (in this thread)."""
    token = _small.set(pages < SMALL)
    try:
        yield
    finally:
        _small.reset(token)


def _load():
    global _trim
    if _trim is None:
        _trim = False
        if sys.platform.startswith("linux"):
            try:
                _trim = ctypes.CDLL("libc.so.6").malloc_trim
                _trim.argtypes, _trim.restype = [ctypes.c_size_t], ctypes.c_int
            except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
                _trim = False
    return _trim


def give_back() -> None:
    """Return the pages malloc holds free to the system (a few ms), unless
    a small document is being worked on (:func:`document`)."""
    if _small.get():
        return
    trim = _load()
    if trim:
        trim(0)
