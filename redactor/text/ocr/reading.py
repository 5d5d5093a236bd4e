"""Read the units :mod:`redactor.text.ocr.select` chose with Tesseract and
turn the words into :class:`~redactor.text.page.PageText` (``source
"ocr"``), in page coordinates.

An image is read in its own pixels, turned as it shows on the page (its
placement matrix and the page's /Rotate), scaled up when it holds fewer
than ~300 pixels per inch. If that reading is poor, Tesseract's
orientation detection decides whether the picture itself is turned (a page
scanned sideways or upside down) and it is read again turned upright.
Tesseract deskews a few degrees by itself. Word boxes come back through the
same transformations, each placement's matrix included, so an image drawn
on several pages is read once and its words land on every page. Boxes of
single characters are interpolated within each word's box (by typical
character widths).
"""

from __future__ import annotations

import collections
import io
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pymupdf
import regex

from redactor.redact import imagedata
from redactor.text.ocr import tesseract
from redactor.text.ocr.select import OcrOptions, Unit
from redactor.text.page import Glyph, PageText
from redactor import lazy

np = lazy.module("numpy")
Image = lazy.module("PIL.Image")

#: A reading is good enough when this many words reach WORD_CONF ...
MIN_WORDS = 3
WORD_CONF = 0.6
#: ... and the mean confidence of its words reaches this.
GOOD_MEAN = 0.7
#: Orientation detection is believed above this confidence.
OSD_CONF = 1.0
#: Images are not scaled beyond this many pixels for reading.
MAX_READ_PIXELS = 60_000_000
#: Pictures coarser than this are scaled up to OcrOptions.dpi before reading.
UPSCALE_BELOW = 200
#: A picture of more than READ_PIXELS pixels, finer than FINE_DPI where it is
#: shown, is read scaled down to whichever is larger: FINE_DPI or READ_PIXELS
#: (a drawing scanned at 2,900 dpi, 113 megapixels, took Tesseract 25 s and
#: reads the same at a seventh of its pixels). Smaller pictures, screenshots
#: among them, are read as they are, whatever their resolution on the page.
FINE_DPI = 600
READ_PIXELS = 16_000_000
#: Below this a scan is "too low resolution" when it also reads poorly.
LOW_DPI = 100

_NARROW = set("ilj.,:;'!|`()[]{}\"-")
_WIDE = set("mwMW@%")


@dataclass
class Word:
    text: str
    conf: float
    quad: pymupdf.Quad  #: page space
    line: tuple  #: the line it belongs to (unit, block, par, line)


@dataclass
class Reading:
    """What reading one unit gave."""

    words: list[tuple[tesseract.OcrWord, pymupdf.Matrix]] = field(default_factory=list)  #: word, OCR px -> unit square
    dpi: float = 0.0
    rotation: int = 0  #: degrees the picture was turned (clockwise) to read it
    mean_conf: float = 0.0
    good_words: int = 0
    blank: bool = False
    error: str | None = None
    size: tuple[int, int] = (0, 0)  #: pixels of the image read (after turning and scaling)


def rotate_cw(img: Image.Image, degrees: int) -> Image.Image:
    """``img`` turned clockwise (only the turn asked for is made: a page
    scan or a 100-megapixel drawing is not copied three times to be read
    upright)."""
    turn = {0: None, 90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
            270: Image.Transpose.ROTATE_90}[degrees % 360]
    return img if turn is None else img.transpose(turn)


def turn_matrix(width: float, height: float, degrees: int) -> pymupdf.Matrix:
    """Pixel coordinates of an image -> those of the same image turned ``degrees`` clockwise."""
    return {0: pymupdf.Matrix(1, 0, 0, 1, 0, 0), 90: pymupdf.Matrix(0, 1, -1, 0, height, 0),
            180: pymupdf.Matrix(-1, 0, 0, -1, width, height), 270: pymupdf.Matrix(0, -1, 1, 0, 0, width)}[degrees % 360]


def shown_turn(matrix: pymupdf.Matrix, page_rotation: int) -> int:
    """Clockwise turn (0/90/180/270) of the image as it shows on the page."""
    m = matrix * pymupdf.Matrix(page_rotation) if page_rotation else matrix
    angle = math.degrees(math.atan2(m.b, m.a))  # where the image's x axis points (y down: clockwise positive)
    return int(round(angle / 90.0)) % 4 * 90


