"""Text drawn at no size: a font size of 0, ``0 Tz``, a zero text matrix
or a Form XObject drawn through a zero matrix.

No viewer shows it, and every extractor reads it: PDFium (Chrome's
select-all and search), poppler, MuPDF's plain text (a letter a line). MuPDF's
structured extraction, which the primary reading is, drops it, and leaves a
line with no span where it was (:attr:`PageText.sizeless`): that line is
the sign this reading looks for (no cost on a page without one). MuPDF's text trace still holds the characters,
at the point where they are drawn: read from it, they are found like any
text, and the box round that point (:data:`PAD`) takes out every glyph
drawn there.
"""

from __future__ import annotations

import math

import pymupdf

from redactor.text.page import Glyph, PageText

SOURCE = "sizeless"
HIDDEN = "drawn at no size"
#: how far (pt) a box reaches round a character drawn at no size
PAD = 1.0


def read_page(page: pymupdf.Page) -> PageText | None:
    """The page's spans as MuPDF's trace has them, a line each (None if there
    are none): detection sees only the lines the primary reading lacks
    (redactor.text.views). A character with no area gets a box
    :data:`PAD` round where it is drawn."""
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    line = 0
    for span in page.get_texttrace():
        chars = span.get("chars") or ()
        if not chars:
            continue
        for c in chars:
            x0, y0, x1, y1 = (float(v) for v in c[3])
            if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or x1 < x0 or y1 < y0:
                continue
            hidden = None if x1 > x0 and y1 > y0 and span.get("size") else HIDDEN
            if not (x1 > x0 and y1 > y0):
                x0, y0, x1, y1 = x0 - PAD, y0 - PAD, x1 + PAD, y1 + PAD
            text.append(chr(c[0]) if c[0] > 0 else " ")
            glyphs.append(Glyph((x0, y0, x1, y1), line, float(span.get("size", 0.0)), True, hidden))
        text.append("\n")
        glyphs.append(None)
        line += 1
    if not line:
        return None
    unseen = sum(1 for ch, g in zip(text, glyphs) if g is not None and g.hidden and not ch.isspace())
    return PageText(index=page.number, text="".join(text), glyphs=glyphs, page_rect=tuple(page.rect),
                    lines=line, hidden_counts={HIDDEN: unseen}, images=[], source=SOURCE)

