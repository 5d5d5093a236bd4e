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

from collections.abc import Iterable

import regex

from redactor.detect.findings import Finding

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
    document (:func:`cited_words`)."""
    pages = [(text, [f for f in found if f.category in categories and f.confidence > CITED_CONFIDENCE])
             for text, found in pages]
    cited, direct, other = [], set(), set()
    for text, found in pages:
        entries = reference_entries(text)
        for f in found:
            if f.rule == propagated_rule:
                continue
            if f.rule in CITABLE_RULES and is_cited_author(text, f.start, f.end, entries):
                cited.append(f)
                direct |= _words(f.text)
            else:
                other |= _words(f.text)
    only = (direct | set(known)) - other
    for f in cited:
        words = _words(f.text)
        # its surname found as something else keeps it too ("Snow White (1937)" when a White is a party to
        # a case elsewhere: that White's surname is spread to every White, this one included)
        if not (words <= other or _words(f.text.split()[-1]) & other):
            f.confidence, f.note = CITED_CONFIDENCE, NOTE
    for _, found in pages:
        for f in found:
            if f.rule == propagated_rule and only and _words(f.text) <= only:
                f.confidence, f.note = CITED_CONFIDENCE, NOTE


def cited_words(findings: Iterable[Finding], categories: set[str], propagated_rule: str) -> set[str]:
    """The words of the names found, directly, only as cited authors."""
    cited, other = set(), set()
    for f in findings:
        if f.category in categories and f.rule != propagated_rule:
            (cited if f.note == NOTE else other).update(_words(f.text))
    return cited - other
