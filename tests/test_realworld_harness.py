"""The realworld harness's "nothing lost" comparison can fail and can pass.

Two outputs of one input are built here with PyMuPDF: one that differs
only under the box, one that lost a word and a filled path outside it.
The comparison must find nothing in the first and both losses in the
second. Then the whole harness runs the real console script on a folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pymupdf
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import realworld  # noqa: E402
import realworld_compare as rc  # noqa: E402

SECRET = "AB123456C"
SECRET_AT = (150, 200)  # baseline origin of the redacted word


def _image_bytes() -> bytes:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 16, 16), False)
    for x in range(16):
        for y in range(16):
            pix.set_pixel(x, y, (x * 16, y * 16, 128))
    return pix.tobytes("png")


def build(path: Path, *, secret=True, black_box=False, drop_word=False, drop_path=False, shift=0.0,
          recolour=False, drop_frame=False) -> Path:
    """A page with words, line art and an image; variants for the outputs."""
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=400)
    page.insert_text((50, 100), "Keep" if not drop_word else "", fontsize=11)
    page.insert_text((90, 100), "these words here", fontsize=11)
    page.insert_text((50, 200), "NI number", fontsize=11)
    if secret:
        page.insert_text(SECRET_AT, SECRET, fontsize=11)
    page.insert_text((220 + shift, 200), "after", fontsize=11)  # right of the box, same line
    if black_box:
        page.draw_rect(pymupdf.Rect(148, 190, 210, 203), color=None, fill=(0, 0, 0))
    if not drop_path:
        page.draw_rect(pymupdf.Rect(50, 250, 200, 280), color=None, fill=(0, 0, 1) if not recolour else (1, 0, 0))
    page.draw_line((50, 300), (350, 300), color=(0, 0.5, 0), width=1)
    if not drop_frame:  # a frame around the line of the secret: its bbox holds the box
        page.draw_rect(pymupdf.Rect(40, 180, 300, 215), color=(0.5, 0.5, 0.5), width=0.5)
    page.insert_image(pymupdf.Rect(250, 50, 330, 130), stream=_image_bytes())
    doc.save(path)
    return path


def write_log(path: Path, boxes: list[list[float]], page: int = 1) -> Path:
    recs = [{"type": "header", "pages": 1},
            {"type": "redaction", "page": page, "rects": boxes, "category": "ni_number", "rule": "test.rule",
             "text": SECRET},
            {"type": "end", "entries": 1}]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    return path


@pytest.fixture
def case(tmp_path):
    src = build(tmp_path / "in.pdf")
    words = [w for w in pymupdf.open(src)[0].get_text("words") if w[4] == SECRET]
    box = [round(v, 2) for v in words[0][:4]]
    return src, write_log(tmp_path / "log.jsonl", [box]), tmp_path


def test_only_under_the_box_changed_is_nothing_lost(case):
    src, log, tmp = case
    out = build(tmp / "good.pdf", secret=False, black_box=True)
    t = rc.compare_files(src, out, log)["totals"]
    assert t["words_checked"] >= 6 and t["paths_checked"] >= 2 and t["images_checked"] == 1
    assert (t["words_lost"], t["words_shifted"], t["paths_lost"], t["paths_changed"], t["images_lost"]) == (0, 0, 0, 0, 0)
    assert t["paths_touching_removed"] == 0 and t["words_grazed_lost"] == 0
    assert t["pages_over_pixel_target"] == 0 and t["pixel_diff"] == 0


def test_word_and_path_removed_outside_the_box_are_lost(case):
    src, log, tmp = case
    out = build(tmp / "bad.pdf", secret=False, black_box=True, drop_word=True, drop_path=True)
    rec = rc.compare_files(src, out, log)
    t = rec["totals"]
    assert t["words_lost"] == 1 and t["paths_lost"] == 1
    assert t["pages_over_pixel_target"] == 1  # a 150 x 30 pt fill is far more than one row of pixels
    page = rec["pages"][0]
    assert page["words"]["lost_examples"][0]["text"] == "Keep"
    assert page["paths"]["lost_examples"][0]["fill"] == (0.0, 0.0, 1.0)


def test_moved_word_right_of_the_box_is_shifted_and_recoloured_path_is_changed(case):
    src, log, tmp = case
    out = build(tmp / "shift.pdf", secret=False, black_box=True, shift=-8, recolour=True)
    t = rc.compare_files(src, out, log)["totals"]
    assert (t["words_shifted"], t["words_lost"]) == (1, 0)
    assert (t["paths_changed"], t["paths_lost"]) == (1, 0)
    assert t["pages_over_pixel_target_shift_masked"] <= t["pages_over_pixel_target"]


def test_box_on_another_page_does_not_excuse_a_loss(case):
    src, _, tmp = case
    words = [w for w in pymupdf.open(src)[0].get_text("words") if w[4] == "Keep"]
    log = write_log(tmp / "elsewhere.jsonl", [list(words[0][:4])], page=2)
    out = build(tmp / "bad.pdf", drop_word=True)
    assert rc.compare_files(src, out, log)["totals"]["words_lost"] == 1


def test_image_replaced_outside_the_box_is_lost(case):
    src, log, tmp = case
    out = build(tmp / "img.pdf", secret=False, black_box=True)
    doc = pymupdf.open(out)
    xref = doc[0].get_images()[0][0]
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 16, 16), False)
    pix.clear_with(200)
    doc[0].replace_image(xref, pixmap=pix)
    doc.save(tmp / "img2.pdf")
    assert rc.compare_files(src, tmp / "img2.pdf", log)["totals"]["images_lost"] == 1


def test_under_needs_more_than_a_grazing_overlap():
    box = (100, 100, 200, 120)
    assert rc.under((150, 105, 170, 115), box)  # inside
    assert not rc.under((150, 119.5, 170, 130), box)  # grazes the bottom by 0.5 pt
    assert rc.under((150, 110, 170, 130), box)  # half covered
    assert rc.under((0, 110, 400, 110), box)  # a hairline crossing the box
    assert not rc.under((0, 130, 400, 130), box)


def test_harness_runs_the_console_script_over_a_folder(tmp_path):
    pdfs = tmp_path / "pdfs"
    (pdfs / "sub").mkdir(parents=True)
    build(pdfs / "sub" / "letter.pdf")
    (pdfs / "broken.pdf").write_bytes(b"this is not a PDF at all")
    (pdfs / "SOURCES.csv").write_text("file,label\nletter.pdf,\nbroken.pdf,deliberately-broken\n")
    results = tmp_path / "results"
    assert realworld.main([str(pdfs), "--results", str(results), "--redact-arg=--no-nlp", "--timeout", "120"]) == 0
    data = json.loads((results / "realworld.json").read_text())
    recs = {r["file"]: r for r in data["files"]}
    assert set(recs) == {"broken.pdf", "sub/letter.pdf"}
    broken, letter = recs["broken.pdf"], recs["sub/letter.pdf"]
    assert broken["exit"] == 3 and "not a PDF" in broken["message"] and broken["label"] == "deliberately-broken"
    assert letter["exit"] == 0 and letter["input_unchanged"] and letter["peak_rss_mb"] > 0
    assert letter["redactions"] >= 1 and letter["compare"]["page_count_kept"]
    assert data["summary"]["outcomes"] == {"exit 0": 1}
    assert data["summary"]["outcomes_broken_on_purpose"] == {"exit 3": 1}
    assert "Nothing lost" in (results / "summary.md").read_text()


def test_dense_small_segments_pair_with_their_own_counterpart(tmp_path):
    """A plot of 0.6 pt segments (an ECG trace): neighbours lie within the
    tolerance of each other, yet every segment has its exact counterpart."""
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    for i in range(300):
        x = 250 - i * 0.6
        y = 100 + (3 if i % 7 == 0 else 0) + (0.5 if i % 2 else 0)
        page.draw_line((x, y), (x - 0.6, 100 + (0.5 if i % 3 else 0)), color=(0, 0, 1), width=0.5)
    doc.save(tmp_path / "plot.pdf")
    log = write_log(tmp_path / "log.jsonl", [[10, 10, 20, 20]])
    t = rc.compare_files(tmp_path / "plot.pdf", tmp_path / "plot.pdf", log)["totals"]
    assert t["paths_checked"] == 300 and t["paths_lost"] == 0


def test_frame_around_the_box_deleted_whole_is_collateral(case):
    src, log, tmp = case
    out = build(tmp / "frame.pdf", secret=False, black_box=True, drop_frame=True)
    t = rc.compare_files(src, out, log)["totals"]
    assert t["paths_touching_removed"] == 1 and t["paths_lost"] == 0
    assert t["pages_over_pixel_target"] == 1


def test_squeezed_word_is_lost_even_when_its_letters_stay_inside_its_box(tmp_path):
    """A footer whose letters drift (an inherited character spacing): all of
    them still lie inside the word's old box, none at its old place."""
    url = "<http://example.org/get-it/now>"
    for name, size in (("in.pdf", 10), ("out.pdf", 9.6)):
        doc = pymupdf.open()
        doc.new_page(width=400, height=200).insert_text((40, 100), url, fontsize=size, fontname="cour")
        doc.save(tmp_path / name)
    log = write_log(tmp_path / "log.jsonl", [[300, 150, 320, 160]])
    assert rc.compare_files(tmp_path / "in.pdf", tmp_path / "in.pdf", log)["totals"]["words_lost"] == 0
    assert rc.compare_files(tmp_path / "in.pdf", tmp_path / "out.pdf", log)["totals"]["words_lost"] == 1


