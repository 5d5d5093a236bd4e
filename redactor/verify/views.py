"""Every text view of the output, each checked on its own.

Written apart from :mod:`redactor.text` (no extraction code is shared), so
that a mistake in how detection reads a page is not repeated here:

* MuPDF without /ActualText (the glyphs; :mod:`redactor.verify.checks`
  reads it with /ActualText replacing them);
* a positional join of MuPDF's text trace: per baseline, glyphs sorted by
  x and joined without any spaces (letter-spaced, kerned-apart and
  reverse-drawn glyphs);
* PDFium (the engine in Chrome), through pypdfium2;
* each MuPDF view again with words hyphenated across a line break joined;
* poppler's ``pdftotext`` (a runtime requirement of verification: without
  it the output cannot be verified).

A redacted text readable in any view is a problem, named with the view.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pymupdf

PDFTOTEXT_TIMEOUT = 300
#: a word hyphenated across a line break ("Smeth-" / "urst")
_HYPHENATED = re.compile(r"(\w)[-\u00ad\u2010\u2011][ \t]*\n\s*(\w)")


def check_views(doc: pymupdf.Document, data: bytes, needles, password: str | None = None,
                joined: dict[int, str] | None = None) -> tuple[list[str], list[str]]:
    """Problems: redacted text readable in some view of some page; and
    PDFium's text of each page (for :mod:`redactor.verify.pixels`).
    ``joined``: :func:`positional_join` of pages the caller has traced
    already (page index -> text), so that no page is traced twice."""
    if not needles:
        return [], []
    problems: list[str] = []
    poppler = _Pdftotext(data, password)

    def report(page: int, view: str, text: str) -> None:
        for hit in needles.found_in(text):
            problems.append(f"page {page}: redacted text {hit!r} can be read by {view}")

    try:
        return _read_views(doc, data, needles, password, report, problems, poppler, joined or {})
    finally:
        poppler.close()


def _read_views(doc, data, needles, password, report, problems, poppler, known):
    for page in doc:
        n = page.number + 1
        text = known[page.number] if page.number in known else positional_join(page)
        report(n, "a positional reading of the glyphs (by baseline, left to right, no ActualText)", text)
        report(n, "the glyphs joined with no spaces at all", text.replace(" ", ""))
        joined = _HYPHENATED.sub(r"\1\2", text)
        if joined != text:
            report(n, "a positional reading with hyphenated words joined", joined)
    pdfium_problems, texts = _pdfium(data, needles, password)
    problems += pdfium_problems
    problems += poppler.check(needles)
    return problems, texts


def positional_join(page: pymupdf.Page, trace: list | None = None) -> str:
    """MuPDF's text trace (the glyphs drawn, /ActualText ignored): per
    baseline, the glyphs left to right, a space where a gap is wider than a
    sixth of an em (letter spacing and kerning do not split words when the
    spaces are squeezed out, see the caller). ``trace``: the page's, if
    the caller has read it."""
    rows: dict[tuple, list[tuple[float, float, float, str]]] = {}
    for span in page.get_texttrace() if trace is None else trace:
        dx, dy = span.get("dir", (1.0, 0.0))
        size = max(1.0, float(span.get("size") or 1.0))
        axis = abs(dy) < 1e-3 or abs(dx) < 1e-3
        flat = abs(dy) < 1e-3
        rdx, rdy = round(dx, 2), round(dy, 2)  # what is the same for the span's every glyph, once
        for u, _g, origin, bbox in span.get("chars", ()):
            if u == 32:
                continue
            # position along and across the line's direction
            along = origin[0] * dx + origin[1] * dy
            across = -origin[0] * dy + origin[1] * dx
            width = (abs(bbox[2] - bbox[0]) if flat else abs(bbox[3] - bbox[1])) if axis else 0.0
            key = (rdx, rdy, round(across))
            row = rows.get(key)
            if row is None:
                row = rows[key] = []
            row.append((along, width, size, chr(u) if 0 < u < 0x110000 else "?"))
    lines = []
    for _, row in sorted(rows.items()):
        row.sort()
        out, end = [], None
        for along, width, size, ch in row:
            if end is not None and along - end > size / 6:
                out.append(" ")
            out.append(ch)
            end = along + width if width else None
        lines.append("".join(out))
    return "\n".join(lines)


def _pdfium(data: bytes, needles, password: str | None) -> tuple[list[str], list[str]]:
    import pypdfium2 as pdfium

    problems: list[str] = []
    texts: list[str] = []
    try:
        pdf = pdfium.PdfDocument(data, password=password)
    except Exception as e:
        return [f"PDFium cannot open the output ({e}); it cannot be verified"], texts
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            try:
                text = tp.get_text_range()
            finally:
                tp.close()
                page.close()
            texts.append(text)
            for hit in needles.found_in(text):
                problems.append(f"page {i + 1}: redacted text {hit!r} can be read by PDFium")
    finally:
        pdf.close()
    return problems, texts


class _Pdftotext:
    """poppler's pdftotext, started first so it runs while the other views are read."""

    def __init__(self, data: bytes, password: str | None):
        self.problems: list[str] = []
        self.proc = None
        self.tmp = None
        exe = shutil.which("pdftotext")
        if exe is None:
            self.problems.append("poppler's pdftotext is not installed (Debian: poppler-utils); "
                                 "the output cannot be verified")
            return
        self.tmp = tempfile.TemporaryDirectory(prefix="redactor-verify-")
        src = Path(self.tmp.name) / "out.pdf"
        src.write_bytes(data)
        cmd = [exe, "-q", *(["-upw", password] if password else []), str(src), "-"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
        if self.tmp is not None:
            self.tmp.cleanup()

    def check(self, needles) -> list[str]:
        if self.proc is None:
            return self.problems
        try:
            out, _ = self.proc.communicate(timeout=PDFTOTEXT_TIMEOUT)
        except subprocess.TimeoutExpired:
            return [f"pdftotext took more than {PDFTOTEXT_TIMEOUT} s; the output cannot be verified"]
        if self.proc.returncode != 0:
            return [f"pdftotext cannot read the output (exit code {self.proc.returncode}); it cannot be verified"]
        problems = []
        for i, text in enumerate(out.decode("utf-8", "replace").split("\f")):
            for hit in needles.found_in(text):
                problems.append(f"page {i + 1}: redacted text {hit!r} can be read by poppler (pdftotext)")
        return problems
