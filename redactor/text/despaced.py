"""A reading with words typed letter-spaced joined again.

A heading or a name set as "S e r g e a n t   M a r y   W h i t f i e l d"
holds real space characters between its letters (typed so, or made by a
tool that tracks text out with spaces): MuPDF, and so the primary reading,
keeps them, and rules looking for "Mary Whitfield" find nothing. poppler
(pdftotext, most PDF viewers' copy and search) and a person read the words.
The positional reading does not help: it keeps every space the file draws.

This reading joins each run of single characters (three letters or more,
or four characters of any kind) split by single spaces into words; where
the gap between two of them is wider (two spaces or more, or a gap on the
page clearly wider than the run's letter gap) a word ends and one space
stays. The letters keep their glyphs; a box over a word found here covers
the spaces between its letters, which are drawn inside it.
"""

from __future__ import annotations

import regex

from redactor.text.page import PageText, copy_glyphs, glyphs_like

SOURCE = "despaced"
#: a run of single characters, each followed by white space within the line, ending in one
_RUN = regex.compile(r"(?<!\S)\S(?:[ \t]+\S(?!\S))+", regex.V1)
#: a gap this many times the run's narrowest one (plus a tenth of an em) ends a word
RUN_FACTOR = 1.4


def despace(page: PageText) -> PageText | None:
    """The reading with letter-spaced runs joined, or None if the page has
    none (then it reads as the primary reading does)."""
    text, glyphs = page.text, page.glyphs
    runs = [m for m in _RUN.finditer(text) if _spaced_out(m.group())]
    if not runs:
        return None
    out_text: list[str] = []
    out_glyphs = glyphs_like(glyphs)
    pos = 0
    for m in runs:
        out_text.append(text[pos:m.start()])
        copy_glyphs(out_glyphs, glyphs, pos, m.start())
        chars = [i for i in range(m.start(), m.end()) if not text[i].isspace()]
        breaks = _word_breaks(glyphs, chars)
        for k, i in enumerate(chars):
            if k and k in breaks:
                gap = chars[k - 1] + 1  # the first space after the previous letter stands for them all
                out_text.append(text[gap])
                out_glyphs.append(glyphs[gap])
            out_text.append(text[i])
            out_glyphs.append(glyphs[i])
        pos = m.end()
    out_text.append(text[pos:])
    copy_glyphs(out_glyphs, glyphs, pos, len(glyphs))
    return PageText(index=page.index, text="".join(out_text), glyphs=out_glyphs, page_rect=page.page_rect,
                    lines=page.lines, hidden_counts=page.hidden_counts, images=[], source=SOURCE)


def _spaced_out(run: str) -> bool:
    """Three letters or more, or four characters of any kind, one by one."""
    chars = run.split()
    return sum(ch.isalpha() for ch in chars) >= 3 or len(chars) >= 4


def _word_breaks(glyphs, chars: list[int]) -> set[int]:
    """Indexes into ``chars`` that start a new word: after two spaces or
    more, or after a gap on the page clearly wider than the run's narrowest."""
    gaps: list[float | None] = [None]
    for a, b in zip(chars, chars[1:]):
        ga, gb = glyphs[a], glyphs[b]
        gaps.append(gb.bbox[0] - ga.bbox[2] if ga is not None and gb is not None and ga.line == gb.line else None)
    known = [g for g in gaps if g is not None]
    narrow = min(known) if known else None
    breaks = set()
    for k in range(1, len(chars)):
        if chars[k] - chars[k - 1] > 2:  # two spaces or more between them
            breaks.add(k)
            continue
        g, size = gaps[k], glyphs[chars[k]].size if glyphs[chars[k]] is not None else 0.0
        if g is not None and narrow is not None and g > RUN_FACTOR * max(narrow, 0.0) + 0.1 * size:
            breaks.add(k)
    return breaks