def _grey(doc: pymupdf.Document, unit: Unit, options: OcrOptions) -> tuple[Image.Image, pymupdf.Matrix, float]:
    """The unit's pixels in grey, and the matrix from those pixels to the
    unit square (an image) or to unrotated page space (a rendering)."""
    if unit.xref:
        img = imagedata.info(doc, unit.xref, f"page {unit.uses[0].page + 1}: ")
        imagedata.check_flate(doc, img, f"page {unit.uses[0].page + 1}: ")
        pix = pymupdf.Pixmap(doc, unit.xref)
        stencil = pix.colorspace is None  # a stencil mask: one channel of coverage, 255 paints
        if not stencil and (pix.alpha or pix.n > 1):
            pix = pymupdf.Pixmap(pymupdf.csGRAY, pix) if pix.colorspace.n > 1 else pymupdf.Pixmap(pix, 0)
        grey = Image.frombytes("L", (pix.width, pix.height), pix.samples[: pix.width * pix.height])
        if stencil:  # black ink on white
            grey = Image.eval(grey, lambda v: 255 - v)
        u = unit.uses[0]
        inches = math.hypot(u.matrix.a, u.matrix.b) / 72.0 or 1.0
        dpi = pix.width / inches
        return grey, pymupdf.Matrix(1 / pix.width, 0, 0, 1 / pix.height, 0, 0), dpi
    page = doc[unit.page]
    dpi = options.dpi
    zoom = pymupdf.Matrix(dpi / 72.0, dpi / 72.0)
    clip = unit.clip * page.rotation_matrix  # rendering works in the rotated (shown) space
    pix = page.get_pixmap(matrix=zoom, clip=clip, colorspace=pymupdf.csGRAY, alpha=False, annots=False)
    grey = Image.frombytes("L", (pix.width, pix.height), pix.samples[: pix.width * pix.height])
    to_page = pymupdf.Matrix(1, 0, 0, 1, pix.x, pix.y) * ~zoom * page.derotation_matrix
    return grey, to_page, float(dpi)


@dataclass
class _Prepared:
    unit: Unit
    grey: Image.Image | None = None
    to_space: pymupdf.Matrix | None = None
    dpi: float = 0.0
    turn: int = 0
    scale: float = 1.0
    done: Reading | None = None  #: decided without reading (cannot be decoded, blank)
    pad: int = 0  #: pixels of margin put round the picture (see PAD)
    sideways: bool = False  #: a strip up or down the page: turned a quarter, which way unknown


#: a rendered strip this many times taller than wide holds a line written up or down the page
TALL = 2.5


def _prepare(doc: pymupdf.Document, unit: Unit, options: OcrOptions) -> _Prepared:
    try:
        grey, to_space, dpi = _grey(doc, unit, options)
    except imagedata.ImageError:
        raise
    except Exception as e:  # damaged image data, unsupported colour space...
        return _Prepared(unit, done=Reading(error=f"the image cannot be decoded ({str(e).strip() or type(e).__name__})"))
    turn = shown_turn(unit.uses[0].matrix, doc[unit.uses[0].page].rotation) if unit.xref else 0
    sideways = not unit.xref and grey.height > TALL * grey.width
    if sideways:
        turn = 90  # a strip up the page (letters drawn as curves, a label along an axis): read it turned;
        # one written down the page reads upside down so, and is read the other way round too
    scale = 1.0
    # Tesseract misreads small text: coarse scans are read at ~300 dpi. A
    # screenshot's "resolution" on the page says nothing of its text size:
    # it is read as it is.
    if dpi < UPSCALE_BELOW and (unit.scan or not unit.xref):
        scale = min(4.0, options.dpi / max(dpi, 1.0))
    if grey.width * grey.height * scale * scale > MAX_READ_PIXELS:
        scale = max(1.0, math.sqrt(MAX_READ_PIXELS / (grey.width * grey.height)))
    if unit.xref and dpi > FINE_DPI and grey.width * grey.height > READ_PIXELS:
        scale = max(FINE_DPI / dpi, math.sqrt(READ_PIXELS / (grey.width * grey.height)))
    if _looks_blank(grey):
        return _Prepared(unit, done=Reading(dpi=dpi, blank=True, size=grey.size))
    if scale > 1.01:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.BICUBIC)
    elif scale < 0.99:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.LANCZOS,
                           reducing_gap=3.0)
    # a margin in the colour of its edges round a short picture: Tesseract reads nothing of a line of text
    # that fills its picture (a phone number as a picture 9.9 pt tall, its digits touching the top and the
    # bottom); not round a scan (a page's margin is its own, and a 96 dpi scan read worse with one)
    pad = PAD if not unit.scan and min(grey.size) < SHORT_PICTURE else 0
    if pad:
        grey = _with_margin(grey, pad)
        to_space = pymupdf.Matrix(1, 0, 0, 1, -pad / scale, -pad / scale) * to_space
    return _Prepared(unit, grey, to_space, dpi, turn, scale, pad=pad, sideways=sideways)


