"""Hidden content of Office documents: find it, then show it or drop it.

Works on OOXML (``.docx``, ``.pptx``, ``.xlsx``); every other Office format
(ODF, the binary ``.doc``/``.xls``/``.ppt``, RTF) is first written to its
OOXML counterpart by LibreOffice, which keeps tracked changes, comments,
notes and hidden slides, sheets, rows and columns, so the same inspection
applies to all.

:func:`inspect` lists what a reader of the rendered pages would not see, or
might miss: tracked insertions and deletions, comments, hidden text,
speaker notes, hidden slides, hidden sheets, rows and columns, headers and
footers, embedded objects, links to outside content, and the document
properties (author, last modified by, company...).

:func:`prepare` rewrites the package for a policy:

* ``render`` (default): hidden text, slides, sheets, rows and columns are
  made visible in place; tracked changes stay and LibreOffice draws them
  (insertions underlined, deletions struck through), so a deleted name is
  on the page and is redacted like any other text; comments, speaker notes
  and document properties are listed on pages added at the end (see
  :mod:`redactor.ingest.convert.render`), so they too go through detection
  and review.
* ``drop``: tracked changes are accepted (deleted text is gone), comments
  removed, hidden things stay hidden, nothing is added: the release shows
  only what a reader of the document saw. Everything dropped is listed in
  the plan, log and schedule.
* ``refuse``: a document with any hidden content is refused.

The XML is edited as text with small, exact patterns (never re-serialised),
so namespaces and markup-compatibility declarations stay as they were.
"""

from __future__ import annotations

import math
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field

from redactor.errors import InputError
from redactor.ingest.convert.containers import Package

from redactor.ingest.convert.kinds import DEFAULT_POLICY, POLICIES  # noqa: E402,F401  (the options live apart)
#: Rows a sheet may have before a spreadsheet is refused (LibreOffice would
#: print every one of them).
MAX_ROWS = 100_000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

#: kind -> words for people (the schedule, the added pages)
KINDS = {
    "tracked_insertion": "tracked insertion",
    "tracked_deletion": "tracked deletion",
    "comment": "comment",
    "hidden_text": "hidden text",
    "speaker_notes": "speaker notes",
    "hidden_slide": "hidden slide",
    "hidden_sheet": "hidden sheet",
    "hidden_rows": "hidden rows",
    "hidden_columns": "hidden columns",
    "header_footer": "header or footer",
    "embedded_object": "embedded object",
    "external_link": "link to outside content (never fetched)",
    "document_property": "document property",
    "print_area": "print area (cells outside it)",
    "hidden_shape": "hidden shape",
    "hidden_cells": "cells formatted to show nothing (;;;)",
    "dropdown_list": "drop-down list values",
    "named_value": "named value (a constant kept in the workbook)",
    "off_slide_shape": "shape placed off the slide",
}
#: Kinds that `--hidden-content refuse` refuses (headers, footers and
#: properties are ordinary parts of a document, shown or removed anyway).
HIDDEN_KINDS = ("tracked_insertion", "tracked_deletion", "comment", "hidden_text", "speaker_notes", "hidden_slide",
                "hidden_sheet", "hidden_rows", "hidden_columns", "embedded_object", "external_link", "hidden_shape",
                "off_slide_shape", "hidden_cells", "dropdown_list", "named_value")
