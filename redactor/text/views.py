"""Every reading of a document that detection runs on.

MuPDF's default reading (:mod:`redactor.text.mupdf`) is the primary one:
apply, the log and review work on it. Other readers see more, so detection
also runs on:

* ``positional``: the same glyphs joined by where they are drawn
  (letter-spaced text, glyphs placed one by one or in reverse order);
* ``dehyphenated``: words hyphenated across a line break joined again;
* ``actualtext``: MuPDF with /ActualText honoured (marked content in the
  page's content streams, as poppler and screen readers read it);
* ``pdfium``: PDFium, the engine in Chrome, with its own fonts, reading
  order and word breaks;
* ``ocr``: the rendered page read by Tesseract, for pages whose fonts make
  the text layer untrustworthy (:mod:`redactor.text.fonts`).

A reading is kept only for the pages where it reads something the primary
reading does not (a line of it is not in the primary text), so the extra
cost on ordinary pages is the cost of reading and comparing. Every reading's
glyph boxes are in the same page space, so a finding in any reading is a
box over the glyphs drawn there.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
import pymupdf

from redactor.text import fonts, hyphens, positional, rendered
from redactor.text.mupdf import EXTRACT_FLAGS, extract_page
from redactor.text.page import PageText
from redactor.text.pdfium import SOURCE as PDFIUM, PdfiumReader

PRIMARY = "mupdf"
ACTUALTEXT = "actualtext"
#: MuPDF's reading with /ActualText replacing the glyphs it stands for
ACTUALTEXT_FLAGS = EXTRACT_FLAGS & ~pymupdf.TEXT_IGNORE_ACTUALTEXT


@dataclass
class Views:
    """The readings of one document."""

    primary: list[PageText]
    extra: list[PageText] = field(default_factory=list)  #: other readings, only of pages where they differ
    suspicious: dict[int, list[str]] = field(default_factory=dict)  #: page index -> why its text layer is not trusted
    skipped: list[str] = field(default_factory=list)  #: readings that could not be made, and why

    def by_source(self) -> dict[str, list[PageText]]:
        out: dict[str, list[PageText]] = {}
        for p in self.extra:
            out.setdefault(p.source, []).append(p)
        return out


def _flat(text: str) -> str:
    return " ".join(text.split())


def _squeezed(text: str) -> str:
    return "".join(text.split())


def new_lines(reading: str, primary_flat: str, squeeze: bool = False) -> bool:
    """Whether some line of ``reading`` is not in the primary text."""
    for line in reading.splitlines():
        line = _squeezed(line) if squeeze else _flat(line)
        if line and line not in primary_flat:
            return True
    return False


def read_views(doc: pymupdf.Document, data: bytes | None = None, password: str | None = None,
               ocr: bool = True) -> Views:
    """All readings of ``doc`` (the working copy). ``data``: the file's bytes,
    for the readers that parse the file themselves (PDFium, the font check)."""
    views = Views(primary=[])
    reader = font_check = None
    pdf = None
    if data is not None:
        try:
            reader = PdfiumReader(data, password)
            if len(reader) != doc.page_count:
                reader.close()
                reader = None
                views.skipped.append("pdfium: it counts the pages differently")
        except Exception as e:  # PDFium refusing a file MuPDF opened is not fatal: the others still read
            views.skipped.append(f"pdfium: {e}")
        try:
            pdf = pikepdf.open(io.BytesIO(data), password=password or "")
            font_check = fonts.FontCheck(pdf)
        except Exception as e:
            views.skipped.append(f"font check: {e}")
    try:
        for page in doc:
            _read_page(page, views, reader, font_check, ocr)
    finally:
        if reader is not None:
            reader.close()
        if pdf is not None:
            pdf.close()
    return views


def _read_page(page: pymupdf.Page, views: Views, reader: PdfiumReader | None, font_check, ocr: bool) -> None:
    primary = extract_page(page)
    views.primary.append(primary)
    flat, squeezed = _flat(primary.text), _squeezed(primary.text)
    lines, spans = positional.layout(page)
    if new_lines(positional.text_of(lines), flat):
        views.extra.append(positional.read_page(page, lines, spans))
    joined = hyphens.dehyphenate(primary)
    if joined is not None:
        views.extra.append(joined)
    actual = page.get_text("text", flags=ACTUALTEXT_FLAGS, clip=pymupdf.INFINITE_RECT())
    if new_lines(actual, squeezed, squeeze=True):
        views.extra.append(extract_page(page, flags=ACTUALTEXT_FLAGS, source=ACTUALTEXT))
    if reader is not None:
        try:
            if new_lines(reader.text(page.number), squeezed, squeeze=True):
                views.extra.append(reader.page_text(page.number))
        except Exception as e:
            views.skipped.append(f"pdfium, page {page.number + 1}: {e}")
    problems = font_check.page_problems(page.number) if font_check is not None else []
    unmapped = fonts.unmapped_glyphs(primary.text)
    if unmapped >= fonts.UNMAPPED_MIN:
        problems.append(f"{unmapped} glyphs have no usable Unicode mapping")
    if problems:
        views.suspicious[page.number] = problems
        if ocr:
            views.extra.append(rendered.ocr_page(page))
