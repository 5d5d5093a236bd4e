"""From the desk to a release: the "ready to release" check, then apply
with progress, verify, and the schedule.

Apply runs the same :func:`redactor.pipeline.apply_plan` as ``redactor
apply``, one document at a time on the PyMuPDF thread (so page images still
come between documents), on the plan as it is on disk when Apply is
pressed. Each output is then verified again against its audit log, as
``redactor verify --log`` does. The audit logs (internal) go to their own
folder and are never served by the desk: it shows only where they are.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from redactor.account import schedule as schedule_mod
from redactor.errors import OutputError, RedactorError
from redactor.pipeline import RunOptions, apply_plan, resolve_document_path
from redactor.review.plan import Plan
from redactor.output import SCHEDULE_SUFFIX, default_internal_dir, place
from redactor.account.naming import masked_path, unclaimed
from redactor.verify.entry import verify_path
from redactor.review.desk.worker import APPLY, Worker

log = logging.getLogger("redactor.desk")



def is_unreadable(item) -> bool:
    """A page-level "could not be read: review by eye" item (added to plans
    by scans that OCR pages), whatever shape it takes in the plan."""
    words = " ".join(str(getattr(item, a, "") or "") for a in ("kind", "category", "rule")).lower()
    return "unreadable" in words or "could_not_be_read" in words


def readiness(plan: Plan, documents: list[dict]) -> dict:
    """What stands between the plan and a release. ``documents``: the
    desk's view of each file (``missing``, ``changed``)."""
    proposed, unreadable = [], []
    counts = {"accepted": 0, "rejected": 0, "areas": 0, "withheld": 0, "terms": len(plan.terms)}
    for d, doc in enumerate(plan.documents):
        for f in doc.findings:
            item = {"k": f"{d}:{f.id}", "d": d, "id": f.id, "page": f.page, "category": f.category,
                    "exemption": f.exemption, "status": f.status}
            if is_unreadable(f):
                unreadable.append(item)
            elif f.status == "proposed":
                proposed.append(item)
            else:
                counts[f.status] += 1
        for m in doc.manual:
            if is_unreadable(m):
                unreadable.append({"d": d, "page": m.page, "category": m.category, "exemption": m.exemption,
                                   "status": getattr(m, "status", "proposed")})
            else:
                counts["areas" if m.kind == "area" else "withheld"] += 1
        for u in getattr(doc, "unreadable", None) or []:  # pages OCR could not read (plan v2)
            unreadable.append({"d": d, "page": u.page, "category": "page_unreadable", "reason": u.reason,
                               "status": "proposed" if u.status == "open" else "reviewed"})
    files = [f"{doc['name']}: {doc['problem']}" for doc in documents if doc.get("problem")]
    blocking = len(proposed) + sum(1 for u in unreadable if u["status"] == "proposed") + len(files)
    return {"ready": blocking == 0, "proposed": proposed, "unreadable": unreadable, "files": files,
            "counts": counts}


@dataclass
class Release:
    """One run of apply from the desk, and what the browser is shown of it."""

    state: str = "idle"  #: idle, running, done, failed
    done: int = 0
    total: int = 0
    current: str = ""
    version: str = ""
    out_dir: str = ""
    log_dir: str = ""
    error: str = ""
    documents: list[dict] = field(default_factory=list)
    schedule: dict = field(default_factory=dict)
    #: what /out/ may serve: name -> path (outputs and the schedule; never a log)
    files: dict[str, Path] = field(default_factory=dict)

    def view(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "files"}


class Releaser:
    def __init__(self, worker: Worker, plan_path: Path, out_dir: Path, password: str | None = None):
        self.worker = worker
        self.plan_path = plan_path
        self.out_dir = out_dir
        self.password = password
        self.current = Release()
        self._lock = threading.Lock()

    def start(self, plan: Plan, version: str) -> Release:
        with self._lock:
            if self.current.state == "running":
                return self.current
            pdfs = [(i, d) for i, d in enumerate(plan.documents) if d.kind == "pdf"]
            self.current = Release(state="running", total=len(pdfs), version=version, out_dir=str(self.out_dir),
                                   log_dir=str(default_internal_dir(self.out_dir)))
        threading.Thread(target=self._run, args=(self.current, plan, pdfs), name="redactor-desk-apply",
                         daemon=True).start()
        return self.current

    def _run(self, job: Release, plan: Plan, pdfs: list) -> None:
        try:
            try:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                default_internal_dir(self.out_dir).mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise OutputError(f"cannot create the output folder: {e.strerror or e}", self.out_dir) from None
            table, taken = [], []
            plan_json = plan.model_dump_json(exclude_none=True)
            for i, doc in pdfs:
                job.current = Path(doc.path).name
                src = resolve_document_path(Path(doc.path), self.plan_path)
                out = self.out_dir / (src.stem + ".redacted.pdf")
                entry = self.worker.submit(APPLY, "apply", plan_json, str(self.plan_path), i, str(out),
                                           str(default_internal_dir(self.out_dir)), self.password, taken).result()
                taken.append(entry["output"])
                table += entry.pop("_rows")
                job.documents.append(entry)
                job.files[f"{i}.pdf"] = Path(entry.pop("_output"))
                job.done += 1
            schedule_mod.write_csv(self.out_dir / "schedule.csv", table)
            schedule_mod.write_html(self.out_dir / "schedule.html", table, "Redaction schedule")
            job.files["schedule.csv"] = self.out_dir / "schedule.csv"
            job.files["schedule.html"] = self.out_dir / "schedule.html"
            job.schedule = {"lines": schedule_mod.notice_lines(table), "rows": table}
            job.current = ""
            job.state = "done"
        except RedactorError as e:
            job.error, job.state = str(e), "failed"
        except Exception as e:  # a bug: say so, keep the desk running
            log.exception("apply from the desk failed")
            job.error, job.state = f"internal error: {type(e).__name__}: {e}", "failed"


def apply_document(plan: Plan, plan_path: Path, i: int, out: Path, internal: Path, password: str | None,
                   taken: list[str] = ()) -> dict:
    """Apply the plan to its ``i``-th document and verify the output again
    against its log, as ``redactor verify --log`` does (run in the desk's
    PyMuPDF process). The log, and the document's own schedule, go to the
    internal folder ``internal``; the release is named ``out`` less what was
    redacted in it (redactor.account.naming), numbered where an earlier
    document of the release (``taken``) has that name."""
    doc = plan.documents[i]
    src = resolve_document_path(Path(doc.path), plan_path)
    Path(internal).mkdir(parents=True, exist_ok=True)
    result = apply_plan(src, plan, out, RunOptions(
        password=password, internal_dir=Path(internal), defer_output=True, pending_dir=out.parent,
        schedule_path=Path(internal) / (out.stem + SCHEDULE_SUFFIX)))
    name = unclaimed(masked_path(out.name, [result.mask]), {t.casefold() for t in taken})
    place(result.pending, out.parent / name)
    result.output, result.pending = out.parent / name, None
    report = verify_path(result.output, result.log, password)
    return {"i": i, "name": src.name, "output": result.output.name, "pages": result.pages,
            "redactions": len(result.entries), "exemptions": result.exemptions, "log": str(result.log),
            "verified": {"ok": report.ok, "pages": report.pages, "boxes": report.checked_boxes,
                         "texts": report.checked_texts, "problems": report.problems[:10]},
            "_rows": schedule_mod.rows(result.name, result.entries), "_output": str(result.output)}
