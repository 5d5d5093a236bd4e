"""Lines of text on PDF pages built here, read the way redactor reads them,
and what a detector finds in them (the detection precision tests)."""

from __future__ import annotations

import pymupdf

from redactor.text.mupdf import extract_page


def pdf_pages(*lines_per_page, fontsize: float = 11):
    doc = pymupdf.open()
    for lines in lines_per_page:
        page = doc.new_page()
        for i, line in enumerate(lines):
            page.insert_text((72, 72 + 16 * i), line, fontsize=fontsize)
    return [extract_page(p) for p in doc]


def found(detector, *lines) -> list[tuple[str, str]]:
    """(text, category) of each finding on one page holding ``lines``."""
    return [(f.text, f.category) for f in detector.find_in_pages(pdf_pages(list(lines)))]
