"""Rendered difference of two pages outside the redaction boxes."""

from __future__ import annotations

import numpy as np
import pymupdf

from realworld_geometry import Rect

MASK_GROW = 2.0  #: points the boxes grow by before pixels are compared
PIXEL_THRESHOLD = 24  #: grey levels (of 255) a pixel must differ by
DPI = 72


def _grey(page: pymupdf.Page, dpi: int, annots: bool = False) -> tuple[np.ndarray, pymupdf.Pixmap]:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False, annots=annots)
    a = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, :pix.width]
    return a, pix


def _mask(shape, page: pymupdf.Page, pix: pymupdf.Pixmap, rects: list[Rect], dpi: int) -> np.ndarray:
    """Boolean mask of ``rects`` (unrotated page space) on the rendered page."""
    m = np.zeros(shape, dtype=bool)
    mat = page.rotation_matrix * pymupdf.Matrix(dpi / 72, dpi / 72)
    for r in rects:
        q = pymupdf.Rect(r) * mat
        x0, y0 = int(np.floor(q.x0)) - pix.x, int(np.floor(q.y0)) - pix.y
        x1, y1 = int(np.ceil(q.x1)) - pix.x, int(np.ceil(q.y1)) - pix.y
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, shape[1]), min(y1, shape[0])
        if x1 > x0 and y1 > y0:
            m[y0:y1, x0:x1] = True
    return m


def pixel_diff(page_in: pymupdf.Page, page_out: pymupdf.Page, boxes: list[Rect], dpi: int = DPI,
               threshold: int = PIXEL_THRESHOLD, grow: float = MASK_GROW, annots: bool = False) -> dict:
    """Pixels that differ outside the boxes; ``annots`` renders annotations
    and form fields too (what a reader sees), otherwise page content only."""
    a, pix = _grey(page_in, dpi, annots)
    b, _ = _grey(page_out, dpi, annots)
    width = a.shape[1]
    if a.shape != b.shape:
        return {"diff": int(a.size), "diff_shift_masked": int(a.size), "rows": a.shape[0], "rows_shift_masked": a.shape[0],
                "width_px": width, "size_changed": True}
    grown = [(r[0] - grow, r[1] - grow, r[2] + grow, r[3] + grow) for r in boxes]
    lines = [(r[2], r[1], 1e6, r[3]) for r in grown]  # the box's text line, right of the box
    differ = np.abs(a.astype(np.int16) - b.astype(np.int16)) > threshold
    box_mask = _mask(a.shape, page_in, pix, grown, dpi)
    d1 = differ & ~box_mask
    d2 = d1 & ~_mask(a.shape, page_in, pix, lines, dpi)
    n1, n2 = int(d1.sum()), int(d2.sum())
    out = {"diff": n1, "diff_shift_masked": n2, "rows": round(n1 / width, 2), "rows_shift_masked": round(n2 / width, 2),
           "width_px": width}
    if n1:
        ys, xs = np.nonzero(d1)
        out["diff_bbox_pt"] = [round(float(v) * 72 / dpi, 1) for v in (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)]
    return out


def diff_inside(page_in: pymupdf.Page, page_out: pymupdf.Page, rects: list[Rect], dpi: int = DPI,
                threshold: int = PIXEL_THRESHOLD, annots: bool = False) -> int:
    """Pixels that differ inside ``rects``: where text said to be hidden
    under someone else's box was removed, any difference means it showed."""
    a, pix = _grey(page_in, dpi, annots)
    b, _ = _grey(page_out, dpi, annots)
    if a.shape != b.shape or not rects:
        return 0
    differ = np.abs(a.astype(np.int16) - b.astype(np.int16)) > threshold
    return int((differ & _mask(a.shape, page_in, pix, rects, dpi)).sum())
