"""An image object's samples: read them (with caps against decompression
bombs), set a region to one value, write them back losslessly.

Two ways in, chosen by the image's filters:

* **raw samples** (no filter, Flate, LZW, RunLength, ASCIIHex, ASCII85):
  the stored samples themselves, at their own bit depth (1, 2, 4, 8 or 16)
  and in their own colour space (Gray, RGB, CMYK, Indexed, ICC, Lab,
  Separation, DeviceN), Decode arrays untouched. Outside the blanked region
  every sample is kept bit for bit.
* **decoded pixels** (DCT, JPX, JBIG2, CCITT fax): MuPDF decodes the image
  (Decode array applied) to 8 bits per component in its colour space; the
  result is written with Flate, 1 bit per pixel for bi-level images (JBIG2,
  CCITT). Outside the blanked region every pixel is what the decoder gave.

Either way the image is re-encoded with Flate (lossless).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import pymupdf

from redactor.errors import InputError
from redactor.redact import pdfobj
from redactor.redact.pdfobj import Name, Ref
from redactor import lazy

np = lazy.module("numpy")

#: An image may not claim more pixels than this ...
MAX_PIXELS = 200_000_000
#: ... nor decode to more bytes than this.
MAX_BYTES = 1 << 30

#: zlib level for re-encoded images: level 1 is ten times faster than 6 on a
#: noisy 300 dpi scan and some 12% larger.
FLATE_LEVEL = 1

RAW_FILTERS = {"FlateDecode", "Fl", "LZWDecode", "LZW", "RunLengthDecode", "RL", "ASCIIHexDecode", "AHx",
               "ASCII85Decode", "A85"}
_DEVICE_N = {"DeviceGray": 1, "G": 1, "CalGray": 1, "DeviceRGB": 3, "RGB": 3, "CalRGB": 3, "Lab": 3,
             "DeviceCMYK": 4, "CMYK": 4}


class ImageError(InputError):
    """An image cannot be read safely (a bomb, damaged, or malformed)."""


@dataclass
class ImageInfo:
    xref: int
    d: dict
    width: int
    height: int
    bpc: int
    ncomp: int | None
    filters: list[str]
    image_mask: bool

    @property
    def row_bytes(self) -> int:
        return (self.width * (self.ncomp or 1) * self.bpc + 7) // 8

    @property
    def raw(self) -> bool:
        return all(f in RAW_FILTERS for f in self.filters)


def _int(v, default: int = 0) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def components(doc: pymupdf.Document, cs) -> int | None:
    cs = pdfobj.resolve(doc, cs)
    if isinstance(cs, Name):
        return _DEVICE_N.get(str(cs))
    if isinstance(cs, list) and cs and isinstance(cs[0], Name):
        head = str(cs[0])
        if head == "ICCBased" and len(cs) > 1:
            d = pdfobj.resolve(doc, cs[1])
            return _int(d.get("N")) or None if isinstance(d, dict) else None
        if head in ("Indexed", "I", "Separation"):
            return 1
        if head == "DeviceN" and len(cs) > 1:
            names = pdfobj.resolve(doc, cs[1])
            return len(names) if isinstance(names, list) else None
        if head in _DEVICE_N:
            return _DEVICE_N[head]
    return None


def info(doc: pymupdf.Document, xref: int, where: str = "") -> ImageInfo:
    d = pdfobj.obj(doc, xref)
    if not isinstance(d, dict):
        raise ImageError(f"{where}image (object {xref}) cannot be read")
    filters = pdfobj.resolve(doc, d.get("Filter"))
    filters = [str(f) for f in (filters if isinstance(filters, list) else [filters] if filters else [])]
    image_mask = pdfobj.resolve(doc, d.get("ImageMask")) is True
    w, h = _int(pdfobj.resolve(doc, d.get("Width"))), _int(pdfobj.resolve(doc, d.get("Height")))
    bpc = 1 if image_mask else _int(pdfobj.resolve(doc, d.get("BitsPerComponent")), 8)
    ncomp = 1 if image_mask else components(doc, d.get("ColorSpace"))
    img = ImageInfo(xref, d, w, h, bpc, ncomp, filters, image_mask)
    check_size(img, where)
    return img


def check_size(img: ImageInfo, where: str = "") -> None:
    if img.width <= 0 or img.height <= 0:
        raise ImageError(f"{where}image (object {img.xref}) has no pixels ({img.width} × {img.height})")
    if img.width * img.height > MAX_PIXELS:
        raise ImageError(f"{where}image (object {img.xref}) claims {img.width:,} × {img.height:,} pixels, above the "
                         f"limit of {MAX_PIXELS / 1e6:.0f} megapixels (a decompression bomb?)")
    if img.height * img.row_bytes > MAX_BYTES:
        raise ImageError(f"{where}image (object {img.xref}) would decode to {img.height * img.row_bytes / 2**20:,.0f} MiB, "
                         f"above the limit of {MAX_BYTES / 2**20:,.0f} MiB")
    if img.bpc not in (1, 2, 4, 8, 16) and img.raw:
        raise ImageError(f"{where}image (object {img.xref}) has {img.bpc} bits per component (not 1, 2, 4, 8 or 16)")


def check_flate(doc: pymupdf.Document, img: ImageInfo, where: str = "") -> None:
    """Refuse a Flate stream that inflates past the byte cap (without keeping
    what it inflates to)."""
    if "FlateDecode" not in img.filters and "Fl" not in img.filters:
        return
    raw = doc.xref_stream_raw(img.xref) or b""
    if img.filters[0] not in ("FlateDecode", "Fl"):
        return  # another filter first: MuPDF decodes the chain (bounded by what it reads)
    z = zlib.decompressobj()
    total, chunk = 0, 1 << 24
    data = raw
    try:
        while data:
            out = z.decompress(data, chunk)
            total += len(out)
            if total > MAX_BYTES:
                raise ImageError(f"{where}image (object {img.xref}) inflates past {MAX_BYTES / 2**20:,.0f} MiB "
                                 f"(a decompression bomb)")
            data = z.unconsumed_tail
            if not out and not data:
                break
    except zlib.error as e:
        raise ImageError(f"{where}image (object {img.xref}) is damaged ({e})") from None


# --- raw samples -------------------------------------------------------------------

def read_raw(doc: pymupdf.Document, img: ImageInfo, where: str = "") -> np.ndarray:
    """The stored samples as (height, row_bytes) bytes."""
    check_flate(doc, img, where)
    try:
        data = doc.xref_stream(img.xref) or b""
    except Exception as e:
        raise ImageError(f"{where}image (object {img.xref}) is damaged ({e})") from None
    need = img.height * img.row_bytes
    if len(data) < need:
        data = data + bytes(need - len(data))  # a short stream: readers show the rest as zeros too
    return np.frombuffer(data[:need], dtype=np.uint8).reshape(img.height, img.row_bytes).copy()


def fill_raw(rows: np.ndarray, img: ImageInfo, mask: np.ndarray, values: list[int]) -> None:
    """Set every pixel under ``mask`` (height × width bool) to ``values``."""
    n, bpc, w = img.ncomp or 1, img.bpc, img.width
    if bpc == 8:
        px = rows[:, :w * n].reshape(img.height, w, n)
        px[mask] = np.array(values, dtype=np.uint8)
        return
    if bpc == 16:
        px = rows[:, :w * n * 2].view(">u2").reshape(img.height, w, n)
        px[mask] = np.array(values, dtype=">u2")
        return
    bits = np.unpackbits(rows, axis=1)[:, :w * n * bpc].reshape(img.height, w, n, bpc)
    pattern = np.array([[(v >> (bpc - 1 - b)) & 1 for b in range(bpc)] for v in values], dtype=np.uint8)
    bits[mask] = pattern
    packed = np.packbits(bits.reshape(img.height, w * n * bpc), axis=1)
    rows[:, :packed.shape[1]] = packed


def dark_values(doc: pymupdf.Document, img: ImageInfo) -> list[int]:
    """Raw sample values that show as black (or full ink), per component."""
    n, top = img.ncomp or 1, (1 << img.bpc) - 1
    cs = pdfobj.resolve(doc, img.d.get("ColorSpace"))
    head = str(cs[0]) if isinstance(cs, list) and cs else str(cs)
    if img.image_mask:
        target = [0.0]  # sample 0 paints
    elif head in ("DeviceCMYK", "CMYK") or (head == "ICCBased" and n == 4):
        target = [0.0, 0.0, 0.0, 1.0]
    elif head in ("Separation", "DeviceN"):
        target = [1.0] * n
    elif head in ("Indexed", "I"):
        return [_darkest_index(doc, cs, top)]
    else:
        target = [0.0] * n
    decode = pdfobj.resolve(doc, img.d.get("Decode"))
    out = []
    for i, t in enumerate(target[:n] + [0.0] * (n - len(target))):
        v = round(t * top)
        if isinstance(decode, list) and len(decode) >= 2 * i + 2:
            try:
                if float(decode[2 * i]) > float(decode[2 * i + 1]):
                    v = top - v
            except (TypeError, ValueError):
                pass
        out.append(v)
    return out


def _darkest_index(doc: pymupdf.Document, cs: list, top: int) -> int:
    try:
        base_n = components(doc, cs[1]) or 3
        hival = min(_int(pdfobj.resolve(doc, cs[2])), top)
        lookup = cs[3]
        table = doc.xref_stream(lookup.xref) if isinstance(lookup, Ref) else bytes(lookup)
        entries = np.frombuffer(table[:(hival + 1) * base_n], dtype=np.uint8)
        entries = entries[:len(entries) // base_n * base_n].reshape(-1, base_n).astype(int)
        if not len(entries):
            return 0
        score = entries.sum(axis=1) if base_n != 4 else -entries.sum(axis=1)
        return int(np.argmin(score))
    except Exception:
        return 0


def write_raw(doc: pymupdf.Document, target: int, rows: np.ndarray) -> None:
    """Store ``rows`` as object ``target``'s samples, Flate compressed."""
    doc.update_stream(target, zlib.compress(rows.tobytes(), FLATE_LEVEL), compress=False)
    doc.xref_set_key(target, "Filter", "/FlateDecode")
    doc.xref_set_key(target, "DecodeParms", "null")


