"""How a release names a document: its file's name less what was redacted in it.

A file is often named after the person it is about ("Statement of DC
Jonathan Pemberton-Smythe.docx"). Whatever is redacted inside a document is
masked in the names the release shows: the schedule's document column and
title, the PDF's title and, in a batch, the output's path. Words are matched
as verification reads them: case-insensitively, whatever separates them in a
file name ("Jonathan_Pemberton-Smythe", "jonathan.pemberton").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

import regex

MASK = "[redacted]"
#: a redacted text with fewer letters and digits than this is not looked for in names
MIN_CHARS = 2

_WORD = regex.compile(r"[^\W_]+")


def masker(texts: Iterable[str], variants: Iterable[str] = ()) -> Callable[[str], str]:
    """A function that masks ``texts`` (redacted texts) and ``variants``
    (surnames of redacted names) wherever they stand as whole words in a
    name."""
    forms = set()
    for t in [*texts, *variants]:
        words = _WORD.findall(t or "")
        if sum(map(len, words)) >= MIN_CHARS:
            forms.add(r"[\W_]*".join(regex.escape(w) for w in words))
    if not forms:
        return _same
    rx = regex.compile(r"(?<![^\W_])(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")(?![^\W_])",
                       regex.IGNORECASE | regex.FULLCASE | regex.V1)
    return lambda name: rx.sub(MASK, name)


def _same(name: str) -> str:
    return name


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
        out.append(masked(stem, masks) + suffix)
    return PurePosixPath(*out).as_posix() if out else path
