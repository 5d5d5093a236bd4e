"""Read a content stream the way a viewer draws it, keeping track of where
every glyph, path and image lands on the page.

The interpreter follows the graphics state (``q``/``Q``/``cm``), the text
state (``Tf Tc Tw Tz TL Ts Tr``) and the text and line matrices (``BT Tm Td
TD T* ' "``) exactly as the PDF specification describes (ISO 32000-1, 9.4),
and measures glyphs with :mod:`redactor.pdf.fonts`. Positions are in
PyMuPDF's page space (unrotated, y down, origin at the crop box's top left),
the space findings and boxes use. It walks into Form XObjects (bounded depth,
no cycles) so an editor knows which stream holds what.

It only reads: :mod:`redactor.redact.textedit` and
:mod:`redactor.redact.pathedit` rewrite what it found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pikepdf

from redactor.pdf.fonts import FontMetrics, metrics

Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
#: Form XObjects nested deeper than this are not entered (a hostile file).
MAX_DEPTH = 12

_TEXT_SHOW = {"Tj", "TJ", "'", '"'}
_PATH_BUILD = {"m", "l", "c", "v", "y", "h", "re"}
_PATH_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}
#: operators no branch of the walker reads (marked content, stroke state and
#: colour, compatibility): passed over at once (they are frequent: every
#: tagged line is wrapped in BDC ... EMC)
_PASSED_OVER = frozenset({"BDC", "BMC", "EMC", "MP", "DP", "w", "J", "j", "M", "d", "ri", "i", "CS", "SC", "SCN",
                          "G", "RG", "K", "BX", "EX"})


def mul(m: Matrix, n: Matrix) -> Matrix:
    """m x n (PDF's row-vector convention: a point p maps to p m n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> Point:
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


def invert(m: Matrix) -> Matrix | None:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if abs(det) < 1e-12:
        return None
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(e * ia + f * ic), -(e * ib + f * id_))


def page_resources(page: pikepdf.Page, create: bool = False) -> pikepdf.Dictionary:
    """The page's /Resources, inherited from the page tree if the page has
    none of its own. With ``create``, the page gets its own (a shallow copy
    of the inherited one, or empty) so that adding to it touches no other page."""
    own = page.obj.get("/Resources")
    if isinstance(own, pikepdf.Dictionary):
        return own
    node, inherited, depth = page.obj.get("/Parent"), None, 0
    while isinstance(node, pikepdf.Dictionary) and depth < 64:
        if isinstance(node.get("/Resources"), pikepdf.Dictionary):
            inherited = node.Resources
            break
        node, depth = node.get("/Parent"), depth + 1
    if not create:
        return inherited if inherited is not None else pikepdf.Dictionary()
    fresh = pikepdf.Dictionary({k: v for k, v in inherited.items()}) if inherited is not None else pikepdf.Dictionary()
    page.obj.Resources = fresh
    return page.obj.Resources


def page_matrix(page: pikepdf.Page) -> Matrix:
    """Default user space -> PyMuPDF page space (unrotated, y down, origin at
    the top left of the crop box)."""
    x0, _, _, y1 = _visible(page)
    u = user_unit(page)
    return (u, 0.0, 0.0, -u, -x0 * u, y1 * u)


def page_box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    """The visible page in PyMuPDF page space: (0, 0, width, height)."""
    x0, y0, x1, y1 = _visible(page)
    u = user_unit(page)
    return (0.0, 0.0, max(0.0, x1 - x0) * u, max(0.0, y1 - y0) * u)


def _visible(page: pikepdf.Page) -> tuple[float, float, float, float]:
    """As MuPDF does: the crop box, clipped to the media box, in user space
    (in units of /UserUnit: a poster's page may measure 1800 units of 10
    points each); a damaged box gives the default page."""
    try:  # pikepdf resolves boxes inherited from the page tree
        cx0, cy0, cx1, cy1 = _norm_box(page.cropbox)
        mx0, my0, mx1, my1 = _norm_box(page.mediabox)
    except Exception:  # noqa: BLE001 - a damaged box: the default page
        return (0.0, 0.0, 612.0, 792.0)
    return max(cx0, mx0), max(cy0, my0), min(cx1, mx1), min(cy1, my1)


