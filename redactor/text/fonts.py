"""Fonts whose text layer may not say what the page shows.

Text extraction trusts a font's /ToUnicode map. A font can map the glyphs
it draws to other letters: the page shows a name, the extracted text says
something harmless. This module finds, per page, the fonts for which the
text layer cannot be trusted:

* a /ToUnicode that contradicts what the font says it draws: the glyph
  names of its encoding (/Encoding, /Differences, the font program's own
  encoding) read through the Adobe Glyph List, or, for composite fonts, the
  embedded font program's cmap and post tables;
* Type3 fonts (each glyph is a drawing: its name promises nothing).

Glyphs with no usable Unicode mapping at all show in the extracted text as
U+FFFD or Private Use code points (:func:`unmapped_glyphs`).

Such pages are read again from their pixels (render and OCR) for
detection, and verification does the same.
"""

from __future__ import annotations

import io
import re
import unicodedata
from functools import lru_cache

import pikepdf
from fontTools import agl
from fontTools.encodings.MacRoman import MacRoman
from fontTools.encodings.StandardEncoding import StandardEncoding

#: fonts drawn through Form XObjects, patterns and Type3 glyphs: how deep to look
MAX_DEPTH = 8
#: the most /ToUnicode entries read from one map (a range can claim 65536)
MAX_ENTRIES = 70_000
#: characters that mean "no usable Unicode mapping" in extracted text
UNMAPPED = re.compile("[\ufffd\ue000-\uf8ff]")
UNMAPPED_MIN = 3


@lru_cache(maxsize=8)
def _base_table(name: str) -> tuple[str, ...]:
    """code -> expected text for a base encoding ("" when unknown)."""
    if name == "/WinAnsiEncoding":
        return tuple(_decode(bytes([c]), "cp1252") for c in range(256))
    if name == "/MacRomanEncoding":
        return tuple(agl.toUnicode(n) if n != ".notdef" else "" for n in MacRoman)
    if name == "/StandardEncoding":
        return tuple(agl.toUnicode(n) if n != ".notdef" else "" for n in StandardEncoding)
    return ("",) * 256


def _decode(b: bytes, codec: str) -> str:
    try:
        return b.decode(codec)
    except UnicodeDecodeError:
        return ""


def _contradicts(expected: str, text: str) -> bool:
    """A glyph named for a Latin letter or digit whose /ToUnicode says otherwise.

    Not a contradiction: the same letter in another case or form (NFKC), a
    map to Private Use code points (no mapping at all: the extracted text
    shows that by itself), or a glyph that stands for a whole cluster that
    includes the letter (Arabic ligatures are mapped so)."""
    e = unicodedata.normalize("NFKC", expected).casefold()
    if not e or not all(ch.isascii() and ch.isalnum() for ch in e):
        return False
    t = unicodedata.normalize("NFKC", text).casefold().strip()
    if t == e or (len(t) > 3 and e in t):
        return False
    return not (t and all(0xE000 <= ord(ch) <= 0xF8FF for ch in t))


# --- /ToUnicode ---------------------------------------------------------------

_HEX = rb"<([0-9A-Fa-f\s]*)>"
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(_HEX + rb"\s*" + _HEX)
_RANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(?:" + _HEX + rb"|\[(.*?)\])", re.S)


def _hex(h: bytes) -> bytes:
    h = re.sub(rb"\s", b"", h)
    if len(h) % 2:
        h += b"0"
    return bytes.fromhex(h.decode("ascii"))


def _utf16(b: bytes) -> str:
    return b.decode("utf-16-be", errors="replace")


def parse_tounicode(data: bytes) -> dict[int, str]:
    """code -> text from a /ToUnicode CMap (bfchar and bfrange entries)."""
    out: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        for src, dst in _PAIR.findall(block):
            out[int.from_bytes(_hex(src), "big")] = _utf16(_hex(dst))
            if len(out) > MAX_ENTRIES:
                return out
    for block in _BFRANGE.findall(data):
        for lo, hi, dst, arr in _RANGE.findall(block):
            a, b = int.from_bytes(_hex(lo), "big"), int.from_bytes(_hex(hi), "big")
            if b < a or b - a > 65535:
                continue
            if arr:
                for i, d in enumerate(re.findall(_HEX, arr)):
                    if a + i > b:
                        break
                    out[a + i] = _utf16(_hex(d))
            else:
                start = _hex(dst)
                if not start:
                    continue
                head, last = start[:-1], start[-1]
                for i in range(b - a + 1):
                    if last + i > 255:
                        break
                    out[a + i] = _utf16(head + bytes([last + i]))
            if len(out) > MAX_ENTRIES:
                return out
    return out