#: Excel shows every cell; a print area only limits printing (which is how
#: LibreOffice makes the PDF): the cells outside it are not hidden, and go
#: into the release with the others.
PRINT_AREA_TREATMENT = "removed before rendering: every cell is rendered"
#: What each policy does with each kind.
TREATMENT = {
    "render": {
        "tracked_insertion": "rendered in place (underlined) and listed on the added pages",
        "tracked_deletion": "rendered in place (struck through) and listed on the added pages",
        "comment": "rendered on the added pages",
        "hidden_text": "made visible in place and listed on the added pages",
        "speaker_notes": "rendered on the added pages",
        "hidden_slide": "made visible in place",
        "hidden_sheet": "made visible in place",
        "hidden_rows": "made visible in place",
        "hidden_columns": "made visible in place",
        # a first-page or even-page header, or the default one beside a first page's, may be used by no page
        "header_footer": "rendered in place where a page uses it, and listed on the added pages",
        "embedded_object": "rendered as its picture only; its own contents are not in the release",
        "external_link": "never fetched (the link is cut before rendering); listed on the added pages",
        "document_property": "rendered on the added pages; removed from the file",
        "print_area": PRINT_AREA_TREATMENT,
        "hidden_shape": "made visible in place and listed on the added pages",
        "off_slide_shape": "listed on the added pages (it lies outside the slide)",
        "hidden_cells": "made visible in place and listed on the added pages",
        "dropdown_list": "listed on the added pages",
        "named_value": "listed on the added pages",
    },
    "drop": {
        "tracked_insertion": "accepted (kept as ordinary text)",
        "tracked_deletion": "dropped (the change was accepted)",
        "comment": "dropped",
        "hidden_text": "dropped (stays hidden, not in the release)",
        "speaker_notes": "dropped",
        "hidden_slide": "dropped",
        "hidden_sheet": "dropped",
        "hidden_rows": "dropped",
        "hidden_columns": "dropped",
        "header_footer": "rendered in place where a page uses it (one no page uses is not in the release)",
        "embedded_object": "rendered as its picture only; its own contents are not in the release",
        "external_link": "never fetched (the link is cut before rendering)",
        "document_property": "dropped (removed from the file)",
        "print_area": PRINT_AREA_TREATMENT,
        "hidden_shape": "dropped (stays hidden, not in the release)",
        "off_slide_shape": "dropped (outside the slide, not in the release)",
        "hidden_cells": "dropped (they stay blank, not in the release)",
        "dropdown_list": "dropped (not in the release)",
        "named_value": "dropped (not in the release)",
    },
}


@dataclass
class HiddenItem:
    kind: str
    where: str  #: "page body", "slide 3", "sheet 'Staff'", "header"...
    text: str = ""  #: the content (for the plan and the internal log only)
    author: str | None = None
    treatment: str = ""

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass
class Inventory:
    family: str  #: "docx", "pptx", "xlsx"
    items: list[HiddenItem] = field(default_factory=list)
    #: the document's own text, paragraph by paragraph, as the file holds it
    #: (before any layout breaks a word): see :func:`source_text`
    text: str = ""

    def add(self, kind: str, where: str, text: str = "", author: str | None = None) -> None:
        self.items.append(HiddenItem(kind, where, " ".join(text.split()), author or None))

    def hidden(self) -> list[HiddenItem]:
        return [i for i in self.items if i.kind in HIDDEN_KINDS]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in self.items:
            out[i.kind] = out.get(i.kind, 0) + 1
        return out


# --- reading -------------------------------------------------------------------------

def _xml(pkg: Package, name: str, display: str) -> ET.Element | None:
    data = pkg.entries.get(name)
    if data is None:
        return None
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise InputError(f"damaged Office file: {name} is not well-formed XML ({e})", display) from None


def _text(el: ET.Element, tags=(f"{W}t", f"{W}delText", f"{A}t", f"{S}t")) -> str:
    parts = []
    for node in el.iter():
        if node.tag in tags and node.text:
            parts.append(node.text)
        elif node.tag in (f"{W}p", f"{A}p") and parts and not parts[-1].endswith(" "):
            parts.append(" ")
    return "".join(parts).strip()


def _rels(pkg: Package, part: str, display: str) -> dict[str, tuple[str, str, str]]:
    """Id -> (type, resolved target, mode) of ``part``'s relationships."""
    folder, base = posixpath.split(part)
    root = _xml(pkg, posixpath.join(folder, "_rels", base + ".rels"), display)
    out = {}
    if root is None:
        return out
    for rel in root.iter(f"{REL}Relationship"):
        target, mode = rel.get("Target", ""), rel.get("TargetMode", "Internal")
        if mode != "External":
            target = posixpath.normpath(posixpath.join(folder, target)) if not target.startswith("/") else target[1:]
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], target, mode)
    return out


def inspect(pkg: Package, family: str, display: str) -> Inventory:
    inv = Inventory(family)
    {"docx": _inspect_docx, "pptx": _inspect_pptx, "xlsx": _inspect_xlsx}[family](pkg, inv, display)
    for name in sorted(pkg.entries):
        if "/embeddings/" in name:
            inv.add("embedded_object", name.rsplit("/", 1)[-1], name)
    for name in sorted(n for n in pkg.entries if n.endswith(".rels")):
        root = _xml(pkg, name, display)
        for rel in root.iter(f"{REL}Relationship") if root is not None else ():
            if rel.get("TargetMode") == "External" and not rel.get("Type", "").endswith("/hyperlink"):
                inv.add("external_link", rel.get("Type", "").rsplit("/", 1)[-1], rel.get("Target", ""))
    _properties(pkg, inv, display)
    inv.text = source_text(pkg)
    return inv


