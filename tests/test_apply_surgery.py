"""Apply removes exactly what lies under a box, and its boxes do not give
away how long the removed text was (the glyph-width defence)."""

from __future__ import annotations

import io
import json

import pikepdf
import pymupdf
import pytest
from pikepdf import Array, Dictionary, Name

from pdfkit import NEIGHBOUR, assert_gone, make_pdf, neighbour_op, text_op
from redactor.pdf.content import read_page
from redactor.pipeline import RunOptions
from redactor.redact.apply import ApplyOptions, Box
from redactor.redact.apply import redact as apply_boxes


def _page_content(path) -> bytes:
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        page.contents_coalesce()
        return page.obj.Contents.read_bytes()


def _boxes(result) -> list:
    return [json.loads(line)["rects"] for line in result.log.read_text().splitlines()
            if json.loads(line).get("type") == "redaction"]


LINES = [
    b"BT /F1 11 Tf 72 700 Td (Contact PC %s today about the burglary in Camden.) Tj ET\n",
    # word by word: every word placed with its own Td, as some producers do
    b"BT /F1 11 Tf 72 680 Td (Ring) Tj 26 0 Td (PC) Tj 17 0 Td (%s) Tj %d 0 Td (after) Tj 28 0 Td (ten.) Tj ET\n",
    # kerned pieces in one TJ
    b"BT /F1 11 Tf 72 660 Td [(Seen by PC )-20(%s)-20( at the station.)] TJ ET\n",
]


def _named(tmp_path, name: str):
    """The same page with another name; a producer placing words one by one
    puts the next word a space after the name."""
    gap = round(pymupdf.get_text_length(name + " ", fontname="helv", fontsize=11), 3)
    content = neighbour_op()
    for line in LINES:
        content += line.replace(b"%s", name.encode()).replace(b"%d", str(gap).encode())
    return make_pdf(tmp_path / f"{name.replace(' ', '_')}.pdf", [content])


def test_two_names_of_different_lengths_give_identical_pages(tmp_path, redact):
    long = _named(tmp_path, "Jonathan Smethurst")
    short = _named(tmp_path, "Jon Li")
    a, b = redact(long, out=tmp_path / "a.pdf"), redact(short, out=tmp_path / "b.pdf")
    assert len([f for f in a.findings if f.category == "person_name"]) == 3
    assert_gone(a.output, "Jonathan Smethurst")
    assert_gone(b.output, "Jon Li")
    assert _page_content(a.output) == _page_content(b.output), "the page content still depends on the name"
    assert _boxes(a) == _boxes(b)
    text = pymupdf.open(a.output)[0].get_text()
    for words in ("today about the burglary in Camden.", "after", "ten.", "at the station."):
        assert words in text, f"{words!r} was lost"


def test_keep_layout_boxes_follow_the_text(tmp_path, redact):
    """The control: without the defence the two pages differ (the test above can fail)."""
    options = RunOptions(apply=ApplyOptions(glyph_width_defence=False))
    a = redact(_named(tmp_path, "Jonathan Smethurst"), options, out=tmp_path / "a.pdf")
    b = redact(_named(tmp_path, "Jon Li"), options, out=tmp_path / "b.pdf")
    assert _page_content(a.output) != _page_content(b.output)
    assert _boxes(a) != _boxes(b)
    from redactor.account.schedule import KEEP_LAYOUT_NOTE

    assert KEEP_LAYOUT_NOTE in a.schedule.with_suffix(".html").read_text(), "the schedule does not warn"


def test_text_after_the_box_moves_other_columns_do_not(tmp_path, redact):
    content = neighbour_op() + text_op("Officer PC Jonathan Smethurst attended", 72, 600) \
        + text_op("Column two stays", 400, 600)
    result = redact(make_pdf(tmp_path / "in.pdf", [content]))
    before = {w[4]: w for w in pymupdf.open(tmp_path / "in.pdf")[0].get_text("words")}
    after = {w[4]: w for w in pymupdf.open(result.output)[0].get_text("words")}
    assert after["Column"][:4] == pytest.approx(before["Column"][:4], abs=0.01)
    assert after["attended"][0] < before["attended"][0] - 20, "the text after the box did not close up"
    assert after["attended"][1] == pytest.approx(before["attended"][1], abs=0.01)


