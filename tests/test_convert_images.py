"""Images become PDF pages at their own resolution, pixels untouched."""

from __future__ import annotations

import io

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
    # what OCR read is the page's text layer, as for a scanned PDF (it was dropped for converted inputs)
    assert "Contact" in page.get_text() and "Mensah" not in page.get_text()
    assert header["ocr"]["pages_read"] == [1]


@pytest.mark.parametrize("suffix", [".gif", ".bmp", ".webp"])
def test_gif_bmp_and_webp_pictures_are_read_and_redacted(tmp_path, detector, suffix):
    """Pictures an e-mail often holds in these forms were withheld as of a
    type redactor does not read."""
    from PIL import Image

    png = k.image_of_text(tmp_path / "note.png", "Contact PC Grace Mensah")
    src = tmp_path / f"note{suffix}"
    Image.open(png).convert("P" if suffix == ".gif" else "RGB").save(src, **({"lossless": True} if suffix == ".webp"
                                                                            else {}))
    result = redact_pdf(src, tmp_path / "note.pdf", detector, RunOptions())
    assert any("Mensah" in f.text for f in result.findings)
    assert "Contact" in pymupdf.open(tmp_path / "note.pdf")[0].get_text()


def _scribbles(path):
    """A picture of handwriting-like strokes: nothing OCR can read."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(3)
    img = Image.new("L", (850, 1100), 255)
    d = ImageDraw.Draw(img)
    for row in range(8):
        y = 120 + row * 110
        d.line([(80 + i * 14, y + int(rng.integers(-25, 25))) for i in range(48)], fill=30, width=3)
    img.save(path, dpi=(100, 100))
    return path


def test_an_image_or_attachment_ocr_cannot_read_is_reported_not_passed(tmp_path, cli):
    """A scan of scribbles as a .png, or attached to an e-mail, is a page that
    could not be read: exit 7 and a schedule row, as for the same scan in a
    PDF (converted inputs passed it as "nothing found", exit 0)."""
    src = _scribbles(tmp_path / "scribbles.png")
    code, out, err = cli("redact", src, "-o", tmp_path / "s.pdf", "--no-nlp")
    assert code == 7 and "could not be read" in err, out + err
    assert "page_unreadable" in (tmp_path / "s.schedule.csv").read_text()
    mail = k.eml(tmp_path / "mail.eml", [src])
    code, out, err = cli("redact", mail, "-o", tmp_path / "m.pdf", "--no-nlp")
    assert code == 7 and "could not be read" in err, out + err
    assert "page_unreadable" in (tmp_path / "m.schedule.csv").read_text()
    archive = tmp_path / "archive"
    archive.mkdir()
    mail.rename(archive / "mail.eml")
    code, out, err = cli("batch", archive, "-o", tmp_path / "release", "--no-nlp", "--workers", "1", "--quiet")
    assert code == 7 and "unreadable pages in 1" in out, out + err
    assert "page_unreadable" in (tmp_path / "release" / "schedule.csv").read_text()


def test_a_damaged_image_is_refused_with_one_line(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(InputError, match=r"^.*broken.png: damaged image") as err:
        open_input(bad)
    assert "\n" not in str(err.value)


def test_a_logo_is_no_page_that_could_not_be_read(tmp_path, cli):
    """A signature logo (a small picture with no text) in an e-mail's body
    is a document of its bundle: it made every such e-mail exit 7 ("the scan
    looks blank"). A small picture holding no text is no failure to read; a
    page-sized scan is (the scribbles above)."""
    from email.message import EmailMessage

    from PIL import Image

    Image.new("RGB", (40, 40), (0, 51, 102)).save(tmp_path / "logo.png")
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "control@example.org", "foi@example.org", "Duty roster"
    m.set_content("See below.")
    m.add_alternative('<p>See below.</p><img src="cid:logo1">', subtype="html")
    m.get_payload()[1].add_related((tmp_path / "logo.png").read_bytes(), "image", "png", cid="<logo1>")
    (tmp_path / "mail.eml").write_bytes(bytes(m))
    for src in (tmp_path / "logo.png", tmp_path / "mail.eml"):
        code, out, err = cli("redact", src, "-o", tmp_path / (src.stem + ".out.pdf"), "--no-nlp")
        assert code == 0, (src.name, out + err)


def test_an_animated_png_gives_every_frame_a_page(tmp_path):
    """MuPDF reads an APNG's first frame only: the second was lost with no
    word (helper 33). GIF and WebP frames already had a page each."""
    from PIL import Image

    from redactor.ingest.convert.images import image_to_pdf

    first, second = Image.new("RGB", (300, 80), "white"), Image.new("RGB", (300, 80), "black")
    buf = io.BytesIO()
    first.save(buf, "PNG", save_all=True, append_images=[second], duration=1000, loop=0)
    pdf = pymupdf.open("pdf", image_to_pdf(buf.getvalue(), ".png", "anim.png", 100))
    assert pdf.page_count == 2


def test_a_gif_of_many_big_frames_is_refused_before_they_are_decoded(tmp_path):
    """An 8 KB GIF of 150 frames of 2000 x 2000 pixels took 2.6 GB before
    the page limit refused it (one of 600 frames, more than 7 GB): its
    frames are counted, and their pixels added up, first (helper 33)."""
    from PIL import Image

    from redactor.errors import InputError
    from redactor.ingest.convert.images import image_to_pdf

    frames = [Image.new("P", (2000, 2000), i % 2) for i in range(60)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(InputError, match="pixels in all"):
        image_to_pdf(buf.getvalue(), ".gif", "many.gif", 10_000)
    with pytest.raises(InputError, match="60 frames, more than the limit of 50"):
        image_to_pdf(buf.getvalue(), ".gif", "many.gif", 50)


def test_a_jpeg_cut_short_is_released_with_a_note(tmp_path):
    """A truncated JPEG was released as far as it went with no word of what
    was missing (helper 33): the log, plan and schedule now say so."""
    from redactor.ingest.convert import ConvertOptions

    whole = k.image_of_text(tmp_path / "whole.jpg", "PC Jo Bloggs 07700 900123")
    data = whole.read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    assert not any("cut short" in n for p in open_input(whole, ConvertOptions()) for n in p.notes)
    assert any("cut short" in n for p in open_input(cut, ConvertOptions()) for n in p.notes)
