"""The steps of a run, in order: open, extract, detect, apply, sanitise,
verify, and only then put the output in place and write log and schedule.

The output is written to a temporary file beside its destination and renamed
into place after it verifies; on any failure the temporary file is removed,
nothing is left at the destination, and the input is never opened for
writing.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redactor import output as place
from redactor import memory
from redactor.memory import give_back
from redactor.spill import Spill
from redactor.account import anchor, log as audit
from redactor.account.entries import log_entries
from redactor.account import schedule
from redactor.account.naming import masked_path, masker, unclaimed
from redactor.redact.apply import ApplyError, ApplyOptions, Box, redact
from redactor.detect.engine import Detector, words_regex
from redactor.ingest.document import Document, Limits, open_pdf, read_text_input, refresh, sha256_file
from redactor.errors import InputError, PlanError, VerificationError
from redactor.text.fresh import FreshPages
from redactor.text.mupdf import extract_page, mark_covered
from redactor.text.page import PageText, is_covered
from redactor.text.views import Views, read_views
from redactor.detect.union import ReadAhead, find_in_views
from redactor.detect.findings import Finding, normalise
from redactor.redact import scrub
from redactor.redact.sanitize import SanitizeOptions, sanitize
from redactor.verify.checks import Redaction
from redactor.verify.entry import KEPT_KEY, verify_output
from redactor.ingest.convert import ConvertOptions, needs_conversion  # [convert]
from redactor.text.ocr import hooks as ocr  # [ocr]
from redactor.text.ocr.select import OcrOptions

if TYPE_CHECKING:  # the plan's models are built when a plan is read or written, not for `redact` (start-up)
    from redactor.review.plan import ManualArea, ManualPage, Plan, Term


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
    #: [convert] Office, e-mail and image inputs: hidden-content policy, timeout
    convert: "ConvertOptions | None" = None
    #: [convert] False for the parts of a bundle that share one schedule
    write_schedule: bool = True
    #: internal folder for the log (default: see redactor.output)
    internal_dir: Path | None = None
    internal_in_release: bool = False
    #: leave the verified PDF at RunResult.pending for the caller to rename
    #: into place (batch: the manifest record is written first)
    defer_output: bool = False
    #: with defer_output: where the verified PDF waits, under a name that says
    #: nothing of the input's (batch: the release folder, where its masked path
    #: is made once it is redacted, redactor.account.naming); None: beside it
    pending_dir: Path | None = None
    #: [ocr] when to read pages from their pixels, the text layer of OCR'd pages
    ocr: OcrOptions = field(default_factory=OcrOptions)


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
    #: [convert] how the log and schedule name the document, where it came from,
    #: and the further documents of a bundle (an e-mail's attachments)
    name: str = ""
    origin: dict | None = None
    parts: list["RunResult"] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    pending: Path | None = None  #: with RunOptions.defer_output: the verified PDF, not yet in place
    #: masks in a name what was redacted in the document (redactor.account.naming); ``name`` is masked
    mask: Callable[[str], str] | None = None
    warnings: list[str] = field(default_factory=list)  #: for the person running it (no exit code)

    @property
    def redactions(self) -> int:
        """What was applied, counted as the schedule counts it."""
        return sum(self.exemptions.values())
    unreadable: list = field(default_factory=list)  #: [ocr] pages that needed OCR and could not be read


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
    from redactor.review.plan import Plan

    options = options or RunOptions()
    plan = Plan(rule_packs=detector.pack_versions)
    pdfs: list[tuple[Path, str, Views, list[str]]] = []  # and what the detector finds in the document's name
    converted: dict[int, object] = {}  # [convert] index in pdfs -> Prepared
    for path in paths:
        if path.suffix.lower() == ".txt":
            text, sha = read_text_input(path)
            plan.add_document(str(path), sha, "text", detector.find_in_text(text, page=0))
        elif needs_conversion(path):  # [convert] one document per part (an e-mail and its attachments)
            from redactor.ingest.convert.bundle import prepare_all

            for prep, doc in prepare_all(path, options):
                converted[len(pdfs)] = prep
                pdfs.append((path, doc.sha256, _views(doc, options), named_in(detector, doc.display_name, options)))
        else:
            doc = open_pdf(path, options.password, options.limits)
            # every reading (issue 9), OCR included
            pdfs.append((path, doc.sha256, _views(doc, options), named_in(detector, doc.display_name, options)))
    found = _find_in_bundle(detector, [v for _, _, v, _ in pdfs], converted)
    for i, ((path, sha, views, named), findings) in enumerate(zip(pdfs, found)):
        entry = plan.add_document(str(path), sha, "pdf", findings)
        entry.named = named  # masked by apply as by redact
        ocr.add_to_plan(entry, views.ocr)  # [ocr] pages that could not be read, for review by eye
        if i in converted:  # [convert]
            from redactor.ingest.convert.bundle import attach_conversion

            attach_conversion(plan, entry, converted[i])
    if accept_above is not None:
        for _, f in plan.entries():
            if f.confidence >= accept_above:
                f.status, f.reviewer = "accepted", f"auto (--accept-above {accept_above})"
    return plan


# --- every reading (issue 9): detection runs on all of them ---------------------------

def _find_in_bundle(detector: Detector, views: list[Views], converted: dict[int, object]) -> list[list[Finding]]:
    """Findings per document, names shared across readings and documents;
    for converted Office files, authors' and reviewers' names are looked for
    too, and words the layout broke across lines (redactor.ingest.convert)."""
    if not converted:
        return find_in_views(detector, views)
    from redactor.ingest.convert.bundle import author_names, broken_words

    found = find_in_views(detector, views, author_names(list(converted.values())))
    for i, prep in converted.items():
        if getattr(prep, "source_text", ""):
            found[i] += broken_words(detector, prep.source_text, views[i].primary, found[i])
    return found


def _views(doc: Document, options: RunOptions, detector: Detector | None = None, memo: dict | None = None) -> Views:
    """MuPDF's reading plus the others (positional, de-hyphenated, ActualText,
    PDFium, OCR of pages whose fonts cannot be trusted): redactor.text.views.
    With ``detector`` and ``memo``: while Tesseract reads the pictures, the
    readings there are so far are read by the rules and NER in a thread,
    into ``memo`` for :func:`find_in_views` (the same findings, sooner)."""
    working = doc.doc.tobytes()  # every layer shown, annotations and fields flattened: what is redacted
    refresh(doc, working)  # the working copy reads these bytes too, not the input's (issue 14)
    pages = FreshPages(working)  # MuPDF's reading of the same bytes, opened afresh every so often (issue 14)
    views = read_views(pages, working, options.password)
    give_back()  # (PDFium's and qpdf's readings are closed)
    mark_covered(pages, views.primary, working)
    pages.close()
    del pages, working
    ahead = ReadAhead(detector, views, memo) if detector is not None and memo is not None else None
    # [ocr] scans and pictures of text, read from their pixels (redactor.text.ocr)
    try:
        pages, views.ocr = ocr.read_pixels(doc, views.primary, options.ocr)
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    if ahead is not None:
        ahead.join()
    views.extra += pages
    return views


# --- redact ----------------------------------------------------------------------

def redact_pdf(input_path: Path, output_path: Path, detector: Detector, options: RunOptions | None = None) -> RunResult:
    """Detect and apply in one go."""
    options = options or RunOptions()
    _check_paths(input_path, output_path, options)
    if needs_conversion(input_path):  # [convert] Office, e-mail, image and text inputs
        from redactor.ingest.convert.bundle import redact_converted

        return redact_converted(input_path, output_path, detector, options)
    doc = open_pdf(input_path, options.password, options.limits)
    with memory.document(doc.page_count):  # a small one keeps what its steps free
        return _redact_opened(doc, output_path, detector, options)


def _redact_opened(doc: Document, output_path: Path, detector: Detector, options: RunOptions) -> RunResult:
    memo: dict = {}
    views = _views(doc, options, detector, memo)  # every reading (issue 9), OCR included
    found = find_in_views(detector, [views], memos=[memo])[0]  # on disk (a Spill) until used, one at a time (issue 14)
    del memo
    read = views.ocr
    del views  # the readings are not needed to apply: memory stays flat in the number of pages (issue 14)
    refresh(doc)  # what MuPDF kept of every page OCR looked at goes too
    give_back()
    return redact_found(doc, found, output_path, options, detector.pack_versions, None, read,
                        named=named_in(detector, doc.display_name, options))


def named_in(detector: Detector, name: str, options: RunOptions) -> list[str]:
    """What the detector finds in a document's own name ("Statement of DC
    Jonathan Pemberton-Smythe.docx", "smith_john_interview"): masked in every
    name the release shows, even where the document itself never says it."""
    return [f.text for f in detector.find_in_text(name.replace("_", " ")) if f.confidence >= options.min_confidence]


def redact_found(doc: Document, found: Iterable[Finding], output_path: Path, options: RunOptions,
                 rule_packs: dict[str, str], pages: list[PageText] | None = None, read=None,
                 named: list[str] = ()) -> RunResult:
    """Apply the findings at or above the confidence threshold; the rest are
    reported as flagged for review. ``pages``: the extraction the findings
    came from, if the caller has it (else the pages a manual area is on
    are read again, one by one). The findings applied are kept on disk
    (RunResult.findings is a :class:`redactor.spill.Spill`). ``named``: see
    :func:`named_in`."""
    findings, flagged = Spill(), []
    for f in found:
        if f.confidence >= options.min_confidence:
            f.status = "accepted"
            f.reviewer = "auto (redactor redact)"
            findings.append(f)
        else:
            flagged.append(f)
    result = _apply_and_write(doc, findings, Marks(), output_path, options, rule_packs, pages, read=read,
                              named=named)
    result.flagged = flagged
    return result


# --- apply a plan ----------------------------------------------------------------

def apply_plan(input_path: Path, plan: Plan, output_path: Path, options: RunOptions | None = None,
               include_proposed: bool = False) -> RunResult:
    """Apply a reviewed plan to one document: accepted findings, the plan's
    terms, manual areas and withheld pages. Rejected findings stay."""
    options = options or RunOptions()
    _check_paths(input_path, output_path, options)
    if needs_conversion(input_path):  # [convert] the PDF it was scanned on, kept beside the plan
        from redactor.ingest.convert.bundle import apply_converted

        return apply_converted(input_path, plan, output_path, options, include_proposed)
    doc = open_pdf(input_path, options.password, options.limits)
    return apply_entry(doc, plan.document_for(input_path, doc.sha256), plan, output_path, options, include_proposed)


def apply_entry(doc: Document, entry, plan: Plan, output_path: Path, options: RunOptions,
                include_proposed: bool = False) -> RunResult:
    """Apply one plan document's decisions to its opened document."""
    from redactor.review.plan import ManualArea, ManualPage, Plan

    input_path = doc.path
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
    views = _views(doc, options)  # terms are looked for in every reading, OCR included
    _check_boxes(chosen, marks, views, input_path)
    terms = term_findings(views.primary + views.extra, plan.terms, chosen, rejected)
    chosen += terms
    read = ocr.reviewed(views.ocr, entry)
    from redactor.account import provenance  # [audit] rejections per rule, terms, the release it revises

    result = _apply_and_write(doc, chosen, marks, output_path, options, plan.rule_packs, views.primary,
                              kept=[f.text for f in rejected], read=read, review=provenance.from_plan(plan, entry),
                              named=entry.named)
    result.warnings += _common_terms(plan.terms, terms)
    return result