def test_a_fixed_width_box_stops_before_a_column_set_beside_big_letters(tmp_path, redact):
    """A signature's appearance: a name in big letters, a second column of
    small text beside it (not on the name's line: it does not move). The
    defended box is four ems of the big letters wide: cut short before that
    column, whose words stay where they were, whole and selectable."""
    content = (neighbour_op() + text_op("Officer", 72, 640, size=22) + text_op("PC Jon Li", 72, 610, size=22)
               + text_op("Date: 2019.09.27", 190, 622, size=9) + text_op("20:54:52 +09'00'", 190, 612, size=9))
    src = make_pdf(tmp_path / "in.pdf", [content])
    result = redact(src)
    assert_gone(result.output, "Jon Li")
    before = {w[4]: w for w in pymupdf.open(src)[0].get_text("words")}
    page = pymupdf.open(result.output)[0]
    after = {w[4]: w for w in page.get_text("words")}
    for word in ("Date:", "2019.09.27", "20:54:52", "+09'00'"):
        assert after[word][:4] == pytest.approx(before[word][:4], abs=0.01), f"{word!r} was lost or moved"
    black = [d["rect"] for d in page.get_drawings() if d.get("fill") == (0.0, 0.0, 0.0)]
    assert black and all(r.x1 < before["Date:"][0] for r in black), black


