"""The plan: the contract between detection, the reviewer and apply.

A versioned JSON file (schema: ``schemas/plan-v2.schema.json``, generated
from the models below and checked by the tests; version 1 plans, which
have no OCR fields, are read too)::

    {"version": 2, "documents": [
       {"path": "briefing.pdf", "sha256": "...", "findings": [
          {"id": "...", "page": 3, "rects": [[x0, y0, x1, y1]], "text": "...",
           "category": "phone", "exemption": "S40(2)", "rule": "s40.phone.uk",
           "confidence": 0.98, "status": "proposed" | "accepted" | "rejected",
           "reviewer": "...", "decided_at": "...", "note": "...",
           "source": "ocr" (only for text read from pixels)}],
        "unreadable": [
          {"page": 4, "reason": "the scan looks blank", "message": "page 4 could not be read: review by eye (...)",
           "status": "open" | "reviewed", "reviewer": "..."}],
        "manual": [
          {"kind": "area", "page": 2, "rect": [x0, y0, x1, y1], "exemption": "S31(1)(a)"},
          {"kind": "page", "page": 5, "exemption": "S24(1)"}]}],
     "terms": [{"text": "Operation Larkspur", "exemption": "S31(1)(a)"}]}

Pages are 1-based as a person reads them; rects are PDF points on the
unrotated page, origin at the top left of the crop box, y downwards
(PyMuPDF's page space). For ``.txt`` inputs, findings carry ``start`` and
``end`` character offsets and page 0.

A plan that fails validation raises :class:`~redactor.errors.PlanError`
naming the document, the finding (by id) and the field.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from redactor import __version__
from redactor.errors import PlanError
from redactor.detect.findings import Finding
from redactor.detect.rulepack import EXEMPTION_RE

PLAN_VERSION = 2
#: Versions load_plan reads (a version 1 plan is read as version 2: it has no OCR fields).
READS = (1, 2)
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "plan-v2.schema.json"

Rect = Annotated[list[float], Field(min_length=4, max_length=4, description="[x0, y0, x1, y1] in points")]
Status = Literal["proposed", "accepted", "rejected"]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _exemption(v: str) -> str:
    if not EXEMPTION_RE.match(v):
        raise ValueError(f"'{v}' is not an exemption code like S40(2), S31(1)(a) or S24(1)")
    return v


class _Decided(_Strict):
    """What every plan item has: the exemption that justifies it and who
    decided, when, and why."""

    exemption: str
    reviewer: str | None = None
    decided_at: str | None = None
    note: str | None = None

    _check_exemption = field_validator("exemption")(classmethod(lambda cls, v: _exemption(v)))


class FindingEntry(_Decided):
    """A proposed redaction and the reviewer's decision on it."""

    id: str = Field(min_length=1)
    page: int = Field(ge=0, description="1-based page; 0 for plain-text inputs")
    rects: list[Rect] = []
    start: int = Field(default=0, ge=0)
    end: int = Field(default=0, ge=0)
    text: str
    category: str
    rule: str
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    status: Status = "proposed"
    hidden: str | None = None
    context_before: str = ""
    context_after: str = ""
    source: str | None = Field(default=None, description="the reading it was found in when not the PDF's own text: 'ocr'")


class UnreadablePage(_Strict):
    """A page that needed OCR and could not be read: a person must look at it."""

    page: int = Field(ge=1)
    reason: str
    message: str = ""
    status: Literal["open", "reviewed"] = "open"
    reviewer: str | None = None
    decided_at: str | None = None
    note: str | None = None


class ManualArea(_Decided):
    """A rectangle the reviewer redacts by hand (a photograph, a signature...)."""

    kind: Literal["area"]
    page: int = Field(ge=1)
    rect: Rect
    category: str = "manual_area"


class ManualPage(_Decided):
    """A page withheld in full: replaced by a page that says so."""

    kind: Literal["page"]
    page: int = Field(ge=1)
    category: str = "page_withheld"


Manual = Annotated[Union[ManualArea, ManualPage], Field(discriminator="kind")]


class Term(_Decided):
    """Text redacted wherever it occurs, in every document of the bundle."""

    text: str = Field(min_length=1)
    category: str = "term"


class PlanDocument(_Strict):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    kind: Literal["pdf", "text"] = "pdf"
    findings: list[FindingEntry] = []
    manual: list[Manual] = []
    unreadable: list[UnreadablePage] = []


