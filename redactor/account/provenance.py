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

def finding_fields(entry, finding) -> None:
    """Fill ``decided_at`` and ``found`` of a finding's log entry
    (:func:`redactor.account.entries.log_entries`)."""
    entry.decided_at = finding.decided_at
    found = {"rects": [[float(v) for v in r] for r in finding.rects], "span": [finding.start, finding.end]}
    if finding.source:
        found["source"] = finding.source
    if not getattr(finding, "fold_case", True):
        found["fold_case"] = False
    if not getattr(finding, "searched", True):
        found["searched"] = False  # verification checks its boxes, and does not search for it elsewhere
    entry.found = found


def marks_by_id(marks) -> tuple[dict, dict]:
    """A reviewer's areas and withheld pages by the id of their log entries."""
    return ({f"area-{i + 1}": a for i, a in enumerate(marks.areas)}, {f"page-{m.page}": m for m in marks.pages})


def mark_fields(entry, areas: dict, pages: dict) -> None:
    """Fill ``decided_at`` and ``found`` of a manual mark's log entry
    (``areas``, ``pages``: :func:`marks_by_id`)."""
    if entry.rule == AREA_RULE and entry.id in areas:
        entry.decided_at = areas[entry.id].decided_at
        entry.found = {"rects": [[float(v) for v in areas[entry.id].rect]]}
    elif entry.rule == PAGE_RULE and entry.id in pages:
        entry.decided_at = pages[entry.id].decided_at


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