_TEXT_PARTS = re.compile(r"^(word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml|"
                         r"ppt/(slides|notesSlides|comments)/[^/]+\.xml|xl/(sharedStrings|comments\d*)\.xml|"
                         r"xl/worksheets/[^/]+\.xml)$")
_PARAGRAPHS = (f"{W}p", f"{A}p", f"{S}si", f"{S}is", f"{S}comment")


def source_text(pkg: Package) -> str:
    """Every paragraph of the document's own text, one per line. Layout can
    break a long word (an e-mail address in a narrow table cell) where no
    rule would look; this text has it whole (see ``pipeline._find_in_bundle``)."""
    lines = []
    for name in sorted(n for n in pkg.entries if _TEXT_PARTS.match(n)):
        try:
            root = ET.fromstring(pkg.entries[name])
        except ET.ParseError:
            continue
        for el in root.iter():
            if el.tag in _PARAGRAPHS:
                t = "".join(n.text or "" for n in el.iter() if n.tag in (f"{W}t", f"{W}delText", f"{A}t", f"{S}t"))
                if t.strip():
                    lines.append(" ".join(t.split()))
    return "\n".join(lines)


def _properties(pkg: Package, inv: Inventory, display: str) -> None:
    labels = {"creator": "author", "lastModifiedBy": "last modified by", "title": "title", "subject": "subject",
              "keywords": "keywords", "description": "comments", "category": "category",
              "Company": "company", "Manager": "manager"}
    for part in ("docProps/core.xml", "docProps/app.xml"):
        root = _xml(pkg, part, display)
        if root is None:
            continue
        for el in root:
            local = el.tag.rsplit("}", 1)[-1]
            if local in labels and (el.text or "").strip():
                inv.add("document_property", labels[local], el.text)
    root = _xml(pkg, "docProps/custom.xml", display)
    if root is not None:
        for prop in root:
            value = "".join(t for t in prop.itertext()).strip()
            if value:
                inv.add("document_property", f"custom: {prop.get('name', '?')}", value)


def _inspect_docx(pkg: Package, inv: Inventory, display: str) -> None:
    main = "word/document.xml"
    rels = _rels(pkg, main, display)
    parts = [(main, "body")]
    parts += [(t, "header" if typ == "header" else "footer") for typ, t, _ in rels.values() if typ in ("header", "footer")]
    parts += [(n, n.split("/")[-1].split(".")[0]) for n in ("word/footnotes.xml", "word/endnotes.xml") if n in pkg.entries]
    if _xml(pkg, main, display) is None:
        raise InputError("damaged Word document (it has no word/document.xml)", display)
    for name, where in parts:
        root = _xml(pkg, name, display)
        if root is None:
            continue
        if where in ("header", "footer") and _text(root):
            inv.add("header_footer", where, _text(root))
        for el in root.iter(f"{W}ins"):
            if _text(el):
                inv.add("tracked_insertion", where, _text(el), el.get(f"{W}author"))
        for el in root.iter(f"{W}del"):
            if _text(el):
                inv.add("tracked_deletion", where, _text(el), el.get(f"{W}author"))
        for tag, kind in ((f"{W}moveFrom", "tracked_deletion"), (f"{W}moveTo", "tracked_insertion")):
            for el in root.iter(tag):
                if _text(el):
                    inv.add(kind, where + " (moved text)", _text(el), el.get(f"{W}author"))
        for run in root.iter(f"{W}r"):
            rpr = run.find(f"{W}rPr")
            vanish = rpr.find(f"{W}vanish") if rpr is not None else None
            if vanish is not None and vanish.get(f"{W}val", "true") not in ("false", "0", "off") and _text(run):
                inv.add("hidden_text", where, _text(run))
    root = _xml(pkg, "word/comments.xml", display)
    if root is not None:
        for c in root.iter(f"{W}comment"):
            inv.add("comment", "body", _text(c), c.get(f"{W}author"))


