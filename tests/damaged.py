"""Damaged and hostile PDFs, built from a good one.

Each builder takes a path to a good PDF (the generated sample briefing, or
any small PDF with text on every page) and writes a damaged copy. They are
the classes of input that once crashed, hung or exhausted redactor; the
fuzzing harness (``test_fuzz.py``) adds random mutants to them.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

GiB = 1024**3


def _open(src: Path) -> pikepdf.Pdf:
    return pikepdf.open(src)


def _save(pdf: pikepdf.Pdf, out: Path, **kw) -> Path:
    pdf.save(out, compress_streams=kw.pop("compress", True), **kw)
    return out


def flate_bomb(size: int, chunk: int = 1 << 24) -> bytes:
    """Zero bytes, ``size`` of them, deflated (about 1 KiB per MiB), built
    from one repeated block so a 2 GiB bomb takes a fraction of a second."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)  # a full flush: every block is the same
    n, rest = divmod(size, chunk)
    tail = c.compress(bytes(rest)) + c.flush(zlib.Z_FINISH)
    adler = ((size % 65521) << 16) | 1  # Adler-32 of `size` zero bytes
    return b"\x78\xda" + block * n + tail + adler.to_bytes(4, "big")


def _raw_stream(pdf: pikepdf.Pdf, compressed: bytes, **keys) -> pikepdf.Stream:
    s = pikepdf.Stream(pdf, compressed)
    s.Filter = Name.FlateDecode
    for k, v in keys.items():
        s[Name("/" + k)] = v
    return s


# --- the classes ------------------------------------------------------------------

