"""Verification reads every object of the output, including the indirect
numbers and booleans pikepdf hands over as Python values (a stream's
/Length kept in an object of its own, as many producers write it)."""

from __future__ import annotations

import io
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


def test_text_in_a_large_image_is_found_wherever_it_lies_read_a_window_at_a_time(monkeypatch):
    """Decoded pixels are read as text in overlapping windows (a 243 MB scan
    read whole took 2.4 GB): a text across a window's edge, or at the very
    end, is still found."""
    import zlib

    import pikepdf

    from redactor.verify import deep
    from redactor.verify.needles import Needles

    monkeypatch.setattr(deep, "WINDOW", 1 << 16)
    monkeypatch.setattr(deep, "OVERLAP", 256)
    step = deep.WINDOW - deep.OVERLAP
    for at in (deep.WINDOW - 7, 2 * step - 5, 2 * step + deep.WINDOW - 5, None):  # across windows' ends
        pixels = bytearray(b"\x80" * (5 * deep.WINDOW))
        text = b"Jonathan Smethurst"
        at = len(pixels) - len(text) if at is None else at
        pixels[at:at + len(text)] = text
        pdf = pikepdf.new()
        pdf.add_blank_page()
        image = pikepdf.Stream(pdf, zlib.compress(bytes(pixels)), Type=pikepdf.Name.XObject,
                               Subtype=pikepdf.Name.Image, Width=len(pixels), Height=1, BitsPerComponent=8,
                               ColorSpace=pikepdf.Name.DeviceGray, Filter=pikepdf.Name.FlateDecode)
        pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=pdf.make_indirect(image)))
        buf = io.BytesIO()
        pdf.save(buf)
        problems = deep.check_bytes(buf.getvalue(), Needles(["Jonathan Smethurst"]), release=False)
        assert any("jonathan smethurst" in p for p in problems), at