def _common_terms(terms: list, found: list[Finding]) -> list[str]:
    """A warning for each plan term that is an ordinary word ("the" redacted
    every "the" with no word: helper 32), or two letters or fewer."""
    from redactor.detect import lexicon

    out = []
    for term in terms:
        words = term.text.split()
        common = len("".join(ch for ch in term.text if ch.isalnum())) <= 2 or (
            len(words) == 1 and lexicon.zipf(words[0]) >= COMMON_TERM_ZIPF)
        if common:
            n = sum(1 for f in found if f.text.casefold() == " ".join(words).casefold())
            out.append(f"the plan's term '{term.text}' is a common word: it was redacted in {n} place(s); "
                       "check that it is meant")
    return out


#: a term this frequent in English is an ordinary word ("the" 7.7, "here" 6.3, "school" 5.6; a surname
#: reviewers add, "Smith" 4.9, is not)
COMMON_TERM_ZIPF = 5.5


def _check_boxes(chosen: list[Finding], marks: Marks, views: Views, input_path: Path) -> None:
    """Every accepted finding's boxes cover its text, in one of the
    document's readings, and every manual area touches its page: a plan
    edited by hand (boxes emptied, moved to another line, an area off the
    page) released the text with exit 0 while the schedule said it was
    redacted (a rejected finding of the same text stops verification from
    looking for it elsewhere)."""
    readings: dict[int, list[PageText]] = defaultdict(list)
    for page in [*views.primary, *views.extra]:
        readings[page.number].append(page)
    for f in chosen:
        if not f.rects:
            raise PlanError(f"finding {f.id} ('{f.text}', page {f.page}) has no box", input_path)
        want = _squeezed(f.text)
        if not want or f.page not in readings:
            continue
        if not any(want in _squeezed(" ".join(p.text_in(r) for r in f.rects)) for p in readings[f.page]):
            raise PlanError(f"finding {f.id}: its boxes on page {f.page} do not cover its text '{f.text}' "
                            "(was the plan edited?)", input_path)
    for m in marks.areas:
        x0, y0, x1, y1 = m.rect
        # (the page's rect is as shown, turned with /Rotate; boxes are in the unturned page: either way round)
        px0, py0, px1, py1 = views.primary[m.page - 1].page_rect
        side = max(px1 - px0, py1 - py0)
        if not (x0 < px0 + side and x1 > px0 and y0 < py0 + side and y1 > py0):
            raise PlanError(f"a manual area on page {m.page} lies outside the page ({m.rect})", input_path)


