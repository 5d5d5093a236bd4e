"""The columns reading: a table's cells read under their column's header.

A resources table says "Call sign" once, in its header; the cells below
hold "TANGO 21", "Kilo 7" with nothing around them that says what they are.
Every reader reads them row by row (or column by column), so the rules that
need the words "call sign" before a call sign found none of them."""

from __future__ import annotations

import json
import shutil

import pymupdf
import pytest
from linekit import found

from redactor.text.columns import read_columns
from redactor.text.mupdf import extract_page
from redactor.text.page import Glyph, PageText

COLUMNS = (50, 150, 260, 420)
HEADER = ["Role", "Call sign", "Officer", "Channel"]
ROWS = [["Bronze", "TANGO 21", "PC 4471 Hughes", "TG 451"],
        ["Silver", "BX21", "PS Amy Clarke", "TG 452"],
        ["Support", "Kilo 7", "PC Dan Reed", "TG 451"]]


def table_pdf(path, header=HEADER, rows=ROWS, after: str | None = None):
    doc = pymupdf.open()
    page = doc.new_page()
    y = 80
    page.insert_text((50, y), "Operation Kestrel - deployment", fontsize=14)
    y += 30
    for x, h in zip(COLUMNS, header):
        page.insert_text((x, y), h, fontsize=10, fontname="hebo")
    page.draw_line((45, y + 4), (540, y + 4))
    for row in rows:
        y += 18
        for x, v in zip(COLUMNS, row):
            page.insert_text((x, y), v, fontsize=10)
    if after:
        page.insert_text((50, y + 30), after, fontsize=10)
    doc.save(path)
    return path


def columns_of(path) -> PageText | None:
    return read_columns(extract_page(pymupdf.open(path)[0]))


def test_each_cell_is_read_after_its_header(tmp_path):
    reading = columns_of(table_pdf(tmp_path / "t.pdf"))
    lines = reading.text.splitlines()
    assert "\n\n".join(line for line in lines if line) + "\n\n" == reading.text  # one cell a paragraph
    assert "Call sign: TANGO 21" in lines and "Call sign: Kilo 7" in lines and "Officer: PS Amy Clarke" in lines
    assert "Role: Operation Kestrel - deployment" not in lines  # the title above is no cell


def test_the_header_is_never_under_a_box(tmp_path):
    reading = columns_of(table_pdf(tmp_path / "t.pdf"))
    at = reading.text.index("Call sign: TANGO 21")
    assert reading.rects(at, at + len("Call sign")) == []  # the header's words alone: no box at all
    cell = reading.rects(at + len("Call sign "), at + len("Call sign: TANGO 21"))
    assert reading.rects(at, at + len("Call sign: TANGO 21")) == cell  # with the value: the value's box only
    assert len(cell) == 1 and cell[0][0] >= 150 - 1


def test_call_signs_under_a_header_are_redacted(tmp_path, redact, detector):
    src = table_pdf(tmp_path / "in.pdf")
    # the columns reading alone finds them: its header says what the cells hold (the primary reading may
    # find them too, now, where a talkgroup stands beside them in the row)
    assert {"TANGO 21", "Kilo 7"} <= {f.text for f in detector.find_in_pages([columns_of(src)])}
    result = redact(src)
    assert {"TANGO 21", "Kilo 7"} <= {f.text for f in result.findings}
    text = " ".join(pymupdf.open(result.output)[0].get_text().split())
    assert "TANGO" not in text and "Kilo 7" not in text
    for kept in ("Role", "Call sign", "Officer", "Channel", "Bronze", "Silver", "Support", "PC", "PS"):
        assert kept in text  # the headers and what no rule found stay


def test_a_table_ends_at_the_text_after_it(tmp_path):
    reading = columns_of(table_pdf(tmp_path / "t.pdf", after="Kilo 9 stands by at the rendezvous point."))
    assert not any("Kilo 9" in line for line in reading.text.splitlines())


