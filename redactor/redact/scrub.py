"""What the sanitiser removes from the bytes of a release (issue 9).

Each function here works on the pikepdf copy that is about to be written:

* :func:`strip_image_metadata`: JPEG (DCTDecode) images keep their pixels
  byte for byte and lose their own metadata segments (EXIF, XMP, IPTC,
  comments, JFIF thumbnails, anything after the end of the image); JPEG 2000
  images lose their XML, UUID and rights boxes;
* :func:`drop_embedded_files`: files attached anywhere (/AF on any object,
  /EF in any file specification, /EmbeddedFile streams);
* :func:`drop_undecodable_streams`: a stream the tool cannot decode (an
  unknown filter, a damaged one) is emptied, not copied; image streams
  whose last filter is an image codec (DCT, JPX, JBIG2, CCITT) are kept;
* :func:`drop_undrawn_forms`: Form XObjects a page (or form) offers in its
  resources but never draws;
* :func:`rename_fonts`: fonts named after a person (/BaseFont, /FontName,
  /FontFamily, and the name inside the embedded font program, overwritten
  with the same number of bytes so the program stays valid);
* :func:`scrub_strings`: any other string or name value holding redacted
  text;
* :func:`drop_unknown_keys`: keys the PDF standard does not define in the
  catalogue, the page tree's nodes and the pages' resources (no reader
  shows them, so nothing checks what they hold: a hiding place).

:class:`Needles` is what is looked for: each redacted text (anywhere in a
value, as before) and its variants (the surname alone and the like:
whole words), also after URL-unquoting and HTML-unescaping the value.
"""

from __future__ import annotations

import html
import urllib.parse

import pikepdf
import regex
from pikepdf import Name

from redactor.detect.findings import normalise

IMAGE_CODECS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}
GENERAL_FILTERS = {"/FlateDecode", "/LZWDecode", "/ASCII85Decode", "/ASCIIHexDecode", "/RunLengthDecode",
                   "/Fl", "/LZW", "/A85", "/AHx", "/RL"}
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
MAX_DEPTH = 32


_SQUEEZE = regex.compile(r"[\W_]+")
#: a redacted text is also looked for squeezed (letters and digits only) when it has this many of them
MIN_SQUEEZED = 8


class Needles:
    """Redacted texts (matched anywhere in a value) and their variants
    (matched as whole words), case-insensitively."""

    def __init__(self, texts=(), variants=()):
        self.texts = sorted({normalise(t) for t in texts if t and t.strip()})
        self.variants = sorted({normalise(v) for v in variants if v and v.strip()} - set(self.texts))
        self._word_rx = None
        self._squeezed_texts: list[str] | None = None

    @property
    def word_rx(self):
        """Every text and variant as a whole word (compiled when first needed)."""
        if self._word_rx is None and (self.texts or self.variants):
            words = sorted(self.texts + self.variants, key=len, reverse=True)
            self._word_rx = regex.compile(r"(?<!\w)(?:" + "|".join(r"\s*".join(map(regex.escape, w.split()))
                                                                  for w in words) + r")(?!\w)", regex.I)
        return self._word_rx

    def __bool__(self) -> bool:
        return bool(self.texts or self.variants)

    def __iter__(self):
        return iter(self.texts + self.variants)

    def found_in(self, value: str) -> bool:
        """Whether a redacted text is in ``value``: as written, or with all but
        letters and digits squeezed out, as verification reads it (a name
        redacted as "Pemberton-⏎Smythe" is "Pemberton-Smythe" in a title)."""
        if not self or not value:
            return False
        for v in _readings(value):
            hay = normalise(v)
            if any(t in hay for t in self.texts) or any(_whole(hay, w) for w in self.variants):
                return True
            squeezed = _SQUEEZE.sub("", hay)
            if any(t in squeezed for t in self._squeezed()):
                return True
        return False

    def _squeezed(self) -> list[str]:
        if self._squeezed_texts is None:
            self._squeezed_texts = [q for q in (_SQUEEZE.sub("", t) for t in self.texts) if len(q) >= MIN_SQUEEZED]
        return self._squeezed_texts

    def spans(self, value: str) -> list[tuple[int, int]]:
        """Where in ``value`` (as written) a needle or variant occurs."""
        if self.word_rx is None:
            return []
        out = [m.span() for m in self.word_rx.finditer(value)]
        low = value.casefold()
        for t in self.texts:
            plain = t.replace(" ", "")
            for needle in {t, plain} if plain else {t}:
                start = low.find(needle)
                while start >= 0 and needle:
                    out.append((start, start + len(needle)))
                    start = low.find(needle, start + 1)
        return out


