"""Which glyphs a box removes, where the box is drawn, and which glyphs move.

A glyph is removed when its centre (half-way along its advance, 0.3 em above
the baseline) lies in a box. Nothing else on the page is touched by that rule.

**Glyph-width defence** (Bland et al., "Story Beyond the Eye", PETS 2023): a
box as wide as the text it hides tells a reader how long that text was, and
with a list of names, which name. So a run of removed glyphs on a line gets a
box of a fixed width (:func:`box_width`: it depends on the font size and the
label, never on what was removed) and every glyph after it on the same line,
in the same column, moves by the difference. The text editor then writes
those glyphs at their new places with absolute positions, so no number in
the stream encodes the removed width either.

What the defence does not hide: where a line wraps (the layout of the lines
that follow is the original one), and the position of a box that fills a
centred or right-aligned line on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from redactor import lazy
from redactor.pdf.content import GlyphUse, Point

np = lazy.module("numpy")

Rect = tuple[float, float, float, float]

#: A removed run's box is this many ems wide (at least the label's width).
BOX_EMS = 4.0
#: Glyphs further than this (ems) from the one before are another column.
COLUMN_GAP_EMS = 2.0
#: A drawn text box reaches this far above and below the baseline (ems).
BOX_ABOVE, BOX_BELOW = 0.9, 0.25
#: A box cut short before what stays beside it (:meth:`_Neighbours.room`) ends this far (ems) before it.
ROOM_GAP_EMS = 0.1


@dataclass(frozen=True)
class Target:
    """A box from the plan: the area it covers and how to draw it."""

    rect: Rect
    label: str
    ref: str
    text: bool = True  #: a text finding (False: a manual area, an image, OCR'd pixels)
    #: the glyphs it may remove (text hidden under an old box: not the visible
    #: glyphs drawn over that box in the same place); None: all under it
    only: frozenset[int] | None = None


@dataclass
class Layout:
    removed: dict[int, str] = field(default_factory=dict)  #: glyph index -> ref of the box that removes it
    shifts: dict[int, Point] = field(default_factory=dict)  #: glyph index -> page-space move
    drawn: list[tuple[str, Rect, str]] = field(default_factory=list)  #: (ref, rect, label) boxes to draw
    defended: set[str] = field(default_factory=set)  #: refs whose boxes have the fixed width
    modes: dict[str, str] = field(default_factory=dict)  #: refs drawn otherwise than as a box (see apply)
    #: where each ref's spoken phrase goes (:mod:`redactor.redact.speech`): glyph index (a removed
    #: glyph, the first of its run) -> (ref, page-space shift of that place, the drawn box there)
    anchors: dict[int, tuple[str, Point, Rect]] = field(default_factory=dict)
    spoken: set[str] = field(default_factory=set)  #: refs whose phrase was put in place of their text


def inside(p: Point, r: Rect, tol: float = 0.01) -> bool:
    return r[0] - tol <= p[0] <= r[2] + tol and r[1] - tol <= p[1] <= r[3] + tol


def box_width(size: float, label_width: float) -> float:
    """The width of a defended box: fixed ems, and never narrower than its label."""
    return max(BOX_EMS * size, label_width + 0.6 * size)


def plan_layout(glyphs: list[GlyphUse], targets: list[Target], defend: bool,
                label_width=lambda label, size: 0.0, undefended: set[str] = frozenset(),
                obstacles=lambda: (), page: Rect | None = None) -> Layout:
    """Decide removals, moves and drawn boxes for one page.

    ``undefended``: refs that must keep their planned box (the caller knows
    they cover text this reading does not hold, e.g. in a font it cannot
    measure). ``obstacles()``: the rects of what else is drawn and stays
    (pictures, painted paths), asked for when a defended box is first
    placed: such a box stops before them as before glyphs that stay.
    ``page``: the visible page (page space): a line's boxes grow no more
    than the room left after its end, so no word is pushed off the page."""
    lay = Layout()
    lay.removed = _removals(glyphs, targets)
    axes = [_axis(g) for g in glyphs] if defend or lay.removed else []
    # a text box is defended only if every glyph it removes lies on an
    # axis-aligned line (others keep the box the plan gives)
    covered: dict[str, bool] = {}
    for gi, ref in lay.removed.items():
        covered[ref] = covered.get(ref, True) and axes[gi] is not None
    text_refs = {t.ref for t in targets if t.text and covered.get(t.ref) and t.ref not in undefended}
    labels = {t.ref: t.label for t in targets}
    if defend:
        neighbours = _Neighbours(glyphs, lay.removed, obstacles)
        for chain in _chains(glyphs, axes):
            _defend_chain(glyphs, chain, lay, text_refs, labels, label_width, neighbours, page)
    # every box not drawn by the defence is drawn where the plan says
    for t in targets:
        if t.ref not in lay.defended:
            lay.drawn.append((t.ref, t.rect, t.label))
    _anchor(lay, targets)
    return lay


def _removals(glyphs: list[GlyphUse], targets: list[Target], tol: float = 0.01) -> dict[int, str]:
    """Glyph index -> ref of the first target whose rect (as :func:`inside`
    tests it) holds the glyph's centre, among those that may remove it. The
    same test as ``inside(g.centre, t.rect)`` for every pair, with the rects'
    bounds worked out once and glyphs outside all of them passed over at once."""
    rects = []
    for t in targets:
        r = t.rect
        rects.append((r[0] - tol, r[1] - tol, r[2] + tol, r[3] + tol, t.only, t.ref))
    # the targets' union (a target with a NaN bound holds nothing: left out of it)
    finite = [r for r in rects if not any(v != v for v in r[:4])]
    if not finite:
        return {}
    ux0, uy0 = min(r[0] for r in finite), min(r[1] for r in finite)
    ux1, uy1 = max(r[2] for r in finite), max(r[3] for r in finite)
    removed: dict[int, str] = {}
    for gi, g in enumerate(glyphs):
        o, adv, up, h = g.origin, g.advance, g.up, 0.5 * g.ink
        cx = o[0] + h * adv[0] + 0.3 * up[0]  # g.centre
        if not ux0 <= cx <= ux1:
            continue
        cy = o[1] + h * adv[1] + 0.3 * up[1]
        if not uy0 <= cy <= uy1:
            continue
        for x0, y0, x1, y1, only, ref in rects:
            if x0 <= cx <= x1 and y0 <= cy <= y1 and (only is None or gi in only):
                removed[gi] = ref
                break
    return removed


def _anchor(lay: Layout, targets: list[Target]) -> None:
    """One place per ref for its spoken phrase: the run it removes first in
    content order (a defended run's start, moved with what precedes it)."""
    best: dict[str, int] = {}
    for gi, (ref, _, _) in lay.anchors.items():
        if ref not in best or gi < best[ref]:
            best[ref] = gi
    rects = {t.ref: t.rect for t in targets}
    for gi, ref in sorted(lay.removed.items()):
        if ref not in best and ref not in lay.defended:
            best[ref] = gi
            lay.anchors[gi] = (ref, (0.0, 0.0), rects[ref])
    keep = set(best.values())
    lay.anchors = {gi: a for gi, a in lay.anchors.items() if gi in keep}


def _axis(g: GlyphUse) -> Point | None:
    """The glyph's baseline direction when it is axis-aligned, else None."""
    ax, ay = g.along
    for d in ((1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)):
        if ax * d[0] + ay * d[1] > 0.999:
            return d
    return None


def _chains(glyphs: list[GlyphUse], axes: list[Point | None] | None = None) -> list[list[int]]:
    """Glyph indices grouped into line pieces: same axis-aligned direction,
    same baseline, no column gap; each sorted along the line. ``axes``:
    :func:`_axis` of each glyph, if the caller has them."""
    if axes is None:
        axes = [_axis(g) for g in glyphs]
    groups: dict[Point, list[int]] = {}
    for gi, g in enumerate(glyphs):
        d = axes[gi]
        if d is None or g.size <= 0:
            continue
        groups.setdefault(d, []).append(gi)
    chains: list[list[int]] = []
    for d, members in groups.items():
        perp = (-d[1], d[0])
        # each glyph's place across and along the line, worked out once
        across: dict[int, float] = {}
        along: dict[int, float] = {}
        for gi in members:
            o = glyphs[gi].origin
            across[gi] = o[0] * perp[0] + o[1] * perp[1]
            along[gi] = o[0] * d[0] + o[1] * d[1]
        p, a = across.__getitem__, along.__getitem__

        members.sort(key=p)
        lines: list[list[int]] = []
        last = 0.0  # across the line, where the glyph before (the last one put on a line) is
        for gi in members:
            here = across[gi]
            if lines and abs(here - last) <= 0.25 * glyphs[gi].size:
                lines[-1].append(gi)
            else:
                lines.append([gi])
            last = here
        lines = _with_raised_marks(glyphs, lines, p, a)
        hypot = math.hypot
        for line in lines:
            line.sort(key=a)
            chain: list[int] = []
            end = -math.inf
            for gi in line:
                g = glyphs[gi]
                start = along[gi]
                if chain and start - end > COLUMN_GAP_EMS * g.size:
                    chains.append(chain)
                    chain = []
                    end = -math.inf
                chain.append(gi)
                reach = start + hypot(*g.advance)
                if reach > end:  # max(end, reach)
                    end = reach
            if chain:
                chains.append(chain)
    return chains


#: A run of smaller glyphs this close to a line's baseline (in the line's ems),
#: within the line's length, is its superscript or subscript (a footnote
#: mark, an affiliation sign): it moves with the line.
MARK_OFFSET_EMS, MARK_SIZE = 0.55, 0.85


def _with_raised_marks(glyphs: list[GlyphUse], lines: list[list[int]], p, a) -> list[list[int]]:
    """Join each superscript or subscript run to the line it belongs to.
    Left apart, the text of a line would move along it and leave its marks
    behind, where they would stand in the text, or under the next box."""
    # a line's size is that of most of its glyphs: a line is grouped by its
    # baseline alone, across columns, and one big glyph on it (a figure's
    # label, a heading in the next column) must not make it the host of
    # every smaller line around it
    sizes = [sorted(glyphs[gi].size for gi in line)[len(line) // 2] for line in lines]
    bases = [sorted(p(gi) for gi in line)[len(line) // 2] for line in lines]
    extents = [(min(a(gi) for gi in line), max(a(gi) + math.hypot(*glyphs[gi].advance) for gi in line))
               for line in lines]
    order = sorted(range(len(lines)), key=lambda k: -sizes[k])
    host: dict[int, int] = {}
    for k in order:
        (s0, s1) = extents[k]
        best = None
        for m in order:
            big = sizes[m]
            if big * MARK_SIZE < sizes[k]:
                break  # sorted by size: no bigger line is left
            if m in host:
                continue
            off = abs(bases[k] - bases[m])
            m0, m1 = extents[m]
            if off <= MARK_OFFSET_EMS * big and m0 - big <= s0 and s1 <= m1 + big and (best is None or off < best[0]):
                best = (off, m)
        if best is not None:
            host[k] = best[1]
    if not host:
        return lines

    def root(k: int) -> int:
        while k in host:
            k = host[k]
        return k

    merged: dict[int, list[int]] = {}
    for k, line in enumerate(lines):
        merged.setdefault(root(k), []).extend(line)
    return list(merged.values())


def _defend_chain(glyphs: list[GlyphUse], chain: list[int], lay: Layout, text_refs: set[str],
                  labels: dict[str, str], label_width, neighbours: _Neighbours, page: Rect | None = None) -> None:
    if not any(lay.removed.get(gi) in text_refs for gi in chain):
        return
    d = _axis(glyphs[chain[0]])
    assert d is not None

    def a(g: GlyphUse) -> float:
        return g.origin[0] * d[0] + g.origin[1] * d[1]

    # how far the line may grow: to the page's edge along it (a line that fills a narrow page had its
    # last words pushed past the edge, where no viewer shows them: helper 31)
    grow = math.inf
    if page is not None:
        edge = max(x * d[0] + y * d[1] for x in (page[0], page[2]) for y in (page[1], page[3]))
        end = max(a(glyphs[gi]) + math.hypot(*glyphs[gi].advance) for gi in chain)
        grow = max(0.0, edge - end)
    shift = 0.0
    i = 0
    while i < len(chain):
        gi = chain[i]
        ref = lay.removed.get(gi)
        if ref is not None and ref not in text_refs:
            shift = 0.0  # a box that keeps its place (an area, a box over an image): what follows stays too
            i += 1
            continue
        if ref is None:
            if shift:
                lay.shifts[gi] = (shift * d[0], shift * d[1])
            i += 1
            continue
        j = i
        while j + 1 < len(chain) and lay.removed.get(chain[j + 1]) == ref:
            j += 1
        span = [glyphs[k] for k in chain[i:j + 1]]
        first = span[0]
        start = a(first)
        stop = max(a(g) + math.hypot(*g.advance) for g in span)
        size = max(g.size for g in span)
        width = box_width(size, label_width(labels[ref], size))
        width = neighbours.room(chain[i:], first, d, shift, stop - start, width, size)
        width = min(width, stop - start + max(0.0, grow - shift))
        rect = _box(first, d, start - a(first) + shift, width, size)
        lay.drawn.append((ref, rect, labels[ref]))
        lay.anchors[chain[i]] = (ref, (shift * d[0], shift * d[1]), rect)
        lay.defended.add(ref)
        shift += width - (stop - start)
        i = j + 1


class _Neighbours:
    """What stays on the page: the glyphs not removed, each with its box as
    the boxes are drawn (its advance, BOX_BELOW under its baseline to
    BOX_ABOVE over it), and the obstacles (index -1); worked out once for
    the page when a box first asks."""

    def __init__(self, glyphs: list[GlyphUse], removed: dict[int, str], obstacles=lambda: ()):
        self.glyphs, self.removed, self.obstacles = glyphs, removed, obstacles
        self._index = self._box = None

    def _make(self) -> None:
        kept = [gi for gi in range(len(self.glyphs)) if gi not in self.removed]
        g = self.glyphs
        o = np.array([g[k].origin for k in kept], dtype=float).reshape(-1, 2)
        a = np.array([g[k].advance for k in kept], dtype=float).reshape(-1, 2)
        u = np.array([g[k].up for k in kept], dtype=float).reshape(-1, 2)
        corners = np.stack([o - BOX_BELOW * u, o + BOX_ABOVE * u, o + a - BOX_BELOW * u, o + a + BOX_ABOVE * u])
        others = np.array([r for r in self.obstacles() if all(v == v for v in r)], dtype=float).reshape(-1, 4)
        self._index = np.array(kept + [-1] * len(others), dtype=np.int64)
        boxes = np.concatenate([corners.min(axis=0), corners.max(axis=0)], axis=1)  # x0 y0 x1 y1
        self._box = np.concatenate([boxes, others])

    def room(self, moving: list[int], first: GlyphUse, d: Point, offset: float, own: float, width: float,
             size: float) -> float:
        """``width``, cut short before the first glyph (or picture, or
        painted path) the box would reach over that stays where it is (the
        next column, a signature's second column set beside big letters, a
        photograph beside a caption, a table's rule): the box never hides
        what it does not remove. Never narrower than the removed text
        itself (``own``); where it is cut, its width follows the
        neighbour's place, not the removed text's length. ``moving``: the
        glyphs that move with the box (the rest of its line)."""
        if self._box is None:
            self._make()
        r = _box(first, d, offset, width, size)
        b = self._box
        hit = (b[:, 0] < r[2]) & (b[:, 2] > r[0]) & (b[:, 1] < r[3]) & (b[:, 3] > r[1])
        if not hit.any():
            return width
        base = first.origin[0] * d[0] + first.origin[1] * d[1] + offset
        away = set(moving)
        room = width
        for k in np.nonzero(hit)[0]:
            if int(self._index[k]) in away:
                continue
            x0, y0, x1, y1 = b[k]
            along = min(x0 * d[0] + y0 * d[1], x1 * d[0] + y1 * d[1]) - base  # where it starts, from the box's start
            if along >= own:  # beyond the removed text: the fixed width would reach over it
                room = min(room, along - ROOM_GAP_EMS * size)
        return max(own, room)


def _box(first: GlyphUse, d: Point, offset: float, width: float, size: float) -> Rect:
    """The drawn box: from ``offset`` along the line from the first glyph's
    origin, ``width`` long, from BOX_BELOW under the baseline to BOX_ABOVE over it."""
    ox, oy = first.origin
    x0, y0 = ox + d[0] * offset, oy + d[1] * offset
    x1, y1 = x0 + d[0] * width, y0 + d[1] * width
    ul = math.hypot(*first.up) or 1.0
    ux, uy = first.up[0] / ul, first.up[1] / ul
    pts = [(x + ux * s * size, y + uy * s * size) for x, y in ((x0, y0), (x1, y1)) for s in (-BOX_BELOW, BOX_ABOVE)]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))
