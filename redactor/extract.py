"""Text with geometry: every character of every page with its box.

A :class:`PageText` is the page's text as one string plus, aligned with it,
one :class:`Glyph` per character (``None`` for the line breaks this module
inserts). Detection works on the string; apply turns character ranges back
into boxes with :meth:`PageText.rects`.

Extraction is deliberately wider than what a viewer shows: text that is
invisible (render mode 3), white, tiny, clipped, outside the crop box, in
Form XObjects, patterns, soft masks, rotated, or in a hidden layer (the
working copy from :mod:`redactor.document` has every layer switched on) is
all returned. Anything a determined reader could recover must be found.

Any object with a ``pages(doc)`` method yielding :class:`PageText` is a
:class:`TextSource`; an OCR engine can supply words for scanned pages later
by producing the same structure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import pymupdf

Rect = tuple[float, float, float, float]

#: Everything MuPDF can give, without clipping to the media box, with the
#: real glyphs rather than /ActualText replacements, and without images.
EXTRACT_FLAGS = (
    (pymupdf.TEXTFLAGS_RAWDICT | pymupdf.TEXT_IGNORE_ACTUALTEXT)
    & ~pymupdf.TEXT_MEDIABOX_CLIP
    & ~pymupdf.TEXT_PRESERVE_IMAGES
)

#: Below this size (points) text is "tiny": unreadable on screen, still text.
TINY_TEXT = 2.0


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character: its box in unrotated page space (points, y down)."""

    bbox: Rect
    core: Rect  #: a band inside the box that MuPDF's text removal must touch
    line: int  #: index of the line on the page, to group boxes per line
    size: float
    horizontal: bool  #: the line runs left-to-right or right-to-left
    hidden: str | None = None  #: why a viewer would not show it, if it would not

    def centre_in(self, rect) -> bool:
        """Whether the middle of this glyph lies in ``rect`` (edges included)."""
        cx, cy = (self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2
        return rect[0] <= cx <= rect[2] and rect[1] <= cy <= rect[3]


@dataclass
class PageText:
    index: int  #: 0-based page index
    text: str
    glyphs: list[Glyph | None]
    page_rect: Rect = (0.0, 0.0, 0.0, 0.0)
    lines: int = 0
    hidden_counts: dict[str, int] = field(default_factory=dict)
    images: list[Rect] = field(default_factory=list)  #: where images are drawn

    @property
    def number(self) -> int:
        """1-based page number, as a person reads it."""
        return self.index + 1

    def rects(self, start: int, end: int, core: bool = False) -> list[Rect]:
        """Boxes covering characters ``start:end``: one per line piece, or one
        per character where a line is not horizontal (rotated text), so that a
        box never sweeps over neighbouring lines. With ``core`` the bands that
        text removal uses instead of the full glyph boxes."""
        pieces: dict[int, list[float]] = {}
        singles: list[Rect] = []
        for g in self.glyphs[start:end]:
            if g is None or not (g.bbox[2] > g.bbox[0] and g.bbox[3] > g.bbox[1]):
                continue
            box = g.core if core else g.bbox
            if not g.horizontal:
                singles.append(box)
                continue
            r = pieces.get(g.line)
            if r is None:
                pieces[g.line] = list(box)
            else:
                r[0] = min(r[0], box[0])
                r[1] = min(r[1], box[1])
                r[2] = max(r[2], box[2])
                r[3] = max(r[3], box[3])
        return [tuple(r) for r in pieces.values()] + singles  # type: ignore[misc]

    def core_under(self, rect: Rect) -> Rect | None:
        """Union of the core bands of the glyphs whose centres lie in ``rect``."""
        found: list[float] | None = None
        for g in self.glyphs:
            if g is not None and g.centre_in(rect):
                c = g.core
                if found is None:
                    found = list(c)
                else:
                    found = [min(found[0], c[0]), min(found[1], c[1]), max(found[2], c[2]), max(found[3], c[3])]
        return tuple(found) if found else None  # type: ignore[return-value]

    def text_in(self, rect: Rect) -> str:
        """The characters whose centres lie in ``rect``, for the log."""
        out = []
        for ch, g in zip(self.text, self.glyphs):
            if g is None:
                out.append(" ")
            elif g.centre_in(rect):
                out.append(ch)
        return " ".join("".join(out).split())

    def hidden_reason(self, start: int, end: int) -> str | None:
        reasons = {g.hidden for g in self.glyphs[start:end] if g is not None and g.hidden}
        return ", ".join(sorted(reasons)) if reasons else None

    def context(self, start: int, end: int, words: int = 5) -> tuple[str, str]:
        """A few words either side of ``start:end``, for reviewers."""
        before = " ".join(self.text[:start].split()[-words:])
        after = " ".join(self.text[end:].split()[:words])
        return before, after


class TextSource(Protocol):
    def pages(self, doc: pymupdf.Document) -> Iterator[PageText]: ...


class PdfTextSource:
    """Text and geometry from the PDF's own text objects, via MuPDF."""

    def pages(self, doc: pymupdf.Document) -> Iterator[PageText]:
        for page in doc:
            yield extract_page(page)


def extract_page(page: pymupdf.Page) -> PageText:
    raw = page.get_text("rawdict", flags=EXTRACT_FLAGS, clip=pymupdf.INFINITE_RECT())
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
        images=[tuple(info["bbox"]) for info in page.get_image_info()],  # type: ignore[misc]
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
