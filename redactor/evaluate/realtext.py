"""Person names in real text: the Text Anonymization Benchmark (TAB).

TAB (Pilán et al. 2022, MIT licence) is a set of European Court of Human
Rights judgments whose entity mentions were marked by human annotators. Its
JSON-lines form has one document a line: ``doc_id``, ``split`` (train, dev,
test), ``text`` and ``entities`` (``span_text``, ``entity_type``,
``start_offset``, ``end_offset``, ``identifier_type``).

Only PERSON mentions are scored, and only findings of a person-name
category count as predictions:

* **mention recall**: the share of gold mentions with at least half of
  their characters inside predicted name spans;
* **character recall**: the share of gold mention characters covered;
* **precision**: the share of predicted name characters (spaces excluded)
  that lie inside a gold PERSON mention.

The rules were developed on the train split; figures are reported on dev.
The corpus is never copied into the repository: its path is an argument.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from redactor.errors import InputError

Span = tuple[int, int]
#: at least this share of a mention's characters must be covered
MENTION_COVERED = 0.5
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.90


@dataclass
class MentionScore:
    system: str
    documents: int = 0
    mentions: int = 0
    mentions_found: int = 0
    gold_chars: int = 0
    gold_covered: int = 0
    predicted_chars: int = 0
    predicted_inside: int = 0
    seconds: float = 0.0
    misses: list[dict] = field(default_factory=list)
    false_positives: list[dict] = field(default_factory=list)

    @property
    def mention_recall(self) -> float:
        return self.mentions_found / self.mentions if self.mentions else 1.0

    @property
    def char_recall(self) -> float:
        return self.gold_covered / self.gold_chars if self.gold_chars else 1.0

    @property
    def precision(self) -> float:
        return self.predicted_inside / self.predicted_chars if self.predicted_chars else 1.0

    def as_dict(self) -> dict:
        return {"system": self.system, "documents": self.documents, "mentions": self.mentions,
                "mentions_found": self.mentions_found, "mention_recall": round(self.mention_recall, 4),
                "char_recall": round(self.char_recall, 4), "precision": round(self.precision, 4),
                "seconds": round(self.seconds, 1), "misses": self.misses, "false_positives": self.false_positives}


def load(path: Path, split: str = "dev") -> list[dict]:
    """The documents of ``split`` ("train", "dev", "test" or "all")."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file (the Text Anonymization Benchmark in JSON lines)", path)
    docs = []
    try:
        with path.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, start=1):
                if line.strip():
                    d = json.loads(line)
                    if split == "all" or d.get("split") == split:
                        docs.append(d)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"line {line_no} is not JSON: {e}", path) from None
    if not docs:
        raise InputError(f"no documents of split {split!r}", path)
    return docs


def gold_mentions(doc: dict) -> list[Span]:
    return [(int(e["start_offset"]), int(e["end_offset"])) for e in doc.get("entities", [])
            if e.get("entity_type") == "PERSON"]


def score(system: str, docs: Iterable[dict], predict: Callable[[str], list[Span]]) -> MentionScore:
    """Score ``predict`` (text -> predicted person-name spans) on ``docs``."""
    import time

    result = MentionScore(system)
    start = time.perf_counter()
    for doc in docs:
        text = doc["text"]
        gold = gold_mentions(doc)
        predicted = predict(text)
        result.documents += 1
        covered = bytearray(len(text))
        for s, e in predicted:
            covered[s:e] = b"\x01" * (e - s)
        inside = bytearray(len(text))
        for s, e in gold:
            inside[s:e] = b"\x01" * (e - s)
            n = sum(covered[s:e])
            result.mentions += 1
            result.gold_chars += e - s
            result.gold_covered += n
            if n >= MENTION_COVERED * (e - s):
                result.mentions_found += 1
            else:
                result.misses.append({"document": doc["doc_id"], "text": text[s:e],
                                      "before": text[max(0, s - 40):s]})
        for s, e in predicted:
            chars = [i for i in range(s, e) if not text[i].isspace()]
            hit = sum(inside[i] for i in chars)
            result.predicted_chars += len(chars)
            result.predicted_inside += hit
            if hit < len(chars):
                result.false_positives.append({"document": doc["doc_id"], "text": text[s:e],
                                               "before": text[max(0, s - 40):s]})
    result.seconds = time.perf_counter() - start
    return result


def redactor_predictor(detector) -> Callable[[str], list[Span]]:
    def predict(text: str) -> list[Span]:
        return [(f.start, f.end) for f in detector.find_in_text(text) if f.category in detector.propagate]

    return predict


def presidio_predictor(model: str | None) -> tuple[Callable[[str], list[Span]] | None, str]:
    """Presidio's default analyzer with the same spaCy model, or None and
    the reason (not installed, no model)."""
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        return None, "presidio-analyzer is not installed (pip install 'redactor[compare]')"
    if model is None:
        return None, "no spaCy English pipeline is installed"
    import logging

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])

    def predict(text: str) -> list[Span]:
        return [(r.start, r.end) for r in analyzer.analyze(text=text, language="en", entities=["PERSON"])]

    return predict, f"Presidio {_version('presidio-analyzer')} default analyzer, spaCy {model}"


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def render(scores: list[MentionScore], split: str, notes: list[str] = ()):
    from rich.table import Table

    table = Table(title=f"Person mentions in real text (TAB {split} split)")
    for col in ("system", "documents", "mentions", "mention recall", "character recall", "precision", "seconds"):
        table.add_column(col, justify="left" if col == "system" else "right")
    for s in scores:
        ok = s.mention_recall >= TARGET_RECALL and s.precision >= TARGET_PRECISION
        table.add_row(s.system, str(s.documents), str(s.mentions), f"{s.mention_recall:.3f}", f"{s.char_recall:.3f}",
                      f"{s.precision:.3f}", f"{s.seconds:.1f}",
                      style=None if s.system != "redactor" else ("bold" if ok else "bold red"))
    table.caption = (f"targets for redactor: mention recall >= {TARGET_RECALL}, precision >= {TARGET_PRECISION}"
                     + "".join(f"\n{n}" for n in notes))
    return table
