"""Text hidden under something painted over it: judged like a person would
(shape, opacity, blend mode, clipping, colour), found as a finding, and
removed for real."""

from __future__ import annotations

import pikepdf
import pymupdf
import pytest
from pdfkit import NEIGHBOUR, assert_gone, make_pdf, neighbour_op, text_op
from pikepdf import Dictionary, Name

from redactor.pdf.content import read_page
from redactor.pdf.covers import hidden_glyphs
from redactor.verify.checks import verify_file

LINE = "Seen by the clerk: Joe Bloggs lives at the farm"
HIDDEN = "Joe Bloggs"
_X0 = 72 + pymupdf.get_text_length("Seen by the clerk: ", fontname="helv", fontsize=12)
_W = pymupdf.get_text_length(HIDDEN, fontname="helv", fontsize=12)
AT = f"{_X0 - 0.5:.2f} 596 {_W + 1:.2f} 14 re".encode()  # just over "Joe Bloggs" at (72, 600), 12 pt
BOX = b"q 0 0 0 rg " + AT + b" f Q\n"


def _gs(pdf):
    shading = Dictionary(ShadingType=2, ColorSpace=Name.DeviceGray, Coords=[0, 0, 612, 0],
                         Function=Dictionary(FunctionType=2, Domain=[0, 1], C0=[1], C1=[0.5], N=1))
    hatch = pdf.make_stream(b"0 0 0 RG 0 0 m 8 8 l S", PatternType=1, PaintType=1, TilingType=1,
                            BBox=[0, 0, 8, 8], XStep=8, YStep=8, Resources=Dictionary())
    return {"ExtGState": Dictionary(
        Clear=Dictionary(Type=Name.ExtGState, ca=0),
        Mult=Dictionary(Type=Name.ExtGState, ca=0.5, BM=Name.Multiply),
        Darken=Dictionary(Type=Name.ExtGState, ca=1, BM=Name.Multiply)),
        "Shading": Dictionary(Sh=shading), "Pattern": Dictionary(Hatch=hatch)}


def _pdf(tmp_path, body: bytes, first: bytes = b""):
    return make_pdf(tmp_path / "in.pdf", [first + neighbour_op() + body], resources=_gs)


def _fakes(path) -> list[str]:
    return [p for p in verify_file(path).problems if "fake redaction" in p]


@pytest.mark.parametrize("what, body", [
    ("a black box drawn over the text", text_op(LINE, 72, 600) + BOX),
    ("an opaque white box over the text", text_op(LINE, 72, 600) + b"q 1 1 1 rg " + AT + b" f Q\n"),
    ("black text drawn after a black box", BOX + text_op(LINE, 72, 600)),
    ("a black highlighter (Multiply) over the text", text_op(LINE, 72, 600) + b"q /Darken gs 0 0 0 rg " + AT
     + b" f Q\n"),
])
def test_hidden_text_is_found_and_removed(tmp_path, redact, cli, what, body):
    src = _pdf(tmp_path, body)
    assert _fakes(src), f"{what}: not seen as hidden"
    result = redact(src)
    found = [f for f in result.findings if f.category == "text_under_existing_box"]
    assert found and HIDDEN in found[0].text, f"{what}: not a finding"
    assert_gone(result.output, HIDDEN)
    assert not _fakes(result.output)
    assert "Seen by the clerk:" in pymupdf.open(result.output)[0].get_text()


@pytest.mark.parametrize("what, body", [
    ("a fully transparent box", text_op(LINE, 72, 600) + b"q /Clear gs 0 0 0 rg " + AT + b" f Q\n"),
    ("a see-through highlight (Multiply, half opacity)",
     text_op(LINE, 72, 600) + b"q /Mult gs 1 1 0 rg " + AT + b" f Q\n"),
    ("a Multiply fill (text shows through)", text_op(LINE, 72, 600) + b"q /Darken gs 1 1 0 rg " + AT + b" f Q\n"),
    ("a triangle whose box, not its shape, covers the text",
     text_op("Case notes", 72, 600) + b"q 0 0 0 rg 100 560 m 200 560 l 200 640 l h f Q\n"),
    ("a box clipped away from the text",
     text_op(LINE, 72, 600) + b"q 0 0 100 100 re W n 0 0 0 rg " + AT + b" f Q\n"),
    ("a box over nothing", text_op(LINE, 72, 600) + b"q 0 0 0 rg 300 300 62 16 re f Q\n"),
    ("a hatched box (a tiling pattern) over the text",
     text_op(LINE, 72, 600) + b"q /Pattern cs /Hatch scn " + AT + b" f Q\n"),
    ("black text on a gradient drawn over a black box (GeoTopo's sphere)",
     b"q 0 0 0 rg 60 580 400 40 re f 60 580 400 40 re W n /Sh sh Q\n" + text_op(LINE, 72, 600)),
])
def test_what_does_not_hide_text(tmp_path, redact, what, body):
    src = _pdf(tmp_path, body)
    _check_not_hidden(src, redact, what)