def _slides(pkg: Package, display: str) -> list[str]:
    pres = "ppt/presentation.xml"
    root = _xml(pkg, pres, display)
    if root is None:
        raise InputError("damaged PowerPoint file (it has no ppt/presentation.xml)", display)
    rels = _rels(pkg, pres, display)
    out = []
    for sid in root.iter(f"{P}sldId"):
        rel = rels.get(sid.get(f"{R}id", ""))
        if rel and rel[1] in pkg.entries:
            out.append(rel[1])
    return out


def _inspect_pptx(pkg: Package, inv: Inventory, display: str) -> None:
    authors = {}
    root = _xml(pkg, "ppt/commentAuthors.xml", display)
    if root is not None:
        authors = {a.get("id"): a.get("name") for a in root if a.get("id") is not None}
    size = _slide_size(pkg, display)
    for number, slide in enumerate(_slides(pkg, display), start=1):
        root = _xml(pkg, slide, display)
        where = f"slide {number}"
        if root.get("show") in ("0", "false"):
            inv.add("hidden_slide", where, _text(root))
        _inspect_shapes(root, size, where, inv)
        for typ, target, _ in _rels(pkg, slide, display).values():
            if typ == "notesSlide":
                notes = _xml(pkg, target, display)
                text = _notes_text(notes) if notes is not None else ""
                if text:
                    inv.add("speaker_notes", where, text)
            elif typ == "comments":
                for cm in (_xml(pkg, target, display) or []):
                    inv.add("comment", where, _text(cm, tags=(f"{P}text", f"{A}t")) or "".join(cm.itertext()),
                            authors.get(cm.get("authorId")))
    for name in pkg.names("ppt/comments/modernComment"):
        for cm in _xml(pkg, name, display).iter():
            if cm.tag.endswith("}cm"):
                inv.add("comment", "slide", _text(cm))


#: the elements of a slide's shape tree that are shapes, and the one that holds each one's id and name
_SHAPES = {f"{P}sp": f"{P}nvSpPr", f"{P}grpSp": f"{P}nvGrpSpPr", f"{P}pic": f"{P}nvPicPr",
           f"{P}graphicFrame": f"{P}nvGraphicFramePr", f"{P}cxnSp": f"{P}nvCxnSpPr"}


def _slide_size(pkg: Package, display: str) -> tuple[int, int] | None:
    root = _xml(pkg, "ppt/presentation.xml", display)
    size = root.find(f"{P}sldSz") if root is not None else None
    try:
        return (int(size.get("cx")), int(size.get("cy"))) if size is not None else None
    except (TypeError, ValueError):
        return None


def _inspect_shapes(slide: ET.Element, size: tuple[int, int] | None, where: str, inv: Inventory) -> None:
    """Shapes a slide holds that its picture does not show: hidden ones
    (the selection pane's eye), and those placed wholly off the slide (only
    the top level: a group's children are placed in its own space). A shape
    with no text says nothing and is passed over."""
    tree = slide.find(f"{P}cSld/{P}spTree")
    if tree is None:
        return
    def visit(shape: ET.Element, top: bool) -> None:
        nv = shape.find(_SHAPES[shape.tag])
        c = nv.find(f"{P}cNvPr") if nv is not None else None
        text = _text(shape)
        if c is not None and c.get("hidden") in ("1", "true"):
            if text:
                inv.add("hidden_shape", where, text)
            return  # (all it holds is hidden with it)
        if top and size is not None and text and _off_slide(shape, size):
            inv.add("off_slide_shape", where, text)
            return
        if shape.tag == f"{P}grpSp":
            for child in shape:
                if child.tag in _SHAPES:
                    visit(child, False)

    for shape in tree:
        if shape.tag in _SHAPES:
            visit(shape, True)


def _off_slide(shape: ET.Element, size: tuple[int, int]) -> bool:
    xfrm = next((x for x in shape.iter() if x.tag in (f"{A}xfrm", f"{P}xfrm")), None)
    off = xfrm.find(f"{A}off") if xfrm is not None else None
    ext = xfrm.find(f"{A}ext") if xfrm is not None else None
    try:
        x, y = int(off.get("x")), int(off.get("y"))
        w, h = int(ext.get("cx")), int(ext.get("cy"))
    except (AttributeError, TypeError, ValueError):
        return False
    return x >= size[0] or y >= size[1] or x + w <= 0 or y + h <= 0


