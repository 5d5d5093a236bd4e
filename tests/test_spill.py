"""A list kept on disk (issue 14): what is read back is what was put in."""

from __future__ import annotations

import pickle

import pymupdf
import pytest

from redactor.spill import Spill
from redactor.text.mupdf import extract_page

ITEMS = [{"page": 1, "text": "Jane Okafor"}, None, ("tuple", 2.5), "x" * 70_000, [1, [2, [3]]]]


def test_reads_back_what_was_put_in():
    spill = Spill(ITEMS)
    assert len(spill) == len(ITEMS)
    assert list(spill) == ITEMS and spill == ITEMS and ITEMS == spill
    for k in range(-len(ITEMS), len(ITEMS)):
        assert spill[k] == ITEMS[k]
    for s in (slice(None), slice(1, 4), slice(-2, None), slice(4, 1), slice(None, None, 2)):
        assert spill[s] == ITEMS[s]
    with pytest.raises(IndexError):
        spill[len(ITEMS)]
    assert spill + ["more"] == ITEMS + ["more"] and ["more"] + spill == ["more"] + ITEMS


def test_a_record_read_is_a_copy_until_put_back():
    spill = Spill(ITEMS)
    record = spill[0]
    record["text"] = "changed"
    assert spill[0] == ITEMS[0]
    spill[0] = record
    assert spill[0]["text"] == "changed" and spill[1:] == ITEMS[1:]
    spill.append("last")
    assert spill[-1] == "last" and len(spill) == len(ITEMS) + 1


def test_pickles_as_a_list():
    copy = pickle.loads(pickle.dumps(Spill(ITEMS)))
    assert type(copy) is list and copy == ITEMS


def test_a_page_read_back_is_the_same_page():
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Detective Sergeant Jane Okafor 07700 900123", fontsize=11)
    pt = extract_page(page)
    spill = Spill([pt])
    back = spill[0]
    assert back is not pt and back == pt
    assert back.rects(10, 20) == pt.rects(10, 20) and list(back.glyphs) == list(pt.glyphs)
