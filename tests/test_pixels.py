"""Pixel redaction in the images themselves: every filter and colour space,
masks, images reused on several pages, in forms and inline; pixels outside
the box unchanged; bad images refused with one line."""

from __future__ import annotations

import zlib

import numpy as np
import pikepdf
import pypdfium2
import pymupdf
import pytest
from pikepdf import Array, Dictionary, Name

import imagekit
from redactor.errors import InputError
from redactor.redact import imagedata, pixels

BOX = (0.25, 0.25, 0.5, 0.5)
FORMATS = list(imagekit.formats(pikepdf.new()))


def _redact(doc: pymupdf.Document, page_no: int, frac=BOX) -> pymupdf.Document:
    box = imagekit.page_box(frac)
    pixels.redact_images(doc, doc[page_no], [box])
    return pymupdf.open(stream=doc.tobytes(garbage=3, deflate=True), filetype="pdf")


def _mask(info: dict, frac=BOX) -> np.ndarray:
    return pixels.pixel_mask(imagekit.W, imagekit.H, pymupdf.Matrix(info["transform"]), [imagekit.page_box(frac)])


@pytest.mark.parametrize("name", FORMATS)
def test_format_matrix_blanks_under_the_box_and_keeps_the_rest(tmp_path, name):
    src = imagekit.one_image_pdf(tmp_path / f"{name}.pdf", name)
    doc = pymupdf.open(src)
    before = imagekit.decoded(doc, doc[0].get_image_info(xrefs=True)[0]["xref"]).copy()
    assert len(np.unique(before)) > 1
    out = _redact(doc, 0)
    info = out[0].get_image_info(xrefs=True)[0]
    after = imagekit.decoded(out, info["xref"])
    mask = _mask(info)
    assert mask.sum() == 16 * 12  # the box covers a quarter of each side: 16 x 12 pixels exactly
    assert (after[~mask] == before[~mask]).all(), "a pixel outside the box changed"
    inside = after[mask]
    assert (inside == inside[0]).all(), "the pixels under the box still vary"
    assert not (before[mask] == inside[0]).all()
    assert "Text beside the picture stays." in out[0].get_text()


def _render(doc: pymupdf.Document, name: str) -> np.ndarray:
    """The page as drawn by the engine whose decoding the redaction keeps.

    Blanking stores the pixels MuPDF decodes, so a JPEG is compared in
    MuPDF (PDFium upsamples chroma its own way); MuPDF draws a JPX through
    its own path even with equal samples, so a JPX is compared in PDFium."""
    if name.startswith("jpx"):
        page = pypdfium2.PdfDocument(doc.tobytes())[0]
        return np.asarray(page.render(scale=1).to_pil().convert("RGB")).astype(int)
    pix = doc[0].get_pixmap(dpi=72, colorspace=pymupdf.csRGB)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3).astype(int)


@pytest.mark.parametrize("name", FORMATS)
def test_format_renders_the_same_outside_the_box(tmp_path, name):
    # the decoded samples can match while the page looks different (a bi-level
    # image in a /Black separation stored back as DeviceGray renders inverted)
    doc = pymupdf.open(imagekit.one_image_pdf(tmp_path / f"{name}.pdf", name))
    before = _render(doc, name)
    after = _render(_redact(doc, 0), name)
    box = imagekit.page_box(BOX)
    keep = np.ones(before.shape[:2], dtype=bool)
    keep[max(0, int(box.y0) - 2):int(box.y1) + 3, max(0, int(box.x0) - 2):int(box.x1) + 3] = False
    changed = np.abs(after - before).max(axis=2)[keep]
    assert (changed <= 2).all(), f"{(changed > 2).sum()} pixels outside the box look different"


