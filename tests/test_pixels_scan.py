"""A scan with a text layer (as OCRmyPDF writes it): a name found in the
invisible text is redacted in the picture's own pixels under the box as
drawn, pad included, also when the scan is drawn slightly turned (a skewed
page); verification checks exactly the pixels under the box, and still
catches pixels left there."""

from __future__ import annotations

import math

import numpy as np
import pikepdf
import pymupdf
import pytest
from pikepdf import Array, Dictionary, Name

from pdfkit import NEIGHBOUR, helvetica, neighbour_op, text_op
from redactor.verify.checks import Redaction, verify_file

SCALE = 4  #: pixels per point: the box's 0.5 pt pad is two pixels
X, Y, W, H = 60, 560, 400, 70  #: where the scan lies (points, PDF space)


def _scan(turn_deg: float) -> tuple[np.ndarray, bytes]:
    """Grey pixels with ink everywhere (stripes one pixel wide, so that
    any pixel left under a box shows), and the matrix drawing them."""
    px = np.full((H * SCALE, W * SCALE), 255, dtype=np.uint8)
    px[:, ::2] = 0
    px[::3, :] = 90
    c, s = math.cos(math.radians(turn_deg)), math.sin(math.radians(turn_deg))
    cm = f"q {W * c:.5f} {W * s:.5f} {-H * s:.5f} {H * c:.5f} {X} {Y} cm /Scan Do Q\n".encode()
    return px, cm


def scan_pdf(path, turn_deg: float = 0.0):
    pdf = pikepdf.new()
    px, cm = _scan(turn_deg)
    img = pdf.make_stream(px.tobytes(), Type=Name.XObject, Subtype=Name.Image, Width=W * SCALE, Height=H * SCALE,
                          ColorSpace=Name.DeviceGray, BitsPerComponent=8)
    # the OCR layer: invisible text over the picture
    layer = text_op("Statement of PC John Smith today", X + 20, Y + 30, size=14, extra="3 Tr")
    content = neighbour_op() + cm + layer
    pdf.pages.append(pikepdf.Page(Dictionary(
        Type=Name.Page, MediaBox=Array([0, 0, 612, 792]),
        Resources=Dictionary(Font=Dictionary(F1=helvetica(pdf)), XObject=Dictionary(Scan=img)),
        Contents=pdf.make_stream(content))))
    pdf.save(path)
    return path


def _under(doc: pymupdf.Document, box: pymupdf.Rect) -> np.ndarray:
    """The scan's pixels whose page footprint lies wholly in ``box``."""
    info = doc[0].get_image_info(xrefs=True)[0]
    pix = pymupdf.Pixmap(doc, info["xref"])
    arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, 0]
    m = pymupdf.Matrix(info["transform"])
    uu, vv = np.meshgrid((np.arange(pix.width) + 0.5) / pix.width, (np.arange(pix.height) + 0.5) / pix.height)
    x, y = uu * m.a + vv * m.c + m.e, uu * m.b + vv * m.d + m.f
    hx = (abs(m.a) / pix.width + abs(m.c) / pix.height) / 2
    hy = (abs(m.b) / pix.width + abs(m.d) / pix.height) / 2
    return arr[(x >= box.x0 + hx) & (x <= box.x1 - hx) & (y >= box.y0 + hy) & (y <= box.y1 - hy)]


@pytest.mark.parametrize("turn", [0.0, 1.5])
def test_every_pixel_under_the_drawn_box_is_blanked(tmp_path, redact, turn):
    src = scan_pdf(tmp_path / "scan.pdf", turn)
    result = redact(src)  # verification runs inside: it raised before (pad not blanked; a turned scan)
    [entry] = [e for e in result.entries if e.text == "John Smith"]
    out = pymupdf.open(result.output)
    assert NEIGHBOUR in out[0].get_text()
    for rect in entry.rects:
        under = _under(out, pymupdf.Rect(rect))
        assert under.size > 100 and (under == under[0]).all(), "pixels under the drawn box still vary"
    assert "John Smith" not in out[0].get_text()


def test_verification_still_catches_pixels_left_under_a_box_on_a_turned_scan(tmp_path):
    src = scan_pdf(tmp_path / "scan.pdf", 1.5)
    box = (X + 40, 792 - Y - 50, X + 120, 792 - Y - 30)
    report = verify_file(src, [Redaction(1, [box], "", "S40(2)", kind="area")])
    assert any("were not blanked" in p for p in report.problems), report.problems
