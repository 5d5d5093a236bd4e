"""Consistency flags a reviewer of a release would want raised.

Each flag names the items it is about and says what to check; none is a
verdict (a text may rightly be withheld in one place and released in
another, a senior officer's name may rightly be withheld).

* ``left_readable``: the same text redacted in one place and left readable
  in another (a reviewer rejected it there);
* ``two_exemptions``: the same text redacted under two different exemptions;
* ``no_review``: redactions no person decided on (``redactor redact``, or
  ``--accept-above``: the reviewer is ``auto (...)`` or missing);
* ``senior_s40``: section 40 redactions of a name that the log itself marks
  as a senior officer (a rank at or above a threshold, Superintendent by
  default) or a public-facing role (a spokesperson, a press officer...);
* ``no_harm_note``: section 31 or 24 items (prejudice-based, qualified
  exemptions) with no note of the harm;
* ``withheld_section``: a page withheld in full whose notice cites a
  different section from the items found on it.

The same flags are raised on a log (``redactor audit``: :func:`items_from_log`)
and on a plan (the desk's Audit view: :func:`items_from_plan`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from redactor.account.provenance import AREA_RULE, COVERED, PAGE_RULE, TERM_RULE
from redactor.detect.findings import normalise
from redactor.errors import UsageError

#: Sections whose items need a note of the harm (the prejudice test).
HARM_SECTIONS = ("31", "24")


@dataclass
class Item:
    """One redaction, from a log or a plan."""

    key: str  #: log: the entry id; plan: "DOC:ID", "DOC:area-N", "DOC:page-N", "term-N"
    document: str
    page: int
    kind: str  #: "text", "area", "page", "covered" (a finding on a withheld page), "term"
    text: str
    category: str
    exemption: str
    rule: str
    confidence: float = 1.0
    reviewer: str | None = None
    decided_at: str | None = None
    note: str | None = None
    before: str = ""
    after: str = ""
    rects: list = field(default_factory=list)  #: boxes as drawn in the release (log) or marked (plan)
    found: list = field(default_factory=list)  #: where the text is in the original (log: as found)
    d: int = 0  #: the document's index (plan)
    n: int = 0  #: its number in the report, from 1

    @property
    def manual(self) -> bool:
        return self.rule in (AREA_RULE, PAGE_RULE)

    def where(self) -> str:
        return f"page {self.page}" if self.page else "every page (term)"

    def label(self) -> str:
        what = self.text or {"area": "an area", "page": "the whole page"}.get(self.kind, self.category)
        return f"#{self.n} ({what!s:.40}, {self.where()})" if self.n else f"{what!s:.40} ({self.where()})"


@dataclass
class Flag:
    kind: str
    title: str
    message: str
    items: list[str]  #: keys of the items it is about
    pages: list[int] = field(default_factory=list)  #: left_readable: where the text is readable

    def to_dict(self) -> dict:
        return asdict(self)


# --- ranks and roles -----------------------------------------------------------------------

#: UK police ranks, lowest first; a level each (the Met's and the county forces' side by side).
RANKS: list[tuple[str, int, tuple[str, ...], tuple[str, ...]]] = [
    # name, level, words (any case), abbreviations (as written)
    ("Constable", 0, ("police constable", "detective constable", "special constable", "constable"),
     ("PC", "DC", "TDC", "SC", "PCSO", "Det Con")),
    ("Sergeant", 1, ("police sergeant", "detective sergeant", "special sergeant", "sergeant"),
     ("PS", "DS", "TDS", "Sgt", "Det Sgt")),
    ("Inspector", 2, ("detective inspector", "inspector"), ("Insp", "DI")),
    ("Chief Inspector", 3, ("detective chief inspector", "chief inspector"), ("DCI", "CI", "C/Insp", "Ch Insp")),
    ("Superintendent", 4, ("detective superintendent", "superintendent"), ("Supt", "Det Supt", "DSupt", "DSU")),
    ("Chief Superintendent", 5, ("detective chief superintendent", "chief superintendent"),
     ("Ch Supt", "Ch. Supt", "C/Supt", "DCS", "Chief Supt")),
    ("Commander", 6, ("assistant chief constable", "commander"), ("ACC", "Cdr")),
    ("Deputy Assistant Commissioner", 7, ("deputy assistant commissioner", "deputy chief constable"), ("DAC", "DCC")),
    ("Assistant Commissioner", 8, ("assistant commissioner", "chief constable"), ("AC", "CC")),
    ("Commissioner", 9, ("deputy commissioner", "commissioner"), ()),
]
DEFAULT_SENIOR = "Superintendent"

#: Roles that face the public whatever the rank.
PUBLIC_ROLES = ("spokesperson", "spokesman", "spokeswoman", "press officer", "media officer", "head of media",
                "communications officer", "head of communications", "press enquiries", "media enquiries",
                "police and crime commissioner", "chief executive", "chief officer")


def _rank_regex():
    alts = []
    for name, level, words, abbrevs in RANKS:
        for w in words:
            alts.append((len(w), r"(?i:" + r"\s+".join(map(re.escape, w.split())) + ")", name, level))
        for a in abbrevs:
            alts.append((len(a), r"\s*".join(map(re.escape, a.split())) + r"\.?", name, level))
    alts.sort(key=lambda a: -a[0])
    return alts


_ALTS = _rank_regex()
_RANK_AT_END = re.compile(r"\b(?:" + "|".join(f"(?P<r{i}>{a[1]})" for i, a in enumerate(_ALTS)) + r")[\s:,]*$")
_RANK_AFTER = re.compile(r"^[\s,(]*(?:" + "|".join(f"(?P<r{i}>{a[1]})" for i, a in enumerate(_ALTS)) + r")\b")
_PUBLIC = re.compile(r"\b(" + "|".join(re.escape(r) for r in PUBLIC_ROLES) + r")\b", re.I)


def rank_level(name: str) -> int:
    """The level of a rank named in words or as an abbreviation (UsageError if unknown)."""
    wanted = " ".join(name.split()).casefold()
    for rank, level, words, abbrevs in RANKS:
        if wanted in (rank.casefold(), *words, *(a.casefold() for a in abbrevs)):
            return level
    raise UsageError(f"'{name}' is not a police rank redactor knows (from {RANKS[0][0]} to {RANKS[-1][0]})")


def _match(rx, text: str) -> tuple[str, int] | None:
    m = rx.search(text)
    if not m:
        return None
    i = int(next(k for k, v in m.groupdict().items() if v)[1:])
    return m.group(0).strip(" ,:()"), _ALTS[i][3]


def role_of(item: Item) -> tuple[str, int | None, bool]:
    """(the words that say it, rank level or None, public-facing) from the
    words just before the name, the name itself and just after it."""
    before = " ".join(item.before.split()[-8:])
    hit = _match(_RANK_AT_END, before) or _match(_RANK_AFTER, item.after)
    public = _PUBLIC.search(" ".join(item.before.split()[-6:]) + " | " + " ".join(item.after.split()[:6]))
    words = hit[0] if hit else ""
    if public:
        words = f"{words}; {public.group(1)}" if words else public.group(1)
    return words, (hit[1] if hit else None), bool(public)


# --- the flags ---------------------------------------------------------------------------------

def _section(exemption: str) -> str:
    m = re.match(r"\s*[Ss](?:ection)?\s*(\d+)", exemption or "")
    return m.group(1) if m else (exemption or "")


def _names(items: list[Item]) -> str:
    shown = ", ".join(i.label() for i in items[:8])
    return shown + (f" and {len(items) - 8} more" if len(items) > 8 else "")


def _is_auto(reviewer: str | None) -> bool:
    return not reviewer or reviewer.strip().lower().startswith("auto")


def raise_flags(items: list[Item], left: dict[str, list[int]], senior: int | None = None) -> list[Flag]:
    """``left``: texts left readable (as written) -> the pages where they are
    readable (empty if not known). ``senior``: the lowest senior rank level."""
    senior = rank_level(DEFAULT_SENIOR) if senior is None else senior
    flags: list[Flag] = []
    texts = [i for i in items if i.text and i.kind in ("text", "covered", "term")]
    by_text: dict[str, list[Item]] = defaultdict(list)
    for i in texts:
        by_text[normalise(i.text)].append(i)

    # the same text redacted in one place and left readable in another
    for text, pages in sorted(left.items()):
        same = by_text.get(normalise(text), [])
        if same:
            where = f"on page{'s' if len(pages) > 1 else ''} {', '.join(map(str, pages))}" if pages else "elsewhere"
            flags.append(Flag("left_readable", "Redacted here, left readable elsewhere",
                              f"{text!r} is redacted in {_names(same)} and left readable {where}: check that both "
                              "decisions hold.", [i.key for i in same], sorted(pages)))

    # the same text under two exemptions
    for text, group in sorted(by_text.items()):
        exemptions = sorted({i.exemption for i in group})
        if len(exemptions) > 1:
            flags.append(Flag("two_exemptions", "Same text, different exemptions",
                              f"{group[0].text!r} is redacted under {' and '.join(exemptions)} ({_names(group)}): "
                              "check which applies.", [i.key for i in group]))

    # no reviewer decision
    auto = [i for i in items if _is_auto(i.reviewer) and i.kind != "covered"]
    if auto:
        who = sorted({i.reviewer or "no reviewer recorded" for i in auto})
        flags.append(Flag("no_review", "No reviewer decision",
                          f"{len(auto)} redaction{'s were' if len(auto) != 1 else ' was'} applied without a person's "
                          f"decision ({'; '.join(who)}): {_names(auto)}.", [i.key for i in auto]))

    # s40 names of senior or public-facing people, as the log itself marks them
    marked: dict[str, tuple[str, Item]] = {}
    for i in texts:
        words, level, public = role_of(i)
        if (level is not None and level >= senior) or public:
            marked.setdefault(normalise(i.text), (words, i))
    for name, (words, seen) in sorted(marked.items()):
        group = [i for i in by_text.get(name, []) if _section(i.exemption) == "40"]
        surname = name.split()[-1] if len(name.split()) > 1 else None
        if surname:
            group += [i for i in by_text.get(surname, []) if _section(i.exemption) == "40"]
        if group:
            flags.append(Flag("senior_s40", "Section 40 and a senior or public-facing role",
                              f"{seen.text!r} is marked as {words!r} on page {seen.page} and redacted under section 40 "
                              f"in {_names(group)}: check whether the name of a senior or public-facing person "
                              "should be withheld.", [i.key for i in group]))

    # s31 and s24 with no note of the harm
    page_notes = {(i.document, i.page) for i in items if i.kind == "page" and (i.note or "").strip()}
    for section in HARM_SECTIONS:
        bare = [i for i in items if _section(i.exemption) == section and not (i.note or "").strip()
                and not (i.kind == "covered" and (i.document, i.page) in page_notes)]
        if bare:
            flags.append(Flag("no_harm_note", f"Section {section}: no note of the harm",
                              f"{len(bare)} item{'s' if len(bare) != 1 else ''} under section {section} "
                              f"{'have' if len(bare) != 1 else 'has'} no note of the harm that disclosure would "
                              f"cause: {_names(bare)}.", [i.key for i in bare]))

    # a withheld page whose notice cites another section than its items
    for page in (i for i in items if i.kind == "page"):
        other = [i for i in items if i.kind == "covered" and i.document == page.document and i.page == page.page
                 and _section(i.exemption) != _section(page.exemption)]
        if other:
            cited = sorted({f"section {_section(i.exemption)}" for i in other})
            flags.append(Flag("withheld_section", "Withheld page: notice and items differ",
                              f"page {page.page} is withheld under section {_section(page.exemption)}, but "
                              f"{_names(other)} on it {'were' if len(other) != 1 else 'was'} found under "
                              f"{' and '.join(cited)}: check the section the notice cites.",
                              [page.key] + [i.key for i in other]))
    return flags


# --- items from a log, items from a plan ----------------------------------------------------------

def kind_of(entry: dict) -> str:
    rule = entry.get("rule")
    if rule == PAGE_RULE:
        return "page"
    if rule == AREA_RULE:
        return "area"
    if entry.get("decision") == COVERED:
        return "covered"
    return "text"


def _str(v, default: str | None = "") -> str | None:
    return v if isinstance(v, str) else default


def _rects(v) -> list:
    ok = isinstance(v, list) and all(isinstance(r, list) and len(r) == 4 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in r) for r in v)
    return v if ok else []


def items_from_log(header: dict, entries: list[dict]) -> list[Item]:
    """Items of a log whose records passed ``redactions_from_log`` (page,
    rects, text, exemption); other fields of an odd type are read as absent."""
    from redactor.account.reopen import split_context

    out = []
    for n, e in enumerate(entries, start=1):
        text = _str(e.get("text"))
        before, after = split_context(_str(e.get("context")), text)
        found = e.get("found") if isinstance(e.get("found"), dict) else {}
        conf = e.get("confidence")
        out.append(Item(key=str(e.get("id") or n), document=_str(e.get("document")) or _str(header.get("document")),
                        page=e["page"], kind=kind_of(e), text=text, category=_str(e.get("category")),
                        exemption=_str(e.get("exemption")), rule=_str(e.get("rule")),
                        confidence=float(conf) if isinstance(conf, (int, float)) and not isinstance(conf, bool) else 1.0,
                        reviewer=_str(e.get("reviewer"), None), decided_at=_str(e.get("decided_at"), None),
                        note=_str(e.get("note"), None), before=before, after=after, rects=_rects(e.get("rects")),
                        found=_rects(found.get("rects")) or _rects(e.get("rects")), n=n))
    return out


def items_from_plan(plan) -> tuple[list[Item], dict[str, list[int]]]:
    """Accepted findings, manual marks and terms of a plan, and the texts of
    its rejected findings with their pages."""
    from pathlib import Path

    items: list[Item] = []
    left: dict[str, set[int]] = defaultdict(set)
    for d, doc in enumerate(plan.documents):
        name = doc.converted.name if doc.converted is not None else Path(doc.path).name
        withheld = {m.page for m in doc.manual if m.kind == "page"}
        for f in doc.findings:
            if f.status == "rejected":
                left[f.text].add(f.page)
                continue
            if f.status != "accepted":
                continue
            items.append(Item(key=f"{d}:{f.id}", document=name, page=f.page,
                              kind="covered" if f.page in withheld else "text", text=f.text, category=f.category,
                              exemption=f.exemption, rule=f.rule, confidence=f.confidence, reviewer=f.reviewer,
                              decided_at=f.decided_at, note=f.note, before=f.context_before, after=f.context_after,
                              rects=f.rects, d=d))
        for i, m in enumerate(doc.manual):
            items.append(Item(key=f"{d}:{m.kind}-{i + 1}", document=name, page=m.page, kind=m.kind, text="",
                              category=m.category, exemption=m.exemption,
                              rule=AREA_RULE if m.kind == "area" else PAGE_RULE, reviewer=m.reviewer,
                              decided_at=m.decided_at, note=m.note,
                              rects=[m.rect] if m.kind == "area" else [], d=d))
    for i, t in enumerate(plan.terms):
        items.append(Item(key=f"term-{i + 1}", document="", page=0, kind="term", text=t.text, category=t.category,
                          exemption=t.exemption, rule=TERM_RULE, reviewer=t.reviewer, decided_at=t.decided_at,
                          note=t.note))
    for n, item in enumerate(items, start=1):
        item.n = n
    return items, {t: sorted(p) for t, p in left.items()}
