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


@pytest.mark.parametrize("limit", [0, 200, 70_100, 1 << 30])
def test_records_in_memory_then_in_the_file_read_back_the_same(monkeypatch, limit):
    """The first records are kept in memory (pickled) until they outgrow
    ``IN_MEMORY``; then all go to the file: what is read back is the same
    either way, before and after the move, records put back included."""
    monkeypatch.setattr(Spill, "IN_MEMORY", limit)
    spill = Spill()
    expected = []
    for k, item in enumerate(ITEMS * 3):
        spill.append(item)
        expected.append(item)
        assert spill == expected and spill[k] == item
    spill[1] = "put back"
    expected[1] = "put back"
    assert list(spill) == expected and spill[-1] == expected[-1]
    assert (spill._file is None) == (limit == 1 << 30)  # a file only once the records outgrew memory
    copy = pickle.loads(pickle.dumps(spill))
    assert copy == expected
    spill.close()


def test_read_while_another_thread_puts_records_in(monkeypatch):
    """Detection's read-ahead reads a spill while OCR puts pages back: the
    move from memory to the file happens under the reader."""
    import threading

    monkeypatch.setattr(Spill, "IN_MEMORY", 50_000)
    spill = Spill(["a" * 1000] * 10)
    seen = []

    def read():
        for _ in range(200):
            seen.append(all(r == "a" * 1000 for r in spill[:10]))

    t = threading.Thread(target=read)
    t.start()
    for _ in range(200):
        spill.append("b" * 1000)
    t.join()
    assert all(seen) and spill._file is not None and spill[-1] == "b" * 1000 and len(spill) == 210
