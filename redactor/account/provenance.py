"""What apply records for a later internal review (issue 15).

Three things reach the audit log through small hooks in
:mod:`redactor.pipeline`:

* per redaction, the decision time (``decided_at``) and the finding as it
  was found (``found``: its rects before the boxes were laid out, its
  character span, the reading it came from), so that ``redactor reopen``
  can rebuild the plan that re-applies to the same bytes;
* in the header, for a reviewed plan: ``rejected_findings`` (per rule and
  reviewer, how many findings were rejected: counts only, no content), the
  plan's ``terms``, and, for a plan made by ``redactor reopen``,
  ``supersedes`` (the release it revises: its output and log SHA-256) and
  ``released_on_review`` (what that release withheld and this one does not,
  by page, exemption and category: no content);
* in the schedule of a revised release, a note naming the release it
  replaces and a table of what was released on review.

Old logs have none of these fields: every reader here treats them as
optional.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

AREA_RULE = "plan.manual.area"
PAGE_RULE = "plan.manual.page"
TERM_RULE = "plan.term"
COVERED = "covered by page withheld in full"


# --- per entry ---------------------------------------------------------------------------

def annotate(entries: list, findings: list, marks) -> None:
    """Fill ``decided_at`` and ``found`` of the log entries :func:`pipeline._log_entries`
    made (one per finding, in order, then areas, then withheld pages)."""
    for e, f in zip(entries, findings):
        e.decided_at = f.decided_at
        found = {"rects": [[float(v) for v in r] for r in f.rects], "span": [f.start, f.end]}
        if f.source:
            found["source"] = f.source
        if not getattr(f, "fold_case", True):
            found["fold_case"] = False
        e.found = found
    areas = {f"area-{i + 1}": a for i, a in enumerate(marks.areas)}
    pages = {f"page-{m.page}": m for m in marks.pages}
    for e in entries[len(findings):]:
        if e.rule == AREA_RULE and e.id in areas:
            e.decided_at = areas[e.id].decided_at
            e.found = {"rects": [[float(v) for v in areas[e.id].rect]]}
        elif e.rule == PAGE_RULE and e.id in pages:
            e.decided_at = pages[e.id].decided_at


def item_key(entry: dict) -> str:
    """How an item of a release is recognised in its revision: a finding by
    its id, an area by its page and rectangle, a withheld page by its number."""
    rule = entry.get("rule")
    if rule == PAGE_RULE:
        return f"page:{entry.get('page')}"
    if rule == AREA_RULE:
        found = entry.get("found") if isinstance(entry.get("found"), dict) else {}
        rects = found.get("rects") or entry.get("rects") or [[0, 0, 0, 0]]
        try:
            return f"area:{entry.get('page')}:" + ",".join(f"{float(v):.1f}" for v in rects[0])
        except (TypeError, ValueError, IndexError, KeyError):
            return f"area:{entry.get('page')}:?"
    return f"finding:{entry.get('id')}"


# --- per log (header) ---------------------------------------------------------------------

@dataclass
class ReviewRecord:
    """What a reviewed plan adds to the log header of one document."""

    rejected: list[dict] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    supersedes: object | None = None  #: review.plan.Supersedes


def from_plan(plan, entry) -> ReviewRecord:
    """The plan's rejections (counts per rule and reviewer), its terms, and
    the release it revises, if any."""
    counts = Counter((f.rule, f.reviewer or "") for f in entry.findings if f.status == "rejected")
    rejected = [{"rule": rule, "reviewer": who or None, "count": n} for (rule, who), n in sorted(counts.items())]
    terms = [t.model_dump(exclude_none=True) for t in plan.terms]
    return ReviewRecord(rejected=rejected, terms=terms, supersedes=getattr(entry, "supersedes", None))


def log_fields(review: ReviewRecord | None, entries: list) -> dict:
    """Header fields for the log (none for `redact`, which has no review)."""
    if review is None:
        return {}
    out: dict = {"rejected_findings": review.rejected}
    if review.terms:
        out["terms"] = review.terms
    prior = review.supersedes
    if prior is not None:
        out["supersedes"] = {k: getattr(prior, k) for k in ("document", "output", "output_sha256", "log",
                                                             "log_sha256", "created")}
        now = {item_key(e.__dict__) for e in entries}
        gone = Counter((i.page, i.exemption, i.category) for i in prior.items if i.key not in now)
        out["released_on_review"] = [{"page": p, "exemption": ex, "category": cat, "count": n}
                                     for (p, ex, cat), n in sorted(gone.items())]
    return out


# --- the schedule of a revised release --------------------------------------------------------

def released_rows(document: str, fields: dict) -> list[dict]:
    return [{"document": document, **r} for r in fields.get("released_on_review", [])]


def schedule_notes(fields: dict) -> list[str]:
    prior = fields.get("supersedes")
    if not prior:
        return []
    when = f" of {prior['created'][:10]}" if prior.get("created") else ""
    n = sum(r["count"] for r in fields.get("released_on_review", []))
    what = (f"on review, {n} item{'s' if n != 1 else ''} withheld then {'are' if n != 1 else 'is'} now released "
            "(listed below)" if n else "on review, nothing withheld then is released now")
    return [f"This release replaces the earlier release{when} of {prior['document']} (SHA-256 "
            f"{prior['output_sha256'][:16]}...): {what}."]
