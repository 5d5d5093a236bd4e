"""Converted inputs in the pipeline: redact, scan and apply.

An input that is not a PDF is a bundle of one or more parts (an e-mail and
its attachments), each an intermediate PDF (:mod:`.inputs`). ``redact``
writes one release per part (``minutes.pdf``; ``mail.pdf``,
``mail.attachment-1.pdf``...), one audit log per part and one schedule for
the bundle; names found in any part are looked for in all of them.

``scan`` keeps each intermediate PDF beside the plan, in
``PLAN.converted/<sha256>.pdf``, and records its SHA-256 in the plan.
LibreOffice's output is not byte-for-byte repeatable (dates, IDs, font
subsets), and the plan's boxes are positions on *that* PDF, so ``apply``
and ``report`` use the kept file, check its hash, and refuse if it is
missing or changed rather than convert again and put boxes on a different
layout.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from redactor.errors import PlanError
from redactor.ingest.convert.inputs import ConvertOptions, Prepared, open_input
from redactor.ingest.document import Document, open_pdf_bytes, sha256_bytes, sha256_file

CACHE_SUFFIX = ".converted"


def convert_options(options) -> ConvertOptions:
    """The run's conversion options, with its password and page limit."""
    base = options.convert or ConvertOptions()
    return dataclasses.replace(base, password=options.password, max_pages=options.limits.max_pages)


def prepare_all(path: Path, options) -> list[tuple[Prepared, Document]]:
    parts = open_input(path, convert_options(options), limits=options.limits)
    return [(p, p.document(options.password, options.limits)) for p in parts]


def part_output(output_path: Path, prep: Prepared) -> Path:
    """The release for a part: OUTPUT itself for the first, then
    OUTPUT-stem.attachment-1.pdf and so on."""
    if not prep.part:
        return output_path
    return output_path.with_name(f"{output_path.stem}.{prep.part.replace(' ', '-')}{output_path.suffix or '.pdf'}")


def _part_options(options, output_path: Path, out: Path):
    from redactor.account import log as audit

    log = options.log_path
    if log is not None and out != output_path:
        log = Path(log).with_name(out.stem + audit.LOG_SUFFIX)
    return dataclasses.replace(options, log_path=log, write_schedule=False)


def _finish(output_path: Path, options, results: list):
    """One schedule for the bundle; the first result carries the others."""
    from redactor.account import schedule
    from redactor.account.naming import masked
    from redactor.text.ocr.hooks import unreadable_rows

    first = results[0]
    masks = [r.mask for r in results]  # names found in one part are redacted in all: so in every name
    for r in results:
        r.name = masked(r.name, masks)
        if r.origin:
            r.origin = {**r.origin, "name": r.name}
    table = [row for r in results for row in schedule.rows(r.name, r.entries) + unreadable_rows(r.name, r.unreadable)]
    path = options.schedule_path or schedule.default_path(output_path)
    schedule.write_all(path, table, f"Redaction schedule: {masked(first.input.name, masks)}",
                       [r.origin for r in results if r.origin])
    for r in results:
        r.schedule = path
    first.parts = results[1:]
    return first


# --- redact ------------------------------------------------------------------------------

def redact_converted(input_path: Path, output_path: Path, detector, options):
    from redactor.pipeline import _find_in_bundle, _views, named_in, redact_found

    prepared = prepare_all(input_path, options)
    views = [_views(doc, options) for _, doc in prepared]  # every reading (issue 9)
    found = _find_in_bundle(detector, views, {i: prep for i, (prep, _) in enumerate(prepared)})
    # a part's name holds the bundle's ("mail.eml, attachment 1"): what is redacted in any part is masked there
    shared = sorted({f.text for findings in found for f in findings if f.confidence >= options.min_confidence})
    results = []
    for (prep, doc), doc_views, findings in zip(prepared, views, found):
        out = part_output(output_path, prep)
        results.append(redact_found(doc, findings, out, _part_options(options, output_path, out),
                                    detector.pack_versions, doc_views.primary, doc_views.ocr,
                                    named=named_in(detector, doc.display_name, options) + shared))
    return _finish(output_path, options, results)


# --- scan and apply -------------------------------------------------------------------------

def attach_conversion(plan, entry, prep: Prepared) -> None:
    from redactor.review.plan import Conversion

    entry.converted = Conversion(**prep.origin())
    plan._intermediates[prep.pdf_sha256] = prep.pdf


def cache_dir(plan_path: Path) -> Path:
    return plan_path.with_name(plan_path.stem + CACHE_SUFFIX)


def save_intermediates(plan, plan_path: Path) -> None:
    folder = cache_dir(Path(plan_path))
    folder.mkdir(parents=True, exist_ok=True)
    for sha, pdf in plan._intermediates.items():
        target = folder / f"{sha}.pdf"
        if not target.exists() or sha256_file(target) != sha:
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(pdf)
            tmp.replace(target)
    for d in plan.documents:
        if d.converted is not None:
            d.converted.intermediate = f"{folder.name}/{d.converted.intermediate_pdf_sha256}.pdf"


