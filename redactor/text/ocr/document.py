"""OCR for a whole document: what the pipeline calls.

:func:`read_document` decides what to read (:mod:`.select`), reads it
(:mod:`.reading`) and returns one :class:`~redactor.text.page.PageText`
per page that holds OCR words (``source "ocr"``), to be detected on beside
the PDF's own text, and the pages that needed OCR but could not be read.
A page is never passed as "nothing found" because it could not be read:
Tesseract missing, a damaged picture, a blank-looking or handwritten
scan, or one too coarse to read all make an :class:`Unreadable`.

:func:`widen` makes the boxes of findings in OCR text wider where the
reading around them is unsure, never narrower.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pymupdf

from redactor.detect.findings import Finding
from redactor.text.ocr import reading, tesseract
from redactor.text.ocr.select import OcrOptions, Unit, plan
from redactor.text.page import PageText

#: Words below this confidence next to a finding are taken into its box.
UNSURE = 0.5
#: A scan page reads poorly below this mean word confidence.
POOR_MEAN = 0.5


@dataclass
class Unreadable:
    page: int  #: 1-based
    reason: str

    @property
    def message(self) -> str:
        return f"page {self.page} could not be read: review by eye ({self.reason})"


@dataclass
class OcrResult:
    pages: list[PageText] = field(default_factory=list)  #: OCR text, one per page read
    unreadable: list[Unreadable] = field(default_factory=list)
    read: list[int] = field(default_factory=list)  #: 1-based pages OCR read text on
    scans: list[int] = field(default_factory=list)  #: 1-based pages that are scans
    #: 1-based pages whose pictures were read (not a rendering of text the PDF holds): they get the text layer
    pictures: list[int] = field(default_factory=list)
    engine: str | None = None  #: "tesseract 5.3.0"

    def text_for(self, number: int) -> PageText | None:
        return next((p for p in self.pages if p.number == number), None)


def read_document(doc: pymupdf.Document, native: list[PageText], options: OcrOptions | None = None) -> OcrResult:
    """OCR what needs it. Raises only for a refused image (a decompression
    bomb, one line); everything that cannot be read becomes an Unreadable."""
    options = options or OcrOptions()
    units, pages = plan(doc, native, options)
    result = OcrResult(scans=[p.page + 1 for p in pages if p.scan])
    if units:
        version = tesseract.version()
        result.engine = f"tesseract {version}" if version else None
    readings = reading.read_units(doc, units, options)
    for pp in pages:
        number = pp.page + 1
        if pp.problem:
            result.unreadable.append(Unreadable(number, pp.problem))
            continue
        if options.mode == "never":
            if pp.scan:
                result.unreadable.append(Unreadable(number, "it is a scan and OCR is turned off (--ocr never)"))
            continue
        mine = [(readings[k], units[k]) for k in pp.units]
        placed = []
        for r, unit in mine:
            for m in _placements_on(unit, pp.page):
                placed.append((r, m))
        text = reading.page_text(pp.page, doc[pp.page].rect * doc[pp.page].derotation_matrix, placed)
        if any(g is not None for g in text.glyphs):
            result.pages.append(text)
            result.read.append(number)
            if pp.scan or any(units[k].xref for k in pp.units):
                result.pictures.append(number)
        # a small picture (a logo, an icon, a signature: an e-mail's or an image input's whole page) holding no
        # text is no failure to read; a page-sized scan is (and any page of a PDF)
        problem = _problem(pp.scan and not (options.pictures and _small_pictures(doc[pp.page])), [r for r, _ in mine])
        if problem:
            result.unreadable.append(Unreadable(number, problem))
        # pictures of text are not photographs of people
        texty = [u for r, u in mine if r.good_words >= reading.MIN_WORDS]
        if texty and pp.page < len(native):
            covered = [pymupdf.Rect(rect) for u in texty for rect in _rects_on(u, pp.page)]
            own = native[pp.page]
            own.images = [r for r in own.images if not any(_same(pymupdf.Rect(r), c) for c in covered)]
            native[pp.page] = own  # (a page read from a spill is a copy: put back)
    return result


def _placements_on(unit: Unit, page: int) -> list[pymupdf.Matrix]:
    if unit.xref:
        return [u.matrix for u in unit.uses if u.page == page]
    return [pymupdf.Matrix(1, 0, 0, 1, 0, 0)]


def _rects_on(unit: Unit, page: int) -> list[pymupdf.Rect]:
    if unit.xref:
        return [u.rect for u in unit.uses if u.page == page]
    return [unit.clip] if unit.clip is not None else []


def _same(a: pymupdf.Rect, b: pymupdf.Rect) -> bool:
    inter = abs(a & b)
    return inter > 0.8 * min(abs(a), abs(b))


def _small_pictures(page: pymupdf.Page) -> bool:
    """The page's pictures are all small (none of them the scan of a page)."""
    try:
        images = page.get_images(full=True)
    except Exception:  # noqa: BLE001 - as a scan, then
        return False
    return bool(images) and all(min(int(i[2]), int(i[3])) < reading.SHORT_PICTURE for i in images)