#: pixels of margin put round a picture whose shorter side, as read, is under SHORT_PICTURE pixels
#: (a picture that short is no scan of a page: :mod:`redactor.text.ocr.document`)
PAD, SHORT_PICTURE = 16, 300


def _with_margin(grey: Image.Image, pad: int) -> Image.Image:
    w, h = grey.size
    framed = Image.new("L", (w + 2 * pad, h + 2 * pad), _edge_colour(grey))
    framed.paste(grey, (pad, pad))
    return framed


def _edge_colour(grey: Image.Image) -> int:
    """The commonest grey of a picture's edges (its background, most often)."""
    w, h = grey.size
    edges = [grey.crop(box) for box in ((0, 0, w, 1), (0, h - 1, w, h), (0, 0, 1, h), (w - 1, 0, w, h))]
    counts = [sum(c) for c in zip(*(e.histogram()[:256] for e in edges))]
    return counts.index(max(counts))


def _looks_blank(grey: Image.Image) -> bool:
    """Grey levels within 24 of each other, or a standard deviation under 2:
    nothing to read. Told from the picture's histogram (``numpy.std`` of a
    100-megapixel drawing takes seconds and gigabytes, as floats)."""
    counts = np.array(grey.histogram()[:256], dtype=np.float64)  # exact: far below 2**53 pixels
    n = counts.sum()
    if not n:
        return False
    levels = np.nonzero(counts)[0]
    if levels[-1] - levels[0] < 24:
        return True
    values = np.arange(256, dtype=np.float64)
    mean = float(counts @ values) / n
    return math.sqrt(float(counts @ (values - mean) ** 2) / n) < 2.0


def read_unit(doc: pymupdf.Document, unit: Unit, options: OcrOptions) -> Reading:
    """Read one unit (see :func:`read_units`)."""
    return read_units(doc, {unit.key: unit}, options)[unit.key]


def read_units(doc: pymupdf.Document, units: dict[str, Unit], options: OcrOptions,
               batch: int = 8) -> dict[str, Reading]:
    """Read every unit; ``batch`` pictures at a time go to one Tesseract
    process (its language model loads once for them), and up to
    ``options.jobs`` such processes run at once (the pictures are made here,
    one group at a time: MuPDF serves one thread). A reading that is poor is
    checked with orientation detection and read again turned upright. Never
    raises for a picture that cannot be read (the reading says why), only
    for a refused image (a bomb)."""
    out: dict[str, Reading] = {}
    keys = list(units)
    jobs = options.workers()
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="redactor-ocr") if jobs > 1 and len(keys) > batch else None
    pending: collections.deque = collections.deque()

    def finish(group: list[_Prepared], future) -> None:
        if future is not None:
            future.result()
        for p in group:
            out[p.unit.key] = p.done

    try:
        for i in range(0, len(keys), batch):
            group = [_prepare(doc, units[k], options) for k in keys[i:i + batch]]
            if pool is None:
                _read_group(group, options)
                finish(group, None)
                continue
            pending.append((group, pool.submit(_read_group, group, options)))
            if len(pending) >= jobs:  # no more pictures held than the processes reading them
                finish(*pending.popleft())
        while pending:
            finish(*pending.popleft())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return out