def open_for_plan(d, plan, password=None, limits=None) -> Document:
    """The document a plan entry was made on: for a converted input, the
    kept intermediate PDF, checked by its hash."""
    conv = d.converted
    base = plan._source.resolve().parent if plan._source else Path.cwd()
    path = base / conv.intermediate if conv.intermediate else None
    if path is None or not path.is_file():
        raise PlanError(f"the PDF this plan was made on ({conv.intermediate or 'not saved'}) is missing; "
                        "keep the .converted folder beside the plan, or run scan again", d.path)
    data = path.read_bytes()
    if sha256_bytes(data) != conv.intermediate_pdf_sha256:
        raise PlanError(f"the PDF this plan was made on ({conv.intermediate}) has changed since the scan; "
                        "run scan again", d.path)
    doc = open_pdf_bytes(data, Path(d.path), password, limits)
    doc.sha256 = d.sha256
    doc.origin = conv.model_dump(exclude={"intermediate"}, exclude_none=True)
    return doc


def apply_converted(input_path: Path, plan, output_path: Path, options, include_proposed: bool = False):
    from redactor.pipeline import apply_entry

    sha = sha256_file(input_path)
    entries = [d for d in plan.documents if d.converted is not None
               and (Path(d.path).name == input_path.name or d.sha256 == sha)]
    if not entries:
        raise PlanError("the plan has no entry for this document (scan it first)", input_path)
    if any(d.sha256 != sha for d in entries):
        raise PlanError(f"the plan was made for a different version of this file (plan sha256 "
                        f"{entries[0].sha256[:12]}..., file {sha[:12]}...)", input_path)
    results = []
    for d in entries:
        doc = open_for_plan(d, plan, options.password, options.limits)
        doc.path = input_path
        out = part_output(output_path, _PartName(d.converted.part))
        results.append(apply_entry(doc, d, plan, out, _part_options(options, output_path, out), include_proposed))
    return _finish(output_path, options, results)


@dataclasses.dataclass
class _PartName:
    part: str | None


def describe(origin: dict) -> str:
    """One line for the terminal: converter, hidden content and policy."""
    from redactor.ingest.convert.office_hidden import KINDS

    counts: dict[str, int] = {}
    for item in origin.get("hidden_content", []):
        if item.get("kind") not in ("header_footer", "document_property"):
            counts[KINDS.get(item.get("kind"), item.get("kind"))] = counts.get(KINDS.get(item.get("kind")), 0) + 1
    line = f"converted from {origin.get('format')} by {origin.get('converter')}"
    if origin.get("hidden_content_policy"):
        found = ", ".join(f"{n} {k}" for k, n in counts.items()) or "none"
        line += f"; hidden content ({origin['hidden_content_policy']}): {found}"
    for note in origin.get("notes", []):
        if "not converted" in note or "cut short" in note:
            line += f"; {note}"
    return line


# --- names the document itself gives ----------------------------------------------------

_NAME = re.compile(r"^[A-Z][A-Za-z'\u2019-]+(?: [A-Z][A-Za-z'\u2019.-]*){1,3}$")
#: Author values that Office writes when it knows no one.
_NOT_PEOPLE = {"microsoft office user", "windows user", "unknown author", "author", "administrator", "user",
               "office user", "apache poi", "libreoffice"}
_AUTHOR_FIELDS = {"author", "last modified by", "manager"}


def author_names(parts) -> set[str]:
    """People a document names as its authors, commenters and reviewers
    (properties, comments, tracked changes): they are looked for, as names,
    everywhere in the bundle."""
    names = set()
    for prep in parts:
        for item in prep.hidden:
            value = item.author or (item.text if item.kind == "document_property" and item.where in _AUTHOR_FIELDS
                                    else None)
            value = " ".join((value or "").split())
            if value and _NAME.match(value) and value.casefold() not in _NOT_PEOPLE:
                names.add(value)
    return names


def broken_words(detector, source: str, pages, existing) -> list:
    """Findings in the file's own text, looked for on the pages with a line
    break allowed between any two characters (LibreOffice breaks an e-mail
    address in a narrow table cell wherever it must)."""
    from redactor.detect.findings import Finding

    wanted = {}
    for f in detector.find_in_text(source, page=0):
        if len(f.text.replace(" ", "")) >= 6 and f.category != "photograph":
            wanted.setdefault(f.text, f)
    out = []
    for text, f in wanted.items():
        pattern = re.compile(r"\n?".join(r"\s+" if ch.isspace() else re.escape(ch) for ch in text))
        for page in pages:
            for m in pattern.finditer(page.text):
                start, end = m.span()
                if "\n" not in m.group(0).replace(" ", "") or any(
                        g.page == page.number and g.start < end and start < g.end for g in existing + out):
                    continue
                g = Finding(page=page.number, start=start, end=end, text=text, category=f.category,
                            exemption=f.exemption, rule=f"{f.rule}.source-text", confidence=f.confidence)
                g.rects = page.rects(start, end)
                g.context_before, g.context_after = page.context(start, end)
                if g.rects:
                    out.append(g)
    return out
