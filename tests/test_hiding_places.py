"""For each place text can hide, personal data put there is gone after
redaction (PyMuPDF, pdftotext, pikepdf walk) and a neighbouring sentence is
still extractable."""

from __future__ import annotations

import pikepdf
import pymupdf
import pytest
from pikepdf import Array, Dictionary, Name

from pdfkit import NEIGHBOUR, assert_gone, helvetica, make_pdf, neighbour_op, text_op

NAME_LINE = "Contact PC John Smith today"
SECRET = "John Smith"


def _one(tmp_path, content: bytes, **kw):
    return make_pdf(tmp_path / "in.pdf", [neighbour_op() + content], **kw)


@pytest.mark.parametrize(
    "where, content",
    [
        ("visible", text_op(NAME_LINE, 72, 600)),
        ("invisible (render mode 3)", text_op(NAME_LINE, 72, 600, extra="3 Tr")),
        ("white", b"1 1 1 rg " + text_op(NAME_LINE, 72, 600)),
        ("tiny", text_op(NAME_LINE, 72, 600, size=0.8)),
        ("clipped away", b"q 0 0 5 5 re W n " + text_op(NAME_LINE, 72, 600) + b" Q"),
        ("outside the media box", text_op(NAME_LINE, 72, 900)),
        ("rotated text", b"BT /F1 12 Tf 0.7071 0.7071 -0.7071 0.7071 250 300 Tm (" + NAME_LINE.encode() + b") Tj ET"),
        ("vertical text", b"BT /F1 12 Tf 0 1 -1 0 400 200 Tm (" + NAME_LINE.encode() + b") Tj ET"),
    ],
)
def test_text_hidden_in_page_content(tmp_path, redact, where, content):
    src = _one(tmp_path, content)
    result = redact(src)
    assert any(f.text == SECRET for f in result.findings), f"{where}: not detected"
    assert_gone(result.output, SECRET)


def test_outside_crop_box(tmp_path, redact):
    def crop(pdf, page, i):
        page.CropBox = Array([0, 400, 612, 792])

    src = make_pdf(tmp_path / "in.pdf", [neighbour_op() + text_op(NAME_LINE, 72, 100)], page_extra=crop)
    result = redact(src)
    assert [f.hidden for f in result.findings if f.text == SECRET] == ["outside the visible page"]
    assert_gone(result.output, SECRET)


def test_rotated_page(tmp_path, redact):
    def rotate(pdf, page, i):
        page.Rotate = 90

    src = make_pdf(tmp_path / "in.pdf", [neighbour_op() + text_op(NAME_LINE, 72, 600)], page_extra=rotate)
    result = redact(src)
    assert_gone(result.output, SECRET)
    # the box sits where the name was, on the unrotated page
    doc = pymupdf.open(src)
    where = doc[0].search_for(SECRET)[0]
    f = next(f for f in result.findings if f.text == SECRET)
    assert pymupdf.Rect(f.rects[0]).intersects(where)


def test_hidden_layer(tmp_path, redact):
    def setup(pdf):
        ocg = pdf.Root.get("/OCProperties")
        assert ocg is not None

    def res(pdf):
        ocg = pdf.make_indirect(Dictionary(Type=Name.OCG, Name=pikepdf.String("Draft notes")))
        pdf.Root.OCProperties = Dictionary(OCGs=Array([ocg]), D=Dictionary(OFF=Array([ocg]), Order=Array([ocg])))
        return {"Properties": Dictionary(oc1=ocg)}

    hidden = b"/OC /oc1 BDC " + text_op(NAME_LINE, 72, 600) + text_op("Hidden draft paragraph", 72, 580) + b" EMC"
    src = make_pdf(tmp_path / "in.pdf", [neighbour_op() + hidden], resources=res, setup=setup)
    assert SECRET not in pymupdf.open(src)[0].get_text()  # a viewer does not show it
    result = redact(src)
    assert any(f.text == SECRET for f in result.findings)
    assert_gone(result.output, SECRET)
    # the hidden layer's other content does not become visible either
    assert "Hidden draft" not in pymupdf.open(result.output)[0].get_text()
    with pikepdf.open(result.output) as pdf:
        assert "/OCProperties" not in pdf.Root


def test_form_xobject_on_several_pages(tmp_path, redact):
    def res(pdf):
        xo = pdf.make_stream(text_op(NAME_LINE, 0, 10), Type=Name.XObject, Subtype=Name.Form,
                             BBox=Array([0, 0, 400, 40]), Resources=Dictionary(Font=Dictionary(F1=helvetica(pdf))))
        return {"XObject": Dictionary(X1=xo)}

    page = neighbour_op() + b"q 1 0 0 1 72 500 cm /X1 Do Q"
    src = make_pdf(tmp_path / "in.pdf", [page, page, page], resources=res)
    result = redact(src)
    assert sorted(f.page for f in result.findings if f.text == SECRET) == [1, 2, 3]
    assert_gone(result.output, SECRET)


