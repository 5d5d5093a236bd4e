"""Build small PDFs holding images in every format the pixel redaction must
handle, and read their pixels back.

Images are stored with pikepdf exactly as given (raw samples, Flate with
or without a PNG predictor, DCT, JPX, CCITT G4, JBIG2 generic region), so
each test controls the filter, colour space, bit depth and masks.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pikepdf
import pymupdf
from PIL import Image
from pikepdf import Array, Dictionary, Name

W, H = 64, 48  #: image size in pixels
PLACE = (100, 100, 64 * 3, 48 * 3)  #: x, y (PDF, y up) and size on a 612 × 792 page


def noise(seed: int, shape, top: int = 255, dtype=np.uint8) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, top + 1, size=shape, dtype=np.int64).astype(dtype)


def flate(data: bytes) -> bytes:
    return zlib.compress(data, 6)


def png_predict(rows: np.ndarray, bpp: int) -> bytes:
    """PNG 'Up' predictor (type 2) on every row, for /Predictor 12."""
    out = bytearray()
    prev = np.zeros(rows.shape[1], dtype=np.uint8)
    for r in rows:
        out.append(2)
        out += ((r.astype(np.int16) - prev) % 256).astype(np.uint8).tobytes()
        prev = r
    return bytes(out)


def ccitt_g4(bits: np.ndarray) -> bytes:
    """CCITT group 4 data for a bi-level image (True = black), via Pillow's TIFF writer."""
    im = Image.fromarray(~bits).convert("1")  # PIL "1": 255 white
    buf = io.BytesIO()
    im.save(buf, "TIFF", compression="group4", tiffinfo={278: bits.shape[0]})
    tif = Image.open(io.BytesIO(buf.getvalue()))
    offset, count = tif.tag_v2[273][0], tif.tag_v2[279][0]
    return buf.getvalue()[offset:offset + count]


def jbig2_generic(bits: np.ndarray) -> bytes:
    """An embedded JBIG2 stream (PDF profile, no file header): page
    information, one immediate lossless generic region coded with MMR (the
    same G4 code as CCITT), end of page."""
    h, w = bits.shape

    def segment(number: int, kind: int, data: bytes) -> bytes:
        return struct.pack(">IBBBI", number, kind, 0, 1, len(data)) + data

    page = struct.pack(">IIIIBH", w, h, 0, 0, 0, 0)
    region = struct.pack(">IIIIB", w, h, 0, 0, 0) + bytes([1]) + ccitt_g4(bits)
    return segment(0, 48, page) + segment(1, 39, region) + segment(2, 49, b"")


def image_stream(pdf: pikepdf.Pdf, data: bytes, **keys) -> pikepdf.Stream:
    s = pikepdf.Stream(pdf, data)
    s.Type, s.Subtype = Name.XObject, Name.Image
    for k, v in keys.items():
        s[Name("/" + k)] = v
    return s


