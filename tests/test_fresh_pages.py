"""A long file's pages read with the file opened afresh every CHUNK pages
(MuPDF's, PDFium's and qpdf's readings; issue 14: memory flat in pages)
give exactly what one reading of the whole file gives. CHUNK is made
small here (a few pages) so that a ten-page file crosses it several times;
what changes between chunks is on pages in every chunk."""

from __future__ import annotations

import io
import re

import pikepdf
import pymupdf
import pytest

from pdfkit import make_pdf, text_op
from redactor.ingest.document import open_pdf, refresh
from redactor.redact.apply import Box, redact
from redactor.spill import Spill
from redactor.text import fresh, views
from redactor.text.fresh import FreshPages
from redactor.text.mupdf import extract_page, mark_covered
from redactor.text.views import read_views

PAGES = 10
SMALL = 3  # pages 0-2, 3-5, 6-8, 9
BOXED = (1, 3, 4, 7, 9)  # text hidden under a drawn box: mark_covered's pages, two per chunk of two
BOX = b"q 0 0 0 rg 70 596 240 20 re f Q\n"


def _own_font(pdf: pikepdf.Pdf, page: pikepdf.Dictionary, i: int) -> None:
    """Each page its own font object, of one of three widths in turn (a
    width measured for one font must never be taken for another's: the
    font caches are kept across chunks), the first page's content in five
    streams."""
    base = ("/Courier", "/Times-Roman", "/Helvetica-Bold")[i % 3]
    page.Resources.Font.F2 = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name(base),
        Encoding=pikepdf.Name.WinAnsiEncoding))
    if i == 0:
        page.Contents = pikepdf.Array([page.Contents] + [pdf.make_stream(b" ") for _ in range(4)])


def _page(i: int) -> bytes:
    body = text_op(f"Detective Sergeant Jane Okafor{i}, telephone 07700 900{i:03d}", 72, 700, font="/F2")
    body += text_op(f"Statement taken from Mr Barker{i} at the station.", 72, 660)
    if i in BOXED:  # text someone "redacted" by drawing over it
        body += text_op(f"Hidden informant Priya Shah{i}", 72, 600) + BOX
    if i % 3 == 2:  # a name broken across lines: the de-hyphenated reading
        body += text_op("Case officer DC Tom Kowal-", 72, 400) + text_op(f"ski{i} took the call.", 72, 386)
    if i in (2, 8):  # marked content with /ActualText: the ActualText reading (and _marked_pages)
        body += b"/Span <</ActualText (Ruth Adeyemi)>> BDC " + text_op("R. A.", 72, 300) + b" EMC\n"
    return body


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> bytes:
    path = make_pdf(tmp_path_factory.mktemp("fresh") / "long.pdf", [_page(i) for i in range(PAGES)],
                    page_extra=_own_font)
    return path.read_bytes()


@pytest.fixture
def small_chunk(monkeypatch):
    monkeypatch.setattr(fresh, "CHUNK", SMALL)


@pytest.fixture
def one_chunk(monkeypatch):
    monkeypatch.setattr(fresh, "CHUNK", 10**9)


def test_pages_are_those_of_one_document(data, small_chunk):
    whole = pymupdf.open(stream=data, filetype="pdf")
    pages = FreshPages(data)
    assert len(pages) == pages.page_count == PAGES
    seen = []
    for page in pages:  # in order, across every chunk
        assert page.number == len(seen)
        seen.append(extract_page(page))
    assert seen == [extract_page(p) for p in whole]
    assert seen[-1].text != seen[0].text  # (the pages do differ: a wrong page would show)
    # by index, a chunk opened again when asked for out of order
    for i in (9, 0, 4, -1, -10):
        assert extract_page(pages[i]) == extract_page(whole[i])
    with pytest.raises(IndexError):
        pages[PAGES]
    # each chunk is a document of its own, opened afresh
    assert pages[0].parent is not pages[SMALL].parent
    pages.close()


def _readings(views) -> tuple:
    return (list(views.primary), [(p.source, p.index, p.text, list(p.glyphs)) for p in views.extra],
            views.suspicious, views.skipped)


