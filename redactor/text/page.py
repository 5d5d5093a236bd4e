"""Text with geometry: the structure every text source produces.

A :class:`PageText` is a page's text as one string plus, aligned with it,
one :class:`Glyph` per character (``None`` for the line breaks a source
inserts). Detection works on the string; apply turns character ranges back
into boxes with :meth:`PageText.rects`. Any object with a ``pages(doc)``
method yielding :class:`PageText` is a :class:`TextSource`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import pymupdf

Rect = tuple[float, float, float, float]

@dataclass(frozen=True, slots=True)
class Glyph:
    """One character: its box in unrotated page space (points, y down)."""

    bbox: Rect  #: no taller than the line it sits on (see :func:`redactor.text.mupdf.tight_box`)
    line: int  #: index of the line on the page, to group boxes per line
    size: float
    horizontal: bool  #: the line runs left-to-right or right-to-left
    hidden: str | None = None  #: why a viewer would not show it, if it would not
    conf: float | None = None  #: recognition confidence 0..1 (OCR); None for text the file holds

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
    source: str = "mupdf"  #: which reading produced this text ("mupdf", "ocr", ...)
    #: boxes of glyphs hidden under something painted over them (a drawn-on "redaction")
    covered: list[Rect] = field(default_factory=list)

    @property
    def number(self) -> int:
        """1-based page number, as a person reads it."""
        return self.index + 1

    def rects(self, start: int, end: int) -> list[Rect]:
        """Boxes covering characters ``start:end``: one per line piece, or one
        per character where a line is not horizontal (rotated text), so that a
        box never sweeps over neighbouring lines."""
        pieces: dict[int, list[float]] = {}
        singles: list[Rect] = []
        for g in self.glyphs[start:end]:
            if g is None or not (g.bbox[2] > g.bbox[0] and g.bbox[3] > g.bbox[1]):
                continue
            box = g.bbox
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
