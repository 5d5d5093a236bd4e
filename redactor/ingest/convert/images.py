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
    if suffix not in FILETYPES:  # GIF, BMP, WebP: their frames as a TIFF, losslessly, then as the others
        data, suffix = _as_tiff(data, name), ".tiff"
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


def _as_tiff(data: bytes, name: str) -> bytes:
    import io

    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as img:
            frames = [f.convert("RGBA" if "A" in f.getbands() or "transparency" in f.info else "RGB")
                      for f in ImageSequence.Iterator(img)]
            dpi = img.info.get("dpi")
        out = io.BytesIO()
        frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate",
                       **({"dpi": dpi} if dpi else {}))
    except Exception as e:  # noqa: BLE001 - PIL fails in many ways on a damaged file
        raise InputError(f"damaged image; it cannot be read ({_short(e)})", name) from None
    return out.getvalue()


def _short(e: Exception) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:200]
