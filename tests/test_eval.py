"""redactor eval: real-text scoring (TAB format, built here), Presidio beside
it when installed, the independent test phrasebook, and both phrasebooks
side by side."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from redactor.evaluate import realtext

ROOT = Path(__file__).resolve().parent.parent

TEXT = ("The applicant, Mr Nadir Kalkan, was represented by Ms K. McCLEERY, Legal Adviser.\n\n"
        "Kalkan was later released. The Zorblax company paid compensation.")


def tab_file(tmp_path: Path) -> Path:
    def ent(text, span, kind="PERSON", after=0):
        start = TEXT.index(span, after)
        return {"span_text": span, "entity_type": kind, "start_offset": start, "end_offset": start + len(span),
                "identifier_type": "DIRECT"}

    docs = [
        {"doc_id": "d1", "split": "dev", "annotator": "a", "text": TEXT,
         "entities": [ent(TEXT, "Mr Nadir Kalkan"), ent(TEXT, "Ms K. McCLEERY"), ent(TEXT, "Kalkan", after=TEXT.index("\n")),
                      ent(TEXT, "Zorblax", "ORG")]},
        {"doc_id": "d2", "split": "train", "annotator": "a", "text": "Nothing here.", "entities": []},
    ]
    path = tmp_path / "tab.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    return path


def test_mention_scores_are_computed_as_documented(tmp_path):
    docs = realtext.load(tab_file(tmp_path), "dev")
    assert [d["doc_id"] for d in docs] == ["d1"]
    mr = TEXT.index("Mr Nadir Kalkan")
    zorb = TEXT.index("Zorblax")
    # half of the first mention ("Nadir Kalka" is 11 of 15 characters), none of the others, and one wrong span
    s = realtext.score("fixed", docs, lambda text: [(mr + 3, mr + 14), (zorb, zorb + 7)])
    assert (s.mentions, s.mentions_found) == (3, 1)
    assert s.gold_covered == 11 and s.gold_chars == 15 + 14 + 6
    assert s.predicted_chars == 10 + 7 and s.predicted_inside == 10
    assert s.misses[0]["text"] == "Ms K. McCLEERY" and s.false_positives[0]["text"] == "Zorblax"


def test_eval_tab_prints_and_writes_figures(tmp_path, cli):
    code, out, err = cli("eval", "--tab", tab_file(tmp_path), "--no-presidio", "--json", tmp_path / "e.json")
    assert code == 0, err
    assert "Person mentions in real text (TAB dev split)" in out and "mention" in out
    data = json.loads((tmp_path / "e.json").read_text())["realtext"]
    ours = data["systems"]["redactor"]
    assert data["split"] == "dev" and ours["mentions"] == 3
    assert ours["mention_recall"] == 1.0 and ours["precision"] == 1.0  # "Legal Adviser" is not part of the name


def test_eval_tab_missing_file_is_an_input_error(tmp_path, cli):
    code, out, err = cli("eval", "--tab", tmp_path / "absent.jsonl")
    assert code == 3 and "absent.jsonl" in err and "Traceback" not in err


def test_eval_needs_something_to_score(cli):
    code, _, err = cli("eval")
    assert code == 2 and "corpus" in err


@pytest.mark.skipif(importlib.util.find_spec("presidio_analyzer") is None, reason="presidio-analyzer not installed")
def test_presidio_is_scored_beside_redactor(tmp_path, cli):
    from redactor.detect import nlp

    if nlp.model_name() is None:
        pytest.skip("no spaCy English pipeline installed")
    code, out, err = cli("eval", "--tab", tab_file(tmp_path), "--json", tmp_path / "e.json")
    assert code == 0, err
    systems = json.loads((tmp_path / "e.json").read_text())["realtext"]["systems"]
    assert set(systems) == {"redactor", "presidio"} and systems["presidio"]["mentions"] == 3


def _phrasebook(where: Path, seed: int, docs: int = 2) -> dict[str, dict]:
    subprocess.run([sys.executable, str(ROOT / "corpora" / "phrasebook.py"), "corpus", str(where), "--docs", str(docs),
                    "--start-seed", str(seed)], check=True, capture_output=True)
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(where.glob("*.truth.json"))}


def test_test_phrasebook_is_reproducible_and_its_truth_is_on_the_page(tmp_path):
    a = _phrasebook(tmp_path / "a", 7)
    assert a == _phrasebook(tmp_path / "b", 7)
    categories = set()
    for name, truth in a.items():
        doc = pymupdf.open(tmp_path / "a" / truth["document"])
        pages = [" ".join(p.get_text().split()) for p in doc]
        for item in truth["items"]:
            categories.add(item["category"])
            assert " ".join(item["text"].split()) in pages[item["page"] - 1], item
        for sentence in truth["neutral"]:
            assert sentence["text"] in pages[sentence["page"] - 1]
    assert "person_name" in categories and len(categories) >= 5


def test_both_phrasebooks_side_by_side(tmp_path, cli):
    _phrasebook(tmp_path / "test-phrasebook", 11)
    subprocess.run([sys.executable, str(ROOT / "corpora" / "generate.py"), "corpus", str(tmp_path / "train-phrasebook"),
                    "--split", "heldout", "--docs", "2", "--start-seed", "1000"], check=True, capture_output=True)
    code, out, err = cli("eval", tmp_path / "train-phrasebook", tmp_path / "test-phrasebook", "--no-redact",
                         "--json", tmp_path / "e.json")
    assert code == 0, err
    assert "Side by side" in out and "train-phrasebook" in out and "test-phrasebook" in out
    data = json.loads((tmp_path / "e.json").read_text())
    assert set(data["corpora"]) == {"train-phrasebook", "test-phrasebook"}
    assert "checksummed identifiers" in data["corpora"]["test-phrasebook"]["groups"]
