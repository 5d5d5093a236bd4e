"""Every text view of the output, each checked on its own.

Written apart from :mod:`redactor.text` (no extraction code is shared), so
that a mistake in how detection reads a page is not repeated here:

* MuPDF with /ActualText replacing glyphs, and without it;
* MuPDF with spaces inhibited (letter-spaced words come out whole);
* a positional join of MuPDF's text trace: per baseline, glyphs sorted by
  x and joined without any spaces (reverse-drawn and kerned-apart glyphs);
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
MUPDF_VIEWS = {
    "MuPDF (ActualText)": _BASE & ~pymupdf.TEXT_IGNORE_ACTUALTEXT,
    "MuPDF (glyphs, no ActualText)": _BASE | pymupdf.TEXT_IGNORE_ACTUALTEXT,
    "MuPDF (no spaces)": _BASE | pymupdf.TEXT_INHIBIT_SPACES | pymupdf.TEXT_IGNORE_ACTUALTEXT,
}


def check_views(doc: pymupdf.Document, data: bytes, needles, password: str | None = None) -> list[str]:
    """Problems: redacted text readable in some view of some page."""
    if not needles:
        return []
    problems: list[str] = []

    def report(page: int, view: str, text: str) -> None:
        for hit in needles.found_in(text):
            problems.append(f"page {page}: redacted text {hit!r} can be read by {view}")

    for page in doc:
        n = page.number + 1
        for view, flags in MUPDF_VIEWS.items():
            text = page.get_text("text", flags=flags, clip=pymupdf.INFINITE_RECT())
            report(n, view, text)
            joined = _HYPHENATED.sub(r"\1\2", text)
            if joined != text:
                report(n, view + ", hyphenated words joined", joined)
        report(n, "a positional reading (glyphs by baseline, left to right)", positional_join(page))
    problems += _pdfium(data, needles, password)
    problems += _pdftotext(data, needles, password)
    return problems


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


def _pdfium(data: bytes, needles, password: str | None) -> list[str]:
    import pypdfium2 as pdfium

    problems = []
    try:
        pdf = pdfium.PdfDocument(data, password=password)
    except Exception as e:
        return [f"PDFium cannot open the output ({e}); it cannot be verified"]
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            try:
                text = tp.get_text_range()
            finally:
                tp.close()
                page.close()
            for hit in needles.found_in(text):
                problems.append(f"page {i + 1}: redacted text {hit!r} can be read by PDFium")
    finally:
        pdf.close()
    return problems


def _pdftotext(data: bytes, needles, password: str | None) -> list[str]:
    exe = shutil.which("pdftotext")
    if exe is None:
        return ["poppler's pdftotext is not installed (Debian: poppler-utils); the output cannot be verified"]
    problems = []
    with tempfile.TemporaryDirectory(prefix="redactor-verify-") as tmp:
        src = Path(tmp) / "out.pdf"
        src.write_bytes(data)
        for mode, args in (("pdftotext", []), ("pdftotext -raw", ["-raw"])):
            cmd = [exe, "-q", *args, *(["-upw", password] if password else []), str(src), "-"]
            try:
                done = subprocess.run(cmd, capture_output=True, timeout=PDFTOTEXT_TIMEOUT)
            except subprocess.TimeoutExpired:
                problems.append(f"{mode} took more than {PDFTOTEXT_TIMEOUT} s; the output cannot be verified")
                continue
            if done.returncode != 0:
                problems.append(f"{mode} cannot read the output (exit code {done.returncode}); it cannot be verified")
                continue
            for i, text in enumerate(done.stdout.decode("utf-8", "replace").split("\f")):
                for hit in needles.found_in(text):
                    problems.append(f"page {i + 1}: redacted text {hit!r} can be read by poppler ({mode})")
    return problems
