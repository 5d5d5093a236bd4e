"""Safety caps for hostile or damaged PDFs, and the check that applies them.

Every input (and every file ``verify`` reads) is inspected with qpdf before
any real work, under caps that bound memory and time:

* **nesting** of arrays and dictionaries (:attr:`Caps.max_depth`): qpdf
  parses no deeper, and a file that needed more is refused;
* **objects** in the cross-reference table (:attr:`Caps.max_objects`);
* **decompressed bytes** per stream (:attr:`Caps.max_stream_bytes`, enforced
  inside qpdf's own decoders, so a 2 GB Flate bomb stops after the cap with
  a few MB of memory) and in total over all non-image streams
  (:attr:`Caps.max_total_bytes`);
* **pixels** per image (:attr:`Caps.max_pixels`, from the image's header);
* **page size** (:attr:`Caps.max_page_extent`) and **drawing depth**: a Form
  XObject or tiling pattern that draws itself, directly or through others,
  or forms nested deeper than :attr:`Caps.max_form_depth`.

The qpdf limits are process-wide and installed by :func:`install`; workers
and ``verify`` call it like every other command (through
:func:`redactor.ingest.document.open_pdf` or :func:`inspect_file`).

What is found is split into *problems* (over a cap, or a loop: the file is
refused) and *damage* (a stream that does not decode): see the repair
policy in :mod:`redactor.ingest.document`.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field

import pikepdf

MiB = 1024**2
GiB = 1024**3


@dataclass(frozen=True)
class Caps:
    max_depth: int = 100
    max_objects: int = 2_000_000
    max_stream_bytes: int = 256 * MiB
    max_total_bytes: int = 1 * GiB
    max_pixels: int = 1_500_000_000  #: a 35,000 x 35,000 scan passes; a 40-gigapixel header does not
    max_page_extent: float = 100_000.0  #: points (about 35 m)
    max_form_depth: int = 32


DEFAULT_CAPS = Caps()

_installed: Caps | None = None


def install(caps: Caps = DEFAULT_CAPS) -> None:
    """Set qpdf's process-wide limits to ``caps`` (idempotent), and keep
    qpdf's warnings out of the user's terminal: they are collected per file
    and reported as one line where they matter."""
    global _installed
    if _installed == caps:
        return
    import pikepdf.settings

    pikepdf.settings.set_qpdf_limits(
        parser_max_nesting=caps.max_depth,
        flate_max_memory=caps.max_stream_bytes,
        png_max_memory=caps.max_stream_bytes,
        tiff_max_memory=caps.max_stream_bytes,
        run_length_max_memory=caps.max_stream_bytes,
        dct_max_memory=caps.max_stream_bytes,
    )
    logging.getLogger("pikepdf").setLevel(logging.CRITICAL)
    _installed = caps


@dataclass
class Inspection:
    """What :func:`inspect` found."""

    pages: int = 0
    declared_pages: int | None = None
    problems: list[str] = field(default_factory=list)  #: refuse the file
    damaged_streams: dict[int, str] = field(default_factory=dict)  #: object number -> what is wrong
    warnings: list[str] = field(default_factory=list)  #: qpdf's, cleaned
    stream_bytes: int = 0
    content_pages: dict[int, int] = field(default_factory=dict)  #: content stream object -> page
    bad_fonts: list[tuple[str, str]] = field(default_factory=list)  #: (where, resource name): not a font
    odd_contents: set[int] = field(default_factory=set)  #: pages with /Contents entries that are not streams
    file_syntax: dict[int, str] = field(default_factory=dict)  #: content stream -> 'endstream'/'endobj' inside it


_KNOWN_FILTERS = {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85",
                  "/RunLengthDecode", "/RL"}
FILE_SYNTAX = re.compile(rb"(?<![\w(])(?:endstream|endobj)(?!\w)")
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_SCN = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*(?:scn|SCN)\b")


def limit_hits() -> int:
    import pikepdf.settings

    return pikepdf.settings.qpdf_limit_errors()


def inspect(pdf: pikepdf.Pdf, caps: Caps = DEFAULT_CAPS, limit_hits_before: int | None = None) -> Inspection:
    """Apply the caps to an opened file. Never raises for a damaged file."""
    found = Inspection()
    found.warnings = [clean_warning(w) for w in pdf.get_warnings()]
    nesting = [w for w in found.warnings if "nest" in w]
    if nesting:
        found.problems.append(f"arrays or dictionaries nested deeper than {caps.max_depth} levels ({nesting[0]})")
    try:
        found.pages = len(pdf.pages)
    except Exception as e:  # noqa: BLE001 - qpdf's page tree errors come as several types
        found.problems.append(f"its page tree cannot be read ({clean_warning(str(e))})")
        return found
    try:
        count = pdf.Root.Pages.get("/Count")
        found.declared_pages = int(count) if isinstance(count, int) or (
            isinstance(count, pikepdf.Object) and count._type_name == "integer") else None
    except Exception:  # noqa: BLE001
        found.declared_pages = None
    _check_pages(pdf, caps, found)
    draws: dict[tuple, set[bytes]] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        _check_stream(obj, caps, found, draws)
        if found.stream_bytes > caps.max_total_bytes:
            found.problems.append(f"its streams decompress to more than {caps.max_total_bytes // MiB} MiB in all")
            break
    if not found.problems:
        _check_drawing_loops(pdf, caps, found, draws)
        _check_font_resources(pdf, found)
    if limit_hits_before is not None and limit_hits() > limit_hits_before and not found.problems:
        hit = next((w for w in found.warnings if "limit" in w), "a safety limit was reached while reading it")
        found.problems.append(hit)
    return found


def _check_pages(pdf: pikepdf.Pdf, caps: Caps, found: Inspection) -> None:
    for n, page in enumerate(pdf.pages, start=1):
        try:
            box = page.mediabox
            values = [float(v) for v in box]
        except Exception:  # noqa: BLE001 - a missing or malformed box: MuPDF uses a default
            continue
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            found.problems.append(f"page {n}: its media box is not four finite numbers")
            return
        if max(abs(v) for v in values) > caps.max_page_extent:
            found.problems.append(f"page {n}: its media box reaches {max(abs(v) for v in values):.3g} points "
                                  f"(the limit is {caps.max_page_extent:.0f})")
            return


def _filters(obj: pikepdf.Stream) -> list[str]:
    f = obj.get("/Filter")
    if f is None:
        return []
    if isinstance(f, pikepdf.Array):
        return [str(x) for x in f]
    return [str(f)]


def _check_stream(obj: pikepdf.Stream, caps: Caps, found: Inspection, draws: dict) -> None:
    num = obj.objgen[0]
    try:
        subtype = obj.get("/Subtype")
    except Exception:  # noqa: BLE001
        subtype = None
    if subtype == "/Image":
        try:
            w, h = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
        except (TypeError, ValueError):
            w = h = -1
        if w <= 0 or h <= 0:
            found.damaged_streams[num] = "an image with no valid width and height"
        elif w * h > caps.max_pixels:
            found.problems.append(f"object {num}: an image of {w} x {h} pixels (the limit is "
                                  f"{caps.max_pixels / 1e6:.0f} megapixels)")
        return
    filters = _filters(obj)
    if any(f not in _KNOWN_FILTERS for f in filters):
        return  # an image codec or an unknown filter: not decoded here (nor by qpdf)
    try:
        data = obj.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    except pikepdf.PdfError as e:
        msg = clean_warning(str(e))
        if "unfilterable" in msg:  # parameters qpdf does not decode: not checked here (as an unknown filter)
            return
        if "limit" in msg:
            found.problems.append(f"object {num}: a stream that decompresses to more than "
                                  f"{caps.max_stream_bytes // MiB} MiB (a decompression bomb?)")
        else:
            found.damaged_streams[num] = msg
        return
    except Exception as e:  # noqa: BLE001
        found.damaged_streams[num] = clean_warning(str(e))
        return
    found.stream_bytes += len(data)
    if (subtype == "/Form" or obj.get("/Type") is None) and (b"endstream" in data or b"endobj" in data):
        m = FILE_SYNTAX.search(data)
        if m:  # file syntax inside page content: where it ends depends on the reader
            found.file_syntax[num] = m.group(0).decode("latin-1")
    if b"Do" in data or b"scn" in data or b"SCN" in data:
        names = set(_DO.findall(data)) | set(_SCN.findall(data))
        if names:
            draws[obj.objgen] = names


def _content_objgens(page: pikepdf.Dictionary) -> list[tuple]:
    contents = page.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        return [c.objgen for c in contents if isinstance(c, pikepdf.Stream)]
    return [contents.objgen] if isinstance(contents, pikepdf.Stream) else []


def _named(resources, name: bytes):
    """The Form XObject or pattern a content stream names (or None)."""
    if not isinstance(resources, pikepdf.Dictionary):
        return None
    key = "/" + name.decode("latin-1")
    for kind in ("/XObject", "/Pattern"):
        d = resources.get(kind)
        if isinstance(d, pikepdf.Dictionary) and key in d:
            target = d[key]
            if isinstance(target, pikepdf.Stream) and target.get("/Subtype") != "/Image":
                return target
    return None


def _check_drawing_loops(pdf: pikepdf.Pdf, caps: Caps, found: Inspection, draws: dict) -> None:
    """A Form XObject or pattern that draws itself, or forms nested too deep."""
    for n, page in enumerate(pdf.pages, start=1):
        names: set[bytes] = set()
        for og in _content_objgens(page.obj):
            names |= draws.get(og, set())
        if not names:
            continue
        try:
            res = page.obj.get("/Resources")
        except Exception:  # noqa: BLE001
            continue
        # iterative depth-first search: (stream, resources in force, path)
        stack = [(_named(res, name), res, ()) for name in names]
        while stack:
            target, inherited, path = stack.pop()
            if target is None:
                continue
            og = target.objgen
            if og in path:
                found.problems.append(f"page {n}: Form XObject or pattern {og[0]} draws itself "
                                      f"(a loop through {len(path)} object(s))")
                return
            if len(path) >= caps.max_form_depth:
                found.problems.append(f"page {n}: Form XObjects nested deeper than {caps.max_form_depth} levels")
                return
            own = target.get("/Resources")
            scope = own if isinstance(own, pikepdf.Dictionary) else inherited
            for name in draws.get(og, ()):
                stack.append((_named(scope, name), scope, path + (og,)))


_FONT_SUBTYPES = {"/Type0", "/Type1", "/MMType1", "/Type3", "/TrueType", "/CIDFontType0", "/CIDFontType2",
                  "/OpenType"}


def _check_font_resources(pdf: pikepdf.Pdf, found: Inspection) -> None:
    """A font resource that is not a font (damage: readers and redaction
    cannot use it)."""
    holders = [(f"page {n}", page.obj) for n, page in enumerate(pdf.pages, start=1)]
    holders += [(f"Form XObject {o.objgen[0]}", o) for o in pdf.objects
                if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Form"]
    for where, holder in holders:
        try:
            fonts = holder.get("/Resources", {}).get("/Font")
        except Exception:  # noqa: BLE001
            continue
        if not isinstance(fonts, pikepdf.Dictionary):
            continue
        for name, font in fonts.items():
            if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") not in _FONT_SUBTYPES:
                found.bad_fonts.append((where, name))


_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>")


def clean_warning(message: str, name: str = "") -> str:
    """qpdf's message without Python object reprs or the in-memory 'file name'."""
    msg = _REPR.sub(name or "the file", message.strip().splitlines()[0] if message.strip() else "")
    msg = re.sub(r"^(stream |the file:? |: )+", "", msg).strip()
    msg = re.sub(r"^\((?:object \d+,? ?\d*,? ?)?(?:offset \d+)?\):? ", "", msg)
    msg = msg.replace("stream inflate: inflate: data: ", "invalid Flate data: ")
    return msg[:200]