def _problem(scan: bool, readings: list[reading.Reading]) -> str | None:
    """Why a page that needed OCR could not be read, or None."""
    errors = [r.error for r in readings if r.error]
    if errors:
        return errors[0]
    if not scan or not readings:
        return None  # a photograph that holds no text is not a failure to read
    good = sum(r.good_words for r in readings)
    confs = [r.mean_conf for r in readings if r.words]
    mean = sum(confs) / len(confs) if confs else 0.0
    if all(r.blank for r in readings):
        return "the scan looks blank"
    if good >= reading.MIN_WORDS and mean >= POOR_MEAN:
        return None
    dpi = min((r.dpi for r in readings if r.dpi), default=0)
    if dpi and dpi < reading.LOW_DPI:
        return f"the scan's resolution is too low ({dpi:.0f} dpi)"
    return (f"too little could be read with confidence ({good} words, mean confidence {mean:.0%}): "
            "handwriting, a faint or damaged scan?")


def widen(findings: list[Finding], pages: list[PageText]) -> None:
    """Boxes of OCR findings take in unsure words beside them and grow with
    the uncertainty of their own characters; they never shrink."""
    by_number = {p.number: p for p in pages if p.source == "ocr"}
    for f in findings:
        page = by_number.get(f.page) if f.source == "ocr" else None
        if page is None or f.end <= f.start:
            continue
        start, end = f.start, f.end
        start = _extend(page, start, -1)
        end = _extend(page, end, +1)
        confs = [g.conf for g in page.glyphs[start:end] if g is not None and g.conf is not None]
        low = min(confs) if confs else 1.0
        grown = []
        for r in page.rects(start, end):
            h = min(r[3] - r[1], r[2] - r[0]) if r[2] - r[0] > 0 else r[3] - r[1]
            dx, dy = (1.0 - low) * 0.6 * h + 0.1 * h, (1.0 - low) * 0.15 * h
            grown.append((r[0] - dx, r[1] - dy, r[2] + dx, r[3] + dy))
        f.rects = _union_keep(f.rects, grown)


def _extend(page: PageText, pos: int, step: int) -> int:
    """Move ``pos`` over the neighbouring word on the same line if it was read unsure."""
    glyphs, n = page.glyphs, len(page.glyphs)
    i = pos if step > 0 else pos - 1
    if not (0 <= i < n) or page.text[i] == "\n":
        return pos
    if glyphs[i] is None and page.text[i] == " ":  # the gap between words
        i += step
    j = i
    line = glyphs[i].line if 0 <= i < n and glyphs[i] is not None else None
    while 0 <= j < n and glyphs[j] is not None and glyphs[j].line == line:
        if glyphs[j].conf is None or glyphs[j].conf >= UNSURE:
            return pos
        j += step
    if j == i:
        return pos
    return j if step > 0 else j + 1


def _union_keep(old: list, new: list) -> list:
    """``new`` boxes, each grown to hold any old box it overlaps; old boxes nothing overlaps stay."""
    out = [list(r) for r in new]
    for o in old:
        hit = False
        for r in out:
            if o[0] < r[2] and o[2] > r[0] and o[1] < r[3] and o[3] > r[1]:
                r[0], r[1], r[2], r[3] = min(r[0], o[0]), min(r[1], o[1]), max(r[2], o[2]), max(r[3], o[3])
                hit = True
        if not hit:
            out.append(list(o))
    return [tuple(r) for r in out]
