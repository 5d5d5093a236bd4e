"""Keep a tagged PDF's structure tree true to the redacted content.

A screen reader reads a tagged PDF through its structure tree: elements
(paragraphs, spans, figures) whose kids are marked-content sequences
(MCIDs) on a page, and a parent tree that maps each MCID back to its
element. Redaction edits page content, so after it this pass:

1. finds the MCIDs each page (and each form it draws) still holds;
2. gives each spoken redaction label (a top-level ``/Span`` with the
   phrase as ``/ActualText``, drawn by :mod:`redactor.redact.boxes`) and
   each OCR text layer (:mod:`redactor.redact.ocrlayer`) an MCID, each
   annotation or field flattened into the page the MCID its element now
   refers to, and a withheld page's notice its MCID 0;
3. prunes kids whose content is gone, and elements left with nothing; the
   first element of a withheld page becomes the page's notice (a ``/P``);
4. puts each label's ``/Span`` element, with the phrase as its
   ``/ActualText``, inside the element whose text comes just before the box
   on the page (so it is read where the removed text was);
5. rebuilds the parent tree, each page's ``/StructParents`` and the ID tree.

Text removed by redactor's own editor is already spoken in place, inside
its original marked content (see :mod:`redactor.redact.speech`); that needs
no new element. Untagged files are not tagged here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

from redactor.pdf.content import op_name, page_resources, read_page
from redactor.pdf.covers import glyph_box
from redactor.redact import speech

_MAX_DEPTH = 200


@dataclass
class _Page:
    index: int
    obj: pikepdf.Dictionary
    mcids: set[int] = field(default_factory=set)
    #: MCID -> boxes of the glyphs drawn inside it (page space)
    boxes: dict[int, list[tuple]] = field(default_factory=dict)
    labels: list[tuple[int, str, tuple]] = field(default_factory=list)  #: (MCID, phrase, rect)
    #: annotation (objgen) -> MCID of its appearance, baked into the page content
    baked: dict[tuple, int] = field(default_factory=dict)
    notice: int | None = None  #: the withheld notice's MCID


def repair(pdf: pikepdf.Pdf) -> None:
    """Make the structure tree of ``pdf`` (if any) match its content."""
    tree = pdf.Root.get("/StructTreeRoot")
    if not isinstance(tree, Dictionary):
        return
    lengths = _old_lengths(tree.get("/ParentTree"))
    annots = {a.objgen for p in pdf.pages for a in _annots(p.obj)}
    baked = {k: v for k, v in _appearances(tree).items() if v not in annots}
    pages = [_scan_page(pdf, i, p, lengths, baked) for i, p in enumerate(pdf.pages)]
    by_obj = {p.obj.objgen: p for p in pages}
    pruner = _Pruner(pdf, by_obj, annots)
    kids = pruner.kids(tree, None, 0)
    _set_kids(tree, kids)
    top = _top_element(pdf, tree)
    for page in pages:
        if page.notice is not None and page.notice not in pruner.placed_notices:
            _append(pdf, top, _element(pdf, "/P", top, page, page.notice))
        for mcid, said, rect in page.labels:
            _place_label(pdf, top, page, mcid, said, rect)
    _rebuild_parent_tree(pdf, tree, by_obj)
    _rebuild_id_tree(pdf, tree)
    pdf.Root.MarkInfo = Dictionary(Marked=True)


# --- 1, 2: what each page holds -----------------------------------------------------------

def _scan_page(pdf: pikepdf.Pdf, index: int, page: pikepdf.Page, lengths: dict[int, int], baked: dict) -> _Page:
    info = _Page(index, page.obj)
    sp = page.obj.get("/StructParents")
    floor = lengths.get(int(sp), 0) if _is_int(sp) else 0  # MCIDs the old tree knew: never reused
    try:
        ops = list(pikepdf.parse_content_stream(page))
    except Exception:  # noqa: BLE001 - unparseable content holds no MCIDs we can map
        return info
    withheld = "/StructParents" not in page.obj
    stack: list[int | None] = []
    owner: dict[int, int | None] = {}  # op index -> innermost MCID
    label_ops: dict[int, list[int]] = {}
    changed = False
    ops, wrapped = _mark_baked(page, ops, baked, lambda: max(info.mcids | set(label_ops) | set(info.baked.values())
                                                             | {floor - 1}) + 1, info)
    changed = wrapped
    for k, op in enumerate(ops):
        name = op_name(op)
        if name in ("BDC", "BMC"):
            props = op.operands[1] if name == "BDC" and len(op.operands) == 2 else None
            mcid = None
            if isinstance(props, Dictionary):
                if "/MCID" in props:
                    mcid = int(props.MCID)
                elif not stack and op.operands[0] == Name.Span and props.get("/RdxOcr") is not None:
                    del props.RdxOcr  # the OCR text layer over a picture (redactor.redact.ocrlayer)
                    mcid = max(info.mcids | set(label_ops) | set(info.baked.values()) | {floor - 1}) + 1
                    props.MCID = mcid
                    label_ops[mcid] = []
                    info.labels.append((mcid, None, None))
                    changed = True
                elif not stack and op.operands[0] == Name.Span and speech.is_phrase(str(props.get("/ActualText", ""))):
                    mcid = max(info.mcids | set(label_ops) | set(info.baked.values()) | {floor - 1}) + 1
                    props.MCID = mcid
                    label_ops[mcid] = []
                    info.labels.append((mcid, str(props.ActualText), None))
                    changed = True
                if mcid is not None and not stack and withheld and op.operands[0] == Name.P and mcid == 0:
                    info.notice = 0
            if mcid is not None:
                info.mcids.add(mcid)
            stack.append(mcid if mcid is not None else (stack[-1] if stack else None))
        elif name == "EMC" and stack:
            stack.pop()
        else:
            owner[k] = stack[-1] if stack else None
    if changed:
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
    reading = read_page(page)
    for g in reading.glyphs:
        if g.stream == 0 and owner.get(g.op) is not None:
            info.boxes.setdefault(owner[g.op], []).append(glyph_box(g))
    info.labels = [(m, said, _union(info.boxes.get(m, ()))) for m, said, _ in info.labels]
    return info


def _appearances(tree: Dictionary) -> dict[tuple, tuple]:
    """Appearance stream (objgen) -> the annotation (objgen) it draws, for
    every annotation the structure tree refers to."""
    out: dict[tuple, tuple] = {}
    for elem, _ in _walk(tree):
        for kid in _kid_list(elem):
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                annot = kid.get("/Obj")
                ap = annot.get("/AP") if isinstance(annot, Dictionary) else None
                normal = ap.get("/N") if isinstance(ap, Dictionary) else None
                streams = [normal] if isinstance(normal, pikepdf.Stream) else (
                    list(normal.values()) if isinstance(normal, Dictionary) else [])
                for st in streams:
                    if isinstance(st, pikepdf.Stream):
                        out[st.objgen] = annot.objgen
    return out


def _mark_baked(page: pikepdf.Page, ops: list, baked: dict, next_mcid, info: _Page) -> tuple[list, bool]:
    """Wrap each top-level ``Do`` that draws a tagged annotation's baked
    appearance (redactor flattens annotations and fields into the page) in a
    marked-content sequence of its own, so its element can refer to it."""
    if not baked:
        return ops, False
    xobjects = page_resources(page).get("/XObject")
    if not isinstance(xobjects, Dictionary):
        return ops, False
    out, depth, changed = [], 0, False
    for op in ops:
        name = op_name(op)
        if name in ("BDC", "BMC"):
            depth += 1
        elif name == "EMC":
            depth = max(0, depth - 1)
        elif name == "Do" and depth == 0 and op.operands:
            xobj = xobjects.get(op.operands[0])
            annot = baked.get(xobj.objgen) if isinstance(xobj, pikepdf.Stream) else None
            if annot is not None and annot not in info.baked:
                mcid = next_mcid()
                info.baked[annot] = mcid
                info.mcids.add(mcid)
                out += [pikepdf.ContentStreamInstruction([Name.Span, Dictionary(MCID=mcid)], pikepdf.Operator("BDC")),
                        op, pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC"))]
                changed = True
                continue
        out.append(op)
    return out, changed


def _old_lengths(node, depth: int = 0) -> dict[int, int]:
    """StructParents key -> length of its MCID array, from a number tree."""
    out: dict[int, int] = {}
    if not isinstance(node, Dictionary) or depth > 32:
        return out
    nums = node.get("/Nums")
    if isinstance(nums, Array):
        for k in range(0, len(nums) - 1, 2):
            if _is_int(nums[k]) and isinstance(nums[k + 1], Array):
                out[int(nums[k])] = len(nums[k + 1])
    kids = node.get("/Kids")
    if isinstance(kids, Array):
        for kid in kids:
            out.update(_old_lengths(kid, depth + 1))
    return out


def _union(boxes) -> tuple | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _annots(page: pikepdf.Dictionary) -> list:
    annots = page.get("/Annots")
    return [a for a in annots if isinstance(a, Dictionary)] if isinstance(annots, Array) else []


# --- 3: prune -----------------------------------------------------------------------------

class _Pruner:
    def __init__(self, pdf: pikepdf.Pdf, pages: dict, annots: set):
        self.pdf = pdf
        self.pages = pages
        self.annots = annots
        self.seen: set = set()
        self.forms: dict = {}
        self.placed_notices: set[int] = set()
        self.where: dict[tuple[int, int], tuple[Dictionary, int]] = {}  # (page, MCID) -> (element, kid index)

    def kids(self, elem: Dictionary, page: _Page | None, depth: int) -> list:
        if depth > _MAX_DEPTH:
            return []
        raw = elem.get("/K")
        items = list(raw) if isinstance(raw, Array) else ([] if raw is None else [raw])
        own = self.pages.get(elem.Pg.objgen) if isinstance(elem.get("/Pg"), Dictionary) else None
        page = own or page
        out = []
        for kid in items:
            kept = self._kid(elem, kid, page, depth)
            if kept is not None:
                out.append(kept)
        return out

    def _kid(self, elem, kid, page: _Page | None, depth: int):
        if _is_int(kid):
            return self._mcid(elem, int(kid), page)
        if not isinstance(kid, Dictionary):
            return None
        kind = kid.get("/Type")
        if kind == Name.MCR:
            pg = self.pages.get(kid.Pg.objgen) if isinstance(kid.get("/Pg"), Dictionary) else page
            if isinstance(kid.get("/Stm"), pikepdf.Stream):
                return kid if int(kid.get("/MCID", -1)) in self._form_mcids(kid.Stm) else None
            return kid if self._mcid(elem, int(kid.get("/MCID", -1)), pg) is not None else None
        if kind == Name.OBJR:
            obj = kid.get("/Obj")
            if not isinstance(obj, Dictionary):
                return None
            if obj.get("/Type") == Name.Annot or "/Rect" in obj:
                if obj.objgen in self.annots:
                    return kid
                for pg in self.pages.values():  # flattened into the page: its appearance's marked content
                    if obj.objgen in pg.baked:
                        return Dictionary(Type=Name.MCR, Pg=pg.obj, MCID=pg.baked[obj.objgen])
                return None
            return kid
        if not kid.is_indirect:  # a structure element must be indirect (the parent tree points at it)
            return None
        if kid.objgen in self.seen:
            return None
        self.seen.add(kid.objgen)
        kid.P = elem
        kept = self.kids(kid, page, depth + 1)
        if not kept:
            return None
        _set_kids(kid, kept)
        return kid

    def _mcid(self, elem, mcid: int, page: _Page | None):
        if page is None:
            return None
        if mcid in page.mcids and not (page.notice is not None and mcid == page.notice):
            return mcid
        if page.notice is not None and page.notice not in self.placed_notices:
            self.placed_notices.add(page.notice)
            # the withheld page's first element becomes its notice, a paragraph
            return _element(self.pdf, "/P", elem, page, page.notice)
        return None

    def _form_mcids(self, stm: pikepdf.Stream) -> set[int]:
        if stm.objgen not in self.forms:
            found = set()
            try:
                for op in pikepdf.parse_content_stream(stm):
                    if op_name(op) == "BDC" and len(op.operands) == 2 and isinstance(op.operands[1], Dictionary) \
                            and "/MCID" in op.operands[1]:
                        found.add(int(op.operands[1].MCID))
            except Exception:  # noqa: BLE001 - unparseable: nothing kept from it
                pass
            self.forms[stm.objgen] = found
        return self.forms[stm.objgen]


# --- 4: labels ----------------------------------------------------------------------------

def _place_label(pdf, top, page: _Page, mcid: int, said: str | None, rect) -> None:
    """Put the label's element right after the kid holding the text before it."""
    before = _before(page, rect)
    found = _find_kid(top, page, before) if before is not None else None
    if found is None:
        first = min((m for m in page.mcids if m not in {lab[0] for lab in page.labels}), default=None)
        found = _find_kid(top, page, first) if first is not None else None
        if found is None:
            _append(pdf, top, _element(pdf, "/Span", top, page, mcid, said))
            return
        parent, index = found
    else:
        parent, index = found
        index += 1
    kids = _kid_list(parent)
    kids.insert(index, _element(pdf, "/Span", parent, page, mcid, said))
    _set_kids(parent, kids)