def test_a_background_drawn_first_hides_nothing(tmp_path, redact):
    src = _pdf(tmp_path, text_op(LINE, 72, 600), first=b"q 0.9 0.9 0.9 rg 0 0 612 792 re f Q\n")
    _check_not_hidden(src, redact, "a background drawn first")


def _check_not_hidden(src, redact, what):
    assert not _fakes(src), f"{what}: wrongly called a fake redaction"
    with pikepdf.open(src) as pdf:  # the judgement itself, not only MuPDF's cheap pre-check
        assert not hidden_glyphs(read_page(pdf.pages[0])), f"{what}: glyphs judged hidden"
    result = redact(src)
    assert not [f for f in result.findings if f.category == "text_under_existing_box"], what


def test_scan_proposes_hidden_text_for_review(tmp_path, cli):
    src = _pdf(tmp_path, text_op(LINE, 72, 600) + BOX)
    code, out, err = cli("scan", src, "--plan", tmp_path / "plan.json", "--no-nlp")
    assert code == 0, err
    import json

    plan = json.loads((tmp_path / "plan.json").read_text())
    covered = [f for f in plan["documents"][0]["findings"] if f["category"] == "text_under_existing_box"]
    assert covered and covered[0]["status"] == "proposed" and HIDDEN in covered[0]["text"]


def test_verify_without_log_flags_a_fake_and_passes_the_release(tmp_path, redact, cli):
    src = _pdf(tmp_path, text_op(LINE, 72, 600) + BOX)
    code, _, err = cli("verify", src)
    assert code == 4 and "Joe Bloggs" in err
    result = redact(src)
    code, out, err = cli("verify", result.output, "--log", result.log)
    assert code == 0, err
    assert NEIGHBOUR in pymupdf.open(result.output)[0].get_text()


@pytest.mark.parametrize("colour, hides", [((0, 0, 0), True), ((0.2, 0.2, 0.25), True), ((1, 1, 0), False)])
def test_a_highlight_annotation_in_a_dark_colour_is_a_fake_redaction(tmp_path, redact, cli, colour, hides):
    """Acrobat's highlighter in black multiplies: black on black text, in the
    file as an annotation (verify) and once it is page content (redact)."""
    src = _pdf(tmp_path, text_op(LINE, 72, 600))
    doc = pymupdf.open(src)
    page = doc[0]
    annot = page.add_highlight_annot(pymupdf.Rect(_X0 - 0.5, 180, _X0 + _W + 0.5, 198))  # (y down)
    annot.set_colors(stroke=colour)
    annot.update()
    doc.save(tmp_path / "marked.pdf")
    src = tmp_path / "marked.pdf"
    code, _, err = cli("verify", src)
    assert (code == 4 and "Highlight annotation" in err and "Bloggs" in err) is hides, err
    result = redact(src)
    found = [f for f in result.findings if f.category == "text_under_existing_box"]
    assert bool(found and HIDDEN in found[0].text) is hides
    if hides:
        assert_gone(result.output, HIDDEN)


