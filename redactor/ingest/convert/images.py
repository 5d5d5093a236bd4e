"""Images (PNG, JPEG, TIFF with any number of pages) to PDF pages.

Each image, or each page of a multi-page TIFF, becomes one PDF page the
size the image itself declares: its pixels at its own resolution (MuPDF's
default when the file says none), with the pixels embedded as they are,
not resampled. The page holds no text until it is OCR'd.
"""

from __future__ import annotations

import pymupdf

from redactor.errors import InputError

FILETYPES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}
#: Pixels one image may have (a 600 dpi A3 scan is about 70 million).
MAX_PIXELS = 200_000_000


def image_to_pdf(data: bytes, suffix: str, name: str, max_pages: int) -> bytes:
    # GIF, BMP, WebP, and an animated PNG (MuPDF reads its first frame only: the others were lost with
    # no word): their frames as a TIFF, losslessly, then as the others
    if suffix not in FILETYPES or (suffix == ".png" and _animated_png(data)):
        data, suffix = _as_tiff(data, name, max_pages), ".tiff"
    try:
        img = pymupdf.open(stream=data, filetype=FILETYPES[suffix])
    except Exception as e:
        raise InputError(f"damaged image; it cannot be read ({_short(e)})", name) from None
    if img.page_count == 0:
        raise InputError("the image has no pages", name)
    if img.page_count > max_pages:
        raise InputError(f"the image has {img.page_count} pages, more than the limit of {max_pages} (see --max-pages)", name)
    try:
        # MuPDF lays each image out at its own resolution and embeds its
        # pixels as they are (no resampling)
        pdf = pymupdf.open("pdf", img.convert_to_pdf())
    except Exception as e:
        raise InputError(f"damaged image; it cannot be converted ({_short(e)})", name) from None
    finally:
        img.close()
    for page in pdf:
        for info in page.get_images(full=True):
            if info[2] * info[3] > MAX_PIXELS:
                raise InputError(f"refused: image page {page.number + 1} has {info[2]} x {info[3]} pixels "
                                 f"(limit {MAX_PIXELS:,})", name)
    return pdf.tobytes(garbage=3)


def cut_short(data: bytes, suffix: str) -> str | None:
    """A note when a JPEG ends before its end marker: MuPDF shows it as far
    as it goes (a truncated photograph was released with no word that its
    lower part was missing; a PNG cut short is refused as damaged)."""
    if FILETYPES.get(suffix) == "jpeg" and not data.rstrip(b"\0").endswith(b"\xff\xd9"):
        return "the picture is cut short (no end of image): only what it holds up to the cut is released"
    return None


def _animated_png(data: bytes) -> bool:
    """An APNG: its animation control chunk comes before the first image data."""
    head = data[: data.find(b"IDAT")] if b"IDAT" in data else data[:4096]
    return b"acTL" in head


def _as_tiff(data: bytes, name: str, max_pages: int) -> bytes:
    import io

    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as img:
            # counted before any frame is decoded: an 8 KB GIF of 150 frames of 2000 x 2000 took 2.6 GB,
            # one of 600 frames more than 7 GB, before the page limit refused it (helper 33)
            n = getattr(img, "n_frames", 1)
            if n > max_pages:
                raise _Refused(f"the image has {n} frames, more than the limit of {max_pages} (see --max-pages)")
            if n * img.width * img.height > MAX_PIXELS:
                raise _Refused(f"refused: the image's {n} frames of {img.width} x {img.height} pixels are "
                               f"{n * img.width * img.height:,} pixels in all (limit {MAX_PIXELS:,})")
            frames = [f.convert("RGBA" if "A" in f.getbands() or "transparency" in f.info else "RGB")
                      for f in ImageSequence.Iterator(img)]
            dpi = img.info.get("dpi")
        out = io.BytesIO()
        frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate",
                       **({"dpi": dpi} if dpi else {}))
    except _Refused as e:
        raise InputError(str(e), name) from None
    except Exception as e:  # noqa: BLE001 - PIL fails in many ways on a damaged file
        raise InputError(f"damaged image; it cannot be read ({_short(e)})", name) from None
    return out.getvalue()


class _Refused(Exception):
    """An image over a cap, told before its frames are decoded."""


def _short(e: Exception) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:200]