def line_page(lines: list[tuple[float, str]]) -> PageText:
    """One line each, 14 points apart, starting at x."""
    return grid_page([[cell] for cell in lines], pitch=14.0)


@pytest.mark.parametrize("lines", [
    [(72, "An ordinary paragraph of prose, one line after another,"), (72, "with no gaps that split it into cells"),
     (72, "and nothing a table would have.")],
    [(72, "Call sign: TANGO 21"), (72, "Officer: PC Dan Reed")],  # labels on their lines: the rows read them
    [(72, "This first line is a long sentence"), (72, "and so is this one, which follows it")],
])
def test_no_table_no_reading(lines):
    assert read_columns(line_page(lines)) is None


@pytest.mark.parametrize("line, value, category", [
    ("PS Amy Clarke TG 452", "452", "radio_channel"),  # a talkgroup, not her shoulder number
    ("PS Amy Clarke Channel 452", "452", "radio_channel"),
])
def test_a_code_after_an_officer_is_what_its_word_says(detector, line, value, category):
    assert (value, category) in found(detector, line)
    assert (value, "shoulder_number") not in found(detector, line)


def test_a_room_after_an_officer_is_no_shoulder_number(detector):
    assert not any(c == "shoulder_number" for _, c in found(detector, "PC Dan Reed Room 12 at the station"))
    assert ("7705", "shoulder_number") in found(detector, "PC Ruth Oliver 7705 attended")


