"""A value redacted once is redacted wherever it stands.

Many rules need the words around a value to tell what it is: a call sign
after "call sign" or under a "Call sign" header, a talkgroup after "TG", a
shoulder number after a rank. The same value elsewhere in the document, or
in another document of the bundle, with nothing around it ("TANGO 21 will
hold the outer cordon"), is the same secret, and verification looks for
every redacted text across the whole file: left there, it failed the file
(exit 4). So each value found (not a person's name: names are spread in
their own forms, :mod:`redactor.detect.names`) is looked for as verification
looks for it (a whole word; in any case, or as written where the finding
says so; white space as it comes) in every reading of every document, and
where no finding covers it yet one is made with the first one's category,
exemption and confidence (rule :data:`RULE`); it keeps the reading it was
found in (``Finding.source``).

Values verification does not search for are not spread either: shorter
than :data:`redactor.verify.needles.MIN_SEARCH_CHARS` letters and digits
(the same constant),
found only in context (``Finding.searched``), or hidden under a box someone
drew over it (whatever was there, not a value found as such).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from redactor.detect.engine import placed
from redactor.detect.findings import Finding
from redactor.text.page import PageText, is_covered
from redactor.verify.needles import MIN_SEARCH_CHARS  # (spread what verification searches for, no less)

RULE = "values.propagated"
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Value:
    text: str  #: as found, white space squeezed
    fold_case: bool
    category: str
    exemption: str
    confidence: float


def values_of(findings: Iterable[Finding], skip_categories: set[str]) -> dict[tuple[str, bool], Value]:
    """The values to spread, one per text (the most confident finding's), of
    the findings of every reading of every document (``skip_categories``:
    names, which are spread in their own forms)."""
    out: dict[tuple[str, bool], Value] = {}
    for f in findings:
        if (f.category in skip_categories or f.category == "photograph" or not f.searched or f.rule == RULE
                or f.end <= f.start or is_covered(f.hidden)):
            continue  # (text hidden under a box someone drew is whatever was there: not a value as such)
        text = " ".join(f.text.split())
        if sum(ch.isalnum() for ch in text) < MIN_SEARCH_CHARS:
            continue
        key = (text.casefold() if f.fold_case else text, f.fold_case)
        old = out.get(key)
        if old is None or f.confidence > old.confidence:
            out[key] = Value(text, f.fold_case, f.category, f.exemption, f.confidence)
    return out


class Spreader:
    """Finds the values' other occurrences in pages of text."""

    def __init__(self, values: dict[tuple[str, bool], Value]):
        self.values = list(values.values())
        self._by_word: dict[str, list[int]] = {}  # a value's first word, case folded -> values
        for k, v in enumerate(self.values):
            self._by_word.setdefault(_TOKEN.search(v.text).group().casefold(), []).append(k)
        self._patterns: dict[int, re.Pattern] = {}

    def _pattern(self, k: int) -> re.Pattern:
        p = self._patterns.get(k)
        if p is None:
            v = self.values[k]
            body = r"\s+".join(re.escape(w) for w in v.text.split())
            p = self._patterns[k] = re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE if v.fold_case else 0)
        return p

    def matches(self, page: PageText) -> Iterator[tuple[int, int, Value]]:
        """(start, end, value) of each occurrence on ``page``."""
        text = page.text
        wanted = {k for w in set(_TOKEN.findall(text.casefold())) for k in self._by_word.get(w, ())}
        for k in sorted(wanted):
            for m in self._pattern(k).finditer(text):
                yield m.start(), m.end(), self.values[k]


def spread(detector, readings: Iterable[Sequence[PageText]], values: dict[tuple[str, bool], Value],
           found: Iterable[Finding]) -> list[Finding]:
    """A finding for each occurrence of the values in ``readings`` (the
    pages of each reading of one document) but those ``found`` there already
    (the same characters of the same reading). The caller merges them as another
    reading's (:func:`redactor.detect.union.merge`): those that lie where a
    finding stands are dropped, those that cover a smaller one of the same
    category replace it."""
    if not values:
        return []
    spreader = Spreader(values)
    known = {(f.source or "mupdf", f.page, f.start, f.end) for f in found}
    new: list[Finding] = []
    for pages in readings:
        for page in pages:
            for start, end, v in spreader.matches(page):
                if (page.source, page.number, start, end) in known:
                    continue
                f = detector._finding(page.text, page.number, start, end, v.category, v.exemption, RULE,
                                      v.confidence, fold_case=v.fold_case)
                if placed(f, page):
                    new.append(f)
    return new
