"""Verification of each logged box: drawn, and with no text drawn before it
(hidden under it) inside; text drawn after it (its label) is allowed."""

from __future__ import annotations

import pymupdf

from redactor.verify.checks import Redaction, verify_file

BOX = (70, 90, 300, 110)


def _page(tmp_path, text_before: str, label_after: str = "") -> str:
    doc = pymupdf.open()
    page = doc.new_page()
    if text_before:
        page.insert_text((72, 105), text_before, fontsize=11)
    page.draw_rect(pymupdf.Rect(BOX), color=None, fill=(0, 0, 0))
    if label_after:
        page.insert_text((74, 104), label_after, fontsize=9, color=(1, 1, 1))
    page.insert_text((72, 300), "Nothing here is secret.", fontsize=11)
    path = tmp_path / "out.pdf"
    doc.save(path)
    return str(path)


def _check(path: str) -> list[str]:
    return verify_file(path, [Redaction(1, [list(BOX)], "", "S40(2)")]).problems


def test_text_under_a_box_is_found(tmp_path):
    problems = _check(_page(tmp_path, "Whitfield"))
    assert any("remains under a redaction box" in p and "Whitfield" in p for p in problems), problems


def test_a_label_drawn_over_the_box_is_not_a_leftover(tmp_path):
    assert _check(_page(tmp_path, "", label_after="S40(2)")) == []


def test_text_beside_the_box_is_not_under_it(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    page.draw_rect(pymupdf.Rect(BOX), color=None, fill=(0, 0, 0))
    page.insert_text((320, 105), "Whitfield", fontsize=11)
    path = tmp_path / "beside.pdf"
    doc.save(path)
    assert _check(str(path)) == []


def test_a_missing_box_is_reported(tmp_path):
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 105), "Whitfield", fontsize=11)
    path = tmp_path / "nobox.pdf"
    doc.save(path)
    assert any("no redaction box is drawn" in p for p in _check(str(path)))