def test_name_across_a_line_break(tmp_path, redact):
    content = text_op("The report was written by PC John", 72, 600) + text_op("Smith of the local team.", 72, 586)
    src = _one(tmp_path, content)
    result = redact(src)
    f = next(f for f in result.findings if f.text == SECRET)
    assert len(f.rects) == 2  # one box per line
    assert_gone(result.output, SECRET)
    assert_gone(result.output, "John")
    text = " ".join(pymupdf.open(result.output)[0].get_text().split())
    assert "The report was written by PC" in text and "of the local team." in text


def test_phone_across_a_line_break(tmp_path, redact):
    content = text_op("Out of hours call 07700", 72, 600) + text_op("900123 and ask for the duty officer.", 72, 586)
    result = redact(_one(tmp_path, content))
    assert any(f.category == "phone" for f in result.findings)
    assert_gone(result.output, "900123")
    assert_gone(result.output, "07700")


def test_glyphs_positioned_one_by_one(tmp_path, redact):
    # every glyph of the phone number placed by its own Td, as some
    # generators write text
    ops = [b"BT /F1 12 Tf 72 600 Td (Tel:) Tj 24 0 Td"]
    for ch in "07700900456":
        ops.append(f"({ch}) Tj 6.672 0 Td".encode())
    ops.append(b"ET")
    result = redact(_one(tmp_path, b" ".join(ops)))
    assert any(f.category == "phone" for f in result.findings)
    assert_gone(result.output, "07700900456")


def test_text_in_tiling_pattern(tmp_path, redact):
    def res(pdf):
        pat = pdf.make_stream(text_op(NAME_LINE, 2, 20, size=10), Type=Name.Pattern, PatternType=1, PaintType=1,
                              TilingType=1, BBox=Array([0, 0, 300, 40]), XStep=300, YStep=40,
                              Resources=Dictionary(Font=Dictionary(F1=helvetica(pdf))))
        return {"Pattern": Dictionary(P1=pat)}

    content = b"q /Pattern cs /P1 scn 72 500 300 40 re f Q"
    result = redact(_one(tmp_path, content, resources=res))
    assert any(f.text == SECRET for f in result.findings)
    assert_gone(result.output, SECRET)


def test_text_in_soft_mask(tmp_path, redact):
    def res(pdf):
        group = pdf.make_stream(b"1 g " + text_op(NAME_LINE, 72, 500, size=20), Type=Name.XObject,
                                Subtype=Name.Form, BBox=Array([0, 0, 612, 792]),
                                Group=Dictionary(S=Name.Transparency, CS=Name.DeviceGray),
                                Resources=Dictionary(Font=Dictionary(F1=helvetica(pdf))))
        gs = Dictionary(Type=Name.ExtGState, SMask=Dictionary(Type=Name.Mask, S=Name.Luminosity, G=group))
        return {"ExtGState": Dictionary(GS1=gs)}

    content = b"q /GS1 gs 0 0 0.6 rg 60 480 400 40 re f Q"
    result = redact(_one(tmp_path, content, resources=res))
    assert any(f.text == SECRET for f in result.findings)
    assert_gone(result.output, SECRET)


def test_type3_glyph_procedures(tmp_path, redact):
    """A Type3 font's glyphs are content streams of their own. Glyphs used
    only in redacted text must leave the file with it; glyphs still in use
    stay."""
    def res(pdf):
        procs = Dictionary()
        for i, ch in enumerate(["C", "J", "P", "S", "h", "i", "m", "n", "o", "t"]):
            # each glyph a distinct shape, so its procedure identifies it
            procs[Name("/" + ch)] = pdf.make_stream(f"600 0 d0 0 0 {400 + i} 700 re f".encode())
        procs[Name("/space")] = pdf.make_stream(b"300 0 d0")
        diffs = [32, Name.space, 67, Name.C, 74, Name.J, 80, Name.P, 83, Name.S,
                 104, Name.h, 105, Name.i, 109, Name.m, 110, Name.n, 111, Name.o, 116, Name.t]
        t3 = pdf.make_indirect(Dictionary(
            Type=Name.Font, Subtype=Name.Type3, FontBBox=Array([0, 0, 600, 700]),
            FontMatrix=Array([0.001, 0, 0, 0.001, 0, 0]), CharProcs=procs,
            Encoding=Dictionary(Type=Name.Encoding, Differences=Array(diffs)),
            FirstChar=32, LastChar=116, Widths=Array([600] * 85), Resources=Dictionary()))
        return {"Font": {"T3": t3}}

    content = text_op("PC John Smith", 72, 600, size=14, font="/T3") + text_op("PC Tom", 72, 560, size=14, font="/T3")
    result = redact(_one(tmp_path, content, resources=res))
    assert any(f.text == SECRET for f in result.findings)
    assert_gone(result.output, SECRET)
    with pikepdf.open(result.output) as pdf:
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Type3"]
        assert len(fonts) == 1
        kept = sorted(str(k)[1:] for k in fonts[0].CharProcs.keys())
    # "Tom" is redacted too (a name after PC); only P, C and space remain in use
    assert kept == ["C", "P", "space"]


