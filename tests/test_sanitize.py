"""Everything a released PDF should not carry is gone after redaction."""

from __future__ import annotations

import pikepdf
import pymupdf
from pikepdf import Array, Dictionary, Name, String

from pdfkit import NEIGHBOUR, make_pdf, neighbour_op, raw_occurrences, text_op
from redactor.pipeline import RunOptions
from redactor.redact.sanitize import SanitizeOptions

SECRET = "John Smith"


def _loaded_pdf(tmp_path):
    """A page naming PC John Smith, and his name in every side channel."""
    doc = pymupdf.open()
    for i in range(2):
        page = doc.new_page()
        page.insert_text((72, 72), NEIGHBOUR, fontsize=12)
        page.insert_text((72, 120), f"Report by PC {SECRET}, page {i + 1}", fontsize=12)
    page = doc[0]
    page.add_text_annot((300, 300), f"Note: ring {SECRET} first")
    page.add_freetext_annot(pymupdf.Rect(300, 400, 500, 440), f"Free text {SECRET}")
    widget = pymupdf.Widget()
    widget.field_name, widget.field_type = "officer", pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_value, widget.rect = SECRET, pymupdf.Rect(72, 500, 300, 520)
    page.add_widget(widget)
    page.insert_link({"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(72, 600, 200, 620),
                      "uri": "mailto:john.smith@met.police.example"})
    doc.embfile_add("notes.txt", f"Attachment about {SECRET}".encode())
    doc.set_metadata({"author": SECRET, "title": f"Briefing by {SECRET}", "subject": "Briefing"})
    doc.set_xml_metadata(f"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc>{SECRET}</dc></x:xmpmeta>")
    doc.set_toc([[1, "Introduction", 1], [1, f"Contact {SECRET}", 2]])
    doc.set_page_labels([{"startpage": 0, "prefix": "JS-", "style": "D"}])
    raw = tmp_path / "raw.pdf"
    doc.save(raw)
    with pikepdf.open(raw) as pdf:
        pdf.Root.Names = pdf.Root.get("/Names", Dictionary())
        js = pdf.make_stream(f"app.alert('{SECRET}');".encode())
        pdf.Root.Names.JavaScript = Dictionary(Names=Array([String("hello"), Dictionary(S=Name.JavaScript, JS=js)]))
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String(f"app.alert('{SECRET}')"))
        pdf.Root.Names.Dests = Dictionary(Names=Array([String(f"dest-{SECRET}"), Array([pdf.pages[1].obj, Name.Fit])]))
        pdf.pages[0].obj.Thumb = pdf.make_stream(b"thumbnail " + SECRET.encode())
        pdf.pages[0].obj.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String(SECRET)))
        elem = Dictionary(Type=Name.StructElem, S=Name.P, Alt=String(f"Photo of {SECRET}"),
                          ActualText=String(SECRET), T=String(f"{SECRET} section"))
        pdf.Root.StructTreeRoot = Dictionary(Type=Name.StructTreeRoot, K=Array([pdf.make_indirect(elem)]))
        pdf.Root.AcroForm.XFA = pdf.make_stream(f"<xdp>{SECRET}</xdp>".encode())
        src = tmp_path / "in.pdf"
        pdf.save(src)
    return src


def test_side_channels_removed(tmp_path, redact):
    src = _loaded_pdf(tmp_path)
    assert raw_occurrences(src, "Smith")  # the test PDF really carries it
    result = redact(src)
    assert not raw_occurrences(result.output, "Smith")
    with pikepdf.open(result.output) as pdf:
        root = pdf.Root
        for key in ("/OpenAction", "/AcroForm", "/Outlines", "/PageLabels", "/Names"):
            assert key not in root, key
        # the only metadata: the title (the document's name) and language, written anew
        assert dict(pdf.docinfo.items()) == {"/Title": "in"}
        assert str(pdf.open_metadata().get("dc:title")) == "in" and len(pdf.open_metadata()) == 1
        assert str(root.Lang) == "en-GB"
        for page in pdf.pages:
            assert "/Annots" not in page.obj and "/Thumb" not in page.obj and "/AA" not in page.obj
        # the structure tree stays (accessibility) without the redacted texts
        elem = root.StructTreeRoot.K[0]
        assert "/Alt" not in elem and "/ActualText" not in elem and "/T" not in elem
    doc = pymupdf.open(result.output)
    assert doc.embfile_count() == 0 and not doc.get_toc() and doc.metadata["author"] == ""
    assert NEIGHBOUR in doc[0].get_text()


def test_keep_outlines_drops_only_entries_with_redacted_text(tmp_path, redact):
    src = _loaded_pdf(tmp_path)
    options = RunOptions(sanitize=SanitizeOptions(keep_outlines=True))
    result = redact(src, options)
    assert pymupdf.open(result.output).get_toc() == [[1, "Introduction", 1]]
    assert not raw_occurrences(result.output, "Smith")


