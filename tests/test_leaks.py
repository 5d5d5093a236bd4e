"""The leak suite (issue 9): for each way the landed tool let redacted data
through, a PDF that does it is built here, redacted, and checked from every
view (PyMuPDF with hidden text, poppler, PDFium, OCR of the rendered page,
every string, stream and byte of the file); and the same leak planted in a
clean redacted output makes `redactor verify --log` fail with exit 4.

The glyph-width leak (PETS 2023) has tests of its own.
"""

from __future__ import annotations

import io
import shutil
import zlib

import pikepdf
import pymupdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name, String

from pdfkit import (NEIGHBOUR, assert_gone, assert_gone_everywhere, helvetica, make_pdf, mupdf_text, neighbour_op,
                    ocr_text, outlined_op, pdfium_text, pdftotext, raw_occurrences, squeeze, text_op)
from redactor.pipeline import RunOptions
from redactor.redact import speech
from redactor.redact.apply import ApplyOptions
from redactor.redact.sanitize import SanitizeOptions

NAME = "Jonathan Smethurst"
SURNAME = "Smethurst"
EMAIL = "jonathan.smethurst@police.example"
LINE = f"Contact PC {NAME} today"

needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# --- how each leak is drawn ------------------------------------------------------------

def letter_spaced(y: float = 600) -> bytes:
    return text_op(LINE, 72, y, extra="6 Tc")


def typed_spaced(y: float = 600) -> bytes:
    """The line typed with a space between letters and three between words
    ("C o n t a c t   P C   J o n a t h a n ..."): MuPDF keeps every space,
    poppler and a person read the words."""
    return text_op("   ".join(" ".join(word) for word in LINE.split()), 72, y, size=10)


def kerned_apart(y: float = 600) -> bytes:
    parts = " ".join(f"({_esc(c)}) -1000" for c in NAME)
    return text_op("Contact PC", 72, y) + f"BT /F1 12 Tf 140 {y} Td [{parts}] TJ ET\n".encode()


def reversed_glyphs(y: float = 600) -> bytes:
    widths = [pymupdf.get_text_length(NAME[:i], fontname="helv", fontsize=12) for i in range(len(NAME))]
    ops = ["BT /F1 12 Tf"] + [f"1 0 0 1 {140 + widths[i]:.3f} {y} Tm ({_esc(NAME[i])}) Tj"
                               for i in reversed(range(len(NAME)))] + ["ET"]
    return text_op("Contact PC", 72, y) + (" ".join(ops) + "\n").encode()


def rot13(text: str) -> str:
    out = []
    for ch in text:
        if ch.isascii() and ch.isalpha():
            base = ord("A") if ch.isupper() else ord("a")
            ch = chr(base + (ord(ch) - base + 13) % 26)
        out.append(ch)
    return "".join(out)


def lying_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """Helvetica whose codes are rot13 letters: its /Differences draw the
    real letters (code "W" draws the glyph "J"), its /ToUnicode says each
    code is the letter it is. The page shows the name; the text layer and the
    bytes of the content stream say "Wbanguna Fzrgubefg"."""
    letters = [c for c in range(32, 127) if chr(c).isascii() and chr(c).isalpha()]
    diffs = []
    for c in letters:
        diffs += [c, Name("/" + rot13(chr(c)))]
    entries = [f"<{c:02X}> <{c:04X}>" for c in range(32, 127)]
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Lie def "
            "1 begincodespacerange <00> <FF> endcodespacerange "
            f"{len(entries)} beginbfchar " + " ".join(entries) + " endbfchar endcmap "
            "CMapName currentdict /CMap defineresource pop end end").encode()
    encoding = Dictionary(Type=Name.Encoding, BaseEncoding=Name.WinAnsiEncoding, Differences=Array(diffs))
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=encoding, ToUnicode=pdf.make_stream(cmap)))


def lying_font_res(pdf):
    return {"Font": {"FL": lying_font(pdf)}}


def lying_text(y: float = 600) -> bytes:
    return text_op(rot13(LINE), 72, y, size=16, font="/FL")


def actual_text(y: float = 600) -> bytes:
    spoken = ("\ufeff" + f"PC {NAME}").encode("utf-16-be").hex().upper()  # UTF-16, as a hex string
    return (f"/Span <</ActualText <{spoken}>>> BDC ".encode() + text_op("Officer on duty", 72, y) + b" EMC\n")


