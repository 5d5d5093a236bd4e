"""A second, independent engine: PDFium (the engine in Chrome), via pypdfium2.

PDFium has its own font handling, its own reading order and its own idea of
where words end, so it reads some text MuPDF reads differently (glyphs drawn
in reverse, letter-spaced words, /ActualText). Its character boxes are in
PDF user space (y up); they are converted to the space every other reading
uses: unrotated, y down, origin at the top-left of the visible page (the
crop box, clipped to the media box), which is where MuPDF puts its origin.
"""

from __future__ import annotations

import ctypes
import math

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from redactor.text.mupdf import tight_box
from redactor.text.page import Glyph, PageText

SOURCE = "pdfium"
#: PDFium writes this where it joined a word hyphenated across a line break
SOFT_HYPHEN = "\x02"
JOINED_HYPHEN = "\ufffe"  #: the same, as get_text_range reports it


class PdfiumReader:
    """PDFium's reading of one document's pages, opened once."""

    def __init__(self, data: bytes, password: str | None = None):
        self.doc = pdfium.PdfDocument(data, password=password)

    def __len__(self) -> int:
        return len(self.doc)

    def close(self) -> None:
        self.doc.close()

    def text(self, index: int) -> str:
        """The page's text in PDFium's reading order (cheap: one call)."""
        return self.read(index)[0]

    def page_text(self, index: int, select=None) -> PageText:
        """The page's text with a glyph box for every character; with
        ``select`` (text -> line numbers), only those lines and the lines
        either side of them (boxes are costly to ask PDFium for)."""
        return self.read(index, lambda _text: True, select)[1]

    def read(self, index: int, wanted=None, select=None) -> tuple[str, PageText | None]:
        """:meth:`text`, and where ``wanted(text)`` is true :meth:`page_text`
        too, from one loading of the page and of its text (PDFium lays the
        page's text out each time it is asked for it)."""
        page = self.doc[index]
        try:
            tp = page.get_textpage()
            try:
                text = tp.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
                text = text.replace(SOFT_HYPHEN, "").replace(JOINED_HYPHEN, "")
                if wanted is None or not wanted(text):
                    return text, None
                return text, _build(index, tp, _visible(page), select)
            finally:
                tp.close()
        finally:
            page.close()


def _visible(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    """The visible page (crop box clipped to the media box) in PDF coordinates."""
    ml, mb, mr, mt = page.get_mediabox()
    cl, cb, cr, ct = page.get_cropbox()
    return max(ml, cl), max(mb, cb), min(mr, cr), min(mt, ct)


def _lines(tp: pdfium.PdfTextPage, n: int) -> list[tuple[int, int, str]]:
    """(first char, end char, text) of each line, from the characters alone."""
    out = []
    start, chars, prev_cr = 0, [], False
    for i in range(n):
        u = raw.FPDFText_GetUnicode(tp, i)
        if u in (0x0D, 0x0A, 0x2028):
            if not (u == 0x0A and prev_cr):
                out.append((start, i, "".join(chars)))
                chars = []
            start, prev_cr = i + 1, u == 0x0D
            continue
        prev_cr = False
        if u not in (2, 0xFFFE):
            chars.append(chr(u) if 0 < u < 0x110000 else "\ufffd")
    out.append((start, n, "".join(chars)))
    return out


def _build(index: int, tp: pdfium.PdfTextPage, visible: tuple[float, float, float, float], select=None) -> PageText:
    left, bottom, right, top = visible
    width, height = right - left, top - bottom
    n = raw.FPDFText_CountChars(tp)
    wanted = None
    if select is not None:
        lines = _lines(tp, max(0, n))
        picked = {j for i in select("\n".join(t for _, _, t in lines)) for j in (i - 1, i, i + 1)}
        wanted = [False] * max(0, n)
        for no, (a, b, _) in enumerate(lines):
            if no in picked:
                for k in range(a, min(b + 2, n)):  # and the line break after it
                    wanted[k] = True
    rect = raw.FS_RECTF()
    matrix = raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    line = 0
    hidden_counts: dict[str, int] = {}
    prev_cr = False
    prev_base = None
    for i in range(max(0, n)):
        if wanted is not None and not wanted[i]:
            continue
        u = raw.FPDFText_GetUnicode(tp, i)
        if u in (0x0D, 0x0A, 0x2028):
            if u == 0x0A and prev_cr:
                prev_cr = False
                continue
            prev_cr = u == 0x0D
            text.append("\n")
            glyphs.append(None)
            line += 1
            prev_base = None
            continue
        prev_cr = False
        if u in (2, 0xFFFE):  # PDFium's mark for a hyphen it has joined a word across
            continue
        try:
            ch = chr(u)
        except (ValueError, OverflowError):
            ch = "\ufffd"
        if not raw.FPDFText_GetLooseCharBox(tp, i, rect):
            text.append(ch)
            glyphs.append(Glyph((0.0, 0.0, 0.0, 0.0), line, 0.0, True))
            continue
        bbox = (rect.left - left, top - rect.top, rect.right - left, top - rect.bottom)
        # the size set with Tf, as the text and page matrices scale it (a font set at 1 pt and
        # drawn 9 pt tall by its text matrix is 9 pt: boxes are no taller than the line, tight_box)
        size = float(raw.FPDFText_GetFontSize(tp, i))
        if raw.FPDFText_GetMatrix(tp, i, matrix):
            size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
        angle = raw.FPDFText_GetCharAngle(tp, i)
        horizontal = angle < 0 or abs(math.sin(angle)) < 1e-3
        direction = (math.cos(angle), -math.sin(angle)) if angle >= 0 else (1.0, 0.0)  # y down
        if raw.FPDFText_GetCharOrigin(tp, i, ox, oy):
            origin = (ox.value - left, top - oy.value)
        else:
            origin = (bbox[0], bbox[3])
        hidden = None
        if not (bbox[0] < width and bbox[2] > 0 and bbox[1] < height and bbox[3] > 0):
            hidden = "outside the visible page"
            if not ch.isspace():
                hidden_counts[hidden] = hidden_counts.get(hidden, 0) + 1
        # PDFium may run two printed lines into one (a word it joined across
        # a hyphen): a box never spans lines, so a jump in baseline is a new line
        if not ch.isspace():
            if prev_base is not None and horizontal and abs(origin[1] - prev_base) > 0.5 * max(1.0, size):
                line += 1
            prev_base = origin[1] if horizontal else None
        text.append(ch)
        glyphs.append(Glyph(tight_box(bbox, origin, size, direction), line, size, horizontal, hidden))
    if text and text[-1] != "\n":
        text.append("\n")
        glyphs.append(None)
        line += 1
    return PageText(index=index, text="".join(text), glyphs=glyphs, page_rect=(0.0, 0.0, width, height),
                    lines=line, hidden_counts=hidden_counts, images=[], source=SOURCE)