def test_full_rewrite_without_earlier_revisions(tmp_path, redact):
    """An incrementally updated input keeps its old revision in its bytes;
    the output must not."""
    src = make_pdf(tmp_path / "in.pdf", [neighbour_op() + text_op("Old revision mentions PC Jane Oldfield here", 72, 600)])
    doc = pymupdf.open(src)
    doc[0].add_redact_annot(doc[0].search_for("Jane Oldfield")[0])
    doc[0].apply_redactions()
    doc.saveIncr()  # the old text is still in the file's first revision
    old = b"Oldfield"
    assert src.read_bytes().count(b"%%EOF") == 2 and old in src.read_bytes()
    result = redact(src)
    data = result.output.read_bytes()
    assert data.count(b"%%EOF") == 1
    assert not raw_occurrences(result.output, "Oldfield")
    with pikepdf.open(result.output) as pdf:
        streams = b"".join(o.read_bytes() for o in pdf.objects if isinstance(o, pikepdf.Stream))
    assert old not in streams


def _run_length(data: bytes) -> bytes:
    """RunLengthDecode data: literal runs of up to 128 bytes, then end of data."""
    out = bytearray()
    for i in range(0, len(data), 128):
        chunk = data[i:i + 128]
        out += bytes([len(chunk) - 1]) + chunk
    return bytes(out + b"\x80")


def test_run_length_streams_are_kept_and_read(tmp_path, redact):
    """RunLengthDecode is a standard filter qpdf decodes only when asked
    ("specialized" level): a picture and a content stream in it stay as
    they were, and the text in it is redacted."""
    import numpy as np

    px = (np.arange(40 * 30, dtype=np.uint32).reshape(30, 40) * 7 % 256).astype(np.uint8)

    def extra(pdf, page, i):
        img = pdf.make_stream(_run_length(px.tobytes()), Type=Name.XObject, Subtype=Name.Image, Width=40, Height=30,
                              ColorSpace=Name.DeviceGray, BitsPerComponent=8, Filter=Name.RunLengthDecode)
        page.Resources.XObject = Dictionary(Pic=img)
        second = text_op("Seen by PC John Smith at the desk", 72, 300) + b"q 80 0 0 60 300 500 cm /Pic Do Q\n"
        page.Contents = Array([page.Contents, pdf.make_stream(_run_length(second), Filter=Name.RunLengthDecode)])

    src = make_pdf(tmp_path / "in.pdf", [neighbour_op()], page_extra=extra)
    before = pymupdf.open(src)
    assert SECRET in before[0].get_text()
    result = redact(src)
    out = pymupdf.open(result.output)
    assert SECRET not in out[0].get_text() and "Seen by PC" in out[0].get_text() and NEIGHBOUR in out[0].get_text()
    [info] = out[0].get_image_info(xrefs=True)
    assert pymupdf.Rect(info["bbox"]) == pymupdf.Rect(300, 232, 380, 292)
    kept = np.frombuffer(pymupdf.Pixmap(out, info["xref"]).samples, dtype=np.uint8).reshape(30, 40)
    assert (kept == px).all(), "the picture changed"
    assert not raw_occurrences(result.output, "Smith")


def test_a_title_holding_a_name_redacted_across_a_line_break_is_replaced(tmp_path, redact):
    """The name wraps at its hyphen on the page ("Pemberton-" / "Smythe"), so
    the redacted text reads "Pemberton Smythe" to the sanitiser and the file's
    name (the release's title) held it whole: verification, which squeezes
    out all but letters and digits, found it there and refused the release."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Interview of the witness by DC Jonathan Pemberton-", fontsize=12)
    page.insert_text((72, 116), "Smythe on Monday, at the station.", fontsize=12)
    src = tmp_path / "Interview DC Jonathan Pemberton-Smythe.pdf"
    doc.save(src)
    result = redact(src)
    assert any("Jonathan" in f.text for f in result.findings)
    title = pymupdf.open(result.output).metadata.get("title", "")
    assert "Smythe" not in title and "Jonathan" not in title


def test_a_layers_name_is_not_released(tmp_path, redact):
    """A layer named after an officer ("Notes of DS Rhian Jones") whose page
    names someone else: its name stayed in the page's resources, readable in
    the file's bytes (helper 31). No viewer lists layers in a release."""
    src = tmp_path / "layer.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    oc = doc.add_ocg("Notes of DS Rhian Jones", on=True)
    page.insert_text((72, 72), "Contact PC 4521 Alan Smith on 07700 900123.", fontsize=10, oc=oc)
    page.insert_text((72, 100), NEIGHBOUR, fontsize=10)
    doc.save(src)
    result = redact(src)
    assert not raw_occurrences(result.output, "Rhian") and not raw_occurrences(result.output, "Smith")
    assert NEIGHBOUR in pymupdf.open(result.output)[0].get_text()
