"""Text drawn as curves: where a page's filled or stroked paths look like a
line of letters.

A slide exported with its fonts outlined, a logo's words, a heading made in
a drawing program: the letters are filled paths, no text extractor reads
them, and a person (or an OCR of the page) does. With ``--ocr auto`` those
parts of the page are rendered and read by Tesseract like a picture of text
(:mod:`redactor.text.ocr.select`).

A path is split into its subpaths; one is **glyph-sized** when it is 3-60 pt
tall and no more than twice as wide as tall (a rectangle drawn with ``re``
never is). Glyph-sized subpaths side by side on one line (their heights
overlapping by half, gaps under one and a half times their height) make a
region when at least :data:`MIN_GLYPHS` of them are letters (a subpath
inside another, the hole of an "o", is not one) and two have curves. Bar
charts and rules never do; a row of round markers may, and costs one OCR
of that strip. Outlines stroked and not filled (hollow lettering) are
letters to a person too, and are read the same way; of a stroked path only
closed subpaths count (a letter's outline always closes; a diagram's
hatching and arrows mostly do not).
"""

from __future__ import annotations

import pymupdf

MIN_HEIGHT, MAX_HEIGHT = 3.0, 60.0
#: glyph-sized subpaths in a row before it is read as text
MIN_GLYPHS = 4
#: a page with more regions than this is read whole
MAX_REGIONS = 12
#: a subpath ends this close (pt) to where it starts: closed
CLOSED = 0.05

Box = tuple[float, float, float, float]


def text_like_regions(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """Regions of ``page`` (unrotated page space) where filled or stroked
    paths look like a line of letters."""
    try:
        drawings = page.get_cdrawings()
    except Exception:  # noqa: BLE001 - a page MuPDF cannot draw is reported by the other readings
        return []
    shapes: list[tuple[Box, bool]] = []
    for d in drawings:
        painted = d.get("type") or ""
        if "f" in painted:
            shapes.extend(_glyph_sized(d.get("items") or ()))
        elif "s" in painted:
            shapes.extend(_glyph_sized(d.get("items") or (), closed_only=True))
    # lines of letters across the page, and up or down it (a label along a chart's axis, a margin's stamp)
    across = _rows([s for s in shapes if _letter(s[0])])
    down = _rows([(_turn(b), c) for b, c in shapes if _letter(_turn(b))])
    return across + [pymupdf.Rect(_turn(tuple(r))) for r in down]


def _letter(b: Box) -> bool:
    """Sized like a letter on a line read across: 3-60 pt tall, no more than twice as wide."""
    w, h = b[2] - b[0], b[3] - b[1]
    return MIN_HEIGHT <= h <= MAX_HEIGHT and w <= 2 * h


def _turn(b: Box) -> Box:
    """A box with x and y swapped (a line read down the page as one read across)."""
    return (b[1], b[0], b[3], b[2])


def _glyph_sized(items, closed_only: bool = False) -> list[tuple[Box, bool]]:
    """The subpaths of one path that could be letters: (box, curved);
    ``closed_only``: those that end where they start."""
    out = []
    points: list[tuple[float, float]] = []
    curved = 0
    last = None

    def flush():
        if points and (not closed_only or (abs(points[0][0] - points[-1][0]) <= CLOSED
                                           and abs(points[0][1] - points[-1][1]) <= CLOSED)):
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            box = (min(xs), min(ys), max(xs), max(ys))
            if _letter(box) or _letter(_turn(box)):
                out.append((box, bool(curved)))

    for item in items:
        kind = item[0]
        if kind in ("re", "qu"):  # a rectangle or a quad alone: a bar, a box, never a letter
            flush()
            points, curved, last = [], 0, None
            continue
        pts = [tuple(p) for p in item[1:]]
        if last is not None and (abs(pts[0][0] - last[0]) > 1e-3 or abs(pts[0][1] - last[1]) > 1e-3):
            flush()
            points, curved = [], 0
        points.extend(pts)
        curved += kind == "c"
        last = pts[-1]
    flush()
    return out


def _rows(shapes: list[tuple[Box, bool]]) -> list[pymupdf.Rect]:
    shapes.sort(key=lambda s: (s[0][1] + s[0][3]) / 2)
    rows: list[list[tuple[Box, bool]]] = []
    for s in shapes:
        b = s[0]
        for row in rows[-8:]:  # rows are built top to bottom: a shape joins one of the last few
            r = row[0][0]
            overlap = min(b[3], r[3]) - max(b[1], r[1])
            if overlap >= 0.5 * min(b[3] - b[1], r[3] - r[1]):
                row.append(s)
                break
        else:
            rows.append([s])
    regions = []
    for row in rows:
        row.sort(key=lambda s: s[0][0])
        run = [row[0]]
        for s in row[1:]:
            prev = max(x[0][2] for x in run)
            height = max(s[0][3] - s[0][1], run[-1][0][3] - run[-1][0][1])
            if s[0][0] - prev > 1.5 * height:
                regions += _region(run)
                run = []
            run.append(s)
        regions += _region(run)
    return regions


def _region(run: list[tuple[Box, bool]]) -> list[pymupdf.Rect]:
    # a letter's counters ("o", "e") are subpaths inside it: a letter counts once
    letters = [(b, c) for b, c in run if not any(o is not b and _inside(b, o) for o, _ in run)]
    if len(letters) < MIN_GLYPHS or sum(curved for _, curved in letters) < 2:
        return []
    x0, y0 = min(b[0] for b, _ in run), min(b[1] for b, _ in run)
    x1, y1 = max(b[2] for b, _ in run), max(b[3] for b, _ in run)
    h = y1 - y0
    return [pymupdf.Rect(x0 - 0.5 * h, y0 - 0.3 * h, x1 + 0.5 * h, y1 + 0.3 * h)]


def _inside(a: Box, b: Box) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]
