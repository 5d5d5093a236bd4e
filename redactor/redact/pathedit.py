"""Cut vector paths where they lie under a box, and nowhere else.

What a path hides under a box is its vertices there: a signature or text
turned into curves has its points under the box. A straight or curved
segment whose two ends lie outside every box is kept whole: the part of it
under the box follows from the parts that show, so it reveals nothing (a
table rule through a box, a frame around it, a background behind it).

* A subpath with no vertex under a box is kept as it is.
* Stroked: segments with an end under a box are split where they cross the
  box's edge (exactly: lines at the crossing, Béziers by de Casteljau at the
  crossing parameter); the pieces outside are kept.
* Filled: the subpath minus the boxes (flattened to 0.05 pt, the difference
  taken with shapely), with the subpath's own orientation kept so that
  nonzero winding with its sibling subpaths is unchanged.
* Clipping paths are never changed (they draw nothing).
"""

from __future__ import annotations

import math

import pikepdf

from redactor.pdf.content import PathUse, Point, apply, invert
from redactor import lazy

np = lazy.module("numpy")
shapely = lazy.module("shapely")
_geometry = lazy.module("shapely.geometry")
_ops = lazy.module("shapely.ops")

Rect = tuple[float, float, float, float]
FLATNESS = 0.05  #: page points
_STROKE = {"S", "s"}
_FILL = {"f", "F", "f*"}
_BOTH = {"B", "B*", "b", "b*"}
_CLOSING = {"s", "b", "b*"}


def _inside(p: Point, rects: list[Rect], tol: float = 0.05) -> bool:
    return any(r[0] + tol < p[0] < r[2] - tol and r[1] + tol < p[1] < r[3] - tol for r in rects)


def _vertices(sub: list[tuple]) -> list[Point]:
    pts = []
    for seg in sub:
        pts.append(seg[1])
        pts.append(seg[-1])
    return pts


def affected(path: PathUse, rects: list[Rect]) -> bool:
    """Whether the path has a vertex under one of ``rects`` (and is drawn)."""
    if path.clip or path.operator == "n":
        return False
    bb = path.bbox()
    if bb is None or not any(bb[0] < r[2] and bb[2] > r[0] and bb[1] < r[3] and bb[3] > r[1] for r in rects):
        return False
    return any(_inside(p, rects) for sub in path.subpaths for p in _vertices(sub))


def rewrite(path: PathUse, rects: list[Rect]) -> list:
    """Instructions that replace the path's construction and painting."""
    subs = [list(s) for s in path.subpaths]
    closed = list(path.closed)
    if path.operator in _CLOSING:
        for k, s in enumerate(subs):
            if s and s[0][1] != s[-1][-1]:
                s.append(("l", s[-1][-1], s[0][1]))
            closed[k] = True
    inv = invert(path.ctm)
    if inv is None:
        return []
    out: list = []
    op = path.operator
    if op in _FILL or op in _BOTH:
        even_odd = op in ("f*", "B*", "b*")
        fill_ops = _fill_ops(subs, rects, inv)
        if fill_ops:
            out += fill_ops + [([], pikepdf.Operator("f*" if even_odd else "f"))]
    if op in _STROKE or op in _BOTH:
        stroke_ops = _stroke_ops(subs, closed, rects, inv)
        if stroke_ops:
            out += stroke_ops + [([], pikepdf.Operator("S"))]
    return out


def _emit(seg_list: list[tuple], inv, close: bool) -> list:
    def pt(p: Point) -> list[float]:
        x, y = apply(inv, p[0], p[1])
        return [float(round(x, 4)), float(round(y, 4))]

    ops: list = [(pt(seg_list[0][1]), pikepdf.Operator("m"))]
    for seg in seg_list:
        if seg[0] == "l":
            ops.append((pt(seg[2]), pikepdf.Operator("l")))
        else:
            ops.append((pt(seg[2]) + pt(seg[3]) + pt(seg[4]), pikepdf.Operator("c")))
    if close:
        ops.append(([], pikepdf.Operator("h")))
    return ops


# --- strokes -------------------------------------------------------------------

def _stroke_ops(subs: list[list[tuple]], closed: list[bool], rects: list[Rect], inv) -> list:
    ops: list = []
    for sub, is_closed in zip(subs, closed):
        if not sub:
            continue
        if not any(_inside(p, rects) for p in _vertices(sub)):
            ops += _emit(sub, inv, is_closed)
            continue
        piece: list[tuple] = []
        for seg in sub:
            ends_in = _inside(seg[1], rects) or _inside(seg[-1], rects)
            parts = _split_outside(seg, rects) if ends_in else [(seg, True)]
            for part, joins in parts:
                if not joins and piece:
                    ops += _emit(piece, inv, False)
                    piece = []
                piece.append(part)
        if piece:
            ops += _emit(piece, inv, False)
    return ops


