"""Images become PDF pages at their own resolution, pixels untouched."""

from __future__ import annotations

import pymupdf
import pytest

import officekit as k
from redactor.account.log import read_log
from redactor.errors import InputError
from redactor.ingest.convert import open_input
from redactor.pipeline import RunOptions, redact_pdf


@pytest.mark.parametrize("suffix, dpi", [(".png", 200), (".jpg", 150)])
def test_an_image_becomes_one_page_the_size_it_declares(tmp_path, suffix, dpi):
    src = k.image_of_text(tmp_path / f"note{suffix}", "Contact PC Grace Mensah on 07700 900222", dpi=dpi)
    width_px, height_px = pymupdf.Pixmap(str(src)).width, pymupdf.Pixmap(str(src)).height
    [part] = open_input(src)
    pdf = pymupdf.open("pdf", part.pdf)
    assert pdf.page_count == 1
    page = pdf[0]
    assert page.rect.width == pytest.approx(width_px * 72 / dpi, abs=0.5)
    assert page.rect.height == pytest.approx(height_px * 72 / dpi, abs=0.5)
    [(xref, _, w, h, *_)] = page.get_images(full=True)
    assert (w, h) == (width_px, height_px)  # embedded as it is, not resampled
    assert page.get_text().strip() == ""  # no text until OCR reads it
    assert part.converter.startswith("PyMuPDF")


def test_a_multi_page_tiff_becomes_one_page_per_frame(tmp_path):
    src = k.image_of_text(tmp_path / "scan.tiff", "", frames=[("page one", 150), ("page two", 300)])
    [part] = open_input(src)
    pdf = pymupdf.open("pdf", part.pdf)
    assert pdf.page_count == 2
    sizes = [(round(p.rect.width), p.get_images(full=True)[0][2]) for p in pdf]
    # both frames are stored at 150 dpi by Pillow: the 300-dpi rendering is twice the size
    assert sizes == [(400, 834), (800, 1667)]


def test_redacting_an_image_writes_a_pdf_and_flags_it_for_review(tmp_path, detector):
    src = k.image_of_text(tmp_path / "note.png", "Contact PC Grace Mensah")
    result = redact_pdf(src, tmp_path / "note.pdf", detector, RunOptions())
    assert (tmp_path / "note.pdf").read_bytes().startswith(b"%PDF-")
    assert result.flagged and {f.category for f in result.flagged} == {"photograph"}  # never "nothing found" silently
    header, _ = read_log(result.log)
    assert header["source"]["format"] == ".png" and header["document"] == "note.png"


def test_a_damaged_image_is_refused_with_one_line(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(InputError, match=r"^.*broken.png: damaged image") as err:
        open_input(bad)
    assert "\n" not in str(err.value)
