"""A page's content streams joined into one, in the working copy.

A page's ``/Contents`` may be an array of streams; PDF reads it as the
streams one after another (ISO 32000-1, 7.8.2). Some producers write a
stream for every line or call: PyMuPDF's ``insert_text``, annotation and
stamping tools. Apply's page edits replace every edited page's contents
with one new stream, so the old ones are dropped on writing; but qpdf,
which makes the edits, holds each object of the file it opens, and parses
every one the first time the edits add an object (about 1 KB each). Joined
before qpdf opens the working copy, a page of twelve streams costs it one
(memory flat in the number of pages, issue 14).

The join is the reading qpdf itself makes of the array (each stream
decoded and written after a newline where the one before, with the newline
written before it, does not end in one: an empty stream asks for one), so
the page edits read the same operators and write the same stream. Only
plain streams are joined: unfiltered or Flate without parameters, whose
data Python's zlib decodes whole; anything else leaves the page as it is.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import pymupdf

from redactor.redact import pdfobj
from redactor.redact.pdfobj import Ref

_ARRAY = re.compile(r"\[\s*((?:\d+\s+0\s+R\s*)+)\]")
_REF = re.compile(r"(\d+)\s+0\s+R")
#: a stream's dictionary as MuPDF writes it, holding nothing but its length and, if any, Flate
_PLAIN = re.compile(r"<<(?:/Length\s*\d+(?:\s+\d+\s+R)?|(/Filter\s*/FlateDecode))*>>")


def join_contents(doc: pymupdf.Document, numbers: Iterable[int]) -> int:
    """Join the content streams of pages ``numbers`` (1-based) of ``doc``;
    return how many pages were joined. The streams left unused stay in
    ``doc`` until it is written with garbage collection."""
    if doc.is_encrypted:
        return 0
    joined, size = 0, doc.xref_length()
    # each page's object first: MuPDF finds a page by number from a map that a new object discards
    for page in [doc.page_xref(number - 1) for number in numbers]:
        kind, value = doc.xref_get_key(page, "Contents")
        match = _ARRAY.fullmatch(value.strip()) if kind == "array" else None
        refs = [int(x) for x in _REF.findall(match.group(1))] if match else []
        if len(refs) < 2:
            continue
        parts = [_plain(doc, x) if 0 < x < size else None for x in refs]
        if any(p is None for p in parts):
            continue
        data, newline = bytearray(), False
        for part in parts:
            piece = b"\n" + part if newline else part
            data += piece
            newline = not piece.endswith(b"\n")
        doc.xref_set_key(page, "Contents", str(Ref(pdfobj.new_object(doc, {}, bytes(data)))))
        joined += 1
    return joined


def _plain(doc: pymupdf.Document, xref: int) -> bytes | None:
    """The decoded data of stream ``xref`` if it is unfiltered or plain
    Flate and decodes whole, else None."""
    match = _PLAIN.fullmatch(doc.xref_object(xref, compressed=True))
    raw = doc.xref_stream_raw(xref) if match else None
    if raw is None:
        return None
    if not match.group(1) or not raw:  # (no data is no data, however filtered)
        return raw
    inflate = zlib.decompressobj()
    try:
        data = inflate.decompress(raw)
    except zlib.error:
        return None
    return data if inflate.eof and not inflate.unused_data.strip() else None
