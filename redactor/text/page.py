"""Text with geometry: the structure every text source produces.

A :class:`PageText` is a page's text as one string plus, aligned with it,
one :class:`Glyph` per character (``None`` for the line breaks a source
inserts). Detection works on the string; apply turns character ranges back
into boxes with :meth:`PageText.rects`. Any object with a ``pages(doc)``
method yielding :class:`PageText` is a :class:`TextSource`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
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


class GlyphList(Sequence):
    """A page's glyphs, packed: a list of :class:`Glyph` (or ``None``) as
    far as anyone reading it can tell, at a fifth of the memory (boxes and
    sizes as machine doubles, the same values). Reading an item makes the
    :class:`Glyph` again; a glyph whose values are not all floats is kept
    as it was, so what is read back is always what was put in."""

    __slots__ = ("_box", "_size", "_line", "_kind", "_hidden", "_conf", "_odd")

    _NONE, _ACROSS, _OTHER, _ODD = 0, 1, 2, 3  # kinds: no glyph (a line break), horizontal, rotated, kept as is

    def __init__(self, glyphs: Iterable[Glyph | None] = ()) -> None:
        self._box, self._size, self._line = array("d"), array("d"), array("q")
        self._kind = bytearray()
        self._hidden: dict[int, str] = {}
        self._conf: dict[int, float] = {}
        self._odd: dict[int, Glyph] = {}
        box, size, line, kind = [], [], [], self._kind
        hidden, conf, odd = self._hidden, self._conf, self._odd
        zero = (0.0, 0.0, 0.0, 0.0)
        for i, g in enumerate(glyphs):  # (as _put does, one glyph at a time; in bulk, for speed)
            if g is None:
                kind.append(self._NONE)
                box.extend(zero)
                size.append(0.0)
                line.append(0)
                continue
            if _packable(g):
                kind.append(self._ACROSS if g.horizontal else self._OTHER)
                box.extend(g.bbox)
                size.append(g.size)
                line.append(g.line)
                if g.hidden is not None:
                    hidden[i] = g.hidden
                if g.conf is not None:
                    conf[i] = g.conf
            else:
                kind.append(self._ODD)
                box.extend(zero)
                size.append(0.0)
                line.append(0)
                odd[i] = g
        self._box.fromlist(box)
        self._size.fromlist(size)
        self._line.fromlist(line)

    def _put(self, i: int, g: Glyph | None, append: bool = False) -> None:
        if g is None:
            kind, box, size, line = self._NONE, (0.0, 0.0, 0.0, 0.0), 0.0, 0
        elif _packable(g):
            kind, box, size, line = self._ACROSS if g.horizontal else self._OTHER, g.bbox, g.size, g.line
        else:
            kind, box, size, line = self._ODD, (0.0, 0.0, 0.0, 0.0), 0.0, 0
        if append:
            self._kind.append(kind)
            self._box.extend(box)
            self._size.append(size)
            self._line.append(line)
        else:
            self._kind[i] = kind
            self._box[4 * i:4 * i + 4] = array("d", box)
            self._size[i], self._line[i] = size, line
        self._hidden.pop(i, None)
        self._conf.pop(i, None)
        self._odd.pop(i, None)
        if kind == self._ODD:
            self._odd[i] = g  # type: ignore[assignment]
        elif kind != self._NONE:
            if g.hidden is not None:  # type: ignore[union-attr]
                self._hidden[i] = g.hidden  # type: ignore[union-attr]
            if g.conf is not None:  # type: ignore[union-attr]
                self._conf[i] = g.conf  # type: ignore[union-attr]

    def _get(self, i: int) -> Glyph | None:
        kind = self._kind[i]
        if kind == self._NONE:
            return None
        if kind == self._ODD:
            return self._odd[i]
        b = self._box
        return Glyph((b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]), self._line[i], self._size[i],
                     kind == self._ACROSS, self._hidden.get(i), self._conf.get(i))

    def append(self, g: Glyph | None) -> None:
        self._put(len(self._kind), g, append=True)

    def extend_from(self, other: "GlyphList", start: int, end: int) -> None:
        """Append ``other[start:end]`` as packed (what ``GlyphList(a + other[start:end])``
        would hold: a packed glyph read back packs as it was), without making
        a :class:`Glyph` of each (joining a page's lines again, issue 14)."""
        start, end, _ = slice(start, end).indices(len(other))
        if end <= start:
            return
        base = len(self._kind)
        self._kind += other._kind[start:end]
        self._box.extend(other._box[4 * start:4 * end])
        self._size.extend(other._size[start:end])
        self._line.extend(other._line[start:end])
        for mine, theirs in ((self._hidden, other._hidden), (self._conf, other._conf), (self._odd, other._odd)):
            for i, v in theirs.items():
                if start <= i < end:
                    mine[base + i - start] = v

    def visible(self, text: str) -> int:
        """``sum(1 for ch, g in zip(text, self) if g is not None and not
        g.hidden and not ch.isspace())``, counted without making a
        :class:`Glyph` of each (every page is counted, issue 14)."""
        kinds, hidden, odd, none = self._kind, self._hidden, self._odd, self._NONE
        n = 0
        for i, ch in enumerate(text[:len(kinds)]):
            kind = kinds[i]
            if kind == none or ch.isspace():
                continue
            if not (odd[i].hidden if kind == self._ODD else hidden.get(i)):
                n += 1
        return n

    def inked_across(self, text: str, start: int, end: int) -> list[tuple] | None:
        """``(index, x0, y0, x1, y1, size)`` of each glyph of ``start:end``
        that draws a character other than white space, without making a
        :class:`Glyph` of each (the columns reading scans every line, issue
        14); None if one of them is on a line that is not horizontal."""
        kinds, b, sizes, odd = self._kind, self._box, self._size, self._odd
        out = []
        for i in range(start, min(end, len(kinds))):
            kind = kinds[i]
            if kind == self._NONE or text[i].isspace():
                continue
            if kind == self._ODD:
                g = odd[i]
                if not g.horizontal:
                    return None
                out.append((i, *g.bbox, g.size))
            elif kind == self._ACROSS:
                out.append((i, b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], sizes[i]))
            else:
                return None
        return out

    def __len__(self) -> int:
        return len(self._kind)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self._get(i) for i in range(*key.indices(len(self._kind)))]
        n = len(self._kind)
        if key < 0:
            key += n
        if not 0 <= key < n:
            raise IndexError("glyph index out of range")
        return self._get(key)

    def __setitem__(self, key: int, g: Glyph | None) -> None:
        n = len(self._kind)
        if key < 0:
            key += n
        if not 0 <= key < n:
            raise IndexError("glyph index out of range")
        self._put(key, g)

    def __iter__(self) -> Iterator[Glyph | None]:
        for i in range(len(self._kind)):
            yield self._get(i)

    def __eq__(self, other) -> bool:
        if isinstance(other, (GlyphList, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"GlyphList({list(self)!r})"

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state) -> None:
        for k, v in state.items():
            setattr(self, k, v)


def is_covered(hidden: str | None) -> bool:
    """Whether a glyph's (or a finding's) ``hidden`` reason says it lies under
    a box someone drew over it (:func:`redactor.text.mupdf.mark_covered`)."""
    return (hidden or "").startswith("hidden ")


def glyphs_like(glyphs) -> "GlyphList | list":
    """An empty list of glyphs of the kind ``glyphs`` is: packed if it is."""
    return GlyphList() if isinstance(glyphs, GlyphList) else []


def copy_glyphs(out, glyphs, start: int, end: int) -> None:
    """Append ``glyphs[start:end]`` to ``out``; from packed to packed as they
    are, without making a :class:`Glyph` of each (issue 14)."""
    if isinstance(out, GlyphList) and isinstance(glyphs, GlyphList):
        out.extend_from(glyphs, start, end)
    else:
        out.extend(glyphs[start:end])


def _packable(g) -> bool:
    """A :class:`Glyph` whose values are all of the types :class:`GlyphList`
    stores, so that reading it back gives exactly what was put in."""
    if type(g) is not Glyph:
        return False
    b = g.bbox
    return (type(g.size) is float and type(g.line) is int and len(b) == 4
            and type(b[0]) is float and type(b[1]) is float and type(b[2]) is float and type(b[3]) is float
            and (g.conf is None or type(g.conf) is float) and type(g.horizontal) is bool)


@dataclass
class PageText:
    index: int  #: 0-based page index
    text: str
    glyphs: "GlyphList | list[Glyph | None]"  #: packed on creation (GlyphList)
    page_rect: Rect = (0.0, 0.0, 0.0, 0.0)
    lines: int = 0
    hidden_counts: dict[str, int] = field(default_factory=dict)
    images: list[Rect] = field(default_factory=list)  #: where images are drawn
    source: str = "mupdf"  #: which reading produced this text ("mupdf", "ocr", ...)
    #: boxes of glyphs hidden under something painted over them (a drawn-on "redaction")
    covered: list[Rect] = field(default_factory=list)
    #: MuPDF dropped text drawn at no size here (read by redactor.text.sizeless)
    sizeless: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.glyphs, GlyphList):  # packed: a page's glyphs are most of a document's memory
            self.glyphs = GlyphList(self.glyphs)

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
        """Why a viewer would not show the text ``start:end``, if any of it.
        Under a box someone drew (:func:`is_covered`) only if all of it is:
        a box over part of a name hides that part, and the rest is redacted
        as any text is (its glyphs removed, a box drawn over all of it)."""
        glyphs = [(ch, g) for ch, g in zip(self.text[start:end], self.glyphs[start:end]) if g is not None]
        reasons = {g.hidden for _, g in glyphs if g.hidden}
        if any(is_covered(r) for r in reasons) and any(not is_covered(g.hidden) for ch, g in glyphs
                                                      if not ch.isspace()):
            reasons = {r for r in reasons if not is_covered(r)}
        return ", ".join(sorted(reasons)) if reasons else None

    def context(self, start: int, end: int, words: int = 5) -> tuple[str, str]:
        """A few words either side of ``start:end``, for reviewers."""
        before = " ".join(self.text[:start].split()[-words:])
        after = " ".join(self.text[end:].split()[:words])
        return before, after


class TextSource(Protocol):
    def pages(self, doc: pymupdf.Document) -> Iterator[PageText]: ...