def test_actual_text_and_alt(tmp_path, redact):
    content = (b"/Span <</ActualText (Contact PC John Smith today) /Alt (John Smith)>> BDC "
               + text_op(NAME_LINE, 72, 600) + b" EMC")
    result = redact(_one(tmp_path, content))
    assert_gone(result.output, SECRET)


def test_image_pixels_blanked_only_under_box(tmp_path, redact):
    """Text drawn over a photo: the pixels under the box are blanked and the
    rest of the image survives."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 60), NEIGHBOUR, fontsize=12)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), False)
    pix.set_rect(pix.irect, (200, 40, 40))
    page.insert_image(pymupdf.Rect(72, 100, 472, 300), pixmap=pix)
    page.insert_text((80, 200), NAME_LINE, fontsize=14, color=(1, 1, 1))
    src = tmp_path / "in.pdf"
    doc.save(src)
    result = redact(src)
    assert_gone(result.output, SECRET)
    out = pymupdf.open(result.output)
    assert out[0].get_images(), "the image was removed instead of partly blanked"
    box = pymupdf.Rect(next(f for f in result.findings if f.text == SECRET).rects[0])
    # render without the black boxes: the image alone must be blank under the box
    img = out.extract_image(out[0].get_images()[0][0])
    ipix = pymupdf.Pixmap(img["image"])
    sx, sy = ipix.width / 400, ipix.height / 200
    cx, cy = int((box.x0 + box.width / 2 - 72) * sx), int((box.y0 + box.height / 2 - 100) * sy)
    assert ipix.pixel(cx, cy)[:3] != (200, 40, 40), "pixels under the box survived"
    assert ipix.pixel(2, 2)[:3] == (200, 40, 40), "pixels outside the box were lost"


def test_signature_cut_at_the_box_table_rule_stays(tmp_path, redact):
    """Line art is cut only where it lies under a box: the part of a
    signature under the name goes, the rest of it and a rule through the name stay."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 60), NEIGHBOUR, fontsize=12)
    page.insert_text((72, 200), "Signed: PC John Smith", fontsize=14)
    # a signature scrawl drawn as curves, starting under the name and running far beyond it
    shape = page.new_shape()
    shape.draw_bezier((150, 198), (200, 150), (260, 240), (330, 190))
    shape.draw_bezier((330, 190), (360, 160), (380, 230), (420, 185))
    shape.finish(color=(0, 0, 0.5), width=1.5)
    shape.draw_line((60, 205), (540, 205))  # a table rule through the name
    shape.finish(color=(0.5, 0.5, 0.5), width=0.5)
    shape.commit()
    src = tmp_path / "in.pdf"
    doc.save(src)
    result = redact(src)
    assert_gone(result.output, SECRET)
    box = pymupdf.Rect(next(f for f in result.findings if f.text == SECRET).rects[0])
    drawings = pymupdf.open(result.output)[0].get_drawings()
    curves = [d for d in drawings if any(it[0] == "c" for it in d["items"])]
    points = [p for d in curves for it in d["items"] if it[0] == "c" for p in (it[1], it[4])]
    assert not [p for p in points if box.x0 + 0.1 < p.x < box.x1 - 0.1 and box.y0 + 0.1 < p.y < box.y1 - 0.1], \
        "a vertex of the signature is still under the box"
    assert any(abs(p.x - 420) < 0.01 and abs(p.y - 185) < 0.01 for p in points), "the signature outside the box was lost"
    assert any(abs(p.x - 330) < 0.01 and abs(p.y - 190) < 0.01 for p in points), "the signature outside the box was lost"
    lines = [d for d in drawings if {it[0] for it in d["items"]} == {"l"} and d["rect"].height < 1]
    assert any(d["rect"].x0 < 61 and d["rect"].x1 > 539 for d in lines), "the table rule was cut or removed"


def test_neighbouring_lines_keep_every_glyph(tmp_path, redact):
    """Tight leading: removing a name must not take glyphs from the lines above and below."""
    lines = ["Above line with tall letters: Bdfhklt", "Officer PC John Smith attended", "Below line gjpqy and more"]
    content = b"".join(text_op(t, 72, 600 - 12 * i) for i, t in enumerate(lines))
    result = redact(_one(tmp_path, content))
    text = pymupdf.open(result.output)[0].get_text()
    assert lines[0] in text and lines[2] in text
    assert "Officer PC" in text and "attended" in text


def test_a_name_inside_a_grouped_email_address_goes_with_it(tmp_path, redact):
    """Papers write several addresses at one domain as {a,b}@domain: a
    redacted name must not stay readable in the group."""
    src = _one(tmp_path, text_op("Statement taken by PC Alan Hartley at noon.", 72, 600)
               + text_op("{mbrown,a.hartley,cjones}@uni.example.ac.uk", 72, 580))
    result = redact(src)
    assert "{mbrown,a.hartley,cjones}@uni.example.ac.uk" in [f.text for f in result.findings]
    assert_gone(result.output, "a.hartley")
    assert_gone(result.output, "Alan Hartley")
