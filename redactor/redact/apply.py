"""Apply redactions irreversibly: remove exactly what lies under each box.

The steps, for each page with boxes:

1. **Withheld pages** are emptied and replaced by a notice.
2. **Pixels** of images under every box are blanked in the images themselves
   (:mod:`redactor.redact.pixels`): text in the text layer may also be drawn
   in an image (a scan with an OCR layer).
3. **Content-stream surgery** (pikepdf, :mod:`redactor.pdf.content`):
   glyphs whose centre lies in a box are removed from the text objects that
   draw them (in the page and in the Form XObjects it draws, copied for this
   page first so other pages keep theirs), and the glyphs after a removed run
   on the same line move so the run's box has a fixed width (the glyph-width
   defence, :mod:`redactor.redact.layout`); vector paths are cut only where
   they have vertices under a box (:mod:`redactor.redact.pathedit`). Before
   editing, the interpreter's reading of the page is checked against MuPDF's:
   if they disagree on where any glyph is, or a font cannot be measured, the
   page's text is left to step 4 instead (and its boxes keep their width).
4. **What is left** under a box is found by reading the page again with MuPDF
   and removed with MuPDF's redaction, through rectangles placed so that they
   touch the glyphs to remove and no other glyph. Text in a tiling pattern or
   a soft mask (which MuPDF's redaction does not enter) makes that pattern or
   mask lose its text. If text still remains, apply fails rather than write a
   leaky file.
5. **Boxes** are drawn black, each labelled with its exemption where the
   label fits.

Type3 glyph procedures whose every use was removed go later, in
:mod:`redactor.redact.sanitize`, which also writes the file.
"""

from __future__ import annotations

import bisect
import io
import logging
import math
import re
import tempfile
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pikepdf
import pymupdf

from redactor.detect.rulepack import section_number
from redactor.errors import InputError
from redactor.redact import pathedit, pixels, speech
from redactor.memory import SMALL, give_back
from redactor.spill import Spill
from redactor.text.fresh import FreshPages, on_disk
from redactor.redact.boxes import Drawn, draw
from redactor.pdf.content import FontCache, Reading, op_name, page_box, page_resources, read_page
from redactor.pdf.covers import hidden_glyphs, may_hide
from redactor.redact.joined import join_contents
from redactor.redact.layout import Layout, Target, inside, plan_layout
from redactor.redact.textedit import CannotEdit, replace, text_replacements
from redactor.pdf import write
from redactor.pdf.measure import text_length

log = logging.getLogger(__name__)

Rect = tuple[float, float, float, float]

BLACK = (0.0, 0.0, 0.0)
WHITE = (1.0, 1.0, 1.0)
LABEL_FONT = "helv"
MAX_LABEL_SIZE = 9.0
MIN_LABEL_SIZE = 4.0
#: How far (points) the interpreter may place a glyph from where MuPDF does.
POSITION_TOLERANCE = 0.25

_TEXT_SHOW_OPS = {"Tj", "TJ", "'", '"'}


class ApplyError(InputError):
    """A redaction could not be made irreversible in this file (a construct
    redactor cannot redact); no output is written (exit code 3)."""


@dataclass(frozen=True, slots=True)  # (one per box of a document: issue 14)
class Box:
    """One area to redact, and how."""

    page: int  #: 1-based
    rect: Rect  #: unrotated page space
    label: str  #: exemption code shown on the box
    ref: str = ""  #: the finding or manual mark it comes from
    text: bool = True  #: a text finding (its box may take the fixed width)
    pixels: bool = False  #: image pixels under it are blanked too
    #: text that was hidden under a box someone drew over it: removed, and the
    #: old box left as it is (labelled if it is a dark bar with nothing showing on it)
    covered: bool = False


@dataclass
class ApplyOptions:
    labels: bool = True
    pad: float = 0.5  #: points added left and right of text boxes
    #: fixed-width boxes and re-positioned text after them (False: --keep-layout)
    glyph_width_defence: bool = True


@dataclass(slots=True)
class PageReport:
    page: int
    boxes: int = 0
    glyphs_removed: int = 0
    glyphs_moved: int = 0
    paths_cut: int = 0
    #: why the page's text was removed by MuPDF's redaction instead (boxes keep their width)
    fallback: str = ""
    neutralised: list[str] = field(default_factory=list)


@dataclass
class ApplyResult:
    doc: pymupdf.Document  #: the redacted working copy (a new document)
    reports: list[PageReport]
    drawn: dict[str, list[Rect]]  #: box ref -> the rectangles drawn for it
    #: box ref -> LABEL_ONLY or NOTHING, for text found under someone else's box (no box of ours drawn)
    covered: dict[str, str] = field(default_factory=dict)


