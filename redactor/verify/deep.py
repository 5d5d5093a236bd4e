"""The bytes of the output, read the way a hex editor or a script would.

Beyond the strings and decoded streams that :mod:`redactor.verify.checks`
already reads, this looks at:

* names, as values and as keys (``/BaseFont /PC-Smethurst``);
* strings again after URL-unquoting and HTML-unescaping them;
* the string operands of every content stream (pages, forms, patterns,
  Type3 glyphs, drawn or not), joined per stream in order, decoded as
  single bytes (latin-1) and as UTF-16, literal and hex alike;
* the raw bytes of image streams (a JPEG's EXIF, XMP and comments, a JPEG
  2000's XML boxes are not compressed) and of any stream that cannot be
  decoded;
* decoded streams with their zero bytes removed (UTF-16 text, TrueType
  name tables).

It also refuses what the sanitiser must have removed from a release: an
attached file, and a stream that cannot be decoded.
"""

from __future__ import annotations

import html
import io
import urllib.parse

import pikepdf

from redactor.verify import streamtext

MAX_DEPTH = 32
IMAGE_CODECS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/DCT", "/CCF"}
#: operators whose operands carry strings: text shown, marked-content properties
_WITH_STRINGS = "Tj TJ ' \" BDC DP"


def check_bytes(data: bytes, needles, password: str | None = None, release: bool = True) -> list[str]:
    """Problems in the bytes. ``release``: the file is a redacted release,
    which must carry no attachment and no stream that cannot be decoded."""
    if not needles and not release:
        return []
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()

    def hit(text: str, where: str, what: str, loose: bool = True, chance: bool = False) -> None:
        for h in needles.found_in(text, loose=loose):
            if chance and streamtext.is_numeric(h):
                continue  # a number in a font program or in PDF syntax
            if (h, where) not in seen:
                seen.add((h, where))
                problems.append(f"redacted text {h!r} {what} {where}")

    shown: dict[tuple[int, int], list[str]] = {}  # a content stream's string operands, read once
    with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Object):
                continue  # an indirect number, boolean or null: pikepdf hands it over as Python's
            where = f"object {obj.objgen[0]}" if obj.objgen != (0, 0) else "an object"
            if isinstance(obj, pikepdf.String):
                for text in _string(obj):
                    hit(text, where, "is in a name or string in")
            elif isinstance(obj, pikepdf.Name):
                for text in _variants(str(obj)[1:]):
                    hit(text, where, "is in a name or string in")
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
                for text in _values(obj, 0):
                    hit(text, where, "is in a name or string in")
                if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                    if release and (obj.get("/Type") == "/EmbeddedFile" or "/EF" in obj or "/AF" in obj):
                        problems.append(f"an attached file remains ({where})")
            if not isinstance(obj, pikepdf.Stream):
                continue
            filters = _filters(obj)
            if filters and filters[-1] in IMAGE_CODECS:
                # an image codec: its metadata is in the bytes under the codec
                try:
                    coded = _undo_general(pdf, obj, filters)
                except pikepdf.PdfError:
                    coded = obj.read_raw_bytes()
                    if release:
                        problems.append(f"the stream of {where} cannot be decoded ({' '.join(filters)}): "
                                        "a release must not carry bytes that cannot be checked")
                for text in _window_texts(coded, needles):
                    hit(text, where, "is in the image data (its own metadata) of", loose=False)
                continue
            try:
                decoded = obj.read_bytes(pikepdf.StreamDecodeLevel.specialized)
            except pikepdf.PdfError:
                if release:
                    problems.append(f"the stream of {where} cannot be decoded ({' '.join(filters)}): "
                                    "a release must not carry bytes that cannot be checked")
                for text in _window_texts(obj.read_raw_bytes(), needles):
                    hit(text, where, "is in the raw bytes of the stream of", loose=False)
                continue
            is_pixels = obj.get("/Subtype") == "/Image"
            # checks.py reads other streams as single bytes already; here the
            # UTF-16 view (zero bytes dropped), and images' decoded bytes
            texts = _window_texts(decoded, needles) if is_pixels else streamtext.texts(decoded, _byte_texts(decoded)[1:])
            chance = streamtext.numbers_by_chance(obj)
            for text in texts:
                hit(text, where, "can be read in the stream of", loose=False, chance=chance)
            if _is_content(obj) or b"Tj" in decoded or b"TJ" in decoded:
                texts = _shown(obj)
                if texts is not None and obj.objgen != (0, 0):
                    shown[obj.objgen] = texts
                for text in texts or ():
                    hit(text, where, "is drawn (string operands) in the content stream of")
        for page in pdf.pages:
            where = f"page object {page.obj.objgen[0]}"
            try:
                # a page drawn by one content stream shows what that stream shows (read above)
                contents = page.obj.get("/Contents")
                texts = shown.get(contents.objgen) if isinstance(contents, pikepdf.Stream) else None
                for text in texts if texts is not None else _shown_strings(page):
                    hit(text, where, "is drawn (string operands) in the content of")
            except pikepdf.PdfError:
                pass
    return problems


