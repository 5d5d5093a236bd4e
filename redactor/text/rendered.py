"""What a person sees: the page rendered and read by OCR (Tesseract 5).

Used for pages whose text layer cannot be trusted (see
:mod:`redactor.text.fonts`): the words Tesseract reads become a
:class:`PageText` with ``source="ocr"``, each character a share of its
word's box, converted from the image's pixels to unrotated page space, so a
finding here removes whatever is drawn under it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pymupdf

from redactor.text.ocr import tesseract
from redactor.text.page import Glyph, PageText

SOURCE = "ocr"
DPI = 300
#: words read with less confidence than this are left out
MIN_CONF = 0.3
#: mean confidence below this: check the orientation and read again
GOOD_SCORE = 0.6
MIN_OSD_CONF = 1.0


def render_png(page: pymupdf.Page, dpi: int = DPI, rotate: int = 0) -> tuple[bytes, pymupdf.Matrix]:
    """The page as displayed (its /Rotate applied, then turned ``rotate``
    degrees clockwise), as PNG, and the matrix from the image's pixels to
    unrotated page space."""
    zoom = dpi / 72.0
    m = pymupdf.Matrix(zoom, zoom).prerotate(rotate)
    pix = page.get_pixmap(matrix=m, alpha=False, annots=False)
    to_page = pymupdf.Matrix(1, 0, 0, 1, pix.x, pix.y) * ~m * page.derotation_matrix
    return pix.tobytes("png"), to_page


def read_words(page: pymupdf.Page, dpi: int = DPI, lang: str = tesseract.DEFAULT_LANG):
    """Tesseract's words on the page as displayed, and the matrix from their
    pixels to page space. A page that reads badly (sideways or upside down
    as displayed) is read again turned the way Tesseract's orientation
    check says, or upside down when the page has too little text for it."""
    png, to_page = render_png(page, dpi)
    # with a CPU to spare, the orientation check starts beside the reading: it is wanted for
    # most pages read here (their text layer lies, and they often read poorly)
    pool = ThreadPoolExecutor(1, thread_name_prefix="redactor-osd") if tesseract.jobs() > 1 else None
    try:
        early = pool.submit(tesseract.orientation, png) if pool is not None else None
        words = tesseract.ocr_image(png, lang=lang, psm=3, dpi=dpi)
        poor = _score(words) < GOOD_SCORE * max(1, len(words))
        turn, conf = (early.result() if early is not None else tesseract.orientation(png)) if poor else (0, 0.0)
    finally:
        if pool is not None:
            pool.shutdown(wait=False)  # a check not wanted ends on its own, unwaited for
    if poor:
        turns = [turn] if turn and conf >= MIN_OSD_CONF else ([] if turn == 0 and conf >= MIN_OSD_CONF else [180])
        for t in turns:
            png2, m2 = render_png(page, dpi, t)
            again = tesseract.ocr_image(png2, lang=lang, psm=3, dpi=dpi)
            if _score(again) > _score(words):
                words, to_page = again, m2
    return [w for w in words if w.conf >= MIN_CONF], to_page


def _score(words) -> float:
    return sum(w.conf for w in words if len(w.text) >= 3)


def ocr_page(page: pymupdf.Page, dpi: int = DPI, lang: str = tesseract.DEFAULT_LANG) -> PageText:
    words, to_page = read_words(page, dpi, lang)
    zoom = dpi / 72.0
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    line_no = -1
    current = None
    prev_box = None
    for w in words:
        if w.line_key != current:
            if current is not None:
                text.append("\n")
                glyphs.append(None)
            current = w.line_key
            line_no += 1
            prev_box = None
        x0, y0, x1, y1 = w.box
        box = pymupdf.Rect(w.box) * to_page
        size = (y1 - y0) / zoom
        if prev_box is not None:
            gap = tuple(pymupdf.Rect(prev_box) | box)
            text.append(" ")
            glyphs.append(Glyph(gap, line_no, size, True, None, w.conf))
        n = len(w.text)
        for i, ch in enumerate(w.text):
            # split the word along the reading direction of the image, then
            # take each share to page space (any page rotation)
            a, b = x0 + (x1 - x0) * i / n, x0 + (x1 - x0) * (i + 1) / n
            cb = tuple(pymupdf.Rect(a, y0, b, y1) * to_page)
            text.append(ch)
            # one box per OCR line: ``horizontal`` groups a line's boxes
            glyphs.append(Glyph(cb, line_no, size, True, None, w.conf))
        prev_box = box
    if current is not None:
        text.append("\n")
        glyphs.append(None)
        line_no += 1
    return PageText(index=page.number, text="".join(text), glyphs=glyphs, page_rect=tuple(page.rect), lines=line_no,
                    images=[], source=SOURCE)
