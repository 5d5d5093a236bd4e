"""Errors from MuPDF, qpdf and the interpreter's own limits, turned into one
line naming the input (exit 3) instead of an internal error.

:func:`open_pdf <redactor.ingest.document.open_pdf>` records the file being
processed in :data:`current_input`; the command line and the batch worker
use :func:`as_input_error` for any exception that escapes a run, so a file
that makes a library fail later (while redacting, sanitising or verifying)
is still reported as that file's problem.
"""

from __future__ import annotations

import contextvars
import errno
import re
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pymupdf

from redactor.errors import InputError, OutputError, RedactorError

#: The input file being processed in this context (set by open_pdf).
current_input: contextvars.ContextVar[Path | None] = contextvars.ContextVar("redactor_input", default=None)

_LIBRARY = (pymupdf.mupdf.FzErrorBase, pymupdf.FileDataError, pikepdf.PdfError, pikepdf.PasswordError,
            pikepdf.PikepdfError, RecursionError, MemoryError, zlib.error)
_MUPDF_CODE = re.compile(r"^code=\d+: ")


def is_library_error(e: BaseException) -> bool:
    """An exception a damaged or hostile file can cause inside a library."""
    if isinstance(e, _LIBRARY):
        return True
    return isinstance(e, RuntimeError) and bool(_MUPDF_CODE.match(str(e)))


def describe(e: BaseException, pdf: bool = True) -> str:
    from redactor.ingest.caps import clean_warning

    if isinstance(e, MemoryError):
        return "ran out of memory while processing it (a decompression bomb, or too large for this machine)"
    if isinstance(e, RecursionError):
        return "its structure is nested too deeply to process"
    msg = _MUPDF_CODE.sub("", clean_warning(str(e))) or type(e).__name__
    what = "damaged or unsupported PDF" if pdf else "cannot be converted"
    return f"{what}: the PDF library failed ({msg})"


def as_input_error(e: BaseException, path: str | Path | None = None) -> InputError | None:
    """The InputError for ``e`` if a library raised it on a user's file."""
    path = path if path is not None else current_input.get()
    if path is None or isinstance(e, RedactorError) or not is_library_error(e):
        return None
    return InputError(describe(e, pdf=Path(path).suffix.lower() == ".pdf"), path)


#: a write that failed for want of room, not because of the file: the output's folder or the temporary one
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def as_output_error(e: BaseException, path: str | Path | None = None) -> OutputError | None:
    """The OutputError (exit 5) for a write that found no room (a full disk,
    a quota), while ``path`` (by default the input being processed) was."""
    if not isinstance(e, OSError) or e.errno not in _NO_ROOM:
        return None
    path = path if path is not None else current_input.get()
    where = f" (the output's folder, or the temporary folder {tempfile.gettempdir()})"
    return OutputError(f"its output cannot be written: {e.strerror or e}{where}", path)


@contextmanager
def library_errors(path: str | Path) -> Iterator[None]:
    """Within the block, a library's exception becomes an InputError on ``path``."""
    try:
        yield
    except RedactorError:
        raise
    except Exception as e:
        err = as_input_error(e, path)
        if err is None:
            raise
        raise err from None
