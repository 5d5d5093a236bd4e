"""How a release names a document: its file's name less what was redacted in it.

A file is often named after the person it is about ("Statement of DC
Jonathan Pemberton-Smythe.docx"). Whatever is redacted inside a document is
masked in the names the release shows: the schedule's document column and
title, the PDF's title and, in a batch, the output's path. Words are matched
as verification reads them: case-insensitively, whatever separates them in a
file name ("Jonathan_Pemberton-Smythe", "jonathan.pemberton").
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

import regex

from redactor.output import NAME_MAX, cut_to_bytes

MASK = "[redacted]"
#: a redacted text with fewer letters and digits than this is not looked for in names
MIN_CHARS = 2
#: one with at least this many is masked wherever it stands, inside a longer word too ("jsmith_notes",
#: "Smith2"); a shorter one where a word could start or end ("PC4521", "AnnLee", "Lee_notes")
ANYWHERE = 5

_WORD = regex.compile(r"[^\W_]+")
#: where a word may start or end in a file name: beside a separator, or where letters turn into digits
#: or back, or lower case into upper ("JohnSmith", "JSmith")
_EDGE = r"(?-i:(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L}))"
_START = rf"(?:(?<![^\W_])|{_EDGE})"
_END = rf"(?:(?![^\W_])|{_EDGE})"


def masker(texts: Iterable[str], variants: Iterable[str] = ()) -> "Mask":
    """A function that masks ``texts`` (redacted texts) and ``variants``
    (surnames of redacted names) in a name: as words, however a file name
    separates or joins them (:data:`ANYWHERE`), in any case and Unicode
    form (a Mac's file names are decomposed: "Zoë" as "Zoe" and a diaeresis)."""
    forms: dict[str, str] = {}  # pattern -> its letters and digits, case folded (what a name must hold for it)
    for t in [*texts, *variants]:
        words = _WORD.findall(unicodedata.normalize("NFC", t or ""))
        chars = sum(map(len, words))
        if chars < MIN_CHARS:
            continue
        # as written, and a name surname first, as records name files ("SMITH_John", "Smith, John")
        for order in [words] + ([words[-1:] + words[:-1]] if 2 <= len(words) <= 3 else []):
            body = r"[\W_]*".join(regex.escape(w) for w in order)
            forms[body if chars >= ANYWHERE else f"{_START}{body}{_END}"] = "".join(order).casefold()
    return Mask(forms)


def _squeezed(name: str) -> str:
    return "".join(_WORD.findall(name)).casefold()


class Mask:
    """Masks a name (called); :meth:`found`: what it masks there. A
    document's redacted texts are many (a book's, thousands) and the names
    few and short: a name is matched against the texts its letters hold,
    compiled when met."""

    def __init__(self, forms: dict[str, str]):
        self.forms = forms

    def _rx(self, name: str):
        held = _squeezed(name)
        wanted = tuple(sorted((f for f, letters in self.forms.items() if letters in held), key=len, reverse=True))
        return _compiled(wanted) if wanted else None

    def __call__(self, name: str) -> str:
        name = unicodedata.normalize("NFC", name)
        rx = self._rx(name)
        return rx.sub(MASK, name) if rx is not None else name

    def found(self, name: str) -> list[str]:
        """The parts of ``name`` (NFC) it masks, as written there."""
        name = unicodedata.normalize("NFC", name)
        rx = self._rx(name)
        return [m.group() for m in rx.finditer(name)] if rx is not None else []


@functools.lru_cache(maxsize=256)
def _compiled(forms: tuple[str, ...]):
    return regex.compile("|".join(forms), regex.IGNORECASE | regex.FULLCASE | regex.V1)


def mask_words(name: str, words: Iterable[str]) -> str:
    """``name`` (NFC) with every occurrence of these very words (parts of
    it, as :meth:`Mask.found` gave them) masked, overlapping ones as one,
    and cut short to fit a file system."""
    name = unicodedata.normalize("NFC", name)
    spans = sorted((i, i + len(w)) for w in {w for w in words if w} for i in _occurrences(name, w))
    out, at = [], 0
    for start, end in spans:
        if start < at:  # overlaps the last: one mask for both
            continue
        stop = end
        for s2, e2 in spans:
            if start <= s2 < stop:
                stop = max(stop, e2)
        out += [name[at:start], MASK]
        at = stop
    return _fit(("".join(out) + name[at:]) if spans else name, "")


def _occurrences(hay: str, needle: str) -> list[int]:
    found, i = [], hay.find(needle)
    while i >= 0:
        found.append(i)
        i = hay.find(needle, i + 1)
    return found


def masked(name: str, masks: Iterable[Callable[[str], str] | None]) -> str:
    """``name`` masked by each of ``masks`` (the documents of a bundle: an
    e-mail's attachments are named beside the e-mail)."""
    for mask in masks:
        if mask is not None:
            name = mask(name)
    return name


def masked_path(path: str, masks: Iterable[Callable[[str], str] | None]) -> str:
    """A relative path (``a/b/c.pdf``) with every folder's name and the file's
    name (less its suffix) masked by each of ``masks``."""
    masks = list(masks)
    parts = PurePosixPath(path).parts
    out = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        stem, suffix = (PurePosixPath(part).stem, PurePosixPath(part).suffix) if last else (part, "")
        out.append(_fit(masked(stem, masks), suffix))
    return PurePosixPath(*out).as_posix() if out else path




def _fit(stem: str, suffix: str) -> str:
    """``stem + suffix``, the stem cut short where a mask made the name longer
    than a file system allows."""
    return cut_to_bytes(stem, NAME_MAX - len(suffix.encode("utf-8"))) + suffix


def numbered(path: str, n: int, stem: str | None = None) -> str:
    """``path`` with " (n)" after ``stem``, the start of its file name (its
    stem unless given): "x.pdf" -> "x (2).pdf", "x.attachment-1.pdf" with
    stem "x" -> "x (2).attachment-1.pdf". As it is for n 1, or a file name
    that does not start with ``stem``."""
    p = PurePosixPath(path)
    stem = p.stem if stem is None else stem
    if n == 1 or not p.name.startswith(stem):
        return path
    return (p.parent / f"{stem} ({n}){p.name[len(stem):]}").as_posix()


def unclaimed(rel: str, claimed: set[str]) -> str:
    """``rel``, or ``rel`` numbered ("x (2).redacted.pdf") where an earlier
    release of the bundle took that name; the name is then claimed."""
    name = PurePosixPath(rel).name
    stem = name[: -len(".redacted.pdf")] if name.endswith(".redacted.pdf") else PurePosixPath(rel).stem
    n, out = 1, rel
    while out.casefold() in claimed:
        n += 1
        out = numbered(rel, n, stem)
    claimed.add(out.casefold())
    return out
