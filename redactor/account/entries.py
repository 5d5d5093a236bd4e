"""The log entries of one run, one at a time.

One entry per applied finding, in order, then one per area a reviewer
drew (not on a withheld page), then one per withheld page. Each is made
whole as it comes (its boxes as drawn, how it shows, and, for `redactor
reopen`, the finding as found): the caller keeps them on disk
(:class:`redactor.spill.Spill`), so a large document's entries are never
all in memory at once (issue 14).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from redactor.account import log as audit
from redactor.account import provenance  # [audit] decision times, findings as found


def _rounded(rects) -> list:
    return [[round(v, 2) for v in rect] for rect in rects]


def log_entries(document: str, findings: Iterable, marks, drawn: dict, covered: dict, area_text: dict,
                withheld: dict, page_rect: Callable[[int], tuple]) -> Iterator[audit.LogEntry]:
    """``drawn``: box ref -> the rectangles drawn for it; ``covered``: ref ->
    how text found under someone else's box shows (else "box");
    ``withheld``: page -> its manual mark; ``page_rect``: a page's rectangle
    by page number."""
    for f in findings:
        e = audit.LogEntry(
            document=document, page=f.page, rects=_rounded(drawn.get(f.id, [])), category=f.category,
            exemption=f.exemption, rule=f.rule, confidence=round(f.confidence, 3), text=f.text,
            context=f"{f.context_before} [{f.text}] {f.context_after}".strip(),
            decision=audit.COVERED if f.page in withheld else f.status,
            reviewer=f.reviewer, hidden=f.hidden, id=f.id, note=f.note, fold_case=f.fold_case,
        )
        e.drawn = covered.get(e.id, "box")
        provenance.finding_fields(e, f)
        yield e
    areas, pages = provenance.marks_by_id(marks)
    for i, a in enumerate(marks.areas):
        ref = f"area-{i + 1}"
        if a.page in withheld:
            continue
        e = audit.LogEntry(
            document=document, page=a.page, rects=_rounded(drawn.get(ref, [])), category=a.category,
            exemption=a.exemption, rule="plan.manual.area", confidence=1.0, text=area_text.get(ref, ""),
            context="", decision="accepted", reviewer=a.reviewer, id=ref, note=a.note)
        e.drawn = covered.get(e.id, "box")
        provenance.mark_fields(e, areas, pages)
        yield e
    for number, m in sorted(withheld.items()):
        e = audit.LogEntry(
            document=document, page=number, rects=_rounded([tuple(page_rect(number))]), category=m.category,
            exemption=m.exemption, rule="plan.manual.page", confidence=1.0, text="", context="",
            decision="accepted", reviewer=m.reviewer, id=f"page-{number}", note=m.note)
        e.drawn = covered.get(e.id, "box")
        provenance.mark_fields(e, areas, pages)
        yield e
