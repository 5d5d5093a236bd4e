"""Verification of redacted pictures: what a person (or an OCR engine) can
still read in the images of the output, under and around each box.

For every logged box that lies over an image of the output page:

* the image's own pixels under the box (read from the output file, not
  from the rendered page, where the black box would hide them) must all be
  one value: nothing of what was there can be left;
* the image is read again with Tesseract around the box (the box and a
  margin of a few text heights either side; the regions of a page stacked
  on one sheet, all sheets of the document in one Tesseract process) and no redacted text of that page may be recognised there. The match
  is fuzzy (one misread character in six: from six characters on, a single
  misread letter does not hide a leak; shorter texts must read exactly, or
  "CHIS" would be found in every "THIS"), word by word, and across word
  boundaries for texts of eight characters or more.

Only those regions are read, not whole pages: that is what the check
needs. Where Tesseract is missing, the pixel check still runs and the
report says the OCR check could not.

Shares no code with apply or OCR extraction (it calls the Tesseract
wrapper only).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pymupdf
import regex

from redactor.text.ocr import tesseract
from redactor import lazy

np = lazy.module("numpy")
Image = lazy.module("PIL.Image")

#: Texts with fewer letters and digits than this are only checked by pixels.
MIN_CHARS = 4
#: The region read around a box: this many box heights left and right, a
#: fraction of one above and below.
AROUND_X, AROUND_Y = 2.5, 0.4
#: Regions are read at about this resolution.
READ_DPI = 300
GAP = 24  #: white pixels between regions in one reading


@dataclass
class _Region:
    text_ids: list[int]
    image: Image.Image  # the picture around one box


def _alnum(s: str) -> str:
    return "".join(ch for ch in s.casefold() if ch.isalnum())


def fuzzy_found(needle: str, hay: str) -> bool:
    """Whether ``needle`` can be read in ``hay``: one misread character in
    six allowed (none below six, where "CHIS" would match "THIS"). Short
    needles are compared word for word, long ones also across word
    boundaries (OCR splits and joins words)."""
    n = _alnum(needle)
    if len(n) < MIN_CHARS:
        return False
    k = len(n) // 6
    words = [w for w in (_alnum(t) for t in hay.split()) if w]
    count = max(1, len(needle.split()))
    pattern = regex.compile(f"(?:{regex.escape(n)}){{e<={k}}}")
    for size in {count, count + 1, max(1, count - 1)}:
        for i in range(len(words) - size + 1):
            window = "".join(words[i:i + size])
            if abs(len(window) - len(n)) <= k and pattern.fullmatch(window):
                return True
    if len(n) >= 8:
        return regex.search(f"(?:{regex.escape(n)}){{e<={max(1, k)}}}", "".join(words), regex.BESTMATCH) is not None
    return False


def check(doc: pymupdf.Document, by_page: dict[int, list]) -> tuple[list[str], list[str]]:
    """(problems, notes) for the redactions of ``by_page`` (1-based page ->
    list of objects with ``rects``, ``text`` and ``kind``)."""
    problems: list[str] = []
    notes: list[str] = []
    ocr_ok = tesseract.binary() is not None
    sheets: dict[int, list[Image.Image]] = {}  #: page -> the regions to read there
    plain: dict[int, bool] = {}  #: page -> whether what MuPDF lists there with no object number is plain gradients
    opened: list = []  #: the file as pikepdf reads it, once, if a page asks
    for number, redactions in sorted(by_page.items()):
        if not 1 <= number <= doc.page_count:
            continue
        page = doc[number - 1]
        boxes = [(i, pymupdf.Rect(rect)) for i, r in enumerate(redactions) if r.kind != "page" for rect in r.rects]
        if not boxes:
            continue
        try:
            infos = page.get_image_info(xrefs=True)
        except Exception:
            problems.append(f"page {number}: its images cannot be listed to check them")
            continue
        regions: list[_Region] = []
        for info in infos:
            bbox = pymupdf.Rect(info["bbox"])
            under = [(i, b) for i, b in boxes if bbox.intersects(b)]
            if not under:
                continue
            xref = info.get("xref", 0)
            if not xref:
                if number not in plain:
                    plain[number] = _plain_gradients_only(doc, page, opened)
                if plain[number]:
                    continue  # a smooth shading (MuPDF lists it as an image): it shows no one's words
                problems.append(f"page {number}: an inline image or shading lies under a redaction box and cannot "
                                "be checked")
                continue
            try:
                pix = pymupdf.Pixmap(doc, xref)
            except Exception as e:
                problems.append(f"page {number}: the image (object {xref}) under a box cannot be decoded ({e})")
                continue
            arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
            m = pymupdf.Matrix(info["transform"])
            if abs(m.a * m.d - m.b * m.c) < 1e-12:
                continue
            inv = ~m
            aligned = (abs(m.b) < 1e-9 and abs(m.c) < 1e-9) or (abs(m.a) < 1e-9 and abs(m.d) < 1e-9)
            for i, b in under:
                r = (b.quad.transform(inv)).rect
                blank = None
                if aligned:
                    x0, x1 = int(np.ceil(r.x0 * pix.width)), int(np.floor(r.x1 * pix.width))
                    y0, y1 = int(np.ceil(r.y0 * pix.height)), int(np.floor(r.y1 * pix.height))
                    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, pix.width), min(y1, pix.height)
                    if x1 > x0 and y1 > y0:
                        inside = arr[y0:y1, x0:x1, : max(1, pix.n - pix.alpha)].reshape(-1, max(1, pix.n - pix.alpha))
                        if not _one_value(inside):
                            problems.append(f"page {number}: the pixels of image {xref} under the box at {_fmt(b)} "
                                            f"were not blanked")
                        else:  # one value: nothing to read there (with the pixels the box only grazes)
                            blank = (int(np.floor(r.x0 * pix.width)) - 1, int(np.floor(r.y0 * pix.height)) - 1,
                                     int(np.ceil(r.x1 * pix.width)) + 1, int(np.ceil(r.y1 * pix.height)) + 1)
                else:  # a rotated or skewed picture (a scan): the box is not a rectangle of pixels
                    blank, ok = _check_turned(arr, pix, m, r, b)
                    if not ok:
                        problems.append(f"page {number}: the pixels of image {xref} under the box at {_fmt(b)} "
                                        f"were not blanked")
                if ocr_ok:
                    region = _around(pix, arr, r, b, m, blank)
                    if region is not None:
                        regions.append(_Region([i], region))
        if regions and ocr_ok:
            sheets[number] = [reg.image for reg in regions]
    if sheets:
        read = _read(sheets)
        for number, hay in sorted(read.items()):
            if hay is None:
                notes.append(f"page {number}: OCR of the redacted pictures failed; pixels were checked")
                continue
            for r in by_page[number]:
                if r.kind != "page" and r.text and fuzzy_found(r.text, hay):
                    problems.append(f"page {number}: redacted text {r.text!r} can still be read (OCR) in a "
                                    f"picture near its box")
    if not ocr_ok and any(by_page.values()):
        notes.append("Tesseract is not installed: pictures under boxes were checked by their pixels only")
    return problems, notes


def _one_value(pixels: np.ndarray) -> bool:
    """Whether the pixels (one row per pixel) all hold one value."""
    return not pixels.size or not (pixels != pixels[0]).any()


def _check_turned(arr: np.ndarray, pix: pymupdf.Pixmap, m: pymupdf.Matrix, r: pymupdf.Rect,
                  box: pymupdf.Rect) -> tuple[tuple | None, bool]:
    """A box over a rotated or skewed placement. In the image's own pixels
    the box is a tilted quadrilateral: its bounding rectangle also holds
    pixels outside the box (the image around the box, rightly kept). The
    pixels lying wholly inside the box (the page-space footprint of each
    pixel, a parallelogram, within the box) must hold one value. Returns
    (the blanked area for the OCR check: a window origin and a mask of
    the pixels of that value within the box's reach, or None; whether the
    check passed)."""
    w, h = pix.width, pix.height
    x0, x1 = max(0, int(np.floor(r.x0 * w))), min(w, int(np.ceil(r.x1 * w)))
    y0, y1 = max(0, int(np.floor(r.y0 * h))), min(h, int(np.ceil(r.y1 * h)))
    if x1 <= x0 or y1 <= y0:
        return None, True
    uu, vv = np.meshgrid((np.arange(x0, x1) + 0.5) / w, (np.arange(y0, y1) + 0.5) / h)
    px = uu * m.a + vv * m.c + m.e  # each pixel's centre on the page
    py = uu * m.b + vv * m.d + m.f
    hx = (abs(m.a) / w + abs(m.c) / h) / 2  # half the pixel's extent on the page
    hy = (abs(m.b) / w + abs(m.d) / h) / 2

    def within(grow: float) -> np.ndarray:
        return ((px >= box.x0 - grow * hx) & (px <= box.x1 + grow * hx)
                & (py >= box.y0 - grow * hy) & (py <= box.y1 + grow * hy))

    channels = max(1, pix.n - pix.alpha)
    window = arr[y0:y1, x0:x1, :channels]
    inner = within(-1.0)
    if not inner.any():
        return None, True
    values = window[inner]
    if not _one_value(values):
        return None, False
    reach = within(1.0) & (window == values[0]).all(axis=-1)
    return (x0, y0, reach), True


def _around(pix: pymupdf.Pixmap, arr: np.ndarray, r: pymupdf.Rect, box: pymupdf.Rect,
            m: pymupdf.Matrix, blank: tuple | None = None) -> Image.Image | None:
    """The image around one box (grey), scaled to about READ_DPI. A blanked
    area (checked to be one value) is shown white, so that Tesseract reads
    the text beside it rather than guessing at a black block."""
    # the box's text height in image pixels, along the image's own axes
    h_px = max(1.0, (r.y1 - r.y0) * pix.height)
    w_px = (r.x1 - r.x0) * pix.width
    across = h_px if w_px >= h_px else w_px
    x0 = int(max(0, r.x0 * pix.width - AROUND_X * across))
    x1 = int(min(pix.width, r.x1 * pix.width + AROUND_X * across))
    y0 = int(max(0, r.y0 * pix.height - AROUND_Y * h_px))
    y1 = int(min(pix.height, r.y1 * pix.height + AROUND_Y * h_px))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    x0, x1 = _to_gaps(arr[y0:y1, :, : max(1, pix.n - pix.alpha)], x0, x1, int(6 * across))
    crop = arr[y0:y1, x0:x1, : max(1, pix.n - pix.alpha)]
    n = crop.shape[-1]
    if n == 1:
        grey = Image.fromarray(crop[:, :, 0])
    elif n == 3:
        grey = Image.fromarray(np.ascontiguousarray(crop)).convert("L")
    else:  # CMYK and others: darkness from the sum of inks
        grey = Image.fromarray((255 - np.clip(crop.astype(int).sum(axis=2), 0, 255)).astype(np.uint8))
    if pix.colorspace is None:  # a stencil: coverage -> ink
        grey = Image.eval(grey, lambda v: 255 - v)
    if blank is not None and len(blank) == 4:
        bx0, by0, bx1, by1 = blank
        grey.paste(255, (max(0, bx0 - x0), max(0, by0 - y0), max(0, bx1 - x0), max(0, by1 - y0)))
    elif blank is not None:  # a mask of the blanked pixels (a turned picture): only those go white
        bx0, by0, reach = blank
        g = np.array(grey)
        ys, xs = np.nonzero(reach)
        ys, xs = ys + by0 - y0, xs + bx0 - x0
        keep = (ys >= 0) & (ys < g.shape[0]) & (xs >= 0) & (xs < g.shape[1])
        g[ys[keep], xs[keep]] = 255
        grey = Image.fromarray(g)
    inches = max(1e-6, abs(box.height) / 72.0)
    dpi = (r.y1 - r.y0) * pix.height / inches
    if 0 < dpi < 200:
        f = min(4.0, READ_DPI / dpi)
        grey = grey.resize((round(grey.width * f), round(grey.height * f)), Image.Resampling.BICUBIC)
    return grey


def _to_gaps(band: np.ndarray, x0: int, x1: int, reach: int) -> tuple[int, int]:
    """Move the crop's left and right edges outwards (at most ``reach``
    pixels) to the nearest blank column, so no word is cut in half (a cut
    word reads as noise)."""
    grey = band.astype(np.int16)
    grey = grey.mean(axis=2) if grey.ndim == 3 else grey
    ink = (grey.max(axis=0) - grey.min(axis=0)) > 48  # columns with contrast hold ink
    width = band.shape[1]
    left = x0
    while left > 0 and ink[left] and x0 - left < reach:
        left -= 1
    right = x1
    while right < width - 1 and ink[right] and right - x1 < reach:
        right += 1
    return left, min(width, right + 1)


def _read(sheets: dict[int, list[Image.Image]]) -> dict[int, str | None]:
    """Text read around the boxes of each page: each page's regions stacked
    on one sheet (white between), every sheet of the document in one
    Tesseract run. A page whose sheet reads with little confidence (text
    shown sideways or upside down) has its sheet's orientation detected,
    and is read again turned upright."""
    numbers = sorted(sheets)
    words = _read_sheets([_sheet(sheets[n]) for n in numbers])
    if words is None:
        return {n: None for n in numbers}
    out: dict[int, str | None] = {}
    unsure = []
    for n, ws in zip(numbers, words):
        confs = [w.conf for w in ws if any(ch.isalnum() for ch in w.text)]
        out[n] = " ".join(w.text for w in ws)
        if not confs or sum(confs) / len(confs) < 0.6:
            unsure.append(n)
    turned = []
    for n in unsure:  # which way up? orientation detection on the sheet itself
        rot, conf = tesseract.orientation(_sheet(sheets[n]))
        if rot and conf >= 1.0:
            t = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}[rot]
            turned.append((n, [img.transpose(t) for img in sheets[n]]))
    if turned:
        more = _read_sheets([_sheet(images) for _, images in turned])
        for (n, _), ws in zip(turned, more or []):
            out[n] = (out[n] or "") + " " + " ".join(w.text for w in ws)
    return out


def _sheet(images: list[Image.Image]) -> bytes:
    width = max(t.width for t in images) + 2 * GAP
    height = sum(t.height for t in images) + GAP * (len(images) + 1)
    sheet = Image.new("L", (width, height), 255)
    y = GAP
    for t in images:
        sheet.paste(t, (GAP, y))
        y += t.height + GAP
    buf = io.BytesIO()
    sheet.save(buf, "PPM")
    return buf.getvalue()


def _read_sheets(sheets: list[bytes]):
    try:
        return tesseract.ocr_images(sheets, psm=6, dpi=READ_DPI)
    except (tesseract.OcrFailed, tesseract.OcrUnavailable):
        return None


def _fmt(r) -> str:
    return "[" + ", ".join(f"{v:.0f}" for v in r) + "]"


#: shadings that are a smooth blend of colours and nothing else: axial and
#: radial, their colours given by exponential or stitching functions
_GRADIENT_TYPES = {2, 3}
_GRADIENT_FUNCTIONS = {2, 3}


def _plain_gradients_only(doc: pymupdf.Document, page: pymupdf.Page, opened: list) -> bool:
    """MuPDF lists both an inline image and a smooth shading as an image
    with no object number. True when the page (with its forms and patterns)
    draws no inline image and every shading it can draw is a plain
    gradient, which cannot hold anyone's words: a sampled function or a mesh
    can draw anything, and is not passed. ``opened``: the file as pikepdf
    reads it, opened by the first call and kept there for the next."""
    import pikepdf

    try:
        if not opened:
            opened.append(pikepdf.open(io.BytesIO(doc.tobytes())))
        holders = [opened[0].pages[page.number].obj]
        seen: set = set()
        while holders:
            holder = holders.pop()
            key = holder.objgen if holder.is_indirect else id(holder)
            if key in seen or len(seen) > 500:
                continue
            seen.add(key)
            if isinstance(holder, pikepdf.Stream) or "/Contents" in holder:
                target = holder if isinstance(holder, pikepdf.Stream) else pikepdf.Page(holder)
                if any(isinstance(i, pikepdf.ContentStreamInlineImage) for i in pikepdf.parse_content_stream(target)):
                    return False
            resources = holder.get("/Resources")
            if not isinstance(resources, pikepdf.Dictionary):
                continue
            for name in ("/XObject", "/Pattern"):
                for child in (resources.get(name) or {}).values() if isinstance(resources.get(name),
                                                                                   pikepdf.Dictionary) else ():
                    if isinstance(child, pikepdf.Dictionary) and "/Shading" in child:  # a shading pattern
                        if not _plain(child.Shading):
                            return False
                    elif isinstance(child, pikepdf.Stream) and child.get("/Subtype") != "/Image":
                        holders.append(child)
            shadings = resources.get("/Shading")
            if isinstance(shadings, pikepdf.Dictionary) and not all(_plain(sh) for sh in shadings.values()):
                return False
        return True
    except Exception:  # noqa: BLE001 - what cannot be read is not passed
        return False


def _plain(shading) -> bool:
    import pikepdf

    if not isinstance(shading, pikepdf.Dictionary) or int(shading.get("/ShadingType", 0)) not in _GRADIENT_TYPES:
        return False
    functions = shading.get("/Function")
    functions = list(functions) if isinstance(functions, pikepdf.Array) else [functions]
    pending = list(functions)
    while pending:
        f = pending.pop()
        if not isinstance(f, pikepdf.Dictionary) or int(f.get("/FunctionType", -1)) not in _GRADIENT_FUNCTIONS:
            return False
        pending += list(f.get("/Functions") or []) if int(f.FunctionType) == 3 else []
    return True