def _before(page: _Page, rect) -> int | None:
    """The MCID whose text comes last before ``rect`` in reading order: the
    nearest to its left on the same line, else the nearest line above."""
    if rect is None:
        return None
    labels = {lab[0] for lab in page.labels}
    cx = (rect[0] + rect[2]) / 2
    best, best_key = None, None
    for m, boxes in page.boxes.items():
        if m in labels:
            continue
        for b in boxes:
            same_line = b[1] < rect[3] and b[3] > rect[1] and min(b[3], rect[3]) - max(b[1], rect[1]) > 0.5 * (b[3] - b[1])
            if same_line and b[2] <= cx + 1e-6:
                key = (1, b[2], 0)
            elif (b[1] + b[3]) / 2 < rect[1]:
                key = (0, (b[1] + b[3]) / 2, b[2])
            else:
                continue
            if best_key is None or key > best_key:
                best, best_key = m, key
    return best


def _find_kid(elem, page: _Page, mcid: int, depth: int = 0, pg=None):
    """(element, index) of the kid that refers to ``mcid`` on ``page``."""
    if depth > _MAX_DEPTH:
        return None
    own = elem.get("/Pg")
    pg = own.objgen if isinstance(own, Dictionary) else pg
    for k, kid in enumerate(_kid_list(elem)):
        if _is_int(kid):
            if pg == page.obj.objgen and int(kid) == mcid:
                return elem, k
        elif isinstance(kid, Dictionary):
            if kid.get("/Type") == Name.MCR:
                kpg = kid.Pg.objgen if isinstance(kid.get("/Pg"), Dictionary) else pg
                if kpg == page.obj.objgen and "/Stm" not in kid and int(kid.get("/MCID", -1)) == mcid:
                    return elem, k
            elif kid.get("/Type") != Name.OBJR:
                found = _find_kid(kid, page, mcid, depth + 1, pg)
                if found is not None:
                    return found
    return None