def _notes_text(notes: ET.Element) -> str:
    """The notes body, without the slide-number and slide-image placeholders."""
    texts = []
    for sp in notes.iter(f"{P}sp"):
        ph = sp.find(f"{P}nvSpPr/{P}nvPr/{P}ph")
        if ph is not None and ph.get("type") in ("sldNum", "sldImg", "hdr", "ftr", "dt"):
            continue
        t = _text(sp)
        if t:
            texts.append(t)
    return " ".join(texts)


def _sheets(pkg: Package, display: str) -> list[tuple[str, str, str]]:
    """(name, state, part) of each sheet, in order."""
    book = "xl/workbook.xml"
    root = _xml(pkg, book, display)
    if root is None:
        raise InputError("damaged Excel file (it has no xl/workbook.xml)", display)
    rels = _rels(pkg, book, display)
    out = []
    for sh in root.iter(f"{S}sheet"):
        rel = rels.get(sh.get(f"{R}id", ""))
        out.append((sh.get("name", "?"), sh.get("state", "visible"), rel[1] if rel else ""))
    return out


ROW_RE = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")


PRINT_AREA = "_xlnm.Print_Area"


def _inspect_xlsx(pkg: Package, inv: Inventory, display: str) -> None:
    sheets = _sheets(pkg, display)
    for defined in _xml(pkg, "xl/workbook.xml", display).iter(f"{S}definedName"):
        if defined.get("name") == PRINT_AREA:
            i = int(defined.get("localSheetId", "-1")) if (defined.get("localSheetId") or "").isdigit() else -1
            where = f"sheet '{sheets[i][0]}'" if 0 <= i < len(sheets) else "workbook"
            inv.add("print_area", where, f"print area {defined.text or ''}")
        elif (defined.text or "").strip().startswith('"'):  # a text kept under a name, on no sheet
            inv.add("named_value", "workbook", f"{defined.get('name')} = {defined.text.strip()}")
    blank = _blank_styles(pkg, display)
    shared = _shared_strings(pkg) if blank else []
    for name, state, part in sheets:
        where = f"sheet '{name}'"
        data = pkg.entries.get(part, b"")
        rows = [int(m) for m in ROW_RE.findall(data)]
        dim = DIMENSION_RE.search(data)
        claimed = max(rows + [int(dim.group(1)) if dim else 0])
        if claimed > MAX_ROWS:
            raise InputError(f"refused: {where} claims {claimed:,} rows (the limit is {MAX_ROWS:,}; LibreOffice "
                             f"would print every one)", display)
        if state in ("hidden", "veryHidden"):
            inv.add("hidden_sheet", where, f"sheet '{name}' ({state})")
        root = _xml(pkg, part, display)
        if root is None:
            continue
        hidden_rows = [r.get("r") for r in root.iter(f"{S}row") if r.get("hidden") in ("1", "true")]
        if hidden_rows:
            inv.add("hidden_rows", where, f"rows {', '.join(hidden_rows[:50])}" + (" ..." if len(hidden_rows) > 50 else ""))
        hidden_cols = [f"{c.get('min')}-{c.get('max')}" for c in root.iter(f"{S}col") if c.get("hidden") in ("1", "true")]
        if hidden_cols:
            inv.add("hidden_columns", where, f"columns {', '.join(hidden_cols)}")
        for dv in root.iter(f"{S}dataValidation"):
            formula = dv.find(f"{S}formula1")
            if dv.get("type") == "list" and formula is not None and (formula.text or "").strip().startswith('"'):
                inv.add("dropdown_list", f"{where}, cells {dv.get('sqref')}", formula.text.strip().strip('"'))
        if blank:
            for c in root.iter(f"{S}c"):
                if c.get("s") in blank:
                    text = _cell_text(c, shared)
                    if text.strip():
                        inv.add("hidden_cells", f"{where}, cell {c.get('r')}", text)
        for typ, target, _ in _rels(pkg, part, display).values():
            if typ == "comments":
                croot = _xml(pkg, target, display)
                if croot is None:
                    continue
                authors = [a.text or "" for a in croot.iter(f"{S}author")]
                for c in croot.iter(f"{S}comment"):
                    i = int(c.get("authorId", "-1"))
                    inv.add("comment", f"{where}, cell {c.get('ref')}", _text(c),
                            authors[i] if 0 <= i < len(authors) else None)


