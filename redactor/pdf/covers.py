"""Text a person cannot see because something is painted over it: the
classic fake redaction (a black box drawn over live text, as Word or
PowerPoint "redaction" leaves it), or text in the same colour as the box it
sits on.

A glyph is hidden when its centre lies inside the *shape* (not the bounding
box) of an opaque fill or opaque image drawn after it, inside every clipping
path in force there. "Opaque" means full opacity and no soft mask, in the
Normal blend mode or in a dark colour in a darkening one (a black
highlighter: Multiply); a see-through highlight (partial opacity, or a light
colour in Multiply) hides nothing. A glyph drawn *after* a fill in that fill's colour is hidden too.
Invisible glyphs (render mode 3) are not "hidden under a box": they are
found as hidden text by the readings themselves. Text that clips (modes
4-7) is painted by what is drawn through its clip afterwards (gradient
lettering): that paint does not hide it; a box drawn over it does.

:func:`may_hide` is the cheap test (MuPDF's ordered bounding-box log) that
decides whether a page needs the full analysis (:func:`hidden_glyphs`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import pymupdf

from redactor.pdf.content import TEXT_CLIP, GlyphUse, Paint, Point, Reading, apply as transform

Rect = tuple[float, float, float, float]

#: A fill smaller than this (pt²) is a rule or a bullet, not a cover.
MIN_COVER_AREA = 20.0
#: Colours closer than this (largest channel difference) look the same.
SAME_COLOUR = 0.08


@dataclass(frozen=True)
class Hidden:
    glyph: int  #: index into ``reading.glyphs``
    cover: Rect  #: bounding box of what hides it
    how: str  #: "under a box drawn over it", "in the colour of the box under it", ...
    colour: tuple[float, float, float] | None = None  #: the cover's colour (None: an image, a pattern)


def may_hide(page: pymupdf.Page) -> bool:
    """Whether anything opaque-looking is painted over text drawn before it
    (MuPDF's bounding-box log; false positives are fine, misses are not)."""
    try:
        log = page.get_bboxlog()
    except Exception:
        return True
    texts: list[tuple] = []
    for kind, box in log:
        if kind in ("fill-text", "stroke-text"):
            texts.append(box)
        elif kind in ("fill-path", "fill-image", "fill-shade") and texts:
            x0, y0, x1, y1 = box
            if (x1 - x0) * (y1 - y0) < MIN_COVER_AREA:
                continue
            if any(t[0] < x1 and t[2] > x0 and t[1] < y1 and t[3] > y0 for t in texts):
                return True
    # text in the colour of the box under it: any text drawn over a fill
    fills = [box for kind, box in log if kind == "fill-path"]
    return bool(fills and texts) and _text_after_fill(log)


def _text_after_fill(log) -> bool:
    seen_fill: list[tuple] = []
    for kind, box in log:
        if kind == "fill-path":
            seen_fill.append(box)
        elif kind in ("fill-text", "stroke-text") and seen_fill:
            x0, y0, x1, y1 = box
            if any(f[0] < x1 and f[2] > x0 and f[1] < y1 and f[3] > y0 for f in seen_fill):
                return True
    return False


@dataclass
class _Cover:
    seq: int
    bbox: Rect
    colour: tuple[float, float, float] | None
    contains: object  #: (x, y) -> bool
    through: object = None  #: (x, y) -> bool: inside a text clip it paints through (letters it paints)


def hidden_glyphs(reading: Reading) -> list[Hidden]:
    covers = _covers(reading)
    if not covers:
        return []
    out: list[Hidden] = []
    by_x = sorted(range(len(covers)), key=lambda k: covers[k].bbox[0])
    xs = [covers[k].bbox[0] for k in by_x]
    # in the same order: each cover with the rest of its box, looked up once
    ordered = [(covers[k], covers[k].bbox[2], covers[k].bbox[1], covers[k].bbox[3]) for k in by_x]
    for gi, g in enumerate(reading.glyphs):
        style = g.style
        if style is None or g.render_mode == 3 or style.alpha < 0.01 or (g.key == 32 and g.end - g.start == 1):
            continue  # invisible, or a space: no ink to hide
        o, adv, up, h = g.origin, g.advance, g.up, 0.5 * g.ink
        cx, cy = o[0] + h * adv[0] + 0.3 * up[0], o[1] + h * adv[1] + 0.3 * up[1]  # g.centre
        candidates = [c for c, x1, y0, y1 in ordered[:bisect.bisect_right(xs, cx)] if x1 >= cx and y0 <= cy <= y1]
        if not candidates:
            continue
        over = [c for c in candidates if c.seq > style.seq and c.contains(cx, cy)
                and not (g.render_mode >= 4 and c.through is not None and c.through(cx, cy))]
        if over:
            out.append(Hidden(gi, over[0].bbox, "under a box drawn over it", over[0].colour))
            continue
        under = [c for c in candidates if c.seq < style.seq and c.contains(cx, cy)]
        if under and style.colour is not None:
            top = max(under, key=lambda c: c.seq)
            if top.colour is not None and max(abs(a - b) for a, b in zip(top.colour, style.colour)) < SAME_COLOUR:
                out.append(Hidden(gi, top.bbox, "in the colour of the box under it", top.colour))
    return out


def _covers(reading: Reading) -> list[_Cover]:
    out = []
    for path in reading.paths:
        style = path.style
        if style is None or not path.fills or not style.opaque:
            continue
        bbox = path.bbox()
        if bbox is None or (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) < MIN_COVER_AREA:
            continue
        rings = [_flatten(sub) for sub in path.subpaths if sub]
        out.append(_Cover(style.seq, bbox, style.colour, _inside_shape(rings, path.even_odd, style), _through(style)))
    for xo in reading.xobjects:
        style = xo.style
        if xo.kind == "shading" and style is not None and style.opaque:
            # a smooth shading (a sphere's gradient) paints the clipped area: a cover of no one colour
            bbox = _clips_bbox(style)
            if (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) >= MIN_COVER_AREA:
                out.append(_Cover(style.seq, bbox, None, _inside_shape(None, False, style), _through(style)))
            continue
        if xo.kind not in ("image", "inline") or style is None or not style.opaque:
            continue
        if xo.obj is not None and (xo.obj.get("/SMask") is not None or xo.obj.get("/Mask") is not None
                                   or bool(xo.obj.get("/ImageMask", False))):
            continue
        corners = [transform(xo.matrix, x, y) for x, y in ((0, 0), (1, 0), (1, 1), (0, 1))]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        bbox = (min(xs), min(ys), max(xs), max(ys))
        if (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) < MIN_COVER_AREA:
            continue
        out.append(_Cover(style.seq, bbox, None, _inside_shape([corners + corners[:1]], False, style),
                          _through(style)))
    return out


def _through(style: Paint):
    """Inside a text clip in force (the letters a paint goes through); None without one."""
    texts = [[_flatten(sub) for sub in subs if sub] for subs, kind in style.clips if kind == TEXT_CLIP]
    if not texts:
        return None
    return lambda x, y: any(_in_rings(r, False, x, y) for r in texts)


def _clips_bbox(style: Paint) -> Rect:
    """Where the clipping paths in force let paint through (their boxes' overlap; the whole plane without one)."""
    x0, y0, x1, y1 = -1e6, -1e6, 1e6, 1e6
    for subs, _ in style.clips:
        pts = [p for sub in subs if sub for p in _flatten(sub)]
        if pts:
            x0, y0 = max(x0, min(p[0] for p in pts)), max(y0, min(p[1] for p in pts))
            x1, y1 = min(x1, max(p[0] for p in pts)), min(y1, max(p[1] for p in pts))
    return (x0, y0, max(x0, x1), max(y0, y1))


def _inside_shape(rings: list[list[Point]] | None, even_odd: bool, style: Paint):
    """Inside the shape (None: everywhere) and inside every clip in force."""
    clips = [([_flatten(sub) for sub in subs if sub], eo is True) for subs, eo in style.clips]

    def contains(x: float, y: float) -> bool:
        if rings is not None and not _in_rings(rings, even_odd, x, y):
            return False
        return all(_in_rings(r, eo, x, y) for r, eo in clips)

    return contains


def _flatten(sub: list[tuple]) -> list[Point]:
    pts = [sub[0][1]]
    for seg in sub:
        if seg[0] == "l":
            pts.append(seg[2])
        else:
            p0, p1, p2, p3 = seg[1:]
            for k in range(1, 9):
                t = k / 8
                mt = 1 - t
                pts.append((mt ** 3 * p0[0] + 3 * mt * mt * t * p1[0] + 3 * mt * t * t * p2[0] + t ** 3 * p3[0],
                            mt ** 3 * p0[1] + 3 * mt * mt * t * p1[1] + 3 * mt * t * t * p2[1] + t ** 3 * p3[1]))
    return pts


def _in_rings(rings: list[list[Point]], even_odd: bool, x: float, y: float) -> bool:
    winding = 0
    crossings = 0
    for ring in rings:
        n = len(ring)
        for k in range(n):
            (x0, y0), (x1, y1) = ring[k], ring[(k + 1) % n]
            if (y0 <= y) != (y1 <= y):
                xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                if xc > x:
                    crossings += 1
                    winding += 1 if y1 > y0 else -1
    return crossings % 2 == 1 if even_odd else winding != 0


def glyph_box(g: GlyphUse) -> Rect:
    """A glyph's box in page space (the advance, from 0.25 em below the
    baseline to 0.9 em above it)."""
    pts = []
    for t in (0.0, 1.0):
        for s in (-0.25, 0.9):
            pts.append((g.origin[0] + t * g.advance[0] + s * g.up[0], g.origin[1] + t * g.advance[1] + s * g.up[1]))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))