def _whole(hay: str, needle: str) -> bool:
    start = hay.find(needle)
    while start >= 0:
        end = start + len(needle)
        if (start == 0 or not hay[start - 1].isalnum()) and (end == len(hay) or not hay[end].isalnum()):
            return True
        start = hay.find(needle, start + 1)
    return False


def _readings(value: str) -> list[str]:
    out = [value]
    if "%" in value or "+" in value:
        out.append(urllib.parse.unquote_plus(value))
    if "&" in value:
        out.append(html.unescape(value))
    return out


# --- images' own metadata ------------------------------------------------------------

def _filters(stream: pikepdf.Stream) -> tuple[list[str], list]:
    f = stream.get("/Filter")
    p = stream.get("/DecodeParms")
    filters = [str(x) for x in f] if isinstance(f, pikepdf.Array) else ([str(f)] if f is not None else [])
    parms = list(p) if isinstance(p, pikepdf.Array) else [p] * len(filters)
    return filters, parms


def _decode_prefix(pdf: pikepdf.Pdf, stream: pikepdf.Stream, filters: list[str], parms: list) -> bytes:
    """The stream's bytes with all filters but the last undone."""
    raw = stream.read_raw_bytes()
    if len(filters) == 1:
        return raw
    tmp = pikepdf.Stream(pdf, raw)
    tmp.Filter = pikepdf.Array([Name(f) for f in filters[:-1]])
    if any(p is not None for p in parms[:-1]):
        tmp.DecodeParms = pikepdf.Array([p if p is not None else pikepdf.Dictionary() for p in parms[:-1]])
    return tmp.read_bytes(pikepdf.StreamDecodeLevel.specialized)


def strip_image_metadata(pdf: pikepdf.Pdf) -> int:
    """Remove JPEG and JPEG 2000 images' own metadata; return how many changed."""
    changed = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") != "/Image":
            continue
        filters, parms = _filters(obj)
        if not filters or filters[-1] not in ("/DCTDecode", "/JPXDecode"):
            continue
        if any(f not in GENERAL_FILTERS for f in filters[:-1]):
            continue
        try:
            data = _decode_prefix(pdf, obj, filters, parms)
        except pikepdf.PdfError:
            continue
        clean = strip_jpeg(data) if filters[-1] == "/DCTDecode" else strip_jp2(data)
        if clean is not None and clean != data:
            last = parms[-1] if parms else None
            obj.write(clean, filter=Name(filters[-1]), decode_parms=last if last is not None else None)
            changed += 1
    return changed


def strip_jpeg(data: bytes) -> bytes | None:
    """The JPEG without metadata segments, or None if it cannot be parsed.

    Kept: the coding segments, APP0 JFIF (its thumbnail dropped), APP2
    ICC_PROFILE (colour), APP14 Adobe (colour transform). Dropped: APP1
    (EXIF, XMP), APP13 (IPTC, Photoshop), other APPn, COM, and anything
    after the end-of-image marker."""
    n = len(data)
    if data[:2] != b"\xff\xd8":
        return None
    out = bytearray(b"\xff\xd8")
    i = 2
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker == 0xD9:
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += bytes((0xFF, marker))
            continue
        if i + 2 > n:
            return None
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2 or i + length > n:
            return None
        segment = data[i:i + length]
        i += length
        if marker == 0xE0:
            if segment[2:7] == b"JFIF\x00" and length >= 16:
                body = bytearray(segment[2:16])
                body[12:14] = b"\x00\x00"  # no thumbnail
                out += b"\xff\xe0" + (16).to_bytes(2, "big") + body
        elif marker == 0xE2:
            if segment[2:14] == b"ICC_PROFILE\x00":
                out += b"\xff\xe2" + segment
        elif marker == 0xEE:
            out += b"\xff\xee" + segment
        elif 0xE1 <= marker <= 0xEF or marker == 0xFE:
            pass  # metadata
        else:
            out += bytes((0xFF, marker)) + segment
        if marker == 0xDA:  # entropy-coded data runs to the next real marker
            j = i
            while j + 1 < n and not (data[j] == 0xFF and data[j + 1] not in (0x00, 0xFF) and not 0xD0 <= data[j + 1] <= 0xD7):
                j += 1
            if j + 1 >= n:
                j = n
            out += data[i:j]
            i = j
    return bytes(out)