def _blank_styles(pkg: Package, display: str) -> set[str]:
    """The cell styles (their index, as a cell's ``s`` gives it) whose number
    format shows nothing (";;;": Excel's usual way to hide a cell's value)."""
    root = _xml(pkg, "xl/styles.xml", display)
    if root is None:
        return set()
    formats = {f.get("numFmtId") for f in root.iter(f"{S}numFmt") if _shows_nothing(f.get("formatCode") or "")}
    xfs = root.find(f"{S}cellXfs")
    if not formats or xfs is None:
        return set()
    return {str(i) for i, xf in enumerate(xfs.findall(f"{S}xf")) if xf.get("numFmtId") in formats}


def _shows_nothing(code: str) -> bool:
    return bool(code) and set(code) == {";"}


def _cell_text(c: ET.Element, shared: list[str]) -> str:
    value = c.find(f"{S}v")
    if c.get("t") == "s" and value is not None and (value.text or "").strip().isdigit():
        i = int(value.text)
        return shared[i] if i < len(shared) else ""
    if c.get("t") == "inlineStr":
        return _text(c)
    return value.text or "" if value is not None else ""


# --- rewriting -------------------------------------------------------------------------

def _sub(pkg: Package, name: str, pattern: str, repl: str, flags: int = 0) -> None:
    data = pkg.entries.get(name)
    if data is not None:
        pkg.entries[name] = re.sub(pattern.encode(), repl.encode(), data, flags=flags)


def prepare(pkg: Package, inv: Inventory, policy: str, display: str) -> Package:
    """The package LibreOffice will render, for ``policy``; sets each
    item's treatment. Refuses (``refuse``) a document with hidden content."""
    if policy == "refuse":
        found = inv.hidden()
        if found:
            counts: dict[str, int] = {}
            for i in found:
                counts[KINDS[i.kind]] = counts.get(KINDS[i.kind], 0) + 1
            what = ", ".join(f"{n} {k}" for k, n in counts.items())
            raise InputError(f"refused: it holds hidden content ({what}); see --hidden-content", display)
        policy = "render"
    for item in inv.items:
        item.treatment = TREATMENT[policy][item.kind]
    out = Package(dict(pkg.entries))
    parts = [n for n in out.entries if n.endswith(".xml")]
    for name in (n for n in out.entries if n.endswith(".rels")):
        # linked pictures and data would be fetched by LibreOffice (it does, whatever
        # its settings say): point them at nothing. Hyperlinks stay (they are not fetched).
        out.entries[name] = _EXTERNAL_REL.sub(_cut_link, out.entries[name])
    if inv.family == "docx":
        for name in (n for n in parts if n.startswith("word/")):
            # comments go to the added pages (render) or nowhere (drop); their
            # anchors go, which also keeps LibreOffice from building comment windows
            for tag in ("commentRangeStart", "commentRangeEnd", "commentReference"):
                _sub(out, name, rf"<w:{tag}\b[^>]*/>", "")
            if policy == "render":
                _sub(out, name, r"<w:vanish\b[^>]*/>", "")
                _sub(out, name, r"<w:specVanish\b[^>]*/>", "")
            else:
                _accept_changes(out, name)
    elif inv.family == "pptx" and policy == "render":
        for name in (n for n in parts if n.startswith("ppt/slides/slide")):
            _sub(out, name, r"(<p:sld\b[^>]*?)\s+show=\"(?:0|false)\"", r"\1")
            _sub(out, name, r"(<p:cNvPr\b[^>]*?)\s+hidden=\"(?:1|true)\"", r"\1")  # hidden shapes shown
    elif inv.family == "xlsx":
        _wrap_cells(out, keep_hidden=policy != "render")
        _sub(out, "xl/workbook.xml", rf"<((?:\w+:)?)definedName\b[^>]*\bname=\"{re.escape(PRINT_AREA)}\"[^>]*?"
                                      rf"(?:/>|>.*?</\1definedName>)", "", re.S)
        _sub(out, "xl/workbook.xml", r"<((?:\w+:)?)definedNames>\s*</\1definedNames>", "")
        for name in (n for n in parts if n.startswith("xl/worksheets/")):
            # "fit to one page" squeezes a sheet whole onto a page (every cell, now, not the print area):
            # its words would be a fraction of a point high; the sheet prints at its own scale
            _sub(out, name, r"(<(?:\w+:)?pageSetUpPr\b[^>]*?)\s+fitToPage=\"(?:1|true)\"", r"\1")
        if policy == "render":
            # a value formatted to show nothing (";;;") shows as it is
            _sub(out, "xl/styles.xml", r"(<(?:\w+:)?numFmt\b[^>]*?\bformatCode=\");+\"", r"\1General\"")
            _sub(out, "xl/workbook.xml", r"(<(?:\w+:)?sheet\b[^>]*?)\s+state=\"(?:hidden|veryHidden)\"", r"\1")
            for name in (n for n in parts if n.startswith("xl/worksheets/")):
                _sub(out, name, r"(<(?:\w+:)?(?:row|col)\b[^>]*?)\s+hidden=\"(?:1|true)\"", r"\1")
    return out