def user_unit(page: pikepdf.Page) -> float:
    """The page's /UserUnit (points per unit of user space), as MuPDF reads it."""
    try:
        u = float(page.obj.get("/UserUnit", 1))
    except (TypeError, ValueError):
        return 1.0
    return u if math.isfinite(u) and u > 0 else 1.0


def _norm_box(box) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _components(name, spaces) -> int:
    """Components of a colour space given by name (0 for a pattern space)."""
    if not isinstance(name, pikepdf.Name):
        return 1
    std = {"/DeviceGray": 1, "/G": 1, "/DeviceRGB": 3, "/RGB": 3, "/DeviceCMYK": 4, "/CMYK": 4, "/Pattern": 0}
    if str(name) in std:
        return std[str(name)]
    cs = spaces.get(name) if hasattr(spaces, "get") else None
    if isinstance(cs, pikepdf.Array) and len(cs):
        family = str(cs[0])
        if family == "/Pattern":
            return 0
        if family == "/ICCBased" and len(cs) > 1 and isinstance(cs[1], pikepdf.Stream):
            return int(_f(cs[1].get("/N", 3)))
        if family in ("/CalRGB", "/Lab"):
            return 3
        if family == "/CalGray":
            return 1
    return -1  # Indexed, Separation, DeviceN: colour not known as RGB


#: marks a clip made by text (Tr 4-7) in Paint.clips, where a path's clip has its even-odd flag
TEXT_CLIP = "text"


def _line_box(gs: "_GState", before: Matrix, after: Matrix) -> list[tuple]:
    """The box (a closed subpath, page space) of the text one show operator
    drew from text matrix ``before`` to ``after``: from 0.25 em below the
    baseline to 0.9 em above it, as :func:`redactor.pdf.covers.glyph_box`."""
    ts = gs.text
    corners = []
    for m, s in ((before, -0.25), (after, -0.25), (after, 0.9), (before, 0.9)):
        a, b, c, d, e, f = mul(m, gs.ctm)
        lift = ts.rise + s * ts.size
        corners.append((lift * c + e, lift * d + f))
    return [("l", corners[k], corners[(k + 1) % 4]) for k in range(4)]


def op_name(inst) -> str:
    """An instruction's operator as text; "" for an inline image or an
    operator that is not text (a damaged stream: such an operator does nothing)."""
    if isinstance(inst, pikepdf.ContentStreamInlineImage):
        return ""
    try:
        return str(inst.operator)
    except (UnicodeDecodeError, ValueError):
        return ""