def _point(seg: tuple, t: float) -> Point:
    if seg[0] == "l":
        (x0, y0), (x1, y1) = seg[1], seg[2]
        return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
    p0, p1, p2, p3 = seg[1:]
    mt = 1 - t
    return tuple(mt ** 3 * a + 3 * mt * mt * t * b + 3 * mt * t * t * c + t ** 3 * d
                 for a, b, c, d in zip(p0, p1, p2, p3))  # type: ignore[return-value]


def _crossings(seg: tuple, rects: list[Rect]) -> list[float]:
    ts: set[float] = set()
    for r in rects:
        for axis, value, lo, hi in ((0, r[0], r[1], r[3]), (0, r[2], r[1], r[3]),
                                    (1, r[1], r[0], r[2]), (1, r[3], r[0], r[2])):
            for t in _solve(seg, axis, value):
                if 1e-9 < t < 1 - 1e-9:
                    other = _point(seg, t)[1 - axis]
                    if lo - 1e-6 <= other <= hi + 1e-6:
                        ts.add(t)
    return sorted(ts)


def _solve(seg: tuple, axis: int, value: float) -> list[float]:
    if seg[0] == "l":
        a, b = seg[1][axis], seg[2][axis]
        return [(value - a) / (b - a)] if abs(b - a) > 1e-12 else []
    p0, p1, p2, p3 = (p[axis] for p in seg[1:])
    coeffs = [-p0 + 3 * p1 - 3 * p2 + p3, 3 * p0 - 6 * p1 + 3 * p2, -3 * p0 + 3 * p1, p0 - value]
    while coeffs and abs(coeffs[0]) < 1e-12:
        coeffs = coeffs[1:]
    if len(coeffs) < 2:
        return []
    return [float(r.real) for r in np.roots(coeffs) if abs(r.imag) < 1e-9]


def _sub_segment(seg: tuple, t0: float, t1: float) -> tuple:
    if seg[0] == "l":
        return ("l", _point(seg, t0), _point(seg, t1))
    p = [seg[1], seg[2], seg[3], seg[4]]
    # de Casteljau: first the part [t0, 1], then [0, (t1 - t0) / (1 - t0)] of it
    if t0 > 0:
        p = _split_cubic(p, t0)[1]
    if t1 < 1:
        p = _split_cubic(p, (t1 - t0) / (1 - t0))[0]
    return ("c", *p)


def _split_cubic(p: list[Point], t: float) -> tuple[list[Point], list[Point]]:
    def lerp(a: Point, b: Point) -> Point:
        return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)

    a, b, c = lerp(p[0], p[1]), lerp(p[1], p[2]), lerp(p[2], p[3])
    d, e = lerp(a, b), lerp(b, c)
    f = lerp(d, e)
    return [p[0], a, d, f], [f, e, c, p[3]]


def _split_outside(seg: tuple, rects: list[Rect]) -> list[tuple[tuple, bool]]:
    """The parts of ``seg`` outside every rect, each with whether it joins the
    previous part (it starts where the segment starts)."""
    ts = [0.0] + _crossings(seg, rects) + [1.0]
    out = []
    for t0, t1 in zip(ts, ts[1:]):
        if t1 - t0 < 1e-9:
            continue
        mid = _point(seg, (t0 + t1) / 2)
        if _inside(mid, rects, tol=0.0):
            continue
        out.append((_sub_segment(seg, t0, t1), t0 == 0.0))
    return out


# --- fills ------------------------------------------------------------------------

def _flatten(sub: list[tuple]) -> list[Point]:
    pts = [sub[0][1]]
    for seg in sub:
        if seg[0] == "l":
            pts.append(seg[2])
            continue
        p0, p1, p2, p3 = seg[1:]
        span = math.dist(p0, p1) + math.dist(p1, p2) + math.dist(p2, p3)
        steps = max(2, min(256, int(math.ceil(math.sqrt(span / FLATNESS)))))
        for k in range(1, steps + 1):
            pts.append(_point(seg, k / steps))
    return pts


def _signed_area(pts: list[Point]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]))


def _fill_ops(subs: list[list[tuple]], rects: list[Rect], inv) -> list:
    ops: list = []
    cut = _ops.unary_union([_geometry.box(*r) for r in rects])
    for sub in subs:
        if not sub:
            continue
        if not any(_inside(p, rects) for p in _vertices(sub)):
            ops += _emit(sub, inv, True)
            continue
        ring = _flatten(sub)
        if len(ring) < 3:
            continue
        positive = _signed_area(ring) >= 0
        poly = _geometry.Polygon(ring)
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
        rest = poly.difference(cut)
        for part in getattr(rest, "geoms", [rest]):
            if not isinstance(part, _geometry.Polygon) or part.is_empty:
                continue
            for k, coords in enumerate([part.exterior.coords] + [h.coords for h in part.interiors]):
                pts = [tuple(c) for c in coords][:-1]
                if len(pts) < 3:
                    continue
                want_positive = positive if k == 0 else not positive
                if (_signed_area(pts) >= 0) != want_positive:
                    pts.reverse()
                segs = [("l", pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts))]
                ops += _emit(segs, inv, True)
    return ops