def test_sixteen_bit_samples_outside_the_box_are_kept_bit_for_bit(tmp_path):
    src = imagekit.one_image_pdf(tmp_path / "g16.pdf", "gray16-flate")
    doc = pymupdf.open(src)
    xref = doc[0].get_image_info(xrefs=True)[0]["xref"]
    raw_before = np.frombuffer(doc.xref_stream(xref), dtype=">u2").reshape(imagekit.H, imagekit.W).copy()
    out = _redact(doc, 0)
    info = out[0].get_image_info(xrefs=True)[0]
    raw_after = np.frombuffer(out.xref_stream(info["xref"]), dtype=">u2").reshape(imagekit.H, imagekit.W)
    mask = _mask(info)
    assert (raw_after[~mask] == raw_before[~mask]).all()
    assert (raw_after[mask] == 0).all()
    assert out.xref_get_key(info["xref"], "BitsPerComponent")[1] == "16"


def test_soft_mask_is_blanked_too(tmp_path):
    src = imagekit.one_image_pdf(tmp_path / "smask.pdf", "rgb8-smask")
    out = _redact(pymupdf.open(src), 0)
    smask = out[0].get_images(full=True)[0][1]
    alpha = imagekit.decoded(out, smask)[:, :, 0]
    half = pixels.pixel_mask(imagekit.W // 2, imagekit.H // 2,
                             pymupdf.Matrix(out[0].get_image_info(xrefs=True)[0]["transform"]),
                             [imagekit.page_box(BOX)])
    assert (alpha[half] == 255).all()
    assert len(np.unique(alpha[~half])) > 1


@pytest.mark.parametrize("how", ["direct", "form", "inline"])
def test_image_reused_on_several_pages_changes_only_where_the_box_is(tmp_path, how):
    src = imagekit.one_image_pdf(tmp_path / f"{how}.pdf", "gray8-flate", pages=3, inline=how == "inline",
                                 in_form=how == "form")
    doc = pymupdf.open(src)
    xrefs = [p.get_image_info(xrefs=True)[0]["xref"] for p in doc]
    if how == "inline":
        assert b" ID " in doc[0].read_contents()
    # the same picture everywhere (page 1 draws it inline in the inline case)
    originals = [imagekit.decoded(doc, xrefs[1]).copy() for _ in doc]
    target = 0 if how == "inline" else 1
    out = _redact(doc, target)
    for n, page in enumerate(out):
        info = page.get_image_info(xrefs=True)[0]
        now = imagekit.decoded(out, info["xref"])
        if n == target:
            mask = _mask(info)
            assert (now[mask] == 0).all() and (now[~mask] == originals[n][~mask]).all()
        else:
            assert (now == originals[n]).all(), f"page {n + 1} changed"


def test_same_box_on_every_page_shares_one_blanked_image_and_drops_the_original(tmp_path):
    src = imagekit.one_image_pdf(tmp_path / "shared.pdf", "gray8-flate", pages=3)
    doc = pymupdf.open(src)
    for n in range(3):
        pixels.redact_images(doc, doc[n], [imagekit.page_box(BOX)])
    out = pymupdf.open(stream=doc.tobytes(garbage=3, deflate=True), filetype="pdf")
    xrefs = {p.get_image_info(xrefs=True)[0]["xref"] for p in out}
    assert len(xrefs) == 1
    images = [x for x in range(1, out.xref_length()) if out.xref_get_key(x, "Subtype")[1] == "/Image"]
    assert images == list(xrefs), "the unblanked original is still in the file"