def _log(path: Path, rect: list[float], drawn: str = "box") -> Path:
    recs = [{"type": "header", "pages": 1},
            {"type": "redaction", "page": 1, "rects": [rect], "category": "ni_number", "rule": "test.rule",
             "text": SECRET, "id": "f1", "drawn": drawn}]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    return path


def test_text_removed_beyond_a_fixed_width_box_is_excused_by_the_keep_layout_log(case):
    """The glyph-width defence draws a box narrower than the text it removed,
    and after another box on its line, moved (here 6 pt left of the text):
    the log of a --keep-layout run says where the text was."""
    src, wide_log, tmp = case
    wide = json.loads(wide_log.read_text().splitlines()[1])["rects"][0]
    drawn = [wide[0] - 6, wide[1], wide[0] + 14, wide[3]]
    narrow = _log(tmp / "narrow.jsonl", drawn)
    wide_same_id = _log(tmp / "wide.jsonl", wide)
    out = build(tmp / "narrow.pdf", secret=False)
    doc = pymupdf.open(out)
    doc[0].draw_rect(pymupdf.Rect(drawn), color=None, fill=(0, 0, 0))
    doc.save(tmp / "narrow2.pdf")
    alone = rc.compare_files(src, tmp / "narrow2.pdf", narrow)["totals"]
    assert alone["words_grazed_lost"] == 1  # the letters beyond the drawn box look lost
    both = rc.compare_files(src, tmp / "narrow2.pdf", narrow, wide_same_id)["totals"]
    assert both["words_grazed_lost"] == 0 and both["words_lost"] == 0 and both["pages_over_pixel_target"] == 0


