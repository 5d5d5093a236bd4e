"""``redactor reopen``: a log back into a plan, for an internal review or
an ICO decision notice that orders more disclosure.

Every redaction of the log becomes an accepted finding with its provenance
(rule, reviewer, decision time, note, category, exemption, confidence, the
words around it), manual areas and withheld pages become the plan's manual
marks, and the terms the plan had (logged since issue 15) become terms
again. Texts the first release left readable (``texts_left_readable``) are
found again in the original and become rejected findings, so a reviewer
sees them beside the redacted ones and can change either.

The plan records the release it revises (``supersedes``: the release and
log SHA-256, and each item's page, exemption and category, no content), so
``apply`` writes a log naming the release it supersedes and a schedule that
lists what was released on review. Re-applying the reopened plan unchanged
(with the same options) gives the same bytes as the first release: the log
keeps each finding as it was found (``found``); logs written before that
field existed are reopened from the boxes as drawn, and say so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from redactor.account import belong
from redactor.account.provenance import AREA_RULE, COVERED, PAGE_RULE, TERM_RULE, item_key
from pydantic import ValidationError

from redactor.errors import UsageError
from redactor.verify.entry import LogError

#: Rule of a rejected finding rebuilt from a text the first release left readable.
LEFT_RULE = "reopen.left_readable"


@dataclass
class Reopened:
    plan: object  #: review.plan.Plan
    checked: belong.Checked
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        doc = self.plan.documents[0]
        return {"accepted": sum(f.status == "accepted" for f in doc.findings),
                "rejected": sum(f.status == "rejected" for f in doc.findings),
                "areas": sum(m.kind == "area" for m in doc.manual),
                "pages": sum(m.kind == "page" for m in doc.manual), "terms": len(self.plan.terms)}


def split_context(context: str, text: str) -> tuple[str, str]:
    """'before [text] after' -> ('before', 'after')."""
    if not isinstance(context, str) or not isinstance(text, str):
        return "", ""
    marker = f"[{text}]"
    i = context.find(marker)
    if i < 0:
        return "", ""
    return context[:i].strip(), context[i + len(marker):].strip()


def reopen(log_path: Path, original: Path, plan_path: Path, release: Path | None = None,
           password: str | None = None) -> Reopened:
    """Check that LOG, the original (and the release, if given) belong
    together, then rebuild the plan (not saved: see :func:`save`)."""
    from redactor.ingest.document import open_pdf

    checked = belong.load_log(log_path)
    header, entries = checked.header, checked.entries
    if header.get("source"):
        raise UsageError("is the log of a converted input (Office, e-mail or image): reopening those is not "
                         "supported yet; scan the original again and apply the new plan", log_path)
    belong.check_original(checked, original)
    if release is not None:
        belong.check_release(checked, release)
    doc = open_pdf(original, password)
    belong.check_records(checked, doc.page_count)
    notes = []
    if entries and not any("found" in e for e in entries):
        notes.append("this log predates the 'found' field: findings are reopened from the boxes as drawn, so "
                     "re-applying may not give the same bytes as the first release")
    try:
        return _rebuild(checked, log_path, original, plan_path, doc, notes)
    except ValidationError as e:  # a record (of a log rewritten without the key) that is no plan item
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise LogError(f"a record cannot be reopened as a plan item: field '{where}': "
                       f"{err['msg'].removeprefix('Value error, ')}", log_path) from None


def _rebuild(checked, log_path, original, plan_path, doc, notes) -> Reopened:
    from redactor.review.plan import (FindingEntry, ManualArea, ManualPage, Plan, PlanDocument, PriorItem,
                                      Supersedes, Term, UnreadablePage)

    header, entries = checked.header, checked.entries
    terms_logged = isinstance(header.get("terms"), list)
    findings, areas, pages = [], [], []
    for e in entries:
        rule, found = e.get("rule"), e.get("found") if isinstance(e.get("found"), dict) else {}
        common = dict(exemption=e["exemption"], reviewer=e.get("reviewer"), decided_at=e.get("decided_at"),
                      note=e.get("note"))
        if rule == PAGE_RULE:
            pages.append(ManualPage(kind="page", page=e["page"], category=e.get("category") or "page_withheld",
                                    **common))
        elif rule == AREA_RULE:
            rect = (found.get("rects") or e.get("rects") or [None])[0]
            areas.append(ManualArea(kind="area", page=e["page"], rect=rect,
                                    category=e.get("category") or "manual_area", **common))
        elif rule == TERM_RULE and terms_logged:
            continue  # the plan's terms find them again
        else:
            before, after = split_context(e.get("context", ""), e["text"])
            span = found.get("span") or [0, 0]
            findings.append(FindingEntry(
                id=e.get("id") or f"reopened-{len(findings) + 1}", page=e["page"],
                rects=found.get("rects", e.get("rects") or []), start=span[0], end=span[1], text=e["text"],
                category=e.get("category") or "", rule=rule or "", confidence=e.get("confidence", 1.0),
                status="accepted", hidden=e.get("hidden"), context_before=before, context_after=after,
                source=found.get("source"), fold_case=e.get("fold_case", found.get("fold_case", True)),
                searched=found.get("searched", True) is not False, **common))
    plan = Plan(rule_packs=header.get("rule_packs") or {},
                terms=[Term(**t) for t in (header.get("terms") if terms_logged else [])])
    name = _plan_relative(original, plan_path)
    from redactor.ingest.document import sha256_file

    prior = Supersedes(
        document=header.get("document", ""), output=header.get("output", ""),
        output_sha256=header.get("output_sha256") or "", log=Path(log_path).name, log_sha256=sha256_file(log_path),
        created=header.get("created"),
        items=[PriorItem(key=item_key(e), page=e["page"], exemption=e["exemption"], category=e.get("category", ""))
               for e in entries if e.get("decision") != COVERED])
    unreadable = header.get("pages_unreadable") if isinstance(header.get("pages_unreadable"), list) else []
    entry = PlanDocument(path=name, sha256=header.get("input_sha256") or "", findings=findings, manual=areas + pages,
                         unreadable=[UnreadablePage(page=u["page"], reason=u.get("reason", ""),
                                                    message=f"page {u['page']} could not be read: review by eye")
                                     for u in unreadable if isinstance(u, dict)],
                         supersedes=prior)
    plan.documents.append(entry)
    kept = header.get("texts_left_readable") or []  # a list of texts: checked by check_records
    if kept:
        entry.findings += left_readable(doc, kept, entry, header, notes)
    return Reopened(plan, checked, notes)


def left_readable(doc, kept: list[str], entry, header: dict, notes: list[str]):
    """Rejected findings where the first release left each text readable:
    its occurrences in the original outside every box and withheld page."""
    from redactor.detect.findings import normalise
    from redactor.pipeline import RunOptions, _views, term_findings
    from redactor.review.plan import FindingEntry, Plan, Term

    views = _views(doc, RunOptions())
    withheld = {m.page for m in entry.manual if m.kind == "page"}
    boxes: dict[int, list] = {}
    for f in entry.findings:
        boxes.setdefault(f.page, []).extend(f.rects)
    for m in entry.manual:
        if m.kind == "area":
            boxes.setdefault(m.page, []).append(m.rect)
    like = {normalise(f.text): f for f in entry.findings}
    when = (header.get("created") or "")[:10]
    out: list = []
    for text in kept:
        twin = like.get(normalise(text))
        exemption = twin.exemption if twin else "S40(2)"
        found = term_findings(views.primary + views.extra, [Term(text=text, exemption=exemption)], [])
        placed = 0
        for f in found:
            if f.page in withheld or _overlaps(f.rects, boxes.get(f.page, [])):
                continue
            boxes.setdefault(f.page, []).extend(f.rects)  # one finding per place, whichever reading found it
            d = Plan.entry(f).model_dump()
            d.update(text=text, status="rejected", rule=twin.rule if twin else LEFT_RULE,
                     category=twin.category if twin else "left_readable", confidence=twin.confidence if twin else 1.0,
                     reviewer=None, decided_at=None,
                     note=f"left readable in the release of {when or 'an earlier date'} (reopened)")
            out.append(FindingEntry(**d))
            placed += 1
        if not placed:
            notes.append(f"a text the first release left readable was not found again in the original's text; it "
                         f"is kept as a rejected finding with no box on page 1: {text!r}")
            out.append(FindingEntry(id=f"left-{len(out) + 1}", page=1, text=text, category="left_readable",
                                    rule=LEFT_RULE, exemption=exemption, status="rejected",
                                    note="left readable in the first release; not found again in the original"))
    return out


def _overlaps(rects, others) -> bool:
    for a in rects:
        for b in others:
            if min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5:
                return True
    return False


def _plan_relative(original: Path, plan_path: Path) -> str:
    """The original as the plan names it: relative to the plan's folder when below it."""
    folder = Path(os.path.abspath(plan_path)).parent
    full = Path(os.path.abspath(original))
    return full.relative_to(folder).as_posix() if full.is_relative_to(folder) else str(full)


def save(reopened: Reopened, plan_path: Path) -> None:
    from redactor.output import check_file_destination

    plan_path = Path(plan_path)
    if plan_path.exists():
        raise UsageError("exists: reopen writes a new plan (choose another -o)", plan_path)
    check_file_destination(plan_path)
    reopened.plan.save(plan_path)