def hyphenated(y: float = 600) -> bytes:
    return text_op(f"The statement of PC {NAME} was read.", 72, y) + hyphen_only(y - 40)


def hyphen_only(y: float = 600) -> bytes:
    return text_op("Then Smeth-", 72, y) + text_op("urst left the station.", 72, y - 14)


def jpeg_with_metadata() -> bytes:
    """A small JPEG carrying the name and e-mail in EXIF, XMP and a comment."""
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 48), False)
    pix.set_rect(pix.irect, (60, 120, 200))
    jpeg = pix.tobytes("jpg")

    def seg(marker: int, body: bytes) -> bytes:
        return bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body

    exif = b"Exif\x00\x00" + b"MM\x00*\x00\x00\x00\x08" + f"Artist {NAME} {EMAIL}".encode()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + f"<x:xmpmeta><dc:creator>{NAME}</dc:creator></x:xmpmeta>".encode()
    iptc = b"Photoshop 3.0\x00" + f"8BIM By-line {NAME}".encode()
    com = f"Taken by {NAME} <{EMAIL}>".encode()
    return jpeg[:2] + seg(0xE1, exif) + seg(0xE1, xmp) + seg(0xED, iptc) + seg(0xFE, com) + jpeg[2:]


def image_res(pdf):
    img = pdf.make_stream(jpeg_with_metadata(), Type=Name.XObject, Subtype=Name.Image, Width=64, Height=48,
                          ColorSpace=Name.DeviceRGB, BitsPerComponent=8, Filter=Name.DCTDecode)
    return {"XObject": Dictionary(Im1=img)}


IMAGE_DRAW = b"q 128 0 0 96 72 400 cm /Im1 Do Q\n"


def attached_form_res(pdf):
    """A Form XObject drawn on the page, with a file attached to it by /AF."""
    data = f"Interview notes: {NAME}, {EMAIL}".encode()
    ef = pdf.make_stream(data, Type=Name.EmbeddedFile)
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("notes.txt"), UF=String("notes.txt"),
                                        EF=Dictionary(F=ef), AFRelationship=Name.Supplement))
    form = pdf.make_stream(text_op("Duty rota attached", 0, 10), Type=Name.XObject, Subtype=Name.Form,
                           BBox=Array([0, 0, 300, 30]), Resources=Dictionary(Font=Dictionary(F1=helvetica(pdf))),
                           AF=Array([spec]))
    return {"XObject": Dictionary(Xa=form)}


FORM_DRAW = b"q 1 0 0 1 72 300 cm /Xa Do Q\n"


def alt_surname(pdf):
    """/Alt text (structure tree and marked content) holding only the surname."""
    elem = Dictionary(Type=Name.StructElem, S=Name.Figure, Alt=String(f"Photo of {SURNAME}"))
    pdf.Root.StructTreeRoot = Dictionary(Type=Name.StructTreeRoot, K=Array([pdf.make_indirect(elem)]))
    pdf.Root.MarkInfo = Dictionary(Marked=True)


ALT_CONTENT = f"/Figure <</Alt (Portrait of {SURNAME})>> BDC 72 200 50 50 re f EMC\n".encode()


def named_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """A font named after the person, its program embedded under that name."""
    font = pymupdf.Font("helv")
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(font.buffer), None)
    cff.fontNames = [f"PC-{SURNAME}"]
    out = io.BytesIO()
    holder = TTFont()
    holder.recalcBBoxes = False
    cff.compile(out, holder)
    program = pdf.make_stream(out.getvalue(), Subtype=Name.Type1C)
    widths = [round(font.glyph_advance(c) * 1000) for c in range(32, 127)]
    desc = Dictionary(Type=Name.FontDescriptor, FontName=Name(f"/PC-{SURNAME}"), FontFamily=String(f"PC {SURNAME}"),
                      Flags=32, FontBBox=Array([-200, -300, 1100, 1000]), ItalicAngle=0, Ascent=750, Descent=-250,
                      CapHeight=700, StemV=80, FontFile3=program)
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name(f"/PC-{SURNAME}"),
                                        Encoding=Name.WinAnsiEncoding, FirstChar=32, LastChar=126,
                                        Widths=Array(widths), FontDescriptor=pdf.make_indirect(desc)))


