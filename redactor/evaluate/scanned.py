"""``redactor eval`` on a scanned corpus (``corpora/scan.py``): the same
scores as :mod:`redactor.evaluate`, measured the way a person reads a scan.

* **findings**: a truth item is found when a finding on its page with its
  exemption matches its text, allowing one misread character in six (OCR
  reads "0" for "O"); items of fewer than four letters and digits must
  match exactly. Findings that match no item count against precision.
* **unreadable after redaction**: each document is redacted (``redact``,
  OCR on, text layer on), every page of the output is rendered at 300 dpi
  and read with Tesseract, and its text layer is extracted; an item is
  leaked if either still holds it (the same fuzzy match, stricter for
  short items). Items of fewer than four letters and digits are left out.
* **kept control sentences**: a non-sensitive sentence is kept if OCR of
  the redacted page still reads it (one error in eight characters).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pymupdf
import regex

from redactor.detect.engine import Detector
from redactor.errors import VerificationError
from redactor.evaluate import EvalResult
from redactor.evaluate.corpus import score_findings
from redactor.ingest.document import open_pdf
from redactor.pipeline import RunOptions, redact_found
from redactor.text.ocr import hooks, tesseract
from redactor.text.ocr.select import OcrOptions

#: Targets of the scanned split (README): recall by resolution, and after redaction.
TARGETS = {"structured identifiers": {300: 0.97}, "overall": {300: 0.95, 150: 0.90}}
NEUTRAL_TARGET = 0.97
READ_DPI = 300


def is_scanned(corpus: Path) -> bool:
    for t in sorted(Path(corpus).glob("*.truth.json"))[:5]:
        if "scan" in json.loads(t.read_text(encoding="utf-8")):
            return True
    return False


def _alnum(s: str) -> str:
    return "".join(ch for ch in s.casefold() if ch.isalnum())


def matches(truth: str, found: str) -> bool:
    """A finding's text stands for a truth item (fuzzy, see module doc)."""
    t, f = _alnum(truth), _alnum(found)
    if not t or not f:
        return False
    if len(t) < 4:
        return t == f or (t in f and len(f) <= len(t) + 2)
    k = max(1, len(t) // 6)
    return bool(regex.search(f"(?:{regex.escape(t)}){{e<={k}}}", f)) or \
        bool(len(f) >= 4 and regex.search(f"(?:{regex.escape(f)}){{e<={max(1, len(f) // 6)}}}", t)
             and len(f) >= 0.6 * len(t))


def readable(text: str, hay: str, per: int = 6) -> bool:
    t = _alnum(text)
    k = len(t) // per
    return bool(regex.search(f"(?:{regex.escape(t)}){{e<={k}}}", _alnum(hay)))


def evaluate(corpus: Path, detector: Detector, redact: bool = True, ocr: OcrOptions | None = None) -> EvalResult:
    truths = sorted(Path(corpus).glob("*.truth.json"))
    result = EvalResult()
    result.unreadable_pages = []  # type: ignore[attr-defined]
    result.after_redaction = {"found_checked": 0, "found_leaked": 0,  # type: ignore[attr-defined]
                              "neutral_readable_before": 0, "verification_failed": []}
    with tempfile.TemporaryDirectory(prefix="redactor-eval-scan-") as tmp:
        for truth_path in truths:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            pdf = truth_path.with_name(truth["document"])
            _document(pdf, truth, detector, result, Path(tmp) if redact else None, ocr or OcrOptions())
    return result


def _document(pdf: Path, truth: dict, detector: Detector, result: EvalResult, tmp: Path | None,
              ocr: OcrOptions) -> None:
    doc = open_pdf(pdf)
    result.documents += 1
    result.pages += doc.page_count
    pages, read = hooks.read(doc, ocr)
    found = [f for f in detector.find_in_pages(pages) if f.category != "photograph"]
    hooks.widen(found, pages)
    result.unreadable_pages += [{"document": pdf.name, "page": u.page, "reason": u.reason}  # type: ignore
                                for u in read.unreadable]
    items = truth["items"]

    bump = score_findings(result, pdf.name, items, found, matches)
    if tmp is None:
        return
    out = tmp / pdf.name
    options = RunOptions(log_path=tmp / (pdf.stem + ".log"), schedule_path=tmp / (pdf.stem + ".csv"), ocr=ocr)
    try:
        redact_found(doc, found, out, options, detector.pack_versions, pages, read)
    except VerificationError as e:  # not released: say so, and score nothing after redaction for it
        result.after_redaction["verification_failed"].append(  # type: ignore[attr-defined]
            {"document": pdf.name, "problems": e.problems[:5]})
        return
    redacted = pymupdf.open(out)
    seen = [read_page(page) for page in redacted]
    layer = [page.get_text() for page in redacted]
    before = [read_page(page) for page in doc.doc] if truth.get("neutral") else []
    for item in items:
        if len(_alnum(item["text"])) < 4:
            continue
        bump(item, "checked")
        n = item["page"] - 1
        was_found = not any(m is item or m == {"document": pdf.name, **item} for m in result.misses)
        stats = result.after_redaction  # type: ignore[attr-defined]
        stats["found_checked"] += was_found
        if readable(item["text"], seen[n]) or readable(item["text"], layer[n]):
            bump(item, "leaked")
            stats["found_leaked"] += was_found
            result.leaks.append({"document": pdf.name, "found": was_found, **item})
    for sentence in truth.get("neutral", []):
        result.neutral += 1
        n = sentence["page"] - 1
        result.after_redaction["neutral_readable_before"] += readable(sentence["text"], before[n], per=8)  # type: ignore
        if readable(sentence["text"], seen[n], per=8):
            result.neutral_kept += 1
        else:
            result.broken.append({"document": pdf.name, **sentence})


def read_page(page: pymupdf.Page) -> str:
    """What Tesseract reads on a rendered page, turned upright first if it
    reads poorly and orientation detection says so (as a person turns a page)."""
    png = page.get_pixmap(dpi=READ_DPI, colorspace=pymupdf.csGRAY).tobytes("png")
    words = tesseract.ocr_image(png, dpi=READ_DPI)
    confs = [w.conf for w in words if any(ch.isalnum() for ch in w.text)]
    if len(confs) < 3 or sum(confs) / len(confs) < 0.75:
        rot, conf = tesseract.orientation(png)
        if rot and conf >= 1.0:
            turned = page.get_pixmap(colorspace=pymupdf.csGRAY,
                                     matrix=pymupdf.Matrix(READ_DPI / 72, READ_DPI / 72).prerotate(rot))
            words = tesseract.ocr_image(turned.tobytes("png"), dpi=READ_DPI)
    return " ".join(w.text for w in words)


def targets_text(result: EvalResult, dpi: int | None) -> list[str]:
    """Lines saying whether each target of the scanned split is met."""
    lines = []
    for name, by_dpi in TARGETS.items():
        c = result.overall if name == "overall" else result.groups.get(name)
        if c is None or dpi not in by_dpi:
            continue
        target = by_dpi[dpi]
        lines.append(f"{name} recall at {dpi} dpi: {c.recall:.3f} (target {target}: "
                     f"{'ok' if c.recall >= target else 'NOT MET'})")
    if result.overall.checked:
        lines.append(f"unreadable after redaction, all items: {result.overall.unreadable:.3f} "
                     f"({result.overall.checked - result.overall.leaked}/{result.overall.checked}; items never "
                     f"found are readable; target 1.000: {'ok' if result.overall.leaked == 0 else 'NOT MET'})")
        a = getattr(result, "after_redaction", None)
        if a and a["found_checked"]:
            rate = 1 - a["found_leaked"] / a["found_checked"]
            lines.append(f"unreadable after redaction, items found: {rate:.3f} "
                         f"({a['found_checked'] - a['found_leaked']}/{a['found_checked']})")
        for v in (a or {}).get("verification_failed", []):
            lines.append(f"verification failed (not released, not scored after redaction): {v['document']}: "
                         f"{v['problems'][0] if v['problems'] else ''}")
        if a and result.neutral:
            lines.append(f"control sentences readable by OCR before redaction: {a['neutral_readable_before']}/"
                         f"{result.neutral}; after: {result.neutral_kept}/{result.neutral} "
                         f"(target 0.97: {'ok' if result.neutral_rate >= NEUTRAL_TARGET else 'NOT MET'})")
    return lines


def corpus_dpi(corpus: Path) -> int | None:
    dpis = set()
    for t in Path(corpus).glob("*.truth.json"):
        scan = json.loads(t.read_text(encoding="utf-8")).get("scan") or {}
        if "dpi" in scan:
            dpis.add(scan["dpi"])
    return dpis.pop() if len(dpis) == 1 else None
