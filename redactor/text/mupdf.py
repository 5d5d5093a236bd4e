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
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    hidden_counts: dict[str, int] = {}
    line_no = 0
    for block in raw.get("blocks", ()):
        if block.get("type", 0) != 0:
            continue
        for line in block.get("lines", ()):
            dx, dy = line.get("dir", (1.0, 0.0))
            horizontal = abs(dy) < 1e-3
            for span in line.get("spans", ()):
                size = float(span.get("size", 0.0))
                span_hidden = _span_hidden(span, size)
                for ch in span.get("chars", ()):
                    c = ch["c"]
                    bbox = tuple(ch["bbox"])
                    hidden = span_hidden or (
                        "outside the visible page" if not _intersects(bbox, visible) else None
                    )
                    if hidden and not c.isspace():
                        hidden_counts[hidden] = hidden_counts.get(hidden, 0) + 1
                    text.append(c)
                    core = _core(bbox, ch["origin"], size, (dx, dy))
                    glyphs.append(Glyph(bbox, core, line_no, size, horizontal, hidden))  # type: ignore[arg-type]
            text.append("\n")
            glyphs.append(None)
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
    )


def extract_document(doc: pymupdf.Document, source: TextSource | None = None) -> list[PageText]:
    return list((source or PdfTextSource()).pages(doc))


def _core(bbox: Rect, origin: tuple[float, float], size: float, direction: tuple[float, float]) -> Rect:
    """The band that removal uses for one glyph.

    MuPDF removes a glyph when a redaction rectangle enters roughly
    [baseline - 0.95 size, baseline + 0.13 size] over its ink. Glyph boxes of
    neighbouring lines overlap when leading is tight, so a removal rectangle
    as tall as the glyph box can take glyphs from the line below. The core
    band, from 0.65 size above the baseline to just above it, always touches
    this glyph and never reaches the next line.
    """
    x0, y0, x1, y1 = bbox
    w, h = x1 - x0, y1 - y0
    if direction[0] > 0.999 and size > 0:
        base = origin[1]
        top = max(y0, base - 0.65 * size)
        bottom = min(y1, base - 0.05 * size)
        if bottom <= top:
            top, bottom = y0 + 0.3 * h, y1 - 0.3 * h
        return (x0 + 0.15 * w, top, x1 - 0.15 * w, bottom)
    return (x0 + 0.25 * w, y0 + 0.25 * h, x1 - 0.25 * w, y1 - 0.25 * h)


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