def test_a_fixed_width_box_stops_before_a_photograph_or_a_rule_beside_the_name(tmp_path, redact):
    """A caption's name with the photograph right after it, a table cell's
    name with the cell's rule right after it: the defended box (four ems of
    22-point letters) stops before both; the picture and the rule stay
    whole and uncovered."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 200), "Officer on the left", fontsize=22)
    page.insert_text((72, 240), "PC Jon Li", fontsize=22)
    end = 72 + pymupdf.get_text_length("PC Jon Li", fontname="helv", fontsize=22)
    photo = pymupdf.Rect(end + 8, 215, end + 88, 295)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.set_rect(pix.irect, (20, 160, 60))
    page.insert_image(photo, pixmap=pix)
    page.insert_text((72, 330), "Cell: PC Amy Clarke", fontsize=22)
    rule = 72 + pymupdf.get_text_length("Cell: PC Amy Clarke", fontname="helv", fontsize=22) + 6
    page.draw_line((rule, 305), (rule, 340), color=(0, 0, 0), width=1)
    page.insert_text((rule + 8, 330), "next cell", fontsize=10)
    src = tmp_path / "in.pdf"
    doc.save(src)
    result = redact(src)
    assert_gone(result.output, "Jon Li", neighbour=None)
    assert_gone(result.output, "Amy Clarke", neighbour=None)
    before, after = pymupdf.open(src)[0], pymupdf.open(result.output)[0]
    assert [i["digest"] for i in before.get_image_info(hashes=True)] == \
        [i["digest"] for i in after.get_image_info(hashes=True)], "the photograph changed"
    black = [d["rect"] for d in after.get_drawings() if d.get("fill") == (0.0, 0.0, 0.0)]
    assert len(black) == 2, black
    assert not any(r.intersects(photo) for r in black), (black, photo)
    assert all(r.x1 < rule - 0.4 for r in black), (black, rule)
    assert any(d.get("color") == (0.0, 0.0, 0.0) and d["rect"].x0 == pytest.approx(rule - 0.5, abs=0.6)
               for d in after.get_drawings()), "the rule was lost"


def test_nothing_outside_the_box_is_lost(tmp_path, redact):
    """Tight leading, a table rule and a frame through the line, a background
    fill and a filled shape beside the name, an image on the page: all stay."""
    doc = pymupdf.open()
    page = doc.new_page()
    shape = page.new_shape()
    shape.draw_rect(pymupdf.Rect(50, 180, 560, 260))  # a background band containing the line
    shape.finish(fill=(0.9, 0.9, 1.0), color=None)
    shape.draw_circle((90, 221), 6)  # a bullet next to the name
    shape.finish(fill=(0.8, 0.1, 0.1), color=None)
    shape.draw_line((60, 224), (540, 224))  # a rule through the line
    shape.finish(color=(0.3, 0.3, 0.3), width=0.5)
    shape.draw_rect(pymupdf.Rect(100, 208, 420, 228))  # a frame around the line
    shape.finish(color=(0, 0, 0), width=0.8)
    shape.commit()
    page.insert_text((110, 208), "Above: Bdfhklt and more words", fontsize=12)
    page.insert_text((110, 220), "Officer PC John Smith attended", fontsize=12)
    page.insert_text((110, 232), "Below: gjpqy and more words", fontsize=12)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.set_rect(pix.irect, (20, 160, 60))
    page.insert_image(pymupdf.Rect(450, 300, 530, 380), pixmap=pix)
    src = tmp_path / "in.pdf"
    doc.save(src)
    result = redact(src)
    assert_gone(result.output, "John Smith", neighbour=None)
    before, after = pymupdf.open(src)[0], pymupdf.open(result.output)[0]
    words = {w[4] for w in after.get_text("words")}
    for w in ("Above:", "Bdfhklt", "Below:", "gjpqy", "Officer", "PC", "attended"):
        assert w in words, f"{w!r} was lost"
    kept = [(d["type"], d.get("fill"), d.get("color"), tuple(round(v, 1) for v in d["rect"]))
            for d in before.get_drawings()]
    now = [(d["type"], d.get("fill"), d.get("color"), tuple(round(v, 1) for v in d["rect"]))
           for d in after.get_drawings()]
    for d in kept:
        assert d in now, f"a path was lost or changed: {d}"
    assert [i["digest"] for i in before.get_image_info(hashes=True)] == \
        [i["digest"] for i in after.get_image_info(hashes=True)], "the image changed"


def test_a_huge_font_ascender_takes_nothing_from_other_lines(tmp_path, redact):
    """A font whose descriptor claims letters 3 lines tall (seen in magazines):
    boxes stay the height of the line and the lines around keep every word."""

    def res(pdf):
        desc = pdf.make_indirect(Dictionary(Type=Name.FontDescriptor, FontName=Name("/Tallish"), Flags=32,
                                            FontBBox=Array([-200, -1500, 1200, 3000]), Ascent=3000, Descent=-1500,
                                            CapHeight=700, StemV=80, ItalicAngle=0))
        font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/Tallish"),
                                            FirstChar=32, LastChar=126, Widths=Array([500] * 95),
                                            FontDescriptor=desc, Encoding=Name.WinAnsiEncoding))
        return {"Font": {"F2": font}}

    lines = ["Associate Professor of Genetics", "Contact PC John Smith today", "presented the Veterinary award"]
    content = neighbour_op() + b"".join(text_op(t, 72, 600 - 11 * i, size=10, font="/F2") for i, t in enumerate(lines))
    result = redact(make_pdf(tmp_path / "in.pdf", [content], resources=res))
    text = " ".join(pymupdf.open(result.output)[0].get_text().split())
    assert "Associate Professor of Genetics" in text and "presented the Veterinary award" in text
    assert "John Smith" not in text and "Contact PC" in text and "today" in text
    for rects in _boxes(result):
        for x0, y0, x1, y1 in rects:
            assert y1 - y0 <= 1.2 * 10 + 0.01, "a box is taller than its line"


def test_a_font_redactor_cannot_measure_falls_back_safely(tmp_path, redact):
    """No /Widths and not a standard font: MuPDF removes the text, the box
    keeps its width, the log says so, and the neighbours stay."""

    def res(pdf):
        font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/Mystery"),
                                            Encoding=Name.WinAnsiEncoding))
        return {"Font": {"F3": font}}

    content = neighbour_op() + text_op("Contact PC John Smith today", 72, 600, font="/F3") \
        + text_op("Another line stays whole", 72, 560, font="/F3")
    result = redact(make_pdf(tmp_path / "in.pdf", [content], resources=res))
    assert_gone(result.output, "John Smith")
    text = " ".join(pymupdf.open(result.output)[0].get_text().split())
    assert "Another line stays whole" in text and "today" in text
    header = json.loads(result.log.read_text().splitlines()[0])
    assert header["pages_without_defence"] == {"1": "font Mystery has no /Widths and is not a standard font"}
    assert "On page 1 some redaction boxes are as wide" in result.schedule.with_suffix(".html").read_text()


def test_form_on_three_pages_redacted_on_one_keeps_the_others(tmp_path):
    """A Form XObject drawn on three pages and redacted on one is copied for
    that page: the other pages still show it."""
    from redactor.detect.findings import Finding
    from redactor.ingest.document import open_pdf
    from redactor.pipeline import Marks, _apply_and_write
    from redactor.text.mupdf import extract_document

    pages = [neighbour_op() + b"q /Fx Do Q" for _ in range(3)]
    src = make_pdf(tmp_path / "in.pdf", pages)
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        font = pdf.pages[0].Resources.Font.F1
        form = pdf.make_stream(text_op("Visiting officer PC John Smith", 72, 500), Type=Name.XObject,
                               Subtype=Name.Form, BBox=Array([0, 0, 612, 792]),
                               Resources=Dictionary(Font=Dictionary(F1=font)))
        for page in pdf.pages:
            page.Resources.XObject = Dictionary(Fx=form)
        pdf.save(src)
    doc = open_pdf(src)
    pages = extract_document(doc.doc)
    start = pages[0].text.index("John Smith")
    f = Finding(page=1, start=start, end=start + 10, text="John Smith", category="person_name",
                exemption="S40(2)", rule="test", confidence=1.0, rects=pages[0].rects(start, start + 10))
    out = tmp_path / "out.pdf"
    f.status = "accepted"
    # as if a reviewer had kept the other pages' mentions (rejected them there)
    _apply_and_write(doc, [f], Marks(), out, RunOptions(), {}, pages, kept=["John Smith"])
    red = pymupdf.open(out)
    assert "John Smith" not in red[0].get_text()
    assert "John Smith" in red[1].get_text() and "John Smith" in red[2].get_text()
    assert NEIGHBOUR in red[0].get_text()


def test_a_page_measured_in_bigger_user_units_gets_its_boxes_where_the_text_is(tmp_path, redact):
    """/UserUnit 4: a poster's page counts in units of four points. The box,
    its label and the removed text are placed as every viewer shows them."""
    def unit(pdf, page, i):
        page.UserUnit = 4

    src = make_pdf(tmp_path / "in.pdf", [neighbour_op(180) + text_op("Contact PC John Smith today", 20, 100, size=4)],
                   mediabox=(0, 0, 400, 200), page_extra=unit)
    before = pymupdf.open(src)[0]
    [where] = before.search_for("John Smith")
    result = redact(src)  # verification inside it found no box drawn there before
    assert_gone(result.output, "John Smith")
    page = pymupdf.open(result.output)[0]
    assert page.rect == before.rect == pymupdf.Rect(0, 0, 1600, 800)
    boxes = [d["rect"] for d in page.get_drawings() if d.get("fill") == (0.0, 0.0, 0.0)]
    # where the name began, on its line (its width hides the name's length)
    assert len(boxes) == 1 and abs(boxes[0].x0 - where.x0) < 2, (boxes, where)
    assert where.y0 - 1 < (boxes[0].y0 + boxes[0].y1) / 2 < where.y1 + 1 and 0.5 * where.width < boxes[0].width < 2 * where.width
    shown = page.get_text("dict", flags=pymupdf.TEXT_IGNORE_ACTUALTEXT)  # the label's glyphs, not what it says
    labels = [s for b in shown["blocks"] for ln in b.get("lines", []) for s in ln["spans"] if "S40" in s["text"]]
    assert labels and all(boxes[0].contains(pymupdf.Rect(s["bbox"])) for s in labels), labels


def test_footnote_marks_move_with_their_line(tmp_path, redact):
    """Superscript marks (smaller, raised: affiliations, footnotes) belong
    to their line: when a fixed-width box moves the text after it, the
    marks move too; left behind they would stand inside the next words,
    or under the next box and be removed."""
    y = 600
    parts = [("Authors: PC John Smith", None), ("*", 7), (", then DC Mary Jones", None), ("+", 7),
             (", and Ann Lee", None), ("#", 7), (" wrote it.", None)]
    body, x = b"", 72.0
    for text, small in parts:
        size = small or 12
        body += text_op(text, x, y + (4 if small else 0), size=size)
        x += pymupdf.get_text_length(text, fontname="helv", fontsize=size)
    src = make_pdf(tmp_path / "in.pdf", [neighbour_op() + body])

    def spans(path):
        page = pymupdf.open(path)[0]
        return [(s["text"], pymupdf.Rect(s["bbox"])) for b in page.get_text("dict")["blocks"]
                for ln in b.get("lines", []) for s in ln["spans"] if abs(s["bbox"][1] - 180) < 15]

    result = redact(src)
    assert {"John Smith", "Mary Jones"} <= {f.text for f in result.findings}
    before, after = spans(src), spans(result.output)
    marks = {t: r for t, r in after if t in "*+#"}
    assert set(marks) == {"*", "+", "#"}, after  # none removed under a box
    boxes = [d["rect"] for d in pymupdf.open(result.output)[0].get_drawings() if d.get("fill") == (0.0, 0.0, 0.0)]
    # each mark still sits right before the text that followed it, as in the input
    for mark, follower in (("*", ", then"), ("+", ", and"), ("#", " wrote")):
        gap_in = next(r for t, r in before if t.startswith(follower)).x0 - next(r for t, r in before if t == mark).x1
        gap_out = next(r for t, r in after if t.startswith(follower)).x0 - marks[mark].x1
        assert abs(gap_out - gap_in) < 0.5, (mark, gap_in, gap_out)
        assert not any(b.intersects(marks[mark] + (0.5, 0.5, -0.5, -0.5)) for b in boxes), mark


@pytest.mark.parametrize("big, size", [("A", 72), ("INVOICE", 24)])
def test_one_big_glyph_on_a_baseline_does_not_join_the_lines_around_it(tmp_path, redact, big, size):
    """A figure's label or a heading in one column shares a baseline with a
    line of small text in the other. The small lines above and below are not
    that line's superscripts: the text after the box moves along its own line
    only, and every word on the other lines stays where it was (before, they
    were moved along the lines they were taken to belong to, and some ended
    under the box and were removed)."""
    lines = [("References and further reading", 510), ("[1] Taco Hoekwater wrote LuaTeX in 2007.", 500),
             ("[2] Officer PC John Smith wrote it too.", 490), ("28(3):312-313, May 1984 issue.", 480)]
    content = neighbour_op() + text_op(big, 40, 500, size=size)
    content += b"".join(text_op(text, 320, y, size=10) for text, y in lines)
    src = make_pdf(tmp_path / "in.pdf", [content])
    result = redact(src)
    assert_gone(result.output, "John Smith")

    def words(path):
        return [(w[4], w[:4]) for w in pymupdf.open(path)[0].get_text("words")]

    before, after = words(src), words(result.output)
    name_line = [w for w in before if abs(w[1][3] - (792 - 490)) < 4]
    others = [w for w in before if w not in name_line]
    for text, rect in others:
        assert any(t == text and r == pytest.approx(rect, abs=0.01) for t, r in after), f"{text!r} was moved or lost"
    kept = {t: r for t, r in after}
    assert kept["too."][1] == pytest.approx(dict(name_line)["too."][1], abs=0.01)  # on its line, moved along it
_SLASH_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Slash def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfchar <36> <0338> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _negation_slash_pdf(path):
    """TeX's "not equal": a negation slash that does not advance (CMSY10's
    code 54, U+0338) drawn on the "=" after a kern. MuPDF reports the slash
    at the end of the glyph before the kern, with a zero-width box."""
    def resources(pdf):
        slash = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                             FirstChar=54, LastChar=54, Widths=Array([0]),
                                             ToUnicode=pdf.make_stream(_SLASH_CMAP)))
        return {"Font": {"F2": slash}}

    line = b"BT /F1 11 Tf 72 700 Td [(Sei mit A)-300] TJ /F2 11 Tf (6) Tj /F1 11 Tf (= B. Dann gilt das.) Tj ET\n"
    return make_pdf(path, [neighbour_op() + line], resources=resources)


def _slashes_drawn(doc) -> int:
    with pikepdf.open(io.BytesIO(doc.tobytes())) as pdf:
        reading = read_page(pdf.pages[0])
        return sum(1 for g in reading.glyphs if g.key == 54 and g.font_op[0] == "/F2")


def test_a_moved_zero_advance_glyph_is_not_taken_for_a_leftover(tmp_path):
    """The fixed-width box over "Sei" moves "A≠" under the next box's old
    place; the slash kept its own text but MuPDF reports it elsewhere than
    it is drawn (zero width): it is kept, not called a leftover."""
    src = _negation_slash_pdf(tmp_path / "neq.pdf")
    doc = pymupdf.open(src)
    page = doc[0]
    boxes = [Box(page=1, rect=tuple(page.search_for(t)[0]), label="S40(2)", ref=t)
             for t in ("Sei", "B. Dann gilt")]
    out = apply_boxes(doc, boxes).doc
    out.save(tmp_path / "out.pdf")
    assert_gone(tmp_path / "out.pdf", "B. Dann gilt")
    text = " ".join(out[0].get_text().split())
    assert "mit A\u0338 =" in text and "das." in text, text
    assert "Sei" not in text
    assert _slashes_drawn(out) == 1, "the negation slash is no longer drawn"


def test_a_zero_advance_glyph_under_a_box_goes(tmp_path):
    src = _negation_slash_pdf(tmp_path / "neq.pdf")
    doc = pymupdf.open(src)
    page = doc[0]
    boxes = [Box(page=1, rect=tuple(page.search_for(t)[0]), label="S40(2)", ref=t) for t in ("Sei", "A\u0338 =")]
    out = apply_boxes(doc, boxes).doc
    assert "\u0338" not in out[0].get_text()
    assert _slashes_drawn(out) == 0


def _kerned_pdf(tmp_path, name: str = "Jonathan Smethurst"):
    """A comma and an apostrophe kerned back into the name before them (the
    TJ numbers), so that their centres lie just past the name's last letter,
    in the pad a text box is given, as a book set in Caslon has it."""
    content = neighbour_op() + (
        b"BT /F1 11 Tf 72 700 Td [(Officer PC %s)110(, who attended, said so.)] TJ ET\n"
        b"BT /F1 11 Tf 72 680 Td [(It was PC %s)90(\\222s car, parked outside.)] TJ ET\n"
    ).replace(b"%s", name.encode())
    return make_pdf(tmp_path / "kerned.pdf", [content])


@pytest.mark.parametrize("defend", [True, False])
def test_punctuation_kerned_into_a_redacted_name_stays(tmp_path, redact, defend):
    src = _kerned_pdf(tmp_path)
    page = pymupdf.open(src)[0]
    chars = [c for b in page.get_text("rawdict")["blocks"] for ln in b["lines"] for s in ln["spans"]
             for c in s["chars"]]
    for k, c in enumerate(chars):  # the test's premise: each mark's centre is past the name, within 0.5 pt
        if c["c"] in ",\u2019" and chars[k - 1]["c"] == "t":
            centre = (c["bbox"][0] + c["bbox"][2]) / 2
            assert 0.05 < centre - chars[k - 1]["bbox"][2] < 0.5, c
    options = None if defend else RunOptions(apply=ApplyOptions(glyph_width_defence=False))
    result = redact(src, options)
    assert len([f for f in result.findings if f.category == "person_name"]) == 2
    assert_gone(result.output, "Jonathan Smethurst")
    text = " ".join(pymupdf.open(result.output)[0].get_text().split())
    assert ", who attended, said so." in text, text
    assert "\u2019s car, parked outside." in text, text


def test_a_letter_in_the_pad_of_a_box_still_goes(tmp_path):
    """The control: a box a little short of its name's last letter (another
    reading's geometry) still takes that letter; only punctuation is spared."""
    src = _kerned_pdf(tmp_path)
    doc = pymupdf.open(src)
    hit = doc[0].search_for("Jonathan Smethurst")[0]
    chars = [c for b in doc[0].get_text("rawdict")["blocks"] for ln in b["lines"] for s in ln["spans"]
             for c in s["chars"]]
    last = next(c for k, c in enumerate(chars) if c["c"] == "t" and chars[k + 1]["c"] == ",")
    centre = (last["bbox"][0] + last["bbox"][2]) / 2
    short = (hit.x0, hit.y0, centre - 0.3, hit.y1)  # the "t"'s centre lies in the box's pad only
    result = apply_boxes(doc, [Box(page=1, rect=short, label="s40(2)")])
    line = next(ln for ln in result.doc[0].get_text().splitlines() if "Officer" in ln)
    assert "Smethurs" not in line and "t, who" not in line and ", who attended" in line, line