def named_font_res(pdf):
    return {"Font": {"FN": named_font(pdf)}}


FONT_TEXT = "Duty rota for the week"
NAMED_FONT_DRAW = text_op(FONT_TEXT, 72, 300, font="/FN")


def unknown_filter(pdf):
    """A stream with a filter nobody knows, whose bytes are plain text."""
    blob = pdf.make_stream(f"Notes on {NAME} ({EMAIL})".encode(), Filter=Name("/RedactorNoSuchDecode"))
    pdf.pages[0].obj.RecordsNotes = blob


def undrawn_form_res(pdf):
    hexname = (f"PC {NAME}").encode("latin-1").hex().upper()
    form = pdf.make_stream(f"BT /F1 12 Tf 0 10 Td <{hexname}> Tj ET".encode(), Type=Name.XObject, Subtype=Name.Form,
                           BBox=Array([0, 0, 300, 30]), Resources=Dictionary(Font=Dictionary(F1=helvetica(pdf))))
    return {"XObject": Dictionary(Xu=form)}


QUOTED_URI = "https://intranet.example/staff/Jonathan%20Smethurst"
PLAIN_URI = "https://www.example.org/foi"


def links(pdf):
    page = pdf.pages[0].obj
    page.Annots = Array([
        pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 100, 200, 112]), Border=Array([0, 0, 0]),
                                     A=Dictionary(S=Name.URI, URI=String(QUOTED_URI)))),
        pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 80, 200, 92]), Border=Array([0, 0, 0]),
                                     A=Dictionary(S=Name.URI, URI=String(PLAIN_URI)))),
    ])


VISIBLE = text_op(f"Report by PC {NAME}.", 72, 700)


# --- redaction removes each leak from every view -----------------------------------------------

def _src(tmp_path, content: bytes, **kw):
    return make_pdf(tmp_path / "in.pdf", [neighbour_op() + content], **kw)


@pytest.mark.parametrize("draw", [letter_spaced, kerned_apart, reversed_glyphs], ids=["Tc", "TJ", "reverse"])
def test_glyphs_spaced_kerned_or_reversed(tmp_path, redact, draw):
    src = _src(tmp_path, draw())
    assert NAME not in " ".join(pymupdf.open(src)[0].get_text().split())  # MuPDF alone does not read it
    result = redact(src)
    assert any(f.text == NAME and f.source == "positional" for f in result.findings)
    assert_gone_everywhere(result.output, NAME)


@pytest.mark.parametrize("keep_layout", [False, True])
def test_wide_character_spacing_leaves_no_last_letter(tmp_path, redact, keep_layout):
    """With "8 Tc" the last digit of a number ending its line stayed, live,
    just past its box: the centre taken half-way along the glyph's advance,
    spacing included, lay outside the box; MuPDF's own box of it lay inside."""
    src = _src(tmp_path, text_op("Officer mobile 07700 900123", 72, 600, extra="8 Tc"))
    options = RunOptions() if not keep_layout else RunOptions(apply=ApplyOptions(glyph_width_defence=False))
    result = redact(src, options)
    assert [f.category for f in result.findings] == ["phone"]
    for text in (mupdf_text(result.output), pdftotext(result.output)):
        assert not any(ch.isdigit() for ch in speech.PHRASE.sub("", text).replace("S40(2)", "")), text


def test_letters_typed_with_spaces_between(tmp_path, redact):
    src = _src(tmp_path, typed_spaced())
    assert NAME not in " ".join(pymupdf.open(src)[0].get_text().split())  # MuPDF keeps the spaces
    assert NAME in pdftotext(src)  # poppler reads the words
    result = redact(src)
    assert any(f.text == NAME and f.source == "despaced" for f in result.findings)
    assert_gone_everywhere(result.output, NAME)


@needs_ocr
def test_text_drawn_as_curves(tmp_path, redact):
    """Fonts outlined on export: only a person and OCR read the name; with
    --ocr auto the curves that look like letters are read from a rendering."""
    src = _src(tmp_path, text_op("Contact", 72, 600) + outlined_op(f"PC {NAME} today", 130, 600))
    assert SURNAME not in mupdf_text(src) and SURNAME not in pdftotext(src)
    assert SURNAME in ocr_text(src)
    result = redact(src)
    assert any(f.text == NAME and f.source == "ocr" for f in result.findings)
    assert_gone_everywhere(result.output, NAME)
    assert "today" in ocr_text(result.output)  # the curves beside the box are still drawn