# --- what a font says it draws -------------------------------------------------

def _simple_expected(font: pikepdf.Dictionary) -> dict[int, str]:
    """code -> text from a simple font's encoding and glyph names."""
    enc = font.get("/Encoding")
    base_name = None
    diffs = None
    if isinstance(enc, pikepdf.Name):
        base_name = str(enc)
    elif isinstance(enc, pikepdf.Dictionary):
        base = enc.get("/BaseEncoding")
        base_name = str(base) if isinstance(base, pikepdf.Name) else None
        diffs = enc.get("/Differences")
    program = None
    if base_name is None:
        program = _type1_builtin(font)
        if program is None and not _symbolic(font):
            base_name = "/StandardEncoding"
    table = list(_base_table(base_name)) if base_name else [""] * 256
    if program:
        for code, name in program.items():
            table[code] = agl.toUnicode(name)
    if isinstance(diffs, pikepdf.Array):
        code = 0
        for item in diffs:
            if isinstance(item, pikepdf.Name):
                if 0 <= code < 256:
                    table[code] = agl.toUnicode(str(item)[1:])
                code += 1
            else:
                try:
                    code = int(item)
                except (TypeError, ValueError):
                    return {}
    return {c: t for c, t in enumerate(table) if t}


def _symbolic(font: pikepdf.Dictionary) -> bool:
    desc = font.get("/FontDescriptor")
    try:
        return bool(int(desc.get("/Flags", 0)) & 4) if isinstance(desc, pikepdf.Dictionary) else False
    except (TypeError, ValueError):
        return False


def _type1_builtin(font: pikepdf.Dictionary) -> dict[int, str] | None:
    """The encoding built into an embedded Type1 program, if it has its own."""
    desc = font.get("/FontDescriptor")
    if not isinstance(desc, pikepdf.Dictionary) or not isinstance(desc.get("/FontFile"), pikepdf.Stream):
        return None
    ff = desc.FontFile
    try:
        data = ff.read_bytes(pikepdf.StreamDecodeLevel.specialized)
        clear = data[: int(ff.get("/Length1", len(data)))]
    except (pikepdf.PdfError, TypeError, ValueError):
        return None
    if b"StandardEncoding def" in clear:
        return None
    found = {int(c): n.decode("latin-1") for c, n in re.findall(rb"dup\s+(\d+)\s*/(\S+)\s+put", clear) if int(c) < 256}
    return found or None


