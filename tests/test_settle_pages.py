"""Cited authors settled a page at a time, the findings kept on disk
(citations.Settling, issue 14): the same confidences and notes as settling
them all in memory at the end (the reference below is citations.settle as
it was written before, the surname rule of "Snow White (1937)" included)."""

from __future__ import annotations

import copy
import random

from redactor.detect import citations
from redactor.detect.citations import (CITABLE_RULES, CITED_CONFIDENCE, NOTE, Settling, _words,
                                       is_cited_author, reference_entries)
from redactor.detect.findings import Finding
from redactor.spill import Spill

PROPAGATED = "s40.name.propagated"
CATEGORIES = {"person_name"}
REFERENCES = ("[1] A. Gal and M. Franz. Tracing JITs. In Proceedings of PLDI, pages 1-10. ACM Press, 2006.\n"
              "[2] M. Salib. Starkiller. In PEPM, 2004.\n"
              "[3] T. Suganuma and Snow White. Region-based compilation. ACM Transactions, 2006.\n")
NAMES = ["A. Gal", "M. Franz", "M. Salib", "T. Suganuma", "Snow White", "Gal", "Salib", "J. Smith", "Rachel Turner",
         "White"]


def reference(pages, categories, propagated_rule, known=frozenset()) -> None:
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


def _page(rng: random.Random, number: int) -> tuple[str, list[Finding]]:
    parts = [REFERENCES] if rng.random() < 0.4 else []
    parts += [f"Briefing by DS {rng.choice(NAMES)} et al. and {rng.choice(NAMES)} (2009). "
              f"Interview with {rng.choice(NAMES)}."]
    text = "\n".join(parts)
    found = []
    for name in NAMES:
        at = text.find(name)
        if at < 0 or rng.random() < 0.3:
            continue
        rule = rng.choice(sorted(CITABLE_RULES) + [PROPAGATED, "s40.name.after_rank"])
        found.append(Finding(page=number, start=at, end=at + len(name), text=name,
                             category=rng.choice(("person_name", "person_name", "phone")), exemption="S40(2)",
                             rule=rule, confidence=rng.choice((0.3, 0.6, 0.85, 0.92)), rects=[(1, 2, 3, 4)]))
    return text, found


def test_a_page_at_a_time_is_settle_at_the_end():
    lowered = kept_changed = 0
    for seed in range(400):
        rng = random.Random(seed)
        pages = [_page(rng, n) for n in range(1, rng.randint(2, 6))]
        known = {"salib"} if rng.random() < 0.3 else set()
        want = copy.deepcopy(pages)
        reference(want, CATEGORIES, PROPAGATED, known)
        # each page's findings go to disk as they are kept (some are dropped, as pages without boxes are)
        settling, kept, expect = Settling(CATEGORIES, PROPAGATED, known), Spill(), []
        for (text, found), (_, settled) in zip(copy.deepcopy(pages), want):
            settling.page(text, found)
            for f, done in zip(found, settled):
                if rng.random() < 0.8:
                    settling.keep(f)
                    kept.append(f)
                    expect.append(done)
        got = settling.settle(kept)
        assert [(f.text, f.confidence, f.note) for f in got] == [(f.text, f.confidence, f.note) for f in expect], seed
        lowered += sum(f.note == NOTE for f in expect)
        kept_changed += got is not kept
    assert lowered > 100 and kept_changed > 50  # the cases do settle names, directly cited and spread


def test_settle_in_memory_is_the_reference():
    for seed in range(200):
        rng = random.Random(seed)
        pages = [_page(rng, n) for n in range(1, rng.randint(2, 6))]
        want, got = copy.deepcopy(pages), copy.deepcopy(pages)
        reference(want, CATEGORIES, PROPAGATED, {"gal"})
        citations.settle(got, CATEGORIES, PROPAGATED, {"gal"})
        assert [[(f.confidence, f.note) for f in fs] for _, fs in got] == \
            [[(f.confidence, f.note) for f in fs] for _, fs in want], seed
