"""The plan: proposed redactions, as a JSON file a reviewer can edit.

Version 1::

    {"version": 1, "tool_version": "...", "rule_packs": {"s40_personal_data": "0.1.0"},
     "documents": [
        {"path": "briefing.pdf", "sha256": "...", "kind": "pdf",
         "findings": [{"id": "...", "page": 3, "rects": [[x0, y0, x1, y1]],
                       "text": "...", "category": "phone", "exemption": "S40(2)",
                       "rule": "s40.phone.uk", "confidence": 0.98,
                       "status": "proposed", ...}],
         "manual": []}],
     "terms": []}

Pages are 1-based; rects are PDF points on the unrotated page, origin at the
top left of the crop box, y downwards (PyMuPDF's page space). For ``.txt``
inputs, findings carry ``start``/``end`` character offsets and page 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import PlanError
from .findings import STATUSES, Finding

PLAN_VERSION = 1


@dataclass
class PlanDocument:
    path: str
    sha256: str
    kind: str = "pdf"
    findings: list[Finding] = field(default_factory=list)
    manual: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    documents: list[PlanDocument] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    rule_packs: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "version": PLAN_VERSION,
            "tool_version": __version__,
            "rule_packs": self.rule_packs,
            "documents": [
                {
                    "path": d.path,
                    "sha256": d.sha256,
                    "kind": d.kind,
                    "findings": [f.to_dict() for f in d.findings],
                    "manual": d.manual,
                }
                for d in self.documents
            ],
            "terms": self.terms,
        }

    def save(self, path: Path) -> None:
        from .audit import atomic_write_text

        atomic_write_text(Path(path), json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")

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


def load_plan(path: str | Path) -> Plan:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise PlanError(f"cannot read plan: {e.strerror or e}", p) from None
    except json.JSONDecodeError as e:
        raise PlanError(f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}", p) from None
    if not isinstance(data, dict) or data.get("version") != PLAN_VERSION:
        raise PlanError(f"not a version {PLAN_VERSION} redactor plan (no \"version\": {PLAN_VERSION})", p)
    docs = []
    for i, d in enumerate(data.get("documents", [])):
        findings = []
        for j, f in enumerate(d.get("findings", [])):
            where = f"document {i + 1}, finding {f.get('id') or j + 1}"
            for key in ("page", "text", "exemption", "category", "rule"):
                if key not in f:
                    raise PlanError(f"{where}: missing field '{key}'", p)
            if f.get("status", "proposed") not in STATUSES:
                raise PlanError(f"{where}: status {f.get('status')!r} is not one of {', '.join(STATUSES)}", p)
            try:
                findings.append(Finding.from_dict({"start": 0, "end": 0, "confidence": 1.0, **f}))
            except (TypeError, ValueError) as e:
                raise PlanError(f"{where}: {e}", p) from None
        docs.append(PlanDocument(path=d["path"], sha256=d["sha256"], kind=d.get("kind", "pdf"),
                                 findings=findings, manual=d.get("manual", [])))
    return Plan(documents=docs, terms=data.get("terms", []), rule_packs=data.get("rule_packs", {}))