def test_a_box_over_part_of_a_name_hides_that_part_only(tmp_path, redact):
    """The rest of the name shows: it is redacted as any text is, all of it
    (only the covered part went, and the log said the name was hidden)."""
    doc = pymupdf.open()
    page = doc.new_page()
    line = "Officer DC Jonathan Pemberton-Smythe, mobile 07700 900123, attended."
    page.insert_text((72, 100), line, fontsize=12)
    x = 72 + pymupdf.get_text_length("Officer DC Jonathan ", fontsize=12)
    page.draw_rect(pymupdf.Rect(x + 5, 88, x + 45, 104), color=(0, 0, 0), fill=(0, 0, 0))
    doc.save(tmp_path / "half.pdf")
    result = redact(tmp_path / "half.pdf")
    name = [f for f in result.findings if f.text == "Jonathan Pemberton-Smythe"]
    assert name and name[0].hidden is None
    text = " ".join(pymupdf.open(result.output)[0].get_text().split())
    assert "Jonathan" not in text and "Smythe" not in text and text.startswith("Officer DC"), text


def test_a_space_glyph_left_under_a_box_is_no_fake_redaction(tmp_path, redact):
    """A line far longer than its page, in a CID font (its space is CID 1, not
    code 32): the space inside the phone number at its end stayed under the
    box, and verification called it hidden text and refused the release."""
    doc = pymupdf.open()
    page = doc.new_page()
    writer = pymupdf.TextWriter(page.rect)
    writer.append((10, 100), "word " * 700 + " 07700 900123", fontsize=8)
    writer.write_text(page)
    doc.save(tmp_path / "long.pdf")
    result = redact(tmp_path / "long.pdf")
    assert [f.text for f in result.findings] == ["07700 900123"]
    text = pymupdf.open(result.output)[0].get_text(clip=pymupdf.INFINITE_RECT())
    assert "900123" not in text and "word word" in text


def test_box_inside_a_form_xobject(tmp_path, redact):
    """The cover is drawn by a Form XObject after the text."""
    src = _pdf(tmp_path, text_op(LINE, 72, 600) + b"/Cover Do\n")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        form = pdf.make_stream(b"0 0 0 rg " + AT + b" f", Type=Name.XObject, Subtype=Name.Form,
                               BBox=[0, 0, 612, 792])
        pdf.pages[0].Resources.XObject = Dictionary(Cover=form)
        pdf.save(src)
    assert _fakes(src)
    result = redact(src)
    assert_gone(result.output, HIDDEN)


def test_a_form_background_bigger_than_its_bbox_hides_nothing_outside_it(tmp_path, redact):
    """A figure's white background runs far past the figure's /BBox (pdf.js
    tracemonkey, figure 6): the BBox clips it, so the caption beside it shows."""
    src = _pdf(tmp_path, text_op(LINE, 72, 600) + b"/Fig Do\n")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        form = pdf.make_stream(b"1 1 1 rg -1000 -1000 3000 3000 re f 0 0 0 rg 10 10 80 80 re S",
                               Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 100, 100],
                               Matrix=[1, 0, 0, 1, 300, 200])
        pdf.pages[0].Resources.XObject = Dictionary(Fig=form)
        pdf.save(src)
    _check_not_hidden(src, redact, "a form's background outside its BBox")
    result = redact(src)
    assert LINE in pymupdf.open(result.output)[0].get_text()


def test_visible_text_drawn_over_an_old_box_stays_where_hidden_text_is_removed(tmp_path, redact):
    """Text hidden under a white box, and a visible label drawn over that box
    in the same place (TAMReview's figure labels): only the hidden text goes."""
    hidden = text_op("Joe Bloggs", 80, 600)
    label = text_op("Attitude Toward Using", 72, 600)
    src = _pdf(tmp_path, hidden + b"q 1 1 1 rg 70 590 160 30 re f Q\n" + label)
    result = redact(src)
    found = [f for f in result.findings if f.category == "text_under_existing_box"]
    assert found and all("Attitude" not in f.text and "Using" not in f.text for f in found), \
        [f.text for f in found]
    assert_gone(result.output, HIDDEN)
    text = pymupdf.open(result.output)[0].get_text()
    assert "Attitude Toward Using" in text, text


