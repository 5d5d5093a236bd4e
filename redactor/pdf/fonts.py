"""Font metrics for editing text in a content stream: how a string splits
into character codes, and how far each code advances.

Only what positioning needs: the split of a string into codes (one byte for
simple fonts; the CMap's code space for composite fonts) and each code's
horizontal advance in text space (``w0``, 1/1000 em scaled to 1 em).
pdfminer.six supplies what a hand-written table would otherwise have to: the
predefined CJK CMaps, the standard 14 fonts' metrics and the standard
encodings' glyph names.

A font redactor cannot measure (vertical writing, a CMap it cannot read) is
:attr:`FontMetrics.supported` ``False`` with a reason; the caller then falls
back to MuPDF's own redaction for that text.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass, field

import pikepdf

log = logging.getLogger(__name__)

#: Names under which PDF producers refer to the standard 14 fonts.
_BASE14_ALIASES = {
    "arial": "Helvetica", "arialmt": "Helvetica", "helvetica": "Helvetica",
    "arial,bold": "Helvetica-Bold", "arial-boldmt": "Helvetica-Bold", "helvetica-bold": "Helvetica-Bold",
    "arial,italic": "Helvetica-Oblique", "arial-italicmt": "Helvetica-Oblique",
    "helvetica-oblique": "Helvetica-Oblique",
    "arial,bolditalic": "Helvetica-BoldOblique", "arial-bolditalicmt": "Helvetica-BoldOblique",
    "helvetica-boldoblique": "Helvetica-BoldOblique",
    "timesnewroman": "Times-Roman", "timesnewromanps": "Times-Roman", "timesnewromanpsmt": "Times-Roman",
    "times-roman": "Times-Roman", "times": "Times-Roman",
    "timesnewroman,bold": "Times-Bold", "timesnewromanps-boldmt": "Times-Bold", "times-bold": "Times-Bold",
    "timesnewroman,italic": "Times-Italic", "timesnewromanps-italicmt": "Times-Italic", "times-italic": "Times-Italic",
    "timesnewroman,bolditalic": "Times-BoldItalic", "timesnewromanps-bolditalicmt": "Times-BoldItalic",
    "times-bolditalic": "Times-BoldItalic",
    "couriernew": "Courier", "courier": "Courier", "couriernewpsmt": "Courier",
    "couriernew,bold": "Courier-Bold", "courier-bold": "Courier-Bold", "couriernewps-boldmt": "Courier-Bold",
    "couriernew,italic": "Courier-Oblique", "courier-oblique": "Courier-Oblique",
    "couriernew,bolditalic": "Courier-BoldOblique", "courier-boldoblique": "Courier-BoldOblique",
    "symbol": "Symbol", "zapfdingbats": "ZapfDingbats",
}


@dataclass
class FontMetrics:
    """How one font's strings split into codes and how far each advances."""

    name: str
    simple: bool = True
    supported: bool = True
    reason: str = ""
    widths: dict[int, float] = field(default_factory=dict)  #: code (simple) or CID (composite) -> w0
    default_width: float = 0.0
    #: composite fonts: a byte trie from the CMap (nested dicts, leaves are CIDs)
    trie: dict | None = None
    identity: bool = False

    def split(self, data: bytes) -> list[tuple[int, int, int]]:
        """``(start, end, key)`` per code in ``data``: the code's byte span and
        the key its width is looked up by (the code itself, or the CID)."""
        if self.simple:
            return [(i, i + 1, b) for i, b in enumerate(data)]
        if self.identity:
            out = [(i, i + 2, (data[i] << 8) | data[i + 1]) for i in range(0, len(data) - 1, 2)]
            if len(data) % 2:
                out.append((len(data) - 1, len(data), data[-1]))
            return out
        out = []
        i, n = 0, len(data)
        while i < n:
            node, j = self.trie, i
            while j < n and isinstance(node, dict):
                node = node.get(data[j])
                j += 1
            if isinstance(node, int):
                out.append((i, j, node))
                i = j
            else:  # a code the CMap does not map: one byte, CID 0 (as viewers do)
                out.append((i, i + 1, 0))
                i += 1
        return out

    def advance(self, key: int) -> float:
        return self.widths.get(key, self.default_width)


