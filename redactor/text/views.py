"""Every reading of a document that detection runs on.

MuPDF's default reading (:mod:`redactor.text.mupdf`) is the primary one:
apply, the log and review work on it. Other readers see more, so detection
also runs on:

* ``positional``: the same glyphs joined by where they are drawn
  (letter-spaced text, glyphs placed one by one or in reverse order);
* ``despaced``: letters typed with spaces between them joined into words,
  as poppler and a person read them;
* ``dehyphenated``: words hyphenated across a line break joined again;
* ``sizeless``: text drawn at no size (a font size of 0, ``0 Tz``, a zero
  matrix), which no viewer shows and every extractor reads, and MuPDF's
  structured reading drops (:mod:`redactor.text.sizeless`);
* ``columns``: each table cell after its column's header ("Call sign:
  TANGO 21"), where the header row says what the cells below it hold;
* ``actualtext``: MuPDF with /ActualText honoured (marked content in the
  page's content streams, as poppler and screen readers read it);
* ``pdfium``: PDFium, the engine in Chrome, with its own fonts, reading
  order and word breaks;
* ``ocr``: the rendered page read by Tesseract, for pages whose fonts make
  the text layer untrustworthy (:mod:`redactor.text.fonts`).

Of each reading, detection sees only the lines that hold a word the primary
reading does not have (and a line either side, for context), so the extra
cost on ordinary pages is the cost of reading and comparing. Every reading's
glyph boxes are in the same page space, so a finding in any reading is a
box over the glyphs drawn there.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

import pikepdf
import pymupdf
import regex

from redactor.text import columns, despaced, fonts, hyphens, positional, rendered, sizeless
from redactor.text.mupdf import EXTRACT_FLAGS, extract_page
from redactor.text.page import PageText, copy_glyphs, glyphs_like
from redactor.text.pdfium import PdfiumReader
from redactor.memory import give_back
from redactor.spill import Spill
from redactor.text import fresh  # PDFium's and qpdf's copies of the file are opened afresh every fresh.CHUNK pages

PRIMARY = "mupdf"
#: three or more one-letter words in a row ("J o n a t h a n", or one glyph
#: per line): text drawn letter-spaced, kerned apart or in reverse order
_SPACED_OUT = regex.compile(r"(?<!\S)\p{L}(?:\s+\p{L}(?!\S)){2,}|(?<!\S)\w(?:[ \t]+\w(?!\S)){3,}")
ACTUALTEXT = "actualtext"
#: MuPDF's reading with /ActualText replacing the glyphs it stands for
ACTUALTEXT_FLAGS = EXTRACT_FLAGS & ~pymupdf.TEXT_IGNORE_ACTUALTEXT


@dataclass
class Views:
    """The readings of one document."""

    primary: "list[PageText] | Spill"  #: one per page; kept on disk by read_views (issue 14)
    extra: list[PageText] = field(default_factory=list)  #: other readings, only of pages where they differ
    #: the columns reading of pages with tables: whole tables, not excerpts, so kept on disk (issue 14)
    tables: "list[PageText] | Spill" = field(default_factory=list)
    suspicious: dict[int, list[str]] = field(default_factory=dict)  #: page index -> why its text layer is not trusted
    skipped: list[str] = field(default_factory=list)  #: readings that could not be made, and why
    ocr: object | None = None  #: what OCR read and could not read (redactor.text.ocr.document.OcrResult)

    def by_source(self) -> "dict[str, list[PageText] | Spill]":
        out: dict[str, list[PageText]] = {}
        for p in self.extra:
            out.setdefault(p.source, []).append(p)
        if len(self.tables):
            out[columns.SOURCE] = self.tables
        return out


def _word(w: str) -> str:
    return unicodedata.normalize("NFKC", w).casefold().strip(_PUNCT)


_PUNCT = "".join(chr(c) for c in range(0x2000, 0x2070)) + "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u00ab\u00bb\u00ad"


def words_of(text: str) -> set:
    """The primary reading's words, and its pairs of neighbouring words."""
    words = [_word(w) for w in text.split()]
    return set(words) | set(zip(words, words[1:]))


def _telling(w: str) -> bool:
    """A word rules care about next to another: a capital or a digit in it."""
    return any(ch.isupper() or ch.isdigit() for ch in w)


def fresh_lines(reading: str, known: set) -> list[int]:
    """Lines of ``reading`` with a word (two letters or more) the primary
    reading does not have, or two neighbouring words with capitals or digits
    (a rank and a name, the parts of a number) it does not have side by side."""
    out = []
    for i, line in enumerate(reading.split("\n")):
        raw = line.split()
        words = [_word(w) for w in raw]
        if any(sum(ch.isalnum() for ch in w) >= 2 and w not in known for w in words) or any(
                (a, b) not in known and _telling(ra) and _telling(rb)
                for a, b, ra, rb in zip(words, words[1:], raw, raw[1:])):
            out.append(i)
    return out


def excerpt(page: PageText, lines: list[int], context: int = 1) -> PageText | None:
    """The given lines of ``page`` (and ``context`` lines either side), with
    their glyphs: detection then reads only what is new in a reading."""
    if not lines:
        return None
    wanted = {j for i in lines for j in range(i - context, i + context + 1)}
    text: list[str] = []
    glyphs = glyphs_like(page.glyphs)  # packed as they are copied (issue 14)
    start = 0
    for no, line in enumerate(page.text.split("\n")):
        end = start + len(line)
        if no in wanted and line.strip():
            text.append(line + "\n")
            copy_glyphs(glyphs, page.glyphs, start, end)
            glyphs.append(None)
        start = end + 1
    if not text:
        return None
    return PageText(index=page.index, text="".join(text), glyphs=glyphs, page_rect=page.page_rect,
                    lines=page.lines, hidden_counts=page.hidden_counts, images=[], source=page.source)


