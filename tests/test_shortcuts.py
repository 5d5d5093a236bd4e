"""The faster paths of apply and verification (issue 14) give exactly what
the plain ones give: each is compared with the plain computation it
replaced, on real PDFs or on many generated cases, edge values (NaN,
infinities, empty and infinite rectangles) included."""

from __future__ import annotations

import math
import random

import pikepdf
import pymupdf
import pytest
from pikepdf import Array, Dictionary, Name

from pdfkit import make_pdf, text_op
from redactor.pdf.content import IDENTITY, FontCache, GlyphUse, read_page
from redactor.pdf.covers import glyph_box, hidden_glyphs
from redactor.redact import apply
from redactor.redact.layout import Target, inside, _removals
from redactor.redact.placements import placements
from redactor.verify.checks import _Inked

EDGE = [math.nan, math.inf, -math.inf, 0.0, -0.0]


def _value(rng: random.Random) -> float:
    """Mostly ordinary, some on a coarse grid (edges that touch exactly), a few at the edges of floats."""
    roll = rng.random()
    if roll < 0.04:
        return rng.choice(EDGE)
    return float(rng.randrange(-2, 12) * 10) if roll < 0.5 else rng.uniform(-20, 120)


def _rect(rng: random.Random) -> tuple:
    if rng.random() < 0.03:
        return (float(pymupdf.FZ_MIN_INF_RECT),) * 2 + (float(pymupdf.FZ_MAX_INF_RECT),) * 2
    x0, y0, x1, y1 = (_value(rng) for _ in range(4))
    return (x0, y0, x1, y1)


def _same(a: tuple, b: tuple) -> bool:
    """Equal, NaN where NaN is."""
    return all(x == y or (x != x and y != y) for x, y in zip(a, b)) and len(a) == len(b)


def _rotated_type3(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """A Type3 font redactor cannot measure (a rotated FontMatrix)."""
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type3, FontMatrix=Array([0, 0.001, -0.001, 0, 0, 0]),
        FontBBox=Array([0, 0, 1000, 1000]), CharProcs=Dictionary(), Encoding=Dictionary(Differences=Array([])),
        FirstChar=65, LastChar=65, Widths=Array([500]), Resources=Dictionary()))


@pytest.fixture(scope="module")
def pages_pdf(tmp_path_factory):
    """Three pages sharing two fonts (one that cannot be measured); the
    second has invisible text before visible text on its line and a black
    box over part of it."""
    path = tmp_path_factory.mktemp("shortcuts") / "pages.pdf"

    def resources(pdf):
        return {"Font": {"F3": _rotated_type3(pdf)}}

    hidden_line = (b"BT /F1 12 Tf 72 700 Td 3 Tr (invisible words first ) Tj 0 Tr (then the secret name) Tj ET\n"
                   b"0 g 150 690 120 20 re f\n")
    make_pdf(path, [text_op("First page, plain text.", 72, 720) + text_op("A", 72, 600, font="/F3"),
                    hidden_line + text_op("A", 72, 600, font="/F3"),
                    text_op("Third page.", 72, 720) + b"BT /F1 9 Tf 7 Tr 72 650 Td (clip only) Tj ET\n"
                    + text_op("A", 72, 600, font="/F3")],
             resources=resources)
    return path


def _glyphs(reading):
    return [(g.stream, g.op, g.elem, g.start, g.end, g.key, g.origin, g.advance, g.up, g.size, g.render_mode,
             g.style) for g in reading.glyphs]


def test_a_documents_font_cache_reads_every_page_as_a_fresh_reading(pages_pdf):
    with pikepdf.open(pages_pdf) as pdf:
        fresh = [read_page(p) for p in pdf.pages]
        cache = FontCache()
        shared = [read_page(p, cache) for p in pdf.pages]
    assert all(r.glyphs for r in fresh)
    for a, b in zip(fresh, shared):
        assert _glyphs(a) == _glyphs(b)
        assert a.unsupported == b.unsupported and a.unmeasured_glyphs == b.unmeasured_glyphs
    # every page still names the font it cannot measure, not only the first page that met it
    assert all(r.unsupported for r in shared) and all(r.unmeasured_glyphs for r in shared)


def test_a_reading_of_ink_only_lists_the_inked_glyphs_where_a_full_reading_has_them(pages_pdf):
    with pikepdf.open(pages_pdf) as pdf:
        for page in pdf.pages:
            full, ink = read_page(page), read_page(page, ink_only=True)
            inked = [g for g in _glyphs(full) if g[10] != 3]  # (clip-only text shows what is painted through it)
            assert _glyphs(ink) == inked
            assert [(glyph_box(full.glyphs[h.glyph]), h.cover, h.how) for h in hidden_glyphs(full)] == \
                [(glyph_box(ink.glyphs[h.glyph]), h.cover, h.how) for h in hidden_glyphs(ink)]
    with pikepdf.open(pages_pdf) as pdf:
        full = read_page(pdf.pages[1])
    assert any(g.render_mode == 3 for g in full.glyphs)  # the comparison has invisible glyphs to leave out
    assert hidden_glyphs(full)  # and hidden ones to find