def _no_size_form(pdf):
    form = pdf.make_stream(text_op(LINE, 0, 10), Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 400, 30]),
                           Resources=Dictionary(Font=Dictionary(F1=helvetica(pdf))))
    return {"XObject": Dictionary(X1=form)}


@pytest.mark.parametrize("draw, resources", [
    (f"BT /F1 0 Tf 72 600 Td ({LINE}) Tj ET\n".encode(), None),
    (f"BT /F1 12 Tf 0 Tz 72 600 Td ({LINE}) Tj ET\n".encode(), None),
    (f"BT /F1 12 Tf 1 0 0 0 72 600 Tm ({LINE}) Tj ET\n".encode(), None),
    (b"q 0 0 0 0 72 600 cm /X1 Do Q\n", _no_size_form),
], ids=["font-size-0", "Tz-0", "zero-height-matrix", "form-through-zero-matrix"])
def test_text_drawn_at_no_size(tmp_path, redact, draw, resources):
    """No viewer shows text drawn at no size; PDFium, poppler and MuPDF's
    plain text read it. MuPDF's structured reading drops it: it was never
    found, exit 0, the name in every extractor (helper 31)."""
    src = _src(tmp_path, draw, resources=resources)
    assert squeeze(SURNAME) in squeeze(pdfium_text(src)) + squeeze(mupdf_text(src))
    result = redact(src)
    assert any(SURNAME in f.text for f in result.findings), [f.text for f in result.findings]
    assert_gone(result.output, NAME)
    assert squeeze(NAME) not in squeeze(pdfium_text(result.output))


@needs_ocr
def test_text_drawn_as_stroked_curves(tmp_path, redact):
    """Hollow lettering: the letters' outlines stroked, not filled. A person
    reads them; so must redactor (they were passed over as line art)."""
    src = _src(tmp_path, text_op("Contact", 72, 600) + outlined_op(f"Inspector {NAME} today", 130, 600, 18, stroked=True))
    assert SURNAME not in mupdf_text(src) and SURNAME not in pdftotext(src)
    assert SURNAME in ocr_text(src)
    result = redact(src)
    assert any(NAME in f.text and f.source == "ocr" for f in result.findings), [f.text for f in result.findings]
    assert_gone_everywhere(result.output, NAME)
    assert "today" in ocr_text(result.output)  # the letters beside the box are still drawn


@needs_ocr
@pytest.mark.parametrize("turn", [b"0 1 -1 0 300 200", b"0 -1 1 0 300 600"], ids=["up", "down"])
def test_text_drawn_as_curves_up_the_page(tmp_path, redact, turn):
    """A label drawn up (or down) the page in outlined letters was never read."""
    label = b"q " + turn + b" cm " + outlined_op(f"Inspector {NAME} today", 0, 0, 16) + b" Q\n"
    src = _src(tmp_path, text_op("Contact", 72, 600) + label)
    assert SURNAME not in mupdf_text(src) and SURNAME not in pdftotext(src)
    result = redact(src)
    assert any(SURNAME in f.text and f.source == "ocr" for f in result.findings), [f.text for f in result.findings]
    assert_gone_everywhere(result.output, NAME)


@needs_ocr
def test_font_whose_tounicode_lies(tmp_path, redact):
    src = _src(tmp_path, lying_text(), resources=lying_font_res)
    assert "Smethurst" not in mupdf_text(src) and "Smethurst" not in pdftotext(src)  # the text layer lies
    assert "Smethurst" in ocr_text(src)  # the page shows it
    result = redact(src)
    assert any(f.source == "ocr" and SURNAME in f.text for f in result.findings)
    assert_gone_everywhere(result.output, NAME)


def test_actual_text_in_marked_content(tmp_path, redact):
    src = _src(tmp_path, actual_text())
    assert NAME in pdftotext(src)
    result = redact(src)
    assert any(f.source == "actualtext" for f in result.findings)
    assert_gone_everywhere(result.output, NAME)