def _read_group(group: list[_Prepared], options: OcrOptions) -> None:
    """Read the pictures of ``group`` not yet decided (Tesseract only: no MuPDF here)."""
    todo = [p for p in group if p.done is None]
    try:
        first = _read_many(todo, [p.turn for p in todo], options)
        retry = []
        for p, r in zip(todo, first):
            if _poor(r):
                if p.sideways:  # (orientation detection says little of one line)
                    retry.append((p, (p.turn + 180) % 360))
                    continue
                rot, conf = tesseract.orientation(_pnm(rotate_cw(_for_osd(p.grey), p.turn)))
                if rot and conf >= OSD_CONF:
                    retry.append((p, (p.turn + rot) % 360))
        # the second readings, each with the turn it was read at
        again = {p.unit.key: (r, t) for (p, t), r in
                 zip(retry, _read_many([p for p, _ in retry], [t for _, t in retry], options))}
        best: dict[str, tuple[Reading, int]] = {}
        for p, r in zip(todo, first):
            a = again.get(p.unit.key)
            best[p.unit.key] = a if a is not None and _better(a[0], r) else (r, p.turn)
        # still poor: a picture turned by some degrees (a label photographed askew), straightened and read again
        straight = [q for p in todo if not p.sideways and _poor(best[p.unit.key][0])
                    and (q := _straightened(p, best[p.unit.key][1])) is not None]
        for q, r in zip(straight, _read_many(straight, [0] * len(straight), options)):
            if _better(r, best[q.unit.key][0]):
                best[q.unit.key] = (r, 0)
        for p in todo:
            p.done = best[p.unit.key][0]
            p.done.dpi = p.dpi
    except (tesseract.OcrUnavailable, tesseract.OcrFailed) as e:
        for p in todo:
            p.done = Reading(dpi=p.dpi, error=str(e))
    for p in todo:
        p.grey = None  # read: its pixels are not needed any more


def _poor(r: Reading) -> bool:
    return r.good_words < MIN_WORDS or r.mean_conf < GOOD_MEAN


def _better(a: Reading, b: Reading) -> bool:
    return (a.good_words, a.mean_conf) > (b.good_words, b.mean_conf)


#: a picture's lines are looked for this many degrees either way, ...
SKEW_LIMIT = 30
#: ... and straightened when they lie at least this many degrees askew (Tesseract takes a few by
#: itself) and stand out this many times more clearly than unturned (a photograph's do not)
SKEW_MIN, SKEW_PEAK = 3, 2.0


def _skew(upright: Image.Image) -> float:
    """The angle (degrees, anticlockwise, as ``Image.rotate`` takes it) that
    lays a picture's lines of text level, or 0: where the rows of dark
    pixels change most sharply (a projection profile, on a small copy)."""
    small = upright.copy()
    small.thumbnail((600, 600))
    a = np.asarray(small, dtype=np.uint8)
    dark = Image.fromarray(((a < min(128, int(a.mean()) - 1)) * 255).astype(np.uint8))
    scores = {}
    for angle in range(-SKEW_LIMIT, SKEW_LIMIT + 1):
        rows = np.asarray(dark.rotate(angle, expand=True, fillcolor=0, resample=Image.Resampling.NEAREST),
                          dtype=np.float64).sum(axis=1)
        scores[angle] = float(np.square(np.diff(rows)).sum())
    angle = max(scores, key=scores.get)
    if abs(angle) < SKEW_MIN or scores[angle] < SKEW_PEAK * max(scores[0], 1e-9):
        return 0.0
    return float(angle)


def _straightened(p: _Prepared, turn: int) -> _Prepared | None:
    """``p`` turned upright by ``turn`` and laid level (:func:`_skew`), with
    the matrix that takes its pixels back to the unit's space; None when it
    lies level already. Six labels in a row photographed 8 to 22 degrees
    askew were read as nothing, and exit 0 left them legible (helper 31)."""
    upright = rotate_cw(p.grey, turn)
    angle = _skew(upright)
    if not angle:
        return None
    level = upright.rotate(angle, expand=True, fillcolor=_edge_colour(upright), resample=Image.Resampling.BICUBIC)
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    w, h = upright.size
    # upright pixels -> level pixels (Image.rotate turns about the centre and grows the canvas)
    level_of = pymupdf.Matrix(1, 0, 0, 1, -w / 2, -h / 2) * pymupdf.Matrix(c, -s, s, c, 0, 0) \
        * pymupdf.Matrix(1, 0, 0, 1, level.width / 2, level.height / 2)
    grey_of = turn_matrix(p.grey.width, p.grey.height, turn)  # picture pixels -> upright pixels
    unscale = pymupdf.Matrix(1 / p.scale, 0, 0, 1 / p.scale, 0, 0)
    # _reading_from takes level pixels through 1/scale and to_space: these undo the scale, lay the
    # pixels back and turn them back, then scale and place them as the picture's own
    to_space = ~unscale * ~level_of * ~grey_of * unscale * p.to_space
    return _Prepared(p.unit, level, to_space, p.dpi, 0, p.scale, pad=p.pad)