def redact(doc: pymupdf.Document, boxes: Sequence[Box], options: ApplyOptions | None = None,
           withheld: dict[int, str] | None = None, release_input: bool = False) -> ApplyResult:
    """Redact ``boxes`` (and withhold the pages in ``withheld``: page ->
    exemption) in the working copy ``doc``; return a new document.
    ``release_input``: close ``doc`` as soon as it is written out for
    editing (the caller has no further use for it; memory flat in pages,
    issue 14)."""
    options = options or ApplyOptions()
    # each page's boxes by where they are in ``boxes`` (which may be kept on disk: a Spill), read
    # when the page is worked on (memory flat in the number of pages, issue 14)
    where: dict[int, array] = defaultdict(lambda: array("q"))
    for i, box in enumerate(boxes):
        where[box.page].append(i)

    def on_page(number: int) -> list[Box]:
        return [boxes[i] for i in where[number]]

    for number, exemption in sorted((withheld or {}).items()):
        withhold_page(doc, number, exemption)
    # 2. pixels (MuPDF) under every box: text in the text layer may also be
    #    drawn in an image (a scan with an OCR layer)
    #    (redactor.redact.pixels: in the images themselves, every image a box
    #    touches, copied where it is used elsewhere, masks too, losslessly)
    #    under the box as drawn: a text box is padded left and right, and the
    #    pad over a scan holds the edges of the redacted word's letters
    for number in where:
        pixels.redact_images(doc, doc[number - 1], [_padded(b, options.pad) for b in on_page(number)])
    # 3. content-stream surgery (pikepdf)
    reports = {n: PageReport(page=n, boxes=len(where[n])) for n in where}
    # each page's layout and moved glyphs, in page order, kept on disk until steps 4 and 5 (issue 14)
    layouts = Spill()
    # in a long document, a page whose content is many streams has them joined into one first: qpdf holds
    # (and parses) every object of the file it edits, and the edits replace these anyway; the streams left
    # unused are not written (redactor.redact.joined; a short one is spared the time: memory flat in pages)
    garbage = 1 if len(doc) >= SMALL and join_contents(doc, sorted(where)) else 0
    # the working copy as it is now, on disk: qpdf and MuPDF read it from there as they need it (issue 14)
    spooled, source = on_disk(doc.tobytes(garbage=garbage))
    if release_input:
        doc.close()
        doc.stream = None  # (PyMuPDF keeps the bytes a document was read from, closed or not)
    pdf = pikepdf.open(source, access_mode=pikepdf.AccessMode.stream) if isinstance(source, str) \
        else pikepdf.open(io.BytesIO(source))
    # MuPDF's reading of each page edited (is text hidden there, where does MuPDF put each glyph) is of
    # the same bytes, opened afresh every so often: what it keeps of every page read goes (issue 14)
    mu = FreshPages(source)
    counter = [0]
    fonts = FontCache()  # editing changes no font: their metrics are measured once for all pages
    for number in sorted(where):
        lay, moved = _edit_page(pdf, mu, number, on_page(number), options, reports[number], counter, fonts)
        # what steps 4 and 5 need of the layout: its boxes, modes and phrases, not each glyph's
        # removal and move (memory flat in the number of pages, issue 14)
        lay.removed, lay.shifts, lay.anchors = {}, {}, {}
        layouts.append((lay, _Keys(moved)))
    mu.close()
    written = _written(pdf)
    del pdf  # qpdf's copy of the document goes before MuPDF reads the pages again
    spooled.close()
    del source
    give_back()
    written = _read_back(written)
    # 4. what is left (MuPDF), looked for in the bytes step 3 wrote, read afresh every so often (what
    #    MuPDF keeps of every page read goes: memory flat in pages, issue 14); only a page where
    #    something is left is read from ``out``, the document that removes it (opened when one is)
    drawn: dict[str, list[Rect]] = defaultdict(list)
    covered: dict[str, str] = {}
    changed = False
    reader, out = FreshPages(written), None
    for number, (lay, moved) in zip(sorted(where), layouts):
        rects = [b.rect for b in on_page(number)] + [r for _, r, _ in lay.drawn]
        if _left_under(reader[number - 1], rects, moved):
            if out is None:
                out = pymupdf.open(stream=written, filetype="pdf")
            changed |= _remove_leftovers(out, out[number - 1], rects, moved, reports[number])
        for ref, rect, label in lay.drawn:
            drawn[ref].append(rect)
        covered.update(lay.modes)
    reader.close()
    del reader  # (it holds the bytes)
    # 5. the boxes and their labels (pikepdf), drawn on the bytes step 3 wrote where step 4
    #    removed nothing (MuPDF holds them already: writing them anew would give the same document)
    pdf = pikepdf.open(io.BytesIO(out.tobytes() if changed else written))
    written = None
    if out is not None:
        out.close()
    give_back()
    for number, (lay, _) in zip(sorted(where), layouts):
        items, heard = [], set(lay.spoken)
        for ref, rect, label in lay.drawn:
            if lay.modes.get(ref) not in (None, LABEL_ONLY):
                continue
            # the first box of a ref whose text did not speak in place speaks through its label
            says = speech.phrase(label) if ref not in heard and label else None
            heard.add(ref)
            items.append(Drawn(rect=rect, label=label, box=lay.modes.get(ref) is None, speech=says))
        draw(pdf, pdf.pages[number - 1], items, options.labels)
    written = _written(pdf)
    del pdf
    give_back()
    out = _reopen(written)
    return ApplyResult(doc=out, reports=[reports[n] for n in sorted(reports)], drawn=dict(drawn), covered=covered)


