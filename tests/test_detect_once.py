"""Names found in one pass of detection are looked for in a second pass
(across a bundle's documents, or when another reading found a name the
primary one did not): the second pass must not read every page again
(rules and NER were the largest share of a long book's time), nor spread
names again on a page that may hold no more names than in the first pass
(a regex of its names built and run per page). Counted on generated
documents: each page of each reading is read once, names are spread again
only where new names may be, and the findings are exactly those of doing
it all again."""

from __future__ import annotations

import sys
from pathlib import Path

import pymupdf
import pytest

from redactor.detect.engine import Detector
from redactor.detect.rulepack import load_packs
from redactor.detect.union import find_in_views
from redactor.text.views import read_views

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))
import generate  # noqa: E402


class Counting(Detector):
    """Counts how often each page of each reading is read by the rules."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads: dict[tuple, int] = {}
        self.spreads = 0

    def _propagated(self, *args, **kwargs):
        self.spreads += 1
        return super()._propagated(*args, **kwargs)

    def find_in_text(self, text, page=0, doc=None, propagate=True, language=None):
        key = (page, text)
        self.reads[key] = self.reads.get(key, 0) + 1
        return super().find_in_text(text, page, doc, propagate, language)


class NoMemo(Detector):
    """The reference: every pass reads every page again."""

    def find_in_pages(self, pages, known_names=None, languages=None, memo=None):
        return super().find_in_pages(pages, known_names, languages)


def _key(found):
    return sorted((f.page, f.start, f.end, f.rule, f.category, round(f.confidence, 6), f.text, f.id,
                   f.source or "", tuple(tuple(round(v, 3) for v in r) for r in f.rects), f.hidden or "",
                   f.context_before, f.context_after, f.fold_case) for f in found)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    where = tmp_path_factory.mktemp("detect-once")
    views = []
    for i, kind in enumerate(["briefing", "report"]):
        pdf = where / f"d{i}.pdf"
        generate.build(pdf, kind, 5100 + i, "heldout")
        doc = pymupdf.open(pdf)
        views.append(read_views(doc, doc.tobytes()))
    return views


def test_a_bundle_is_read_once_per_page_and_reading(bundle):
    packs = load_packs()
    counting = Counting(packs, use_nlp=False)
    got = find_in_views(counting, bundle)
    texts = [p for v in bundle for p in v.primary + v.extra]
    assert len(texts) >= 6 and counting.reads, "the documents hold too little to count on"
    # a bundle always takes the second pass (names shared across documents): still one read per page
    assert max(counting.reads.values()) == 1, f"{sum(counting.reads.values())} reads of {len(counting.reads)} texts"
    # names are spread on every page in the first pass; in the second only where the other document's names may be
    assert len(texts) < counting.spreads < 2 * len(texts)
    reference = find_in_views(NoMemo(packs, use_nlp=False), bundle)
    assert [_key(f) for f in got] == [_key(f) for f in reference]
    assert sum(len(f) for f in got) > 10, "nothing found: the comparison would prove nothing"


def test_the_count_sees_a_second_read(bundle):
    """The guard can fail: without the memo every page is read twice."""
    class Twice(Counting, NoMemo):
        pass

    twice = Twice(load_packs(), use_nlp=False)
    find_in_views(twice, bundle)
    assert max(twice.reads.values()) == 2
    assert twice.spreads == 2 * sum(len(v.primary) + len(v.extra) for v in bundle)