# --- the tree's bookkeeping ---------------------------------------------------------------

def _element(pdf, role: str, parent, page: _Page, mcid: int, said: str | None = None) -> Dictionary:
    elem = Dictionary(Type=Name.StructElem, S=Name(role), P=parent, Pg=page.obj, K=mcid)
    if said:
        elem.ActualText = pikepdf.String(said)
    return pdf.make_indirect(elem)


def _top_element(pdf: pikepdf.Pdf, tree: Dictionary):
    """Where elements with no better place go: the tree's single top
    element (usually /Document), else the tree root itself."""
    kids = _kid_list(tree)
    if len(kids) == 1 and isinstance(kids[0], Dictionary) and kids[0].get("/Type") != Name.MCR:
        return kids[0]
    if not kids:
        doc = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree, K=Array()))
        _set_kids(tree, [doc])
        return doc
    return tree


def _append(pdf, parent, elem) -> None:
    elem.P = parent
    kids = _kid_list(parent)
    kids.append(elem)
    _set_kids(parent, kids)


def _kid_list(elem) -> list:
    raw = elem.get("/K")
    return list(raw) if isinstance(raw, Array) else ([] if raw is None else [raw])


def _set_kids(elem, kids: list) -> None:
    elem.K = Array(kids)


def _walk(tree: Dictionary):
    """(element, its page or None) for the tree root and every structure
    element below it, each once (a damaged tree may share or loop)."""
    seen: set = set()
    stack = [(tree, None, 0)]
    while stack:
        elem, pg, depth = stack.pop()
        own = elem.get("/Pg")
        pg = own if isinstance(own, Dictionary) else pg
        yield elem, pg
        if depth >= _MAX_DEPTH:
            continue
        below = [k for k in _kid_list(elem) if isinstance(k, Dictionary) and k.get("/Type") not in (Name.MCR, Name.OBJR)
                 and k.objgen not in seen]
        seen.update(k.objgen for k in below)
        stack.extend((k, pg, depth + 1) for k in reversed(below))