def _read_many(preps: list[_Prepared], turns: list[int], options: OcrOptions) -> list[Reading]:
    """Read each prepared picture turned by its turn: one Tesseract run per
    resolution; if a run fails (a picture crashes it), each alone."""
    readings: list[Reading | None] = [None] * len(preps)
    by_dpi: dict[int, list[int]] = {}
    for i, p in enumerate(preps):
        by_dpi.setdefault(int(round(p.dpi * p.scale)), []).append(i)
    for dpi, idx in by_dpi.items():
        images = [_pnm(rotate_cw(preps[i].grey, turns[i])) for i in idx]
        try:
            words = tesseract.ocr_images(images, lang=options.lang, psm=3, dpi=dpi)
        except tesseract.OcrFailed:
            if len(idx) == 1:
                raise
            words = [tesseract.ocr_image(img, lang=options.lang, psm=3, dpi=dpi) for img in images]
        for i, w in zip(idx, words):
            p = preps[i]
            readings[i] = _reading_from(w, p.grey, turns[i], p.to_space, p.scale, p.pad)
    return readings  # type: ignore[return-value]


def _for_osd(grey: Image.Image) -> Image.Image:
    """Orientation detection needs no more than ~300 dpi of a page."""
    longest = max(grey.size)
    if longest > 3500:
        f = 3500 / longest
        return grey.resize((round(grey.width * f), round(grey.height * f)), Image.Resampling.BILINEAR)
    return grey


def _pnm(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PPM")
    return buf.getvalue()


def _reading_from(words: list[tesseract.OcrWord], grey: Image.Image, turn: int, to_space: pymupdf.Matrix,
                  scale: float, pad: int = 0) -> Reading:
    # OCR pixels -> read pixels (undo the turn) -> source pixels (undo the scale) -> unit space
    back = ~turn_matrix(grey.width, grey.height, turn) * pymupdf.Matrix(1 / scale, 0, 0, 1 / scale, 0, 0) * to_space
    confs = [w.conf for w in words if any(ch.isalnum() for ch in w.text)]
    w, h = grey.width - 2 * pad, grey.height - 2 * pad  # (the picture, not the margin put round it)
    size = (h, w) if turn in (90, 270) else (w, h)
    return Reading(words=[(w, back) for w in words], rotation=turn,
                   mean_conf=sum(confs) / len(confs) if confs else 0.0,
                   good_words=sum(1 for c in confs if c >= WORD_CONF), size=size)


def _weights(text: str) -> list[float]:
    return [0.45 if ch in _NARROW else 1.35 if ch in _WIDE else 1.15 if ch.isupper() else 1.0 for ch in text]


def _dropped_dot(a: tesseract.OcrWord, b: tesseract.OcrWord) -> bool:
    """Tesseract dropped a dot of an e-mail address: ``a`` ends its domain
    so far and ``b``, close after it, continues it; or ``a`` is the first
    part of the name before the @ and ``b`` the rest."""
    head_dot = _MAIL_HEAD.search(a.text) and _MAIL_TAIL.match(b.text)  # name@met police.example
    # "mark fairbanks@...": the first part of a first.last name; b holds no dot before its @
    local_dot = regex.match(r"^\(?[a-z0-9_+-]+$", a.text) and regex.match(r"^[a-z0-9_+-]+@", b.text)
    if not (head_dot or local_dot):
        return False
    height = max(a.box[3] - a.box[1], b.box[3] - b.box[1], 1)
    return 0 <= b.box[0] - a.box[2] <= 0.6 * height


def _split_local(a: tesseract.OcrWord, b: tesseract.OcrWord) -> bool:
    """Tesseract put a space after a dot (or - _) inside the part of an
    e-mail address before the @: ``a`` ends with it and ``b``, close after,
    holds the @."""
    if not (a.text[-1:] in "._-" and "@" in b.text and "@" not in a.text and regex.match(r"^[\w.+-]+@", b.text)):
        return False
    height = max(a.box[3] - a.box[1], b.box[3] - b.box[1], 1)
    return 0 <= b.box[0] - a.box[2] <= 0.6 * height


def char_quads(word: tesseract.OcrWord, to_page: pymupdf.Matrix) -> list[pymupdf.Quad]:
    """One quad per character, interpolated along the word's box (in the
    reading's pixels, where the text runs left to right)."""
    x0, y0, x1, y1 = word.box
    weights = _weights(word.text)
    total = sum(weights) or 1.0
    quads, pos = [], float(x0)
    for wgt in weights:
        step = (x1 - x0) * wgt / total
        quads.append(pymupdf.Rect(pos, y0, pos + step, y1).quad.transform(to_page))
        pos += step
    return quads


#: A word starting with a lower-case "l" before a consonant is Tesseract
#: misreading a capital "I" ("lvydale", "lmran", "lnsp"): English has
#: almost no such words.
_L_FOR_I = regex.compile(r"^l(?=[bcdfghjkmnpqrstvwxz])")
#: "name@met police.example": Tesseract dropped the dot of an e-mail domain.
_MAIL_HEAD = regex.compile(r"@[\w-]+$")
_MAIL_TAIL = regex.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+[.,;:)]*$")