def _wrap_cells(pkg: Package, keep_hidden: bool) -> None:
    """No cell is cut off: a spreadsheet prints a long cell clipped at the
    next column, and a name or number cut in half is neither readable nor
    found. Every column is made at least as wide as its longest word (and
    as its text, up to a limit), every cell wraps, and every row takes the
    height it needs. ``keep_hidden``: hidden columns stay hidden (drop)."""
    styles = pkg.entries.get("xl/styles.xml")
    wrap_index = None
    if styles is not None:
        block = re.search(rb"<((?:\w+:)?)cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", styles, re.S)
        if block is not None:
            prefix, xfs = block.group(1), block.group(2)
            count = len(re.findall(rb"<(?:\w+:)?xf\b", xfs))
            extra = b'<%sxf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">' \
                    b'<%salignment wrapText="1" vertical="top"/></%sxf>' % (prefix, prefix, prefix)
            fixed = re.sub(rb'(<(?:\w+:)?alignment\b[^>]*?)\s+(?:wrapText|shrinkToFit)="[^"]*"', rb"\1", xfs)
            fixed = re.sub(rb"<((?:\w+:)?)alignment\b", rb'<\1alignment wrapText="1"', fixed)
            head = re.sub(rb'\scount="\d+"', b' count="%d"' % (count + 1), styles[block.start():block.start(2)])
            pkg.entries["xl/styles.xml"] = (styles[:block.start()] + head + fixed + extra
                                            + styles[block.end(2):])
            wrap_index = count
    shared = _shared_strings(pkg)
    for name in [n for n in pkg.entries if n.startswith("xl/worksheets/") and n.endswith(".xml")]:
        data = pkg.entries[name]
        widths = _column_needs(data, shared)
        if wrap_index is not None:  # cells on the default style get the wrapping one
            data = re.sub(rb'(<(?:\w+:)?c\b[^>]*?)\s+s="0"', rb"\1", data)
            data = re.sub(rb"<((?:\w+:)?)c\b(?![^>]*\ss=)", b'<\\1c s="%d"' % wrap_index, data)
        data = re.sub(rb'(<(?:\w+:)?row\b[^>]*?)\s+customHeight="(?:1|true)"', rb"\1", data)
        data = _row_heights(data, shared, widths)
        pkg.entries[name] = _set_columns(data, widths, keep_hidden)


def _shared_strings(pkg: Package) -> list[str]:
    root = pkg.entries.get("xl/sharedStrings.xml")
    if root is None:
        return []
    try:
        return [_text(si) for si in ET.fromstring(root).iter(f"{S}si")]
    except ET.ParseError:
        return []


_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)