_JP2_DROP = {b"xml ", b"uuid", b"uinf", b"ipr ", b"jp2i"}


def strip_jp2(data: bytes) -> bytes | None:
    """A JP2 file without its top-level metadata boxes; a bare codestream
    without its comment (COM) segments; None if it cannot be parsed."""
    if data[:4] == b"\xff\x4f\xff\x51":
        return _strip_j2k(data)
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        if i + 8 > n:
            return None
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        header = 8
        if length == 1:
            if i + 16 > n:
                return None
            length, header = int.from_bytes(data[i + 8:i + 16], "big"), 16
        elif length == 0:
            length = n - i
        if length < header or i + length > n:
            return None
        if kind not in _JP2_DROP:
            out += data[i:i + length]
        i += length
    return bytes(out)


def _strip_j2k(data: bytes) -> bytes | None:
    out = bytearray(data[:2])
    i, n = 2, len(data)
    while i + 4 <= n:
        marker = data[i:i + 2]
        if marker == b"\xff\x90":  # first tile: the main header is over
            out += data[i:]
            return bytes(out)
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if length < 2 or i + 2 + length > n:
            return None
        if marker != b"\xff\x64":  # COM
            out += data[i:i + 2 + length]
        i += 2 + length
    return None


# --- attachments, undecodable streams, undrawn forms ------------------------------------

def drop_embedded_files(pdf: pikepdf.Pdf) -> int:
    """Remove every attached file; return how many references were cut."""
    cut = 0
    for obj in pdf.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        for key in ("/AF", "/EF", "/RF"):
            if key in obj:
                del obj[key]
                cut += 1
        if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/EmbeddedFile":
            obj.write(b"")
            for key in ("/Params", "/Subtype"):
                if key in obj:
                    del obj[key]
            cut += 1
    return cut


def drop_undecodable_streams(pdf: pikepdf.Pdf) -> list[str]:
    """Empty every stream the tool cannot decode; return what was dropped."""
    dropped = []
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        filters, parms = _filters(obj)
        if not filters:
            continue
        if (filters[-1] in IMAGE_CODECS and obj.get("/Subtype") == "/Image"
                and all(f in GENERAL_FILTERS for f in filters[:-1])):
            try:
                _decode_prefix(pdf, obj, filters, parms)
                continue
            except pikepdf.PdfError:
                pass
        elif all(f in GENERAL_FILTERS or f == "/Crypt" for f in filters):
            try:
                obj.read_bytes(pikepdf.StreamDecodeLevel.specialized)
                continue
            except pikepdf.PdfError:
                pass
        where = f"object {obj.objgen[0]}" if obj.objgen != (0, 0) else "a stream"
        dropped.append(f"{where} ({' '.join(f.lstrip('/') for f in filters)})")
        obj.write(b"")
    return dropped