def _written(pdf: pikepdf.Pdf):
    """``pdf`` written to an anonymous temporary file (rewound) and closed:
    the caller lets qpdf's copy go before the bytes are read back
    (:func:`_reopen`), and no buffer holds them twice while it grows
    (memory flat in the number of pages, issue 14)."""
    f = tempfile.TemporaryFile(prefix="redactor-apply-")
    write.save(pdf, f)
    pdf.close()
    f.seek(0)
    return f


def _read_back(written) -> bytes:
    """What :func:`_written` wrote (the file is closed)."""
    with written:
        return written.read()


def _reopen(written):
    """What :func:`_written` wrote, opened by MuPDF."""
    return pymupdf.open(stream=_read_back(written), filetype="pdf")


# --- step 3 ----------------------------------------------------------------------------------

def _edit_page(pdf: pikepdf.Pdf, mu: pymupdf.Document, number: int, boxes: list[Box], options: ApplyOptions,
               report: PageReport, counter: list[int], fonts: FontCache | None = None) -> tuple[Layout, set]:
    """Edit one page's streams; return its layout and where moved glyphs now
    start (rounded origins: they may now lie where removed text was).
    ``fonts``: font metrics shared by the document's pages."""
    page = pdf.pages[number - 1]
    reading = read_page(page, fonts)
    # text hidden under an old box: only the hidden glyphs go, not what is drawn over the box there
    hidden = hidden_glyphs(reading) if may_hide(mu[number - 1]) else []
    only = frozenset(h.glyph for h in hidden)
    rects = _spare_punctuation([_padded(b, options.pad) for b in boxes], boxes, reading.glyphs, mu[number - 1])
    targets = [Target(rect=rects[k], label=b.label, ref=_ref(b, k), text=b.text,
                      only=only if b.covered else None)
               for k, b in enumerate(boxes)]
    trusted = _trusted(reading, mu[number - 1])
    if reading.problems and not trusted:
        report.fallback = reading.problems[0]
    elif not trusted:
        report.fallback = _untrusted_reason(reading)
    label_width = _label_width
    # a box over an image keeps its width: the image's blanked pixels would show it anyway
    images = [_placement(x.matrix) for x in reading.xobjects if x.kind in ("image", "inline")]
    keep_width = {t.ref for t in targets if any(_overlap(t.rect, im) for im in images)}
    # a box over text someone had hidden under a drawn box keeps its width: the old box shows it anyway,
    # and text moved along the line would slide under the old box
    centres = [reading.glyphs[h.glyph].centre for h in hidden]
    keep_width |= {t.ref for t in targets if any(inside(c, t.rect) for c in centres)}
    lay = plan_layout(reading.glyphs, targets, defend=options.glyph_width_defence and trusted,
                      label_width=label_width, undefended=keep_width,
                      obstacles=lambda: images + [b for p in reading.paths if p.operator != "n" and (b := p.bbox())],
                      page=page_box(page))
    replacements: dict[int, dict[int, tuple]] = defaultdict(dict)
    if trusted:
        removed = set(lay.removed)
        labels = {t.ref: t.label for t in targets}
        spoken = {}
        for gi, (ref, shift, rect) in lay.anchors.items():
            g = reading.glyphs[gi]
            spoken[gi] = speech.inline(g, shift, speech.along(rect, g), speech.phrase(labels[ref]))
        try:
            for sid in range(len(reading.streams)):
                replacements[sid].update(text_replacements(reading, sid, removed, lay.shifts, spoken))
            _empty_clips(reading, removed, replacements)
            report.glyphs_removed = len(removed)
            report.glyphs_moved = len(lay.shifts)
            for gi, ops in spoken.items():
                if ops:
                    sid = reading.glyphs[gi].stream
                    speech.add_font(pdf, page_resources(page, create=True) if sid == 0 else reading.streams[sid].resources)
                    lay.spoken.add(lay.anchors[gi][0])
        except CannotEdit as e:
            report.fallback = str(e)
            replacements.clear()
            lay = plan_layout(reading.glyphs, targets, defend=False, label_width=label_width,
                              undefended=keep_width)
    cut = [t.rect for t in targets]
    for path in reading.paths:
        if pathedit.affected(path, cut):
            replacements[path.stream][path.first] = (path.paint + 1, pathedit.rewrite(path, cut))
            report.paths_cut += 1
    _mark_covered_draws(lay, boxes, targets, reading, hidden)
    if any(replacements.values()):
        _write_streams(pdf, page, reading, replacements, counter)
    moved = {_key(reading.glyphs[gi].origin[0] + dx, reading.glyphs[gi].origin[1] + dy)
             for gi, (dx, dy) in lay.shifts.items()} if report.glyphs_moved else set()
    if report.glyphs_moved:
        moved |= _zero_advance_keys(reading, lay)
    # visible glyphs drawn over an old box, where text hidden under it was taken out: they stay
    for t in targets:
        if t.only is None:
            continue
        for gi, g in enumerate(reading.glyphs):
            if gi not in lay.removed and inside(g.centre, t.rect):
                dx, dy = lay.shifts.get(gi, (0.0, 0.0))
                moved.add(_key(g.origin[0] + dx, g.origin[1] + dy))
    return lay, moved


