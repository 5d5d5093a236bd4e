"""Blank image pixels under redaction boxes, in the images themselves.

A box over a picture must remove the picture's pixels, not hide them under
a drawing: :func:`redact_images` finds every image a box touches on a page
(drawn directly, inside Form XObjects, or inline), maps the box into the
image's pixels through its placement matrix and sets those pixels to one
value (black, or full ink) in the image object, with its soft mask (SMask)
and explicit mask set opaque there too. Pixels outside the box keep their
exact values: the image is re-encoded with Flate, losslessly (see
:mod:`redactor.redact.imagedata` for how each filter and colour space is
read). A born-digital page is never rasterised.

An image drawn more than once (on several pages, or twice on one) is
copied on write: only the placement under the box draws the blanked copy.
Placements that get the very same blanking (the same finding on every
page a logo or a scan is reused on) share one copy; an image whose every
use is blanked the same way is, in effect, replaced. Forms on the way to a
placement are copied the same way.

:func:`blank_image` is the entry point for one placement (given the image
object and its placement matrix, PyMuPDF page space, as
``page.get_image_info(xrefs=True)`` reports it as "transform").
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import pymupdf

from redactor.redact import imagedata, pdfobj
from redactor.redact.imagedata import ImageError, ImageInfo
from redactor.redact.placements import (Placement, PlacementError, inline_as_xobject, placements, repoint,
                                        use_counts)
from redactor import lazy

np = lazy.module("numpy")

Rect = tuple[float, float, float, float]
#: Pixels a box overlaps by less than this (in pixels) are left alone.
EPS = 1e-3


@dataclass
class _DocState:
    counts: dict[int, int]
    done: dict[tuple[int, str], int] = field(default_factory=dict)  #: (image, mask digest) -> blanked object
    blanked: int = 0
    copies: int = 0


_ATTR = "_redactor_pixels"  #: the state lives on the document it describes


def _state(doc: pymupdf.Document) -> _DocState:
    st = getattr(doc, _ATTR, None)
    if st is None:
        st = _DocState(counts=use_counts(doc))
        setattr(doc, _ATTR, st)
    return st


def redact_images(doc: pymupdf.Document, page: pymupdf.Page, rects: list) -> pymupdf.Page:
    """Blank the pixels under ``rects`` (page space) in every image drawn on
    ``page``. Returns the page, reloaded if its content changed."""
    boxes = [pymupdf.Rect(r) for r in rects]
    boxes = [b for b in boxes if not b.is_empty]
    if not boxes:
        return page
    try:
        found = placements(doc, page)
    except PlacementError as e:
        raise ImageError(f"page {page.number + 1}: {e}") from None
    for p in found:
        touched = [b for b in boxes if p.bbox.intersects(b)]
        if touched:
            page = blank_placement(doc, page, p, touched)
    return page


def blank_image(doc: pymupdf.Document, page: pymupdf.Page, xref: int, matrix, rects: list) -> pymupdf.Page:
    """Blank ``rects`` in image ``xref`` where it is drawn on ``page`` with
    placement ``matrix`` (unit square to page space); copy on write."""
    m = pymupdf.Matrix(matrix)
    for p in placements(doc, page):
        if p.xref == xref and all(abs(a - b) < 1e-3 * max(1.0, abs(b)) for a, b in zip(p.matrix, m)):
            return blank_placement(doc, page, p, [pymupdf.Rect(r) for r in rects])
    raise ImageError(f"page {page.number + 1}: image (object {xref}) is not drawn there with that matrix")


def pixel_mask(width: int, height: int, matrix: pymupdf.Matrix, boxes: list[pymupdf.Rect]) -> np.ndarray:
    """Pixels of a ``width`` × ``height`` image placed by ``matrix`` that a box touches."""
    mask = np.zeros((height, width), dtype=bool)
    if abs(matrix.a * matrix.d - matrix.b * matrix.c) < 1e-12:
        return mask
    inv = ~matrix
    axis_aligned = (abs(matrix.b) < 1e-9 and abs(matrix.c) < 1e-9) or (abs(matrix.a) < 1e-9 and abs(matrix.d) < 1e-9)
    for box in boxes:
        r = box.quad.transform(inv).rect  # the box in the unit square
        x0 = max(0, math.floor(r.x0 * width + EPS))  # a box that only grazes a pixel (float noise) leaves it
        x1 = min(width, math.ceil(r.x1 * width - EPS))
        y0 = max(0, math.floor(r.y0 * height + EPS))
        y1 = min(height, math.ceil(r.y1 * height - EPS))
        if x1 <= x0 or y1 <= y0:
            continue
        if axis_aligned:
            mask[y0:y1, x0:x1] = True
            continue
        # a rotated or sheared placement: pixels whose page-space extent meets the box
        us = (np.arange(x0, x1) + 0.5) / width
        vs = (np.arange(y0, y1) + 0.5) / height
        uu, vv = np.meshgrid(us, vs)
        px = uu * matrix.a + vv * matrix.c + matrix.e
        py = uu * matrix.b + vv * matrix.d + matrix.f
        hx = (abs(matrix.a) / width + abs(matrix.c) / height) / 2
        hy = (abs(matrix.b) / width + abs(matrix.d) / height) / 2
        inside = (px >= box.x0 - hx) & (px <= box.x1 + hx) & (py >= box.y0 - hy) & (py <= box.y1 + hy)
        mask[y0:y1, x0:x1] |= inside
    return mask


def blank_placement(doc: pymupdf.Document, page: pymupdf.Page, placement: Placement,
                    boxes: list[pymupdf.Rect]) -> pymupdf.Page:
    """Blank ``boxes`` in the image of one placement; return the page."""
    st = _state(doc)
    where = f"page {page.number + 1}: "
    xref = placement.xref
    if xref == 0:  # an inline image becomes an XObject drawn in its place
        xref = inline_as_xobject(doc, placement)
        st.counts[xref] = 1
    img = imagedata.info(doc, xref, where)
    mask = pixel_mask(img.width, img.height, placement.matrix, boxes)
    if not mask.any():
        return page
    key = (xref, hashlib.sha256(np.packbits(mask).tobytes()).hexdigest())
    target = st.done.get(key)
    if target is None:
        shared = st.counts.get(xref, 0) > 1
        target = pdfobj.new_object(doc, _plain(img.d), b"") if shared else xref
        st.copies += shared
        _blank_into(doc, img, target, mask, placement, boxes, where)
        st.done[key] = target
        st.blanked += 1
    if target != placement.xref:
        page = repoint(doc, page, placement, target, st.counts)
        if placement.xref:
            st.counts[placement.xref] = st.counts.get(placement.xref, 1) - 1
        st.counts[target] = st.counts.get(target, 0) + 1
    return page


def _plain(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("Length",)}


def _blank_into(doc: pymupdf.Document, img: ImageInfo, target: int, mask: np.ndarray, placement: Placement,
                boxes: list[pymupdf.Rect], where: str) -> None:
    """Write ``img`` with ``mask`` blanked into object ``target`` (``img``
    itself or a fresh copy of its dictionary), masks included."""
    new_smask = None
    if img.raw:
        if img.ncomp is None:
            raise ImageError(f"{where}image (object {img.xref}) has no usable colour space")
        rows = imagedata.read_raw(doc, img, where)
        imagedata.fill_raw(rows, img, mask, imagedata.dark_values(doc, img))
        imagedata.write_raw(doc, target, rows)
    else:
        pix = imagedata.read_pixmap(doc, img, where)
        px = imagedata.pixmap_array(pix)
        stencil = pix.colorspace is None  # a stencil mask decodes to one channel of coverage
        n = 1 if stencil else pix.n - pix.alpha
        if pix.alpha and not stencil:  # JPX with its own alpha: keep it as a soft mask, blanked (opaque) too
            alpha = px[:, :, n].copy()
            alpha[mask] = 255
            new_smask = pdfobj.new_object(doc, {"Type": pdfobj.Name("XObject"), "Subtype": pdfobj.Name("Image"),
                                                "Width": img.width, "Height": img.height,
                                                "ColorSpace": pdfobj.Name("DeviceGray"), "BitsPerComponent": 8},
                                          alpha.tobytes())
        px = px[:, :, :n]
        if img.image_mask:
            px[mask] = 255  # coverage: painted
        else:
            px[mask] = np.array({4: [0, 0, 0, 255]}.get(n, [0] * n), dtype=np.uint8)
        imagedata.write_pixels(doc, img, target, np.ascontiguousarray(px), n, new_smask)
    for key in ("SMask", "Mask"):
        ref = img.d.get(key)
        if key == "SMask" and new_smask:
            continue
        if isinstance(ref, pdfobj.Ref):
            blanked = _blank_mask(doc, ref.xref, placement, boxes, opaque=(key == "SMask"), where=where)
            if blanked:
                doc.xref_set_key(target, key, f"{blanked} 0 R")


def _blank_mask(doc: pymupdf.Document, xref: int, placement: Placement, boxes: list[pymupdf.Rect], opaque: bool,
                where: str) -> int | None:
    """A copy of a soft mask or explicit mask with the box region set to
    'painted, fully opaque'."""
    if pdfobj.get(doc, xref, "Subtype") != "Image":
        return None
    img = imagedata.info(doc, xref, where)
    mask = pixel_mask(img.width, img.height, placement.matrix, boxes)
    if not mask.any():
        return None
    copy = pdfobj.new_object(doc, _plain(img.d), b"")
    if img.raw and img.ncomp:
        rows = imagedata.read_raw(doc, img, where)
        top = (1 << img.bpc) - 1
        value = top if opaque else 0
        decode = pdfobj.resolve(doc, img.d.get("Decode"))
        if isinstance(decode, list) and len(decode) >= 2 and float(decode[0]) > float(decode[1]):
            value = top - value
        imagedata.fill_raw(rows, img, mask, [value] * img.ncomp)
        imagedata.write_raw(doc, copy, rows)
    else:
        pix = imagedata.read_pixmap(doc, img, where)
        px = imagedata.pixmap_array(pix)[:, :, :1]
        px[mask] = 255
        imagedata.write_pixels(doc, img, copy, np.ascontiguousarray(px), 1, None)
    return copy


def stats(doc: pymupdf.Document) -> tuple[int, int]:
    """(images blanked, of which copies made) so far in ``doc``."""
    st = getattr(doc, _ATTR, None)
    return (st.blanked, st.copies) if st else (0, 0)
