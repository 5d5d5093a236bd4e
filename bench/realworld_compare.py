"""Nothing lost: compare a redacted PDF with its input outside the boxes.

The boxes come from the audit log of the run (records of type "redaction":
``page`` 1-based, ``rects`` in PyMuPDF page space, i.e. unrotated), plus
where each redacted text lay in the input when it reaches beyond its drawn
box (the glyph-width defence draws fixed-width boxes: see
:func:`removed_text_areas`). A page
withheld in full (rule "plan.manual.page") is not compared. For every other
page of the input:

1. words: each word not under a box must be in the output with the same
   text at the same place (within ``TOL``). A word on a box's text line to
   the right of the box, found on the same line with a different x, is
   "shifted", not lost; a word whose characters are all still there but
   split or joined differently is "resegmented", not lost.
2. vector paths: each drawing not under a box must have a match (same type
   f/s/fs, same colours and opacities, rect within ``TOL``), one to one. A
   path whose rect is still there with another type or colour is "changed".
   A path under a box that reaches outside it must leave something outside
   the box (clipped, not deleted): else it counts as "touching removed".
3. images: each placement not under a box must be in the output with the
   same digest and bbox, and the output image must still decode. An image
   under a box that reaches outside it must still be there (changed under
   the box only) and decode: else "touching removed".
4. pixels: pages rendered at 72 dpi in grey, annotations off; pixels that
   differ by more than ``PIXEL_THRESHOLD`` outside the boxes grown by
   ``MASK_GROW`` count ("rows" = that count / page width in pixels). Also
   given with the boxes' text lines to their right masked (shifted words).
5. page count, annotation and form-field counts.

"Under a box" is :func:`under`: the overlap exceeds ``TOL`` in both
directions (or half the item's own extent when it is thinner than 2 ``TOL``;
a zero-width line counts when it lies within the box). A word the box only
grazes by a point or less must therefore be kept.

    python bench/realworld_compare.py IN OUT LOG   # JSON on stdout
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realworld_geometry import (TOL, Rect, _close, _closest, _fmt, _Grid, _overlap, _r, boxes_by_page,  # noqa: E402,F401
                                read_log, under, under_any)
from realworld_pixels import DPI, MASK_GROW, PIXEL_THRESHOLD, _grey, _mask, diff_inside, pixel_diff  # noqa: E402,F401

EXAMPLES = 12  #: lost items kept per kind and page, for the diagnosis


# -- 1. words ----------------------------------------------------------------

def _right_of_box_on_line(w: Rect, boxes: list[Rect], tol: float = TOL) -> bool:
    """The word sits to the right of a box, on the box's text line."""
    for b in boxes:
        if b[2] <= w[0] + tol and _overlap(w[1], w[3], b[1], b[3]) > min(w[3] - w[1], b[3] - b[1]) / 2:
            return True
    return False


def compare_words(page_in: pymupdf.Page, page_out: pymupdf.Page, boxes: list[Rect], tol: float = TOL,
                  annots: list[Rect] = ()) -> dict:
    words_in = page_in.get_text("words")
    words_out = page_out.get_text("words")
    by_text = defaultdict(list)
    for i, w in enumerate(words_out):
        by_text[w[4]].append(i)
    used: set[int] = set()
    checked, lost, shifted, unmatched = 0, [], [], []
    for w in words_in:
        r = _r(w[:4])
        if under_any(r, boxes, tol):
            continue
        checked += 1
        hit = _closest(r, (i for i in by_text.get(w[4], ()) if i not in used), lambda i: _r(words_out[i][:4]), tol)
        if hit is not None:
            used.add(hit)
        else:
            unmatched.append((r, w[4]))
    if unmatched:
        chars_in, chars_out = _char_boxes(page_in), _by_char(_char_boxes(page_out))
        for r, text in unmatched:
            if _right_of_box_on_line(r, boxes, tol):
                same_line = [i for i in by_text.get(text, ()) if i not in used
                             and abs(words_out[i][1] - r[1]) <= tol and abs(words_out[i][3] - r[3]) <= tol]
                if same_line:
                    i = min(same_line, key=lambda i: abs(words_out[i][0] - r[0]))
                    used.add(i)
                    shifted.append({"text": text, "rect": _fmt(r), "dx": round(words_out[i][0] - r[0], 1)})
                    continue
            if _chars_kept(chars_in, chars_out, r, tol):
                continue  # resegmented: the same characters in the same places
            lost.append({"text": text, "rect": _fmt(r), **_in_annot(r, annots)})
    return {"checked": checked, "lost": len(lost), "shifted": len(shifted), "lost_in_annots": _n_annot(lost),
            "lost_examples": lost[:EXAMPLES], "shifted_examples": shifted[:EXAMPLES]}


