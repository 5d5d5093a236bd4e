"""What a screen reader hears where something was redacted.

Each redaction speaks one phrase, "[Redacted: section 40(2)]", built from
its exemption alone: it never varies with what was removed or how long it
was (the glyph-width defence would be pointless otherwise).

Where redactor removed the text itself (its content-stream editor), the
phrase is put **in place of the removed text**, in the same text object and
so inside the same marked-content sequence and structure element: a
``/Span`` with ``/ActualText`` around the phrase drawn invisibly (render
mode 3), squeezed into the box's width along the line. Reading in
structure order, in content order or by position, a reader meets it between
the words either side. The visible label on the box is then an artifact
with an empty ``/ActualText``, so nothing is read twice.

Elsewhere (an area, a photograph, a page whose text MuPDF removed, a box
over OCR'd pixels) the visible label itself carries the phrase as its
``/ActualText``; in a tagged file :mod:`redactor.redact.tags` gives it a
structure element. A withheld page's notice is a tagged paragraph.
"""

from __future__ import annotations

import math
import re

import pikepdf
import pymupdf

from redactor.detect.rulepack import section_number
from redactor.pdf.content import GlyphUse, Point, mul
from redactor.pdf.measure import text_length

#: The phrase, as found in a document (verification and leftover checks allow it under a box).
PHRASE = re.compile(r"\[Redacted: section [0-9A-Za-z()]{1,24}\]")

FONT_NAME = pikepdf.Name("/RdxLabel")
_SPAN = pikepdf.Name("/Span")
#: the operators a phrase is drawn with, made once (each is the same object every time)
_OP = {name: pikepdf.Operator(name) for name in ("BDC", "Tc", "Tw", "Tz", "Ts", "Tr", "Tf", "Tm", "Tj", "EMC")}


def phrase(exemption: str) -> str:
    """'S40(2)' -> '[Redacted: section 40(2)]'."""
    return f"[Redacted: section {section_number(exemption)}]"


def is_phrase(text: str) -> bool:
    return PHRASE.fullmatch(text.strip()) is not None


def spoken_chars(line: str) -> set[int]:
    """Indices of the characters of ``line`` that belong to a spoken phrase."""
    return {k for m in PHRASE.finditer(line) for k in range(m.start(), m.end())}


def spoken_origins(page: pymupdf.Page) -> set[tuple[str, int, int]]:
    """(char, x, y) with the origin rounded to a quarter point, of every
    character of a phrase drawn invisibly on ``page`` (MuPDF's trace: one
    span per phrase, however its line is grouped)."""
    out = set()
    for span in page.get_texttrace():
        if span.get("type") != 3:
            continue
        chars = span.get("chars", ())
        for k in spoken_chars("".join(chr(c[0]) for c in chars)):
            c = chars[k]
            out.add((chr(c[0]), round(c[2][0] * 4), round(c[2][1] * 4)))
    return out


def add_font(pdf: pikepdf.Pdf, resources: pikepdf.Dictionary) -> None:
    """Give ``resources`` the label font (standard Helvetica) under its private name."""
    fonts = resources.get("/Font")
    if not isinstance(fonts, pikepdf.Dictionary):
        fonts = pikepdf.Dictionary()
        resources.Font = fonts
    if FONT_NAME in fonts:
        return
    if fonts.is_indirect:  # shared with other pages or forms: this one gets its own copy
        fonts = pikepdf.Dictionary({k: v for k, v in fonts.items()})
        resources.Font = fonts
    fonts[FONT_NAME] = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding))


def inline(glyph: GlyphUse, shift: Point, width: float, text: str) -> list:
    """Instructions (inside a text object) that speak ``text`` where
    ``glyph`` was (moved by ``shift``, page space), drawn invisibly and
    ``width`` long along the line; the text state is set back after."""
    size = float(glyph.font_op[1]) if len(glyph.font_op) == 2 else glyph.size
    tm = glyph.tm
    full = mul(tm, glyph.ctm)
    ux, uy = full[0], full[1]
    norm2 = ux * ux + uy * uy
    if norm2 <= 1e-12 or size <= 0 or glyph.render_mode >= 4:
        # (text that clips: switching the mode inside its text object makes MuPDF forget the clip
        # so far, and the words before the box vanish from the page; the box's label speaks instead)
        return []
    if shift != (0.0, 0.0):
        tm = mul((1, 0, 0, 1, (shift[0] * ux + shift[1] * uy) / norm2, 0), tm)
    natural = text_length(text, "helv", size) * math.sqrt(norm2)
    k = width / natural if natural > 0 and width > 0 else 1.0
    tm = mul((k, 0, 0, 1, 0, 0), tm)
    tc, tw, th, rise = glyph.spacing
    op = _OP.__getitem__
    out = [
        ([_SPAN, pikepdf.Dictionary(ActualText=pikepdf.String(text))], op("BDC")),
        ([0], op("Tc")), ([0], op("Tw")), ([100], op("Tz")), ([0], op("Ts")), ([3], op("Tr")),
        ([FONT_NAME, _r(size)], op("Tf")),
        ([_r(v) for v in tm], op("Tm")),
        ([pikepdf.String(text.encode("latin-1", "replace"))], op("Tj")),
        ([_r(tc)], op("Tc")), ([_r(tw)], op("Tw")), ([_r(th * 100)], op("Tz")), ([_r(rise)], op("Ts")),
        ([glyph.render_mode], op("Tr")),
    ]
    if len(glyph.font_op) == 2:
        out.append((list(glyph.font_op), op("Tf")))
    out.append(([], op("EMC")))
    return out


def along(rect, glyph: GlyphUse) -> float:
    """How long ``rect`` (page space) is along ``glyph``'s line."""
    ax, ay = glyph.along
    return abs(ax) * (rect[2] - rect[0]) + abs(ay) * (rect[3] - rect[1])


def _r(v: float) -> float:
    return float(round(v, 4))
