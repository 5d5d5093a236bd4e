"""An invisible text layer (render mode 3) over OCR'd pictures of the
output, so a released scan stays searchable and can be read aloud.

The layer is made from the OCR of the redacted page: the page's OCR words,
with every word a redaction box touches left out. Redaction changes no
pixel outside its boxes (see :mod:`redactor.redact.pixels`), so an OCR of
the redacted picture reads the same words there; under and beside the
boxes nothing is written. Verification then reads the layer like any other
text, and re-reads the redacted pictures around each box
(:mod:`redactor.verify.ocr`). In a tagged file the layer becomes a
``/Span`` element placed in reading order (:mod:`redactor.redact.tags`).
"""

from __future__ import annotations

import pymupdf

from redactor.text.page import PageText
from redactor.pdf.measure import text_length

FONT = "helv"
#: In a tagged file the layer is marked content of its own (given an MCID and an element later).
OCR_MARK = b"/Span <</RdxOcr true>> BDC"
#: A word this close to a box (points) is left out too.
MARGIN = 1.0


def words_of(page: PageText) -> list[tuple[str, pymupdf.Rect, bool]]:
    """(word, box, horizontal) for each word of an OCR PageText."""
    out, chars, boxes, horizontal = [], [], [], True
    for ch, g in list(zip(page.text, page.glyphs)) + [(" ", None)]:
        if g is None or ch.isspace():
            if chars:
                r = pymupdf.Rect(boxes[0])
                for b in boxes[1:]:
                    r |= b
                out.append(("".join(chars), r, horizontal))
            chars, boxes = [], []
            continue
        chars.append(ch)
        boxes.append(pymupdf.Rect(g.bbox))
        horizontal = g.horizontal
    return out


def add_layer(doc: pymupdf.Document, pages: list[PageText], boxes_by_page: dict[int, list]) -> int:
    """Write the layer on each page of ``pages`` (OCR text); return the
    number of words written."""
    written = 0
    tagged = doc.xref_get_key(doc.pdf_catalog(), "StructTreeRoot")[0] != "null"
    for text in pages:
        page = doc[text.index]
        boxes = [pymupdf.Rect(b) + (-MARGIN, -MARGIN, MARGIN, MARGIN) for b in boxes_by_page.get(text.number, [])]
        shape = page.new_shape()
        n = 0
        for word, r, horizontal in words_of(text):
            if r.is_empty or any(r.intersects(b) for b in boxes):
                continue
            safe = word.encode("cp1252", "replace").decode("cp1252")
            if horizontal:
                size = max(1.0, r.height * 0.85)
                length = text_length(safe, FONT, size) or 1.0
                point = pymupdf.Point(r.x0, r.y1 - 0.2 * r.height)
                shape.insert_text(point, safe, fontname=FONT, fontsize=size, render_mode=3,
                                  morph=(point, pymupdf.Matrix(r.width / length, 1)))
            else:
                size = max(1.0, r.width * 0.85)
                shape.insert_text(pymupdf.Point(r.x0 + 0.2 * r.width, r.y0), safe, fontname=FONT, fontsize=size,
                                  render_mode=3, rotate=90)
            n += 1
        if n:
            shape.commit(overlay=True)
            if tagged:  # redactor.redact.tags gives it an element, read where it lies on the page
                xref = page.get_contents()[-1]
                doc.update_stream(xref, OCR_MARK + b"\n" + doc.xref_stream(xref) + b"\nEMC\n")
        written += n
    return written