def metrics(font: pikepdf.Object | None) -> FontMetrics:
    """Metrics of a font dictionary (never raises: an unreadable font is
    returned unsupported, with the reason)."""
    if not isinstance(font, pikepdf.Dictionary):
        return FontMetrics(name="?", supported=False, reason="the font resource is missing")
    name = str(font.get("/BaseFont", "?"))[1:] or "?"
    try:
        subtype = str(font.get("/Subtype", ""))
        if subtype == "/Type0":
            return _composite(font, name)
        return _simple(font, name, subtype)
    except Exception as e:  # a malformed font must not stop anything: we fall back
        return FontMetrics(name=name, supported=False, reason=f"font {name} cannot be read ({type(e).__name__}: {e})")


def _num(x, default: float = 0.0) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return default


def _simple(font: pikepdf.Dictionary, name: str, subtype: str) -> FontMetrics:
    m = FontMetrics(name=name)
    scale = 0.001
    if subtype == "/Type3":
        fm = font.get("/FontMatrix")
        vals = [_num(v) for v in fm] if isinstance(fm, pikepdf.Array) and len(fm) == 6 else [0.001, 0, 0, 0.001, 0, 0]
        if abs(vals[1]) > 1e-9 or abs(vals[2]) > 1e-9:
            return FontMetrics(name=name, supported=False, reason=f"Type3 font {name} has a rotated FontMatrix")
        scale = vals[0]
    desc = font.get("/FontDescriptor")
    missing = _num(desc.get("/MissingWidth", 0)) if isinstance(desc, pikepdf.Dictionary) else 0.0
    m.default_width = missing * scale
    widths = font.get("/Widths")
    if isinstance(widths, pikepdf.Array):
        first = int(_num(font.get("/FirstChar", 0)))
        last = int(_num(font.get("/LastChar", first + len(widths) - 1)))
        if len(widths) < last - first + 1:
            return FontMetrics(name=name, supported=False, reason=f"font {name} has fewer /Widths than its codes")
        for i, w in enumerate(widths):
            if _num(w) < 0:
                return FontMetrics(name=name, supported=False, reason=f"font {name} has negative /Widths")
            m.widths[first + i] = _num(w) * scale
        return m
    base = _standard14(name)
    if base in ("Symbol", "ZapfDingbats"):  # built-in encodings pdfminer does not tabulate by code
        return FontMetrics(name=name, supported=False, reason=f"font {name} has no /Widths")
    if base is None:
        if subtype == "/Type3":
            return FontMetrics(name=name, supported=False, reason=f"Type3 font {name} has no /Widths")
        return FontMetrics(name=name, supported=False, reason=f"font {name} has no /Widths and is not a standard font")
    m.widths.update(_standard_widths(base, *_encoding_of(font)))
    return m


@functools.lru_cache(maxsize=256)
def _standard_widths(base: str, base_enc: str | None, diffs: tuple) -> dict[int, float]:
    """Code -> w0 of a standard font under an encoding and /Differences:
    the same for every font dictionary that says the same (a table built
    once, not once per page that uses the font; callers copy it)."""
    from pdfminer.encodingdb import name2unicode
    from pdfminer.fontmetrics import FONT_METRICS

    glyph_widths = FONT_METRICS[base][1]  # keyed by the character
    widths = {}
    for code, glyph in _code_names(base_enc, diffs).items():
        try:
            char = name2unicode(glyph)
        except (KeyError, ValueError):
            continue
        if char in glyph_widths:
            widths[code] = glyph_widths[char] * 0.001
    return widths


def _standard14(name: str) -> str | None:
    bare = name.split("+", 1)[-1].replace(" ", "").lower()
    from pdfminer.fontmetrics import FONT_METRICS

    for std in FONT_METRICS:
        if bare == std.lower():
            return std
    return _BASE14_ALIASES.get(bare)


def _encoding_of(font: pikepdf.Dictionary) -> tuple[str | None, tuple]:
    """A simple font's base encoding name and its /Differences, as values."""
    enc = font.get("/Encoding")
    base_enc = None
    diffs: tuple = ()
    if isinstance(enc, pikepdf.Name):
        base_enc = str(enc)
    elif isinstance(enc, pikepdf.Dictionary):
        if isinstance(enc.get("/BaseEncoding"), pikepdf.Name):
            base_enc = str(enc.BaseEncoding)
        d = enc.get("/Differences")
        if isinstance(d, pikepdf.Array):
            diffs = tuple(str(item) if isinstance(item, pikepdf.Name) else int(_num(item)) for item in d)
    return base_enc, diffs


