"""The steps of a run, in order: open, extract, detect, apply, sanitise,
verify, and only then put the output in place and write log and schedule.

The output is written to a temporary file beside its destination and renamed
into place after it verifies; on any failure the temporary file is removed,
nothing is left at the destination, and the input is never opened for
writing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import audit
from .apply import ApplyOptions, Box, redact
from .detect import Detector
from .document import Document, Limits, open_pdf, sha256_file
from .errors import InputError, OutputError, UsageError, VerificationError
from .extract import PageText, extract_document
from .findings import Finding
from .plan import Plan, PlanDocument
from .sanitize import SanitizeOptions, sanitize
from .verify import Redaction, verify_file


@dataclass
class RunOptions:
    password: str | None = None
    limits: Limits = field(default_factory=Limits)
    apply: ApplyOptions = field(default_factory=ApplyOptions)
    sanitize: SanitizeOptions = field(default_factory=SanitizeOptions)
    log_path: Path | None = None
    schedule_path: Path | None = None
    #: findings below this are proposals for review (photographs, weak
    #: matches): `redact` does not apply them, `apply` only if accepted
    min_confidence: float = 0.5


@dataclass
class RunResult:
    input: Path
    output: Path
    log: Path
    schedule: Path
    input_sha256: str
    output_sha256: str
    pages: int
    findings: list[Finding]
    exemptions: dict[str, int]
    flagged: list[Finding] = field(default_factory=list)


def scan_pdf(path: Path, detector: Detector, options: RunOptions | None = None) -> PlanDocument:
    options = options or RunOptions()
    doc = open_pdf(path, options.password, options.limits)
    pages = extract_document(doc.doc)
    return PlanDocument(path=str(path), sha256=doc.sha256, kind="pdf", findings=detector.find_in_pages(pages))


def scan_text(path: Path, detector: Detector) -> PlanDocument:
    from .document import read_text_input

    text, sha = read_text_input(path)
    return PlanDocument(path=str(path), sha256=sha, kind="text", findings=detector.find_in_text(text, page=0))


def redact_pdf(input_path: Path, output_path: Path, detector: Detector, options: RunOptions | None = None) -> RunResult:
    """Detect and apply in one go."""
    options = options or RunOptions()
    _check_paths(input_path, output_path, options)
    doc = open_pdf(input_path, options.password, options.limits)
    pages = extract_document(doc.doc)
    found = detector.find_in_pages(pages)
    return redact_found(doc, found, output_path, options, detector.pack_versions, pages)


def redact_found(doc: Document, found: list[Finding], output_path: Path, options: RunOptions,
                 rule_packs: dict[str, str], pages: list[PageText] | None = None) -> RunResult:
    """Apply the findings at or above the confidence threshold; the rest are
    reported as flagged for review. ``pages``: the extraction the findings
    came from, if the caller has it (saves extracting again)."""
    findings = [f for f in found if f.confidence >= options.min_confidence]
    for f in findings:
        f.status = "accepted"
        f.reviewer = "auto (redactor redact)"
    result = _apply_and_write(doc, findings, output_path, options, rule_packs, pages)
    result.flagged = [f for f in found if f.confidence < options.min_confidence]
    return result


def apply_plan(input_path: Path, plan: Plan, output_path: Path, options: RunOptions | None = None) -> RunResult:
    """Apply the findings of ``plan`` that are not rejected."""
    options = options or RunOptions()
    _check_paths(input_path, output_path, options)
    doc = open_pdf(input_path, options.password, options.limits)
    entry = plan.document_for(input_path, doc.sha256)
    findings = [f for f in entry.findings
                if f.status == "accepted" or (f.status == "proposed" and f.confidence >= options.min_confidence)]
    for f in findings:
        if not 1 <= f.page <= doc.page_count:
            raise UsageError(f"finding {f.id} is on page {f.page}; the document has {doc.page_count} pages", input_path)
    return _apply_and_write(doc, findings, output_path, options, plan.rule_packs)


def _check_paths(input_path: Path, output_path: Path, options: RunOptions) -> None:
    targets = [output_path, options.log_path or audit.default_log_path(output_path),
               options.schedule_path or audit.default_schedule_path(output_path)]
    for t in targets:
        if _same_file(input_path, t):
            raise InputError(f"output {t} is the input file; choose another output path", input_path)
    parent = output_path.resolve().parent
    if not parent.is_dir():
        raise OutputError("the output folder does not exist", parent)
    if not os.access(parent, os.W_OK):
        raise OutputError("the output folder is not writable", parent)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def boxes_for(findings: list[Finding], cores: dict[str, list], pad: float) -> list[Box]:
    """Drawn boxes are the glyph boxes padded sideways; text removal uses the
    core bands of the glyphs under them (``cores``, by finding id)."""
    boxes = []
    for f in findings:
        for rect, core in zip(f.rects, cores.get(f.id) or f.rects):
            x0, y0, x1, y1 = rect
            side = min(pad, 0.08 * min(x1 - x0, y1 - y0))  # tiny text gets a tiny pad
            boxes.append(Box(page=f.page, rect=(x0 - side, y0, x1 + side, y1), core=core, label=f.exemption, ref=f.id))
    return boxes


def _apply_and_write(doc: Document, findings: list[Finding], output_path: Path, options: RunOptions,
                     rule_packs: dict[str, str], pages: list[PageText] | None = None) -> RunResult:
    boxes = boxes_for(findings, _core_bands(doc, findings, pages), options.apply.pad)
    redact(doc.doc, boxes, options.apply)
    fd, tmp_name = tempfile.mkstemp(dir=output_path.resolve().parent, prefix=f".{output_path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        sanitize(doc.doc, [f.text for f in findings], tmp, options.sanitize)
        drawn = {}
        for b in boxes:
            drawn.setdefault(b.ref, []).append(b.rect)
        report = verify_file(tmp, [Redaction(f.page, drawn.get(f.id, []), f.text, f.exemption) for f in findings])
        if not report.ok:
            raise VerificationError(report.problems, output_path)
        os.replace(tmp, output_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    out_sha = sha256_file(output_path)
    log_path = options.log_path or audit.default_log_path(output_path)
    schedule_path = options.schedule_path or audit.default_schedule_path(output_path)
    entries = [
        audit.LogEntry(
            document=doc.path.name, page=f.page, rects=[[round(v, 2) for v in r] for r in drawn.get(f.id, [])],
            category=f.category, exemption=f.exemption, rule=f.rule, confidence=round(f.confidence, 3),
            text=f.text, context=f"{f.context_before} [{f.text}] {f.context_after}".strip(),
            decision=f.status, reviewer=f.reviewer, hidden=f.hidden, id=f.id,
        )
        for f in findings
    ]
    audit.write_log(log_path, document=doc.path.name, input_sha256=doc.sha256, output=output_path.name,
                    output_sha256=out_sha, rule_packs=rule_packs, entries=entries,
                    extra={"pages": doc.page_count, "hidden_layers_removed": doc.hidden_layers})
    audit.write_schedule(schedule_path, audit.schedule_rows(doc.path.name, entries))
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.exemption] = counts.get(f.exemption, 0) + 1
    return RunResult(input=doc.path, output=output_path, log=log_path, schedule=schedule_path,
                     input_sha256=doc.sha256, output_sha256=out_sha, pages=doc.page_count,
                     findings=findings, exemptions=counts)


def _core_bands(doc: Document, findings: list[Finding], pages: list[PageText] | None = None) -> dict[str, list]:
    """The text-removal band under each of a finding's rects, by finding id.

    Plans store only the drawn rects; the bands come from the glyphs under
    them, so a rect edited by hand still removes its text safely. A rect with
    no glyph under it (over an image, say) is its own band.
    """
    from .extract import extract_page

    by_page: dict[int, list[Finding]] = {}
    for f in findings:
        by_page.setdefault(f.page, []).append(f)
    bands: dict[str, list] = {}
    for number, items in by_page.items():
        pt = pages[number - 1] if pages else extract_page(doc.doc[number - 1])
        for f in items:
            bands[f.id] = [pt.core_under(rect) or rect for rect in f.rects]
    return bands
