"""How a stream's bytes are read as text, by what the stream is.

* A CMap stream (a font's ToUnicode map) is read as what it says: its
  codes are hex (``<04d6> <04ff> <3041>``: glyphs 0x4D6-0x4FF are U+3041
  on), so a redacted number such as a collar number "3041" is in its bytes
  without being anywhere in the text. Each hex token is read as the
  UTF-16BE text it maps to; everything else (comments, names, literal
  strings) stays as it is and is searched like any stream.
* A font program (TrueType, Type 1, CFF, OpenType) is binary, and an object
  stream or a cross-reference stream is PDF syntax full of numbers (a
  CID font's widths, ``2170 [ 504 ]``): a redacted number (a collar number,
  four digits) turns up in them by chance, not as text anyone can read, so
  only redacted texts with letters are looked for there. Strings and names
  inside an object stream are read as objects anyway.
* A content stream's numeric operands are numbers, not text: a redacted
  "3905" is not in the coordinate ``268.3905``, nor in a kerning step
  ``[(P)-3905(C)] TJ`` or an integer coordinate. They are blanked before
  the stream's bytes are searched (a comment's numbers stay: bytes anyone
  reads); the strings it shows are read apart, as text.

:func:`texts` applies the first and the last to the views of a decoded
stream; :func:`numbers_by_chance` and :func:`is_numeric` say which hits the
second drops."""

from __future__ import annotations

import re

_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
#: a content stream's number (integer or real), or a comment or literal string, which stay as they are
_NUMBER = re.compile(r"(%[^\r\n]*|\((?:\\.|[^\\()])*\))|(?<![\w.#])[-+]?(?:\d+\.?\d*|\.\d+)(?![\w.])")
_OPERATORS = (b"BT", b" Tm", b" cm", b" re")


def texts(decoded: bytes, views: list[str]) -> list[str]:
    """What to search in a decoded stream whose plain ``views`` (latin-1,
    UTF-16...) the caller made: a CMap's text, or the views with a content
    stream's decimal operands blanked, or the views as they are."""
    if is_cmap(decoded):
        return [readable(decoded)]
    if is_content(decoded):
        return [without_numbers(t) for t in views]
    return views


def is_content(decoded: bytes) -> bool:
    """Looks like a content stream (drawing operators)."""
    return sum(op in decoded for op in _OPERATORS) >= 2


def without_numbers(text: str) -> str:
    """``text`` with its numbers blanked (same length), except in comments
    and literal strings."""
    return _NUMBER.sub(lambda m: m.group() if m.group(1) else " " * len(m.group()), text)


def is_numeric(hit: str) -> bool:
    """A redacted text without a letter: a number, however it is punctuated."""
    return not any(ch.isalpha() for ch in hit)


def numbers_by_chance(obj) -> bool:
    """A stream where any number may occur without being text: a font
    program, an object stream or a cross-reference stream."""
    if obj.get("/Type") in ("/ObjStm", "/XRef"):
        return True
    if any(k in obj for k in ("/Length1", "/Length2", "/Length3")):
        return True
    return obj.get("/Subtype") in ("/Type1C", "/CIDFontType0C", "/OpenType")


def is_cmap(decoded: bytes) -> bool:
    return b"begincmap" in decoded and b"endcmap" in decoded


def readable(decoded: bytes) -> str:
    """The CMap's bytes (latin-1) with every hex token replaced by the text it encodes."""
    out: list[str] = []
    last = 0
    for m in _HEX.finditer(decoded):
        out.append(decoded[last:m.start()].decode("latin-1"))
        digits = re.sub(rb"\s", b"", m.group(1))
        if len(digits) % 2:
            digits += b"0"
        raw = bytes.fromhex(digits.decode("ascii"))
        out.append(" " + raw.decode("utf-16-be", errors="replace") + " ")
        last = m.end()
    out.append(decoded[last:].decode("latin-1"))
    return "".join(out)
