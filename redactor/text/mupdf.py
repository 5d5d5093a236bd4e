"""Text with geometry from the PDF's own text objects, read by MuPDF.

Extraction is deliberately wider than what a viewer shows: text that is
invisible (render mode 3), white, tiny, clipped, outside the crop box, in
Form XObjects, patterns, soft masks, rotated, or in a hidden layer (the
working copy from :mod:`redactor.ingest.document` has every layer switched
on) is all returned. Anything a determined reader could recover must be
found.
"""

from __future__ import annotations

from collections.abc import Iterator

import pymupdf

from redactor.text.page import Glyph, PageText, Rect, TextSource

#: Everything MuPDF can give, without clipping to the media box, with the
#: real glyphs rather than /ActualText replacements, and without images.
EXTRACT_FLAGS = (
    (pymupdf.TEXTFLAGS_RAWDICT | pymupdf.TEXT_IGNORE_ACTUALTEXT)
    & ~pymupdf.TEXT_MEDIABOX_CLIP
    & ~pymupdf.TEXT_PRESERVE_IMAGES
)

#: Below this size (points) text is "tiny": unreadable on screen, still text.
TINY_TEXT = 2.0


class PdfTextSource:
    """Text and geometry from the PDF's own text objects, via MuPDF."""

    def pages(self, doc: pymupdf.Document) -> Iterator[PageText]:
        for page in doc:
            yield extract_page(page)


def extract_page(page: pymupdf.Page, flags: int = EXTRACT_FLAGS, source: str = "mupdf") -> PageText:
    raw = page.get_text("rawdict", flags=flags, clip=pymupdf.INFINITE_RECT())
    visible = page.rect  # crop box, in the same unrotated space as the glyphs
    vx0, vy0, vx1, vy1 = visible.x0, visible.y0, visible.x1, visible.y1
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    hidden_counts: dict[str, int] = {}
    line_no = 0
    sizeless = False
    # the loop runs once per character of the document: what is the same for
    # a line or a span is worked out once for it (tight_box's left-to-right
    # case is written out here, with the same arithmetic)
    add_text, add_glyph = text.append, glyphs.append
    for block in raw.get("blocks", ()):
        if block.get("type", 0) != 0:
            continue
        for line in block.get("lines", ()):
            if not line.get("spans"):  # text drawn at no size, dropped (redactor.text.sizeless)
                sizeless = True
                continue
            dx, dy = line.get("dir", (1.0, 0.0))
            horizontal = abs(dy) < 1e-3
            direction = (dx, dy)
            for span in line.get("spans", ()):
                size = float(span.get("size", 0.0))
                span_hidden = _span_hidden(span, size)
                rightwards = horizontal and dx > 0 and size > 0
                # how tall the letters are drawn: MuPDF's size is the text matrix's mean scale, a third of
                # the height under "10 Tz" (condensed type), and boxes that short missed the glyphs
                # (verification refused the file); its boxes' height is the font's ascent and descent
                tall = size
                extent = float(span.get("ascender", 0.0)) - float(span.get("descender", 0.0))
                if horizontal and extent > 0.1:
                    sb = span.get("bbox")
                    tall = (sb[3] - sb[1]) / extent if sb and sb[3] > sb[1] else size
                above, below = ABOVE * tall, BELOW * tall
                for ch in span.get("chars", ()):
                    c = ch["c"]
                    bbox = tuple(ch["bbox"])
                    x0, y0, x1, y1 = bbox
                    hidden = span_hidden or (
                        None if (x0 < vx1 and x1 > vx0 and y0 < vy1 and y1 > vy0) else "outside the visible page"
                    )
                    if hidden and not c.isspace():
                        hidden_counts[hidden] = hidden_counts.get(hidden, 0) + 1
                    add_text(c)
                    oy = ch["origin"][1]
                    if rightwards and oy - y0 >= y1 - oy:  # (drawn upright: most of it above its baseline)
                        box = (x0, max(y0, oy - above), x1, min(y1, oy + below))
                    else:
                        box = tight_box(bbox, ch["origin"], tall, direction)
                    add_glyph(Glyph(box, line_no, size, horizontal, hidden))  # type: ignore[arg-type]
            add_text("\n")
            add_glyph(None)
            line_no += 1
    return PageText(
        index=page.number,
        text="".join(text),
        glyphs=glyphs,
        page_rect=tuple(visible),  # type: ignore[arg-type]
        lines=line_no,
        hidden_counts=hidden_counts,
        images=[tuple(info["bbox"]) for info in page.get_image_info()] if source == "mupdf" else [],  # type: ignore[misc]
        source=source,
        sizeless=sizeless,
    )


def extract_document(doc: pymupdf.Document, source: TextSource | None = None) -> list[PageText]:
    pages = list((source or PdfTextSource()).pages(doc))
    if source is None:
        mark_covered(doc, pages)
    return pages