def _by_char(chars: list[tuple[Rect, str]]) -> dict[str, list[tuple[float, float]]]:
    out = defaultdict(list)
    for (x0, y0, x1, y1), c in chars:
        out[c].append(((x0 + x1) / 2, (y0 + y1) / 2))
    return out


def _centre_in(b: Rect, r: Rect, tol: float) -> bool:
    return r[0] - tol <= (b[0] + b[2]) / 2 <= r[2] + tol and r[1] - tol <= (b[1] + b[3]) / 2 <= r[3] + tol


def _has_char(out: dict, b: Rect, c: str, tol: float) -> bool:
    x, y = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return any(abs(x - u) <= tol and abs(y - v) <= tol for u, v in out.get(c, ()))


def _chars_kept(chars_in, chars_out: dict, r: Rect, tol: float) -> bool:
    """Every character of the word in ``r`` is in the output, in its place
    (the word was only split or joined differently)."""
    mine = [(b, c) for b, c in chars_in if not c.isspace() and _centre_in(b, r, tol)]
    return bool(mine) and all(_has_char(chars_out, b, c, tol) for b, c in mine)


def grazed_words_lost(page_in: pymupdf.Page, page_out: pymupdf.Page, boxes: list[Rect], tol: float = TOL,
                      annots: list[Rect] = ()) -> list[dict]:
    """Words partly under a box that lost characters lying outside every box:
    collateral of boxes wider or taller than what they cover, or of removal
    by word or line rather than by glyph."""
    partly = [(_r(w[:4]), w[4]) for w in page_in.get_text("words") if under_any(_r(w[:4]), boxes, tol)]
    if not partly:
        return []
    chars_in, out = _char_boxes(page_in), _by_char(_char_boxes(page_out))
    gone = []
    for r, text in partly:
        mine = [(b, c) for b, c in chars_in if not c.isspace() and _centre_in(b, r, tol)]
        outside = [(b, c) for b, c in mine if not under_any(b, boxes, tol)]
        missing = [c for b, c in outside if not _has_char(out, b, c, tol)
                   and not (_right_of_box_on_line(b, boxes, tol) and _on_its_line(out, b, c, tol))]
        if missing:
            gone.append({"text": text, "rect": _fmt(r), "chars_outside": len(outside), "missing": "".join(missing)[:80],
                         **_in_annot(r, annots)})
    return gone


def _on_its_line(out: dict, b: Rect, c: str, tol: float) -> bool:
    """The character is still on its line, elsewhere along it (moved with the
    text after a fixed-width box)."""
    y = (b[1] + b[3]) / 2
    return any(abs(y - v) <= tol for _, v in out.get(c, ()))


def _char_boxes(page: pymupdf.Page) -> list[tuple[Rect, str]]:
    out = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                out.extend((_r(ch["bbox"]), ch["c"]) for ch in span["chars"])
    return out


# -- 2. vector paths ---------------------------------------------------------

def _colour(c) -> tuple | None:
    return None if c is None else tuple(round(float(v), 3) for v in c)


def _path_key(d: dict) -> tuple:
    return (d.get("type"), _colour(d.get("fill")), _colour(d.get("color")),
            _opacity(d.get("fill_opacity")), _opacity(d.get("stroke_opacity")))


def _opacity(v) -> float:
    return 1.0 if v is None else round(float(v), 2)


