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

_BASE = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP
#: checks.py reads MuPDF's text with /ActualText honoured; here the glyphs
#: themselves. Letter-spaced words are read whole by the positional join.
MUPDF_VIEWS = {
    "MuPDF (glyphs, no ActualText)": _BASE | pymupdf.TEXT_IGNORE_ACTUALTEXT,
}


def check_views(doc: pymupdf.Document, data: bytes, needles, password: str | None = None
                ) -> tuple[list[str], list[str]]:
    """Problems: redacted text readable in some view of some page; and
    PDFium's text of each page (for :mod:`redactor.verify.pixels`)."""
    if not needles:
        return [], []
    problems: list[str] = []
    poppler = _Pdftotext(data, password)

    def report(page: int, view: str, text: str) -> None:
        for hit in needles.found_in(text):
            problems.append(f"page {page}: redacted text {hit!r} can be read by {view}")

    try:
        return _read_views(doc, data, needles, password, report, problems, poppler)
    finally:
        poppler.close()


def _read_views(doc, data, needles, password, report, problems, poppler):
    for page in doc:
        n = page.number + 1
        for view, flags in MUPDF_VIEWS.items():
            text = page.get_text("text", flags=flags, clip=pymupdf.INFINITE_RECT())
            report(n, view, text)
            joined = _HYPHENATED.sub(r"\1\2", text)
            if joined != text:
                report(n, view + ", hyphenated words joined", joined)
        report(n, "a positional reading (glyphs by baseline, left to right)", positional_join(page))
    pdfium_problems, texts = _pdfium(data, needles, password)
    problems += pdfium_problems
    problems += poppler.check(needles)
    return problems, texts


def positional_join(page: pymupdf.Page) -> str:
    """Per baseline, the glyphs left to right, with no spaces at all."""
    rows: dict[tuple, list[tuple[float, str]]] = {}
    for span in page.get_texttrace():
        dx, dy = span.get("dir", (1.0, 0.0))
        for u, _g, origin, _bbox in span.get("chars", ()):
            if u == 32:
                continue
            # position along and across the line's direction
            along = origin[0] * dx + origin[1] * dy
            across = -origin[0] * dy + origin[1] * dx
            key = (round(dx, 2), round(dy, 2), round(across))
            rows.setdefault(key, []).append((along, chr(u) if 0 < u < 0x110000 else "?"))
    return "\n".join("".join(ch for _, ch in sorted(row)) for _, row in sorted(rows.items()))


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