def _undo_general(pdf: pikepdf.Pdf, obj: pikepdf.Stream, filters: list[str]) -> bytes:
    """The bytes under an image codec: the filters before it undone."""
    raw = obj.read_raw_bytes()
    if len(filters) == 1:
        return raw
    tmp = pikepdf.Stream(pdf, raw)
    tmp.Filter = pikepdf.Array([pikepdf.Name(f) for f in filters[:-1]])
    parms = obj.get("/DecodeParms")
    if isinstance(parms, pikepdf.Array):
        tmp.DecodeParms = pikepdf.Array([p if p is not None else pikepdf.Dictionary() for p in list(parms)[:-1]])
    return tmp.read_bytes(pikepdf.StreamDecodeLevel.specialized)


def _filters(obj: pikepdf.Stream) -> list[str]:
    f = obj.get("/Filter")
    if isinstance(f, pikepdf.Array):
        return [str(x) for x in f]
    return [str(f)] if f is not None else []


def _is_content(obj: pikepdf.Stream) -> bool:
    return obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1 or "/BBox" in obj


def _variants(s: str) -> list[str]:
    out = [s]
    if "%" in s or "+" in s:
        out.append(urllib.parse.unquote_plus(s))
    if "&" in s:
        out.append(html.unescape(s))
    return out


def _string(s: pikepdf.String) -> list[str]:
    raw = bytes(s)
    out = [str(s), raw.decode("latin-1")]
    if b"\x00" in raw:
        out.append(raw.replace(b"\x00", b"").decode("latin-1"))
    return [v for t in out for v in _variants(t)]


def _values(obj, depth: int):
    """Every direct string and name in ``obj``, keys included."""
    if depth > MAX_DEPTH:
        return
    if isinstance(obj, pikepdf.Array):
        items = [(None, v) for v in obj]
    else:
        items = list(obj.items())
    for key, value in items:
        if key is not None:
            yield from _variants(key[1:])
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            continue
        if isinstance(value, pikepdf.String):
            yield from _string(value)
        elif isinstance(value, pikepdf.Name):
            yield from _variants(str(value)[1:])
        elif isinstance(value, (pikepdf.Array, pikepdf.Dictionary)):
            yield from _values(value, depth + 1)


#: bytes of an image read as text at a time (a 9,000 x 9,000 scan decodes to 243 MB, and one
#: reading of it as a whole, case-folded, took 2.4 GB), and how far windows overlap: far more
#: than any redacted text with its spaces
WINDOW = 4 << 20
OVERLAP = 4096


def _window_texts(raw: bytes, needles):
    """:func:`_byte_texts` of ``raw`` in overlapping windows (every text
    under OVERLAP bytes long lies whole in one of them), for a search with
    ``loose=False``: a window where no needle can be
    (``needles.may_be_in_bytes``) is not read as text."""
    if len(raw) <= WINDOW:
        windows = [raw]
    else:
        view = memoryview(raw)
        windows = (bytes(view[start:start + WINDOW]) for start in range(0, len(raw) - OVERLAP, WINDOW - OVERLAP))
    for window in windows:
        if needles.may_be_in_bytes(window):
            yield from _byte_texts(window)


def _byte_texts(raw: bytes) -> list[str]:
    out = [raw.decode("latin-1")]
    if b"\x00" in raw:
        out.append(raw.replace(b"\x00", b"").decode("latin-1"))
    return out


def _shown_strings(holder) -> list[str]:
    """A content stream's string operands joined in order: as single bytes,
    as UTF-16 (two-byte fonts), and with zero bytes dropped."""
    return _shown(holder) or []


def _shown(holder) -> list[str] | None:
    """:func:`_shown_strings`; None where the stream cannot be parsed."""
    parts: list[bytes] = []
    try:
        ops = pikepdf.parse_content_stream(holder, _WITH_STRINGS)
    except pikepdf.PdfError:
        return None
    for operands, _op in ops:
        for item in operands:
            if isinstance(item, pikepdf.String):
                parts.append(bytes(item))
            elif isinstance(item, pikepdf.Array):
                parts.extend(bytes(x) for x in item if isinstance(x, pikepdf.String))
            elif isinstance(item, pikepdf.Dictionary):
                parts.extend(bytes(v) for _, v in item.items() if isinstance(v, pikepdf.String))
    if not parts:
        return []
    joined = b"".join(parts)
    out = [joined.decode("latin-1"), joined.replace(b"\x00", b"").decode("latin-1")]
    even = b"".join(p for p in parts if len(p) % 2 == 0)
    if even:
        out.append(even.decode("utf-16-be", errors="replace"))
    return out
