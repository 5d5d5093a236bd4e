"""Verification reads every object of the output, including the indirect
numbers and booleans pikepdf hands over as Python values (a stream's
/Length kept in an object of its own, as many producers write it)."""

from __future__ import annotations

from pathlib import Path

from pdfkit import NEIGHBOUR, assert_gone
from redactor.verify.checks import Redaction, verify_file

LINE = b"BT /F1 12 Tf 72 600 Td (Contact PC John Smith today) Tj ET"


def raw_pdf(path: Path, content: bytes, extra_page: bytes = b"", extra_objs=()) -> Path:
    """A PDF written byte by byte: object 6 is the content stream's
    /Length, an indirect integer; ``extra_objs`` follow as 7, 8, ..."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
            b"/Contents 5 0 R " + extra_page + b">>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Length 6 0 R >>\nstream\n" + content + b"\nendstream",
            str(len(content) + 1).encode()] + list(extra_objs)
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _neighbour() -> bytes:
    return b"BT /F1 12 Tf 72 750 Td (" + NEIGHBOUR.encode() + b") Tj ET\n"


def test_indirect_numbers_and_booleans_do_not_stop_verification(tmp_path, redact):
    src = raw_pdf(tmp_path / "in.pdf", _neighbour() + LINE, b"/PieceCount 7 0 R /Flag 8 0 R ",
                  [b"42", b"true", b"null"])
    result = redact(src)
    assert [f.text for f in result.findings] == ["John Smith"]
    assert result.output.exists()
    assert_gone(result.output, "John Smith")


def test_a_secret_in_an_indirect_string_is_still_found(tmp_path):
    src = raw_pdf(tmp_path / "in.pdf", _neighbour(), b"/Note 7 0 R /Count2 8 0 R ", [b"(PC John Smith)", b"3"])
    report = verify_file(src, [Redaction(1, [], "John Smith", "S40(2)", category="person_name")])
    assert not report.ok
    assert any("john smith" in p.casefold() and "object 7" in p for p in report.problems), report.problems
