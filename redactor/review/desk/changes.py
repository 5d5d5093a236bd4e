"""The decisions a reviewer makes at the desk, as changes to a plan.

Each function checks its arguments (a finding that is not in the plan, a
page past the end, an exemption that is not a code) and raises
:class:`ChangeError` with a sentence for the reviewer. Every decision
records who made it and when, as the terminal review does.

Findings are named by ``"DOC:ID"``: the document's index in the plan and the
finding's id (ids are unique within a document).
"""

from __future__ import annotations

from collections.abc import Iterable

from redactor.detect.rulepack import EXEMPTION_RE
from redactor.errors import UsageError
from redactor.review.plan import FindingEntry, ManualArea, ManualPage, Plan, Term, now

STATUSES = ("proposed", "accepted", "rejected")
MAX_NOTE = 2000
MAX_TERM = 200
MAX_NAME = 100
#: Smallest area a reviewer can draw, in points (a stray click is not an area).
MIN_AREA = 2.0


class ChangeError(UsageError):
    """A change the desk refuses; the message is for the reviewer."""


def reviewer_name(name: object) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ChangeError("enter your name first: every decision records who made it")
    if len(name) > MAX_NAME:
        raise ChangeError(f"a name is at most {MAX_NAME} characters")
    return name


def exemption_code(code: object) -> str:
    code = str(code or "").strip()
    if not EXEMPTION_RE.match(code):
        raise ChangeError(f"'{code}' is not an exemption code like S40(2), S31(1)(a) or S24(1)")
    return code


def findings(plan: Plan, keys: Iterable[object]) -> list[tuple[int, FindingEntry]]:
    """The findings named by ``keys`` ("DOC:ID"), in the order given."""
    index = {f"{d}:{f.id}": (d, f) for d, doc in enumerate(plan.documents) for f in doc.findings}
    out = []
    for k in keys:
        hit = index.get(str(k))
        if hit is None:
            raise ChangeError(f"finding {k} is not in the plan (reload the page)")
        out.append(hit)
    if not out:
        raise ChangeError("no finding chosen")
    return out


def _stamp(item, reviewer: str) -> None:
    item.reviewer, item.decided_at = reviewer, now()


def decide(plan: Plan, keys: Iterable[object], status: str, reviewer: str, note: str | None = None) -> list[str]:
    if status not in STATUSES:
        raise ChangeError(f"status must be one of {', '.join(STATUSES)}")
    chosen = findings(plan, keys)
    for _, f in chosen:
        f.status = status
        _stamp(f, reviewer)
        if note:
            f.note = _note(note)
    return [f"{d}:{f.id}" for d, f in chosen]


def set_exemption(plan: Plan, keys: Iterable[object], exemption: str, reviewer: str) -> list[str]:
    """Change the exemption and accept, as the terminal review's [e] does."""
    code = exemption_code(exemption)
    chosen = findings(plan, keys)
    for _, f in chosen:
        f.exemption, f.status = code, "accepted"
        _stamp(f, reviewer)
    return [f"{d}:{f.id}" for d, f in chosen]


def set_note(plan: Plan, keys: Iterable[object], note: str, reviewer: str) -> list[str]:
    chosen = findings(plan, keys)
    for _, f in chosen:
        f.note = _note(note) or None
        _stamp(f, reviewer)
    return [f"{d}:{f.id}" for d, f in chosen]


def add_area(plan: Plan, doc: int, page: int, rect: list[float], bounds: tuple[float, float],
             exemption: str, reviewer: str, note: str | None = None) -> int:
    """A rectangle redacted by hand; ``rect`` in unrotated page space,
    clipped to the page (``bounds``: its width and height)."""
    d = _pdf(plan, doc)
    if len(rect) != 4:
        raise ChangeError("an area is four numbers: x0, y0, x1, y1")
    x0, x1 = sorted(float(v) for v in (rect[0], rect[2]))
    y0, y1 = sorted(float(v) for v in (rect[1], rect[3]))
    w, h = bounds
    x0, x1 = max(0.0, x0), min(w, x1)
    y0, y1 = max(0.0, y0), min(h, y1)
    if x1 - x0 < MIN_AREA or y1 - y0 < MIN_AREA:
        raise ChangeError("the area is too small or outside the page: drag a rectangle over what to redact")
    d.manual.append(ManualArea(kind="area", page=page, rect=[round(v, 2) for v in (x0, y0, x1, y1)],
                               exemption=exemption_code(exemption), note=_note(note) or None,
                               reviewer=reviewer, decided_at=now()))
    return len(d.manual) - 1


def withhold(plan: Plan, doc: int, page: int, exemption: str, reviewer: str, note: str | None = None) -> int:
    d = _pdf(plan, doc)
    if any(isinstance(m, ManualPage) and m.page == page for m in d.manual):
        raise ChangeError(f"page {page} is already withheld")
    d.manual.append(ManualPage(kind="page", page=page, exemption=exemption_code(exemption),
                               note=_note(note) or None, reviewer=reviewer, decided_at=now()))
    return len(d.manual) - 1


def reviewed_by_eye(plan: Plan, doc: int, page: int, reviewer: str, note: str | None = None) -> None:
    """A page OCR could not read has been looked at by a person."""
    pdf = _pdf(plan, doc)
    for u in getattr(pdf, "unreadable", None) or []:
        if u.page == page:
            u.status, u.reviewer, u.decided_at = "reviewed", reviewer, now()
            if note:
                u.note = _note(note)
            return
    raise ChangeError(f"page {page} is not a page that could not be read")


def remove_manual(plan: Plan, doc: int, index: int) -> None:
    d = _pdf(plan, doc)
    if not 0 <= index < len(d.manual):
        raise ChangeError("that mark is no longer in the plan (reload the page)")
    del d.manual[index]


def add_term(plan: Plan, text: str, exemption: str, reviewer: str) -> int:
    text = " ".join(str(text or "").split())
    if not text:
        raise ChangeError("a term needs some text")
    if len(text) > MAX_TERM:
        raise ChangeError(f"a term is at most {MAX_TERM} characters")
    if any(t.text.casefold() == text.casefold() for t in plan.terms):
        raise ChangeError(f"'{text}' is already a term")
    plan.terms.append(Term(text=text, exemption=exemption_code(exemption), reviewer=reviewer, decided_at=now()))
    return len(plan.terms) - 1


def remove_term(plan: Plan, index: int) -> None:
    if not 0 <= index < len(plan.terms):
        raise ChangeError("that term is no longer in the plan (reload the page)")
    del plan.terms[index]


def _pdf(plan: Plan, doc: int):
    if not 0 <= doc < len(plan.documents) or plan.documents[doc].kind != "pdf":
        raise ChangeError("no such PDF in the plan")
    return plan.documents[doc]


def _note(note: str | None) -> str:
    note = str(note or "").strip()
    if len(note) > MAX_NOTE:
        raise ChangeError(f"a note is at most {MAX_NOTE} characters")
    return note