def drop_undrawn_forms(pdf: pikepdf.Pdf) -> int:
    """Remove Form XObjects that a resource dictionary offers but no content
    using that dictionary draws (names invoked with ``Do``). A dictionary
    shared by several pages or forms keeps what any of them draws."""
    holders = [(p.obj, p.obj.get("/Resources")) for p in pdf.pages]
    for o in pdf.objects:
        if isinstance(o, pikepdf.Stream) and "/Resources" in o and (
                o.get("/Subtype") == "/Form" or o.get("/PatternType") == 1):
            holders.append((o, o.get("/Resources")))
        elif isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Type3":
            procs = o.get("/CharProcs")
            if isinstance(procs, pikepdf.Dictionary):
                holders += [(proc, o.get("/Resources")) for _, proc in procs.items() if isinstance(proc, pikepdf.Stream)]
    offered: dict[tuple, pikepdf.Dictionary] = {}
    used: dict[tuple, set[str] | None] = {}
    for holder, res in holders:
        if not isinstance(res, pikepdf.Dictionary):
            continue
        xobjs = res.get("/XObject")
        if not isinstance(xobjs, pikepdf.Dictionary):
            continue
        if xobjs.is_indirect:
            key = ("x",) + xobjs.objgen
        elif res.is_indirect:
            key = ("r",) + res.objgen
        else:
            key = ("h",) + holder.objgen
        offered[key] = xobjs
        try:
            names = _invoked(holder)
        except pikepdf.PdfError:
            names = None
        if key in used and (used[key] is None or names is None):
            used[key] = None
        else:
            used[key] = (used.get(key) or set()) | (names or set())
    removed = 0
    for key, xobjs in offered.items():
        names = used.get(key)
        if names is None:
            continue  # some content using it cannot be read: leave it
        for name in [k for k, v in xobjs.items() if isinstance(v, pikepdf.Stream) and v.get("/Subtype") == "/Form"]:
            if name not in names:
                del xobjs[name]
                removed += 1
    return removed


def _invoked(holder) -> set[str]:
    target = pikepdf.Page(holder) if not isinstance(holder, pikepdf.Stream) else holder
    return {str(op.operands[0]) for op in pikepdf.parse_content_stream(target, "Do") if op.operands}


# --- names and strings ------------------------------------------------------------------

def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for k in range(a, min(b, len(chars))):
            if chars[k].isalnum():
                chars[k] = "X"
    return "".join(chars)


def rename_fonts(pdf: pikepdf.Pdf, needles: Needles) -> int:
    """Fonts named after a redacted person get the name overwritten, in the
    font dictionaries and inside the embedded program (same length)."""
    if not needles:
        return 0
    changed = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") not in ("/Font", "/FontDescriptor"):
            continue
        for key in ("/BaseFont", "/FontName"):
            value = obj.get(key)
            if isinstance(value, pikepdf.Name) and needles.found_in(str(value)[1:]):
                name = str(value)[1:]
                obj[key] = Name("/" + _blank(name, needles.spans(name)))
                changed += 1
        fam = obj.get("/FontFamily")
        if isinstance(fam, pikepdf.String) and needles.found_in(str(fam)):
            obj.FontFamily = pikepdf.String(_blank(str(fam), needles.spans(str(fam))))
            changed += 1
        for key in FONT_FILES:
            stream = obj.get(key)
            if isinstance(stream, pikepdf.Stream):
                changed += _overwrite_program(stream, needles)
    return changed


def _overwrite_program(stream: pikepdf.Stream, needles: Needles) -> int:
    try:
        data = stream.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    except pikepdf.PdfError:
        return 0
    new = bytearray(data)
    low = data.lower()
    hits = 0
    for needle in needles:
        for form in {needle, needle.replace(" ", ""), needle.replace(" ", "-")}:
            for enc in (form.encode("latin-1", "ignore"), form.encode("utf-16-be", "ignore")):
                if len(enc) < 3:
                    continue
                start = low.find(enc)
                while start >= 0:
                    for k in range(start, start + len(enc)):
                        if 0x30 <= new[k] <= 0x7A and chr(new[k]).isalnum():
                            new[k] = ord("X")
                    hits += 1
                    start = low.find(enc, start + 1)
    if hits:
        keep = {k: stream[k] for k in ("/Length1", "/Length2", "/Length3", "/Subtype") if k in stream}
        stream.write(bytes(new))
        for k, v in keep.items():
            stream[k] = v
    return 1 if hits else 0


#: the keys ISO 32000-2 defines (tables 29, 30, 31, 34), less those the sanitiser drops anyway
_CATALOG_KEYS = frozenset({"/Type", "/Version", "/Extensions", "/Pages", "/PageLabels", "/Names", "/Dests",
                           "/ViewerPreferences", "/PageLayout", "/PageMode", "/Outlines", "/StructTreeRoot",
                           "/MarkInfo", "/Lang", "/OutputIntents", "/NeedsRendering", "/DPartRoot"})