def _direct_font(base: str) -> Dictionary:
    return Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name("/" + base), Encoding=Name.WinAnsiEncoding)


def test_fonts_written_inside_the_resources_are_told_apart():
    """Three fonts written as direct objects, used in turn: each glyph is
    measured with its own font (the "i" of Helvetica, Courier and Times at
    10 pt: 2.22, 6 and 2.78 pt), and the key a font is known by does not come from the Python
    object wrapping it: a wrapper freed after one use may hand its id to
    the next font's."""
    from redactor.pdf.content import font_key

    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(612, 792))
    page.obj.Resources = Dictionary(Font=Dictionary(F1=_direct_font("Helvetica"), F2=_direct_font("Courier"),
                                                    F3=_direct_font("Times-Roman")))
    page.obj.Contents = pdf.make_stream(b"".join(
        b"BT /F%d 10 Tf 72 %d Td (iiii) Tj ET " % (1 + k % 3, 700 - 20 * k) for k in range(6)))
    reading = read_page(pdf.pages[0])
    assert [round(g.advance[0], 2) for g in reading.glyphs][::4] == [2.22, 6.0, 2.78] * 2
    fonts = page.obj.Resources.Font
    first = font_key(fonts.F1)
    del fonts  # the wrappers go; new ones are made below
    assert font_key(page.obj.Resources.Font.F2) != first
    assert font_key(page.obj.Resources.Font.F1) == first