def formats(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Stream]:
    """One image per format, all W × H."""
    g8 = noise(1, (H, W))
    rgb = noise(2, (H, W, 3))
    cmyk = noise(3, (H, W, 4))
    bits = noise(4, (H, W), 1).astype(bool)
    idx = noise(5, (H, W), 15)
    g16 = noise(6, (H, W), 65535, np.uint16)
    palette = noise(7, (16, 3)).tobytes()
    icc = pdf.make_stream(b"\x00" * 8, N=3)  # a stand-in profile: only N is read
    out = {
        "gray8-flate": image_stream(pdf, flate(g8.tobytes()), Width=W, Height=H, BitsPerComponent=8,
                                    ColorSpace=Name.DeviceGray, Filter=Name.FlateDecode),
        "rgb8-predictor": image_stream(pdf, flate(png_predict(rgb.reshape(H, W * 3), 3)), Width=W, Height=H,
                                       BitsPerComponent=8, ColorSpace=Name.DeviceRGB, Filter=Name.FlateDecode,
                                       DecodeParms=Dictionary(Predictor=12, Colors=3, Columns=W,
                                                              BitsPerComponent=8)),
        "cmyk8-flate": image_stream(pdf, flate(cmyk.tobytes()), Width=W, Height=H, BitsPerComponent=8,
                                    ColorSpace=Name.DeviceCMYK, Filter=Name.FlateDecode),
        "indexed4-flate": image_stream(pdf, flate(np.packbits(np.unpackbits(idx.astype(np.uint8)[..., None], axis=2)
                                                              [..., 4:].reshape(H, W * 4), axis=1).tobytes()),
                                       Width=W, Height=H, BitsPerComponent=4,
                                       ColorSpace=Array([Name.Indexed, Name.DeviceRGB, 15, pikepdf.String(palette)]),
                                       Filter=Name.FlateDecode),
        "gray16-flate": image_stream(pdf, flate(g16.astype(">u2").tobytes()), Width=W, Height=H,
                                     BitsPerComponent=16, ColorSpace=Name.DeviceGray, Filter=Name.FlateDecode),
        "gray1-decode-inverted": image_stream(pdf, flate(np.packbits(bits, axis=1).tobytes()), Width=W, Height=H,
                                              BitsPerComponent=1, ColorSpace=Name.DeviceGray,
                                              Decode=Array([1, 0]), Filter=Name.FlateDecode),
        "icc-rgb-uncompressed": image_stream(pdf, rgb.tobytes(), Width=W, Height=H, BitsPerComponent=8,
                                             ColorSpace=Array([Name.ICCBased, icc])),
        "lab8": image_stream(pdf, flate(rgb.tobytes()), Width=W, Height=H, BitsPerComponent=8,
                             ColorSpace=Array([Name.Lab, Dictionary(WhitePoint=Array([0.9505, 1, 1.089]))]),
                             Filter=Name.FlateDecode),
        "dct-rgb": image_stream(pdf, _jpeg(rgb, "RGB"), Width=W, Height=H, BitsPerComponent=8,
                                ColorSpace=Name.DeviceRGB, Filter=Name.DCTDecode),
        "dct-cmyk": image_stream(pdf, _jpeg(cmyk, "CMYK"), Width=W, Height=H, BitsPerComponent=8,
                                 ColorSpace=Name.DeviceCMYK, Filter=Name.DCTDecode,
                                 Decode=Array([1, 0, 1, 0, 1, 0, 1, 0])),
        "jpx-rgb": image_stream(pdf, _jpx(rgb), Width=W, Height=H, Filter=Name.JPXDecode),
        "ccitt-g4": image_stream(pdf, ccitt_g4(bits), Width=W, Height=H, BitsPerComponent=1,
                                 ColorSpace=Name.DeviceGray, Filter=Name.CCITTFaxDecode,
                                 DecodeParms=Dictionary(K=-1, Columns=W, Rows=H, BlackIs1=False)),
        "jbig2": image_stream(pdf, jbig2_generic(bits), Width=W, Height=H, BitsPerComponent=1,
                              ColorSpace=Name.DeviceGray, Filter=Name.JBIG2Decode),
        "jbig2-separation": image_stream(pdf, jbig2_generic(bits), Width=W, Height=H, BitsPerComponent=1,
                                         ColorSpace=_separation(pdf), Filter=Name.JBIG2Decode),
        "ccitt-devicen": image_stream(pdf, ccitt_g4(bits), Width=W, Height=H, BitsPerComponent=1,
                                      ColorSpace=Array([Name.DeviceN, Array([Name.Black]), Name.DeviceCMYK,
                                                        _tint(pdf, b"{0 0 0 4 -1 roll}")]),
                                      Filter=Name.CCITTFaxDecode,
                                      DecodeParms=Dictionary(K=-1, Columns=W, Rows=H, BlackIs1=False)),
        "jbig2-stencil": image_stream(pdf, jbig2_generic(bits), Width=W, Height=H, ImageMask=True,
                                      Filter=Name.JBIG2Decode),
        "stencil-mask": image_stream(pdf, flate(np.packbits(bits, axis=1).tobytes()), Width=W, Height=H,
                                     ImageMask=True, Filter=Name.FlateDecode),
    }
    smask = image_stream(pdf, flate(noise(8, (H // 2, W // 2)).tobytes()), Width=W // 2, Height=H // 2,
                         BitsPerComponent=8, ColorSpace=Name.DeviceGray, Filter=Name.FlateDecode)
    out["rgb8-smask"] = image_stream(pdf, flate(rgb.tobytes()), Width=W, Height=H, BitsPerComponent=8,
                                     ColorSpace=Name.DeviceRGB, Filter=Name.FlateDecode,
                                     SMask=pdf.make_indirect(smask))
    return out


def _tint(pdf: pikepdf.Pdf, code: bytes, n_out: int = 4) -> pikepdf.Stream:
    """A PostScript-calculator tint transform (one input)."""
    return pdf.make_indirect(pdf.make_stream(code, FunctionType=4, Domain=Array([0, 1]),
                                             Range=Array([0, 1] * n_out)))


def _separation(pdf: pikepdf.Pdf) -> Array:
    """A /Black separation: tint 1 is full ink (black), the opposite of DeviceGray's 1 (white)."""
    return Array([Name.Separation, Name.Black, Name.DeviceGray, _tint(pdf, b"{1 exch sub}", 1)])


def _jpeg(px: np.ndarray, mode: str) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(px, mode).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _jpx(px: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(px, "RGB").save(buf, "JPEG2000", irreversible=False)
    return buf.getvalue()


def one_image_pdf(path, name: str, pages: int = 1, inline: bool = False, in_form: bool = False):
    """A PDF drawing format ``name`` at :data:`PLACE` on each of ``pages``
    pages (the same image object on every page), with a line of text."""
    pdf = pikepdf.new()
    img = pdf.make_indirect(formats(pdf)[name])
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    x, y, w, h = PLACE
    draw = f"q {w} 0 0 {h} {x} {y} cm /Im0 Do Q\n".encode()
    for _ in range(pages):
        xobjects = Dictionary(Im0=img)
        if in_form:
            form = pdf.make_stream(draw, Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 612, 792]),
                                   Resources=Dictionary(XObject=Dictionary(Im0=img)))
            xobjects = Dictionary(Fm0=pdf.make_indirect(form))
            content = b"q /Fm0 Do Q\n"
        else:
            content = draw
        content += b"BT /F1 12 Tf 72 700 Td (Text beside the picture stays.) Tj ET\n"
        page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 612, 792]),
                          Resources=Dictionary(XObject=xobjects, Font=Dictionary(F1=font)),
                          Contents=pdf.make_stream(content))
        pdf.pages.append(pikepdf.Page(page))
    if inline:
        _make_inline(pdf)
    pdf.save(path)
    return path


