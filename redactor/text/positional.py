"""A reading that joins glyphs by where they are drawn, not by MuPDF's spaces.

MuPDF builds lines and spaces from the order glyphs are drawn in. Text drawn
with extra character spacing (``Tc``) comes out as "J o n a t h a n"; glyphs
placed one by one with large negative ``TJ`` kerning land on separate lines;
glyphs drawn right to left come out reversed. A person sees "Jonathan" in
all three. This reading takes the glyphs as drawn (MuPDF's text trace: the
space glyphs the file really draws, none made up) and rebuilds the text as
a reader's eye does:

* left-to-right horizontal glyphs are grouped by baseline and sorted by x;
* the same glyph drawn twice at the same place (fake bold) counts once;
* a drawn space, or a gap wider than a fraction of an em, separates words;
* a run of single letters with even gaps between them ("J o n a t h a n",
  letter-spaced or placed one by one) is one word, split where a gap is
  clearly wider than the others;
* a very wide gap (a table column) starts a new line.

Rotated text is left to the default reading.
"""

from __future__ import annotations

import pymupdf

from redactor.text.mupdf import TINY_TEXT, tight_box
from redactor.text.page import Glyph, PageText

SOURCE = "positional"
#: a gap wider than this (em) separates words
WORD_GAP = 0.15
#: a gap wider than this (em) starts a new line
COLUMN_GAP = 3.0
#: in a run of single letters, a gap this many times the run's smallest
#: (plus a tenth of an em) separates words
RUN_FACTOR = 1.4


# A glyph while the layout is worked out: (baseline, x0, x1, char, span number, origin x).
_Item = tuple


def layout(page: pymupdf.Page) -> tuple[list[list[list[list[_Item]]]], list[tuple]]:
    """Lines of words of glyphs, as a reader groups them; and, per span of
    the trace, (size, ascender, descender, why hidden)."""
    spans: list[tuple] = []
    items: list[_Item] = []
    for span in page.get_texttrace():
        dx, dy = span.get("dir", (1.0, 0.0))
        if abs(dy) > 1e-3 or dx <= 0:
            continue
        size = float(span.get("size") or 0.0)
        n = len(spans)
        spans.append((size, span.get("ascender", 0.8), span.get("descender", -0.2), _hidden(span, size)))
        items.extend((origin[1], bbox[0], bbox[2], u, n, origin[0]) for u, _gid, origin, bbox in span.get("chars", ()))
    items.sort()
    rows: list[list[_Item]] = []
    last_base, last_size = None, 0.0
    for it in items:
        size = spans[it[4]][0]
        if last_base is not None and abs(it[0] - last_base) <= 0.3 * max(1.0, min(last_size, size)):
            rows[-1].append(it)
        else:
            rows.append([it])
            last_base = it[0]
        last_size = size
    lines = []
    for row in rows:
        row.sort(key=lambda it: it[1])
        for segment in _segments(_dedup(row), spans):
            lines.append(_words(segment, spans))
    return lines, spans


def text_of(lines) -> str:
    return "".join(" ".join("".join(_char(it[3]) for it in word) for word in words) + "\n" for words in lines)


def _char(u: int) -> str:
    return chr(u) if 0 < u < 0x110000 else "\ufffd"


def read_page(page: pymupdf.Page, lines=None, spans=None) -> PageText:
    """The positional reading of ``page`` (``lines`` and ``spans``: its
    :func:`layout`, if already made)."""
    if lines is None:
        lines, spans = layout(page)
    visible = page.rect
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    hidden_counts: dict[str, int] = {}
    for line_no, words in enumerate(lines):
        for word_no, word in enumerate(words):
            made = [_glyph(it, spans, line_no, visible) for it in word]
            if word_no:
                a, b = glyphs[-1], made[0]
                gap = (a.bbox[2], min(a.bbox[1], b.bbox[1]), max(a.bbox[2], b.bbox[0]), max(a.bbox[3], b.bbox[3]))
                text.append(" ")
                glyphs.append(Glyph(gap, line_no, b.size, True, b.hidden if a.hidden == b.hidden else None))
            for it, g in zip(word, made):
                text.append(_char(it[3]))
                glyphs.append(g)
                if g.hidden:
                    hidden_counts[g.hidden] = hidden_counts.get(g.hidden, 0) + 1
        text.append("\n")
        glyphs.append(None)
    return PageText(index=page.number, text="".join(text), glyphs=glyphs, page_rect=tuple(visible), lines=len(lines),
                    hidden_counts=hidden_counts, images=[], source=SOURCE)


