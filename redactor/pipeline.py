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

from redactor.account import log as audit
from redactor.account import schedule
from redactor.redact.apply import ApplyOptions, Box, redact, withhold_page
from redactor.detect.engine import Detector, words_regex
from redactor.ingest.document import Document, Limits, open_pdf, read_text_input, sha256_file
from redactor.errors import InputError, OutputError, PlanError, VerificationError
from redactor.text.mupdf import extract_document
from redactor.text.page import PageText
from redactor.detect.findings import Finding, normalise
from redactor.review.plan import ManualArea, ManualPage, Plan, Term
from redactor.redact.sanitize import SanitizeOptions, sanitize
from redactor.verify.checks import Redaction, verify_file
from redactor.text.ocr import hooks as ocr  # [ocr branch hook]
from redactor.text.ocr.select import OcrOptions


@dataclass
class RunOptions:
    password: str | None = None
    limits: Limits = field(default_factory=Limits)
    apply: ApplyOptions = field(default_factory=ApplyOptions)
    sanitize: SanitizeOptions = field(default_factory=SanitizeOptions)
    log_path: Path | None = None
    schedule_path: Path | None = None
    #: findings below this are proposals for review (photographs, weak
    #: matches): `redact` does not apply them
    min_confidence: float = 0.5
    ocr: OcrOptions = field(default_factory=OcrOptions)  #: [ocr branch hook]


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
    entries: list[audit.LogEntry] = field(default_factory=list)
    flagged: list[Finding] = field(default_factory=list)
    unreadable: list = field(default_factory=list)  #: [ocr branch hook] pages that needed OCR and could not be read


@dataclass
class Marks:
    """What a reviewer added by hand for one document."""

    areas: list[ManualArea] = field(default_factory=list)
    pages: list[ManualPage] = field(default_factory=list)


# --- scan ----------------------------------------------------------------------

def scan(paths: list[Path], detector: Detector, options: RunOptions | None = None,
         accept_above: float | None = None) -> Plan:
    """Findings for a bundle of PDFs and texts; names found in one document
    are looked for in all of them."""
    options = options or RunOptions()
    plan = Plan(rule_packs=detector.pack_versions)
    pdfs: list[tuple[Path, str, list[PageText]]] = []
    for path in paths:
        if path.suffix.lower() == ".txt":
            text, sha = read_text_input(path)
            plan.add_document(str(path), sha, "text", detector.find_in_text(text, page=0))
        else:
            doc = open_pdf(path, options.password, options.limits)
            pages, read = ocr.read(doc, options.ocr)  # [ocr branch hook]
            pdfs.append((path, doc.sha256, pages, read))
    for (path, sha, pages, read), findings in zip(pdfs, detector.find_in_bundle([p for _, _, p, _ in pdfs])):
        ocr.widen(findings, pages)  # [ocr branch hook]
        ocr.add_to_plan(plan.add_document(str(path), sha, "pdf", findings), read)
    if accept_above is not None:
        for _, f in plan.entries():
            if f.confidence >= accept_above:
                f.status, f.reviewer = "accepted", f"auto (--accept-above {accept_above})"
    return plan


# --- redact ----------------------------------------------------------------------

def redact_pdf(input_path: Path, output_path: Path, detector: Detector, options: RunOptions | None = None) -> RunResult:
    """Detect and apply in one go."""
    options = options or RunOptions()
    _check_paths(input_path, output_path, options)
    doc = open_pdf(input_path, options.password, options.limits)
    pages, read = ocr.read(doc, options.ocr)  # [ocr branch hook] the PDF's text and, where needed, OCR's
    found = detector.find_in_pages(pages)
    ocr.widen(found, pages)
    return redact_found(doc, found, output_path, options, detector.pack_versions, pages, read)


def redact_found(doc: Document, found: list[Finding], output_path: Path, options: RunOptions,
                 rule_packs: dict[str, str], pages: list[PageText] | None = None, read=None) -> RunResult:
    """Apply the findings at or above the confidence threshold; the rest are
    reported as flagged for review. ``pages``: the extraction the findings
    came from, if the caller has it (saves extracting again)."""
    findings = [f for f in found if f.confidence >= options.min_confidence]
    for f in findings:
        f.status = "accepted"
        f.reviewer = "auto (redactor redact)"
    result = _apply_and_write(doc, findings, Marks(), output_path, options, rule_packs, pages, read=read)
    result.flagged = [f for f in found if f.confidence < options.min_confidence]
    return result


# --- apply a plan ----------------------------------------------------------------

