"""How well detection and redaction do on a generated corpus with ground
truth (``corpora/generate.py``, the train phrasebook; ``corpora/phrasebook.py``,
the independent test phrasebook).

Two measures:

* **findings**: a truth item is found when a finding on the same page with
  the same exemption covers it or lies inside it (span match by text);
  precision counts findings that match no truth item as false positives.
* **redacted PDF**: each document is redacted; a truth item is *leaked* if
  its text can still be read on its page, and a non-sensitive sentence is
  *kept* if it is still whole on its page. Items of fewer than four letters
  and digits cannot be searched for on a page and are left out of "leaked".
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pymupdf
import regex

from redactor.detect.engine import Detector
from redactor.errors import RedactorError
from redactor.ingest.document import open_pdf
from redactor.text.mupdf import extract_document
from redactor.detect.findings import normalise as _norm
from redactor.pipeline import RunOptions, redact_found

#: Groups the README reports, with the recall each must reach.
STRUCTURED = ("phone", "email", "postcode", "ni_number", "nhs_number", "vrm")
CHECKSUMMED = ("nhs_number", "ni_number")
GROUPS = {
    "structured identifiers": (lambda item: item["category"] in STRUCTURED, 0.99),
    "checksummed identifiers": (lambda item: bool(item.get("checksummed")) or item["category"] in CHECKSUMMED, 0.99),
    "person names": (lambda item: item["category"] == "person_name", 0.97),
    "s31/s24 items": (lambda item: item["exemption"].startswith(("S31", "S24")), 0.95),
}
NEUTRAL_TARGET = 0.97
OVERALL_TARGET = 0.97


def score_findings(result: "EvalResult", name: str, items: list[dict], found: list, same) -> Callable:
    """Count ``found`` against the truth ``items`` of document ``name``
    (``same(truth_text, found_text)``: the finding covers the item); misses
    and false positives are listed. Returns the counter, for what is
    scored after redaction."""

    def bump(item: dict, attr: str, n: int = 1) -> None:
        for counts in [result.categories[item["category"]], result.overall] + [
                result.groups[g] for g, (member, _) in GROUPS.items() if member(item)]:
            setattr(counts, attr, getattr(counts, attr) + n)

    for item in items:
        bump(item, "truth")
        if any(f.page == item["page"] and f.exemption == item["exemption"] and same(item["text"], f.text)
               for f in found):
            bump(item, "found")
        else:
            result.misses.append({"document": name, **item})
    for f in found:
        as_item = {"category": f.category, "exemption": f.exemption}
        bump(as_item, "findings")
        if any(f.page == i["page"] and f.exemption == i["exemption"] and same(i["text"], f.text) for i in items):
            bump(as_item, "true_findings")
        else:
            result.false_positives.append({"document": name, "page": f.page, "text": f.text,
                                           "category": f.category, "rule": f.rule})
    return bump


def _covers(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return bool(a and b) and (a in b or b in a)


@dataclass
class Counts:
    truth: int = 0
    found: int = 0
    findings: int = 0
    true_findings: int = 0
    checked: int = 0
    leaked: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def unreadable(self) -> float:
        return 1 - self.leaked / self.checked if self.checked else 1.0

    def as_dict(self) -> dict:
        return {"truth": self.truth, "found": self.found, "findings": self.findings,
                "true_findings": self.true_findings, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "redacted_checked": self.checked, "redacted_leaked": self.leaked,
                "redacted_unreadable": round(self.unreadable, 4)}


@dataclass
class EvalResult:
    documents: int = 0
    pages: int = 0
    categories: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    groups: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    overall: Counts = field(default_factory=Counts)
    neutral: int = 0
    neutral_kept: int = 0
    misses: list[dict] = field(default_factory=list)
    false_positives: list[dict] = field(default_factory=list)
    leaks: list[dict] = field(default_factory=list)
    broken: list[dict] = field(default_factory=list)
    #: documents `redact` refused (verification failed): their redacted PDF
    #: could not be scored, so their items and sentences are left out of
    #: "unreadable" and "kept whole"
    refused: list[dict] = field(default_factory=list)

    @property
    def neutral_rate(self) -> float:
        return self.neutral_kept / self.neutral if self.neutral else 1.0

    def as_dict(self) -> dict:
        return {
            "documents": self.documents, "pages": self.pages,
            "overall": self.overall.as_dict(),
            "groups": {g: {**c.as_dict(), "target_recall": GROUPS[g][1]} for g, c in self.groups.items()},
            "categories": {k: v.as_dict() for k, v in sorted(self.categories.items())},
            "neutral_sentences": {"total": self.neutral, "kept_whole": self.neutral_kept,
                                  "rate": round(self.neutral_rate, 4), "target": NEUTRAL_TARGET},
            "misses": self.misses, "false_positives": self.false_positives,
            "leaks": self.leaks, "broken_sentences": self.broken, "refused": self.refused,
        }


def evaluate(corpus: Path, detector: Detector, redact: bool = True) -> EvalResult:
    truths = sorted(Path(corpus).glob("*.truth.json"))
    if not truths:
        from redactor.errors import InputError

        raise InputError("no *.truth.json files (generate a corpus with corpora/generate.py)", corpus)
    result = EvalResult()
    with tempfile.TemporaryDirectory(prefix="redactor-eval-") as tmp:
        for truth_path in truths:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            pdf = truth_path.with_name(truth["document"])
            _evaluate_document(pdf, truth, detector, result, Path(tmp) if redact else None)
    return result


def _evaluate_document(pdf: Path, truth: dict, detector: Detector, result: EvalResult, tmp: Path | None) -> None:
    doc = open_pdf(pdf)
    result.documents += 1
    result.pages += doc.page_count
    extracted = extract_document(doc.doc)
    found = [f for f in detector.find_in_pages(extracted) if f.category != "photograph"]
    items = truth["items"]

    bump = score_findings(result, pdf.name, items, found, lambda truth, text: _covers(text, truth))
    if tmp is None:
        return
    out = tmp / pdf.name
    try:
        redact_found(doc, found, out, RunOptions(log_path=tmp / (pdf.stem + ".log"),
                                                 schedule_path=tmp / (pdf.stem + ".csv"), internal_in_release=True),
                     detector.pack_versions, extracted)
    except RedactorError as e:
        result.refused.append({"document": pdf.name, "reason": str(e)})
        return
    redacted = pymupdf.open(out)
    flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP
    pages = [_norm(p.get_text("text", flags=flags, clip=pymupdf.INFINITE_RECT())) for p in redacted]
    for item in items:
        if sum(ch.isalnum() for ch in item["text"]) < 4:
            continue
        bump(item, "checked")
        rx = regex.compile(r"(?<!\w)" + regex.escape(_norm(item["text"])) + r"(?!\w)")
        if rx.search(pages[item["page"] - 1]):
            bump(item, "leaked")
            result.leaks.append({"document": pdf.name, **item})
    for sentence in truth.get("neutral", []):
        result.neutral += 1
        if _norm(sentence["text"]) in pages[sentence["page"] - 1]:
            result.neutral_kept += 1
        else:
            result.broken.append({"document": pdf.name, **sentence})


def render_table(result: EvalResult, title: str = "redactor eval"):
    """A rich table of the result."""
    from rich.table import Table

    table = Table(title=f"{title}: {result.documents} documents, {result.pages} pages")
    for col in ("category", "truth", "findings", "precision", "recall", "F1", "unreadable after redaction"):
        table.add_column(col, justify="left" if col == "category" else "right")

    def row(name: str, c: Counts, style: str | None = None) -> None:
        table.add_row(name, str(c.truth), str(c.findings), f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                      f"{c.unreadable:.3f} ({c.checked - c.leaked}/{c.checked})" if c.checked else "-", style=style)

    for name, c in sorted(result.categories.items()):
        row(name, c)
    table.add_section()
    for name, c in result.groups.items():
        target = GROUPS[name][1]
        row(f"{name} (recall target {target})", c, style="bold" if c.recall >= target else "bold red")
    row(f"overall (recall target {OVERALL_TARGET})", result.overall,
        style="bold" if result.overall.recall >= OVERALL_TARGET else "bold red")
    return table


def render_side_by_side(results: dict[str, EvalResult], redacted: bool = True):
    """Recall (and precision) of each group, one column per corpus."""
    from rich.table import Table

    table = Table(title="Side by side: recall / precision of findings")
    table.add_column("group (recall target)")
    for name in results:
        table.add_column(name, justify="right")
    names = list(GROUPS) + ["overall"]
    for g in names:
        target = GROUPS[g][1] if g in GROUPS else OVERALL_TARGET
        cells = []
        for r in results.values():
            c = r.overall if g == "overall" else r.groups.get(g)
            if c is None or not c.truth:
                cells.append("-")
            else:
                mark = "" if c.recall >= target else " (below)"
                cells.append(f"{c.recall:.3f} / {c.precision:.3f}  n={c.truth}{mark}")
        table.add_row(f"{g} ({target})", *cells)
    if redacted:
        table.add_row(f"control sentences kept whole ({NEUTRAL_TARGET})",
                      *[f"{r.neutral_rate:.3f}  n={r.neutral}" for r in results.values()])
        table.add_row("documents refused by redact", *[str(len(r.refused)) for r in results.values()])
    return table
