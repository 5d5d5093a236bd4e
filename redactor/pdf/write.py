"""Writing a PDF with qpdf (pikepdf) so that a failed write is an error.

When a write fails inside qpdf (a full disk), qpdf's exception escapes where
it cannot be caught and the process aborts ("terminate called after throwing
an instance of 'QPDFSystemError'", exit 134), leaving half-written files
behind. :func:`save` lets qpdf write through a stream that never fails: it
keeps the first error, drops what comes after it, and raises it once qpdf
is done, as an :class:`~redactor.errors.OutputError` the caller cleans up
after like any other.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

import pikepdf

from redactor.errors import OutputError


class _Guarded(io.RawIOBase):
    """Writes to ``f`` until one fails; then only counts."""

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.error = f, None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        view, done = memoryview(data).cast("B"), 0
        while self.error is None and done < len(view):
            try:
                n = self.f.write(view[done:])  # (an unbuffered file may take part of it)
            except OSError as e:
                self.error = e
                break
            if n is None:  # a buffered file takes it all, or raises
                break
            if n == 0:
                self.error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            done += n
        return len(view)

    def flush(self) -> None:
        if self.error is None and not self.f.closed:
            try:
                self.f.flush()
            except OSError as e:
                self.error = e


def save(pdf: pikepdf.Pdf, target: str | Path | BinaryIO, **options) -> None:
    """``pdf.save(target, **options)``, into a file named ``target`` (made or
    emptied) or an open binary file; OutputError if writing fails."""
    own = isinstance(target, (str, Path))
    f = open(target, "wb", buffering=0) if own else target
    guard = _Guarded(f)
    try:
        with io.BufferedWriter(guard, 1 << 16) as buffered:  # (closing it flushes into the guard: no error)
            pdf.save(buffered, **options)
        guard.flush()
    finally:
        if own:
            f.close()
    if guard.error is not None:
        raise OutputError(f"cannot be written: {guard.error.strerror or guard.error}", _folder(target))


def _folder(target) -> Path:
    """Where ``target`` is written: its folder (an anonymous temporary file's: the temporary folder)."""
    name = target if isinstance(target, (str, Path)) else getattr(target, "name", None)
    return Path(name).parent if isinstance(name, (str, Path)) else Path(tempfile.gettempdir())
