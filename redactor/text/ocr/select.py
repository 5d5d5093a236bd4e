"""When to OCR: which pages and images of a document are read from their
pixels.

``auto`` (the default):

* a page mostly covered by images with little visible text of its own is a
  **scan**. Its invisible text layer, if a scanner left one, is not trusted
  on its own: the pixels are read as well. A scan that is one large image
  is read from that image; a scan cut into strips or tiles, or drawn inline,
  is read from a rendering of the page;
* every other image larger than a small threshold is read too (a
  screenshot of a log, a photographed statement in a slide). Icons, rules
  and logos below the threshold are not;
* text drawn as curves (fonts outlined on export, a logo's words): the
  parts of a page where filled paths look like a line of letters are read
  from a rendering (:mod:`redactor.pdf.curves`).

``always`` reads every page from a rendering;
``never`` reads nothing, and a page that looks like a scan is then reported
as unread rather than passed as empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pymupdf

from redactor.redact import imagedata
from redactor.redact.placements import Placement, PlacementError, placements
from redactor.pdf import curves
from redactor.text.ocr import tesseract
from redactor.text.page import GlyphList, PageText
from redactor import lazy

np = lazy.module("numpy")

MODES = ("auto", "always", "never")


@dataclass
class OcrOptions:
    mode: str = "auto"  #: auto | always | never
    layer: bool = True  #: add an invisible text layer to OCR'd pages of the output
    accept_unreadable: bool = False  #: a page that cannot be read is not an error
    lang: str = "eng"
    #: an image is read if drawn at least this large (points) ...
    min_image_pt: tuple[float, float] = (36.0, 6.0)  # (a line of 8 pt digits is a picture 9.9 pt tall)
    #: ... and holds at least this many pixels along each side
    min_image_px: tuple[int, int] = (32, 10)
    #: a picture drawn smaller is read all the same when it holds this many pixels along each side: its
    #: pixels hold what it shows at full size, for anyone who takes the picture out of the file
    tiny_drawn_px: tuple[int, int] = (300, 40)
    #: a page is a scan if images cover this share of it ...
    scan_coverage: float = 0.5
    #: ... and it has fewer visible characters of its own than this
    scan_max_chars: int = 200
    dpi: int = 300  #: resolution images are read at (smaller ones are scaled up)
    jobs: int = 0  #: Tesseract processes at once (0: as the process allows, :func:`tesseract.jobs`)
    #: the pages are pictures (an image input, an e-mail's picture), not a PDF's: a small one (a logo) that
    #: holds no text is no failure to read
    pictures: bool = False

    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else tesseract.jobs()


@dataclass
class Use:
    page: int  #: 0-based
    matrix: pymupdf.Matrix  #: unit square -> page space
    rect: pymupdf.Rect


@dataclass
class Unit:
    """Something read once: an image (mapped to each of its placements) or
    a rendered part of a page."""

    key: str
    xref: int = 0  #: the image object; 0 for a rendering
    uses: list[Use] = field(default_factory=list)
    clip: pymupdf.Rect | None = None  #: a rendering: this part of the page (unrotated space)
    page: int = -1  #: a rendering: its page
    image_mask: bool = False
    scan: bool = False  #: drawn over most of a page: its resolution is a scanner's


@dataclass
class PagePlan:
    page: int
    scan: bool = False
    coverage: float = 0.0
    visible_chars: int = 0
    units: list[str] = field(default_factory=list)
    problem: str | None = None  #: why the page cannot be read at all
    images: list[pymupdf.Rect] = field(default_factory=list)  #: image rects read on this page


def coverage(page_rect: pymupdf.Rect, rects: list[pymupdf.Rect], grid: int = 64) -> float:
    """Share of the page the union of ``rects`` covers (on a grid)."""
    if page_rect.is_empty or not rects:
        return 0.0
    cells = np.zeros((grid, grid), dtype=bool)
    sx, sy = grid / page_rect.width, grid / page_rect.height
    for r in rects:
        r = r & page_rect
        if r.is_empty:
            continue
        x0, x1 = int((r.x0 - page_rect.x0) * sx + 0.5), int((r.x1 - page_rect.x0) * sx + 0.5)
        y0, y1 = int((r.y0 - page_rect.y0) * sy + 0.5), int((r.y1 - page_rect.y0) * sy + 0.5)
        cells[y0:y1, x0:x1] = True
    return float(cells.mean())


def visible_chars(text: PageText) -> int:
    if isinstance(text.glyphs, GlyphList):
        return text.glyphs.visible(text.text)  # (the same count, without a Glyph made of each)
    return sum(1 for ch, g in zip(text.text, text.glyphs) if g is not None and not g.hidden and not ch.isspace())


def plan(doc: pymupdf.Document, native: list[PageText], options: OcrOptions) -> tuple[dict[str, Unit], list[PagePlan]]:
    """What to read, per page; images used on several pages are read once."""
    units: dict[str, Unit] = {}
    pages: list[PagePlan] = []
    for page in doc:
        pp = PagePlan(page=page.number)
        pages.append(pp)
        where = f"page {page.number + 1}: "
        unrot = page.rect * page.derotation_matrix
        try:
            found = placements(doc, page)
        except PlacementError as e:
            pp.problem = str(e)
            pp.scan = True
            continue
        sized: list[tuple[Placement, imagedata.ImageInfo | None]] = []
        for p in found:
            if p.bbox.is_empty or (p.bbox & unrot).is_empty:
                continue
            info = None
            if p.xref:
                info = imagedata.info(doc, p.xref, where) if _has_pixels(doc, p.xref) else None
                if info is None:
                    continue
            sized.append((p, info))
        pp.coverage = coverage(unrot, [p.bbox for p, _ in sized])
        pp.visible_chars = visible_chars(native[page.number]) if page.number < len(native) else 0
        pp.scan = pp.coverage >= options.scan_coverage and pp.visible_chars < options.scan_max_chars
        if options.mode == "never":
            continue
        if options.mode == "always":
            _render_unit(units, pp, page, unrot)
            continue
        big = [(p, i) for p, i in sized if _big_enough(p, i, options)]
        largest = max((abs(p.bbox & unrot) / max(1e-6, abs(unrot)) for p, i in big if p.xref), default=0.0)
        if pp.scan and (largest < 0.4 * pp.coverage or any(p.xref == 0 for p, _ in big)):
            _render_unit(units, pp, page, unrot)  # strips, tiles or inline: read the page as drawn
            continue
        for p, info in big:
            if p.xref == 0:
                key = f"render:{page.number}:{len(units)}"
                units[key] = Unit(key=key, page=page.number, clip=p.bbox & unrot)
            else:
                key = f"image:{p.xref}"
                unit = units.setdefault(key, Unit(key=key, xref=p.xref, image_mask=bool(info and info.image_mask)))
                unit.uses.append(Use(page.number, p.matrix, p.bbox))
                unit.scan = unit.scan or abs(p.bbox & unrot) >= options.scan_coverage * abs(unrot)
            pp.units.append(key)
            pp.images.append(p.bbox)
        _read_curves(units, pp, page, unrot)
    return units, pages


def _read_curves(units: dict[str, Unit], pp: PagePlan, page: pymupdf.Page, unrot: pymupdf.Rect) -> None:
    """Parts of the page where filled paths look like letters (text drawn
    as curves: :mod:`redactor.pdf.curves`), read from a rendering;
    the whole page when there are many."""
    regions = [r & unrot for r in curves.text_like_regions(page)]
    regions = [r for r in regions if not r.is_empty]
    if len(regions) > curves.MAX_REGIONS:
        _render_unit(units, pp, page, unrot)
        return
    for r in regions:
        key = f"render:{page.number}:{len(units)}"
        units[key] = Unit(key=key, page=page.number, clip=r)
        pp.units.append(key)
        pp.images.append(r)


def _has_pixels(doc: pymupdf.Document, xref: int) -> bool:
    """False for an image with no pixels (zero width or height): nothing to read or blank."""
    from redactor.redact import pdfobj

    w, h = pdfobj.get(doc, xref, "Width"), pdfobj.get(doc, xref, "Height")
    try:
        return int(pdfobj.resolve(doc, w)) > 0 and int(pdfobj.resolve(doc, h)) > 0
    except (TypeError, ValueError):
        return False


def _render_unit(units: dict[str, Unit], pp: PagePlan, page: pymupdf.Page, unrot: pymupdf.Rect) -> None:
    key = f"render:{page.number}"
    units[key] = Unit(key=key, page=page.number, clip=unrot)
    pp.units.append(key)
    pp.images.append(unrot)


def _big_enough(p: Placement, info: imagedata.ImageInfo | None, options: OcrOptions) -> bool:
    r = p.bbox
    long_pt, short_pt = max(r.width, r.height), min(r.width, r.height)
    long_px, short_px = (max(info.width, info.height), min(info.width, info.height)) if info is not None else (0, 0)
    if long_pt < options.min_image_pt[0] or short_pt < options.min_image_pt[1]:
        # a 1400 x 200 pixel picture of a name drawn 30 x 4 pt: nobody reads it on the page, anyone reads
        # it taken out of the file (helper 33)
        return long_px >= options.tiny_drawn_px[0] and short_px >= options.tiny_drawn_px[1] and long_pt > 0
    if info is not None and (long_px < options.min_image_px[0] or short_px < options.min_image_px[1]):
        return False
    return True