def test_a_header_of_two_lines(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    for x, (top, bottom) in zip(COLUMNS, [("Role", ""), ("Call", "sign"), ("Officer", ""), ("Radio", "channel")]):
        page.insert_text((x, 100), top, fontsize=10, fontname="hebo")
        if bottom:
            page.insert_text((x, 112), bottom, fontsize=10, fontname="hebo")
    for n, row in enumerate(ROWS):
        for x, v in zip(COLUMNS, row):
            page.insert_text((x, 132 + 18 * n), v, fontsize=10)
    doc.save(tmp_path / "t.pdf")
    lines = columns_of(tmp_path / "t.pdf").text.splitlines()
    assert "Call sign: TANGO 21" in lines and "Call sign: Kilo 7" in lines and "Radio channel: TG 451" in lines
    assert not any(line.startswith("Bronze") for line in lines)  # no body row taken for a header


def grid_page(rows: list[list[tuple[float, str]]], pitch: float = 24.0) -> PageText:
    """Rows ``pitch`` points apart of cells at (x, text), 6-point-wide characters."""
    text, glyphs = [], []
    for no, row in enumerate(rows):
        for x, cell in row:
            for ch in cell:
                glyphs.append(Glyph((float(x), 100.0 + pitch * no, x + 6.0, 110.0 + pitch * no), no, 10.0, True))
                x += 6.0
            glyphs.append(None)
            text.append(cell + "\n")
    return PageText(index=0, text="".join(text), glyphs=glyphs)


def test_a_table_read_across_has_no_header_row_inside_it():
    """Records in columns, their fields' names down the first column (a
    country per column): no row inside such a grid heads the rows under it,
    and a header and a cell are never read as one name ("Jakarta Rupia")."""
    page = grid_page([[(150, "Indonesia"), (230, "Germany"), (310, "Austria")],
                      [(70, "Continent"), (150, "Asia"), (310, "Europe")],
                      [(70, "Capital"), (150, "Jakarta"), (230, "Berlin"), (310, "Vienna")],
                      [(70, "Currency"), (150, "Rupia"), (310, "EUR")],
                      [(70, "Population"), (150, "273,879,750"), (230, "83,190,556"), (310, "8,935,112")]])
    reading = read_columns(page)
    assert reading is None or not any("Jakarta" in line for line in reading.text.splitlines())


def _inked_across(glyphs, text: str, start: int, end: int) -> list[tuple] | None:
    """What :meth:`GlyphList.inked_across` says, from plain glyphs."""
    out = []
    for i in range(start, end):
        g = glyphs[i]
        if g is None or text[i].isspace():
            continue
        if not g.horizontal:
            return None
        out.append((i, *g.bbox, g.size))
    return out


def test_packed_and_plain_glyphs_are_scanned_alike():
    page = grid_page([[(70, "Role"), (150, "Call sign")], [(70, "Bronze"), (150, "TANGO 21")]])
    odd = Glyph((1, 2, 3, 4), 0, 10, True, "hidden in white", 0.5)  # (an int box: kept as it was)
    page.glyphs[1] = odd
    plain = list(page.glyphs)
    for start, end in ((0, 5), (5, 15), (0, len(plain))):
        assert page.glyphs.inked_across(page.text, start, end) == _inked_across(plain, page.text, start, end)
    page.glyphs[2] = Glyph((1.0, 2.0, 3.0, 4.0), 0, 10.0, False)  # a rotated glyph: the line is no row
    assert page.glyphs.inked_across(page.text, 0, 5) is None


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_powerpoint_resources_table(tmp_path, cli):
    """A slide's table as LibreOffice draws it: each cell its own line, one
    wrapped over two ("PC 4471⏎Hughes"), rows set 2 ems apart. Each call sign
    and talkgroup is cited as what its header says (a talkgroup under
    "PC Dan Reed" was a shoulder number), the wrapped name goes, the headers
    stay, and a call sign repeated below the table goes too."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Operation Kestrel - resources"
    rows = [["Role", "Call sign", "Officer", "Talkgroup"], ["Bronze", "TANGO 21", "PC 4471 Hughes", "451"],
            ["Support", "Kilo 7", "PC Dan Reed", "452"], ["Dogs", "DH40", "PC Sam Wu", "453"]]
    table = slide.shapes.add_table(len(rows), 4, Inches(0.5), Inches(1.8), Inches(9), Inches(2)).table
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    slide.shapes.add_textbox(Inches(0.5), Inches(4.5), Inches(9), Inches(1)).text_frame.text = \
        "Kilo 7 will hold the outer cordon until relieved."
    deck.save(tmp_path / "deck.pptx")
    (tmp_path / "release").mkdir()
    code, _, stderr = cli("redact", "deck.pptx", "-o", "release/deck.pdf", "--no-nlp", "--internal", "internal")
    assert code == 0, stderr
    text = " ".join(pymupdf.open(tmp_path / "release" / "deck.pdf")[0].get_text().split())
    for gone in ("TANGO", "Kilo", "DH40", "Hughes", "451", "452", "453", "4471", "Reed"):
        assert gone not in text
    for kept in ("Role", "Call sign", "Officer", "Talkgroup", "Bronze", "Support", "Dogs", "outer cordon"):
        assert kept in text
    cited = {}
    for line in next((tmp_path / "internal").rglob("*.jsonl")).read_text().splitlines():
        record = json.loads(line)
        if record.get("type") == "redaction":
            cited[record["text"]] = record["exemption"]
    assert {cited[v] for v in ("TANGO 21", "Kilo 7", "DH40", "451", "452", "453")} == {"S31(1)(a)"}


def test_a_first_row_set_close_under_the_header_is_no_header_line():
    """A table set tight (no padding: rows as close as a cell's wrapped
    lines): a row that fills every column is a record, not the header's
    second line."""
    page = grid_page([[(70, "Role"), (150, "Call sign"), (260, "Officer")],
                      [(70, "Bronze"), (150, "TANGO 21"), (260, "PC Hughes")],
                      [(70, "Support"), (150, "Kilo 7"), (260, "PC Reed")]], pitch=12.0)
    lines = read_columns(page).text.splitlines()
    assert "Call sign: TANGO 21" in lines and "Call sign: Kilo 7" in lines
