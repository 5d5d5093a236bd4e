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

from redactor.text.mupdf import TINY_TEXT, _core
from redactor.text.page import Glyph, PageText

SOURCE = "positional"
#: a gap wider than this (em) separates words
WORD_GAP = 0.15
#: a gap wider than this (em) starts a new line
COLUMN_GAP = 3.0
#: in a run of single letters, a gap this many times the run's smallest
#: (plus a tenth of an em) separates words
RUN_FACTOR = 1.4


def read_page(page: pymupdf.Page) -> PageText:
    """The positional reading of ``page``."""
    visible = page.rect
    items = []  # (baseline, x0, char, glyph)
    for span in page.get_texttrace():
        dx, dy = span.get("dir", (1.0, 0.0))
        if abs(dy) > 1e-3 or dx <= 0:
            continue
        size = float(span.get("size") or 0.0)
        asc, desc = span.get("ascender", 0.8), span.get("descender", -0.2)
        hidden = _hidden(span, size)
        for u, _gid, origin, bbox in span.get("chars", ()):
            ch = chr(u) if 0 < u < 0x110000 else "\ufffd"
            x0, x1 = bbox[0], bbox[2]
            box = (x0, origin[1] - asc * size, x1, origin[1] - desc * size)
            h = hidden or (None if _intersects(box, visible) else "outside the visible page")
            g = Glyph(box, _core(box, origin, size, (1.0, 0.0)), 0, size, True, h)
            items.append((origin[1], x0, ch, g))
    items.sort(key=lambda it: (it[0], it[1]))
    rows: list[list[tuple[str, Glyph]]] = []
    last_base, last_size = None, 0.0
    for base, _x, ch, g in items:
        if last_base is not None and abs(base - last_base) <= 0.3 * max(1.0, min(last_size, g.size)):
            rows[-1].append((ch, g))
        else:
            rows.append([(ch, g)])
            last_base = base
        last_size = g.size
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    hidden_counts: dict[str, int] = {}
    line = 0
    for row in rows:
        row.sort(key=lambda cg: cg[1].bbox[0])
        for segment in _segments(_dedup(row)):
            for word_no, word in enumerate(_words(segment)):
                if word_no:
                    a, b = glyphs[-1], word[0][1]
                    gap = (a.bbox[2], min(a.bbox[1], b.bbox[1]), max(a.bbox[2], b.bbox[0]), max(a.bbox[3], b.bbox[3]))
                    text.append(" ")
                    glyphs.append(Glyph(gap, gap, line, b.size, True, b.hidden if a.hidden == b.hidden else None))
                for ch, g in word:
                    text.append(ch)
                    glyphs.append(Glyph(g.bbox, g.core, line, g.size, True, g.hidden))
                    if g.hidden:
                        hidden_counts[g.hidden] = hidden_counts.get(g.hidden, 0) + 1
            text.append("\n")
            glyphs.append(None)
            line += 1
    return PageText(index=page.number, text="".join(text), glyphs=glyphs, page_rect=tuple(visible), lines=line,
                    hidden_counts=hidden_counts, images=[], source=SOURCE)


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


def _dedup(row: list[tuple[str, Glyph]]) -> list[tuple[str, Glyph]]:
    """Drop a glyph drawn again at (almost) the same place."""
    out: list[tuple[str, Glyph]] = []
    for ch, g in row:
        if out and out[-1][0] == ch and abs(out[-1][1].bbox[0] - g.bbox[0]) < 0.1 * max(1.0, g.size):
            continue
        out.append((ch, g))
    return out


def _segments(row):
    """Split a baseline's glyphs where a gap is as wide as a table column."""
    seg = []
    for ch, g in row:
        if seg and g.bbox[0] - seg[-1][1].bbox[2] > COLUMN_GAP * max(1.0, g.size):
            yield seg
            seg = []
        seg.append((ch, g))
    if seg:
        yield seg


def _words(segment):
    """Words of one segment: drawn spaces and wide gaps separate them; runs
    of single letters at even gaps are joined."""
    tokens: list[list[tuple[str, Glyph]]] = []
    breaks: list[bool] = []  # before each token after the first: a drawn space?
    drawn_space = False
    for ch, g in segment:
        if ch.isspace():
            drawn_space = True
            continue
        if tokens and not drawn_space and g.bbox[0] - tokens[-1][-1][1].bbox[2] <= WORD_GAP * max(1.0, g.size):
            tokens[-1].append((ch, g))
        else:
            if tokens:
                breaks.append(drawn_space)
            tokens.append([(ch, g)])
        drawn_space = False
    # join runs of single letters separated by gaps only (no drawn space)
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
    out: list[list[tuple[str, Glyph]]] = []
    for a, b in runs:
        letters = [t[0] for t in tokens[a:b + 1]]
        if b - a >= 2:
            out.extend(_split_run(letters))
        elif b - a == 1 and spacing and _even(_gaps(letters)[0], spacing, letters[1][1].size):
            out.append(letters)  # "P C" beside "J o n a t h a n" at the same spacing
        else:
            out.extend(tokens[a:b + 1])
    return out


def _gaps(letters) -> list[float]:
    return [b[1].bbox[0] - a[1].bbox[2] for a, b in zip(letters, letters[1:])]


def _even(gap: float, spacing: list[float], size: float) -> bool:
    return any(s / RUN_FACTOR - 0.1 * size <= gap <= RUN_FACTOR * s + 0.1 * size for s in spacing)


def _split_run(letters: list[tuple[str, Glyph]]) -> list[list[tuple[str, Glyph]]]:
    gaps = _gaps(letters)
    least = max(0.0, min(gaps))
    words = [[letters[0]]]
    for gap, item in zip(gaps, letters[1:]):
        if gap > RUN_FACTOR * least + 0.1 * max(1.0, item[1].size):
            words.append([item])
        else:
            words[-1].append(item)
    return words
