"""Apply redactions irreversibly with PyMuPDF.

For each page with boxes, in this order:

0. **Annotations and form fields** a box touches are deleted (their
   appearance streams are not page content).
1. **Line art partly under a box** that is not page structure (a signature or
   text turned into curves, say) is removed whole: a path that is only half
   covered would otherwise survive with its other half readable.
2. **Pixels and covered line art** under the full (padded) box: image pixels
   are blanked where the box covers them (the rest of the image stays) and
   paths wholly under the box are removed.
3. **Text** under the *core* band of each box (see
   :func:`redactor.text.mupdf._core`): every glyph of the finding is removed and
   no glyph of the neighbouring lines is touched.
4. **What MuPDF passes over** is checked: the page is extracted again and any
   character still under a box (text in a tiling pattern or a soft mask, which
   MuPDF's redaction does not enter) makes the pattern or mask lose its text.
   If text still remains, apply fails rather than produce a leaky file.
5. **Boxes** are drawn black over the redacted areas, each labelled with its
   exemption code where the label fits.

Type3 glyph procedures whose every use was redacted are removed later by
:mod:`redactor.sanitize`, which also writes the file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pikepdf
import pymupdf

from redactor.errors import RedactorError
from redactor.redact import pixels  # [ocr branch hook]
from redactor.text.mupdf import extract_page
from redactor.detect.rulepack import section_number

Rect = tuple[float, float, float, float]

BLACK = (0.0, 0.0, 0.0)
WHITE = (1.0, 1.0, 1.0)
LABEL_FONT = "helv"
MAX_LABEL_SIZE = 9.0
MIN_LABEL_SIZE = 4.0
#: A path partly under a box is kept if it is page structure: a large shape
#: (background, frame) or a simple rectangle or straight line.
STRUCTURE_AREA = 0.25
MITER_LIMIT = 10.0

_TEXT_SHOW_OPS = {"Tj", "TJ", "'", '"'}


class ApplyError(RedactorError):
    """A redaction could not be made irreversible; no output is written."""


@dataclass(frozen=True)
class Box:
    """One black box to draw, and what to remove under it."""

    page: int  #: 1-based
    rect: Rect  #: drawn box, unrotated page space
    core: Rect  #: where text is removed (``rect`` for manual areas)
    label: str  #: exemption code shown on the box
    ref: str = ""  #: the finding or manual mark it comes from


@dataclass
class ApplyOptions:
    labels: bool = True
    pad: float = 0.5  #: points added left and right of text boxes


@dataclass
class PageReport:
    page: int
    boxes: int = 0
    line_art_removed: int = 0
    neutralised: list[str] = field(default_factory=list)


def redact(doc: pymupdf.Document, boxes: list[Box], options: ApplyOptions | None = None) -> list[PageReport]:
    """Redact ``boxes`` in ``doc`` (changed in place); return what was done."""
    options = options or ApplyOptions()
    by_page: dict[int, list[Box]] = defaultdict(list)
    for box in boxes:
        by_page[box.page].append(box)
    reports = []
    for number in sorted(by_page):
        page = doc[number - 1]
        reports.append(_redact_page(doc, page, by_page[number], options))
    return reports


def _redact_page(doc: pymupdf.Document, page: pymupdf.Page, boxes: list[Box], options: ApplyOptions) -> PageReport:
    report = PageReport(page=page.number + 1, boxes=len(boxes))
    drawn = [pymupdf.Rect(b.rect) for b in boxes]
    cores = [pymupdf.Rect(b.core) for b in boxes]

    # 0. annotations and form fields a box touches (their appearance streams
    #    are not page content; the sanitiser removes the rest later)
    for annot in list(page.annots()):
        if any(annot.rect.intersects(r) for r in drawn):
            page.delete_annot(annot)
    for widget in list(page.widgets()):
        if any(widget.rect.intersects(r) for r in drawn):
            page.delete_widget(widget)
    # 1. line art partly under a box, that is not page structure
    strays = _partly_covered_paths(page, drawn)
    if strays:
        report.line_art_removed = len(strays)
        _apply(page, strays, images=pymupdf.PDF_REDACT_IMAGE_NONE,
               graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED, text=pymupdf.PDF_REDACT_TEXT_NONE)
    # 2. pixels and line art under the drawn boxes
    # [ocr branch hook] image pixels are blanked in the images themselves by
    # redactor.redact.pixels (every image the box touches, copy on write,
    # masks too, lossless), no longer by MuPDF's PDF_REDACT_IMAGE_PIXELS.
    page = pixels.redact_images(doc, page, drawn)
    _apply(page, drawn, images=pymupdf.PDF_REDACT_IMAGE_NONE,
           graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED, text=pymupdf.PDF_REDACT_TEXT_NONE)
    # 3. text under the core bands
    _apply(page, cores, images=pymupdf.PDF_REDACT_IMAGE_NONE,
           graphics=pymupdf.PDF_REDACT_LINE_ART_NONE, text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    # 4. what MuPDF's redaction passes over
    left = leftover_text(page, drawn)
    if left:
        report.neutralised = _strip_text_from_patterns_and_masks(doc, page)
        left = leftover_text(page, drawn)
        if left:
            raise ApplyError(
                f"page {page.number + 1}: text under a redaction box could not be removed "
                f"({left[:40]!r}); the page uses a construct redactor cannot redact"
            )
    # 5. the boxes and their labels
    _draw_boxes(page, boxes, options)
    return report


def withheld_notice(number: int, exemption: str) -> str:
    return (f"Page {number} has been withheld in full under section {section_number(exemption)} "
            f"of the Freedom of Information Act 2000.")


def withhold_page(doc: pymupdf.Document, number: int, exemption: str) -> None:
    """Replace page ``number`` (1-based) by one that says it was withheld.

    The page object stays (links into it and the page count are kept); its
    content streams are emptied and its resources dropped, so nothing of
    the original page is left to be written out.
    """
    page = doc[number - 1]
    for xref in page.get_contents():
        doc.update_stream(xref, b" ")
    doc.xref_set_key(page.xref, "Resources", "<<>>")
    for key in ("Annots", "Thumb", "PieceInfo", "Metadata", "Group", "StructParents"):
        doc.xref_set_key(page.xref, key, "null")
    page = doc.reload_page(page)
    r = page.rect
    box = pymupdf.Rect(r.x0 + r.width * 0.1, r.y0 + r.height * 0.35, r.x1 - r.width * 0.1, r.y1 - r.height * 0.35)
    page.insert_textbox(box, withheld_notice(number, exemption), fontname=LABEL_FONT, fontsize=14,
                        align=pymupdf.TEXT_ALIGN_CENTER, rotate=page.rotation)


def _apply(page: pymupdf.Page, rects: list[pymupdf.Rect], **how: int) -> None:
    for r in rects:
        annot = page.add_redact_annot(r, fill=False, cross_out=False)
        if annot is None:  # pragma: no cover - MuPDF refuses an empty rect
            continue
    page.apply_redactions(**how)


def _partly_covered_paths(page: pymupdf.Page, boxes: list[pymupdf.Rect]) -> list[pymupdf.Rect]:
    page_area = abs(page.mediabox)
    out = []
    for path in page.get_drawings():
        r = pymupdf.Rect(path["rect"])
        if r.is_empty and r.width == 0 and r.height == 0:
            continue
        touched = [b for b in boxes if b.intersects(r) or (r.width == 0 or r.height == 0) and _line_touches(r, b)]
        if not touched or any(b.contains(r) for b in touched):
            continue
        if _is_structure(path, r, page_area):
            continue
        # MuPDF bounds a stroked path by its miter reach (the PDF default
        # miter limit is 10 line widths): the rectangle must cover that.
        grow = 1 + MITER_LIMIT * (path.get("width") or 1.0) if path.get("color") is not None else 1
        out.append(r + (-grow, -grow, grow, grow))
    return out


def _line_touches(r: pymupdf.Rect, b: pymupdf.Rect) -> bool:
    return r.x0 <= b.x1 and r.x1 >= b.x0 and r.y0 <= b.y1 and r.y1 >= b.y0


def _is_structure(path: dict, r: pymupdf.Rect, page_area: float) -> bool:
    items = path.get("items", ())
    if page_area and abs(r) / page_area > STRUCTURE_AREA:
        return True
    kinds = {it[0] for it in items}
    if kinds <= {"re", "qu"}:
        return True
    # a straight rule (a closed line is reported as two segments)
    return kinds == {"l"} and (r.width < 1 or r.height < 1)


def leftover_text(page: pymupdf.Page, boxes: list[pymupdf.Rect]) -> str:
    """Characters whose centre lies under one of ``boxes`` (before labels are drawn)."""
    pt = extract_page(page)
    left = []
    for ch, g in zip(pt.text, pt.glyphs):
        if g is not None and not ch.isspace() and any(g.centre_in(b) for b in boxes):
            left.append(ch)
    return "".join(left)


def _strip_text_from_patterns_and_masks(doc: pymupdf.Document, page: pymupdf.Page) -> list[str]:
    """Remove text-showing operators from every tiling pattern and soft-mask
    group the page uses (directly or through its Form XObjects)."""
    stripped = []
    for xref, what in _pattern_and_mask_streams(doc, page):
        data = doc.xref_stream(xref)
        new = strip_text_ops(data)
        if new != data:
            doc.update_stream(xref, new)
            stripped.append(f"{what} {xref}")
    return stripped


def _pattern_and_mask_streams(doc: pymupdf.Document, page: pymupdf.Page) -> list[tuple[int, str]]:
    found: dict[int, str] = {}
    seen: set[int] = set()

    def visit(xref: int) -> None:
        if xref in seen:
            return
        seen.add(xref)
        for key, what in (("Resources/Pattern", "pattern"), ("Resources/XObject", "form"), ("Resources/ExtGState", "gs")):
            for child in _dict_refs(doc, xref, key):
                if what == "pattern":
                    found[child] = "tiling pattern"
                    visit(child)
                elif what == "form":
                    visit(child)
                else:
                    kind, val = doc.xref_get_key(child, "SMask/G")
                    if kind == "xref":
                        g = int(val.split()[0])
                        found[g] = "soft mask"
                        visit(g)
            # ExtGState dictionaries written inline: find their masks' groups
            kind, val = doc.xref_get_key(xref, "Resources/ExtGState")
            if kind == "dict":
                for g in re.findall(r"/G\s+(\d+) 0 R", val):
                    found[int(g)] = "soft mask"
                    visit(int(g))

    visit(page.xref)
    return sorted(found.items())


def _dict_refs(doc: pymupdf.Document, xref: int, key: str) -> list[int]:
    kind, val = doc.xref_get_key(xref, key)
    if kind == "xref":  # the dictionary itself is indirect
        inner = int(val.split()[0])
        return [int(v) for v in _refs_in(doc.xref_object(inner))]
    if kind == "dict":
        return [int(v) for v in _refs_in(val)]
    return []


def _refs_in(text: str) -> list[str]:
    return re.findall(r"(\d+) 0 R", text)


def strip_text_ops(content: bytes) -> bytes:
    """A content stream without its text-showing operators."""
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, content)
    try:
        ops = pikepdf.parse_content_stream(stream)
    except pikepdf.PdfError:
        return b""  # unparseable: drop the stream's content altogether
    kept = [op for op in ops if str(op.operator) not in _TEXT_SHOW_OPS]
    return pikepdf.unparse_content_stream(kept)


def _draw_boxes(page: pymupdf.Page, boxes: list[Box], options: ApplyOptions) -> None:
    shape = page.new_shape()
    for b in boxes:
        r = pymupdf.Rect(b.rect)
        shape.draw_rect(r)
        shape.finish(fill=BLACK, color=None, width=0)
    if options.labels:
        for b in boxes:
            _label(shape, pymupdf.Rect(b.rect), b.label, page.rotation)
    shape.commit(overlay=True)


def _label(shape: pymupdf.Shape, r: pymupdf.Rect, label: str, rotation: int) -> None:
    if not label:
        return
    across, tall = (r.height, r.width) if rotation in (90, 270) else (r.width, r.height)
    size = min(MAX_LABEL_SIZE, 0.75 * tall)
    width = pymupdf.get_text_length(label, fontname=LABEL_FONT, fontsize=size)
    if width > across - 1:
        size = size * (across - 1) / width
        width = pymupdf.get_text_length(label, fontname=LABEL_FONT, fontsize=size)
    if size < MIN_LABEL_SIZE:
        return
    cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
    # The label must read upright on the page as displayed.
    half, drop = width / 2, 0.35 * size
    point = {
        0: (cx - half, cy + drop),
        90: (cx + drop, cy + half),
        180: (cx + half, cy - drop),
        270: (cx - drop, cy - half),
    }.get(rotation, (cx - half, cy + drop))
    shape.insert_text(point, label, fontname=LABEL_FONT, fontsize=size, color=WHITE, rotate=rotation)
