"""NER's parses are made in batches across a document's pages and used as
they come (issue 14: memory flat in pages, spaCy's batching): the findings
must be exactly those of parsing each page on its own, on a generated
corpus. A control shows NER finds something there (the comparison is not
vacuous) and that the comparison sees pages left without NER."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from redactor.detect import nlp
from redactor.detect.engine import Detector
from redactor.detect.rulepack import load_packs
from redactor.text.mupdf import extract_document

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))
import generate  # noqa: E402


class OnePageAtATime(Detector):
    """The reference: each page parsed by itself, all parses made first."""

    def _nlp_docs(self, texts):
        return iter([self.nlp(t) if self.nlp is not None else None for t in texts])


class LastPageSkipped(OnePageAtATime):
    """A wrong shortcut: no NER on each document's last page."""

    def _nlp_docs(self, texts):
        docs = list(super()._nlp_docs(texts))
        return iter(docs[:-1] + [self.nlp("")])  # an empty parse: no entities (None would parse the page)


def _key(findings):
    return sorted((f.page, f.start, f.end, f.rule, f.category, round(f.confidence, 6), f.text) for f in findings)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[list]:
    if nlp.model_name() is None:
        pytest.skip("no spaCy English pipeline installed")
    where = tmp_path_factory.mktemp("ner-corpus")
    docs = []
    for i, kind in enumerate(["briefing", "report", "briefing", "report"]):
        pdf = where / f"d{i}.pdf"
        generate.build(pdf, kind, 4200 + i, "heldout")
        docs.append(extract_document(pymupdf.open(pdf)))
    return docs


def _model() -> str:
    """By name: another test may leave the default's cached load as "none"."""
    return nlp.model_name()


def test_batched_ner_finds_exactly_what_per_page_ner_finds(corpus):
    packs = load_packs()
    batched, reference = Detector(packs, nlp_model=_model()), OnePageAtATime(packs, nlp_model=_model())
    rules_only = Detector(packs, use_nlp=False)
    assert batched.nlp is not None
    ner_found = 0
    for pages in corpus:
        got = _key(batched.find_in_pages(pages))
        assert got == _key(reference.find_in_pages(pages))
        ner_found += len(set(got) - set(_key(rules_only.find_in_pages(pages))))
    assert ner_found > 0, "NER added nothing on this corpus: the comparison would prove nothing"


def test_the_comparison_sees_pages_left_without_ner(corpus):
    packs = load_packs()
    reference, shortcut = OnePageAtATime(packs, nlp_model=_model()), LastPageSkipped(packs, nlp_model=_model())
    assert any(_key(reference.find_in_pages(p)) != _key(shortcut.find_in_pages(p)) for p in corpus)


def test_nlp_batches_hold_few_long_pages_and_keep_the_order():
    """32 slides go to spaCy at once, long pages a few at a time (a batch of
    32 book pages held twice the memory), and texts are taken as they are
    wanted (a document's pages are not all read first)."""
    from redactor.detect.engine import nlp_batches

    texts = ["a" * 100] * 40 + ["b" * 20_000] + ["c" * 5_000] * 5
    taken = []

    def lazily():
        for t in texts:
            taken.append(t)
            yield t

    batches = nlp_batches(lazily(), most=32, chars=16_000)
    first = next(batches)
    assert len(first) == 32 and len(taken) == 33
    rest = list(batches)
    assert [len(b) for b in [first, *rest]] == [32, 8, 1, 3, 2]
    assert [t for b in [first, *rest] for t in b] == texts
