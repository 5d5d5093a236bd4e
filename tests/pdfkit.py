"""Build real PDFs with content in awkward places, and check what survives.

Builders write raw content streams with pikepdf so each test controls
exactly where the text lives. Checks read the output three independent ways:
PyMuPDF (hidden text included), poppler's pdftotext, and a pikepdf walk of
every string and decompressed stream.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pymupdf
from pikepdf import Array, Dictionary, Name, String

NEIGHBOUR = "The briefing starts at the station."


def helvetica(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))


def text_op(text: str, x: float, y: float, size: float = 12, font: str = "/F1", extra: str = "") -> bytes:
    esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT {font} {size} Tf {extra} {x} {y} Td ({esc}) Tj ET\n".encode("latin-1")


def outlined_op(text: str, x: float, y: float, size: float = 14, stroked: bool = False) -> bytes:
    """``text`` in Helvetica drawn as filled curves (fonts outlined, as some
    exporters do): no text layer holds it, a person and OCR read it.
    ``stroked``: the outlines are stroked, not filled (hollow lettering)."""
    from fontTools.agl import UV2AGL
    from fontTools.cffLib import CFFFontSet
    from fontTools.pens.basePen import BasePen

    font = pymupdf.Font("helv")
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(font.buffer), None)
    glyphs = cff[cff.fontNames[0]].CharStrings
    ops: list[str] = []

    class Pen(BasePen):
        def __init__(self, ox):
            super().__init__(None)
            self.ox = ox

        def _pt(self, p):
            return f"{self.ox + p[0] * size / 1000:.2f} {y + p[1] * size / 1000:.2f}"

        def _moveTo(self, p):
            ops.append(f"{self._pt(p)} m")

        def _lineTo(self, p):
            ops.append(f"{self._pt(p)} l")

        def _curveToOne(self, a, b, c):
            ops.append(f"{self._pt(a)} {self._pt(b)} {self._pt(c)} c")

        def _closePath(self):
            ops.append("h")

    for ch in text:
        if ch != " ":
            glyphs[UV2AGL[ord(ch)]].draw(Pen(x))
        x += font.glyph_advance(ord(ch)) * size
    if stroked:
        return ("0 G 0.7 w " + " ".join(ops) + " S\n").encode()
    return ("0 g " + " ".join(ops) + " f\n").encode()


def neighbour_op(y: float = 750) -> bytes:
    return text_op(NEIGHBOUR, 72, y)


def make_pdf(path: Path, pages: list[bytes], resources=None, page_extra=None, mediabox=(0, 0, 612, 792),
             setup=None) -> Path:
    """One page per content stream. ``resources(pdf)`` adds to each page's
    resources; ``page_extra(pdf, page_dict, i)`` edits a page; ``setup(pdf)``
    edits the document."""
    pdf = pikepdf.new()
    font = helvetica(pdf)
    shared = resources(pdf) if resources else {}
    for i, content in enumerate(pages):
        res = Dictionary(Font=Dictionary(F1=font))
        for key, value in shared.items():
            if key == "Font":
                for k, v in value.items():
                    res.Font[Name("/" + k)] = v
            else:
                res[Name("/" + key)] = value
        page = Dictionary(Type=Name.Page, MediaBox=Array(list(mediabox)), Resources=res,
                          Contents=pdf.make_stream(content))
        if page_extra:
            page_extra(pdf, page, i)
        pdf.pages.append(pikepdf.Page(page))
    if setup:
        setup(pdf)
    pdf.save(path, compress_streams=False)  # inputs stay readable byte for byte
    return path


# --- reading back --------------------------------------------------------

def mupdf_text(path: Path) -> str:
    """All text MuPDF can find: hidden layers on, no clipping, invisible included."""
    doc = pymupdf.open(path)
    cat = doc.pdf_catalog()
    if doc.xref_get_key(cat, "OCProperties")[0] != "null":
        doc.xref_set_key(cat, "OCProperties", "null")
    flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP
    return "\n".join(p.get_text("text", flags=flags, clip=pymupdf.INFINITE_RECT()) for p in doc)


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-q", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def raw_occurrences(path: Path, needle: str) -> list[str]:
    """Where ``needle`` appears in any string or decompressed stream."""
    hits = []
    low = needle.casefold()
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            for s in _strings(obj):
                if low in s.casefold():
                    hits.append(f"string in {obj.objgen}")
            if isinstance(obj, pikepdf.Stream):
                try:
                    data = obj.read_bytes()
                except pikepdf.PdfError:
                    data = obj.read_raw_bytes()
                if low.encode("latin-1") in data.lower():
                    hits.append(f"stream {obj.objgen}")
        for s in _strings(pdf.trailer):
            if low in s.casefold():
                hits.append("trailer")
    # and the file's own bytes, for anything stored uncompressed
    if low.encode("latin-1") in path.read_bytes().lower():
        hits.append("file bytes")
    return hits


def _strings(obj, depth=0):
    if depth > 10:
        return
    if isinstance(obj, String):
        yield str(obj)
    elif isinstance(obj, Array):
        for item in obj:
            if isinstance(item, pikepdf.Object) and not item.is_indirect:
                yield from _strings(item, depth + 1)
    elif isinstance(obj, (Dictionary, pikepdf.Stream)):
        for _, v in obj.items():
            if isinstance(v, pikepdf.Object) and not v.is_indirect:
                yield from _strings(v, depth + 1)


def squeeze(s: str) -> str:
    return "".join(s.split()).casefold()


def assert_gone(path: Path, secret: str, neighbour: str | None = NEIGHBOUR) -> None:
    """``secret`` cannot be read three ways; ``neighbour`` still can."""
    mu, pt = mupdf_text(path), pdftotext(path)
    assert squeeze(secret) not in squeeze(mu), f"PyMuPDF still extracts {secret!r}"
    assert squeeze(secret) not in squeeze(pt), f"pdftotext still extracts {secret!r}"
    for part in secret.split():
        if len(part) >= 4:
            hits = raw_occurrences(path, part)
            assert not hits, f"{part!r} still in the file: {hits}"
    if neighbour:
        assert neighbour in " ".join(mu.split()), f"PyMuPDF lost the neighbouring text {neighbour!r}"
        assert neighbour in " ".join(pt.split()), f"pdftotext lost the neighbouring text {neighbour!r}"


# --- more readers: PDFium, and OCR of the rendered page ------------------------------

def pdfium_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            out.append(tp.get_text_range())
            tp.close()
        return "\n".join(out)
    finally:
        pdf.close()


def ocr_text(path: Path, dpi: int = 200) -> str:
    """Tesseract's reading of every page as rendered (what a person sees)."""
    from redactor.text.ocr import tesseract

    doc = pymupdf.open(path)
    out = []
    for page in doc:
        png = page.get_pixmap(matrix=pymupdf.Matrix(dpi / 72, dpi / 72), alpha=False).tobytes("png")
        out.append(" ".join(w.text for w in tesseract.ocr_image(png, dpi=dpi)))
    return "\n".join(out)


def assert_gone_everywhere(path: Path, secret: str, neighbour: str | None = NEIGHBOUR) -> None:
    """``secret`` cannot be read by PyMuPDF (hidden text included), poppler,
    PDFium, OCR of the rendered pages, nor found in any string, stream or
    the file's bytes; ``neighbour`` can still be read."""
    assert_gone(path, secret, neighbour)
    assert squeeze(secret) not in squeeze(pdfium_text(path)), f"PDFium still extracts {secret!r}"
    seen = ocr_text(path)
    for part in secret.split():
        if len(part) >= 4:
            assert part.casefold() not in seen.casefold(), f"OCR of the rendered page still reads {part!r}"
    if neighbour:
        assert neighbour in " ".join(pdfium_text(path).split()), "PDFium lost the neighbouring text"