def _is_int(obj) -> bool:
    return isinstance(obj, int) or (isinstance(obj, pikepdf.Object) and obj._type_code == pikepdf.ObjectType.integer)


# --- 5: the parent tree -------------------------------------------------------------------

def _rebuild_parent_tree(pdf: pikepdf.Pdf, tree: Dictionary, pages: dict) -> None:
    per_page: dict[tuple, dict[int, Dictionary]] = {}
    per_form: dict[tuple, tuple[pikepdf.Stream, dict[int, Dictionary]]] = {}
    objects: list[tuple[Dictionary, Dictionary]] = []
    for elem, pg in _walk(tree):
        for kid in _kid_list(elem):
            if _is_int(kid) and pg is not None and elem is not tree:
                per_page.setdefault(pg.objgen, {})[int(kid)] = elem
            elif isinstance(kid, Dictionary):
                kind = kid.get("/Type")
                if kind == Name.MCR:
                    if isinstance(kid.get("/Stm"), pikepdf.Stream):
                        per_form.setdefault(kid.Stm.objgen, (kid.Stm, {}))[1][int(kid.get("/MCID", -1))] = elem
                    else:
                        kpg = kid.Pg if isinstance(kid.get("/Pg"), Dictionary) else pg
                        if kpg is not None:
                            per_page.setdefault(kpg.objgen, {})[int(kid.get("/MCID", -1))] = elem
                elif kind == Name.OBJR and isinstance(kid.get("/Obj"), Dictionary):
                    objects.append((kid.Obj, elem))
    nums: list = []
    key = 0
    for page in pdf.pages:
        found = per_page.get(page.obj.objgen)
        if not found:
            if "/StructParents" in page.obj:
                del page.obj.StructParents
            continue
        page.obj.StructParents = key
        nums.extend([key, Array([found.get(m, None) for m in range(max(found) + 1)])])
        key += 1
    for stm, found in per_form.values():
        stm.StructParents = key
        nums.extend([key, Array([found.get(m, None) for m in range(max(found) + 1)])])
        key += 1
    for obj, elem in objects:
        obj.StructParent = key
        nums.extend([key, elem])
        key += 1
    tree.ParentTree = pdf.make_indirect(Dictionary(Nums=Array(nums)))
    tree.ParentTreeNextKey = key


def _rebuild_id_tree(pdf: pikepdf.Pdf, tree: Dictionary) -> None:
    if "/IDTree" not in tree:
        return
    ids = {bytes(e.ID): e for e, _ in _walk(tree) if e is not tree and isinstance(e.get("/ID"), pikepdf.String)}
    names = Array()
    for k in sorted(ids):
        names.append(pikepdf.String(k))
        names.append(ids[k])
    tree.IDTree = pdf.make_indirect(Dictionary(Names=names))
