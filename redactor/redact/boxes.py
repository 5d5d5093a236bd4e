"""Draw the boxes and their labels over a redacted page.

One content stream is appended to the page, after the page's own content
(wrapped in ``q``/``Q`` so nothing it leaves set changes what we draw). The
labels use a standard Helvetica under a private resource name, so a page
whose own ``/helv`` (or any name) is something else is not a problem.

Each label reads upright as the page is displayed (``/Rotate``), centred
in its box: where it sits depends on the box, never on what was removed.

What a screen reader hears is :mod:`redactor.redact.speech`'s business:
boxes are marked as artifacts; a label is an artifact with an empty
``/ActualText`` too where the text it replaces speaks in place, or else
carries the spoken phrase as its ``/ActualText`` (drawn invisibly when the
label does not fit or labels are off, so the box still speaks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pikepdf
import pymupdf

from redactor.pdf.content import invert, page_matrix, page_resources, user_unit
from redactor.pdf.content import apply as transform
from redactor.redact.speech import FONT_NAME, add_font
from redactor.pdf.measure import text_length

Rect = tuple[float, float, float, float]

MAX_LABEL_SIZE = 9.0
MIN_LABEL_SIZE = 4.0


@dataclass
class Drawn:
    """A box (or a label alone, on someone else's bar) to draw."""

    rect: Rect  #: PyMuPDF page space
    label: str
    box: bool = True  #: False: the label only
    #: what the label says to a screen reader; None: nothing (the phrase is spoken elsewhere)
    speech: str | None = None


def label_size(rect: Rect, label: str, rotation: int) -> float:
    """The label's font size in a box (0 when it does not fit)."""
    r = pymupdf.Rect(rect)
    across, tall = (r.height, r.width) if rotation in (90, 270) else (r.width, r.height)
    size = min(MAX_LABEL_SIZE, 0.75 * tall)
    if not size > 0:  # a box of no height (or none that is a number) has no room for a label
        return 0.0
    width = text_length(label, "helv", size)
    if width > across - 1:
        size = size * (across - 1) / width
    return size if size >= MIN_LABEL_SIZE else 0.0


def draw(pdf: pikepdf.Pdf, page: pikepdf.Page, items: list[Drawn], labels: bool = True) -> None:
    """Append the boxes and labels to ``page``."""
    if not items:
        return
    to_user = invert(page_matrix(page))
    unit = user_unit(page)  # label sizes are planned in points; the page may count in bigger units
    try:
        rotation = int(page.rotation) % 360  # inherited from the page tree too
    except Exception:  # noqa: BLE001 - a damaged /Rotate
        rotation = 0
    ops = []
    for it in items:
        if not it.box:
            continue
        x0, y0, x1, y1 = it.rect
        (ux0, uy0), (ux1, uy1) = transform(to_user, x0, y1), transform(to_user, x1, y0)
        ops.append(f"{_n(ux0)} {_n(uy0)} {_n(ux1 - ux0)} {_n(uy1 - uy0)} re f".encode())  # one path per box
    body = b""
    if ops:
        body += b"/Artifact BMC q 0 g " + b" ".join(ops) + b" Q EMC\n"
    for it in items:
        size = label_size(it.rect, it.label, rotation) if it.label and labels else 0.0
        if size:
            body += _label(it, it.label, size / unit, rotation, to_user, visible=True)
        elif it.speech:  # no visible label: the phrase is still there to be read
            body += _label(it, it.speech, _fit(it.rect, it.speech, rotation) / unit, rotation, to_user, visible=False)
    if not body:
        return
    add_font(pdf, page_resources(page, create=True))
    page.contents_coalesce()
    original = page.obj.Contents.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    page.obj.Contents = pdf.make_stream(b"q\n" + original + b"\nQ\n" + body)


def _fit(rect: Rect, text: str, rotation: int) -> float:
    r = pymupdf.Rect(rect)
    across, tall = (r.height, r.width) if rotation in (90, 270) else (r.width, r.height)
    width = text_length(text, "helv", 1.0)
    return max(0.1, min(0.75 * tall, across / width if width else 1.0))


def _label(it: Drawn, text: str, size: float, rotation: int, to_user, visible: bool) -> bytes:
    width = text_length(text, "helv", size)
    x0, y0, x1, y1 = it.rect
    cx, cy = transform(to_user, (x0 + x1) / 2, (y0 + y1) / 2)
    a = math.radians(rotation)
    d = (math.cos(a), math.sin(a))  # reading direction in user space, upright as displayed
    u = (-d[1], d[0])
    ox = cx - d[0] * width / 2 - u[0] * 0.35 * size
    oy = cy - d[1] * width / 2 - u[1] * 0.35 * size
    shown = pikepdf.String(text.encode("latin-1", "replace")).unparse()
    tm = f"{_n(d[0])} {_n(d[1])} {_n(u[0])} {_n(u[1])} {_n(ox)} {_n(oy)} Tm".encode()
    mode = b"" if visible else b"3 Tr "
    inner = (b"q 1 g BT " + mode + FONT_NAME.unparse() + f" {_n(size)} Tf ".encode() + tm + b" " + shown
             + b" Tj ET Q")
    if it.speech is None:  # an artifact that reads as nothing: its phrase is spoken in place of the text
        return b"/Artifact <</ActualText ()>> BDC " + inner + b" EMC\n"
    said = pikepdf.String(it.speech).unparse()
    return b"/Span <</ActualText " + said + b">> BDC " + inner + b" EMC\n"


def _n(v: float) -> str:
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
