"""Picture of one page of a realworld run: input | output | difference.

The boxes of the log are outlined in red on the input; on the third panel
pixels that differ outside the boxes are red, inside them grey.

    python bench/realworld_show.py IN.pdf OUT.pdf LOG.jsonl PAGE [-o page.png] [--dpi 100]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realworld_compare as rc  # noqa: E402


def picture(input_pdf, output_pdf, log, page_no: int, dpi: int = 100, annots: bool = False) -> pymupdf.Pixmap:
    _, entries = rc.read_log(log)
    boxes = rc.boxes_by_page(entries)[0].get(page_no - 1, [])
    pin, pout = pymupdf.open(input_pdf)[page_no - 1], pymupdf.open(output_pdf)[page_no - 1]
    a, pix = rc._grey(pin, dpi, annots)
    b, _ = rc._grey(pout, dpi, annots)
    h, w = a.shape
    b = b[:h, :w] if b.shape[0] >= h and b.shape[1] >= w else np.pad(b, ((0, max(h - b.shape[0], 0)), (0, max(w - b.shape[1], 0))))
    grown = [(r[0] - rc.MASK_GROW, r[1] - rc.MASK_GROW, r[2] + rc.MASK_GROW, r[3] + rc.MASK_GROW) for r in boxes]
    mask = rc._mask(a.shape, pin, pix, grown, dpi)
    differ = np.abs(a.astype(np.int16) - b.astype(np.int16)) > rc.PIXEL_THRESHOLD
    left = np.repeat(a[:, :, None], 3, axis=2).copy()
    for r in boxes:  # outline the boxes
        m = rc._mask(a.shape, pin, pix, [r], dpi) & ~rc._mask(a.shape, pin, pix, [(r[0] + 1, r[1] + 1, r[2] - 1, r[3] - 1)], dpi)
        left[m] = (255, 0, 0)
    mid = np.repeat(b[:, :, None], 3, axis=2)
    right = np.full((h, w, 3), 255, dtype=np.uint8)
    right[differ & mask] = (160, 160, 160)
    right[differ & ~mask] = (255, 0, 0)
    gap = np.full((h, 6, 3), 80, dtype=np.uint8)
    img = np.ascontiguousarray(np.concatenate([left, gap, mid, gap, right], axis=1))
    return pymupdf.Pixmap(pymupdf.csRGB, img.shape[1], img.shape[0], img.tobytes(), False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input_pdf")
    ap.add_argument("output_pdf")
    ap.add_argument("log")
    ap.add_argument("page", type=int, help="1-based")
    ap.add_argument("-o", "--out", default="page.png")
    ap.add_argument("--dpi", type=int, default=100)
    ap.add_argument("--annots", action="store_true", help="render annotations and form fields too")
    o = ap.parse_args(argv)
    picture(o.input_pdf, o.output_pdf, o.log, o.page, o.dpi, o.annots).save(o.out)
    print(o.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
