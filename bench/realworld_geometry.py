"""Boxes of a realworld run and the geometry the comparison uses.

Boxes come from the audit log (records of type "redaction": ``page``
1-based, ``rects`` in PyMuPDF page space, i.e. unrotated). "Under a box" is
:func:`under`: the overlap exceeds ``TOL`` in both directions (or half the
item's own extent when it is thinner than 2 ``TOL``; a zero-width line
counts when it lies within the box).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

TOL = 1.0  #: points: what "the same place" and "under a box" allow for

Rect = tuple[float, float, float, float]


def read_log(log_path: str | Path) -> tuple[dict, list[dict]]:
    """Header and redaction records of an audit log (JSON lines)."""
    header, entries = {}, []
    with open(log_path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("type") == "header":
                header = rec
            elif rec.get("type") == "redaction":
                entries.append(rec)
    return header, entries


def boxes_by_page(entries: list[dict]) -> tuple[dict[int, list[Rect]], set[int]]:
    """0-based page -> boxes, and the 0-based pages withheld in full."""
    boxes: dict[int, list[Rect]] = defaultdict(list)
    withheld: set[int] = set()
    for e in entries:
        page = int(e["page"]) - 1
        if e.get("rule") == "plan.manual.page" or e.get("category") == "page_withheld":
            withheld.add(page)
        for r in e.get("rects") or []:
            boxes[page].append(tuple(float(v) for v in r))
    return dict(boxes), withheld


def _overlap(a0, a1, b0, b1) -> float:
    return min(a1, b1) - max(a0, b0)


def under(r: Rect, box: Rect, tol: float = TOL) -> bool:
    """True when ``r`` lies (partly) under ``box`` by more than ``tol``."""
    for a0, a1, b0, b1 in ((r[0], r[2], box[0], box[2]), (r[1], r[3], box[1], box[3])):
        ov = _overlap(a0, a1, b0, b1)
        need = min(tol, max(a1 - a0, 0) / 2)
        if ov < 0 or (need > 0 and ov <= need):
            return False
    return True


def under_any(r: Rect, boxes: list[Rect], tol: float = TOL) -> bool:
    return any(under(r, b, tol) for b in boxes)


def _close(a: Rect, b: Rect, tol: float = TOL) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def _dist(a: Rect, b: Rect) -> float:
    return max(abs(x - y) for x, y in zip(a, b))


def _closest(r: Rect, candidates, rect_of, tol: float = TOL):
    """The candidate whose rect is nearest ``r``, if one is within ``tol``:
    nearest first, so that dense small items (plot segments, dots) pair up
    with their own counterpart rather than a neighbour's."""
    best, best_d = None, tol
    for i in candidates:
        d = _dist(r, rect_of(i))
        if d <= best_d:
            best, best_d = i, d
            if d == 0:
                break
    return best


def _r(rect) -> Rect:
    return (float(rect[0]), float(rect[1]), float(rect[2]), float(rect[3]))


def _fmt(r: Rect) -> list[float]:
    return [round(v, 1) for v in r]


class _Grid:
    """Items bucketed by their rounded top-left corner, for lookups within TOL."""

    def __init__(self, items, rect_of):
        self.cells = defaultdict(list)
        self.rect_of = rect_of
        for i, it in enumerate(items):
            r = rect_of(it)
            self.cells[(round(r[0]), round(r[1]))].append(i)

    def near(self, r: Rect):
        cx, cy = round(r[0]), round(r[1])
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                yield from self.cells.get((cx + dx, cy + dy), ())
