"""Independent verification of a redacted PDF.

Verification reads text with no code from the text stage or apply: it reads
the output as a suspicious reader would, with PyMuPDF (every layer on, no
clipping, hidden text included) and with pikepdf (every string and every
decompressed stream in the file). To judge whether something painted hides
text (by its shape, opacity, blend mode and clipping) it uses the shared
content interpreter of :mod:`redactor.pdf`. It checks that:

* no character is left under a redaction box (other than the box's label);
* none of the redacted texts can be read anywhere: page text, strings and
  streams, metadata and XMP, annotations, form fields, attachments;
* no live text lies under an opaque box or annotation drawn over it (the
  classic fake redaction), and no redaction annotation is left unapplied.

The first check needs the log's boxes, the second its texts; the third runs
with or without a log.
"""

from __future__ import annotations

import bisect
import io
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pymupdf

from redactor.pdf.content import DARK, FontCache, read_page
from redactor.pdf.covers import glyph_box, hidden_glyphs, may_hide
from redactor.memory import give_back
from redactor.redact import speech
from redactor.verify import streamtext
from redactor.verify.deep import check_bytes
from redactor.verify.needles import NAME_CATEGORIES, Needles
from redactor.pdf.curves import text_like_regions
from redactor.verify.pixels import check_pixels
from redactor.verify.views import check_views, positional_join

_FLAGS = (pymupdf.TEXTFLAGS_RAWDICT & ~pymupdf.TEXT_MEDIABOX_CLIP) & ~pymupdf.TEXT_PRESERVE_IMAGES
_COVER_ANNOTS = {pymupdf.PDF_ANNOT_SQUARE, pymupdf.PDF_ANNOT_POLYGON, pymupdf.PDF_ANNOT_FREE_TEXT,
                 pymupdf.PDF_ANNOT_STAMP, pymupdf.PDF_ANNOT_INK, pymupdf.PDF_ANNOT_CIRCLE}


@dataclass(slots=True)  # (one per redaction of a document: issue 14)
class Redaction:
    """What verification needs from one log entry."""

    page: int
    rects: list
    text: str
    exemption: str
    #: "text", "area", "page" (withheld in full) or "covered" (text that was
    #: hidden under someone else's box: removed, their box left; the page's
    #: hidden-text check covers it, there is no box of ours to check)
    kind: str = "text"
    category: str = ""  #: the finding's category: names are also looked for by surname
    fold_case: bool = True  #: False: looked for only as written (an ordinary word that is also a name)


@dataclass
class VerifyReport:
    path: str
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    checked_texts: int = 0
    checked_boxes: int = 0
    notes: list[str] = field(default_factory=list)  #: [ocr branch hook] checks that could not run in full

    @property
    def ok(self) -> bool:
        return not self.problems


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


