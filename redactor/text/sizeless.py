"""Text drawn at no size: a font size of 0, ``0 Tz``, a zero text matrix
or a Form XObject drawn through a zero matrix.

No viewer shows it, and every extractor reads it: PDFium (Chrome's
select-all and search), poppler, MuPDF's plain text (a letter a line). MuPDF's
structured extraction, which the primary reading is, drops it, and leaves an
line with no span where it was
(:attr:`PageText.sizeless`): that line is the sign this reading looks for (no
cost on a page without one). MuPDF's text trace still holds the characters,
at the point where they are drawn: read from it, they are found like any
text, and the box round that point (redactor.text.page.DEGENERATE_PAD)
takes out every glyph drawn there.
"""

from __future__ import annotations

import pymupdf

from redactor.text.page import Glyph, PageText

SOURCE = "sizeless"
HIDDEN = "drawn at no size"


def read_page(page: pymupdf.Page) -> PageText | None:
    """The page's spans whose characters have no area, a line each (None if there are none)."""
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    line = 0
    for span in page.get_texttrace():
        chars = span.get("chars") or ()
        if not chars or not all(_no_area(c[3]) for c in chars):
            continue
        for c in chars:
            text.append(chr(c[0]) if c[0] > 0 else " ")
            glyphs.append(Glyph(tuple(float(v) for v in c[3]), line, float(span.get("size", 0.0)), True, HIDDEN))
        text.append("\n")
        glyphs.append(None)
        line += 1
    if not line:
        return None
    return PageText(index=page.number, text="".join(text), glyphs=glyphs, page_rect=tuple(page.rect),
                    lines=line, hidden_counts={HIDDEN: sum(not ch.isspace() for ch in text)}, images=[], source=SOURCE)


def _no_area(box) -> bool:
    return not (box[2] > box[0] and box[3] > box[1])
