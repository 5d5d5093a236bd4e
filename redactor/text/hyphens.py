"""A reading with words hyphenated across a line break joined again.

"Smeth-" at the end of one line and "urst" at the start of the next is one
word to a reader, and to a search for "Smethurst". This reading removes the
hyphen and the line break between two letters; the first part's last glyph
takes in the hyphen's box, so a box over the word covers the hyphen too.
"""

from __future__ import annotations

from redactor.text.page import Glyph, PageText, copy_glyphs, glyphs_like

SOURCE = "dehyphenated"
HYPHENS = "-\u00ad\u2010\u2011"


def dehyphenate(page: PageText) -> tuple[PageText, list[int]] | None:
    """The reading with hyphenated words joined and the lines (of the new
    reading) where words were joined, or None if there are none."""
    text, glyphs = page.text, page.glyphs
    joins = []
    for i, ch in enumerate(text):
        if ch != "\n" or i < 2:
            continue
        h = i - 1
        while h > 0 and text[h] in " \t":
            h -= 1
        n = i + 1
        while n < len(text) and text[n] in " \t":
            n += 1
        if text[h] in HYPHENS and h >= 1 and text[h - 1].isalpha() and n < len(text) and text[n].islower():
            joins.append((h, n))
    if not joins:
        return None
    out_text: list[str] = []
    out_glyphs = glyphs_like(glyphs)  # packed as they are copied (issue 14)
    joined_lines: list[int] = []
    pos = 0
    for h, n in joins:
        joined_lines.append(sum(part.count("\n") for part in out_text) + text[pos:h].count("\n"))
        out_text.append(text[pos:h])
        copy_glyphs(out_glyphs, glyphs, pos, h)
        last, hyphen = out_glyphs[-1], glyphs[h]
        if last is not None and hyphen is not None:
            out_glyphs[-1] = Glyph(_union(last.bbox, hyphen.bbox), last.line,
                                   last.size, last.horizontal, last.hidden, last.conf)
        pos = n
    out_text.append(text[pos:])
    copy_glyphs(out_glyphs, glyphs, pos, len(glyphs))
    return PageText(index=page.index, text="".join(out_text), glyphs=out_glyphs, page_rect=page.page_rect,
                    lines=page.lines, hidden_counts=page.hidden_counts, images=[], source=SOURCE), joined_lines


def _union(a, b):
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
