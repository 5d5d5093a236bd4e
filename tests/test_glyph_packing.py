"""Packed glyphs (issue 14): a page's glyphs read back exactly as they were put in."""

from __future__ import annotations

import pickle

import pymupdf
import pytest

from redactor.text.mupdf import extract_page
from redactor.text.page import Glyph, GlyphList, PageText

GLYPHS = [
    Glyph((10.5, 20.25, 16.125, 30.0), 0, 11.0, True),
    Glyph((16.125, 20.25, 22.0, 30.0), 0, 11.0, True, "white"),
    None,
    Glyph((5.0, 40.0, 15.0, 90.0), 1, 9.5, False, None, 0.875),
    Glyph((1, 2, 3, 4), 2, 12, True),  # ints, as a reader might give them: kept as they are
    Glyph((0.1, 0.2, 0.30000000000000004, 1e-300), 3, 0.0, True, "hidden under a drawn box"),
    None,
]


def test_reads_back_what_was_put_in():
    packed = GlyphList(GLYPHS)
    assert len(packed) == len(GLYPHS)
    assert list(packed) == GLYPHS and packed == GLYPHS
    for got, want in zip(packed, GLYPHS):
        if want is not None:
            assert [type(v) for v in got.bbox] == [type(v) for v in want.bbox]
            assert type(got.size) is type(want.size) and got.hidden == want.hidden and got.conf == want.conf
    for k in range(-len(GLYPHS), len(GLYPHS)):
        assert packed[k] == GLYPHS[k]
    for s in (slice(None), slice(1, 4), slice(-3, None), slice(5, 2), slice(0, 100), slice(None, None, 2)):
        assert packed[s] == GLYPHS[s]
    with pytest.raises(IndexError):
        packed[len(GLYPHS)]
    assert pickle.loads(pickle.dumps(packed)) == GLYPHS


def test_a_glyph_can_be_replaced():
    packed, plain = GlyphList(GLYPHS), list(GLYPHS)
    for k, g in ((0, Glyph((10.5, 20.25, 16.125, 30.0), 0, 11.0, True, "hidden under a drawn box")),
                 (-1, GLYPHS[0]), (2, GLYPHS[4]), (4, None), (3, GLYPHS[3])):
        packed[k] = g
        plain[k] = g
        assert list(packed) == plain
    assert packed != GLYPHS


def test_a_page_is_the_same_packed_or_not():
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Detective Sergeant Jane Okafor", fontsize=11)
    page.insert_text((300, 500), "rotated 07700 900123", fontsize=9, rotate=90)
    page.insert_text((72, 120), "white text", fontsize=11, color=(1, 1, 1))
    pt = extract_page(page)
    assert isinstance(pt.glyphs, GlyphList)
    plain = PageText(pt.index, pt.text, [], pt.page_rect, pt.lines)
    plain.glyphs = list(pt.glyphs)  # a plain list, as a reader builds it
    for start, end in ((0, len(pt.text)), (10, 18), (19, 30), (pt.text.index("07700"), pt.text.index("07700") + 12)):
        assert pt.rects(start, end) == plain.rects(start, end)
        assert pt.hidden_reason(start, end) == plain.hidden_reason(start, end)
    assert pt.hidden_reason(pt.text.index("white"), pt.text.index("white") + 5) == "white"
    assert pt.text_in((0, 0, 600, 100)) == plain.text_in((0, 0, 600, 100)) == "Detective Sergeant Jane Okafor"


def _state(packed: GlyphList) -> tuple:
    """What a packed list holds, field by field (the dicts by key, not order)."""
    return (bytes(packed._kind), list(packed._box), list(packed._size), list(packed._line), dict(packed._hidden),
            dict(packed._conf), dict(packed._odd))


@pytest.mark.parametrize("pieces", [[(0, 3), (3, 7)], [(1, 4), (5, 100)], [(2, 2), (-3, None), (0, 1)],
                                    [(6, 2), (4, 5), (0, 7)], [(None, None)]])
def test_copied_in_pieces_is_packing_the_pieces(pieces):
    """``extend_from`` (joining a page's lines again without making a Glyph
    of each) holds exactly what packing the same glyphs would."""
    source = GlyphList(GLYPHS)
    copied, plain = GlyphList([GLYPHS[1]]), [GLYPHS[1]]
    for start, end in pieces:
        copied.extend_from(source, start if start is not None else 0, end if end is not None else len(source))
        plain.extend(GLYPHS[start:end])
        copied.append(None)
        plain.append(None)
    assert _state(copied) == _state(GlyphList(plain)) and list(copied) == plain


def test_dehyphenated_and_excerpted_readings_are_the_same_packed_or_not():
    from redactor.text.hyphens import dehyphenate
    from redactor.text.views import excerpt

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Detective Sergeant Jane Oka-\nfor said the Smeth-\nurst file was", fontsize=11)
    page.insert_text((72, 200), "handed to PC Ward-\nrobe on the ninth", fontsize=11, color=(1, 1, 1))
    pt = extract_page(page)
    pt.glyphs[3] = Glyph(pt.glyphs[3].bbox, pt.glyphs[3].line, pt.glyphs[3].size, True, "hidden under a drawn box",
                         0.5)
    pt.glyphs[5] = Glyph((1, 2, 3, 4), 0, 11, True)  # kept as it is (ints)
    plain = PageText(pt.index, pt.text, [], pt.page_rect, pt.lines)
    plain.glyphs = list(pt.glyphs)  # not packed: the pieces are Glyphs, packed at the end
    joined, lines = dehyphenate(pt)
    joined_plain, lines_plain = dehyphenate(plain)
    assert "Okafor" in joined.text and "Smethurst" in joined.text and lines == lines_plain
    assert joined.text == joined_plain.text and _state(joined.glyphs) == _state(joined_plain.glyphs)
    for wanted in ([0], [1, 3], [2, 40]):
        a, b = excerpt(pt, wanted), excerpt(plain, wanted)
        assert a.text == b.text and _state(a.glyphs) == _state(b.glyphs)


def test_visible_characters_counted_packed_are_counted_glyph_by_glyph():
    """OCR's plan counts each page's visible characters from the packed
    glyphs; the count is the one made glyph by glyph."""
    from redactor.text.ocr.select import visible_chars

    texts = ["ab cdef", "a", "", " \n\tx", "abcdefghij"]  # shorter, as long as and longer than the glyphs
    for text in texts:
        for glyphs in (GLYPHS, GLYPHS[::-1], GLYPHS[2:], [None] * 3):
            packed = PageText(0, text, list(glyphs))
            plain = PageText(0, text, [])
            plain.glyphs = list(glyphs)
            want = sum(1 for ch, g in zip(text, glyphs) if g is not None and not g.hidden and not ch.isspace())
            assert visible_chars(packed) == visible_chars(plain) == want
    assert visible_chars(PageText(0, "abcdefg", list(GLYPHS))) == 3  # hidden and line breaks are not counted
