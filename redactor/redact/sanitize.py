"""Remove everything a released PDF should not carry, and write it anew.

Two stages. PyMuPDF removes annotations, form fields, links, embedded
files, metadata, outlines and page labels. pikepdf then removes what PyMuPDF
leaves (JavaScript and actions, named destinations, XFA, thumbnails,
piece info, XMP on any object, hidden-layer content, /ActualText, /Alt and
titles that hold redacted text, Type3 glyphs no longer used, and what
:mod:`redactor.redact.scrub` lists: images' own metadata, attachments
anywhere, streams it cannot decode, forms never drawn, fonts named after a
person, any string left holding redacted text) and writes a
full rewrite: no incremental update, no earlier revisions, no unreferenced
objects.

What a user may want to keep is a :class:`SanitizeOptions` flag; every
default is the safe one.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from redactor.pdf import write
from redactor.pdf.content import op_name
import pymupdf
from pikepdf import Name

from redactor.ingest.document import HIDDEN_OCG_MARK
from redactor.redact import docinfo, scrub, tags
from redactor.redact.keep import KEEP_CHOICES, SanitizeOptions  # noqa: F401  (the options live apart: --help)
from redactor.detect.findings import normalise


_ROOT_ALWAYS = ("/Info", "/OpenAction", "/AA", "/AcroForm", "/Metadata", "/Threads", "/SpiderInfo", "/PieceInfo",
                "/Perms", "/Collection", "/AF", "/URI", "/Legal", "/Requirements", "/OCProperties")
_PAGE_ALWAYS = ("/AA", "/Thumb", "/PieceInfo", "/Metadata", "/B", "/AF", "/PresSteps", "/Trans", "/Dur")
_TEXT_KEYS = ("/ActualText", "/Alt", "/E", "/T", "/TU", "/Title")


def contains_any(value: str, needles) -> bool:
    if isinstance(needles, scrub.Needles):
        return needles.found_in(value)
    hay = normalise(value)
    return any(n and n in hay for n in needles)


def sanitize(doc: pymupdf.Document, redacted: list[str], out: Path, options: SanitizeOptions | None = None,
             variants: list[str] = (), title: str | None = None) -> list[str]:
    """Sanitise the working copy ``doc`` and write the result to ``out``.

    ``redacted``: the redacted texts (found anywhere in a value);
    ``variants``: other forms of them, such as a redacted name's surname
    alone (found as whole words). Returns the streams dropped because they
    could not be decoded."""
    options = options or SanitizeOptions()
    needles = scrub.Needles(redacted, variants)
    _stage_pymupdf(doc, needles, options)
    data = doc.tobytes(garbage=3, deflate=True)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        dropped = _stage_pikepdf(pdf, needles, options)
        title = title or Path(out).stem
        docinfo.describe(pdf, docinfo.FALLBACK_TITLE if contains_any(title, needles) else title, None)
        write.save(
            pdf,
            out,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
            linearize=False,
        )
    return dropped


def _stage_pymupdf(doc: pymupdf.Document, needles, options: SanitizeOptions) -> None:
    for page in doc:
        for widget in list(page.widgets()):
            page.delete_widget(widget)
        for annot in list(page.annots()):
            page.delete_annot(annot)
        for link in page.get_links():
            target = " ".join(str(link.get(k, "")) for k in ("uri", "file", "name"))
            if not options.keep_links or contains_any(target, needles) or link.get("kind") == pymupdf.LINK_LAUNCH:
                page.delete_link(link)
    doc.set_metadata({})
    doc.del_xml_metadata()
    for name in list(doc.embfile_names()):
        doc.embfile_del(name)
    if options.keep_outlines:
        toc = doc.get_toc(simple=True)
        kept, dropped_level = [], None
        for level, title, page in toc:
            if dropped_level is not None and level > dropped_level:
                continue  # children of a dropped entry go with it
            dropped_level = None
            if contains_any(title, needles):
                dropped_level = level
                continue
            kept.append([level, title, page])
        doc.set_toc(_fix_levels(kept))
    else:
        doc.set_toc([])
    if not options.keep_page_labels:
        doc.set_page_labels([])


def _fix_levels(toc: list[list]) -> list[list]:
    out, prev = [], 0
    for level, title, page in toc:
        level = min(level, prev + 1)
        out.append([level, title, page])
        prev = level
    return out


def _stage_pikepdf(pdf: pikepdf.Pdf, needles, options: SanitizeOptions) -> list[str]:
    dropped = scrub.drop_undecodable_streams(pdf)  # issue 9: first, so nothing below reads them
    root = pdf.Root
    hidden = {o.objgen for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and Name("/" + HIDDEN_OCG_MARK) in o}
    if hidden:
        _remove_hidden_content(pdf, hidden)
    for key in _ROOT_ALWAYS:
        if key in root:
            del root[key]
    if not options.keep_outlines and "/Outlines" in root:
        del root.Outlines
    if not options.keep_page_labels and "/PageLabels" in root:
        del root.PageLabels
    if "/Names" in root:
        names = root.Names
        for key in list(names.keys()):
            if key == "/Dests" and (options.keep_outlines or options.keep_links):
                _prune_name_tree(names.Dests, needles)
                continue
            del names[key]
        if not names.keys():
            del root.Names
    if "/Dests" in root:
        if options.keep_outlines or options.keep_links:
            for key in list(root.Dests.keys()):
                if contains_any(key[1:], needles):
                    del root.Dests[key]
        else:
            del root.Dests
    if not options.keep_tags:
        for key in ("/StructTreeRoot", "/MarkInfo"):
            if key in root:
                del root[key]
        for page in pdf.pages:
            if "/StructParents" in page.obj:
                del page.obj.StructParents
    for page in pdf.pages:
        for key in _PAGE_ALWAYS:
            if key in page.obj:
                del page.obj[key]
        if not options.keep_links and "/Annots" in page.obj:
            del page.obj.Annots
    for obj in pdf.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in ("/Metadata", "/PieceInfo", Name("/" + HIDDEN_OCG_MARK)):
                if key in obj:
                    del obj[key]
            if obj.get("/Type") == Name.OCG and "/Name" in obj:
                # a layer's name ("Notes of DS Rhian Jones"): no viewer lists the layers once /OCProperties
                # is gone, and no detector read it (helper 31)
                obj.Name = pikepdf.String("Layer")
            if needles:
                for key in _TEXT_KEYS:
                    value = obj.get(key)
                    if isinstance(value, pikepdf.String) and contains_any(str(value), needles):
                        del obj[key]
    if needles:
        _clean_marked_content(pdf, needles)
    if options.keep_tags:
        tags.repair(pdf)  # after the content is final: MCIDs, labels, notices, parent tree
    # --- issue 9: what the leak suite found (redactor.redact.scrub) ---
    scrub.drop_embedded_files(pdf)
    scrub.strip_image_metadata(pdf)
    scrub.drop_undrawn_forms(pdf)
    scrub.rename_fonts(pdf, needles)
    scrub.scrub_strings(pdf, needles)
    scrub.drop_unknown_keys(pdf)
    # ---
    _subset_type3_fonts(pdf)
    pdf.remove_unreferenced_resources()
    if "/Info" in pdf.trailer:
        del pdf.trailer.Info
    return dropped


def _prune_name_tree(node, needles, depth: int = 0) -> None:
    """Drop name-tree entries whose names hold redacted text."""
    if depth > 32:
        return
    if "/Names" in node:
        items = list(node.Names)
        kept = []
        for key, value in zip(items[0::2], items[1::2]):
            if not contains_any(str(key), needles):
                kept += [key, value]
        node.Names = pikepdf.Array(kept)
    for kid in node.get("/Kids", []):
        _prune_name_tree(kid, needles, depth + 1)


# --- content streams ---------------------------------------------------------

def _content_streams(pdf: pikepdf.Pdf):
    """(stream holder, resources) for every page and Form XObject."""
    for page in pdf.pages:
        yield page, page.obj.get("/Resources", pikepdf.Dictionary())
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Form":
            yield obj, obj.get("/Resources", pikepdf.Dictionary())


def _ops(holder) -> list:
    try:
        return list(pikepdf.parse_content_stream(holder))
    except pikepdf.PdfError:
        return []


def _set_page_content(pdf: pikepdf.Pdf, page: pikepdf.Page, data: bytes) -> None:
    page.obj.Contents = pdf.make_stream(data)


def _remove_hidden_content(pdf: pikepdf.Pdf, hidden: set) -> None:
    def is_hidden(oc) -> bool:
        if oc is None:
            return False
        if oc.objgen in hidden:
            return True
        ocgs = oc.get("/OCGs")
        if ocgs is None:
            return False
        groups = list(ocgs) if isinstance(ocgs, pikepdf.Array) else [ocgs]
        policy = str(oc.get("/P", "/AnyOn"))
        states = [g.objgen in hidden for g in groups]
        if policy in ("/AnyOn", "/AllOn"):
            return all(states) if policy == "/AnyOn" else any(states)
        return False

    for holder, res in _content_streams(pdf):
        props = res.get("/Properties", pikepdf.Dictionary())
        xobjs = res.get("/XObject", pikepdf.Dictionary())
        ops = _ops(holder)
        out, depth, skip_at = [], 0, None
        for op in ops:
            name = op_name(op)
            if name in ("BDC", "BMC"):
                depth += 1
                if skip_at is None and name == "BDC" and len(op.operands) == 2 and op.operands[0] == Name.OC:
                    ref = op.operands[1]
                    oc = props.get(ref) if isinstance(ref, pikepdf.Name) else ref
                    if is_hidden(oc):
                        skip_at = depth
                        continue
            elif name == "EMC":
                if skip_at is not None and depth == skip_at:
                    skip_at = None
                    depth -= 1
                    continue
                depth -= 1
            elif name == "Do" and skip_at is None:
                xo = xobjs.get(op.operands[0]) if op.operands else None
                if xo is not None and is_hidden(xo.get("/OC")):
                    continue
            if skip_at is None:
                out.append(op)
        if len(out) != len(ops):
            data = pikepdf.unparse_content_stream(out)
            if isinstance(holder, pikepdf.Page):
                _set_page_content(pdf, holder, data)
            else:
                holder.write(data)


def _clean_marked_content(pdf: pikepdf.Pdf, needles) -> None:
    """Drop /ActualText, /Alt, /E (and any other string) of marked content
    that holds redacted text (key names may be written with # escapes, so
    every stream with marked content is parsed)."""
    for holder, res in _content_streams(pdf):
        raw = _raw_content(holder)
        if b"BDC" not in raw:
            continue
        ops = _ops(holder)
        changed = False
        for op in ops:
            if op_name(op) == "BDC" and len(op.operands) == 2 and isinstance(op.operands[1], pikepdf.Dictionary):
                props = op.operands[1]
                for key in list(props.keys()):
                    v = props.get(key)
                    if isinstance(v, pikepdf.String) and contains_any(str(v), needles):
                        del props[key]
                        changed = True
        if changed:
            data = pikepdf.unparse_content_stream(ops)
            if isinstance(holder, pikepdf.Page):
                _set_page_content(pdf, holder, data)
            else:
                holder.write(data)


def _raw_content(holder) -> bytes:
    if isinstance(holder, pikepdf.Page):
        contents = holder.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array):
            return b"".join(_stream_bytes(c) for c in contents)
        return _stream_bytes(contents)
    return _stream_bytes(holder)


def _stream_bytes(obj) -> bytes:
    """A content stream's bytes; nothing for what is not a stream (a damaged
    /Contents entry) or does not decode (verification reports those)."""
    if not isinstance(obj, pikepdf.Stream):
        return b""
    try:
        return obj.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    except pikepdf.PdfError:
        return b""


def _subset_type3_fonts(pdf: pikepdf.Pdf) -> None:
    """Remove Type3 glyph procedures no content stream uses any more."""
    type3 = {o.objgen: o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Type3"}
    if not type3:
        return
    used: dict[tuple, set[int]] = {k: set() for k in type3}
    holders = list(_content_streams(pdf))
    for font in type3.values():
        for proc in font.get("/CharProcs", pikepdf.Dictionary()).values():
            holders.append((proc, font.get("/Resources", pikepdf.Dictionary())))
    for holder, res in holders:
        fonts = res.get("/Font", pikepdf.Dictionary())
        current = None
        for op in _ops(holder):
            name = op_name(op)
            if name == "Tf" and op.operands:
                f = fonts.get(op.operands[0])
                current = f.objgen if f is not None and f.objgen in used else None
            elif current is not None and name in ("Tj", "'", '"', "TJ"):
                for operand in op.operands:
                    items = operand if isinstance(operand, pikepdf.Array) else [operand]
                    for item in items:
                        if isinstance(item, pikepdf.String):
                            used[current].update(bytes(item))
    for key, font in type3.items():
        procs = font.get("/CharProcs")
        if procs is None:
            continue
        names = _type3_names(font, used[key])
        for glyph in list(procs.keys()):
            if glyph not in names:
                del procs[glyph]


def _type3_names(font: pikepdf.Dictionary, codes: set[int]) -> set[str]:
    encoding = font.get("/Encoding")
    table: dict[int, str] = {}
    if isinstance(encoding, pikepdf.Dictionary):
        code = 0
        for item in encoding.get("/Differences", []):
            if isinstance(item, pikepdf.Name):
                table[code] = str(item)
                code += 1
            else:
                code = int(item)
    return {table[c] for c in codes if c in table}
