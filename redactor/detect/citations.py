"""Names cited as the authors of published works.

A name in a bibliographic reference ("[6] A. Aho, R. Sethi, J. Ullman, and
M. Lam. Compilers: Principles, techniques, and tools, 2006."), given with
its year ("Chuttur M.Y. (2009). ...") or cited in the text ("Gal et al.")
is the author of something published: their authorship is public, and
releasing it is rarely unfair to them (section 40(2)). Such a finding
stays in the plan for a reviewer to accept, at a confidence below what
``redact`` applies unreviewed, with a note saying why.

A reference is recognised by its shape, not by a name: a numbered entry
("[12]") that holds a year and a word of publishing (proceedings, press,
journal, pp., ISBN, ...), an author given with a year in brackets, or a
name followed by "et al.". An officer's name in a briefing has none of
these around it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import regex

from redactor.detect.findings import Finding
from redactor.spill import Spill

#: the confidence of a cited author's name: below RunOptions.min_confidence
CITED_CONFIDENCE = 0.45
NOTE = ("cited as an author of a published work (a bibliographic reference): proposed for review, "
        "not redacted unless accepted")

_ET_AL = regex.compile(r"\s*(?:et\.?\s*al\b|and\s+colleagues\b)", regex.IGNORECASE)
_YEAR_AFTER = regex.compile(r"[\s,]*\((?:1[89]\d\d|20\d\d)[a-z]?\)\s*[.,:;]")
_MARKER = regex.compile(r"(?:^|(?<=\s))\[\d{1,3}\](?=\s)")
_YEAR = regex.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)")
_PUBLISHED = regex.compile(
    r"\b(?:proceedings|proc\.|conference|symposium|workshop|journal|transactions|press|publish(?:ing|ers?)|"
    r"pp\.|vol\.|isbn|issn|doi|arxiv|thesis|dissertation|edition|eds?\.|in:|notices|letters|lecture notes)",
    regex.IGNORECASE)
#: how far an entry of a reference list reaches after its "[n]"
_ENTRY = 400
#: a reference list has at least this many dated entries
MIN_ENTRIES = 3
#: the rules whose names may be cited authors: a name after a rank, a title
#: or a role ("DS Mark Hollis", "Mr. Fong") is never taken for one
CITABLE_RULES = frozenset({"s40.name.initials_surname", "s40.name.initials", "s40.name.ner"})


def reference_entries(text: str) -> list[tuple[int, int]]:
    """The entries of a numbered reference list in ``text``: each "[n]" up to
    the next, or to the end of the line of its year; only where at least
    three entries hold a year, two of them with words of publishing too."""
    marks = [m.start() for m in _MARKER.finditer(text)]
    if len(marks) < MIN_ENTRIES:
        return []
    entries, dated, published = [], 0, 0
    for a, b in zip(marks, marks[1:] + [len(text)]):
        year = _YEAR.search(text, a, min(b, a + _ENTRY))
        # an entry ends at the next, or with the line of its year (of its "[n]" if it has none)
        line_end = text.find("\n", year.end() if year else a)
        end = min(b, line_end if line_end >= 0 else len(text), a + _ENTRY)
        entries.append((a, end))
        dated += bool(year)
        published += bool(year and _PUBLISHED.search(text, a, end))
    return entries if dated >= MIN_ENTRIES and published >= 2 else []


def is_cited_author(text: str, start: int, end: int, entries: list[tuple[int, int]] | None = None) -> bool:
    """Is ``text[start:end]`` (a name) an author in a bibliographic
    reference or an in-text citation? ``entries``: :func:`reference_entries`
    of ``text``, when the caller has them."""
    after = text[end:end + 40]
    if _ET_AL.match(after) or _YEAR_AFTER.match(after):
        return True
    if entries is None:
        entries = reference_entries(text)
    return any(a <= start and end <= b for a, b in entries)


def _words(name: str) -> set[str]:
    return {w.strip(".,").lower() for w in name.split() if len(w.strip(".,")) > 1}


def settle(pages: Iterable[tuple[str, list[Finding]]], categories: set[str], propagated_rule: str,
           known: set[str] = frozenset()) -> None:
    """Lower the confidence of the names that are cited authors, across one
    document (each page's text with its findings). A name found directly as
    a cited author is one unless the same name, or its surname, is also
    found elsewhere as something else ("J. Smith et al." after "PC J.
    Smith"; "Snow White (1937)" after "White v. Nolan"); a name spread
    from others (propagation) is one when all the names it comes from are
    ("Salib (17) designed ..." after "[17] M. Salib. ... 2004."). ``known``:
    words of names known as cited authors only from another reading of the
    document (:func:`cited_words`). (:class:`Settling` does the same a page
    at a time, for findings kept on disk.)"""
    settling = Settling(categories, propagated_rule, known)
    held = []
    for text, found in pages:
        settling.page(text, found)
        held += [(f, settling.kind(f)) for f in found]
    only = settling.only()
    for f, kind in held:
        settling.lower(f, kind, only)


#: what :class:`Settling` knows of a finding: nothing to settle, a name
#: found directly as a cited author, a name spread from others
NONE, CITED, SPREAD = 0, 1, 2


class Settling:
    """:func:`settle` for a document read a page at a time, whose findings
    are kept on disk as they are made (memory flat in pages, issue 14):
    :meth:`page` with each page's text and findings, :meth:`keep` with each
    finding kept, in order, then :meth:`settle` with all of them."""

    def __init__(self, categories: set[str], propagated_rule: str, known: set[str] = frozenset()) -> None:
        self.categories, self.propagated_rule, self.known = categories, propagated_rule, set(known)
        self.direct: set[str] = set()  #: words of names found directly as cited authors
        self.other: set[str] = set()  #: words of names found directly as something else
        self._page: dict[int, int] = {}  # id of a finding of the page last read -> its kind
        self._held: list[Finding] = []  # (those findings: their ids stay theirs)
        self._kinds = array("b")  # the kind of each finding kept, in order

    def page(self, text: str, found: list[Finding]) -> None:
        """Take one page's text and findings (names spread included)."""
        self._page, self._held = {}, [f for f in found if f.category in self.categories
                                      and f.confidence > CITED_CONFIDENCE]
        entries = None
        for f in self._held:
            if f.rule == self.propagated_rule:
                self._page[id(f)] = SPREAD
                continue
            if f.rule in CITABLE_RULES:
                if entries is None:
                    entries = reference_entries(text)
                if is_cited_author(text, f.start, f.end, entries):
                    self._page[id(f)] = CITED
                    self.direct |= _words(f.text)
                    continue
            self.other |= _words(f.text)

    def kind(self, finding: Finding) -> int:
        """What is to be settled of a finding of the page last read."""
        return self._page.get(id(finding), NONE)

    def keep(self, finding: Finding) -> None:
        """``finding`` (of the page last read) is the next one kept."""
        self._kinds.append(self.kind(finding))

    def only(self) -> set[str]:
        """Words of names known as cited authors only."""
        return (self.direct | self.known) - self.other

    def lower(self, f: Finding, kind: int, only: set[str]) -> None:
        """Lower ``f``'s confidence if it is a cited author's name."""
        # a cited name whose surname is found as something else is kept too ("Snow White (1937)" when a
        # White is a party to a case elsewhere: that White's surname is spread to every White, this one included)
        if kind == CITED and not (_words(f.text) <= self.other or _words(f.text.split()[-1]) & self.other):
            f.confidence, f.note = CITED_CONFIDENCE, NOTE
        elif kind == SPREAD and only and _words(f.text) <= only:
            f.confidence, f.note = CITED_CONFIDENCE, NOTE

    def settle(self, kept: Spill) -> Spill:
        """The findings kept (given to :meth:`keep`, in order), settled: a
        new spill if any has to change, else ``kept``."""
        only = self.only()
        if CITED not in self._kinds and not only:
            return kept  # (no name is a cited author's)
        out = Spill()
        for f, kind in zip(kept, self._kinds):
            self.lower(f, kind, only)
            out.append(f)
        return out


def cited_words(findings: Iterable[Finding], categories: set[str], propagated_rule: str) -> set[str]:
    """The words of the names found, directly, only as cited authors."""
    cited, other = set(), set()
    for f in findings:
        if f.category in categories and f.rule != propagated_rule:
            (cited if f.note == NOTE else other).update(_words(f.text))
    return cited - other
