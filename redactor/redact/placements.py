"""Where each image is drawn: every ``Do`` of an image XObject and every
inline image on a page, directly or inside Form XObjects, with its
placement matrix and the path of content streams that draws it.

A placement matrix maps the image's unit square, y down with the image's
top-left pixel at (0, 0), to PyMuPDF page space (unrotated, y down) — the
same convention as ``page.get_image_info()["transform"]``. Image pixel
(u, v) of a w × h image lies at ``Point(u / w, v / h) * matrix``.

:func:`repoint` changes what one placement draws, copying the content
streams (page or forms) on its path so that no other placement changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf
import pymupdf

from redactor.redact import pdfobj
from redactor.redact.pdfobj import Name, Ref

#: Image space (y up, PDF) to the unit square PyMuPDF uses (y down).
FLIP = pymupdf.Matrix(1, 0, 0, -1, 0, 1)
MAX_DEPTH = 12
#: How many image placements one page may have before it is refused.
MAX_PLACEMENTS = 20_000


@dataclass(frozen=True)
class Step:
    """One content stream on the way to a placement: the page's content
    (``container`` 0) or a Form XObject, and the index of the drawing op."""

    container: int
    index: int
    name: str = ""  #: the resource name the op uses ("" for an inline image)


@dataclass
class Placement:
    page: int  #: 0-based page index
    xref: int  #: image object; 0 for an inline image
    matrix: pymupdf.Matrix
    path: tuple[Step, ...]
    resources: dict = field(default_factory=dict, repr=False)  #: resources of the innermost stream
    inline: object = None  #: pikepdf inline image, for xref 0

    @property
    def bbox(self) -> pymupdf.Rect:
        return pymupdf.Rect(0, 0, 1, 1) * self.matrix


class PlacementError(Exception):
    pass


def page_resources(doc: pymupdf.Document, page_xref: int) -> dict:
    """The page's resources, inherited from the page tree where it has none."""
    xref, depth = page_xref, 0
    while xref and depth < 64:
        res = pdfobj.get(doc, xref, "Resources")
        if res is not None:
            res = pdfobj.resolve(doc, res)
            return res if isinstance(res, dict) else {}
        parent = pdfobj.get(doc, xref, "Parent")
        xref = parent.xref if isinstance(parent, Ref) else 0
        depth += 1
    return {}


def parse_ops(data: bytes) -> list:
    pdf = pikepdf.new()
    try:
        return list(pikepdf.parse_content_stream(pikepdf.Stream(pdf, data)))
    except pikepdf.PdfError:
        return []


def _xobject(doc: pymupdf.Document, resources: dict, name: str) -> Ref | None:
    xobjects = pdfobj.resolve(doc, resources.get("XObject"))
    if not isinstance(xobjects, dict):
        return None
    ref = xobjects.get(name)
    return ref if isinstance(ref, Ref) else None


def placements(doc: pymupdf.Document, page: pymupdf.Page) -> list[Placement]:
    """Every image placement on ``page``, in drawing order."""
    out: list[Placement] = []
    base = page.transformation_matrix
    resources = page_resources(doc, page.xref)
    data = page.read_contents()
    if b"Do" not in data and b"BI" not in data:
        return out  # no XObject is drawn and no inline image (the walk finds nothing: it would parse for nothing)
    _walk(doc, page.number, data, resources, pymupdf.Matrix(1, 0, 0, 1, 0, 0), base, (), 0, out, frozenset())
    return out


