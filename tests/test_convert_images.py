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


def test_redacting_an_image_of_text_reads_it_and_redacts_the_name(tmp_path, detector):
    """An image becomes a PDF page at its own resolution, OCR reads it, and
    the name's pixels are blanked (never "nothing found" silently)."""
    src = k.image_of_text(tmp_path / "note.png", "Contact PC Grace Mensah")
    result = redact_pdf(src, tmp_path / "note.pdf", detector, RunOptions())
    assert (tmp_path / "note.pdf").read_bytes().startswith(b"%PDF-")
    found = [f for f in result.findings if f.category == "person_name"]
    assert found and all(f.source == "ocr" for f in found) and "Mensah" in found[0].text
    from redactor.text.ocr import tesseract

    page = pymupdf.open(tmp_path / "note.pdf")[0]
    read = " ".join(w.text for w in tesseract.ocr_image(page.get_pixmap(dpi=200).tobytes("png"), dpi=200))
    assert "Mensah" not in read and "Contact" in read
    header, _ = read_log(result.log)
    assert header["source"]["format"] == ".png" and header["document"] == "note.png"


def test_a_damaged_image_is_refused_with_one_line(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(InputError, match=r"^.*broken.png: damaged image") as err:
        open_input(bad)
    assert "\n" not in str(err.value)