def test_read_views_across_chunks_is_read_views_of_the_whole(data, monkeypatch):
    opened = []

    class Counted(views.PdfiumReader):  # the real reader, its openings counted
        def __init__(self, *args, **kwargs):
            opened.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(views, "PdfiumReader", Counted)
    monkeypatch.setattr(fresh, "CHUNK", 10**9)
    whole = read_views(pymupdf.open(stream=data, filetype="pdf"), data)
    assert len(opened) == 1
    monkeypatch.setattr(fresh, "CHUNK", SMALL)
    chunked = read_views(FreshPages(data), data)
    assert len(opened) == 1 + 4  # pages 0, 3, 6 and 9 start a chunk
    assert _readings(chunked) == _readings(whole)
    # the other readings are made on pages of every chunk (PDFium's and qpdf's copies opened afresh)
    by_source = {}
    for p in whole.extra:
        by_source.setdefault(p.source, set()).add(p.index // SMALL)
    assert {"dehyphenated", "actualtext", "pdfium"} <= set(by_source), by_source
    assert by_source["actualtext"] == {0, 2}  # pages 2 and 8: _marked_pages reads them from two copies
    assert by_source["pdfium"] & {1, 2, 3}  # PDFium's reading of a page after the first chunk


def test_mark_covered_across_chunks_marks_what_one_pass_marks(data, monkeypatch):
    monkeypatch.setattr(fresh, "CHUNK", 10**9)
    doc = pymupdf.open(stream=data, filetype="pdf")
    whole = [extract_page(p) for p in doc]
    mark_covered(doc, whole, data)
    monkeypatch.setattr(fresh, "CHUNK", 2)  # qpdf's copy opened afresh after every two pages it reads
    chunked = [extract_page(p) for p in doc]
    mark_covered(FreshPages(data), chunked, data)
    assert chunked == whole
    assert [p.index for p in whole if p.covered] == list(BOXED)
    assert all(p.hidden_counts for p in whole if p.index in BOXED)


def _boxes(doc: pymupdf.Document) -> list[Box]:
    out = []
    for page in doc:
        for k, word in enumerate(("Okafor", "Barker", "Shah")):
            for rect in page.search_for(word):
                out.append(Box(page=page.number + 1, rect=tuple(rect), label="S40(2)", ref=f"{page.number}-{k}",
                               covered=word == "Shah"))
    return out


def _applied(data: bytes, release: bool, on_disk: bool = False) -> tuple:
    """The document redact() makes, as bytes (less its /ID, whose second
    half is new every time a file is written), and what it reports.
    ``on_disk``: the boxes given as a Spill (as the pipeline does)."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    boxes = _boxes(doc)
    result = redact(doc, Spill(boxes) if on_disk else boxes, withheld={6: "S40(2)"}, release_input=release)
    written = re.sub(rb"/ID\s*\[[^\n]*\]\s*>>\s*startxref", b"/ID[]>>\nstartxref", result.doc.tobytes())
    assert written.count(b"/ID[]") == 1
    return written, result.drawn, result.covered, result.reports


def test_apply_across_chunks_writes_what_one_pass_writes(data, monkeypatch):
    monkeypatch.setattr(fresh, "CHUNK", 10**9)
    whole = _applied(data, release=False)
    monkeypatch.setattr(fresh, "CHUNK", SMALL)
    chunked = _applied(data, release=True, on_disk=True)
    assert chunked[1:] == whole[1:]
    assert chunked[0] == whole[0]  # byte for byte
    text = "".join(p.get_text() for p in pymupdf.open(stream=chunked[0], filetype="pdf"))
    assert "Okafor" not in text and "Shah" not in text and "telephone" in text


def test_a_refreshed_working_copy_is_the_same_document(tmp_path, data):
    path = tmp_path / "in.pdf"
    path.write_bytes(data)
    doc = open_pdf(path)
    before = [extract_page(p) for p in doc.doc]
    expected = _applied(doc.doc.tobytes(), release=False)
    old = doc.doc
    refresh(doc)
    assert doc.doc is not old and old.is_closed and doc.data == b""
    assert [extract_page(p) for p in doc.doc] == before
    assert _applied(doc.doc.tobytes(), release=False) == expected
    with pikepdf.open(io.BytesIO(doc.doc.tobytes())) as pdf:
        assert len(pdf.pages) == PAGES


def test_bytes_on_disk_are_read_as_the_bytes(data):
    spooled, source = fresh.on_disk(data)
    with spooled:
        if isinstance(source, str):  # (Linux: a path to the anonymous file; elsewhere the bytes themselves)
            with open(source, "rb") as f:
                assert f.read() == data
        pages = FreshPages(source)
        assert [extract_page(p) for p in pages] == [extract_page(p) for p in pymupdf.open(stream=data, filetype="pdf")]
        pages.close()
        with pikepdf.open(source if isinstance(source, str) else io.BytesIO(source)) as pdf:
            assert len(pdf.pages) == PAGES