def verify_file(path: str | Path, redactions: list[Redaction] | None = None, password: str | None = None,
                kept: list[str] = ()) -> VerifyReport:
    """``kept``: texts a reviewer chose to leave readable (not looked for)."""
    path = Path(path)
    data = path.read_bytes()
    report = VerifyReport(path=str(path))
    doc = pymupdf.open(stream=data, filetype="pdf")
    if doc.needs_pass and not doc.authenticate(password or ""):
        report.problems.append("output is encrypted; cannot be verified")
        return report
    # Show every layer, so hidden-layer text is read too.
    cat = doc.pdf_catalog()
    if doc.xref_get_key(cat, "OCProperties")[0] != "null":
        doc.xref_set_key(cat, "OCProperties", "null")
    report.pages = doc.page_count
    release = redactions is not None  # checking a redacted release (not just any PDF for fake boxes)
    redactions = redactions or []
    needles = Needles([r.text for r in redactions if r.fold_case],
                      [r.text for r in redactions if r.category in NAME_CATEGORIES], kept,
                      as_written=[r.text for r in redactions if not r.fold_case])
    report.checked_texts = len(needles.all)
    by_page: dict[int, list[Redaction]] = {}
    for r in redactions:
        by_page.setdefault(r.page, []).append(r)

    try:
        structure = pikepdf.open(io.BytesIO(data), password=password or "")
    except pikepdf.PdfError:
        structure = None
        report.problems.append("the file cannot be read by a second parser (qpdf)")
    joined: dict[int, str] = {}  # the positional view of pages whose trace is read here (once per page)
    fonts = FontCache()  # the fonts' metrics, measured once for all pages
    for page in doc:
        n = page.number + 1
        textpage = page.get_textpage(flags=_FLAGS, clip=pymupdf.INFINITE_RECT())  # one reading, two outputs
        page_text = _text(page.get_text("rawdict", textpage=textpage))
        boxes = by_page.get(n, [])
        if boxes:
            fills = _fills(page)
            trace = page.get_texttrace()
            inked = _Inked(_inked(trace))
            joined[page.number] = positional_join(page, trace)  # the text, not the trace: memory stays flat
        for r in boxes:
            if r.kind == "page":
                report.problems.extend(_check_withheld(page, r))
                continue
            if r.kind == "covered":
                continue
            for rect in r.rects:
                report.checked_boxes += 1
                problem = _check_box(n, pymupdf.Rect(rect), fills, inked)
                if problem:
                    report.problems.append(problem)
        page_text_at = page.get_text("text", textpage=textpage)
        del textpage
        for hit in needles.found_in(page_text + "\n" + page_text_at):
            report.problems.append(f"page {n}: redacted text {hit!r} can still be extracted")
        report.problems.extend(_fake_redactions(page, structure, fonts))
        for annot in page.annots() or ():
            if annot.type[0] == pymupdf.PDF_ANNOT_REDACT:
                report.problems.append(f"page {n}: a redaction annotation was never applied (content under it is intact)")
            for hit in needles.found_in(" ".join(str(v) for v in annot.info.values())):
                report.problems.append(f"page {n}: redacted text {hit!r} is in an annotation")
        for widget in page.widgets() or ():
            for hit in needles.found_in(f"{widget.field_name} {widget.field_value}"):
                report.problems.append(f"page {n}: redacted text {hit!r} is in a form field")
    # [ocr branch hook] pictures under boxes: pixels blanked, nothing readable by OCR around them
    from redactor.verify import ocr as pictures

    problems, report.notes = pictures.check(doc, by_page)
    report.problems.extend(problems)
    for hit in needles.found_in(" ".join(str(v) for v in (doc.metadata or {}).values()) + " " + (doc.get_xml_metadata() or "")):
        report.problems.append(f"redacted text {hit!r} is in the document metadata")
    if structure is not None:
        structure.close()
        del structure
    give_back()  # (each of the checks below reads the whole file again: issue 14)
    report.problems.extend(_walk_objects(data, needles, password))
    give_back()
    # issue 9: every view separately, the bytes a hex editor sees, and the
    # pixels of pages whose fonts may lie (redactor.verify.views/deep/pixels)
    problems, pdfium_texts = check_views(doc, data, needles, password, joined)
    report.problems.extend(problems)
    give_back()
    report.problems.extend(check_bytes(data, needles, password, release))
    give_back()
    curved = {i: "text drawn as curves" for i in range(doc.page_count) if needles and text_like_regions(doc[i])}
    report.problems.extend(check_pixels(data, needles, password, pdfium_texts, curved))
    report.problems = list(dict.fromkeys(report.problems))
    return report


def _text(raw: dict) -> str:
    """The characters of a page's rawdict in order, a line break after each
    line: ``"".join`` of :func:`_chars`'s characters, without their boxes."""
    return "".join("".join(ch["c"] for span in line.get("spans", ()) for ch in span.get("chars", ())) + "\n"
                   for block in raw.get("blocks", ()) for line in block.get("lines", ()))


def _chars(page: pymupdf.Page, textpage=None) -> list[tuple[str, tuple]]:
    """Every character and its box (``textpage``: the page's, read with
    ``_FLAGS`` and no clip, if the caller has it)."""
    if textpage is not None:
        raw = page.get_text("rawdict", textpage=textpage)
    else:
        raw = page.get_text("rawdict", flags=_FLAGS, clip=pymupdf.INFINITE_RECT())
    out = []
    for block in raw.get("blocks", ()):
        for line in block.get("lines", ()):
            for span in line.get("spans", ()):
                for ch in span.get("chars", ()):
                    out.append((ch["c"], tuple(ch["bbox"])))
            out.append(("\n", (0, 0, 0, 0)))
    return out


def _fills(page: pymupdf.Page) -> list[tuple[int, tuple]]:
    """(drawing order, rectangle) of each filled path on the page, read once
    and asked of every box (MuPDF's drawings as ``get_drawings`` gives them,
    without making a Rect and Point of every item)."""
    return [(d.get("seqno", 0), tuple(d["rect"])) for d in page.get_cdrawings() if d.get("fill") is not None]


