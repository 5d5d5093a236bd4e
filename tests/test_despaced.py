"""The despaced reading: letters typed with spaces between them, joined into
the words poppler and a person read (the whole PDF case is in test_leaks)."""

from __future__ import annotations

import pytest

from redactor.text.despaced import despace
from redactor.text.page import Glyph, PageText


def page(text: str, advance: float = 6.0, wide: set[int] = frozenset()) -> PageText:
    """One line; each character ``advance`` wide, those at ``wide`` (space
    indexes) three times as wide."""
    glyphs, x, line = [], 72.0, 0
    for i, ch in enumerate(text):
        if ch == "\n":
            glyphs.append(None)
            line += 1
            x = 72.0
            continue
        w = advance * (3 if i in wide else 1)
        glyphs.append(Glyph((x, 100.0 + 14 * line, x + w, 110.0 + 14 * line), line, 10.0, True))
        x += w
    return PageText(index=0, text=text, glyphs=glyphs)


@pytest.mark.parametrize("typed, read", [
    ("O I C :  S e r g e a n t   M a r y   W h i t f i e l d\n", "OIC: Sergeant Mary Whitfield\n"),
    ("Call 0 7 7 0 0  9 0 0 4 6 1 today\n", "Call 07700 900461 today\n"),
    ("Heading\nB R I E F I N G\nNext line\n", "Heading\nBRIEFING\nNext line\n"),
])
def test_runs_of_single_letters_are_joined(typed, read):
    assert despace(page(typed)).text == read


@pytest.mark.parametrize("typed", [
    "An ordinary line with a word or two.\n",
    "x = y\n",  # two letters: a formula, not a word typed out
    "Plan A or B\n",
    "I am a PC\n",
])
def test_ordinary_text_has_no_despaced_reading(typed):
    assert despace(page(typed)) is None


def test_a_wider_gap_on_the_page_ends_a_word():
    typed = "M a r y W h i t e\n"  # one space everywhere; the gap after "y" drawn wider
    assert despace(page(typed, wide={7})).text == "Mary White\n"
    assert despace(page(typed)).text == "MaryWhite\n"  # even gaps: one word, as drawn


def test_a_word_found_there_is_boxed_over_its_letters():
    typed = "O I C :  M a r y   W h i t f i e l d\n"
    joined = despace(page(typed))
    start = joined.text.index("Mary")
    (box,) = joined.rects(start, start + len("Mary Whitfield"))
    first, last = page(typed).glyphs[typed.index("M")], page(typed).glyphs[typed.rindex("d")]
    assert box[0] == pytest.approx(first.bbox[0]) and box[2] == pytest.approx(last.bbox[2])
