"""Where filled paths look like letters (text drawn as curves), read by OCR
with --ocr auto; the whole PDF case is in test_leaks."""

from __future__ import annotations

import pymupdf

from pdfkit import make_pdf, outlined_op, text_op
from redactor.pdf.curves import text_like_regions


def regions(tmp_path, content: bytes) -> list[pymupdf.Rect]:
    return text_like_regions(pymupdf.open(make_pdf(tmp_path / "c.pdf", [content]))[0])


def test_a_line_of_outlined_letters_is_one_region(tmp_path):
    found = regions(tmp_path, outlined_op("Inspector Jones", 100, 500))
    assert len(found) == 1
    r = found[0]
    # page space, y down: the line's baseline is at 792 - 500
    assert r.x0 < 100 < r.x1 and r.y0 < 292 < r.y1 and r.width > 90


def test_two_lines_far_apart_are_two_regions(tmp_path):
    found = regions(tmp_path, outlined_op("Gareth Jones", 72, 600) + outlined_op("Mobile 07700", 72, 300))
    assert len(found) == 2


def test_bars_text_and_a_large_shape_are_not_letters(tmp_path):
    bars = b"0.2 g " + b" ".join(f"{80 + 14 * i} 400 10 {8 + i} re".encode() for i in range(12)) + b" f\n"
    disc = b"0 0 1 rg 300 300 m 300 355 345 400 400 400 c 455 400 500 355 500 300 c 500 245 455 200 400 200 c h f\n"
    assert regions(tmp_path, bars + disc + text_op("A chart of the year", 72, 700)) == []


def test_a_word_of_three_letters_is_too_short(tmp_path):
    assert regions(tmp_path, outlined_op("Ops", 100, 500)) == []


def test_stroked_outlines_are_letters_too(tmp_path):
    """Hollow lettering (outlines stroked, not filled) reads as letters to a person."""
    assert len(regions(tmp_path, outlined_op("Inspector Jones", 100, 500, stroked=True))) == 1


def test_letters_up_the_page_are_a_line_too(tmp_path):
    """A label drawn up the page (a chart's axis, a margin stamp): its letters
    stack on a column, not along a row; they were never read."""
    turned = b"q 0 1 -1 0 300 100 cm " + outlined_op("Mobile 07700 900123", 0, 0) + b" Q\n"
    found = regions(tmp_path, turned)
    assert len(found) == 1 and found[0].height > 3 * found[0].width, found