def _check_box(n: int, rect: pymupdf.Rect, fills: list, inked: "_Inked") -> str | None:
    """The logged box is drawn, opaque, and no text drawn before it (so
    hidden under it) is left inside it. Text drawn after it is its label."""
    seqs = [seqno for seqno, r in fills if _close(r, rect)]
    if not seqs:
        return f"page {n}: no redaction box is drawn at {_fmt(rect)}"
    under = inked.drawn_before(min(seqs), rect)
    if under:
        return f"page {n}: text {under[:30]!r} remains under a redaction box at {_fmt(rect)}"
    return None


def _inked(trace: list) -> list[tuple[int, float, float, str]]:
    """Each visible character of a page's text trace: (drawing order, centre
    x, centre y, character); read once per page, then asked of every box.
    The phrase a screen reader hears, drawn invisibly in place of the
    removed text, is left out."""
    out = []
    for span in trace:
        seqno = span.get("seqno", 0)
        chars = span.get("chars", ())
        spoken = speech.spoken_chars("".join(chr(c[0]) for c in chars)) if span.get("type") == 3 else ()
        for k, ch in enumerate(chars):
            c = chr(ch[0])
            if k in spoken or not c.strip():
                continue
            b = ch[3]
            out.append((seqno, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, c))
    return out


class _Inked:
    """A page's :func:`_inked` characters, ordered by their centres' y as
    well, so that a box asks only those in its height."""

    def __init__(self, chars: list[tuple[int, float, float, str]]):
        self.chars = chars
        # a centre whose y is not a number lies in no box (and would spoil the order)
        self.by_y = sorted((k for k in range(len(chars)) if chars[k][2] == chars[k][2]), key=lambda k: chars[k][2])
        self.ys = [chars[k][2] for k in self.by_y]

    def drawn_before(self, seqno: int, rect: pymupdf.Rect) -> str:
        """Visible characters of text drawn before ``seqno`` whose centres lie
        in ``rect`` (strictly inside), in the page's order."""
        x0, y0, x1, y1 = rect.x0, rect.y0, rect.x1, rect.y1
        if not y0 < y1:
            return ""  # no centre lies strictly between
        chars = self.chars
        lo, hi = bisect.bisect_right(self.ys, y0), bisect.bisect_left(self.ys, y1)
        hits = sorted(k for k in self.by_y[lo:hi] if chars[k][0] < seqno and x0 < chars[k][1] < x1)
        return "".join(chars[k][3] for k in hits)


def _check_withheld(page: pymupdf.Page, r: Redaction) -> list[str]:
    """A withheld page holds its notice and nothing else."""
    n = page.number + 1
    problems = []
    from redactor.redact.apply import (
        withheld_notice,  # the notice is the contract; what is read stays independent
    )

    words = page.get_text("text", flags=_FLAGS, clip=pymupdf.INFINITE_RECT()).split()
    allowed = set(withheld_notice(n, r.exemption).split())
    extra = [w for w in words if w not in allowed]
    if extra:
        problems.append(f"page {n} is withheld but still has text: {' '.join(extra[:8])!r}")
    if page.get_images():
        problems.append(f"page {n} is withheld but still has images")
    if page.get_drawings():
        problems.append(f"page {n} is withheld but still has drawings")
    return problems


def _close(a: pymupdf.Rect, b: pymupdf.Rect, tol: float = 1.0) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def _text_under(chars, rect: pymupdf.Rect) -> str:
    out = []
    for c, b in chars:
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        if rect.x0 < cx < rect.x1 and rect.y0 < cy < rect.y1:
            out.append(c)
    return "".join(out)