def _zero_advance_keys(reading: Reading, lay: Layout) -> set:
    """Where MuPDF reports moved glyphs that do not advance (TeX's negation
    slash before "=", accents): not at their origin but at the end of the
    glyph drawn before them, with a zero-width box. Keys ``(x, y, 0)``:
    :func:`_under` matches them against zero-width characters only."""
    keys = set()
    removed = set(lay.removed)
    for gi in lay.shifts:
        g = reading.glyphs[gi]
        if math.hypot(*g.advance) > 1e-3:
            continue
        prev = gi - 1
        while prev >= 0 and prev in removed:
            prev -= 1
        if prev < 0:
            continue
        p = reading.glyphs[prev]
        end = (p.origin[0] + p.advance[0], p.origin[1] + p.advance[1])
        up = math.hypot(*g.up) or 1.0
        off = ((g.origin[0] - end[0]) * g.up[0] + (g.origin[1] - end[1]) * g.up[1]) / up
        if p.stream != g.stream or abs(off) > 0.1 * max(g.size, 1.0):
            continue  # not the glyph before it on its line
        px, py = lay.shifts.get(prev, (0.0, 0.0))
        keys.add((*_key(end[0] + px, end[1] + py), 0))
    return keys


#: Drawn entries for text found under someone else's box: "label" (a label on
#: the old bar, no box of ours) or "none" (nothing drawn: the old box shows).
LABEL_ONLY, NOTHING = "label-only", "nothing"


def _mark_covered_draws(lay: Layout, boxes: list[Box], targets: list[Target], reading: Reading, hidden) -> None:
    """For text found under someone else's box: leave that box as it is. Label
    it when it is a dark bar with nothing visible over it; draw nothing when
    something shows on it (white text on a black band, for instance)."""
    covered = {t.ref for b, t in zip(boxes, targets) if b.covered}
    if not covered:
        return
    visible = [g.centre for gi, g in enumerate(reading.glyphs) if gi not in lay.removed and g.render_mode not in (3, 7)
               and g.style is not None and g.style.alpha > 0.01 and not (g.key == 32 and g.end - g.start == 1)]
    dark = [h.cover for h in hidden if h.colour is not None and _luminance(h.colour) < 0.35]
    drawn = []
    for ref, rect, label in lay.drawn:
        if ref not in covered:
            drawn.append((ref, rect, label))
            continue
        on_dark_bar = any(c[0] - 0.5 <= rect[0] and rect[2] <= c[2] + 0.5 and c[1] - 0.5 <= rect[1]
                          and rect[3] <= c[3] + 0.5 for c in dark)
        shows = any(inside(v, rect) for v in visible)
        drawn.append((ref, rect, label if on_dark_bar and not shows else "", ))
        lay.modes[ref] = LABEL_ONLY if on_dark_bar and not shows else NOTHING
    lay.drawn = drawn


def _luminance(rgb) -> float:
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _key(x: float, y: float) -> tuple[int, int]:
    return round(x * 4), round(y * 4)


class _Keys:
    """A set of :func:`_key` keys (and ``(x, y, 0)`` keys) as one int each:
    a page's moved glyphs are kept until every page is edited, and a tuple
    of ints takes three times the memory (issue 14). Keys too large to pack
    are kept as they are."""

    __slots__ = ("_set",)
    _LIMIT = 1 << 30

    def __init__(self, keys) -> None:
        self._set = {self._pack(k) for k in keys}

    @classmethod
    def _pack(cls, k: tuple):
        x, y = k[0], k[1]
        if len(k) not in (2, 3) or (len(k) == 3 and k[2] != 0) or not (
                type(x) is int and type(y) is int and -cls._LIMIT <= x < cls._LIMIT and -cls._LIMIT <= y < cls._LIMIT):
            return k
        return (((x + cls._LIMIT) << 31 | (y + cls._LIMIT)) << 1) | (len(k) == 3)

    def __contains__(self, k) -> bool:
        return self._pack(k) in self._set

    def __len__(self) -> int:
        return len(self._set)