_INHERITED = frozenset({"/Resources", "/MediaBox", "/CropBox", "/Rotate"})
_PAGES_KEYS = frozenset({"/Type", "/Parent", "/Kids", "/Count"}) | _INHERITED
_PAGE_KEYS = frozenset({"/Type", "/Parent", "/LastModified", "/BleedBox", "/TrimBox", "/ArtBox", "/BoxColorInfo",
                        "/Contents", "/Group", "/Annots", "/StructParents", "/PZ", "/SeparationInfo", "/Tabs",
                        "/TemplateInstantiated", "/UserUnit", "/VP", "/OutputIntents", "/DPart"}) | _INHERITED
_RESOURCE_KEYS = frozenset({"/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/XObject", "/Font", "/ProcSet",
                            "/Properties"})


def drop_unknown_keys(pdf: pikepdf.Pdf) -> int:
    """Remove the keys the standard does not define from the catalogue, the
    page tree's nodes and the pages' resource dictionaries; how many."""
    dropped = _drop_keys(pdf.Root, _CATALOG_KEYS)
    seen: set[tuple[int, int]] = set()
    stack = [pdf.Root.get("/Pages")]
    while stack:  # the page tree (its inner nodes too: what they hold is inherited, or hidden)
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or (node.is_indirect and node.objgen in seen):
            continue
        seen.add(node.objgen)
        kids = node.get("/Kids")
        is_page = kids is None and node.get("/Type") != "/Pages"
        dropped += _drop_keys(node, _PAGE_KEYS if is_page else _PAGES_KEYS)
        resources = node.get("/Resources")
        if isinstance(resources, pikepdf.Dictionary):
            dropped += _drop_keys(resources, _RESOURCE_KEYS)
        if isinstance(kids, pikepdf.Array):
            stack.extend(kids)
    return dropped


def _drop_keys(obj: pikepdf.Dictionary, known: frozenset[str]) -> int:
    unknown = [k for k in obj.keys() if k not in known]
    for k in unknown:
        del obj[k]
    return len(unknown)


def scrub_strings(pdf: pikepdf.Pdf, needles: Needles) -> int:
    """Blank any string (and any name value) left holding redacted text."""
    if not needles:
        return 0
    changed = 0
    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
            changed += _scrub(obj, needles, 0)
    return changed


def _scrub(obj, needles: Needles, depth: int) -> int:
    if depth > MAX_DEPTH:
        return 0
    changed = 0
    items = list(obj.items()) if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)) else list(enumerate(obj))
    for key, value in items:
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            continue
        if isinstance(value, pikepdf.String):
            text = _string_text(value)
            if needles.found_in(text):
                obj[key] = pikepdf.String("")
                changed += 1
        elif isinstance(value, pikepdf.Name) and isinstance(key, str) and key not in ("/Type", "/Subtype", "/S"):
            name = str(value)[1:]
            if needles.found_in(name):
                obj[key] = Name("/" + _blank(name, needles.spans(name)))
                changed += 1
        elif isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
            changed += _scrub(value, needles, depth + 1)
    return changed


def _string_text(s: pikepdf.String) -> str:
    try:
        return str(s)
    except Exception:
        return bytes(s).decode("latin-1")


# --- the forms of a redacted name ------------------------------------------------------

#: categories whose texts are names of people: their surnames are looked for too
NAME_CATEGORIES = frozenset({"person_name"})
MIN_SURNAME = 3


def name_variants(names) -> list[str]:
    """Other forms of redacted names worth removing wherever they are: the
    surname alone (initial-and-surname forms contain it)."""
    out = []
    for name in names:
        tokens = [t.strip(".,;:'’") for t in name.split()]
        tokens = [t for t in tokens if t]
        if len(tokens) >= 2 and len(tokens[-1]) >= MIN_SURNAME and tokens[-1][:1].isupper():
            out.append(tokens[-1])
    return out