def read_views(doc: "pymupdf.Document | fresh.FreshPages", data: bytes | None = None, password: str | None = None,
               ocr: bool = True) -> Views:
    """All readings of ``doc`` (the working copy, or its pages read afresh:
    :class:`redactor.text.fresh.FreshPages`). ``data``: the file's bytes,
    for the readers that parse the file themselves (PDFium, the font check);
    they are opened afresh every CHUNK pages too (what they keep of every
    page they read goes with the old ones: memory flat in pages, issue 14).
    The primary reading is kept on disk (:class:`redactor.spill.Spill`): a
    page read from it is a copy, put back if changed."""
    views = Views(primary=Spill(), tables=Spill())
    reader = font_check = None
    pdf = None
    # which pages may hold /ActualText, before the other readers open the file (one qpdf copy at a time)
    marked = _marked_pages(data, password) if data is not None else None
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
    if pdf is None:
        marked = None  # (as when qpdf cannot read the file: every page is read)
    try:
        for page in doc:
            if page.number and page.number % fresh.CHUNK == 0:  # the same readers, opened afresh
                try:
                    if reader is not None:
                        reader.close()
                        reader = None
                        reader = PdfiumReader(data, password)
                    if pdf is not None:
                        pdf.close()
                        pdf = font_check = None
                        pdf = pikepdf.open(io.BytesIO(data), password=password or "")
                        font_check = fonts.FontCheck(pdf)
                except Exception as e:  # (they opened the same bytes before)
                    views.skipped.append(f"pdfium or font check, from page {page.number + 1}: {e}")
                give_back()
            _read_page(page, views, reader, font_check, ocr, marked)
    finally:
        if reader is not None:
            reader.close()
        if pdf is not None:
            pdf.close()
    return views


def _read_page(page: pymupdf.Page, views: Views, reader: PdfiumReader | None, font_check, ocr: bool,
               marked: set[int] | None) -> None:
    primary = extract_page(page)
    joined = hyphens.dehyphenate(primary)
    # words joined across a hyphen are not news to other readings (PDFium joins them too)
    known = words_of(primary.text) | (words_of(joined[0].text) if joined is not None else set())

    def add(reading: PageText | None, lines: list[int] | None = None) -> None:
        if reading is not None:
            cut = excerpt(reading, fresh_lines(reading.text, known) if lines is None else lines)
            if cut is not None:
                views.extra.append(cut)

    if _SPACED_OUT.search(primary.text):  # what the positional reading repairs shows as single letters
        lines, spans = positional.layout(page)
        if fresh_lines(positional.text_of(lines), known):
            add(positional.read_page(page, lines, spans))
        add(despaced.despace(primary))  # letters typed with spaces between them
    if joined is not None:
        add(joined[0], joined[1])
    if primary.sizeless:
        add(sizeless.read_page(page))
    tables = columns.read_columns(primary)  # each table cell under its column's header
    if tables is not None:
        views.tables.append(tables)
    if marked is None or page.number in marked:
        actual = page.get_text("text", flags=ACTUALTEXT_FLAGS, clip=pymupdf.INFINITE_RECT())
        if fresh_lines(actual, known):
            add(extract_page(page, flags=ACTUALTEXT_FLAGS, source=ACTUALTEXT))
    if reader is not None:
        try:
            _text, reading = reader.read(page.number, lambda text: fresh_lines(text, known),
                                         select=lambda text: fresh_lines(text, known))
            add(reading)
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
    views.primary.append(primary)  # (as it is now: what a spill holds is a copy)


def _marked_pages(data: bytes, password: str | None) -> set[int] | None:
    """Pages whose content (or forms) may carry /ActualText in marked
    content; None when that cannot be told (then every page is read).
    qpdf's copy of the file is opened afresh every CHUNK pages (what it
    keeps of every object read goes: memory flat in pages, issue 14)."""
    try:
        pages: set[int] = set()
        start, count = 0, None
        while count is None or start < count:
            pdf = pikepdf.open(io.BytesIO(data), password=password or "")
            try:
                count = len(pdf.pages)
                for i in range(start, min(start + fresh.CHUNK, count)):
                    if _has_marked(pdf.pages[i].obj, set(), 0):
                        pages.add(i)
            finally:
                pdf.close()
                del pdf  # (qpdf's copy goes when the last reference does, not when it is closed)
            give_back()
            start += fresh.CHUNK
        return pages
    except Exception:
        return None


def _has_marked(holder, seen: set, depth: int) -> bool:
    if depth > 8:
        return True
    res = holder.get("/Resources")
    if isinstance(holder, pikepdf.Stream):
        data = holder.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    else:
        contents = holder.get("/Contents")
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
        data = b"".join(c.read_bytes(pikepdf.StreamDecodeLevel.specialized) for c in parts if isinstance(c, pikepdf.Stream))
    if b"BDC" in data and (b"Actual" in data or b"#" in data or _props_have_actual(res)):
        return True
    xobjs = res.get("/XObject") if isinstance(res, pikepdf.Dictionary) else None
    if isinstance(xobjs, pikepdf.Dictionary):
        for _, xo in xobjs.items():
            if isinstance(xo, pikepdf.Stream) and xo.get("/Subtype") == "/Form" and xo.objgen not in seen:
                seen.add(xo.objgen)
                if _has_marked(xo, seen, depth + 1):
                    return True
    return False


def _props_have_actual(res) -> bool:
    props = res.get("/Properties") if isinstance(res, pikepdf.Dictionary) else None
    if not isinstance(props, pikepdf.Dictionary):
        return False
    return any(isinstance(p, pikepdf.Dictionary) and "/ActualText" in p for _, p in props.items())