def compare_paths(page_in: pymupdf.Page, page_out: pymupdf.Page, boxes: list[Rect], tol: float = TOL,
                  annots: list[Rect] = ()) -> dict:
    din, dout = page_in.get_drawings(), page_out.get_drawings()
    outside = [d for d in din if not under_any(_r(d["rect"]), boxes, tol)]
    grid = _Grid(dout, lambda d: _r(d["rect"]))
    keys_out = [_path_key(d) for d in dout]
    used: set[int] = set()
    rest = outside
    for t in (0.01, tol):  # pass 1: same type, colours and place (exact first, then nearest within tol)
        left = []
        for d in rest:
            r, k = _r(d["rect"]), _path_key(d)
            hit = _closest(r, (i for i in grid.near(r) if i not in used and keys_out[i] == k),
                           lambda i: _r(dout[i]["rect"]), t)
            if hit is None:
                left.append(d)
            else:
                used.add(hit)
        rest = left
    lost, changed = [], []
    for d in rest:  # pass 2: the same place with another type or colour
        r = _r(d["rect"])
        hit = _closest(r, (i for i in grid.near(r) if i not in used), lambda i: _r(dout[i]["rect"]), tol)
        what = {"type": d.get("type"), "rect": _fmt(r), "fill": _colour(d.get("fill")), "stroke": _colour(d.get("color")),
                **_in_annot(r, annots)}
        if hit is None:
            lost.append(what)
        else:
            used.add(hit)
            o = dout[hit]
            changed.append({**what, "now": {"type": o.get("type"), "fill": _colour(o.get("fill")),
                                            "stroke": _colour(o.get("color"))}})
    removed = _touching_removed(din, dout, boxes, tol, annots)
    return {"total": len(din), "checked": len(outside), "lost": len(lost), "changed": len(changed),
            "lost_in_annots": _n_annot(lost), "changed_in_annots": _n_annot(changed),
            "touching_removed": len(removed), "touching_removed_in_annots": _n_annot(removed),
            "lost_examples": lost[:EXAMPLES], "changed_examples": changed[:EXAMPLES],
            "touching_removed_examples": removed[:EXAMPLES]}


def _inside_boxes(r: Rect, boxes: list[Rect], tol: float) -> bool:
    return any(r[0] >= b[0] - tol and r[1] >= b[1] - tol and r[2] <= b[2] + tol and r[3] <= b[3] + tol for b in boxes)


def _within(inner: Rect, outer: Rect, tol: float) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol and inner[2] <= outer[2] + tol
            and inner[3] <= outer[3] + tol)


def _touching_removed(din: list, dout: list, boxes: list[Rect], tol: float, annots: list[Rect]) -> list[dict]:
    """Paths under a box that also reach outside it, of which nothing is
    left: no output path of the same type and colours inside their rect and
    outside the boxes. Removing a whole path because its bounding box
    touches a box is collateral damage; clipping it is not."""
    by_key = defaultdict(list)
    for d in dout:
        r = _r(d["rect"])
        if not _inside_boxes(r, boxes, tol):
            by_key[_path_key(d)].append(r)
    gone = []
    for d in din:
        r = _r(d["rect"])
        if not under_any(r, boxes, tol) or _inside_boxes(r, boxes, tol):
            continue
        if not any(_within(o, r, tol) for o in by_key.get(_path_key(d), ())):
            gone.append({"type": d.get("type"), "rect": _fmt(r), "fill": _colour(d.get("fill")),
                         "stroke": _colour(d.get("color")), **_in_annot(r, annots)})
    return gone


# -- 3. images ---------------------------------------------------------------

def _decodes(doc: pymupdf.Document, xref: int, cache: dict) -> bool:
    if xref <= 0:
        return True  # inline image: its digest was computed, so it decoded
    if xref not in cache:
        try:
            pix = pymupdf.Pixmap(doc, xref)
            cache[xref] = pix.width > 0 and pix.height > 0
        except Exception:
            cache[xref] = False
    return cache[xref]


