"""A CMap stream (a font's ToUnicode map) read as what it says.

Its codes are hex (``<04d6> <04ff> <3041>``: glyphs 0x4D6-0x4FF are U+3041
on), so a redacted number such as a collar number "3041" is in its bytes
without being anywhere in the text. Each hex token is read as the UTF-16BE
text it maps to; everything else (comments, names, literal strings) stays
as it is and is searched like any stream.
"""

from __future__ import annotations

import re

_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


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