def test_the_inked_characters_under_a_box_are_those_of_the_plain_scan():
    rng = random.Random(14)
    for _ in range(300):
        chars = [(rng.randrange(5), _value(rng), _value(rng), rng.choice("abc")) for _ in range(rng.randrange(30))]
        inked = _Inked(chars)
        for _ in range(5):
            x0, y0, x1, y1 = _rect(rng)
            seqno = rng.randrange(6)
            plain = "".join(c for s, cx, cy, c in chars if s < seqno and x0 < cx < x1 and y0 < cy < y1)
            assert inked.drawn_before(seqno, pymupdf.Rect(x0, y0, x1, y1)) == plain


def test_rectangles_meet_as_pymupdf_says():
    rng = random.Random(41)
    for _ in range(3000):
        a, b = _rect(rng), _rect(rng)
        assert apply._intersects(a, b) == pymupdf.Rect(a).intersects(b)
        r = pymupdf.Rect(a)  # the box as it was worked out on a Rect
        dx, dy = 0.1 * r.width, 0.1 * r.height
        assert _same(apply._removal_box(a), tuple(pymupdf.Rect(r.x0 + dx, r.y0 + dy, r.x1 - dx, r.y1 - dy)))


def test_removals_are_the_first_target_holding_each_centre():
    rng = random.Random(7)
    for _ in range(200):
        glyphs = [GlyphUse(0, k, 0, 0, 1, 65, (_value(rng), _value(rng)), (rng.uniform(0, 8), 0.0),
                           (0.0, -rng.uniform(4, 12)), 10.0, 0, IDENTITY, IDENTITY) for k in range(40)]
        targets = [Target(rect=_rect(rng), label="S40", ref=f"r{k}",
                          only=frozenset(rng.sample(range(40), 10)) if rng.random() < 0.2 else None)
                   for k in range(rng.randrange(6))]
        plain = {}
        for gi, g in enumerate(glyphs):
            for t in targets:
                if inside(g.centre, t.rect) and (t.only is None or gi in t.only):
                    plain[gi] = t.ref
                    break
        assert _removals(glyphs, targets) == plain


def test_a_page_that_draws_no_xobject_and_no_inline_image_has_no_placement(tmp_path):
    path = make_pdf(tmp_path / "p.pdf", [text_op("No picture here.", 72, 700)])
    doc = pymupdf.open(path)
    assert placements(doc, doc[0]) == []
    page = doc[0]
    page.insert_image(pymupdf.Rect(100, 100, 140, 140), pixmap=pymupdf.Pixmap(pymupdf.csRGB, (0, 0, 4, 4), 0))
    doc = pymupdf.open("pdf", doc.tobytes())
    assert len(placements(doc, doc[0])) == 1  # the same page with a picture: found


def test_what_is_left_under_boxes_is_what_the_plain_scan_finds(tmp_path):
    """Characters under boxes, phrases redactor drew left out: the faster
    scan against the plain one (every character tested against every box,
    phrases found first), with boxes whose edges run through characters'
    centres."""
    phrase = b"BT /F1 6 Tf 3 Tr 150 700 Td ([Redacted: section 40\\(2\\)]) Tj ET\n"
    path = make_pdf(tmp_path / "left.pdf", [text_op("Briefing officer: PC Smith and PC Jones.", 72, 700)
                                             + text_op("Second line, 0770090123, more words.", 72, 680) + phrase])
    page = pymupdf.open(path)[0]
    chars = apply._chars(page)  # phrases left out
    assert any(c == "[" for c, _, _ in apply._chars(page, phrases=True)) and not any(c == "[" for c, _, _ in chars)
    centres = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for _, b, _ in chars]
    rng = random.Random(3)
    for _ in range(200):
        boxes = []
        for _ in range(rng.randrange(1, 5)):
            (ax, ay), (bx, by) = rng.choice(centres), rng.choice(centres)
            boxes.append((min(ax, bx), min(ay, by) - rng.choice([0, 3]), max(ax, bx), max(ay, by) + rng.choice([0, 3])))
        plain = [ch for ch in chars if not ch[0].isspace() and any(
            r[0] <= (ch[1][0] + ch[1][2]) / 2 <= r[2] and r[1] <= (ch[1][1] + ch[1][3]) / 2 <= r[3] for r in boxes)]
        assert apply._left_under(page, boxes, frozenset()) == plain
