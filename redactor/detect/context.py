"""Context words: the words near a match that make it more, or less, likely.

A window counts *tokens* (runs of non-space characters), before or after
the match. It crosses line breaks (a label on the line above a table cell,
"Mobile⏎07700 900123"), but not a paragraph break (a blank line) nor the end
of a sentence ("...the first officer on scene. Complete form SA100": the
officer is not the form's context). A sentence ends at a full stop, "!" or
"?" after a lower-case word of four letters or more or after a digit, before
a capital (abbreviations such as "Insp." or "Tel." do not end one).
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from redactor.detect import patterns

#: Line breaks are searched as U+2028: white space to ``\s`` (so matches
#: cross lines), yet distinguishable (``\x20`` does not match it).
LINE_BREAK = "\u2028"
PARAGRAPH = regex.compile(r"\u2028[\x20\t]*\u2028")
#: the match ends its line and the next starts with a capital (see :func:`find`)
_NEW_LINE_ITEM = regex.compile(r"[\x20\t]*\u2028[\x20\t]*[\p{Lu}]", regex.V1)
SENTENCE_END = regex.compile(r"(?<=(?:\p{Ll}{4}|\d)[.!?][\"”’)]?)\s+(?=[\"“‘(]?\p{Lu})", regex.V1)
_TOKEN = regex.compile(r"\S+")
#: characters looked at per token of window (a generous upper bound)
_CHARS_PER_TOKEN = 24


class LazyPattern:
    """A pattern compiled when it is first used. Context words, negative
    context and allow-lists are looked for only near a match, and most
    rules have none on a small file: compiling every alternation up front
    (the regex module parses in Python) was a fifth of the start-up. A
    pattern made inside :func:`redactor.detect.patterns.kept` (a built-in
    pack's) is kept compiled between runs."""

    __slots__ = ("source", "flags", "keep", "_compiled")

    def __init__(self, source: str, flags: int):
        self.source, self.flags, self._compiled = source, flags, None
        self.keep = patterns.KEEP.get()

    def compiled(self) -> regex.Pattern:
        if self._compiled is None:
            self._compiled = patterns.compile(self.source, self.flags, self.keep)
        return self._compiled

    def finditer(self, *args, **kwargs):
        return self.compiled().finditer(*args, **kwargs)

    def search(self, *args, **kwargs):
        return self.compiled().search(*args, **kwargs)

    def match(self, *args, **kwargs):
        return self.compiled().match(*args, **kwargs)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)


def words_regex(phrases: Iterable[str], flags: int = regex.IGNORECASE) -> LazyPattern | None:
    """Whole-word alternation of ``phrases``; a space matches any white
    space. Compiled when first used."""
    # longest first; ties in a fixed order, so that a run compiles the same pattern as the last (patterns.py)
    alternatives = sorted(
        {r"\s+".join(regex.escape(w) for w in p.split()) for p in phrases if p.strip()}, key=lambda a: (-len(a), a)
    )
    if not alternatives:
        return None
    return LazyPattern(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", regex.V1 | flags)


def window_before(flat: str, start: int, tokens: int) -> str:
    """Up to ``tokens`` tokens before ``start``, within the paragraph."""
    lo = max(0, start - tokens * _CHARS_PER_TOKEN)
    text = flat[lo:start]
    para = list(PARAGRAPH.finditer(text)) + list(SENTENCE_END.finditer(text))
    if para:
        text = text[max(m.end() for m in para):]
    found = list(_TOKEN.finditer(text))
    if len(found) > tokens:
        text = text[found[-tokens].start():]
    return text


def window_after(flat: str, end: int, tokens: int) -> str:
    """Up to ``tokens`` tokens after ``end``, within the paragraph."""
    lead = min(end, 5)  # the sentence end may be read from the match's last characters ("...000.")
    text = flat[end - lead:end + tokens * _CHARS_PER_TOKEN]
    cuts = [m.start() for m in (PARAGRAPH.search(text, lead), SENTENCE_END.search(text, lead)) if m]
    text = text[lead:min(cuts)] if cuts else text[lead:]
    n = 0
    for m in _TOKEN.finditer(text):
        n += 1
        if n == tokens:
            return text[:m.end()]
    return text


def find(pattern: regex.Pattern | None, flat: str, start: int, end: int, tokens: int,
         side: str = "both", line_after: bool = False) -> list[str]:
    """The context words of ``pattern`` within ``tokens`` tokens of the
    match, on ``side`` ("before", "after" or "both"). ``line_after``: after
    the match, a line below that starts with a capital does not count when
    the match ends its line (a table's cell, a list's line: "Page 3 of 12"
    under a table's last number says nothing of it; a sentence wrapped on
    goes on in lower case)."""
    if pattern is None or tokens <= 0:
        return []
    words: list[str] = []
    if side in ("both", "before"):
        words += [m.group() for m in pattern.finditer(window_before(flat, start, tokens))]
    if side in ("both", "after"):
        after = window_after(flat, end, tokens)
        if line_after and _NEW_LINE_ITEM.match(after):
            after = ""
        words += [m.group() for m in pattern.finditer(after)]
    return [" ".join(w.split()) for w in words]