def _walk(doc, page_no, data: bytes, resources: dict, ctm: pymupdf.Matrix, base: pymupdf.Matrix,
          path: tuple[Step, ...], container: int, out: list[Placement], forms: frozenset) -> None:
    stack: list[pymupdf.Matrix] = []
    for index, op in enumerate(parse_ops(data)):
        if len(out) > MAX_PLACEMENTS:
            raise PlacementError(f"more than {MAX_PLACEMENTS} images are drawn on the page")
        if isinstance(op, pikepdf.ContentStreamInlineImage):
            out.append(Placement(page_no, 0, FLIP * ctm * base, path + (Step(container, index),), resources,
                                 op.iimage))
            continue
        operator = str(op.operator)
        if operator == "q":
            stack.append(ctm)
        elif operator == "Q":
            if stack:
                ctm = stack.pop()
        elif operator == "cm" and len(op.operands) == 6:
            try:
                ctm = pymupdf.Matrix(*[float(v) for v in op.operands]) * ctm
            except (TypeError, ValueError):
                pass
        elif operator == "Do" and op.operands:
            name = str(op.operands[0]).lstrip("/")
            ref = _xobject(doc, resources, name)
            if ref is None:
                continue
            subtype = pdfobj.get(doc, ref.xref, "Subtype")
            step = Step(container, index, name)
            if subtype == "Image":
                out.append(Placement(page_no, ref.xref, FLIP * ctm * base, path + (step,), resources))
            elif subtype == "Form" and ref.xref not in forms and len(path) < MAX_DEPTH:
                matrix = pdfobj.get(doc, ref.xref, "Matrix")
                m = pymupdf.Matrix(*matrix) if isinstance(matrix, list) and len(matrix) == 6 else pymupdf.Matrix(1, 0, 0, 1, 0, 0)
                inner = pdfobj.resolve(doc, pdfobj.get(doc, ref.xref, "Resources"))
                try:
                    content = doc.xref_stream(ref.xref) or b""
                except Exception:
                    continue
                _walk(doc, page_no, content, inner if isinstance(inner, dict) else resources, m * ctm, base,
                      path + (step,), ref.xref, out, forms | {ref.xref})


# --- use counts and changing what one placement draws ---------------------------------

def use_counts(doc: pymupdf.Document) -> dict[int, int]:
    """How many placements draw each image or form object, over every page."""
    counts: dict[int, int] = {}
    form_uses: dict[int, set] = {}
    for page in doc:
        try:
            found = placements(doc, page)
        except PlacementError:
            continue
        for p in found:
            for k in range(1, len(p.path)):
                form_uses.setdefault(p.path[k].container, set()).add((page.number, p.path[:k]))
            if p.xref:
                counts[p.xref] = counts.get(p.xref, 0) + 1
    for form, uses in form_uses.items():
        counts[form] = len(uses)
    return counts


def _content_of(doc: pymupdf.Document, page: pymupdf.Page, container: int) -> bytes:
    return page.read_contents() if container == 0 else (doc.xref_stream(container) or b"")


def _new_name(doc: pymupdf.Document, resources: dict) -> str:
    xobjects = pdfobj.resolve(doc, resources.get("XObject"))
    taken = set(xobjects) if isinstance(xobjects, dict) else set()
    i = 1
    while f"RdImg{i}" in taken:
        i += 1
    return f"RdImg{i}"


def _direct_resources(doc: pymupdf.Document, resources: dict) -> dict:
    """A copy of ``resources`` whose /XObject dictionary is direct, so
    names can be added and removed without touching anyone else's."""
    out = dict(resources)
    xobjects = pdfobj.resolve(doc, out.get("XObject"))
    out["XObject"] = dict(xobjects) if isinstance(xobjects, dict) else {}
    return out


def _rewrite(doc: pymupdf.Document, ops: list, index: int, resources: dict, target: int) -> tuple[bytes, dict]:
    """Content with op ``index`` drawing ``target`` under a new name, and the
    resources to go with it (the old name dropped if nothing else uses it)."""
    res = _direct_resources(doc, resources)
    old = ops[index]
    old_name = None
    if not isinstance(old, pikepdf.ContentStreamInlineImage) and old.operands:
        old_name = str(old.operands[0]).lstrip("/")
    name = _new_name(doc, res)
    res["XObject"][name] = Ref(target)
    ops[index] = pikepdf.ContentStreamInstruction([pikepdf.Name("/" + name)], pikepdf.Operator("Do"))
    if old_name and not any(not isinstance(op, pikepdf.ContentStreamInlineImage) and str(op.operator) == "Do"
                            and op.operands and str(op.operands[0]).lstrip("/") == old_name for op in ops):
        res["XObject"].pop(old_name, None)
    return pikepdf.unparse_content_stream(ops), res