def test_surname_hyphenated_across_lines(tmp_path, redact):
    src = _src(tmp_path, hyphenated())
    result = redact(src)
    assert any(f.source in ("dehyphenated", "pdfium") and f.text == SURNAME for f in result.findings)
    # the de-hyphenated reading alone finds it too (PDFium joins such words as well)
    from redactor.text.hyphens import dehyphenate
    from redactor.text.mupdf import extract_page

    joined, lines = dehyphenate(extract_page(pymupdf.open(src)[0]))
    assert "Then Smethurst left" in joined.text.split("\n")[lines[0]]
    f = next(f for f in result.findings if f.text == SURNAME)
    assert len(f.rects) == 2  # one box on each line
    assert_gone_everywhere(result.output, NAME)
    for view in (mupdf_text(result.output), pdftotext(result.output)):
        assert "Smeth-" not in view and "urst left" not in view
        assert "left the station." in view


def test_image_metadata(tmp_path, redact):
    src = _src(tmp_path, VISIBLE + IMAGE_DRAW, resources=image_res)
    assert raw_occurrences(src, SURNAME)
    result = redact(src)
    assert_gone_everywhere(result.output, NAME)
    assert not raw_occurrences(result.output, "smethurst@")
    with pikepdf.open(result.output) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert len(images) == 1 and images[0].Filter == Name.DCTDecode
        jpeg = images[0].read_raw_bytes()
    # the pixels are the same bytes: only metadata segments went
    original = jpeg_with_metadata()
    assert jpeg[-200:] == original[-200:]
    assert pymupdf.Pixmap(jpeg).pixel(5, 5) == pymupdf.Pixmap(original).pixel(5, 5)


def test_file_attached_to_a_form_xobject(tmp_path, redact):
    src = _src(tmp_path, VISIBLE + FORM_DRAW, resources=attached_form_res)
    result = redact(src)
    assert_gone_everywhere(result.output, NAME)
    assert "Duty rota attached" in mupdf_text(result.output)
    with pikepdf.open(result.output) as pdf:
        assert not [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and ("/AF" in o or "/EF" in o)]


def test_alt_text_with_the_surname_only(tmp_path, redact):
    src = _src(tmp_path, VISIBLE + ALT_CONTENT, setup=alt_surname)
    result = redact(src)
    assert_gone_everywhere(result.output, NAME)
    assert not raw_occurrences(result.output, SURNAME)
    with pikepdf.open(result.output) as pdf:
        assert "/StructTreeRoot" in pdf.Root  # the tags stay, without the surname


def test_font_named_after_the_person(tmp_path, redact):
    src = _src(tmp_path, VISIBLE + NAMED_FONT_DRAW, resources=named_font_res)
    assert raw_occurrences(src, SURNAME)
    result = redact(src)
    assert_gone_everywhere(result.output, NAME)
    assert not raw_occurrences(result.output, SURNAME)
    out = pymupdf.open(result.output)
    assert FONT_TEXT in " ".join(out[0].get_text().split())  # the font still works
    assert FONT_TEXT in ocr_text(result.output)


def test_stream_with_unknown_filter(tmp_path, redact):
    src = _src(tmp_path, VISIBLE, setup=unknown_filter)
    assert raw_occurrences(src, SURNAME)
    result = redact(src)
    assert_gone_everywhere(result.output, NAME)
    assert not raw_occurrences(result.output, "smethurst@")
    assert not raw_occurrences(result.output, "Notes on")  # dropped, not copied
    assert "RedactorNoSuchDecode" in result.log.read_text()  # the log says what was dropped


def test_form_xobject_never_drawn(tmp_path, redact):
    src = _src(tmp_path, VISIBLE, resources=undrawn_form_res)
    result = redact(src)
    assert_gone_everywhere(result.output, NAME)
    with pikepdf.open(result.output) as pdf:
        assert "/Xu" not in pdf.pages[0].obj.Resources.get("/XObject", Dictionary())