def _cells(sheet: bytes, shared: list[str]):
    """(column, 1-based, text) of each cell of a row's or a sheet's XML."""
    for m in _CELL.finditer(sheet):
        attrs, body = m.group(1), m.group(2) or b""
        ref = re.search(rb'\br="([A-Z]+)\d+"', attrs)
        if ref is None:
            continue
        col = 0
        for ch in ref.group(1).decode():
            col = col * 26 + ord(ch) - 64
        value = re.search(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", body, re.S)
        if b't="s"' in attrs and value is not None:
            i = int(value.group(1) or 0) if value.group(1).strip().isdigit() else -1
            text = shared[i] if 0 <= i < len(shared) else ""
        else:
            parts = re.findall(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", body, re.S)
            text = b"".join(parts).decode("utf-8", "replace") if parts else (
                value.group(1).decode("utf-8", "replace") if value else "")
        yield col, text


def _column_needs(sheet: bytes, shared: list[str]) -> dict[int, float]:
    """Column (1-based) -> width in characters its cells need."""
    needs: dict[int, float] = {}
    for col, text in _cells(sheet, shared):
        longest_word = max((len(w) for w in text.split()), default=0)
        needs[col] = max(needs.get(col, 0), min(60.0, max(longest_word + 2.0, min(len(text), 30) + 2.0)))
    return needs


#: points a wrapped line of a cell takes (11 pt text), with room to spare
LINE_PT = 17.0
_ROW = re.compile(rb"<((?:\w+:)?)row\b([^>]*?)(?<!/)>(.*?)</(?:\w+:)?row>", re.S)


def _row_heights(sheet: bytes, shared: list[str], widths: dict[int, float]) -> bytes:
    """Each row that holds wrapped text gets the height its longest cell
    needs at the column widths given: LibreOffice keeps a row's height as
    the file gives it (or for a line or two), and prints a long cell cut off
    at the row's bottom."""
    def fix(m: re.Match) -> bytes:
        lines = 1
        for col, text in _cells(m.group(3), shared):
            per_line = max(4.0, widths.get(col, 8.43) - 2.0)
            lines = max(lines, sum(max(1, math.ceil(len(p) * 1.15 / per_line)) for p in text.split("\n")))
        if lines <= 1:
            return m.group(0)
        attrs = re.sub(rb'\s(?:ht|customHeight)="[^"]*"', b"", m.group(2))
        return b'<%srow%s ht="%.1f" customHeight="1">' % (m.group(1), attrs, lines * LINE_PT) + m.group(0)[m.end(2) - m.start(0) + 1:]
    return _ROW.sub(fix, sheet)


def _set_columns(sheet: bytes, needs: dict[int, float], keep_hidden: bool) -> bytes:
    old = re.search(rb"<((?:\w+:)?)cols\b[^>]*>.*?</(?:\w+:)?cols>", sheet, re.S)
    prefix = old.group(1) if old else b""
    have: dict[int, tuple[float, bool]] = {}
    for m in re.finditer(rb"<(?:\w+:)?col\b([^>]*)/?>", old.group(0) if old else b""):
        a = m.group(1)
        lo, hi = (int(re.search(rb'\b%s="(\d+)"' % k, a).group(1)) for k in (b"min", b"max"))
        width = re.search(rb'\bwidth="([\d.]+)"', a)
        hidden = re.search(rb'\bhidden="(?:1|true)"', a) is not None
        for c in range(lo, min(hi, 16384) + 1) if hi - lo < 1000 else ():
            have[c] = (float(width.group(1)) if width else 8.43, hidden)
    cols = sorted(set(needs) | set(have))
    if not cols:
        return sheet
    items = []
    for c in cols:
        width, hidden = have.get(c, (8.43, False))
        width = max(width, needs.get(c, 0))
        flag = b' hidden="1"' if hidden and keep_hidden else b""
        items.append(b'<%scol min="%d" max="%d" width="%.2f" customWidth="1"%s/>' % (prefix, c, c, width, flag))
    new = b"<%scols>" % prefix + b"".join(items) + b"</%scols>" % prefix
    if old is not None:
        return sheet[:old.start()] + new + sheet[old.end():]
    at = re.search(rb"<(?:\w+:)?sheetData\b", sheet)
    return sheet[:at.start()] + new + sheet[at.start():] if at else sheet


_EXTERNAL_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*\bTargetMode=\"External\"[^>]*>")


def _cut_link(m: re.Match) -> bytes:
    rel = m.group(0)
    if re.search(rb'Type="[^"]*/hyperlink"', rel):
        return rel
    rel = re.sub(rb'\sTargetMode="External"', b"", rel)
    return re.sub(rb'\bTarget="[^"]*"', b'Target="redactor-removed-external-link"', rel)


def _accept_changes(pkg: Package, name: str) -> None:
    """Accept every tracked change: deletions go, insertions stay as text."""
    for tag in ("del", "ins", "moveFrom", "moveTo"):
        _sub(pkg, name, rf"<w:{tag}\b[^>]*/>", "")  # marks on paragraph properties
    for tag in ("del", "moveFrom"):
        _sub(pkg, name, rf"<w:{tag}\b[^>]*>.*?</w:{tag}>", "", re.S)
    for tag in ("ins", "moveTo"):
        _sub(pkg, name, rf"</?w:{tag}\b[^>]*>", "")
    for tag in ("rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange", "tcPrChange",
                "tblGridChange", "numberingChange"):
        _sub(pkg, name, rf"<w:{tag}\b[^>]*>.*?</w:{tag}>", "", re.S)
    for tag in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"):
        _sub(pkg, name, rf"<w:{tag}\b[^>]*/>", "")