def compare_images(page_in: pymupdf.Page, page_out: pymupdf.Page, boxes: list[Rect], tol: float = TOL,
                   cache_in: dict | None = None, cache_out: dict | None = None, annots: list[Rect] = ()) -> dict:
    cache_in = {} if cache_in is None else cache_in
    cache_out = {} if cache_out is None else cache_out
    info_in = page_in.get_image_info(hashes=True, xrefs=True)
    info_out = page_out.get_image_info(hashes=True, xrefs=True)
    used: set[int] = set()
    checked, lost = 0, []
    for im in info_in:
        r = _r(im["bbox"])
        if under_any(r, boxes, tol) or not _decodes(page_in.parent, im.get("xref", 0), cache_in):
            continue
        checked += 1
        hit = next((i for i, o in enumerate(info_out) if i not in used and o.get("digest") == im.get("digest")
                    and _close(r, _r(o["bbox"]), tol)), None)
        if hit is None:
            moved = any(o.get("digest") == im.get("digest") for o in info_out)
            lost.append({"rect": _fmt(r), "xref": im.get("xref"), "why": "moved" if moved else "gone or re-encoded",
                         **_in_annot(r, annots)})
            continue
        used.add(hit)
        if not _decodes(page_out.parent, info_out[hit].get("xref", 0), cache_out):
            lost.append({"rect": _fmt(r), "xref": im.get("xref"), "why": "no longer decodes"})
    undecodable = sum(1 for o in info_out if not _decodes(page_out.parent, o.get("xref", 0), cache_out))
    removed = []  # placements under a box that reach outside it, with nothing left of them
    for im in info_in:
        r = _r(im["bbox"])
        if not under_any(r, boxes, tol) or _inside_boxes(r, boxes, tol):
            continue
        if not any(_within(_r(o["bbox"]), r, tol) and _decodes(page_out.parent, o.get("xref", 0), cache_out)
                   for o in info_out):
            removed.append({"rect": _fmt(r), "xref": im.get("xref"), **_in_annot(r, annots)})
    return {"total": len(info_in), "checked": checked, "lost": len(lost), "undecodable_out": undecodable,
            "lost_in_annots": _n_annot(lost), "touching_removed": len(removed),
            "touching_removed_in_annots": _n_annot(removed), "touching_removed_examples": removed[:EXAMPLES],
            "lost_examples": lost[:EXAMPLES]}


# -- 5. the whole file -------------------------------------------------------

def removed_text_areas(page_in: pymupdf.Page, entries: list[dict]) -> list[Rect]:
    """Where the redacted texts of ``entries`` (one page's) lay in the input.

    With the glyph-width defence the log's rects are the boxes as drawn (a
    fixed width, from the text's left edge): the text removed may reach
    beyond them, and a second box on a line starts where the first one's
    shift put it. The log's ``found.rects`` (the text as found, before
    layout) are those areas; for a log without them, each occurrence of
    the text that starts at a drawn box's left edge, on its line."""
    areas: list[Rect] = []
    for e in entries:
        text, drawn = (e.get("text") or "").strip(), [tuple(float(v) for v in r) for r in e.get("rects") or []]
        if not text or not drawn or e.get("drawn", "box") != "box":
            continue
        found = (e.get("found") or {}).get("rects") if isinstance(e.get("found"), dict) else None
        if found:  # the log says where the text was found, before the boxes were laid out
            areas += [tuple(float(v) for v in r) for r in found]
            continue
        try:
            hits = page_in.search_for(text)
        except Exception:
            continue
        for h in hits:
            r = _r(h)
            if any(abs(r[0] - d[0]) <= 2 * TOL and _overlap(r[1], r[3], d[1], d[3]) > min(r[3] - r[1], d[3] - d[1]) / 2
                   for d in drawn):
                areas.append(r)
    return areas