def test_keys_no_reader_shows_are_dropped(tmp_path, redact):
    """Personal data only in keys the standard does not define (the page's,
    the catalogue's, the page tree's, the resources'): nothing finds it
    there, and nothing shows it; the keys go, what the page draws stays."""
    src = make_pdf(tmp_path / "in.pdf", [neighbour_op()])
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.PrivateNote = String(EMAIL)
        pdf.pages[0].obj.Resources.XNote = String(EMAIL)
        pdf.Root.Custom = Dictionary(Who=String(EMAIL))
        pdf.Root.Pages.Owner = String(EMAIL)
        pdf.save(src)
    assert raw_occurrences(src, "smethurst@")
    result = redact(src)
    assert not raw_occurrences(result.output, "smethurst@")
    assert NEIGHBOUR in " ".join(mupdf_text(result.output).split())


def test_percent_encoded_link_kept_with_keep_links(tmp_path, redact):
    src = _src(tmp_path, VISIBLE, setup=links)
    options = RunOptions(sanitize=SanitizeOptions.from_keep(["links"]))
    result = redact(src, options)
    assert_gone_everywhere(result.output, NAME)
    assert not raw_occurrences(result.output, "Smethurst")
    uris = [link.get("uri") for link in pymupdf.open(result.output)[0].get_links()]
    assert uris == [PLAIN_URI]  # the other link is kept


# --- verify fails when a leak is planted after redaction ------------------------------------------