def _squeezed(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def apply_bundle(plan: Plan, plan_path: Path, out_dir: Path, options: RunOptions | None = None,
                 include_proposed: bool = False) -> list[RunResult]:
    """Apply a plan to every PDF it lists, writing into ``out_dir``."""
    options = options or RunOptions()
    place.ensure_folder(out_dir)
    # [convert] a converted input is applied once, all its parts (an e-mail's attachments) together
    docs = [d for d in plan.documents if d.kind == "pdf" and (d.converted is None or d.converted.part is None)]
    sources = [resolve_document_path(Path(d.path), plan_path) for d in docs]
    internal = options.internal_dir or place.default_internal_dir(out_dir)
    place.ensure_folder(internal)
    results = []
    claimed: set[str] = set()
    for d, src, name in zip(docs, sources, place.bundle_names(sources)):
        # each release waits under a name that says nothing, and is put in place under its own name
        # less what was redacted in it (redactor.account.naming); its own schedule goes with its log
        # (the combined one is the release's)
        folder = place.ensure_tree(internal, Path(name).parent)
        r = apply_plan(src, plan, out_dir / name, RunOptions(**{
            **options.__dict__, "log_path": None, "defer_output": True, "pending_dir": out_dir,
            "schedule_path": folder / (Path(name).name[: -len(".pdf")] + place.SCHEDULE_SUFFIX),
            "internal_dir": folder if Path(name).parent.parts else options.internal_dir}),
            include_proposed)
        done = [r, *r.parts] if d.converted is not None else [r]
        masks = [x.mask for x in done]
        for x in done:
            rel = masked_path(Path(x.output).relative_to(out_dir).as_posix(), masks)
            rel = unclaimed(rel, claimed)
            target = place.ensure_tree(out_dir, Path(rel).parent) / Path(rel).name
            place.place(x.pending, target)
            x.output, x.pending = target, None
        results += done
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

def _check_paths(input_path: Path, output_path: Path, options: RunOptions) -> place.Destinations:
    """Every destination, checked before any work (see redactor.output)."""
    return place.plan_destinations(input_path, output_path, options.log_path, options.schedule_path,
                                   options.internal_dir, options.internal_in_release,
                                   placed_later=options.defer_output and options.pending_dir is not None)


def boxes_for(findings: Iterable[Finding]) -> Iterator[Box]:
    """One box per rect of each finding. Text found in the file's text is a
    text box (its glyphs go, its box may take the fixed width); text read
    from pixels (OCR) and photographs blank the pixels under them."""
    for f in findings:
        pixels = f.source == "ocr" or f.category == "photograph"
        covered = is_covered(f.hidden)
        for rect in f.rects:
            yield Box(page=f.page, rect=tuple(rect), label=f.exemption, ref=f.id, text=not pixels, pixels=pixels,
                      covered=covered)


def _apply_and_write(doc: Document, findings: list[Finding], marks: Marks, output_path: Path, options: RunOptions,
                     rule_packs: dict[str, str], pages: list[PageText] | None = None,
                     kept: list[str] = (), read=None, review=None, named: list[str] = ()) -> RunResult:
    """Redact, sanitise, verify, then put the output in place and log it.

    ``kept``: texts a reviewer chose to leave readable somewhere (rejected
    findings); they are not searched for across the file, although every
    box is still checked. ``named``: personal data in the document's own
    name, masked in the names the release shows (:func:`named_in`)."""
    kept_norm = {normalise(t) for t in kept}

    def searched(text: str, hidden: str | None = None, anywhere: bool = True) -> str:
        """What verification looks for across the whole file: not a text a
        reviewer kept somewhere, nor text found hidden under a drawn box (that
        text is whatever was under the box), nor a name redacted only where
        the words around it say it is a person (``anywhere`` False); their
        boxes are still checked."""
        if normalise(text) in kept_norm or is_covered(hidden) or not anywhere:
            return ""
        return text

    withheld = {m.page: m for m in marks.pages}
    boxes = Spill(b for b in boxes_for(findings) if b.page not in withheld)  # on disk (issue 14)
    area_text = {}
    for i, area in enumerate(marks.areas):
        if area.page in withheld:
            continue
        ref = f"area-{i + 1}"
        boxes.append(Box(page=area.page, rect=tuple(area.rect), label=area.exemption, ref=ref, text=False, pixels=True))
        page = pages[area.page - 1] if pages is not None else extract_page(doc.doc[area.page - 1])
        area_text[ref] = page.text_in(tuple(area.rect))
    try:
        applied = redact(doc.doc, boxes, options.apply, {n: m.exemption for n, m in withheld.items()},
                         release_input=True)  # (replaced by the redacted copy below)
    except ApplyError as e:  # the input has a construct that cannot be redacted (a broken font, say)
        raise InputError(f"cannot be redacted safely: {e.problem}", doc.path) from None
    doc.doc = applied.doc
    give_back()
    layer = ocr.add_layer(doc.doc, read, boxes, options.ocr)  # [ocr] the invisible text of OCR'd pages
    del boxes
    reports = applied.reports
    drawn = applied.drawn
    # on disk, made one at a time (issue 14)
    entries = Spill(log_entries(doc.display_name, findings, marks, drawn, applied.covered, area_text, withheld,
                                lambda number: doc.doc[number - 1].rect))
    from redactor.account import provenance  # [audit] review fields

    reviewed = provenance.log_fields(review, entries)
    dest = _check_paths(doc.path, output_path, options)
    tmp = place.temp_beside(output_path, options.pending_dir if options.defer_output else None)
    staged: list[tuple[Path, Path]] = []
    try:
        # the findings are read once (from disk, issue 14) for what sanitise and verify need of them
        texts, names, checks = [], [], []
        for f in findings:
            text = searched(f.text, f.hidden, f.searched)
            texts.append(text)
            if f.category in scrub.NAME_CATEGORIES:
                names.append(text)
            checks.append(Redaction(f.page, drawn.get(f.id, []), text, f.exemption,
                                    kind="covered" if f.id in applied.covered else "text", category=f.category,
                                    fold_case=f.fold_case))
        # issue 9: surnames of redacted names are removed (and looked for) as whole words too
        variants = [v for v in scrub.name_variants(names) if normalise(v) not in kept_norm]
        # the names the release shows: the file's, less what is redacted in it (a statement named after its maker)
        mask = masker([*texts, *named], variants)
        public = mask(doc.display_name)
        dropped = sanitize(doc.doc, texts, tmp, options.sanitize, variants, title=_release_title(public))
        del texts, names
        give_back()
        checks += [Redaction(a.page, drawn.get(f"area-{i + 1}", []), "", a.exemption) for i, a in enumerate(marks.areas)]
        checks += [Redaction(n, [], "", m.exemption, kind="page") for n, m in withheld.items()]
        report = verify_output(tmp, checks, kept=list(kept))
        give_back()
        if not report.ok:
            raise VerificationError(report.problems, output_path, written=False)
        place.finish_temp(tmp)
        out_sha = sha256_file(tmp)
        log_lines = audit.log_lines(  # written as it is made
            document=doc.display_name, input_sha256=doc.sha256, output=output_path.name, output_sha256=out_sha,
            rule_packs=rule_packs, entries=entries, key=anchor.load_key(),
            extra={"pages": doc.page_count, "hidden_layers_removed": doc.hidden_layers,
                   "pages_withheld": sorted(withheld), "flattened": doc.flattened,
                   "paths_cut": {r.page: r.paths_cut for r in reports if r.paths_cut},
                   "text_stripped_from": {r.page: r.neutralised for r in reports if r.neutralised},
                   "glyph_width_defence": options.apply.glyph_width_defence,
                   "pages_without_defence": {r.page: r.fallback for r in reports if r.fallback},
                   "undecodable_streams_dropped": dropped,
                   "input_repairs": doc.repairs, KEPT_KEY: sorted(set(kept)),
                   **ocr.log_fields(read, layer),  # [ocr]
                   **({"source": doc.origin} if doc.origin else {}),  # [convert]
                   **reviewed})  # [audit]
        texts = [(dest.log, log_lines)]
        table = schedule.rows(public, entries) + ocr.schedule_rows(public, read)
        if options.write_schedule:  # [convert] the parts of a bundle share one schedule, written by the bundle
            note = schedule.layout_note(not options.apply.glyph_width_defence, [r.page for r in reports if r.fallback])
            texts += schedule.texts(dest.schedule, table, f"Redaction schedule: {public}",
                                    [{**doc.origin, "name": public}] if doc.origin else [],
                                    ([note] if note else []) + provenance.schedule_notes(reviewed),  # [audit]
                                    provenance.released_rows(public, reviewed))
        staged = place.stage_texts(texts)
        place.place_all(staged)  # log and schedule first: never a PDF without its log
        staged = []
        if not options.defer_output:
            place.place(tmp, output_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        place.discard(t for t, _ in staged)
        raise
    counts: dict[str, int] = {}
    for e in entries:
        if e.decision != audit.COVERED:  # as the schedule counts: the withheld page is the item
            counts[e.exemption] = counts.get(e.exemption, 0) + 1
    return RunResult(input=doc.path, output=output_path, log=dest.log, schedule=dest.schedule,
                     input_sha256=doc.sha256, output_sha256=out_sha, pages=doc.page_count,
                     findings=findings, exemptions=counts, entries=entries, name=public,
                     origin={**doc.origin, "name": public} if doc.origin else None, repairs=doc.repairs,
                     pending=tmp if options.defer_output else None,
                     unreadable=list(read.unreadable) if read else [], mask=mask,
                     warnings=[] if options.defer_output else _named_warnings(mask, output_path, dest))


def _named_warnings(mask: Callable[[str], str], output_path: Path, dest: place.Destinations) -> list[str]:
    """The names a user chose that hold text redacted inside the document:
    the output's, its folder's, the schedule's (kept: they are the user's)."""
    named = [p for p in (output_path, Path(os.path.abspath(output_path)).parent, dest.schedule)
             if mask(p.name) != p.name]
    return [f"{p}: the name holds text redacted inside the document; rename it before release" for p in named]


def _release_title(display_name: str) -> str:
    """A release's title: the document's name as the schedule shows it, less
    its extension (the original's own title is metadata, never carried over)."""
    stem = Path(display_name).name
    head, dot, ext = stem.rpartition(".")
    # (an e-mail's part, "mail.eml, attachment 1 (.pdf)", ends with no extension)
    return head if dot and head.strip(".") and ext.isalnum() and len(ext) <= 5 else stem