def _placement(m) -> Rect:
    from redactor.pdf.content import apply as transform

    pts = [transform(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def _ref(box: Box, k: int) -> str:
    return box.ref or f"box-{k}"


def _padded(box: Box, pad: float) -> Rect:
    x0, y0, x1, y1 = box.rect
    if not box.text:
        return box.rect
    side = min(pad, 0.08 * min(x1 - x0, y1 - y0))  # tiny text gets a tiny pad
    return (x0 - side, y0, x1 + side, y1)


def _spare_punctuation(rects: list[Rect], boxes: list[Box], glyphs: list, page: pymupdf.Page) -> list[Rect]:
    """The padded rects of ``boxes``, each giving up its pad on a side where
    a punctuation mark's centre lies in the pad only, outside the box as
    found: a comma or apostrophe kerned into a redacted name ("Faraday,",
    "Christensen's") is not part of it, and would go with it (issue 10).
    Letters stay under the pad, whatever reading placed the box. MuPDF says
    which character a glyph is, and is asked only when a glyph lies in a pad."""
    out = list(rects)
    spare: list[tuple[int, int, float, int]] = []  # (box, side: 0 left 2 right, the glyph's centre x, glyph)
    centres = None
    for k, (r, b) in enumerate(zip(rects, boxes)):
        if r == b.rect or not b.text:
            continue
        if centres is None:
            centres = [g.centre for g in glyphs]
        for gi, (cx, cy) in enumerate(centres):
            if not r[1] - 0.01 <= cy <= r[3] + 0.01:
                continue
            if r[0] - 0.01 <= cx < b.rect[0] - 0.01:
                spare.append((k, 0, cx, gi))
            elif b.rect[2] + 0.01 < cx <= r[2] + 0.01:
                spare.append((k, 2, cx, gi))
    if not spare:
        return out
    chars: dict[tuple, str] = defaultdict(str)  # every character MuPDF draws at a place
    for c, _, origin in _chars(page, phrases=True):
        chars[_key(*origin)] += c
    for k, side, cx, gi in spare:
        c = chars.get(_key(*glyphs[gi].origin))
        if not c or not all(unicodedata.category(ch).startswith("P") for ch in c):
            continue
        x0, y0, x1, y1 = out[k]
        if side == 2:
            out[k] = (x0, y0, max(boxes[k].rect[2], min(x1, cx - 0.05)), y1)
        else:
            out[k] = (min(boxes[k].rect[0], max(x0, cx + 0.05)), y0, x1, y1)
    return out


def _label_width(label: str, size: float) -> float:
    font = min(MAX_LABEL_SIZE, 0.75 * size * 1.15)
    return text_length(label, LABEL_FONT, font) if label else 0.0


def _trusted(reading: Reading, page: pymupdf.Page) -> bool:
    """The interpreter measured every glyph and places each where MuPDF does."""
    if reading.problems or reading.unmeasured_glyphs:
        return False
    buckets: dict[tuple[int, int], int] = {}
    try:
        trace = page.get_texttrace()
    except Exception:
        return False
    get = buckets.get
    for span in trace:
        for ch in span.get("chars", ()):
            x, y = ch[2]
            key = (round(x * 4), round(y * 4))
            buckets[key] = get(key, 0) + 1
    near = [(dx, dy) for dx in (0, -1, 1) for dy in (0, -1, 1)]  # in the order they are tried
    for g in reading.glyphs:
        if g.render_mode == 7:  # clip only: MuPDF's trace leaves it out (a fill through the letters paints it)
            continue
        gx, gy = round(g.origin[0] * 4), round(g.origin[1] * 4)
        key = (gx, gy)
        if get(key, 0) > 0:  # the glyph where MuPDF has one (the first place tried)
            buckets[key] -= 1
            continue
        for dx, dy in near[1:]:
            key = (gx + dx, gy + dy)
            if get(key, 0) > 0:
                buckets[key] -= 1
                break
        else:
            return False
    return True


def _untrusted_reason(reading: Reading) -> str:
    if reading.unsupported:
        name, reason = next(iter(reading.unsupported.items()))
        return reason
    return "redactor and MuPDF disagree on where some glyphs are"


def _empty_clips(reading: Reading, removed: set[int], replacements: dict[int, dict]) -> None:
    """A text object whose every glyph that clips (Tr 4-7) was removed
    still clips: to nothing. Viewers keep the clip as it was when a text
    object clips with no glyph, and what was painted through the letters
    would fill its whole area (a solid block where a name was): an empty
    clip after its ET says so."""
    clipping: dict[tuple[int, int], list[int]] = defaultdict(list)
    for gi, g in enumerate(reading.glyphs):
        if g.render_mode >= 4:
            clipping[(g.stream, g.text_object)].append(gi)
    for (sid, obj), glyphs in clipping.items():
        objects = reading.streams[sid].text_objects
        if not all(gi in removed for gi in glyphs) or not 0 <= obj < len(objects):
            continue
        et = objects[obj][1]
        taken = replacements[sid]
        if et in taken or any(first < et < end for first, (end, _) in taken.items()):
            continue
        taken[et] = (et + 1, [([], pikepdf.Operator("ET")), ([0, 0, 0, 0], pikepdf.Operator("re")),
                              ([], pikepdf.Operator("W")), ([], pikepdf.Operator("n"))])


def _write_streams(pdf: pikepdf.Pdf, page: pikepdf.Page, reading: Reading, replacements: dict[int, dict],
                   counter: list[int]) -> None:
    """Write the changed streams: the page's own, and a copy of each changed
    Form XObject (drawn under a new name, so other uses keep the original)."""
    new_ops: dict[int, list] = {}
    renamed: dict[int, dict[int, str]] = defaultdict(dict)  # stream -> {op index: new name}
    dirty = {sid for sid, rep in replacements.items() if rep}
    for sid in range(len(reading.streams) - 1, -1, -1):
        if sid not in dirty and sid not in renamed:
            continue
        info = reading.streams[sid]
        ops = replace(info.ops, replacements.get(sid, {}))
        if sid in renamed:
            ops = _rename_dos(info.ops, ops, replacements.get(sid, {}), renamed[sid])
        new_ops[sid] = ops
        if info.owner is None:
            continue
        counter[0] += 1
        name = f"/RdxForm{counter[0]}"
        copy = pdf.make_stream(pikepdf.unparse_content_stream(ops))
        for key, value in info.owner.items():
            if key not in ("/Length", "/Filter", "/DecodeParms"):
                copy[key] = value
        parent = reading.streams[info.parent]
        xobjects = parent.resources.get("/XObject")
        if not isinstance(xobjects, pikepdf.Dictionary):
            xobjects = pikepdf.Dictionary()
            parent.resources.XObject = xobjects
        xobjects[pikepdf.Name(name)] = copy
        renamed[info.parent][info.parent_op] = name
        dirty.add(info.parent)
    if 0 in new_ops:
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(new_ops[0]))


def _rename_dos(original: list, ops: list, replacements: dict[int, tuple], names: dict[int, str]) -> list:
    """Point the ``Do`` operators at ``names`` (indices are of ``original``;
    a Do is never inside a replaced range)."""
    targets = {id(original[i]): name for i, name in names.items()}
    out = []
    for inst in ops:
        name = targets.get(id(inst))
        if name is not None:
            out.append(([pikepdf.Name(name)], pikepdf.Operator("Do")))
        else:
            out.append(inst)
    return out


# --- step 4 ---------------------------------------------------------------------------------

def _mupdf_redact(page: pymupdf.Page, rects: list[pymupdf.Rect], images=pymupdf.PDF_REDACT_IMAGE_NONE,
                  text=pymupdf.PDF_REDACT_TEXT_NONE) -> None:
    for r in rects:
        page.add_redact_annot(r, fill=False, cross_out=False)
    page.apply_redactions(images=images, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE, text=text)


def _chars(page: pymupdf.Page, phrases: bool = False) -> list[tuple[str, tuple, tuple[float, float]]]:
    """MuPDF's characters as drawn (hidden ones too, /ActualText replacements
    not: the sanitiser removes those strings): (char, box, origin). The
    phrases redactor put in place of removed text are not among them unless
    ``phrases``."""
    flags = ((pymupdf.TEXTFLAGS_RAWDICT | pymupdf.TEXT_IGNORE_ACTUALTEXT) & ~pymupdf.TEXT_MEDIABOX_CLIP
             & ~pymupdf.TEXT_PRESERVE_IMAGES)
    spoken = set() if phrases else speech.spoken_origins(page)
    out = []
    for block in page.get_text("rawdict", flags=flags, clip=pymupdf.INFINITE_RECT()).get("blocks", ()):
        for line in block.get("lines", ()):
            out.extend((ch["c"], tuple(ch["bbox"]), tuple(ch["origin"]))
                       for span in line.get("spans", ()) for ch in span.get("chars", ())
                       if (ch["c"], *_key(*ch["origin"])) not in spoken)
    return out


def _near(origin, keys: set, zero_width: bool = False) -> bool:
    kx, ky = _key(*origin)
    return any((kx + dx, ky + dy) in keys or (zero_width and (kx + dx, ky + dy, 0) in keys)
               for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def _left_under(page: pymupdf.Page, boxes: list[Rect], moved: set) -> list:
    """MuPDF's characters as drawn (:func:`_chars`) whose centre lies in one of
    ``boxes``, other than glyphs moved there on purpose (the glyph-width
    defence; a zero-width character also where :func:`_zero_advance_keys`
    says MuPDF reports it) and the phrases redactor put in place of removed
    text; (char, box, origin) in the page's order. A character's place is
    tested first, and only for those under a box whether it is part of a
    phrase: MuPDF's trace of the page is read only when some character lies
    under a box."""
    finite = [r for r in boxes if not any(v != v for v in r)]  # a box with a bound that is not a number holds nothing
    if not finite:
        return []
    ux0, uy0 = min(r[0] for r in finite), min(r[1] for r in finite)
    ux1, uy1 = max(r[2] for r in finite), max(r[3] for r in finite)
    by_top = sorted(finite, key=lambda r: r[1])  # a character asks the boxes that start above it
    tops = [r[1] for r in by_top]
    flags = ((pymupdf.TEXTFLAGS_RAWDICT | pymupdf.TEXT_IGNORE_ACTUALTEXT) & ~pymupdf.TEXT_MEDIABOX_CLIP
             & ~pymupdf.TEXT_PRESERVE_IMAGES)
    found = []
    for block in page.get_text("rawdict", flags=flags, clip=pymupdf.INFINITE_RECT()).get("blocks", ()):
        for line in block.get("lines", ()):
            for span in line.get("spans", ()):
                for ch in span.get("chars", ()):
                    b = ch["bbox"]
                    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
                    if not (ux0 <= cx <= ux1 and uy0 <= cy <= uy1) or ch["c"].isspace():
                        continue
                    if any(r[0] <= cx <= r[2] and cy <= r[3] for r in by_top[:bisect.bisect_right(tops, cy)]):
                        found.append((ch["c"], tuple(b), tuple(ch["origin"])))
    if not found:
        return found
    spoken = speech.spoken_origins(page)
    return [ch for ch in found if (ch[0], *_key(*ch[2])) not in spoken
            and not (moved and _near(ch[2], moved, zero_width=ch[1][0] == ch[1][2]))]


def leftover_text(page: pymupdf.Page, boxes: list[Rect], moved: set = frozenset()) -> str:
    """Characters under ``boxes`` (before boxes are drawn)."""
    return "".join(ch[0] for ch in _left_under(page, boxes, moved))


def _remove_leftovers(doc: pymupdf.Document, page: pymupdf.Page, boxes: list[Rect], moved: set,
                      report: PageReport) -> bool:
    """Remove what is left under ``boxes``; whether anything was (the document changed)."""
    targets = _left_under(page, boxes, moved)
    if not targets:
        return False
    ids = {(ch[0], ch[2]) for ch in targets}
    others = [_rect(ch[1]) for ch in _chars(page, phrases=True) if (ch[0], ch[2]) not in ids]
    others = [o for o in others if _meets_any(o)]  # an empty or infinite box meets nothing
    _mupdf_redact(page, [_touch_only(_rect(ch[1]), others) for ch in targets],
                  text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    if leftover_text(page, boxes, moved):
        report.neutralised = _strip_text_from_patterns_and_masks(doc, page)
        left = leftover_text(page, boxes, moved)
        if left:
            raise ApplyError(
                f"page {page.number + 1}: text under a redaction box could not be removed "
                f"({left[:40]!r}); the page uses a construct redactor cannot redact")
    return True


# Rectangles here are (x0, y0, x1, y1) tuples of floats, tested as pymupdf.Rect
# tests them (the same comparisons, without a Rect per test: a page MuPDF
# redacts glyph by glyph tests every glyph against every other).

def _rect(r) -> Rect:
    """``pymupdf.Rect(r)``'s corners."""
    return tuple(pymupdf.Rect(r))


def _meets_any(r: Rect) -> bool:
    """Neither empty nor infinite (``Rect.intersects`` is false otherwise)."""
    x0, y0, x1, y1 = r
    return not (x0 >= x1 or y0 >= y1) and not (
        x0 == y0 == pymupdf.FZ_MIN_INF_RECT and x1 == y1 == pymupdf.FZ_MAX_INF_RECT)


def _intersects(a: Rect, b: Rect) -> bool:
    """``pymupdf.Rect(a).intersects(b)``."""
    return (_meets_any(a) and _meets_any(b)
            and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def _removal_box(r: Rect) -> Rect:
    """The part of a glyph box MuPDF's redaction tests (a tenth off each side)."""
    x0, y0, x1, y1 = r
    dx, dy = 0.1 * max(0, x1 - x0), 0.1 * max(0, y1 - y0)  # Rect.width, Rect.height
    return (x0 + dx, y0 + dy, x1 - dx, y1 - dy)


def _touch_only(target: Rect, others: list[Rect]) -> pymupdf.Rect:
    """A tiny rectangle inside ``target``'s removal box and outside every
    other glyph's, so that MuPDF removes this glyph and no neighbour."""
    box = _removal_box(target)
    bx0, by0, bx1, by1 = box
    near = [_removal_box(o) for o in others if _intersects(o, box)] if _meets_any(box) else []
    xs = sorted({bx0, bx1, (bx0 + bx1) / 2, *[v for o in near for v in (o[0], o[2])]})
    ys = sorted({by0, by1, (by0 + by1) / 2, *[v for o in near for v in (o[1], o[3])]})
    cx = [(a + b) / 2 for a, b in zip(xs, xs[1:])] + [(bx0 + bx1) / 2]
    cy = [(a + b) / 2 for a, b in zip(ys, ys[1:])] + [(by0 + by1) / 2]
    eps = 0.01
    for y in sorted(cy, key=lambda v: abs(v - (by0 + by1) / 2)):
        for x in sorted(cx, key=lambda v: abs(v - (bx0 + bx1) / 2)):
            if not (bx0 < x < bx1 and by0 < y < by1):
                continue
            probe = (x - eps, y - eps, x + eps, y + eps)
            if not any(_intersects(probe, o) for o in near):
                return pymupdf.Rect(probe)
    # no free point: touch the middle; a neighbour may go too (counted by the nothing-lost check)
    cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
    return pymupdf.Rect(cx - eps, cy - eps, cx + eps, cy + eps)


def _strip_text_from_patterns_and_masks(doc: pymupdf.Document, page: pymupdf.Page) -> list[str]:
    """Remove text-showing operators from every tiling pattern and soft-mask
    group the page uses (directly or through its Form XObjects)."""
    stripped = []
    for xref, what in _pattern_and_mask_streams(doc, page):
        data = doc.xref_stream(xref)
        new = strip_text_ops(data)
        if new != data:
            doc.update_stream(xref, new)
            stripped.append(f"{what} {xref}")
    return stripped


def _pattern_and_mask_streams(doc: pymupdf.Document, page: pymupdf.Page) -> list[tuple[int, str]]:
    found: dict[int, str] = {}
    seen: set[int] = set()

    def visit(xref: int) -> None:
        if xref in seen:
            return
        seen.add(xref)
        for key, what in (("Resources/Pattern", "pattern"), ("Resources/XObject", "form"), ("Resources/ExtGState", "gs")):
            for child in _dict_refs(doc, xref, key):
                if what == "pattern":
                    found[child] = "tiling pattern"
                    visit(child)
                elif what == "form":
                    visit(child)
                else:
                    kind, val = doc.xref_get_key(child, "SMask/G")
                    if kind == "xref":
                        g = int(val.split()[0])
                        found[g] = "soft mask"
                        visit(g)
            # ExtGState dictionaries written inline: find their masks' groups
            kind, val = doc.xref_get_key(xref, "Resources/ExtGState")
            if kind == "dict":
                for g in re.findall(r"/G\s+(\d+) 0 R", val):
                    found[int(g)] = "soft mask"
                    visit(int(g))

    visit(page.xref)
    return sorted(found.items())


def _dict_refs(doc: pymupdf.Document, xref: int, key: str) -> list[int]:
    kind, val = doc.xref_get_key(xref, key)
    if kind == "xref":  # the dictionary itself is indirect
        inner = int(val.split()[0])
        return [int(v) for v in _refs_in(doc.xref_object(inner))]
    if kind == "dict":
        return [int(v) for v in _refs_in(val)]
    return []


def _refs_in(text: str) -> list[str]:
    return re.findall(r"(\d+) 0 R", text)


def strip_text_ops(content: bytes) -> bytes:
    """A content stream without its text-showing operators."""
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, content)
    try:
        ops = pikepdf.parse_content_stream(stream)
    except pikepdf.PdfError:
        return b""  # unparseable: drop the stream's content altogether
    kept = [op for op in ops if op_name(op) not in _TEXT_SHOW_OPS]
    return pikepdf.unparse_content_stream(kept)


# --- withheld pages ------------------------------------------------------------------------

def withheld_notice(number: int, exemption: str) -> str:
    return (f"Page {number} has been withheld in full under section {section_number(exemption)} "
            f"of the Freedom of Information Act 2000.")


def withhold_page(doc: pymupdf.Document, number: int, exemption: str) -> None:
    """Replace page ``number`` (1-based) by one that says it was withheld.

    The page object stays (links into it and the page count are kept); its
    content streams are emptied and its resources dropped, so nothing of
    the original page is left to be written out.
    """
    page = doc[number - 1]
    for xref in page.get_contents():
        doc.update_stream(xref, b" ")
    doc.xref_set_key(page.xref, "Resources", "<<>>")
    for key in ("Annots", "Thumb", "PieceInfo", "Metadata", "Group", "StructParents"):
        doc.xref_set_key(page.xref, key, "null")
    page = doc.reload_page(page)
    r = page.rect
    box = pymupdf.Rect(r.x0 + r.width * 0.1, r.y0 + r.height * 0.35, r.x1 - r.width * 0.1, r.y1 - r.height * 0.35)
    page.insert_textbox(box, withheld_notice(number, exemption), fontname=LABEL_FONT, fontsize=14,
                        align=pymupdf.TEXT_ALIGN_CENTER, rotate=page.rotation)
    # the notice is a paragraph for a screen reader: marked content 0, which
    # redactor.redact.tags gives a /P element where the page's first element was
    xrefs = page.get_contents()
    notice = b"".join(doc.xref_stream(x) or b"" for x in xrefs)
    doc.update_stream(xrefs[0], b"/P <</MCID 0>> BDC\n" + notice + b"\nEMC\n")
    for x in xrefs[1:]:
        doc.update_stream(x, b" ")


# --- step 5 -------------------------------------------------------------------------------
