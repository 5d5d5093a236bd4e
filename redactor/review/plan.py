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

Several editors may have one plan open (the desk in two browser tabs, the
terminal ``review``): each remembers the version it read, the SHA-256 of
the file's bytes (:func:`load_plan_versioned`), and :meth:`Plan.save` with
``expect=`` refuses, with :class:`PlanConflict`, to overwrite a file that
changed since. No field in the file is needed for that.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from redactor import __version__
from redactor.errors import PlanError
from redactor.detect.findings import Finding
from redactor.foia import problem as exemption_problem

PLAN_VERSION = 2
#: Versions load_plan reads (a version 1 plan is read as version 2: it has no OCR fields).
READS = (1, 2)
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "plan-v2.schema.json"

def _normal_rect(v: list[float]) -> list[float]:
    """Corners in any order become [left, top, right, bottom]; an empty or
    non-finite rectangle is refused."""
    import math

    if not all(math.isfinite(x) for x in v):
        raise ValueError("a rectangle's corners must be finite numbers")
    x0, y0, x1, y1 = v
    r = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
    if r[2] - r[0] <= 0 or r[3] - r[1] <= 0:
        raise ValueError(f"the rectangle {v} has no area (its corners share an x or a y)")
    return r


Rect = Annotated[list[float], Field(min_length=4, max_length=4, description="[x0, y0, x1, y1] in points")]
#: a rectangle drawn by a reviewer: corners in any order, normalised
AreaRect = Annotated[list[float], Field(min_length=4, max_length=4, description="[x0, y0, x1, y1] in points"),
                     AfterValidator(_normal_rect)]
Status = Literal["proposed", "accepted", "rejected"]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _exemption(v: str) -> str:
    wrong = exemption_problem(v)
    if wrong:
        raise ValueError(wrong)
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
    source: str | None = Field(default=None, description="the reading it was found in when not the PDF's own text: "
                                                       "'ocr', 'pdfium', 'positional', 'despaced', 'columns', 'actualtext', 'dehyphenated', ...")
    fold_case: bool = Field(default=True, description="verification may look for the text in any case (False: only "
                                                     "as written: a surname that is also an ordinary word)")
    searched: bool = Field(default=True, description="verification looks for the text across the whole file (False: "
                                                    "only under its boxes: a name redacted only where the words around "
                                                    "it say it is a person)")


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
    rect: AreaRect
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


class Conversion(_Strict):
    """How an input that is not a PDF (Office, e-mail, image) became the PDF
    the findings are on. That intermediate PDF is kept beside the plan
    (``intermediate``, relative to the plan) and checked by its SHA-256
    when the plan is applied: conversion is not byte-for-byte repeatable."""

    name: str = Field(description="the document as the log and schedule name it")
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="of the original file")
    format: str
    converter: str
    intermediate_pdf_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    intermediate: str = ""
    part: str | None = Field(default=None, description="'attachment 1', '1.2'...: a part of an e-mail")
    hidden_content_policy: str | None = None
    hidden_content: list[dict] = []
    notes: list[str] = []
    attachment_filename: str | None = None


class PriorItem(_Strict):
    """[audit] One item of the release a plan revises: where it was and why, no content."""

    key: str = Field(description="'finding:ID', 'area:PAGE:x0,y0,x1,y1' or 'page:PAGE'")
    page: int = Field(ge=0)
    exemption: str
    category: str


class Supersedes(_Strict):
    """[audit] The release this document's plan revises (written by ``redactor
    reopen``): apply names it in the new log, and the schedule lists what was
    withheld then and is released now."""

    document: str
    output: str
    output_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    log: str
    log_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    created: str | None = None
    items: list[PriorItem] = []