def test_text_removed_beyond_a_fixed_width_box_is_excused_by_where_the_log_found_it(case):
    """The log's found.rects (the text before layout) say where its glyphs
    were removed from, with no second run needed; a word beyond them is
    still lost."""
    src, wide_log, tmp = case
    wide = json.loads(wide_log.read_text().splitlines()[1])["rects"][0]
    drawn = [wide[0] - 6, wide[1], wide[0] + 14, wide[3]]
    log = _log(tmp / "narrow.jsonl", drawn)
    recs = [json.loads(line) for line in log.read_text().splitlines()]
    recs[1]["found"] = {"rects": [wide], "span": [0, len(SECRET)]}
    log.write_text("".join(json.dumps(r) + "\n" for r in recs))
    doc = pymupdf.open(build(tmp / "narrow.pdf", secret=False))
    doc[0].draw_rect(pymupdf.Rect(drawn), color=None, fill=(0, 0, 0))
    doc.save(tmp / "narrow2.pdf")
    totals = rc.compare_files(src, tmp / "narrow2.pdf", log)["totals"]
    assert totals["words_grazed_lost"] == 0 and totals["words_lost"] == 0 and totals["pages_over_pixel_target"] == 0
    doc = pymupdf.open(build(tmp / "dropped.pdf", secret=False, drop_word=True))
    doc[0].draw_rect(pymupdf.Rect(drawn), color=None, fill=(0, 0, 0))
    doc.save(tmp / "dropped2.pdf")
    assert rc.compare_files(src, tmp / "dropped2.pdf", log)["totals"]["words_lost"] == 1


def test_hidden_text_removed_where_it_showed_is_counted(tmp_path):
    """Text removed as hidden under someone else's box (no box of ours drawn)
    must not have been visible: pixels there must not change."""
    src = build(tmp_path / "in.pdf", black_box=True)  # the box is drawn over the text: hidden
    rect = [round(v, 2) for v in [w for w in pymupdf.open(src)[0].get_text("words") if w[4] == SECRET][0][:4]]
    log = _log(tmp_path / "log.jsonl", rect, drawn="nothing")
    hidden = rc.compare_files(src, build(tmp_path / "out.pdf", secret=False, black_box=True), log)["totals"]
    assert hidden["pages_hidden_text_removed_visibly"] == 0 and hidden["words_lost"] == 0
    shown = build(tmp_path / "in2.pdf")  # no box: the text showed
    out = build(tmp_path / "out2.pdf", secret=False)
    seen = rc.compare_files(shown, out, log)["totals"]
    assert seen["pages_hidden_text_removed_visibly"] == 1 and seen["pixels_hidden_text_removed_visibly"] > 20