def mark_covered(doc: pymupdf.Document, pages: list[PageText], data: bytes | None = None) -> None:
    """Mark glyphs a person cannot see because something opaque is painted
    over them (a box drawn over live text): ``PageText.covered`` gets the
    boxes of the hidden glyphs and each such glyph a ``hidden`` reason."""
    import io

    import pikepdf

    from redactor.memory import give_back
    from redactor.pdf.content import FontCache, read_page
    from redactor.pdf.covers import glyph_box, hidden_glyphs, may_hide
    from redactor.text import fresh

    todo = [i for i, p in enumerate(pages) if any(g is not None for g in p.glyphs) and may_hide(doc[p.index])]
    if not todo:
        return
    fonts = FontCache()  # each font measured once for all pages (the same bytes: the same fonts)
    data = data if data is not None else doc.tobytes()
    pdf = reading = None
    try:
        for n, i in enumerate(todo):
            if n % fresh.CHUNK == 0:  # qpdf's copy, opened afresh: what it kept of the pages read goes (issue 14)
                if pdf is not None:
                    pdf.close()
                    pdf = reading = None  # (its objects would keep it)
                    give_back()
                pdf = pikepdf.open(io.BytesIO(data))
            pt = pages[i]
            reading = read_page(pdf.pages[pt.index], fonts, ink_only=True)  # what hides what: ink only
            hidden = hidden_glyphs(reading)
            if not hidden:
                continue
            boxes = [(glyph_box(reading.glyphs[h.glyph]), h.how) for h in hidden]
            pt.covered = [b for b, _ in boxes]
            shown = _shown_boxes(reading, {h.glyph for h in hidden}, [b for b, _ in boxes])
            for k, g in enumerate(pt.glyphs):
                if g is None or pt.text[k].isspace() or pt.text[k] == "\ufffd":
                    continue  # no ink, or no known letter (a placeholder glyph)
                cx, cy = (g.bbox[0] + g.bbox[2]) / 2, (g.bbox[1] + g.bbox[3]) / 2
                holding = [(b, how) for b, how in boxes if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]]
                if not holding:
                    continue
                box, how = min(holding, key=lambda bh: _distance(bh[0], (cx, cy)))
                if _closer_shown((cx, cy), box, shown):
                    continue  # a visible glyph drawn over the old box, where a hidden one also lies
                reason = f"hidden {how}"
                pt.glyphs[k] = Glyph(g.bbox, g.line, g.size, g.horizontal, reason, g.conf)
                pt.hidden_counts[reason] = pt.hidden_counts.get(reason, 0) + 1
            pages[i] = pt  # (a page read from a spill is a copy: put back)
    finally:
        if pdf is not None:
            pdf.close()


def _shown_boxes(reading, hidden: set[int], hidden_boxes: list[Rect]) -> list[Rect]:
    """Boxes of the glyphs with ink that nothing hides, where they meet the
    area of the hidden ones (only there can they hold a character a hidden
    glyph's box also holds: the rest of the page is not scanned for each)."""
    from redactor.pdf.covers import glyph_box

    x0 = min(b[0] for b in hidden_boxes)
    y0 = min(b[1] for b in hidden_boxes)
    x1 = max(b[2] for b in hidden_boxes)
    y1 = max(b[3] for b in hidden_boxes)
    out = []
    for gi, g in enumerate(reading.glyphs):
        st = g.style
        if gi in hidden or st is None or g.render_mode in (3, 7) or st.alpha < 0.01:
            continue
        b = glyph_box(g)
        if b[0] <= x1 and b[2] >= x0 and b[1] <= y1 and b[3] >= y0:
            out.append(b)
    return out


def _closer_shown(centre: tuple[float, float], hidden_box: Rect, shown: list) -> bool:
    """Whether MuPDF's character at ``centre`` is better explained by a
    visible glyph than by the hidden one whose box is ``hidden_box``: a
    visible glyph's box holds it and is centred clearly nearer. (A hidden
    glyph left in the file by a wrong call here fails verification.)"""
    d_hidden = _distance(hidden_box, centre)
    for b in shown:
        if b[0] <= centre[0] <= b[2] and b[1] <= centre[1] <= b[3] and _distance(b, centre) < d_hidden - 0.5:
            return True
    return False


def _distance(b: Rect, p: tuple[float, float]) -> float:
    return abs((b[0] + b[2]) / 2 - p[0]) + abs((b[1] + b[3]) / 2 - p[1])


#: A glyph's box reaches this far above and below its baseline (ems), or less
#: where the font says so: MuPDF's boxes follow the font's ascender and
#: descender, which some fonts set far beyond their letters (a box 3 lines tall).
ABOVE, BELOW = 0.9, 0.25


def tight_box(bbox: Rect, origin: tuple[float, float], size: float, direction: tuple[float, float]) -> Rect:
    """The glyph's box, no taller than the line it sits on. Which side of
    the baseline its top is on is told by its box (most of a glyph lies
    above its baseline), not by the line's direction: mirrored text runs
    right to left with its tops up, text drawn upside down runs left to
    right with its tops down (their boxes missed the letters: verification
    refused the files)."""
    x0, y0, x1, y1 = bbox
    if size <= 0:
        return bbox
    ox, oy = origin
    dx, dy = direction
    if abs(dy) < 1e-3:  # left to right, or right to left
        if oy - y0 >= y1 - oy:  # its top upwards
            return (x0, max(y0, oy - ABOVE * size), x1, min(y1, oy + BELOW * size))
        return (x0, max(y0, oy - BELOW * size), x1, min(y1, oy + ABOVE * size))
    if abs(dx) < 1e-3:  # upwards or downwards
        if ox - x0 >= x1 - ox:  # its top to the left (reading upwards, as a rule)
            return (max(x0, ox - ABOVE * size), y0, min(x1, ox + BELOW * size), y1)
        return (max(x0, ox - BELOW * size), y0, min(x1, ox + ABOVE * size), y1)
    return bbox


def _span_hidden(span: dict, size: float) -> str | None:
    if span.get("alpha", 255) == 0:
        return "invisible"
    if size < TINY_TEXT:
        return "tiny"
    if span.get("color", 0) == 0xFFFFFF:
        return "white"
    return None


def _intersects(a: Rect, b: pymupdf.Rect) -> bool:
    return a[0] < b.x1 and a[2] > b.x0 and a[1] < b.y1 and a[3] > b.y0