def corrected(text: str, following: str = "") -> str:
    """Same length: one character for one, so boxes stay aligned.
    ``following``: the next word on the line, if any."""
    rank = _RANK_CASE.get(text)
    if rank and _SHOULDER_NUMBER.match(following):  # "ps 3344": the rank's capitals read small
        return rank
    return _L_FOR_I.sub("I", text)


#: Police ranks as Tesseract reads them in the wrong case (a small, turned
#: or skewed picture), and as they are written; mended only before a
#: shoulder number ("ps 3344 Omar Farouk"), where nothing else is meant
_RANK_CASE = {w: r for r in ("PC", "PS", "DC", "DS", "DI", "DCI", "PCSO", "Sgt", "Insp", "Supt")
              for w in {r.lower(), r.capitalize(), r.upper()} if w != r}
_SHOULDER_NUMBER = regex.compile(r"^\d{2,5}[A-Z]{0,2}[,.;:]?$")


def page_text(index: int, page_rect, readings: list[tuple[Reading, pymupdf.Matrix]]) -> PageText:
    """One PageText for a page from the readings of its units, each with
    the matrix from its unit space to this page."""
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    line_no = 0
    for reading, placement in readings:
        current, previous = None, None
        for k, (word, back) in enumerate(reading.words):
            to_page = back * placement
            if current is not None and word.line_key != current:
                text.append("\n")
                glyphs.append(None)
                line_no += 1
            elif current is not None and previous is not None and _split_local(previous, word):
                pass  # "mark. fairbanks@...": no space inside an e-mail address
            elif current is not None and previous is not None and _dropped_dot(previous, word):
                gap = pymupdf.Rect(previous.box[2], min(previous.box[1], word.box[1]), word.box[0],
                                   max(previous.box[3], word.box[3])).quad.transform(to_page).rect
                text.append(".")
                glyphs.append(Glyph(bbox=tuple(gap), line=line_no, size=gap.height,
                                    horizontal=True, conf=min(previous.conf, word.conf) / 2))
            elif current is not None:
                text.append(" ")
                glyphs.append(None)
            current, previous = word.line_key, word
            after = reading.words[k + 1][0] if k + 1 < len(reading.words) else None
            word = tesseract.OcrWord(corrected(word.text, after.text if after and after.line_key == current else ""),
                                     word.conf, word.box, word.block, word.par, word.line, word.word)
            quads = char_quads(word, to_page)
            direction = quads[0].lr - quads[0].ll if quads else pymupdf.Point(1, 0)
            horizontal = abs(direction.y) <= 0.1 * max(abs(direction.x), 1e-6)
            for ch, q in zip(word.text, quads):
                r = q.rect
                glyphs.append(Glyph(bbox=tuple(r), line=line_no, size=min(r.width, r.height) if not horizontal
                                    else r.height, horizontal=horizontal, conf=word.conf))
                text.append(ch)
        if current is not None:
            text.append("\n")
            glyphs.append(None)
            line_no += 1
    return PageText(index=index, text="".join(text), glyphs=glyphs, page_rect=tuple(page_rect), lines=line_no,
                    source="ocr")
