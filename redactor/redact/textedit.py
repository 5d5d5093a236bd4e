"""Remove glyphs from a content stream, and move others, by rewriting the
text objects that hold them.

A text object (``BT`` ... ``ET``) that holds a glyph to remove or to move is
written anew: every run of kept glyphs is placed with an absolute ``Tm`` at
its own (possibly moved) position and shown with its original kerning;
removed glyphs are simply not shown. No positioning operator of the old
object survives, so no number left in the stream encodes how wide the
removed text was (a relative ``Td`` or a ``TJ`` gap would). Everything
else in the object (fonts, colours, spacing, rendering mode, marked content)
is kept, in order.
"""

from __future__ import annotations

from collections import defaultdict

import pikepdf

from redactor.pdf.content import GlyphUse, Point, Reading, mul, op_name

_POSITIONING = {"Td", "TD", "Tm", "T*"}
_SHOWING = {"Tj", "TJ", "'", '"'}


class CannotEdit(Exception):
    """The text object holds text redactor cannot place (an unmeasured font)."""


def _r(v: float) -> float:
    return float(round(v, 4))


def _items(inst) -> list:
    op = op_name(inst)
    args = inst.operands
    if op == "TJ" and args and isinstance(args[0], pikepdf.Array):
        return list(args[0])
    return list(args[-1:])


def text_replacements(reading: Reading, sid: int, removed: set[int], shifts: dict[int, Point],
                      speech: dict[int, list] | None = None) -> dict[int, tuple]:
    """Replacements for stream ``sid``: ``{first: (end, new instructions)}``,
    each replacing the instructions ``first:end`` (the inside of a text object).

    ``removed``: indices (into ``reading.glyphs``) of glyphs to remove;
    ``shifts``: page-space displacement of glyphs to move. Raises
    :class:`CannotEdit` when a text object to rewrite holds unmeasured text.
    """
    info = reading.streams[sid]
    by_op: dict[int, list[int]] = defaultdict(list)
    touched_objects: set[int] = set()
    for gi, g in enumerate(reading.glyphs):
        if g.stream != sid:
            continue
        by_op[g.op].append(gi)
        if gi in removed or gi in shifts:
            touched_objects.add(g.text_object)
    out: dict[int, tuple] = {}
    for number, (bt, et) in enumerate(info.text_objects):
        if number in touched_objects:
            out[bt + 1] = (et, _rebuild(reading, info.ops, bt + 1, et, by_op, removed, shifts, speech or {}))
    return out


def replace(ops: list, replacements: dict[int, tuple]) -> list:
    """``ops`` with ``{first: (end, new)}`` applied (ranges do not overlap)."""
    out: list = []
    i = 0
    while i < len(ops):
        if i in replacements:
            end, new = replacements[i]
            out.extend(new)
            i = max(end, i + 1)
        else:
            out.append(ops[i])
            i += 1
    return out


def _rebuild(reading: Reading, ops: list, first: int, end: int, by_op: dict[int, list[int]], removed: set[int],
             shifts: dict[int, Point], speech: dict[int, list]) -> list:
    out: list = []
    for i in range(first, end):
        inst = ops[i]
        if isinstance(inst, pikepdf.ContentStreamInlineImage):
            out.append(inst)
            continue
        op = op_name(inst)
        if op in _POSITIONING:
            if op == "TD" and len(inst.operands) == 2:
                out.append(([_r(-float(inst.operands[1]))], pikepdf.Operator("TL")))  # TD also sets the leading
            continue
        if op in _SHOWING:
            if op == '"' and len(inst.operands) == 3:
                out.append(([inst.operands[0]], pikepdf.Operator("Tw")))
                out.append(([inst.operands[1]], pikepdf.Operator("Tc")))
            out.extend(_show(reading, inst, by_op.get(i, []), removed, shifts, speech))
            continue
        out.append(inst)
    return out


def _show(reading: Reading, inst, glyph_ids: list[int], removed: set[int], shifts: dict[int, Point],
          speech: dict[int, list]) -> list:
    items = _items(inst)
    has_bytes = any(isinstance(x, pikepdf.String) and len(bytes(x)) for x in items)
    if has_bytes and not glyph_ids:
        raise CannotEdit("a text object holds text in a font redactor cannot measure")
    out: list = []
    run: list[int] = []

    def flush() -> None:
        if run:
            out.extend(_emit_run(reading, items, run, shifts.get(run[0], (0.0, 0.0))))
            run.clear()

    for gi in glyph_ids:
        if gi in removed:
            flush()
            out.extend(speech.get(gi, ()))
            continue
        if run and shifts.get(run[-1], (0.0, 0.0)) != shifts.get(gi, (0.0, 0.0)):
            flush()
        run.append(gi)
    flush()
    return out


def _emit_run(reading: Reading, items: list, run: list[int], shift: Point) -> list:
    glyphs = [reading.glyphs[gi] for gi in run]
    first = glyphs[0]
    tm = first.tm
    if shift != (0.0, 0.0):
        full = mul(first.tm, first.ctm)
        ux, uy = full[0], full[1]
        norm2 = ux * ux + uy * uy
        if norm2 > 1e-12:
            dx = (shift[0] * ux + shift[1] * uy) / norm2
            tm = mul((1, 0, 0, 1, dx, 0), first.tm)
    array: list = []
    chunk = bytearray()
    prev: GlyphUse | None = None
    strings: dict[int, bytes] = {}  # each string's bytes, read once for all its glyphs
    for g in glyphs:
        data = strings.get(g.elem)
        if data is None:
            data = strings[g.elem] = bytes(items[g.elem])
        if prev is not None and g.elem != prev.elem:
            if chunk:
                array.append(pikepdf.String(bytes(chunk)))
                chunk = bytearray()
            for between in items[prev.elem + 1:g.elem]:
                if not isinstance(between, pikepdf.String):
                    array.append(between)
        chunk += data[g.start:g.end]
        prev = g
    if chunk:
        array.append(pikepdf.String(bytes(chunk)))
    return [([_r(v) for v in tm], pikepdf.Operator("Tm")), ([pikepdf.Array(array)], pikepdf.Operator("TJ"))]