def test_letters_used_as_a_clip_and_filled_through_are_no_box(tmp_path, redact):
    """Text in render mode 7 clips what follows to its letters; a page-sized
    fill through that clip paints the letters, not the page. It was taken
    for a box over the whole page: the ordinary lines elsewhere were removed
    as "text under an existing box", and MuPDF's fallback dropped the fill,
    so the clipped line's own words vanished too."""
    from pdfkit import ocr_text

    clipped = b"q BT 7 Tr /F1 12 Tf 72 680 Td (Officer in case: PC Joe Bloggs today) Tj ET 0 g 0 0 612 792 re f Q\n"
    src = _pdf(tmp_path, text_op("The cordon was lifted at 14:30.", 72, 560) + clipped)
    reading = read_page(pikepdf.open(src).pages[0])
    assert hidden_glyphs(reading) == []
    result = redact(src)
    assert not [f for f in result.findings if f.category == "text_under_existing_box"]
    text = pymupdf.open(result.output)[0].get_text()
    assert NEIGHBOUR in text and "The cordon was lifted" in text and "[Redacted: section 40(2)]" in text
    # the clipped line's words beside the box are drawn as they were, pixel for pixel
    label = pymupdf.Rect(70, 792 - 680 - 12, 72 + pymupdf.get_text_length("Officer in case: P", "helv", 12), 792 - 676)
    assert label.width > 80
    before, after = (pymupdf.open(p)[0].get_pixmap(dpi=100, clip=label).samples for p in (src, result.output))
    assert len(after) == len(before) and max(abs(a - b) for a, b in zip(after, before)) < 16
    assert min(before) < 100  # (and there is ink there)
    assert "Bloggs" not in ocr_text(result.output)
    assert_gone(result.output, HIDDEN)


def test_a_name_on_a_gradient_band_is_redacted(tmp_path, redact):
    """A slide's title on a gradient band (a smooth shading, which MuPDF
    lists as an image with no object number): verification refused every
    such release ("an inline image lies under a redaction box"); a plain
    gradient holds no one's words. A sampled shading still cannot pass."""
    from redactor.verify import ocr as pictures

    band = b"q 0 690 612 40 re W n /Sh sh Q\n" + text_op("Report prepared by PC Joe Bloggs", 72, 702, extra="1 g")
    src = _pdf(tmp_path, band)
    result = redact(src)
    assert any(HIDDEN in f.text for f in result.findings)
    assert_gone(result.output, HIDDEN)
    assert verify_file(result.output).ok
    sampled = Dictionary(ShadingType=2, ColorSpace=Name.DeviceGray, Coords=[0, 0, 612, 0],
                         Function=Dictionary(FunctionType=0, Domain=[0, 1], Range=[0, 1], Size=[2], BitsPerSample=8))
    assert pictures._plain(_gs(pikepdf.new())["Shading"].Sh) and not pictures._plain(sampled)


def test_a_box_over_letters_that_clip_is_a_fake_redaction_but_the_paint_through_them_is_not(tmp_path):
    """Text in mode 7 painted through (gradient lettering) is seen; a black
    box drawn over it afterwards hides it (verify passed it: clip-only glyphs
    were taken for ink-less). Text in mode 4-6 with a paint through it is not
    hidden by that paint (verify called it a fake redaction)."""
    painted = b"q BT 7 Tr /F1 12 Tf 72 600 Td (" + LINE.encode() + b") Tj ET 0 0 1 rg 0 0 612 792 re f Q\n"
    assert _fakes(_pdf(tmp_path, painted + BOX))
    assert not _fakes(_pdf(tmp_path, painted))
    for mode in (4, 5, 6):
        own = f"q BT {mode} Tr /F1 12 Tf 72 600 Td ({LINE}) Tj ET 0 0 1 rg 0 0 612 792 re f Q\n".encode()
        assert not _fakes(_pdf(tmp_path, own)), mode


def test_letters_that_clip_all_redacted_leave_no_solid_block(tmp_path, redact):
    """Gradient lettering that is only the name: with every glyph that clips
    removed, viewers kept the clip as it was and the paint through the
    letters became a solid block over its whole area."""
    only = b"q BT 7 Tr /F1 12 Tf 72 600 Td (07700 900123) Tj ET 0 0 1 rg 60 590 400 30 re f Q\n"
    src = _pdf(tmp_path, only)
    result = redact(src)
    assert any("07700 900123" in f.text for f in result.findings)
    assert_gone(result.output, "07700 900123")
    far = pymupdf.Rect(300, 792 - 615, 440, 792 - 595)  # in the fill's area, well right of the box
    for path in (src, result.output):
        pix = pymupdf.open(path)[0].get_pixmap(dpi=50, clip=far)
        assert min(pix.samples) > 200, path  # white there, before and after