def apply_plan(input_path: Path, plan: Plan, output_path: Path, options: RunOptions | None = None,
               include_proposed: bool = False) -> RunResult:
    """Apply a reviewed plan to one document: accepted findings, the plan's
    terms, manual areas and withheld pages. Rejected findings stay."""
    options = options or RunOptions()
    _check_paths(input_path, output_path, options)
    doc = open_pdf(input_path, options.password, options.limits)
    entry = plan.document_for(input_path, doc.sha256)
    proposed = [f for f in entry.findings if f.status == "proposed"]
    if proposed and not include_proposed:
        raise PlanError(
            f"{len(proposed)} finding(s) are still 'proposed' (first: {proposed[0].id} on page "
            f"{proposed[0].page}); review them with `redactor review`, or pass --include-proposed", input_path)
    for f in entry.findings:
        if not 1 <= f.page <= doc.page_count:
            raise PlanError(f"finding {f.id} is on page {f.page}; the document has {doc.page_count} pages", input_path)
    marks = Marks(areas=[m for m in entry.manual if isinstance(m, ManualArea)],
                  pages=[m for m in entry.manual if isinstance(m, ManualPage)])
    for m in marks.areas + marks.pages:
        if not 1 <= m.page <= doc.page_count:
            raise PlanError(f"a manual mark is on page {m.page}; the document has {doc.page_count} pages", input_path)
    chosen = [Plan.finding(f) for f in entry.findings if f.status == "accepted" or (f.status == "proposed" and include_proposed)]
    rejected = [Plan.finding(f) for f in entry.findings if f.status == "rejected"]
    pages, read = ocr.read(doc, options.ocr)  # [ocr branch hook]
    chosen += term_findings(pages, plan.terms, chosen, rejected)
    read = ocr.reviewed(read, entry)
    return _apply_and_write(doc, chosen, marks, output_path, options, plan.rule_packs, pages,
                            kept=[f.text for f in rejected], read=read)


def apply_bundle(plan: Plan, plan_path: Path, out_dir: Path, options: RunOptions | None = None,
                 include_proposed: bool = False) -> list[RunResult]:
    """Apply a plan to every PDF it lists, writing into ``out_dir``."""
    options = options or RunOptions()
    if not out_dir.is_dir():
        raise OutputError("the output folder does not exist", out_dir)
    results = []
    for d in plan.documents:
        if d.kind != "pdf":
            continue
        src = resolve_document_path(Path(d.path), plan_path)
        out = out_dir / (src.stem + ".redacted.pdf")
        results.append(apply_plan(src, plan, out, RunOptions(**{**options.__dict__, "log_path": None,
                                                                 "schedule_path": None}), include_proposed))
    return results


def resolve_document_path(path: Path, plan_path: Path) -> Path:
    """A plan's document path: as written, or beside the plan."""
    if path.is_absolute() or path.exists():
        return path
    beside = plan_path.resolve().parent / path
    return beside if beside.exists() else path


def term_findings(pages: list[PageText], terms: list[Term], chosen: list[Finding],
                  rejected: list[Finding] = ()) -> list[Finding]:
    """Every occurrence of each term, as accepted findings (whole words,
    any case, across line breaks), unless already covered."""
    out: list[Finding] = []
    for term in terms:
        rx = words_regex([term.text])
        if rx is None:
            continue
        for page in pages:
            for m in rx.finditer(page.text.replace("\n", " ")):
                start, end = m.span()
                if any(f.page == page.number and f.start <= start and end <= f.end for f in chosen + out):
                    continue
                f = Finding(page=page.number, start=start, end=end, text=" ".join(page.text[start:end].split()),
                            category=term.category, exemption=term.exemption, rule="plan.term", confidence=1.0,
                            status="accepted", reviewer=term.reviewer, decided_at=term.decided_at, note=term.note)
                f.rects = page.rects(start, end)
                if page.source != "mupdf":  # [ocr branch hook]
                    f.source, f.id = page.source, f"{page.source}-{f.id}"
                f.context_before, f.context_after = page.context(start, end)
                out.append(f)
    return out


# --- the shared second half ---------------------------------------------------------

def _check_paths(input_path: Path, output_path: Path, options: RunOptions) -> None:
    targets = [output_path, options.log_path or audit.default_log_path(output_path),
               options.schedule_path or schedule.default_path(output_path)]
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


