"""Read PDF objects as PyMuPDF prints them (``doc.xref_object``,
``doc.xref_get_key``) into Python values, and write them back.

PyMuPDF edits a document by object number and by the text of an object;
this small reader turns that text into lists, dicts, names, numbers and
references so :mod:`redactor.redact.placements` and
:mod:`redactor.redact.pixels` can follow image and form dictionaries
without a second PDF library holding a second copy of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pymupdf


@dataclass(frozen=True)
class Ref:
    xref: int

    def __str__(self) -> str:
        return f"{self.xref} 0 R"


class Name(str):
    """A PDF name, without its slash."""

    def pdf(self) -> str:
        return "/" + self


_TOKEN = re.compile(rb"""
    (?P<ws>[\x00\t\n\x0c\r ]+|%[^\r\n]*)
  | (?P<ref>\d+\s+\d+\s+R(?![A-Za-z]))
  | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))
  | (?P<name>/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)
  | (?P<dopen><<) | (?P<dclose>>>)
  | (?P<aopen>\[) | (?P<aclose>\])
  | (?P<hex><[0-9A-Fa-f\s]*>)
  | (?P<str>\()
  | (?P<kw>true|false|null)
""", re.X)


def parse(text: str | bytes):
    """The value of one PDF object written as text."""
    data = text.encode("latin-1") if isinstance(text, str) else text
    value, _ = _value(data, 0)
    return value


def _skip(data: bytes, pos: int) -> int:
    while pos < len(data):
        m = _TOKEN.match(data, pos)
        if not m or m.lastgroup != "ws":
            return pos
        pos = m.end()
    return pos


def _value(data: bytes, pos: int):
    pos = _skip(data, pos)
    m = _TOKEN.match(data, pos)
    if not m:
        raise ValueError(f"unexpected PDF syntax at {pos}: {data[pos:pos + 20]!r}")
    kind, tok = m.lastgroup, m.group()
    if kind == "ref":
        return Ref(int(tok.split()[0])), m.end()
    if kind == "num":
        return (float(tok) if b"." in tok else int(tok)), m.end()
    if kind == "name":
        return Name(_unescape_name(tok[1:].decode("latin-1"))), m.end()
    if kind == "kw":
        return {b"true": True, b"false": False, b"null": None}[tok], m.end()
    if kind == "hex":
        digits = re.sub(rb"\s", b"", tok[1:-1])
        if len(digits) % 2:
            digits += b"0"
        return bytes.fromhex(digits.decode()), m.end()
    if kind == "str":
        return _literal(data, m.end())
    if kind == "aopen":
        out, pos = [], m.end()
        while True:
            pos = _skip(data, pos)
            if data[pos:pos + 1] == b"]":
                return out, pos + 1
            v, pos = _value(data, pos)
            out.append(v)
    if kind == "dopen":
        d, pos = {}, m.end()
        while True:
            pos = _skip(data, pos)
            if data[pos:pos + 2] == b">>":
                return d, pos + 2
            k, pos = _value(data, pos)
            v, pos = _value(data, pos)
            d[str(k)] = v
    raise ValueError(f"unexpected PDF token {tok!r}")


def _unescape_name(s: str) -> str:
    return re.sub(r"#([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), s)


_ESC = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _literal(data: bytes, pos: int) -> tuple[bytes, int]:
    out, depth = bytearray(), 1
    while pos < len(data):
        c = data[pos:pos + 1]
        if c == b"\\":
            nxt = data[pos + 1:pos + 2]
            if nxt in _ESC:
                out += _ESC[nxt]
                pos += 2
            elif nxt.isdigit():
                m = re.match(rb"[0-7]{1,3}", data[pos + 1:pos + 4])
                out.append(int(m.group(), 8) & 0xFF)
                pos += 1 + len(m.group())
            else:
                pos += 2 if nxt in (b"\n", b"\r") else 1
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), pos + 1
        out += c
        pos += 1
    raise ValueError("unterminated string")


def write(value) -> str:
    """PDF text for a value made of the types :func:`parse` returns."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, Name):
        return value.pdf()
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, (bytes, bytearray)):
        return "<" + bytes(value).hex() + ">"
    if isinstance(value, list):
        return "[" + " ".join(write(v) for v in value) + "]"
    if isinstance(value, dict):
        return "<<" + " ".join(f"/{k} {write(v)}" for k, v in value.items()) + ">>"
    if isinstance(value, str):
        return write(value.encode("latin-1", "replace"))
    raise TypeError(type(value))


def resolve(doc: pymupdf.Document, value, depth: int = 0):
    """Follow references to the direct value (a stream gives its dict)."""
    while isinstance(value, Ref) and depth < 32:
        value = obj(doc, value.xref)
        depth += 1
    return value


def obj(doc: pymupdf.Document, xref: int):
    """The object ``xref`` (a stream's dictionary for a stream)."""
    try:
        return parse(doc.xref_object(xref, compressed=True))
    except Exception:
        return None


def get(doc: pymupdf.Document, xref: int, key: str):
    """``key`` of object ``xref``, references left as :class:`Ref`."""
    kind, text = doc.xref_get_key(xref, key)
    if kind == "null":
        return None
    try:
        return parse(text)
    except ValueError:
        return None


def new_object(doc: pymupdf.Document, value, stream: bytes | None = None, compress: bool = True) -> int:
    """Add an object (a stream if ``stream`` is given); return its number."""
    xref = doc.get_new_xref()
    doc.update_object(xref, write(value))
    if stream is not None:
        doc.update_stream(xref, stream, compress=compress)
        if not compress and isinstance(value, dict):  # MuPDF drops the filters of a stream stored as given
            for key in ("Filter", "DecodeParms"):
                if value.get(key) is not None:
                    doc.xref_set_key(xref, key, write(value[key]))
    return xref