class PlanDocument(_Strict):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    kind: Literal["pdf", "text"] = "pdf"
    converted: Conversion | None = None
    findings: list[FindingEntry] = []
    manual: list[Manual] = []
    unreadable: list[UnreadablePage] = []
    supersedes: Supersedes | None = None  #: [audit] set by `redactor reopen`
    named: list[str] = Field(default=[], description="personal data in the document's own name (found by scan): "
                             "masked, with what is redacted inside, in every name the release shows")

    @field_validator("findings")
    @classmethod
    def _one_id_each(cls, findings: list[FindingEntry]) -> list[FindingEntry]:
        """A finding's id names one finding: two with one id (one accepted, one
        rejected) were applied as the first, with no word."""
        seen: set[str] = set()
        for f in findings:
            if f.id in seen:
                raise ValueError(f"finding id {f.id!r} is given to more than one finding")
            seen.add(f.id)
        return findings


class Plan(_Strict):
    version: Literal[2] = PLAN_VERSION
    tool_version: str = __version__
    rule_packs: dict[str, str] = {}
    documents: list[PlanDocument] = []
    terms: list[Term] = []
    #: intermediate PDFs of converted inputs, by SHA-256, to save beside the plan
    _intermediates: dict[str, bytes] = PrivateAttr(default_factory=dict)
    #: the file this plan was loaded from
    _source: Path | None = PrivateAttr(default=None)

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

    def save(self, path: Path, expect: str | None = None) -> str:
        """Write the plan atomically and return its version (see
        :func:`plan_version`). With ``expect``, the version the caller read:
        raise :class:`PlanConflict` and write nothing if the file is no
        longer that version."""
        from redactor.account.log import atomic_write_text

        path = Path(path)
        if self._intermediates:  # [convert] keep the PDFs converted inputs were scanned on
            from redactor.ingest.convert.bundle import save_intermediates

            save_intermediates(self, path)
        text = self.model_dump_json(indent=2, exclude_none=True) + "\n"
        with _locked(path):
            if expect is not None:
                current = file_version(path)
                if current != expect:
                    raise PlanConflict(
                        "the plan was changed by someone else since it was read (the desk, another "
                        "`redactor review`, or an editor); nothing was overwritten", path)
            atomic_write_text(path, text)
        self._source = path
        return plan_version(text.encode("utf-8"))

    def document_for(self, path: Path, sha256: str) -> PlanDocument:
        """The plan's entry for ``path``; refuses one made for other bytes."""
        name = Path(path).name
        same_bytes = [d for d in self.documents if d.sha256 == sha256]
        if same_bytes:  # the content decides; among copies, the same path, then the same name
            return next((d for d in same_bytes if d.path == str(path)), None) or next(
                (d for d in same_bytes if Path(d.path).name == name), same_bytes[0])
        for d in self.documents:
            if Path(d.path).name == name:
                raise PlanError(
                    f"the plan was made for a different version of this file "
                    f"(plan sha256 {d.sha256[:12]}..., file {sha256[:12]}...)",
                    path,
                )
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


class PlanConflict(PlanError):
    """The plan file changed since the caller read it: nothing was written."""


def plan_version(data: bytes) -> str:
    """A plan file's version: the SHA-256 of its bytes (the desk's ETag)."""
    return hashlib.sha256(data).hexdigest()


def file_version(path: Path) -> str | None:
    try:
        return plan_version(Path(path).read_bytes())
    except FileNotFoundError:
        return None


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on the plan's folder while checking and
    replacing the file, so two writers cannot both pass the check."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(path.resolve().parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def load_plan(path: str | Path) -> Plan:
    return load_plan_versioned(path)[0]


def load_plan_versioned(path: str | Path) -> tuple[Plan, str]:
    """The plan and the version of the bytes it was read from."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise PlanError(f"cannot read plan: {e.strerror or e}", p) from None
    return parse_plan(raw, p), plan_version(raw)


def parse_plan(raw: bytes, p: Path) -> Plan:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PlanError("not UTF-8 text", p) from None
    except json.JSONDecodeError as e:
        raise PlanError(f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}", p) from None
    if not isinstance(data, dict) or data.get("version") not in READS:
        raise PlanError(f"not a version {PLAN_VERSION} redactor plan (it needs \"version\": {PLAN_VERSION}; "
                        f"version 1 plans are read too)", p)
    data = {**data, "version": PLAN_VERSION}
    try:
        plan = Plan.model_validate(data)
    except ValidationError as e:
        raise PlanError(_describe(e, data), p) from None
    plan._source = p
    return plan


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