@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A redacted output and its log: PC Jonathan Smethurst was redacted."""
    from redactor.detect.engine import Detector
    from redactor.detect.rulepack import load_packs
    from redactor.pipeline import redact_pdf

    where = tmp_path_factory.mktemp("clean")
    src = make_pdf(where / "in.pdf", [neighbour_op() + VISIBLE])
    result = redact_pdf(src, where / "out.pdf", Detector(load_packs(), use_nlp=False))
    assert any(f.text == NAME for f in result.findings)
    return result.output, result.log


def _plant(clean, tmp_path, content: bytes = b"", fonts=None, xobjects=None, edit=None):
    out, log = clean
    planted = tmp_path / "planted.pdf"
    with pikepdf.open(out) as pdf:
        page = pdf.pages[0]
        res = page.obj.Resources
        font_dict = res.get("/Font") or Dictionary()
        res.Font = font_dict
        font_dict.F1 = helvetica(pdf)
        for k, v in (fonts(pdf) if fonts else {}).items():
            font_dict[Name("/" + k)] = v
        if xobjects:
            xo = res.get("/XObject") or Dictionary()
            res.XObject = xo
            for k, v in xobjects(pdf).items():
                xo[Name("/" + k)] = v
        if content:
            page.contents_add(pdf.make_stream(b"q " + content + b" Q\n"), prepend=False)
        if edit:
            edit(pdf)
        pdf.save(planted)
    return planted, log


def _verify_fails(cli, planted, log, expect: str = "smethurst"):
    code, out, err = cli("verify", planted, "--log", log, "--details")
    assert code == 4, f"verify passed a planted leak: {out} {err}"
    assert "verification FAILED" in err and expect in err.casefold()


def test_verify_passes_the_clean_output(clean, cli):
    out, log = clean
    code, stdout, err = cli("verify", out, "--log", log)
    assert code == 0, err


@pytest.mark.parametrize("draw", [letter_spaced, typed_spaced, kerned_apart, reversed_glyphs, actual_text, hyphen_only],
                         ids=["Tc", "spaces", "TJ", "reverse", "ActualText", "hyphenated"])
def test_verify_catches_planted_text(clean, tmp_path, cli, draw):
    planted, log = _plant(clean, tmp_path, draw(500))
    _verify_fails(cli, planted, log)


@needs_ocr
def test_verify_catches_planted_outlined_text(clean, tmp_path, cli):
    planted, log = _plant(clean, tmp_path, outlined_op(f"PC {NAME}", 72, 500))
    _verify_fails(cli, planted, log)


@needs_ocr
def test_verify_catches_planted_lying_font(clean, tmp_path, cli):
    planted, log = _plant(clean, tmp_path, lying_text(500), fonts=lambda pdf: {"FL": lying_font(pdf)})
    assert "Smethurst" not in pdftotext(planted)
    _verify_fails(cli, planted, log)


@needs_ocr
@pytest.mark.parametrize("jobs", [1, 3])
def test_the_pixel_check_reads_pages_alone_or_side_by_side_alike(clean, tmp_path, monkeypatch, jobs):
    """A page whose fonts may lie is read by Tesseract, its reading and its
    orientation check as two processes side by side (several pages at once):
    one Tesseract at a time (a batch worker) finds what several do."""
    from redactor.text.ocr import tesseract
    from redactor.verify.needles import Needles
    from redactor.verify.pixels import check_pixels

    planted, _log = _plant(clean, tmp_path, lying_text(500), fonts=lambda pdf: {"FL": lying_font(pdf)})
    monkeypatch.setattr(tesseract, "_jobs", jobs)
    problems = check_pixels(planted.read_bytes(), Needles([NAME]))
    assert problems and all("is visible on the rendered page" in p and "page 1:" in p for p in problems), problems


def test_verify_catches_planted_image_metadata(clean, tmp_path, cli):
    planted, log = _plant(clean, tmp_path, IMAGE_DRAW, xobjects=lambda pdf: image_res(pdf)["XObject"])
    _verify_fails(cli, planted, log)


def test_verify_catches_planted_attachment(clean, tmp_path, cli):
    def edit(pdf):
        res = attached_form_res(pdf)["XObject"]
        form = res.Xa
        form.AF[0].EF.F.write(zlib.compress(f"notes {NAME}".encode()), filter=Name.FlateDecode)
        pdf.pages[0].obj.Resources.XObject = Dictionary(Xa=form)
        pdf.pages[0].contents_add(pdf.make_stream(FORM_DRAW), prepend=False)

    planted, log = _plant(clean, tmp_path, edit=edit)
    _verify_fails(cli, planted, log, expect="attached file")


def test_verify_catches_planted_alt_surname(clean, tmp_path, cli):
    planted, log = _plant(clean, tmp_path, edit=alt_surname)
    _verify_fails(cli, planted, log)


def test_verify_catches_planted_font_name(clean, tmp_path, cli):
    planted, log = _plant(clean, tmp_path, NAMED_FONT_DRAW, fonts=lambda pdf: {"FN": named_font(pdf)})
    _verify_fails(cli, planted, log)


def test_verify_catches_planted_unknown_filter(clean, tmp_path, cli):
    planted, log = _plant(clean, tmp_path, edit=unknown_filter)
    _verify_fails(cli, planted, log)


def test_verify_catches_planted_undrawn_form(clean, tmp_path, cli):
    planted, log = _plant(clean, tmp_path, xobjects=lambda pdf: undrawn_form_res(pdf)["XObject"])
    _verify_fails(cli, planted, log)


def test_verify_catches_planted_quoted_link(clean, tmp_path, cli):
    planted, log = _plant(clean, tmp_path, edit=links)
    _verify_fails(cli, planted, log)


# --- which pages are read from their pixels ---------------------------------------------

def test_font_check_flags_lying_and_type3_fonts_only(tmp_path):
    """An honest font (standard or embedded, with or without /ToUnicode) is
    trusted; a /ToUnicode that contradicts the glyph names is not."""
    from redactor.text.fonts import FontCheck

    def honest(pdf):
        font = named_font(pdf)
        entries = " ".join(f"<{c:02X}> <{c:04X}>" for c in range(32, 127))
        font.ToUnicode = pdf.make_stream(f"95 beginbfchar {entries} endbfchar".encode())
        return {"Font": {"FN": font, "FL": lying_font(pdf)}}

    src = make_pdf(tmp_path / "fonts.pdf", [neighbour_op() + NAMED_FONT_DRAW, lying_text(), neighbour_op()],
                   resources=honest)
    with pikepdf.open(src) as pdf:
        # every page shares the resources: the check is per font, per page
        check = FontCheck(pdf)
        problems = check.page_problems(0)
        assert len(problems) == 1 and "Helvetica" in problems[0] and "other letters" in problems[0]
    plain = make_pdf(tmp_path / "plain.pdf", [neighbour_op() + NAMED_FONT_DRAW], resources=named_font_res)
    with pikepdf.open(plain) as pdf:
        assert FontCheck(pdf).page_problems(0) == []
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), NEIGHBOUR, fontname="helv")
    doc.save(tmp_path / "pymupdf.pdf")
    with pikepdf.open(tmp_path / "pymupdf.pdf") as pdf:
        assert FontCheck(pdf).page_problems(0) == []