class Plan(_Strict):
    version: Literal[2] = PLAN_VERSION
    tool_version: str = __version__
    rule_packs: dict[str, str] = {}
    documents: list[PlanDocument] = []
    terms: list[Term] = []

    # --- conversions -------------------------------------------------------

    @staticmethod
    def entry(f: Finding) -> FindingEntry:
        d = f.to_dict()
        return FindingEntry(**{k: v for k, v in d.items() if k in FindingEntry.model_fields})

    @staticmethod
    def finding(e: FindingEntry) -> Finding:
        return Finding.from_dict(e.model_dump())

    def add_document(self, path: str, sha256: str, kind: str, findings: list[Finding]) -> PlanDocument:
        doc = PlanDocument(path=path, sha256=sha256, kind=kind, findings=[self.entry(f) for f in findings])
        self.documents.append(doc)
        return doc

    def save(self, path: Path) -> None:
        from redactor.account.log import atomic_write_text

        atomic_write_text(Path(path), self.model_dump_json(indent=2, exclude_none=True) + "\n")

    def document_for(self, path: Path, sha256: str) -> PlanDocument:
        """The plan's entry for ``path``; refuses one made for other bytes."""
        name = Path(path).name
        for d in self.documents:
            if Path(d.path).name == name or d.sha256 == sha256:
                if d.sha256 != sha256:
                    raise PlanError(
                        f"the plan was made for a different version of this file "
                        f"(plan sha256 {d.sha256[:12]}..., file {sha256[:12]}...)",
                        path,
                    )
                return d
        raise PlanError("the plan has no entry for this document", path)

    def entries(self):
        """(document, finding) for every finding of every document."""
        for d in self.documents:
            for f in d.findings:
                yield d, f


def json_schema() -> dict:
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://redactor.invalid/schemas/plan-v2.schema.json"
    schema["title"] = "redactor plan, version 2"
    return schema


def load_plan(path: str | Path) -> Plan:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise PlanError(f"cannot read plan: {e.strerror or e}", p) from None
    except json.JSONDecodeError as e:
        raise PlanError(f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}", p) from None
    if not isinstance(data, dict) or data.get("version") not in READS:
        raise PlanError(f"not a version {PLAN_VERSION} redactor plan (it needs \"version\": {PLAN_VERSION}; "
                        f"version 1 plans are read too)", p)
    data = {**data, "version": PLAN_VERSION}
    try:
        return Plan.model_validate(data)
    except ValidationError as e:
        raise PlanError(_describe(e, data), p) from None


def _describe(e: ValidationError, data: dict) -> str:
    """'document 1 (briefing.pdf), finding 3f2a...: field 'status': ...'"""
    err = e.errors()[0]
    loc = list(err["loc"])
    parts = []
    node = data
    if loc[:1] == ["documents"] and len(loc) > 1 and isinstance(loc[1], int):
        doc = (data.get("documents") or [{}])[loc[1]] if loc[1] < len(data.get("documents") or []) else {}
        name = Path(str(doc.get("path"))).name if isinstance(doc, dict) and doc.get("path") else ""
        parts.append(f"document {loc[1] + 1}" + (f" ({name})" if name else ""))
        node, loc = doc, loc[2:]
        if loc[:1] in (["findings"], ["manual"]) and len(loc) > 1 and isinstance(loc[1], int):
            items = node.get(loc[0]) or []
            item = items[loc[1]] if loc[1] < len(items) else {}
            label = "finding" if loc[0] == "findings" else "manual mark"
            ident = item.get("id") if isinstance(item, dict) else None
            parts.append(f"{label} {ident!r}" if ident else f"{label} #{loc[1] + 1}")
            loc = loc[2:]
            if label == "manual mark" and loc and loc[0] in ("area", "page"):  # the union's branch
                loc = loc[1:]
    elif loc[:1] == ["terms"] and len(loc) > 1 and isinstance(loc[1], int):
        parts.append(f"term #{loc[1] + 1}")
        loc = loc[2:]
    field = ".".join(str(x) for x in loc)
    if field:
        parts.append(f"field '{field}'")
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field (a typo?)"
    elif err["type"] == "missing":
        msg = "missing"
    return f"{', '.join(parts)}: {msg}" if parts else msg
