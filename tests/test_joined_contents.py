"""A page whose content is split over many streams has them joined before
qpdf edits the working copy: qpdf holds and parses every object of the
file it edits (issue 14, memory flat in the number of pages). The join
must read exactly as qpdf reads the array, and leave alone what it cannot
join whole."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pikepdf
import pymupdf
import pytest
from pikepdf import Array, Dictionary, Name

from pdfkit import NEIGHBOUR, assert_gone, helvetica, neighbour_op, text_op
from redactor.memory import SMALL
from redactor.redact.joined import join_contents

#: pieces of one page's content: one not ending in a newline, an empty one, an operator
#: split from its operands' line
PIECES = [neighbour_op(), b"q 1 0 0 1 0 0 cm", b"Q", b"", text_op("Call PC John Smith on Monday.", 72, 700),
          b"q\n", b"Q", text_op("The burglary in Camden was reported.", 72, 680)]


def _pdf(path: Path, pages: list[list[bytes]], setup=None) -> Path:
    """Each page's /Contents an array of one stream per piece (Flate, as
    most producers write them); ``setup(pdf, streams)`` may change them
    (written as they are: qpdf re-encodes nothing)."""
    pdf = pikepdf.new()
    font = helvetica(pdf)
    streams = []
    for pieces in pages:
        mine = [pdf.make_stream(zlib.compress(p), Filter=Name.FlateDecode) for p in pieces]
        streams.append(mine)
        pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 612, 792]),
                                                 Resources=Dictionary(Font=Dictionary(F1=font)),
                                                 Contents=Array(mine))))
    if setup:
        setup(pdf, streams)
    pdf.save(path, compress_streams=False)
    return path


def _ops(data: bytes) -> list[list]:
    """Each page's operators as qpdf reads them."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [[(list(map(repr, i.operands)), str(i.operator)) for i in pikepdf.parse_content_stream(p)]
                for p in pdf.pages]


def _joined(path: Path, numbers) -> tuple[int, bytes]:
    doc = pymupdf.open(path)
    joined = join_contents(doc, numbers)
    return joined, doc.tobytes(garbage=1)


def test_a_joined_page_reads_as_qpdf_reads_its_array(tmp_path):
    src = _pdf(tmp_path / "in.pdf", [PIECES, PIECES[::-1]])
    before = src.read_bytes()
    joined, after = _joined(src, [1, 2])
    assert joined == 2
    assert _ops(after) == _ops(before)
    with pikepdf.open(io.BytesIO(before)) as old, pikepdf.open(io.BytesIO(after)) as new:
        # what qpdf holds: one stream a page, not one a piece (the pieces are not written)
        assert len(old.objects) - len(new.objects) == 2 * (len(PIECES) - 1)
        for a, b in zip(old.pages, new.pages):
            assert isinstance(b.obj.Contents, pikepdf.Stream)
            a.contents_coalesce()  # qpdf's own join of the array
            assert b.obj.Contents.read_bytes() == a.obj.Contents.read_bytes()


@pytest.mark.parametrize("pieces", [[b"Q", b"", b"BT"], [b"ET\n", b"", b"Q"], [b"", b"Q"], [b"a", b"", b"", b"b"],
                                    [b"a", b" ", b"b"], [b"a\n", b"b\n"]])
def test_newlines_between_streams_are_qpdfs(tmp_path, pieces):
    src = _pdf(tmp_path / "in.pdf", [pieces])
    _, after = _joined(src, [1])
    with pikepdf.open(src) as old, pikepdf.open(io.BytesIO(after)) as new:
        old.pages[0].contents_coalesce()
        assert new.pages[0].obj.Contents.read_bytes() == old.pages[0].obj.Contents.read_bytes()


def test_a_flate_stream_of_no_bytes_is_nothing_as_for_qpdf(tmp_path):
    def empty(pdf, streams):
        streams[0][3].write(b"", filter=Name.FlateDecode)  # /Length 0, /Filter /FlateDecode

    src = _pdf(tmp_path / "in.pdf", [PIECES], empty)
    joined, after = _joined(src, [1])
    assert joined == 1
    with pikepdf.open(src) as old, pikepdf.open(io.BytesIO(after)) as new:
        assert old.pages[0].obj.Contents[3].read_raw_bytes() == b""
        old.pages[0].contents_coalesce()
        assert new.pages[0].obj.Contents.read_bytes() == old.pages[0].obj.Contents.read_bytes()


def test_a_stream_another_page_also_draws_stays_for_it(tmp_path):
    """A piece both pages draw (a watermark, say): joining page 1 copies
    it into page 1's stream; page 2 keeps its array and the piece."""
    def share(pdf, streams):
        pdf.pages[1].obj.Contents = Array([*streams[1], streams[0][0]])

    src = _pdf(tmp_path / "in.pdf", [PIECES, [text_op("Second page", 72, 600)]], share)
    joined, after = _joined(src, [1])
    assert joined == 1
    assert _ops(after) == _ops(src.read_bytes())
    with pikepdf.open(io.BytesIO(after)) as pdf:
        assert isinstance(pdf.pages[0].obj.Contents, pikepdf.Stream)
        assert isinstance(pdf.pages[1].obj.Contents, pikepdf.Array)
    doc = pymupdf.open(stream=after, filetype="pdf")
    assert NEIGHBOUR in doc[1].get_text() and NEIGHBOUR in doc[0].get_text()


def test_streams_it_cannot_decode_whole_are_left_as_they_are(tmp_path):
    def odd(pdf, streams):
        hexed, broken, params = streams[0][1], streams[1][1], streams[2][1]
        hexed.write(b"71203120302030203120302030206" b"36d>", filter=Name.ASCIIHexDecode)  # "q 1 0 0 1 0 0 cm"
        broken.write(zlib.compress(b"q 1 0 0 1 0 0 cm")[:-6], filter=Name.FlateDecode)  # cut short
        params.DecodeParms = Dictionary(Predictor=1)

    src = _pdf(tmp_path / "in.pdf", [PIECES, PIECES, PIECES, PIECES], odd)
    joined, after = _joined(src, [1, 2, 3, 4])
    assert joined == 1  # only the page of plain streams
    with pikepdf.open(io.BytesIO(after)) as pdf:
        joined_pages = [isinstance(p.obj.Contents, pikepdf.Stream) for p in pdf.pages]
    assert joined_pages == [False, False, False, True]


def test_a_long_document_of_many_streams_is_redacted_as_one_of_one_stream(tmp_path, redact):
    """The same pages written as one stream each and as eight (a document
    long enough for apply to join them): the same text goes, the same
    stays, the same content is written."""
    one = [b"".join(p if p.endswith(b"\n") else p + b"\n" for p in PIECES)]
    outs = []
    for name, pages in (("many", [PIECES] * SMALL), ("one", [one] * SMALL)):
        result = redact(_pdf(tmp_path / f"{name}.pdf", pages))
        assert_gone(result.output, "John Smith")
        outs.append(result.output)
    assert _ops(outs[0].read_bytes()) == _ops(outs[1].read_bytes())