def repoint(doc: pymupdf.Document, page: pymupdf.Page, placement: Placement, target: int,
            counts: dict[int, int]) -> pymupdf.Page:
    """Make ``placement`` draw image object ``target`` instead; every form on
    its path used elsewhere is copied first. The resources of each stream
    changed are made its own (direct) copy, and a name no longer drawn is
    dropped, so an image no placement draws leaves the file. Returns the
    reloaded page."""
    new = target
    for depth in range(len(placement.path) - 1, -1, -1):
        step = placement.path[depth]
        container = step.container
        if container == 0:
            ops = parse_ops(_content_of(doc, page, 0))
            data, res = _rewrite(doc, ops, step.index, page_resources(doc, page.xref), new)
            xref = pdfobj.new_object(doc, {}, data)
            doc.xref_set_key(page.xref, "Resources", pdfobj.write(res))
            doc.xref_set_key(page.xref, "Contents", f"{xref} 0 R")
            return doc.reload_page(page)
        ops = parse_ops(doc.xref_stream(container) or b"")
        form_res = pdfobj.resolve(doc, pdfobj.get(doc, container, "Resources"))
        form_res = form_res if isinstance(form_res, dict) else page_resources(doc, page.xref)
        data, res = _rewrite(doc, ops, step.index, form_res, new)
        if counts.get(container, 0) > 1:  # used elsewhere too: this placement gets a copy
            d = pdfobj.obj(doc, container)
            d = {k: v for k, v in d.items() if k not in ("Length", "Filter", "DecodeParms")}
            d["Resources"] = res
            copy = pdfobj.new_object(doc, d, data)
            counts[container] -= 1
            counts[copy] = 1
            new = copy
            continue
        doc.xref_set_key(container, "Resources", pdfobj.write(res))
        doc.update_stream(container, data, compress=True)
        return doc.reload_page(page)
    return doc.reload_page(page)


def inline_as_xobject(doc: pymupdf.Document, placement: Placement) -> int:
    """An XObject holding the same image as an inline image (same data,
    same filters), so it can be blanked and drawn by name."""
    iimage = placement.inline
    abbrev = {"W": "Width", "H": "Height", "CS": "ColorSpace", "BPC": "BitsPerComponent", "F": "Filter",
              "DP": "DecodeParms", "D": "Decode", "IM": "ImageMask", "I": "Interpolate", "L": "Length"}
    values = {"G": "DeviceGray", "RGB": "DeviceRGB", "CMYK": "DeviceCMYK", "I": "Indexed", "AHx": "ASCIIHexDecode",
              "A85": "ASCII85Decode", "LZW": "LZWDecode", "Fl": "FlateDecode", "RL": "RunLengthDecode",
              "CCF": "CCITTFaxDecode", "DCT": "DCTDecode"}
    d: dict = {"Type": Name("XObject"), "Subtype": Name("Image")}
    for key, value in iimage.obj.items():
        k = abbrev.get(key.lstrip("/"), key.lstrip("/"))
        if k == "Length":
            continue
        v = pdfobj.parse(value.unparse()) if isinstance(value, pikepdf.Object) else value
        if isinstance(v, Name):
            v = Name(values.get(str(v), str(v)))
        elif isinstance(v, list):
            v = [Name(values.get(str(x), str(x))) if isinstance(x, Name) else x for x in v]
        if k == "ColorSpace" and isinstance(v, Name) and v not in ("DeviceGray", "DeviceRGB", "DeviceCMYK", "Indexed"):
            named = pdfobj.resolve(doc, placement.resources.get("ColorSpace"))
            if isinstance(named, dict) and str(v) in named:
                v = named[str(v)]
        d[k] = v
    return pdfobj.new_object(doc, d, bytes(iimage.read_raw_bytes()), compress=False)
