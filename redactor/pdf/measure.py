"""How wide a string is in one of the standard 14 fonts, remembered.

PyMuPDF's ``get_text_length`` walks the string glyph by glyph in Python
and multiplies the sum of advances by the size at the end; labels, the
phrases screen readers hear and OCR's words are measured many times over
(every box, every size tried). The sum for a size of 1 is kept and scaled:
the same arithmetic, so the same float, as asking PyMuPDF each time.
"""

from __future__ import annotations

import functools

import pymupdf


@functools.lru_cache(maxsize=8192)
def _unit_length(text: str, fontname: str) -> float:
    return pymupdf.get_text_length(text, fontname=fontname, fontsize=1.0)


def text_length(text: str, fontname: str = "helv", fontsize: float = 11.0) -> float:
    """``pymupdf.get_text_length(text, fontname, fontsize)``."""
    return _unit_length(text, fontname) * fontsize
