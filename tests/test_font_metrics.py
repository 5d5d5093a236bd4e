"""Widths of standard fonts without /Widths, from their encoding and
/Differences (redactor.pdf.fonts): the table is built once per encoding and
shared, so two fonts that differ only in /Differences must still differ."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

from pytest import approx

from redactor.pdf.fonts import metrics


def _helvetica(pdf: pikepdf.Pdf, diffs: list | None = None, base: str = "/WinAnsiEncoding") -> pikepdf.Object:
    enc = Name(base) if diffs is None else Dictionary(Type=Name.Encoding, BaseEncoding=Name(base),
                                                      Differences=Array(diffs))
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=enc))


def test_differences_change_widths_and_each_font_keeps_its_own():
    pdf = pikepdf.new()
    plain = metrics(_helvetica(pdf))
    swapped = metrics(_helvetica(pdf, [65, Name("/W"), Name("/i")]))  # code A draws W, code B draws i
    again = metrics(_helvetica(pdf))
    assert plain.widths[65] == approx(0.667) and plain.widths[66] == approx(0.667)  # A, B
    assert swapped.widths[65] == approx(0.944) and swapped.widths[66] == approx(0.222)  # W, i
    assert again.widths == plain.widths and again.widths[65] == approx(0.667)
    swapped.widths[67] = 99.0  # a caller changing its copy changes no other font's
    assert metrics(_helvetica(pdf, [65, Name("/W"), Name("/i")])).widths[67] == approx(0.722)


def test_base_encoding_is_read():
    pdf = pikepdf.new()
    win = metrics(_helvetica(pdf, base="/WinAnsiEncoding"))
    std = metrics(_helvetica(pdf, base="/StandardEncoding"))
    assert win.widths[0x92] == approx(0.222)  # quoteright in WinAnsi
    assert 0x92 not in std.widths and std.widths[0x27] == approx(0.222)  # StandardEncoding: quoteright at 0x27
