"""Findings of several readings merged page by page, the primary reading's
kept on disk (issue 14): the same findings, in the same order, as merging
them all in memory (the reference below is the merge as it was written
before)."""

from __future__ import annotations

import hashlib
import random

from redactor.detect.findings import Finding
from redactor.detect.union import PRIMARY, _covered, merge
from redactor.spill import Spill


def reference(result: dict) -> list:
    kept = list(result.get(PRIMARY, []))
    for source, found in result.items():
        if source == PRIMARY:
            continue
        for f in found:
            if not f.rects or _covered(f, kept):
                continue
            f.source = source
            f.id = hashlib.sha256(f"{source}:{f.id}".encode()).hexdigest()[:12]
            kept = [k for k in kept if not (k.page == f.page and k.category == f.category and k.end > k.start
                                            and _covered(k, [f]))]
            kept.append(f)
    return kept


def _finding(rng: random.Random, n: int) -> Finding:
    page = rng.randint(1, 4)
    x, y = rng.choice((72.0, 90.0, 110.0)), rng.choice((100.0, 120.0))
    w = rng.choice((20.0, 40.0, 80.0))
    start = rng.choice((0, 5, 10))
    return Finding(page=page, start=start, end=start + rng.choice((0, 4, 9)), text=f"t{n}",
                   category=rng.choice(("person", "phone")), exemption="S40(2)", rule="r",
                   confidence=rng.choice((0.6, 0.9)), rects=[(x, y, x + w, y + 12.0)] if rng.random() > 0.1 else [])


def _case(seed: int) -> dict:
    rng = random.Random(seed)
    n = 0
    out = {}
    for source in (PRIMARY, "positional", "dehyphenated", "pdfium")[:rng.randint(1, 4)]:
        out[source] = []
        for _ in range(rng.randint(0, 12)):
            out[source].append(_finding(rng, n))
            n += 1
    return out


def test_merge_is_the_merge_in_memory():
    replaced = 0
    for seed in range(300):
        want = [f.to_dict() for f in reference(_case(seed))]
        case = _case(seed)
        case[PRIMARY] = Spill(case.get(PRIMARY, []))
        got = [f.to_dict() for f in merge(case)]
        assert got == want, seed
        replaced += any(f.text not in {w["text"] for w in want} for f in _case(seed).get(PRIMARY, []))
    assert replaced > 30  # the cases do replace primary findings by other readings'