def _f(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return 0.0


#: Blend modes whose result is no lighter than the colour painted: in a dark
#: colour they hide what is under them as the Normal mode does.
_DARKENING = ("/Multiply", "/Darken", "/ColorBurn")
#: A colour no channel of which is lighter than this is dark: black text under
#: it in a darkening blend mode differs from the page around it by this much at most.
DARK = 0.25


@dataclass(frozen=True)
class Paint:
    """How something is painted: enough to tell whether it hides what is under it."""

    seq: int  #: drawing order on the page
    colour: tuple[float, float, float] | None  #: fill colour as RGB (None: a pattern or unknown)
    alpha: float = 1.0  #: fill opacity (ExtGState /ca)
    blend: str = "/Normal"  #: blend mode (ExtGState /BM)
    soft_mask: bool = False  #: an ExtGState /SMask is in force
    clips: tuple = ()  #: clipping paths in force: (subpaths, even_odd) in page space
    tiling: bool = False  #: filled with a tiling pattern (hatching: what is under shows between its lines)

    @property
    def opaque(self) -> bool:
        """Nothing under it shows: full opacity, no soft mask, no hatching, and
        the Normal blend mode, or a blend mode that darkens (Multiply, Darken,
        ColorBurn) in a dark colour: a black highlighter over black text is
        black on black."""
        if self.alpha < 0.99 or self.soft_mask or self.tiling:
            return False
        if self.blend in ("/Normal", "/Compatible"):
            return True
        return self.blend in _DARKENING and self.colour is not None and max(self.colour) <= DARK


@dataclass(slots=True)
class GlyphUse:
    """One glyph as drawn."""

    stream: int  #: index into :attr:`Reading.streams`
    op: int  #: index of the showing operator in that stream
    elem: int  #: index in the TJ array (0 for Tj, ' and ")
    start: int  #: byte span of the code in the string
    end: int
    key: int  #: the code (simple fonts) or CID
    origin: Point  #: page space
    advance: Point  #: page-space vector from this origin to the next glyph's
    up: Point  #: page-space vector of 1 em upwards (perpendicular to the baseline)
    size: float  #: font size in page space (points)
    text_object: int  #: which BT..ET (numbered per stream)
    tm0: Matrix = IDENTITY  #: the text matrix when its showing operator starts
    ctm: Matrix = IDENTITY  #: user space -> page space when it is drawn
    style: Paint | None = None  #: how it is painted
    render_mode: int = 0  #: Tr: 3 invisible, 7 clip only
    dx: float = 0.0  #: how far along text space x from ``tm0`` it is drawn
    font_op: tuple = ()  #: the ``Tf`` operands in force (resource name, size), to set the font again
    spacing: tuple = (0.0, 0.0, 1.0, 0.0)  #: Tc, Tw, Th (a fraction, not %) and Ts in force, to set them again
    #: the share of ``advance`` that is the glyph's own width (the rest is Tc and Tw: space after it)
    ink: float = 1.0

    @property
    def tm(self) -> Matrix:
        """The text matrix when the glyph is drawn."""
        return mul((1, 0, 0, 1, self.dx, 0), self.tm0) if self.dx else self.tm0

    @property
    def along(self) -> Point:
        """Unit vector along the baseline (page space)."""
        n = math.hypot(*self.advance)
        if n > 1e-9:
            return (self.advance[0] / n, self.advance[1] / n)
        u = math.hypot(*self.up)
        return (-self.up[1] / u, self.up[0] / u) if u > 1e-9 else (1.0, 0.0)

    @property
    def centre(self) -> Point:
        """A point well inside the glyph: half-way along its own width (not
        the character spacing after it: "8 Tc" put the centre of a number's
        last digit past the box over the number), 0.3 em above the baseline."""
        h = 0.5 * self.ink
        return (self.origin[0] + h * self.advance[0] + 0.3 * self.up[0],
                self.origin[1] + h * self.advance[1] + 0.3 * self.up[1])

    @property
    def end_point(self) -> Point:
        return (self.origin[0] + self.advance[0], self.origin[1] + self.advance[1])


@dataclass
class PathUse:
    """One painted path: its construction and painting operators and its
    subpaths in page space (each a list of segments)."""

    stream: int
    first: int  #: index of the first construction operator
    paint: int  #: index of the painting operator
    operator: str  #: the painting operator (S, f, B*, n, ...)
    clip: bool  #: a W or W* precedes the painting operator
    ctm: Matrix  #: user space -> page space when the path was built
    subpaths: list[list[tuple]] = field(default_factory=list)  #: ("l", p0, p1) or ("c", p0, p1, p2, p3)
    closed: list[bool] = field(default_factory=list)
    style: Paint | None = None  #: how it is painted (None for a clipping path)

    @property
    def fills(self) -> bool:
        return self.operator in ("f", "F", "f*", "B", "B*", "b", "b*") and not self.clip

    @property
    def even_odd(self) -> bool:
        return self.operator in ("f*", "B*", "b*")

    def bbox(self) -> tuple[float, float, float, float] | None:
        xs, ys = [], []
        for sp in self.subpaths:
            for seg in sp:
                for p in seg[1:]:
                    xs.append(p[0])
                    ys.append(p[1])
        if not xs:
            return None
        return min(xs), min(ys), max(xs), max(ys)


@dataclass
class XObjectUse:
    stream: int
    op: int
    name: str  #: resource name ("/Im1"), or "" for an inline image
    kind: str  #: "image", "form", "inline" or "shading" (an ``sh``: it fills the clip)
    matrix: Matrix  #: unit square (image) or form space -> page space
    obj: pikepdf.Object | None = None
    style: Paint | None = None


@dataclass
class StreamInfo:
    """A content stream the reading walked through."""

    ops: list  #: pikepdf content stream instructions
    resources: pikepdf.Dictionary
    owner: pikepdf.Object | None  #: the Form XObject (None for the page)
    parent: int | None  #: the stream that draws it
    parent_op: int | None  #: the Do that draws it
    depth: int
    text_objects: list[tuple[int, int]] = field(default_factory=list)  #: (BT index, ET index)


@dataclass
class Reading:
    """Everything drawn on one page."""

    streams: list[StreamInfo] = field(default_factory=list)
    glyphs: list[GlyphUse] = field(default_factory=list)
    paths: list[PathUse] = field(default_factory=list)
    xobjects: list[XObjectUse] = field(default_factory=list)
    fonts: dict[tuple, FontMetrics] = field(default_factory=dict)  #: by :func:`font_key`
    #: fonts that could not be measured, with the reason (their glyphs are not in :attr:`glyphs`)
    unsupported: dict[str, str] = field(default_factory=dict)
    unmeasured_glyphs: int = 0
    problems: list[str] = field(default_factory=list)
    seq: int = 0  #: drawing operations so far


class FontCache:
    """The metrics of a document's fonts (indirect objects, by object number),
    measured once for all the pages read with it: a font's metrics depend
    on the font alone. Bounded (the oldest go first), so that a file with a
    font per page does not keep them all."""

    def __init__(self, size: int = 128):
        self.size = size
        self._by_key: dict[tuple[int, int], FontMetrics] = {}

    def get(self, key: tuple[int, int]) -> FontMetrics | None:
        return self._by_key.get(key)

    def put(self, key: tuple[int, int], m: FontMetrics) -> None:
        if len(self._by_key) >= self.size:
            del self._by_key[next(iter(self._by_key))]
        self._by_key[key] = m


def read_page(page: pikepdf.Page, fonts: FontCache | None = None, ink_only: bool = False) -> Reading:
    """Interpret a page's content (and the Form XObjects it draws).
    ``fonts``: the metrics of the fonts met on other pages of the same
    document (the document must not change its fonts in between).
    ``ink_only``: glyphs drawn without ink (render mode 3, invisible) move
    the text position as always but are not listed in :attr:`Reading.glyphs`
    (for a caller that looks only at what is painted: what hides what,
    :mod:`redactor.pdf.covers`). Clip-only text (mode 7) is listed: what is
    painted through it shows its letters."""
    reading = Reading()
    try:
        ops = list(pikepdf.parse_content_stream(page))
    except Exception as e:  # noqa: BLE001 - qpdf refuses damaged content in several ways
        reading.problems.append(f"the page's content cannot be parsed ({e})")
        return reading
    resources = page_resources(page)
    _Walker(reading, fonts, ink_only).walk(ops, resources, page_matrix(page), None, None, None, 0, set())
    return reading


@dataclass
class _TextState:
    font: pikepdf.Object | None = None
    font_op: tuple = ()
    size: float = 0.0
    tc: float = 0.0
    tw: float = 0.0
    th: float = 1.0
    tl: float = 0.0
    rise: float = 0.0
    mode: int = 0


@dataclass
class _GState:
    ctm: Matrix
    text: _TextState
    fill: tuple[float, float, float] | None = (0.0, 0.0, 0.0)
    fill_space: int = 1  #: components of the fill colour space (0: pattern)
    alpha: float = 1.0
    blend: str = "/Normal"
    soft_mask: bool = False
    clips: tuple = ()
    tiling: bool = False  #: the fill is a tiling pattern

    def copy(self) -> "_GState":
        return _GState(self.ctm, _TextState(**self.text.__dict__), self.fill, self.fill_space, self.alpha, self.blend,
                       self.soft_mask, self.clips, self.tiling)


def _rgb(values: list[float]) -> tuple[float, float, float] | None:
    if len(values) == 1:
        return (values[0],) * 3  # type: ignore[return-value]
    if len(values) == 3:
        return tuple(values)  # type: ignore[return-value]
    if len(values) == 4:
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def font_key(font) -> tuple:
    """What a font met on a page is known by while the page is read: an
    indirect font by its object number, a direct one (written inside the
    resources) by what it says, never by the Python object that wraps it
    (a wrapper freed after one ``Tf`` may give its ``id`` to the next
    font's, which would then be measured as the first)."""
    if isinstance(font, pikepdf.Object) and font.is_indirect:
        return font.objgen
    try:
        return ("direct", bytes(font.unparse()))
    except (AttributeError, pikepdf.PdfError, TypeError):
        return ("direct", repr(font))


class _Walker:
    def __init__(self, reading: Reading, shared: FontCache | None = None, ink_only: bool = False):
        self.r = reading
        self.shared = shared
        self.ink_only = ink_only

    def _metrics(self, font) -> FontMetrics:
        indirect = isinstance(font, pikepdf.Object) and font.is_indirect
        key = font_key(font)
        m = self.r.fonts.get(key)
        if m is None:
            shared = self.shared if indirect else None  # a direct font has no name to know it by on another page
            m = shared.get(key) if shared is not None else None
            if m is None:
                m = metrics(font)
                if shared is not None:
                    shared.put(key, m)
            self.r.fonts[key] = m
            if not m.supported:
                self.r.unsupported[m.name] = m.reason
        return m

    def _paint(self, gs: _GState) -> Paint:
        self.r.seq += 1
        return Paint(self.r.seq, gs.fill, gs.alpha, gs.blend, gs.soft_mask, gs.clips, gs.tiling)

    def walk(self, ops: list, resources, ctm: Matrix, owner, parent, parent_op, depth: int, active: set,
             inherited: _GState | None = None) -> None:
        sid = len(self.r.streams)
        self.r.streams.append(StreamInfo(ops, resources, owner, parent, parent_op, depth))
        fonts = resources.get("/Font") if isinstance(resources.get("/Font"), pikepdf.Dictionary) else {}
        xobjects = resources.get("/XObject") if isinstance(resources.get("/XObject"), pikepdf.Dictionary) else {}
        gs = inherited.copy() if inherited is not None else _GState(ctm, _TextState())
        gs.ctm = ctm
        stack: list[_GState] = []
        ext_states = resources.get("/ExtGState") if isinstance(resources.get("/ExtGState"), pikepdf.Dictionary) else {}
        spaces = resources.get("/ColorSpace") if isinstance(resources.get("/ColorSpace"), pikepdf.Dictionary) else {}
        tm = tlm = IDENTITY
        text_object = -1
        path: list[list[tuple]] = []
        closed: list[bool] = []
        current: Point | None = None
        start: Point | None = None
        path_first: int | None = None
        clip = False
        text_clip: list | None = None  # the text object's glyphs shown in a clipping mode (Tr 4-7), as boxes
        inline_image = pikepdf.ContentStreamInlineImage
        for i, inst in enumerate(ops):
            if isinstance(inst, inline_image):
                self.r.xobjects.append(XObjectUse(sid, i, "", "inline", gs.ctm, None, self._paint(gs)))
                continue
            try:  # op_name, written out: it runs once per operator of every page
                op = str(inst.operator)
            except (UnicodeDecodeError, ValueError):
                op = ""
            if op in _PASSED_OVER:
                continue
            # the frequent operators without operands first: their operands are not fetched
            if op == "q":
                stack.append(gs.copy())
                continue
            if op == "Q":
                if stack:
                    gs = stack.pop()
                continue
            if op == "BT":
                tm = tlm = IDENTITY
                text_object += 1
                text_clip = None
                self.r.streams[sid].text_objects.append((i, len(ops) - 1))
                continue
            if op == "ET":
                if self.r.streams[sid].text_objects:
                    bt, _ = self.r.streams[sid].text_objects[-1]
                    self.r.streams[sid].text_objects[-1] = (bt, i)
                if text_clip is not None:
                    # text in a clipping mode clips what follows to its glyphs (a fill "through" the
                    # letters paints them, not the page): their boxes, joined (nonzero winding)
                    gs.clips = gs.clips + ((text_clip or [[("l", (0.0, 0.0), (0.0, 0.0))]], TEXT_CLIP),)
                    text_clip = None
                continue
            args = inst.operands
            if op in ("g", "rg", "k"):
                gs.fill, gs.fill_space = _rgb([_f(a) for a in args]), len(args)
                gs.tiling = False
            elif op == "cs" and args:
                gs.fill_space = _components(args[0], spaces)
                gs.fill = (0.0, 0.0, 0.0) if gs.fill_space in (1, 3, 4) else None
                gs.tiling = False
            elif op in ("sc", "scn"):
                gs.tiling = False
                if gs.fill_space in (1, 3, 4) and args and not isinstance(args[-1], pikepdf.Name):
                    gs.fill = _rgb([_f(a) for a in args])
                else:
                    gs.fill = None  # a pattern, or a colour space whose colours are not known as RGB
                    if args and isinstance(args[-1], pikepdf.Name):
                        patterns = resources.get("/Pattern")
                        pat = patterns.get(args[-1]) if isinstance(patterns, pikepdf.Dictionary) else None
                        gs.tiling = isinstance(pat, pikepdf.Object) and pat.get("/PatternType") == 1
            elif op == "gs" and args and isinstance(args[0], pikepdf.Name):
                ext = ext_states.get(args[0])
                if isinstance(ext, pikepdf.Dictionary):
                    if "/ca" in ext:
                        gs.alpha = _f(ext.get("/ca"))
                    bm = ext.get("/BM")
                    if isinstance(bm, pikepdf.Array) and len(bm):
                        bm = bm[0]
                    if isinstance(bm, pikepdf.Name):
                        gs.blend = str(bm)
                    if "/SMask" in ext:
                        gs.soft_mask = not (isinstance(ext.SMask, pikepdf.Name) and ext.SMask == pikepdf.Name.None_)
            elif op == "Tr" and args:
                gs.text.mode = int(_f(args[0]))
            elif op == "cm" and len(args) == 6:
                gs.ctm = mul(tuple(map(_f, args)), gs.ctm)  # type: ignore[arg-type]
            elif op == "Tf" and len(args) == 2:
                gs.text.font = fonts.get(args[0]) if isinstance(args[0], pikepdf.Name) else None
                gs.text.font_op = (args[0], args[1])
                gs.text.size = _f(args[1])
            elif op == "Tc" and args:
                gs.text.tc = _f(args[0])
            elif op == "Tw" and args:
                gs.text.tw = _f(args[0])
            elif op == "Tz" and args:
                gs.text.th = _f(args[0]) / 100.0
            elif op == "TL" and args:
                gs.text.tl = _f(args[0])
            elif op == "Ts" and args:
                gs.text.rise = _f(args[0])
            elif op in ("Td", "TD") and len(args) == 2:
                tx, ty = _f(args[0]), _f(args[1])
                if op == "TD":
                    gs.text.tl = -ty
                tlm = mul((1, 0, 0, 1, tx, ty), tlm)
                tm = tlm
            elif op == "Tm" and len(args) == 6:
                tlm = tm = tuple(map(_f, args))  # type: ignore[assignment]
            elif op == "T*":
                tlm = mul((1, 0, 0, 1, 0, -gs.text.tl), tlm)
                tm = tlm
            elif op in _TEXT_SHOW:
                if op in ("'", '"'):
                    if op == '"' and len(args) == 3:
                        gs.text.tw, gs.text.tc = _f(args[0]), _f(args[1])
                    tlm = mul((1, 0, 0, 1, 0, -gs.text.tl), tlm)
                    tm = tlm
                items = args[0] if op == "TJ" and args and isinstance(args[0], pikepdf.Array) else args[-1:]
                before = tm
                tm = self._show(sid, i, op, items, gs, tm, text_object)
                if gs.text.mode >= 4:
                    text_clip = (text_clip or []) + [_line_box(gs, before, tm)]
            elif op in _PATH_BUILD:
                if path_first is None:
                    path_first = i
                p = [_f(a) for a in args]
                if op == "m" and len(p) == 2:
                    current = start = apply(gs.ctm, p[0], p[1])
                    path.append([])
                    closed.append(False)
                elif op == "re" and len(p) == 4:
                    x, y, w, h = p
                    pts = [apply(gs.ctm, x, y), apply(gs.ctm, x + w, y), apply(gs.ctm, x + w, y + h),
                           apply(gs.ctm, x, y + h)]
                    path.append([("l", pts[k], pts[(k + 1) % 4]) for k in range(4)])
                    closed.append(True)
                    current = start = pts[0]
                elif current is not None and path:
                    if op == "l" and len(p) == 2:
                        nxt = apply(gs.ctm, p[0], p[1])
                        path[-1].append(("l", current, nxt))
                        current = nxt
                    elif op == "c" and len(p) == 6:
                        c1, c2, nxt = apply(gs.ctm, p[0], p[1]), apply(gs.ctm, p[2], p[3]), apply(gs.ctm, p[4], p[5])
                        path[-1].append(("c", current, c1, c2, nxt))
                        current = nxt
                    elif op == "v" and len(p) == 4:
                        c2, nxt = apply(gs.ctm, p[0], p[1]), apply(gs.ctm, p[2], p[3])
                        path[-1].append(("c", current, current, c2, nxt))
                        current = nxt
                    elif op == "y" and len(p) == 4:
                        c1, nxt = apply(gs.ctm, p[0], p[1]), apply(gs.ctm, p[2], p[3])
                        path[-1].append(("c", current, c1, nxt, nxt))
                        current = nxt
                    elif op == "h":
                        if start is not None and current != start:
                            path[-1].append(("l", current, start))
                        closed[-1] = True
                        current = start
            elif op in ("W", "W*"):
                clip = True
            elif op in _PATH_PAINT:
                if path_first is not None:
                    use = PathUse(sid, path_first, i, op, clip, gs.ctm, path, closed,
                                  self._paint(gs) if op != "n" else None)
                    self.r.paths.append(use)
                    if clip:
                        even_odd = i > 0 and op_name(ops[i - 1]) == "W*"
                        gs.clips = gs.clips + ((path, even_odd),)
                path, closed, current, start, path_first, clip = [], [], None, None, None, False
            elif op == "sh" and args:
                # a smooth shading paints everything inside the clipping paths in force
                self.r.xobjects.append(XObjectUse(sid, i, str(args[0]), "shading", gs.ctm, None, self._paint(gs)))
            elif op == "Do" and args and isinstance(args[0], pikepdf.Name):
                xo = xobjects.get(args[0])
                if not isinstance(xo, pikepdf.Stream):
                    continue
                subtype = str(xo.get("/Subtype", ""))
                if subtype == "/Image":
                    self.r.xobjects.append(XObjectUse(sid, i, str(args[0]), "image", gs.ctm, xo, self._paint(gs)))
                elif subtype == "/Form":
                    fm = xo.get("/Matrix")
                    form_m = tuple(_f(v) for v in fm) if isinstance(fm, pikepdf.Array) and len(fm) == 6 else IDENTITY
                    matrix = mul(form_m, gs.ctm)  # type: ignore[arg-type]
                    self.r.xobjects.append(XObjectUse(sid, i, str(args[0]), "form", matrix, xo))
                    key = xo.objgen
                    if depth + 1 > MAX_DEPTH or key in active:
                        self.r.problems.append(f"Form XObject {args[0]} is nested too deeply or draws itself")
                        continue
                    try:
                        form_ops = list(pikepdf.parse_content_stream(xo))
                    except Exception:  # noqa: BLE001 - damaged content
                        self.r.problems.append(f"Form XObject {args[0]} cannot be parsed")
                        continue
                    res = xo.get("/Resources")
                    if not isinstance(res, pikepdf.Dictionary):
                        res = resources  # a form without resources uses its parent's
                    inner = gs
                    bb = xo.get("/BBox")
                    if isinstance(bb, pikepdf.Array) and len(bb) == 4:
                        # the form's BBox clips all it draws (a white background
                        # bigger than the figure hides nothing outside it)
                        x0, y0, x1, y1 = (_f(v) for v in bb)
                        ring = [apply(matrix, x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
                        inner = gs.copy()
                        inner.clips = gs.clips + (([[("l", ring[k], ring[k + 1]) for k in range(3)]], False),)
                    self.walk(form_ops, res, matrix, xo, sid, i, depth + 1, active | {key}, inner)

    def _show(self, sid: int, i: int, op: str, items, gs: _GState, tm: Matrix, text_object: int) -> Matrix:
        ts = gs.text
        font = ts.font
        m = self._metrics(font) if font is not None else FontMetrics(name="?", supported=False, reason="no font set")
        style = self._paint(gs)  # one painting operation: its glyphs share it
        a, b, c, d, e, f = mul(tm, gs.ctm)
        norm = math.hypot(c, d)
        size = ts.size * norm
        up = (c / norm * size, d / norm * size) if norm else (0.0, -size)
        if not ts.th:  # 0 Tz: glyphs of no width, drawn nowhere; where they are is their origin
            up = (0.0, 0.0)
        size = abs(size)
        base_x, base_y = ts.rise * c + e, ts.rise * d + f  # the origin of text space (with rise), page space
        scale = ts.size * ts.th
        x = 0.0  # offset from tm along text space x
        glyphs = self.r.glyphs
        # what every glyph of this operator shares, looked up once (m.advance is widths.get(key, default))
        widths, default = m.widths, m.default_width
        font_size, tc, tw, th = ts.size, ts.tc, ts.tw, ts.th
        ctm, mode, font_op, spacing = gs.ctm, ts.mode, ts.font_op, (ts.tc, ts.tw, ts.th, ts.rise)
        listed = not (self.ink_only and mode == 3)
        simple, width, add, use = m.simple, widths.get, glyphs.append, GlyphUse
        for elem, item in enumerate(items):
            if isinstance(item, pikepdf.String):
                data = bytes(item)
                if not m.supported:
                    self.r.unmeasured_glyphs += len(data)
                    continue
                # a simple font's codes are its bytes, one each (FontMetrics.split), written out here:
                # this loop runs once per glyph of every page, three times (extract, apply, verify)
                if not listed:  # no ink: only where the next glyph starts
                    if simple:
                        for key in data:
                            x += (width(key, default) * font_size + tc + (tw if key == 32 else 0.0)) * th
                        continue
                    for start, end, key in m.split(data):
                        space = tw if (end - start == 1 and data[start] == 32) else 0.0
                        x += (widths.get(key, default) * font_size + tc + space) * th
                    continue
                if simple:
                    for start, key in enumerate(data):
                        own = width(key, default) * font_size
                        tx = (own + tc + (tw if key == 32 else 0.0)) * th
                        add(use(sid, i, elem, start, start + 1, key, (base_x + x * a, base_y + x * b),
                                (tx * a, tx * b), up, size, text_object, tm, ctm, style, mode, x, font_op, spacing,
                                own * th / tx if tx and own > 0 else 1.0))
                        x += tx
                    continue
                for start, end, key in m.split(data):
                    space = tw if (end - start == 1 and data[start] == 32) else 0.0
                    own = widths.get(key, default) * font_size
                    tx = (own + tc + space) * th
                    glyphs.append(GlyphUse(sid, i, elem, start, end, key, (base_x + x * a, base_y + x * b),
                                           (tx * a, tx * b), up, size, text_object, tm, ctm, style, mode, x,
                                           font_op, spacing, own * th / tx if tx and own > 0 else 1.0))
                    x += tx
            else:
                x -= _f(item) / 1000.0 * scale
        return mul((1, 0, 0, 1, x, 0), tm) if x else tm