def test_the_fixed_width_boxes_push_no_word_off_the_page(tmp_path, redact):
    """A line that fills a narrow page: the fixed-width boxes moved its last
    words past the page's edge, where no viewer shows them (helper 31)."""
    src = tmp_path / "narrow.pdf"
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    line = "PC 12 Li saw it; the van left at 14:05 from the depot gates"
    page.insert_text((300 - 4 - pymupdf.get_text_length(line, "helv", 10), 50), line, fontsize=10)
    doc.save(src)
    out = pymupdf.open(redact(src).output)[0]
    words = {w[4]: w for w in out.get_text("words", clip=pymupdf.Rect(-1e4, -1e4, 1e4, 1e4))}
    for word in ("saw", "depot", "gates"):
        assert words[word][2] <= out.rect.width + 0.01, (word, words[word])
    assert "Li" not in words


@pytest.mark.parametrize("show", [b"12 Tf 10 Tz 72 600 Td", b"12 Tf -1 0 0 1 400 600 Tm", b"12 Tf 1 0 0 -1 72 600 Tm"],
                         ids=["condensed-10-Tz", "mirrored", "upside-down"])
def test_condensed_mirrored_and_upside_down_text_is_redacted(tmp_path, redact, show):
    """Condensed type ("10 Tz"), mirrored and upside-down text: the boxes
    read from MuPDF missed the letters (a third of their height, or the
    wrong side of the baseline), and verification refused each file
    (helper 31)."""
    line = b"Contact PC 4521 Jonathan Smethurst on 07700 900123"
    src = make_pdf(tmp_path / "in.pdf", [neighbour_op() + b"BT /F1 " + show + b" (" + line + b") Tj ET\n"])
    result = redact(src)  # verifies, or raises
    assert {"Jonathan Smethurst", "07700 900123"} <= {f.text for f in result.findings}
    assert_gone(result.output, "Smethurst")
    assert_gone(result.output, "07700 900123")


def test_a_box_of_no_height_gets_no_label():
    """A box round text drawn at a size of 1e-22 pt has no height: its label's
    size was worked out by dividing by zero (exit 1, a fuzzed file)."""
    from redactor.redact.boxes import label_size

    assert label_size((390.0, 162.0, 390.0, 162.0), "S40(2)", 0) == 0.0
    assert label_size((72.0, 100.0, 200.0, 112.0), "S40(2)", 0) > 0