def test_rotated_placement_blanks_only_pixels_under_the_box(tmp_path):
    pdf = pikepdf.new()
    img = pdf.make_indirect(imagekit.formats(pdf)["gray8-flate"])
    # drawn turned by 30 degrees
    import math

    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    w, h = 192, 144
    content = f"q {w * c:.4f} {w * s:.4f} {-h * s:.4f} {h * c:.4f} 250 300 cm /Im0 Do Q\n".encode()
    pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 612, 792]),
                                             Resources=Dictionary(XObject=Dictionary(Im0=img)),
                                             Contents=pdf.make_stream(content))))
    pdf.save(tmp_path / "rot.pdf")
    doc = pymupdf.open(tmp_path / "rot.pdf")
    info = doc[0].get_image_info(xrefs=True)[0]
    before = imagekit.decoded(doc, info["xref"]).copy()
    bbox = pymupdf.Rect(info["bbox"])
    box = pymupdf.Rect(bbox.x0 + bbox.width * 0.4, bbox.y0 + bbox.height * 0.4, bbox.x0 + bbox.width * 0.6,
                       bbox.y0 + bbox.height * 0.6)
    pixels.redact_images(doc, doc[0], [box])
    out = pymupdf.open(stream=doc.tobytes(garbage=3), filetype="pdf")
    info = out[0].get_image_info(xrefs=True)[0]
    after = imagekit.decoded(out, info["xref"])
    mask = pixels.pixel_mask(imagekit.W, imagekit.H, pymupdf.Matrix(info["transform"]), [box])
    assert 0 < mask.sum() < 0.2 * mask.size
    assert (after[~mask] == before[~mask]).all() and (after[mask] == 0).all()
    # every pixel whose centre lies in the box was blanked
    m = pymupdf.Matrix(info["transform"])
    for v in range(imagekit.H):
        for u in range(imagekit.W):
            p = pymupdf.Point((u + 0.5) / imagekit.W, (v + 0.5) / imagekit.H) * m
            if box.contains(p):
                assert mask[v, u]


# --- bad images: one line, never a crash -------------------------------------------------

def _bad_pdf(path, **image):
    pdf = pikepdf.new()
    data = image.pop("data", b"\x00" * 16)
    img = pdf.make_stream(data, Type=Name.XObject, Subtype=Name.Image, **image)
    content = b"q 200 0 0 100 100 400 cm /Im0 Do Q\n"
    pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 612, 792]),
                                             Resources=Dictionary(XObject=Dictionary(Im0=img)),
                                             Contents=pdf.make_stream(content))))
    pdf.save(path)
    return pymupdf.open(path)


def test_an_image_claiming_fifty_thousand_pixels_square_is_refused(tmp_path):
    doc = _bad_pdf(tmp_path / "big.pdf", Width=50_000, Height=50_000, BitsPerComponent=8,
                   ColorSpace=Name.DeviceGray, Filter=Name.FlateDecode, data=zlib.compress(b"\x00" * 1000))
    with pytest.raises(InputError, match=r"claims 50,000 × 50,000 pixels, above the limit"):
        pixels.redact_images(doc, doc[0], [pymupdf.Rect(150, 300, 250, 350)])


def test_a_flate_stream_that_inflates_past_the_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(imagedata, "MAX_BYTES", 4 << 20)  # the mechanism, at a size a test can afford
    doc = _bad_pdf(tmp_path / "bomb.pdf", Width=100, Height=100, BitsPerComponent=8, ColorSpace=Name.DeviceGray,
                   Filter=Name.FlateDecode, data=zlib.compress(bytes(64 << 20), 9))
    with pytest.raises(InputError, match="inflates past 4 MiB"):
        pixels.redact_images(doc, doc[0], [pymupdf.Rect(150, 300, 250, 350)])


def test_an_image_with_no_colour_space_is_refused_not_passed(tmp_path):
    doc = _bad_pdf(tmp_path / "nocs.pdf", Width=4, Height=4, BitsPerComponent=8, data=bytes(16))
    with pytest.raises(InputError, match="no usable colour space"):
        pixels.redact_images(doc, doc[0], [pymupdf.Rect(150, 300, 250, 350)])


def test_a_corrupt_image_stream_is_refused_with_one_line(tmp_path):
    doc = _bad_pdf(tmp_path / "corrupt.pdf", Width=64, Height=64, BitsPerComponent=8, ColorSpace=Name.DeviceGray,
                   Filter=Name.FlateDecode, data=b"this is not zlib data at all" * 10)
    with pytest.raises(InputError, match="damaged") as e:
        pixels.redact_images(doc, doc[0], [pymupdf.Rect(150, 300, 250, 350)])
    assert "\n" not in str(e.value)


def test_a_zero_size_image_is_skipped_without_a_crash(tmp_path):
    doc = _bad_pdf(tmp_path / "zero.pdf", Width=0, Height=0, BitsPerComponent=8, ColorSpace=Name.DeviceGray)
    with pytest.raises(InputError, match="has no pixels"):
        pixels.redact_images(doc, doc[0], [pymupdf.Rect(150, 300, 250, 350)])