def _apply_and_write(doc: Document, findings: list[Finding], marks: Marks, output_path: Path, options: RunOptions,
                     rule_packs: dict[str, str], pages: list[PageText] | None = None,
                     kept: list[str] = (), read=None) -> RunResult:
    """Redact, sanitise, verify, then put the output in place and log it.

    ``kept``: texts a reviewer chose to leave readable somewhere (rejected
    findings); they are not searched for across the file, although every
    box is still checked."""
    pages = pages if pages is not None else extract_document(doc.doc)
    kept_norm = {normalise(t) for t in kept}

    def searched(text: str) -> str:
        return "" if normalise(text) in kept_norm else text

    withheld = {m.page: m for m in marks.pages}
    boxes = [b for b in boxes_for(findings, _core_bands(findings, pages), options.apply.pad) if b.page not in withheld]
    area_text = {}
    for i, area in enumerate(marks.areas):
        if area.page in withheld:
            continue
        ref = f"area-{i + 1}"
        boxes.append(Box(page=area.page, rect=tuple(area.rect), core=tuple(area.rect), label=area.exemption, ref=ref))
        area_text[ref] = pages[area.page - 1].text_in(tuple(area.rect))
    for number, mark in withheld.items():
        withhold_page(doc.doc, number, mark.exemption)
    try:
        reports = redact(doc.doc, boxes, options.apply)
    except InputError as e:  # [ocr branch hook] a picture under a box cannot be read: name the file
        raise InputError(e.problem, doc.path) from None
    layer = ocr.add_layer(doc.doc, read, boxes, options.ocr)  # [ocr branch hook]
    drawn: dict[str, list] = {}
    for b in boxes:
        drawn.setdefault(b.ref, []).append(b.rect)
    entries = _log_entries(doc, findings, marks, drawn, area_text, withheld)
    fd, tmp_name = tempfile.mkstemp(dir=output_path.resolve().parent, prefix=f".{output_path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        sanitize(doc.doc, [searched(f.text) for f in findings], tmp, options.sanitize)
        checks = [Redaction(f.page, drawn.get(f.id, []), searched(f.text), f.exemption) for f in findings]
        checks += [Redaction(a.page, drawn.get(f"area-{i + 1}", []), "", a.exemption) for i, a in enumerate(marks.areas)]
        checks += [Redaction(n, [], "", m.exemption, kind="page") for n, m in withheld.items()]
        report = verify_file(tmp, checks)
        if not report.ok:
            raise VerificationError(report.problems, output_path)
        os.replace(tmp, output_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    out_sha = sha256_file(output_path)
    log_path = options.log_path or audit.default_log_path(output_path)
    schedule_path = options.schedule_path or schedule.default_path(output_path)
    audit.write_log(log_path, document=doc.path.name, input_sha256=doc.sha256, output=output_path.name,
                    output_sha256=out_sha, rule_packs=rule_packs, entries=entries,
                    extra={"pages": doc.page_count, "hidden_layers_removed": doc.hidden_layers,
                           "pages_withheld": sorted(withheld),
                           "line_art_removed": {r.page: r.line_art_removed for r in reports if r.line_art_removed},
                           "text_stripped_from": {r.page: r.neutralised for r in reports if r.neutralised},
                           **ocr.log_fields(read, layer)})  # [ocr branch hook]
    table = schedule.rows(doc.path.name, entries) + ocr.schedule_rows(doc.path.name, read)
    schedule.write_csv(schedule_path, table)
    schedule.write_html(schedule_path.with_suffix(".html"), table, f"Redaction schedule: {doc.path.name}")
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.exemption] = counts.get(e.exemption, 0) + 1
    return RunResult(input=doc.path, output=output_path, log=log_path, schedule=schedule_path,
                     input_sha256=doc.sha256, output_sha256=out_sha, pages=doc.page_count,
                     findings=findings, exemptions=counts, entries=entries,
                     unreadable=list(read.unreadable) if read else [])


def _log_entries(doc: Document, findings: list[Finding], marks: Marks, drawn: dict, area_text: dict,
                 withheld: dict) -> list[audit.LogEntry]:
    def r(rects):
        return [[round(v, 2) for v in rect] for rect in rects]

    entries = [
        audit.LogEntry(
            document=doc.path.name, page=f.page, rects=r(drawn.get(f.id, [])), category=f.category,
            exemption=f.exemption, rule=f.rule, confidence=round(f.confidence, 3), text=f.text,
            context=f"{f.context_before} [{f.text}] {f.context_after}".strip(),
            decision=audit.COVERED if f.page in withheld else f.status,
            reviewer=f.reviewer, hidden=f.hidden, id=f.id, note=f.note,
        )
        for f in findings
    ]
    for i, a in enumerate(marks.areas):
        ref = f"area-{i + 1}"
        if a.page in withheld:
            continue
        entries.append(audit.LogEntry(
            document=doc.path.name, page=a.page, rects=r(drawn.get(ref, [])), category=a.category,
            exemption=a.exemption, rule="plan.manual.area", confidence=1.0, text=area_text.get(ref, ""),
            context="", decision="accepted", reviewer=a.reviewer, id=ref, note=a.note))
    for number, m in sorted(withheld.items()):
        rect = doc.doc[number - 1].rect
        entries.append(audit.LogEntry(
            document=doc.path.name, page=number, rects=r([tuple(rect)]), category=m.category,
            exemption=m.exemption, rule="plan.manual.page", confidence=1.0, text="", context="",
            decision="accepted", reviewer=m.reviewer, id=f"page-{number}", note=m.note))
    return entries


def _core_bands(findings: list[Finding], pages: list[PageText]) -> dict[str, list]:
    """The text-removal band under each of a finding's rects, by finding id.

    Plans store only the drawn rects; the bands come from the glyphs under
    them, so a rect edited by hand still removes its text safely. A rect with
    no glyph under it (over an image, say) is its own band.
    """
    return {f.id: [pages[f.page - 1].core_under(rect) or rect for rect in f.rects] for f in findings}