def _glyph(it: _Item, spans: list[tuple], line: int, visible: pymupdf.Rect) -> Glyph:
    base, x0, x1, _u, n, ox = it
    size, asc, desc, hidden = spans[n]
    box = (x0, base - asc * size, x1, base - desc * size)
    if hidden is None and not _intersects(box, visible):
        hidden = "outside the visible page"
    return Glyph(tight_box(box, (ox, base), size, (1.0, 0.0)), line, size, True, hidden)


def _hidden(span: dict, size: float) -> str | None:
    if span.get("type") == 3 or span.get("opacity", 1.0) == 0:
        return "invisible"
    if size < TINY_TEXT:
        return "tiny"
    color = span.get("color") or ()
    if color and (all(c >= 0.99 for c in color) if len(color) != 4 else all(c <= 0.01 for c in color)):
        return "white"
    return None


def _intersects(a, b: pymupdf.Rect) -> bool:
    return a[0] < b.x1 and a[2] > b.x0 and a[1] < b.y1 and a[3] > b.y0


def _dedup(row: list[_Item]) -> list[_Item]:
    """Drop a glyph drawn again at (almost) the same place."""
    out: list[_Item] = []
    for it in row:
        if out and out[-1][3] == it[3] and abs(out[-1][1] - it[1]) < 1.0:
            continue
        out.append(it)
    return out


def _segments(row: list[_Item], spans):
    """Split a baseline's glyphs where a gap is as wide as a table column."""
    seg: list[_Item] = []
    for it in row:
        if seg and it[1] - seg[-1][2] > COLUMN_GAP * max(1.0, spans[it[4]][0]):
            yield seg
            seg = []
        seg.append(it)
    if seg:
        yield seg


def _words(segment: list[_Item], spans) -> list[list[_Item]]:
    """Words of one segment: drawn spaces and wide gaps separate them; runs
    of single letters at even gaps are joined."""
    tokens: list[list[_Item]] = []
    breaks: list[bool] = []  # before each token after the first: a drawn space?
    drawn_space = False
    for it in segment:
        if it[3] in _SPACES:
            drawn_space = True
            continue
        if tokens and not drawn_space and it[1] - tokens[-1][-1][2] <= WORD_GAP * max(1.0, spans[it[4]][0]):
            tokens[-1].append(it)
        else:
            if tokens:
                breaks.append(drawn_space)
            tokens.append([it])
        drawn_space = False
    # runs of single letters separated by gaps only (no drawn space)
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        j = i
        while j + 1 < len(tokens) and len(tokens[j]) == 1 and len(tokens[j + 1]) == 1 and not breaks[j]:
            j += 1
        runs.append((i, j))
        i = j + 1
    # the letter spacing of this segment, from its runs of three or more
    spacing = [min(_gaps([t[0] for t in tokens[a:b + 1]])) for a, b in runs if b - a >= 2]
    out: list[list[_Item]] = []
    for a, b in runs:
        letters = [t[0] for t in tokens[a:b + 1]]
        if b - a >= 2:
            out.extend(_split_run(letters, spans))
        elif b - a == 1 and spacing and _even(_gaps(letters)[0], spacing, spans[letters[1][4]][0]):
            out.append(letters)  # "P C" beside "J o n a t h a n" at the same spacing
        else:
            out.extend(tokens[a:b + 1])
    return out


_SPACES = {0x20, 0xA0, 0x09, 0x2002, 0x2003, 0x2009, 0x3000}


def _gaps(letters: list[_Item]) -> list[float]:
    return [b[1] - a[2] for a, b in zip(letters, letters[1:])]


def _even(gap: float, spacing: list[float], size: float) -> bool:
    return any(s / RUN_FACTOR - 0.1 * size <= gap <= RUN_FACTOR * s + 0.1 * size for s in spacing)


def _split_run(letters: list[_Item], spans) -> list[list[_Item]]:
    gaps = _gaps(letters)
    least = max(0.0, min(gaps))
    words = [[letters[0]]]
    for gap, it in zip(gaps, letters[1:]):
        if gap > RUN_FACTOR * least + 0.1 * max(1.0, spans[it[4]][0]):
            words.append([it])
        else:
            words[-1].append(it)
    return words