# --- decoded pixels (DCT, JPX, JBIG2, CCITT) ----------------------------------------------

def read_pixmap(doc: pymupdf.Document, img: ImageInfo, where: str = "") -> pymupdf.Pixmap:
    try:
        pix = pymupdf.Pixmap(doc, img.xref)
    except Exception as e:
        raise ImageError(f"{where}image (object {img.xref}) cannot be decoded ({e})") from None
    if pix.width != img.width or pix.height != img.height:
        raise ImageError(f"{where}image (object {img.xref}) decodes to {pix.width} × {pix.height} pixels, "
                         f"not the {img.width} × {img.height} it claims")
    return pix


def pixmap_array(pix: pymupdf.Pixmap) -> np.ndarray:
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n).copy()


def write_pixels(doc: pymupdf.Document, img: ImageInfo, target: int, px: np.ndarray, cs_n: int,
                 smask: int | None) -> None:
    """Store decoded pixels (height × width × cs_n, 8-bit) as ``target``,
    Flate compressed; 1 bit per pixel when the image was bi-level."""
    d = {k: v for k, v in img.d.items()
         if k not in ("Filter", "DecodeParms", "Decode", "Length", "BitsPerComponent", "ColorSpace", "SMaskInData")}
    own = components(doc, img.d.get("ColorSpace"))
    cs = pdfobj.resolve(doc, img.d.get("ColorSpace"))
    indexed = isinstance(cs, list) and cs and str(cs[0]) in ("Indexed", "I")
    # MuPDF hands over the samples, not their colours: a separation or
    # DeviceN stays in its own space (its 1 is ink, DeviceGray's 1 is white)
    space = img.d["ColorSpace"] if own == cs_n and not indexed else \
        Name({1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}[cs_n])
    if img.image_mask:
        # MuPDF gives a stencil as coverage (255 = paint); store 0 = paint
        bits = px[:, :, 0] < 128
        d["ImageMask"] = True
        data = np.packbits(bits, axis=1).tobytes()
    elif img.bpc == 1 and cs_n == 1 and _bilevel(px):
        d["BitsPerComponent"] = 1
        d["ColorSpace"] = space
        data = np.packbits(px[:, :, 0] > 127, axis=1).tobytes()
    else:
        d["BitsPerComponent"] = 8
        d["ColorSpace"] = space
        data = px.tobytes()
    if smask:
        d["SMask"] = Ref(smask)
    doc.update_object(target, pdfobj.write(d))
    doc.update_stream(target, zlib.compress(data, FLATE_LEVEL), compress=False)
    doc.xref_set_key(target, "Filter", "/FlateDecode")


def _bilevel(px: np.ndarray) -> bool:
    """Every sample 0 or 255 (``np.isin`` sorts the array to say so:
    seconds on a 100-megapixel drawing; two comparisons take a fraction)."""
    return bool(((px == 0) | (px == 255)).all())