def _program_unicode(desc: pikepdf.Dictionary) -> dict[int, str] | None:
    """glyph id -> text from an embedded font program (cmap, post, CFF charset)."""
    for key in ("/FontFile2", "/FontFile3"):
        stream = desc.get(key)
        if not isinstance(stream, pikepdf.Stream):
            continue
        try:
            data = stream.read_bytes(pikepdf.StreamDecodeLevel.specialized)
        except pikepdf.PdfError:
            return None
        try:
            if data[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
                return _sfnt_unicode(data)
            return _cff_unicode(data)
        except Exception:  # a damaged font program tells us nothing
            return None
    return None


def _sfnt_unicode(data: bytes) -> dict[int, str]:
    from fontTools.ttLib import TTFont

    f = TTFont(io.BytesIO(data), lazy=True, fontNumber=0)
    order = f.getGlyphOrder()
    index = {n: i for i, n in enumerate(order)}
    out: dict[int, str] = {}
    if "post" in f and f["post"].formatType == 2.0:
        for i, n in enumerate(order):
            u = agl.toUnicode(n)
            if u:
                out[i] = u
    if "cmap" in f:
        for table in f["cmap"].tables:
            if table.isUnicode():
                for cp, n in table.cmap.items():
                    if n in index and 0 < cp < 0x110000 and not 0xE000 <= cp <= 0xF8FF:
                        out.setdefault(index[n], chr(cp))
    return out


def _cff_unicode(data: bytes) -> dict[int, str]:
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    top = cff[cff.fontNames[0]]
    if hasattr(top, "ROS"):  # CID-keyed: no glyph names
        return {}
    return {i: u for i, n in enumerate(top.charset) if (u := agl.toUnicode(n))}


def _composite_expected(font: pikepdf.Dictionary) -> dict[int, str] | None:
    enc = font.get("/Encoding")
    if not (isinstance(enc, pikepdf.Name) and str(enc) in ("/Identity-H", "/Identity-V")):
        return None
    kids = font.get("/DescendantFonts")
    if not isinstance(kids, pikepdf.Array) or not len(kids):
        return None
    cidfont = kids[0]
    desc = cidfont.get("/FontDescriptor")
    if not isinstance(desc, pikepdf.Dictionary):
        return None
    by_gid = _program_unicode(desc)
    if not by_gid:
        return None
    m = cidfont.get("/CIDToGIDMap")
    if isinstance(m, pikepdf.Stream):
        try:
            raw = m.read_bytes(pikepdf.StreamDecodeLevel.specialized)
        except pikepdf.PdfError:
            return None
        gids = {cid: int.from_bytes(raw[2 * cid: 2 * cid + 2], "big") for cid in range(len(raw) // 2)}
        return {cid: by_gid[g] for cid, g in gids.items() if g in by_gid}
    return by_gid  # Identity: CID = GID (Type0 with Identity-H: code = CID)


# --- verdicts ---------------------------------------------------------------------

def font_problem(font: pikepdf.Dictionary) -> str | None:
    """Why the text layer of ``font`` cannot be trusted, or None."""
    subtype = font.get("/Subtype")
    name = str(font.get("/BaseFont", "")).lstrip("/") or "unnamed"
    if subtype == "/Type3":
        return f"Type3 font {name}"
    tu_stream = font.get("/ToUnicode")
    if subtype == "/Type0":
        if not isinstance(tu_stream, pikepdf.Stream):
            # MuPDF falls back on the character collection or the font's
            # own cmap; whether that worked shows in the extracted text
            # (see unmapped_glyphs)
            return None
        expected = _composite_expected(font)
    elif not isinstance(tu_stream, pikepdf.Stream):
        return None
    else:
        expected = _simple_expected(font)
    if not expected:
        return None
    try:
        tounicode = parse_tounicode(tu_stream.read_bytes(pikepdf.StreamDecodeLevel.specialized))
    except pikepdf.PdfError:
        return None
    wrong = [code for code, text in tounicode.items() if (exp := expected.get(code)) and _contradicts(exp, text)]
    if wrong:
        return f"font {name} maps {len(wrong)} glyph(s) to other letters than it draws"
    return None


class FontCheck:
    """Per page, the fonts whose extracted text cannot be trusted."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self._verdicts: dict[tuple[int, int], str | None] = {}

    def page_problems(self, index: int) -> list[str]:
        try:
            page = self.pdf.pages[index]
        except IndexError:
            return []
        found: list[str] = []
        seen: set[tuple[int, int]] = set()
        self._walk(page.obj.get("/Resources"), found, seen, 0)
        return sorted(set(found))

    def _walk(self, res, found: list[str], seen: set, depth: int) -> None:
        if not isinstance(res, pikepdf.Dictionary) or depth > MAX_DEPTH:
            return
        if res.is_indirect:
            if res.objgen in seen:
                return
            seen.add(res.objgen)
        fonts = res.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            for _, font in fonts.items():
                if not isinstance(font, pikepdf.Dictionary):
                    continue
                problem = self._verdict(font)
                if problem:
                    found.append(problem)
                if font.get("/Subtype") == "/Type3":
                    self._walk(font.get("/Resources"), found, seen, depth + 1)
        for key in ("/XObject", "/Pattern"):
            group = res.get(key)
            if not isinstance(group, pikepdf.Dictionary):
                continue
            for _, obj in group.items():
                if isinstance(obj, (pikepdf.Stream, pikepdf.Dictionary)) and obj.get("/Subtype") != "/Image":
                    if obj.is_indirect:
                        if obj.objgen in seen:
                            continue
                        seen.add(obj.objgen)
                    self._walk(obj.get("/Resources"), found, seen, depth + 1)

    def _verdict(self, font: pikepdf.Dictionary) -> str | None:
        key = font.objgen
        if key != (0, 0) and key in self._verdicts:
            return self._verdicts[key]
        try:
            v = font_problem(font)
        except Exception:  # a font we cannot read is not a finding by itself
            v = None
        if key != (0, 0):
            self._verdicts[key] = v
        return v


def unmapped_glyphs(text: str) -> int:
    """Characters in extracted text that stand for glyphs with no Unicode mapping."""
    return len(UNMAPPED.findall(text))