def _code_names(base_enc: str | None, diffs: tuple) -> dict[int, str]:
    """Code -> glyph name for a standard font: its encoding, then /Differences
    (names as "/name", codes as ints)."""
    from pdfminer.latin_enc import ENCODING

    column = {"/StandardEncoding": 1, "/MacRomanEncoding": 2, "/WinAnsiEncoding": 3, "/PDFDocEncoding": 4}.get(
        base_enc or "", 1)  # a standard Latin font without /Encoding uses StandardEncoding
    names: dict[int, str] = {}
    for row in ENCODING:
        code = row[column]
        if code is not None:
            names[code] = row[0]
    code = 0
    for item in diffs:
        if isinstance(item, str):
            names[code] = item[1:]
            code += 1
        else:
            code = item
    return names


def _composite(font: pikepdf.Dictionary, name: str) -> FontMetrics:
    m = FontMetrics(name=name, simple=False)
    descendants = font.get("/DescendantFonts")
    cid_font = descendants[0] if isinstance(descendants, pikepdf.Array) and len(descendants) else None
    if not isinstance(cid_font, pikepdf.Dictionary):
        return FontMetrics(name=name, simple=False, supported=False, reason=f"composite font {name} has no CIDFont")
    enc = font.get("/Encoding")
    if isinstance(enc, pikepdf.Name):
        enc_name = str(enc)[1:]
        if enc_name in ("Identity-H",):
            m.identity = True
        elif enc_name == "Identity-V" or enc_name.endswith("-V"):
            return FontMetrics(name=name, simple=False, supported=False, reason=f"font {name} is set vertically")
        else:
            from pdfminer.cmapdb import CMapDB

            try:
                cmap = CMapDB.get_cmap(enc_name)
            except Exception:
                return FontMetrics(name=name, simple=False, supported=False, reason=f"unknown CMap {enc_name}")
            if cmap.is_vertical():
                return FontMetrics(name=name, simple=False, supported=False, reason=f"font {name} is set vertically")
            m.trie = cmap.code2cid
    elif isinstance(enc, pikepdf.Stream):
        trie = _embedded_cmap(enc)
        if trie is None:
            return FontMetrics(name=name, simple=False, supported=False, reason=f"font {name}: its CMap cannot be read")
        if int(_num(enc.get("/WMode", 0))) == 1:
            return FontMetrics(name=name, simple=False, supported=False, reason=f"font {name} is set vertically")
        m.trie = trie
    else:
        return FontMetrics(name=name, simple=False, supported=False, reason=f"composite font {name} has no encoding")
    m.default_width = _num(cid_font.get("/DW", 1000), 1000.0) * 0.001
    w = cid_font.get("/W")
    if isinstance(w, pikepdf.Array):
        items = list(w)
        i = 0
        while i < len(items):
            first = int(_num(items[i]))
            nxt = items[i + 1] if i + 1 < len(items) else None
            if isinstance(nxt, pikepdf.Array):
                for k, width in enumerate(nxt):
                    m.widths[first + k] = _num(width) * 0.001
                i += 2
            elif i + 2 < len(items):
                last = int(_num(nxt))
                width = _num(items[i + 2]) * 0.001
                if last - first > 65536:  # a hostile range: refuse rather than allocate
                    return FontMetrics(name=name, simple=False, supported=False,
                                       reason=f"font {name}: /W range too large")
                for cid in range(first, last + 1):
                    m.widths[cid] = width
                i += 3
            else:
                break
    return m


def _embedded_cmap(stream: pikepdf.Stream) -> dict | None:
    from pdfminer.cmapdb import CMap, CMapDB, CMapParser

    try:
        data = stream.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    except pikepdf.PdfError:
        return None
    cmap = CMap()
    try:
        CMapParser(cmap, io.BytesIO(data)).run()
    except Exception:
        return None
    use = stream.get("/UseCMap")
    if isinstance(use, pikepdf.Name):
        try:
            cmap.use_cmap(CMapDB.get_cmap(str(use)[1:]))
        except Exception:
            return None
    if not cmap.code2cid:
        return None
    return cmap.code2cid
