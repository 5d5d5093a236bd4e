"""A document's pages read from its bytes, opened afresh every so often.

MuPDF keeps what it parsed of every page it has read (its objects, its
fonts' widths) until the document is closed: 64 MiB for the 10,000 pages
of bench_memory's file (PDFium keeps 10 KiB a page, qpdf 12 KiB). A reader that goes through every page once
(the readings detection runs on) reads them here instead: the same bytes,
opened again every :data:`CHUNK` pages, so that only one chunk's worth is
kept at a time (memory flat in pages, issue 14).

A page is valid until a page of another chunk is asked for.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pymupdf

from redactor.memory import give_back

CHUNK = 500


def on_disk(data: bytes):
    """``data`` in an anonymous temporary file: (the file, which keeps it;
    what MuPDF and qpdf open it by: a path to the file, where the system
    gives one (Linux: /proc/self/fd), else the bytes themselves). MuPDF and
    qpdf read a file as they need it: the bytes are not held in memory
    (issue 14)."""
    f = tempfile.TemporaryFile(prefix="redactor-pdf-")
    f.write(data)
    f.flush()
    path = f"/proc/self/fd/{f.fileno()}"
    try:
        with open(path, "rb") as check:
            if check.read(len(data[:1024])) == data[:1024]:
                return f, path
    except OSError:
        pass
    return f, data


class FreshPages:
    """Pages of the PDF ``data`` (its bytes, or a path to them: as a
    :class:`pymupdf.Document` gives them: by index, in order, ``page_count``)."""

    def __init__(self, data: "bytes | str") -> None:
        self._data = data
        self._doc: pymupdf.Document | None = None
        self._chunk = -1
        self.page_count = self._open(0).page_count

    def _open(self, chunk: int) -> pymupdf.Document:
        if chunk != self._chunk:
            self.close()
            if isinstance(self._data, str):
                self._doc = pymupdf.open(self._data, filetype="pdf")
            else:
                self._doc = pymupdf.open(stream=self._data, filetype="pdf")
            self._chunk = chunk
        return self._doc

    def __len__(self) -> int:
        return self.page_count

    def __getitem__(self, index: int) -> pymupdf.Page:
        if index < 0:
            index += self.page_count
        if not 0 <= index < self.page_count:
            raise IndexError("page index out of range")
        return self._open(index // CHUNK)[index]

    def __iter__(self) -> Iterator[pymupdf.Page]:
        for index in range(self.page_count):
            yield self[index]

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc, self._chunk = None, -1
            give_back()