def corrupt_flate_content(src: Path, out: Path, page: int = 1) -> Path:
    """One content stream of ``page`` (1-based) has corrupt Flate data."""
    pdf = _open(src)
    contents = pdf.pages[page - 1].obj.Contents
    target = contents[len(contents) // 2] if isinstance(contents, Array) else contents
    raw = bytearray(zlib.compress(target.read_bytes()))
    for i in range(4, len(raw) - 4, 3):
        raw[i] ^= 0x5A
    target.write(bytes(raw), filter=Name.FlateDecode)
    return _save(pdf, out, compress=False)


def null_in_contents(src: Path, out: Path, whole: bool = False) -> Path:
    """``/Contents null`` on page 1, or a null inside its /Contents array."""
    pdf = _open(src)
    page = pdf.pages[0].obj
    if whole:
        page.Contents = Name.NullPlaceholder
    else:
        items = list(page.Contents) if isinstance(page.Contents, Array) else [page.Contents]
        page.Contents = Array(items[:1] + [Name.NullPlaceholder] + items[1:])
    data = _save(pdf, out, object_stream_mode=pikepdf.ObjectStreamMode.disable).read_bytes()
    out.write_bytes(data.replace(b"/NullPlaceholder", b"null            "))
    return out


def nested_arrays(src: Path, out: Path, depth: int = 100_000, where: str = "catalog") -> Path:
    """An array nested ``depth`` deep, written by hand (qpdf will not)."""
    pdf = _open(src)
    target = pdf.Root if where == "catalog" else pdf.pages[0].obj
    target.RecordsNote = Name.Placeholder
    data = _save(pdf, out, compress=False, object_stream_mode=pikepdf.ObjectStreamMode.disable).read_bytes()
    deep = b"[" * depth + b"1" + b"]" * depth
    out.write_bytes(rewrite_xref(data.replace(b"/Placeholder", deep, 1)))
    return out


def rewrite_xref(data: bytes) -> bytes:
    """A fresh classic cross-reference table for a file edited by hand (no
    object streams), so that only the edit is damaged, not the offsets."""
    start = data.rindex(b"\nxref") + 1
    offsets = {int(m.group(1)): m.start(1) for m in re.finditer(rb"(?m)^(\d+) 0 obj\b", data[:start])}
    size = max(offsets) + 1
    rows = [b"0000000000 65535 f \n"] + [
        (b"%010d 00000 n \n" % offsets[i]) if i in offsets else b"0000000000 65535 f \n" for i in range(1, size)]
    trailer = data[data.index(b"trailer", start):]
    trailer = re.sub(rb"/Size \d+", b"/Size %d" % size, trailer[: trailer.index(b"startxref")])
    return (data[:start] + b"xref\n0 %d\n" % size + b"".join(rows) + trailer
            + b"startxref\n%d\n%%%%EOF\n" % start)


def recursive_form(src: Path, out: Path, mutual: bool = False) -> Path:
    """A Form XObject that draws itself (or two that draw each other)."""
    pdf = _open(src)
    a = pdf.make_stream(b"q 0 0 1 rg 10 10 20 20 re f Q /Fx Do")
    a.Type, a.Subtype, a.BBox = Name.XObject, Name.Form, Array([0, 0, 100, 100])
    if mutual:
        b = pdf.make_stream(b"/Fx Do")
        b.Type, b.Subtype, b.BBox = Name.XObject, Name.Form, Array([0, 0, 100, 100])
        a.Resources = Dictionary(XObject=Dictionary(Fx=b))
        b.Resources = Dictionary(XObject=Dictionary(Fx=a))
    else:
        a.Resources = Dictionary(XObject=Dictionary(Fx=a))
    page = pdf.pages[0]
    page.Resources.XObject = Dictionary(Fx=a)
    page.contents_add(pdf.make_stream(b"q /Fx Do Q"), prepend=False)
    return _save(pdf, out)


def parent_loop(src: Path, out: Path, kind: str = "self") -> Path:
    """A page tree with a loop: the root's /Kids holding the root itself,
    or a page whose /Parent is itself."""
    pdf = _open(src)
    data = _save(pdf, out, compress=False, object_stream_mode=pikepdf.ObjectStreamMode.disable).read_bytes()
    with pikepdf.open(out) as p:
        root_pages = p.Root.Pages.objgen[0]
        first = p.pages[0].obj.objgen[0]
    if kind == "self":  # the first page's /Parent is the page itself
        data = re.sub(rb"(%d 0 obj\s*<<.*?/Parent )%d 0 R" % (first, root_pages), rb"\g<1>%d 0 R" % first, data,
                      count=1, flags=re.S)
    else:  # the root's /Kids includes the root
        data = re.sub(rb"(%d 0 obj\s*<<.*?/Kids \[)" % root_pages, rb"\g<1> %d 0 R" % root_pages, data, count=1,
                      flags=re.S)
    out.write_bytes(data)
    return out


def huge_image_header(src: Path, out: Path, width: int = 200_000, height: int = 200_000) -> Path:
    """An image whose header claims 40 gigapixels, with a few bytes of data."""
    pdf = _open(src)
    img = pdf.make_stream(zlib.compress(b"\x80" * 3000))
    img.Type, img.Subtype = Name.XObject, Name.Image
    img.Width, img.Height, img.ColorSpace, img.BitsPerComponent = width, height, Name.DeviceRGB, 8
    img.Filter = Name.FlateDecode
    page = pdf.pages[0]
    page.Resources.XObject = Dictionary(Im9=img)
    page.contents_add(pdf.make_stream(b"q 100 0 0 100 300 100 cm /Im9 Do Q"), prepend=False)
    return _save(pdf, out)


def bad_widths(src: Path, out: Path, kind: str = "negative") -> Path:
    """Every font gets /FirstChar /LastChar /Widths: negative, or too short."""
    pdf = _open(src)
    for page in pdf.pages:
        for _, font in page.Resources.get("/Font", Dictionary()).items():
            font.FirstChar, font.LastChar = 32, 126
            if kind == "negative":
                font.Widths = Array([-600] * 95)
            elif kind == "short":
                font.Widths = Array([500] * 3)
            else:  # huge
                font.Widths = Array([1e30] * 95)
    return _save(pdf, out)


def bomb_in_catalog(src: Path, out: Path, size: int = 2 * GiB) -> Path:
    """A Flate bomb in a catalog key no reader knows."""
    pdf = _open(src)
    pdf.Root.XBackup = pdf.make_indirect(_raw_stream(pdf, flate_bomb(size)))
    return _save(pdf, out, compress=False)


def bomb_in_font(src: Path, out: Path, size: int = 2 * GiB) -> Path:
    """A Flate bomb as a font's embedded font program."""
    pdf = _open(src)
    font = pdf.pages[0].Resources.Font
    name = next(iter(font.keys()))
    desc = Dictionary(Type=Name.FontDescriptor, FontName=Name.Helvetica, Flags=32,
                      FontBBox=Array([0, 0, 1000, 1000]), ItalicAngle=0, Ascent=800, Descent=-200,
                      CapHeight=700, StemV=80)
    desc.FontFile2 = pdf.make_indirect(_raw_stream(pdf, flate_bomb(size), Length1=size))
    font[name].FontDescriptor = pdf.make_indirect(desc)
    return _save(pdf, out, compress=False)


def truncated(src: Path, out: Path, keep: float = 0.5) -> Path:
    data = src.read_bytes()
    out.write_bytes(data[: int(len(data) * keep)])
    return out


def truncated_uncompressed(src: Path, out: Path, keep: float = 0.6) -> Path:
    """Objects written plainly, then cut: the page tree survives, some pages' content does not."""
    pdf = _open(src)
    tmp = out.with_suffix(".full.pdf")
    _save(pdf, tmp, compress=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = tmp.read_bytes()
    tmp.unlink()
    out.write_bytes(data[: int(len(data) * keep)])
    return out


def broken_xref(src: Path, out: Path) -> Path:
    """Every cross-reference offset is wrong; the objects are all there."""
    pdf = _open(src)
    data = _save(pdf, out, compress=False, object_stream_mode=pikepdf.ObjectStreamMode.disable).read_bytes()
    start = data.rindex(b"xref")
    body = re.sub(rb"(\d{10}) (\d{5}) n", lambda m: b"%010d %s n" % (int(m.group(1)) + 7, m.group(2)),
                  data[start:])
    out.write_bytes(data[:start] + body)
    return out


def huge_numbers(src: Path, out: Path) -> Path:
    """A media box and font sizes as large as a number can be written."""
    pdf = _open(src)
    page = pdf.pages[0]
    page.obj.MediaBox = Array([0, 0, 1e38, 1e38])
    contents = page.obj.Contents
    for stream in (contents if isinstance(contents, Array) else [contents]):
        data = re.sub(rb" (\d+(?:\.\d+)?) Tf", b" " + b"9" * 40 + b" Tf", stream.read_bytes())
        stream.write(data)
    return _save(pdf, out)


def many_objects(src: Path, out: Path, count: int = 2_000_000) -> Path:
    """An object stream claiming ``count`` objects (a cheap way to ask for a lot)."""
    pdf = _open(src)
    arr = Array([pdf.make_indirect(Dictionary(N=i)) for i in range(count)])
    pdf.Root.XMany = pdf.make_indirect(arr)
    return _save(pdf, out)


def file_syntax_in_content(src: Path, out: Path) -> Path:
    """A page content stream with ``endstream endobj`` inside it, then more
    text: MuPDF stops reading there, poppler reads on (a reader differential,
    here in a file with a sound cross-reference table)."""
    pdf = _open(src)
    page = pdf.pages[1]
    font = next(iter(page.Resources.Font.keys()))
    page.contents_add(pdf.make_stream(
        b"q Q\nendstream\nendobj\n" + f"BT {font} 11 Tf 24 40 Td (Tariq Okafor rang back) Tj ET".encode()),
        prepend=False)
    return _save(pdf, out)


CLASSES = {
    "corrupt-flate-p1": lambda s, o: corrupt_flate_content(s, o, 1),
    "corrupt-flate-p4": lambda s, o: corrupt_flate_content(s, o, 4),
    "null-contents": lambda s, o: null_in_contents(s, o, whole=True),
    "null-in-contents-array": lambda s, o: null_in_contents(s, o),
    "nested-arrays-catalog": lambda s, o: nested_arrays(s, o, 100_000, "catalog"),
    "nested-arrays-page": lambda s, o: nested_arrays(s, o, 5_000, "page"),
    "recursive-form": recursive_form,
    "recursive-form-mutual": lambda s, o: recursive_form(s, o, mutual=True),
    "parent-loop-self": lambda s, o: parent_loop(s, o, "self"),
    "parent-loop-kids": lambda s, o: parent_loop(s, o, "kids"),
    "huge-image-header": huge_image_header,
    "widths-negative": lambda s, o: bad_widths(s, o, "negative"),
    "widths-short": lambda s, o: bad_widths(s, o, "short"),
    "widths-huge": lambda s, o: bad_widths(s, o, "huge"),
    "truncated-half": truncated,
    "truncated-uncompressed": truncated_uncompressed,
    "broken-xref": broken_xref,
    "huge-numbers": huge_numbers,
    "file-syntax-in-content": file_syntax_in_content,
}