def _fake_redactions(page: pymupdf.Page, pdf: pikepdf.Pdf | None, fonts: FontCache | None = None) -> list[str]:
    """Live text a person cannot see because something opaque is painted
    over it (a box drawn over text), judged by shape, opacity, blend mode and
    clipping; and opaque annotations over text. ``fonts``: font metrics
    shared by the document's pages."""
    n = page.number + 1
    problems = []
    if pdf is not None and may_hide(page):
        reading = read_page(pdf.pages[page.number], fonts, ink_only=True)  # hidden_glyphs looks at ink only
        for problem in reading.problems:
            problems.append(f"page {n}: {problem}: whether text there is hidden cannot be checked")
        runs: dict[tuple, list[str]] = {}
        for h in hidden_glyphs(reading):
            runs.setdefault((h.cover, h.how), []).append(h.glyph)
        chars = _chars(page) if runs else []
        for (cover, how), glyphs in runs.items():
            boxes = [glyph_box(reading.glyphs[g]) for g in glyphs]
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
            seen = "".join(c for c, b in chars if x0 <= (b[0] + b[2]) / 2 <= x1 and y0 <= (b[1] + b[3]) / 2 <= y1)
            text = " ".join(seen.split())
            if seen and not text:
                continue  # MuPDF reads a space there: a space glyph (no ink) whose code is not 32 (a CID font's)
            problems.append(f"page {n}: live text {text[:30]!r} lies {how} at {_fmt(cover)} (a fake redaction)")
    chars = None
    for annot in page.annots() or ():
        if _covers_text(annot):
            chars = chars if chars is not None else _chars(page)
            under = "".join(ch for ch in _text_under(chars, annot.rect) if ch.strip())
            if under:
                problems.append(f"page {n}: live text {under[:30]!r} lies under an opaque {annot.type[1]} annotation (a fake redaction)")
    return problems


def _covers_text(annot: pymupdf.Annot) -> bool:
    """Whether ``annot`` paints over what is under it: an opaque filled shape,
    or a highlighter in a dark colour (it multiplies: black on black text)."""
    if annot.opacity is not None and 0 <= annot.opacity < 0.99:
        return False
    if annot.type[0] == pymupdf.PDF_ANNOT_HIGHLIGHT:
        colour = annot.colors.get("stroke")
        return bool(colour) and max(colour) <= DARK
    return annot.type[0] in _COVER_ANNOTS and bool(annot.colors.get("fill"))


def _walk_objects(data: bytes, needles: Needles, password: str | None) -> list[str]:
    """Every string and every decompressed stream in the file."""
    if not needles.texts:
        return []
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Object):
                continue  # an indirect number, boolean or null: pikepdf hands it over as Python's
            where = f"object {obj.objgen[0]}" if obj.objgen != (0, 0) else "an object"
            for s in _strings(obj):
                for hit in needles.found_in(s):
                    if (hit, where) not in seen:
                        seen.add((hit, where))
                        problems.append(f"redacted text {hit!r} is in a string in {where}")
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") != "/Image":
                try:
                    raw = obj.read_bytes(pikepdf.StreamDecodeLevel.specialized)
                except pikepdf.PdfError as e:  # over a cap, corrupt or an unknown filter: unchecked is unsafe
                    problems.append(f"the stream of {where} cannot be decompressed ({_first_line(e)}): "
                                    "what it holds cannot be checked")
                    continue
                chance = streamtext.numbers_by_chance(obj)
                for text in streamtext.texts(raw, _decodings(raw)):
                    for hit in needles.found_in(text):
                        if chance and streamtext.is_numeric(hit):
                            continue
                        if (hit, where) not in seen:
                            seen.add((hit, where))
                            problems.append(f"redacted text {hit!r} can be read in the stream of {where}")
        for key in ("/Info",):
            if key in pdf.trailer:
                for s in _strings(pdf.trailer[key]):
                    for hit in needles.found_in(s):
                        problems.append(f"redacted text {hit!r} is in the document information dictionary")
    return problems


def _strings(obj, depth: int = 0):
    if depth > 8:
        return
    if isinstance(obj, pikepdf.String):
        yield str(obj)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            if isinstance(item, pikepdf.Object) and not item.is_indirect:
                yield from _strings(item, depth + 1)
    elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for _, v in obj.items():
            if isinstance(v, pikepdf.Object) and not v.is_indirect:
                yield from _strings(v, depth + 1)


def _decodings(raw: bytes) -> list[str]:
    texts = [raw.decode("latin-1")]
    if raw.count(b"\x00") > len(raw) // 4:
        for enc in ("utf-16-be", "utf-16-le"):
            texts.append(raw.decode(enc, errors="ignore"))
    return texts


def _first_line(e: Exception) -> str:
    from redactor.ingest.caps import clean_warning

    return clean_warning(str(e))


def _fmt(rect) -> str:
    return "[" + ", ".join(f"{v:.0f}" for v in rect) + "]"