def _make_inline(pdf: pikepdf.Pdf) -> None:
    """Replace the first page's Do by the same image written inline."""
    page = pdf.pages[0]
    img = page.Resources.XObject.Im0
    keys = {"/Width": "/W", "/Height": "/H", "/BitsPerComponent": "/BPC", "/ColorSpace": "/CS", "/Filter": "/F",
            "/DecodeParms": "/DP", "/Decode": "/D", "/ImageMask": "/IM"}
    parts = []
    for k, v in img.items():
        if k in keys:
            text = v.unparse().decode() if isinstance(v, pikepdf.Object) else str(v).lower() if isinstance(v, bool) else str(v)
            parts.append(f"{keys[k]} {text}")
    x, y, w, h = PLACE
    raw = img.read_raw_bytes()
    content = (f"q {w} 0 0 {h} {x} {y} cm BI {' '.join(parts)} ID ".encode() + raw + b"\nEI Q\n"
               + b"BT /F1 12 Tf 72 700 Td (Text beside the picture stays.) Tj ET\n")
    page.Contents = pdf.make_stream(content)


def page_box(frac: tuple[float, float, float, float]) -> pymupdf.Rect:
    """A page-space box (PyMuPDF, y down) over a fraction of the placed image."""
    x, y, w, h = PLACE
    top = 792 - (y + h)
    return pymupdf.Rect(x + frac[0] * w, top + frac[1] * h, x + frac[2] * w, top + frac[3] * h)


def decoded(doc: pymupdf.Document, xref: int) -> np.ndarray:
    pix = pymupdf.Pixmap(doc, xref)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