def compare_pages(page_in: pymupdf.Page, page_out: pymupdf.Page, boxes: list[Rect], caches=None,
                  flattened: bool = False, unseen: list[Rect] = ()) -> dict:
    """All the checks for one page; a check that raises is reported, not fatal.

    ``flattened``: the output holds what annotations and form fields showed
    as page content, so the page-content pixels are compared with the
    input's annotations and fields rendered. ``unseen``: areas of text
    removed as hidden under someone else's box, no box of ours drawn: they
    excuse lost words and paths, but not pixels (if that text could be
    seen, removing it shows)."""
    caches = caches or ({}, {})
    rec: dict = {"boxes": len(boxes)}
    annots = _annot_rects(page_in)
    steps = {"words": lambda: compare_words(page_in, page_out, boxes, annots=annots),
             "grazed": lambda: grazed_words_lost(page_in, page_out, boxes, annots=annots),
             "paths": lambda: compare_paths(page_in, page_out, boxes, annots=annots),
             "images": lambda: compare_images(page_in, page_out, boxes, cache_in=caches[0], cache_out=caches[1],
                                              annots=annots),
             "pixels": lambda: pixel_diff(page_in, page_out, [b for b in boxes if b not in unseen], annots=flattened)}
    if unseen:
        steps["hidden_removed_visible"] = lambda: diff_inside(page_in, page_out, list(unseen), annots=flattened)
    if annots:  # what a reader sees, annotations and form fields included
        steps["pixels_shown"] = lambda: pixel_diff(page_in, page_out, boxes, annots=True)
    for name, step in steps.items():
        try:
            rec[name] = step()
        except Exception as e:  # a page MuPDF cannot read: say so
            rec.setdefault("errors", []).append(f"{name}: {type(e).__name__}: {e}"[:200])
    rec["annots"] = [_count(page_in.annots), _count(page_out.annots)]
    rec["widgets"] = [_count(page_in.widgets), _count(page_out.widgets)]
    return rec


def _annot_rects(page: pymupdf.Page) -> list[Rect]:
    """Rects of the page's annotations and form fields: get_text and
    get_drawings include what they show."""
    try:
        return [_r(a.rect) for a in page.annots()] + [_r(w.rect) for w in page.widgets()]
    except Exception:
        return []


def _in_annot(r: Rect, annots: list[Rect]) -> dict:
    return {"in_annot": True} if any(under(r, a, 0) for a in annots) else {}


def _n_annot(items: list[dict]) -> int:
    return sum(1 for it in items if it.get("in_annot"))


def _n_annot_not(items: list[dict]) -> int:
    return sum(1 for it in items if not it.get("in_annot"))


def _count(fn) -> int:
    try:
        return sum(1 for _ in fn())
    except Exception:
        return -1


def compare_files(input_pdf: str | Path, output_pdf: str | Path, log_path: str | Path,
                  areas_log: str | Path | None = None) -> dict:
    """Compare every page; totals plus the pages where anything differs.

    ``areas_log``: the log of a run of the same input with ``--keep-layout``
    (boxes as wide as the text they hide): its rects for the same findings
    (by id) are where the text was removed from, and are added to the boxes."""
    pymupdf.TOOLS.mupdf_display_errors(False)
    header, entries = read_log(log_path)
    if areas_log and Path(areas_log).is_file():
        _, wide = read_log(areas_log)
        wide_by_id = {e.get("id"): e for e in wide if e.get("id")}
        entries = [dict(e, rects=(e.get("rects") or []) + [r for r in (wide_by_id.get(e.get("id"), {}).get("rects") or [])
                                                              if wide_by_id[e["id"]].get("page") == e.get("page")])
                   for e in entries]
    boxes, withheld = boxes_by_page(entries)
    doc_in, doc_out = pymupdf.open(input_pdf), pymupdf.open(output_pdf)
    flattened = bool(header.get("flattened"))
    by_page = defaultdict(list)
    for e in entries:
        by_page[int(e["page"]) - 1].append(e)
    rec = {"pages_in": doc_in.page_count, "pages_out": doc_out.page_count,
           "page_count_kept": doc_in.page_count == doc_out.page_count, "withheld": sorted(p + 1 for p in withheld)}
    totals = defaultdict(int)
    pages, caches = [], ({}, {})
    for n in range(min(doc_in.page_count, doc_out.page_count)):
        if n in withheld:
            continue
        areas = removed_text_areas(doc_in[n], by_page.get(n, []))
        page_boxes = boxes.get(n, []) + [a for a in areas if a not in boxes.get(n, [])]
        unseen = [tuple(float(v) for v in r) for e in by_page.get(n, []) if e.get("drawn") == "nothing"
                  for r in e.get("rects") or []]
        p = compare_pages(doc_in[n], doc_out[n], page_boxes, caches, flattened=flattened, unseen=unseen)
        if len(page_boxes) > len(boxes.get(n, [])):
            p["text_areas_added"] = len(page_boxes) - len(boxes.get(n, []))
        _add(totals, p)
        if _interesting(p):
            pages.append({"page": n + 1, **p})
    rec["totals"] = dict(totals)
    rec["pages"] = pages
    return rec


def _add(t: dict, p: dict) -> None:
    w, pa, im, px = p.get("words", {}), p.get("paths", {}), p.get("images", {}), p.get("pixels", {})
    t["words_checked"] += w.get("checked", 0)
    t["words_lost"] += w.get("lost", 0)
    t["words_lost_in_annots"] += w.get("lost_in_annots", 0)
    t["words_shifted"] += w.get("shifted", 0)
    t["words_grazed_lost"] += len(p.get("grazed", []))
    t["paths_total"] += pa.get("total", 0)
    t["paths_checked"] += pa.get("checked", 0)
    t["paths_lost"] += pa.get("lost", 0)
    t["paths_lost_in_annots"] += pa.get("lost_in_annots", 0)
    t["paths_changed"] += pa.get("changed", 0)
    t["paths_touching_removed"] += pa.get("touching_removed", 0)
    t["images_touching_removed"] += im.get("touching_removed", 0)
    t["images_checked"] += im.get("checked", 0)
    t["images_lost"] += im.get("lost", 0)
    t["images_lost_in_annots"] += im.get("lost_in_annots", 0)
    t["images_undecodable_out"] += im.get("undecodable_out", 0)
    t["pixel_diff"] += px.get("diff", 0)
    t["pages_over_pixel_target"] += int(px.get("rows", 0) >= 1)
    t["pages_over_pixel_target_shift_masked"] += int(px.get("rows_shift_masked", 0) >= 1)
    t["max_pixel_rows"] = max(t["max_pixel_rows"], px.get("rows", 0))
    shown = p.get("pixels_shown", px)
    t["pages_over_pixel_target_shown"] += int(shown.get("rows", 0) >= 1)
    t["annots_lost"] += max(p["annots"][0] - max(p["annots"][1], 0), 0)
    t["widgets_lost"] += max(p["widgets"][0] - max(p["widgets"][1], 0), 0)
    # the same, for page content only: not what annotations and form fields show
    t["content_words_lost"] += w.get("lost", 0) - w.get("lost_in_annots", 0)
    t["content_words_grazed_lost"] += _n_annot_not(p.get("grazed", []))
    t["content_paths_lost"] += pa.get("lost", 0) - pa.get("lost_in_annots", 0)
    t["content_paths_changed"] += pa.get("changed", 0) - pa.get("changed_in_annots", 0)
    t["content_paths_touching_removed"] += pa.get("touching_removed", 0) - pa.get("touching_removed_in_annots", 0)
    t["content_images_lost"] += im.get("lost", 0) - im.get("lost_in_annots", 0)
    t["content_images_touching_removed"] += im.get("touching_removed", 0) - im.get("touching_removed_in_annots", 0)
    t["pages_hidden_text_removed_visibly"] += int(p.get("hidden_removed_visible", 0) > 0)
    t["pixels_hidden_text_removed_visibly"] += p.get("hidden_removed_visible", 0)
    t["page_errors"] += int(bool(p.get("errors")))
    t["pages_compared"] += 1


def _interesting(p: dict) -> bool:
    return bool(p.get("errors") or p.get("words", {}).get("lost") or p.get("words", {}).get("shifted")
                or p.get("grazed") or p.get("paths", {}).get("lost") or p.get("paths", {}).get("changed")
                or p.get("images", {}).get("lost") or p.get("images", {}).get("undecodable_out")
                or p.get("paths", {}).get("touching_removed") or p.get("images", {}).get("touching_removed")
                or p.get("pixels", {}).get("diff") or p.get("pixels_shown", {}).get("diff")
                or p.get("hidden_removed_visible")
                or p["annots"][0] != p["annots"][1]
                or p["widgets"][0] != p["widgets"][1])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (3, 4):
        print("usage: python bench/realworld_compare.py INPUT.pdf OUTPUT.pdf LOG.jsonl [KEEP_LAYOUT_LOG.jsonl]",
              file=sys.stderr)
        return 2
    json.dump(compare_files(*args), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
