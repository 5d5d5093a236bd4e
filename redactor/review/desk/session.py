"""One desk: the plan store, the documents (in the PyMuPDF process), the
page renderer, the text index and the release, and what the browser is
sent of them. The routes are in :mod:`redactor.review.desk.app`.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from redactor.account.schedule import title_of
from redactor.detect.rulepack import section_number
from redactor.errors import RedactorError
from redactor.pipeline import resolve_document_path
from redactor.review.desk import changes
from redactor.review.desk.changes import ChangeError
from redactor.review.desk.pages import THUMB, ZOOMS, Pages
from redactor.review.desk.release import Releaser, is_unreadable
from redactor.review.desk.store import PlanStore
from redactor.review.desk.textindex import TextIndex
from redactor.review.desk.worker import AHEAD, NOW, Worker
from redactor.review.plan import ManualArea, Plan

log = logging.getLogger("redactor.desk")

#: Colours of the boxes by exemption: each gives white text a contrast of
#: at least 4.5:1 (WCAG AA). Colour is never the only sign: every box and
#: row also says its exemption and its decision in words.
COLOURS = {"S40": "#c0152f", "S31": "#1b5fc9", "S24": "#6f23b8", "S30": "#0b7250", "S38": "#9a5200",
           "S43": "#7a4a00", "S42": "#00607a", "S41": "#8a1f5c"}
DEFAULT_COLOUR = "#444444"
DEFAULT_ZOOM = 1.25


def colour(exemption: str) -> str:
    return COLOURS.get(exemption.split("(")[0].upper(), DEFAULT_COLOUR)


def _section_key(code: str):
    head = code.split("(")[0]
    digits = "".join(ch for ch in head if ch.isdigit())
    return (int(digits) if digits else 999, code)


class Desk:
    """Everything one ``redactor serve`` holds: the plan store, the open
    documents, the renderer, the text index and the release."""

    def __init__(self, plan_path: Path, reviewer: str | None = None, out_dir: Path | None = None,
                 password: str | None = None, exemptions: tuple[str, ...] = ()):
        self.plan_path = Path(plan_path)
        self.store = PlanStore(self.plan_path)
        plan, _ = self.store.read()
        self.reviewer = reviewer or ""
        self.worker = Worker()
        try:
            opened = self._open_all(plan, password)
            self.documents = [info for info, _ in opened]
            self.pages = Pages(self.worker, [geometry for _, geometry in opened])
            for info, geo in zip(self.documents, self.pages.geometry):
                info["pages"] = [[g.width, g.height] for g in geo]
            self.text = TextIndex(self.worker, [len(g) for g in self.pages.geometry])
            out_dir = out_dir or self.plan_path.resolve().parent / "release"
            self.releaser = Releaser(self.worker, self.plan_path, Path(out_dir), password)
            self.exemptions = self._exemptions(plan, exemptions)
            self._state_cache: tuple[bytes, str] | None = None
            self._state_lock = threading.Lock()
            self.state_json()  # ready before the browser asks
        except BaseException:
            self.worker.stop()
            raise

    # --- setting up ------------------------------------------------------------------

    def _open_all(self, plan: Plan, password: str | None) -> list[tuple[dict, list]]:
        specs = [(d.kind, str(resolve_document_path(Path(d.path), self.plan_path))) for d in plan.documents]
        opened = self.worker.submit(NOW, "open", specs, password).result()
        out = []
        for i, (d, got) in enumerate(zip(plan.documents, opened)):
            info = {"i": i, "name": Path(d.path).name, "kind": d.kind, "problem": got["problem"], "pages": []}
            if got["sha256"] and got["sha256"] != d.sha256:
                info["problem"] = ("the file has changed since the scan (its SHA-256 differs from the plan's): "
                                   "apply will refuse it; scan it again")
            out.append((info, got["geometry"]))
        return out

    @staticmethod
    def _exemptions(plan: Plan, extra: tuple[str, ...]) -> list[dict]:
        from redactor.detect.rulepack import builtin_rules_dir, load_packs

        codes = set(extra)
        builtin = {p.stem for p in builtin_rules_dir().glob("*.yaml")}
        names = [n for n in plan.rule_packs if n in builtin] or None
        try:
            for pack in load_packs(names):
                codes.add(pack.exemption)
                codes.update(r.exemption for r in pack.rules if r.exemption)
        except RedactorError as e:  # a pack that no longer loads: offer what the plan has
            log.warning("rule packs: %s", e)
        for _, f in plan.entries():
            codes.add(f.exemption)
        for d in plan.documents:
            codes.update(m.exemption for m in d.manual)
        codes.update(t.exemption for t in plan.terms)
        return [{"code": c, "section": "Section " + section_number(c), "title": title_of(c), "colour": colour(c)}
                for c in sorted(codes, key=_section_key)]

    def start_background(self) -> None:
        """Render the first pages and the first thumbnails while the browser
        opens; the rest (every page, the text) a moment later."""
        self.worker.hold_background(2.0)
        for d, info in enumerate(self.documents):
            if self.pages.count(d):
                self.pages.image(d, 1, DEFAULT_ZOOM, AHEAD)
        for d, info in enumerate(self.documents):
            for p in range(1, min(self.pages.count(d), 12) + 1):
                self.pages.image(d, p, THUMB, AHEAD)
        self.text.start()

    def close(self) -> None:
        self.worker.stop()

    # --- what the browser is sent -------------------------------------------------------

    def finding_view(self, d: int, f) -> dict:
        ok = self.pages.has(d, f.page)
        return {"k": f"{d}:{f.id}", "d": d, "id": f.id, "page": f.page,
                "rects": [self.pages.to_display(d, f.page, r) for r in f.rects] if ok else [],
                "text": f.text, "category": f.category, "exemption": f.exemption, "rule": f.rule,
                "confidence": f.confidence, "status": f.status, "reviewer": f.reviewer, "decided_at": f.decided_at,
                "note": f.note, "before": f.context_before, "after": f.context_after, "hidden": f.hidden,
                "unreadable": is_unreadable(f)}

    def manual_view(self, plan: Plan) -> list[list[dict]]:
        out = []
        for d, doc in enumerate(plan.documents):
            marks = []
            for i, m in enumerate(doc.manual):
                item = {"i": i, "kind": m.kind, "page": m.page, "exemption": m.exemption, "reviewer": m.reviewer,
                        "decided_at": m.decided_at, "note": m.note}
                if isinstance(m, ManualArea) and self.pages.has(d, m.page):
                    item["rect"] = self.pages.to_display(d, m.page, m.rect)
                marks.append(item)
            out.append(marks)
        return out

    @staticmethod
    def terms_view(plan: Plan) -> list[dict]:
        return [{"i": i, "text": t.text, "exemption": t.exemption, "reviewer": t.reviewer,
                 "decided_at": t.decided_at} for i, t in enumerate(plan.terms)]

    def state_json(self) -> tuple[bytes, str]:
        """The state as JSON, computed once per plan version."""
        with self._state_lock:
            plan, version = self.store.read()
            cached = self._state_cache
            if cached and cached[1] == version:
                return cached
            data = json.dumps(self.state(plan, version), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            self._state_cache = (data, version)
            return self._state_cache

    def state(self, plan: Plan | None = None, version: str | None = None) -> dict:
        if plan is None:
            plan, version = self.store.read()
        return {"plan": self.plan_path.name, "version": version, "reviewer": self.reviewer,
                "undo": self.store.can_undo, "exemptions": self.exemptions, "documents": self.documents,
                "zooms": list(ZOOMS), "thumb": THUMB,
                "findings": [self.finding_view(d, f) for d, doc in enumerate(plan.documents) for f in doc.findings],
                "manual": self.manual_view(plan), "terms": self.terms_view(plan)}

    # --- changes ----------------------------------------------------------------------

    def change(self, expect: str, body: dict) -> dict:
        op = body.get("op")
        reviewer = changes.reviewer_name(body.get("reviewer"))
        keys = body.get("keys") or []
        if not isinstance(keys, list):
            raise ChangeError("keys must be a list")

        def run(plan: Plan):
            if op == "decide":
                return changes.decide(plan, keys, body.get("status"), reviewer, body.get("note"))
            if op == "exemption":
                return changes.set_exemption(plan, keys, body.get("exemption"), reviewer)
            if op == "note":
                return changes.set_note(plan, keys, body.get("note"), reviewer)
            if op == "area":
                d, p = self._page_arg(body)
                rect = self.pages.from_display(d, p, self._rect_arg(body))
                changes.add_area(plan, d, p, rect, self.pages.geometry[d][p - 1].bounds, body.get("exemption"),
                                 reviewer, body.get("note"))
                return []
            if op == "withhold":
                d, p = self._page_arg(body)
                changes.withhold(plan, d, p, body.get("exemption"), reviewer, body.get("note"))
                return []
            if op == "eyeball":
                d, p = self._page_arg(body)
                changes.reviewed_by_eye(plan, d, p, reviewer, body.get("note"))
                return []
            if op == "unmark":
                changes.remove_manual(plan, self._int(body.get("d")), self._int(body.get("i")))
                return []
            if op == "term":
                changes.add_term(plan, body.get("text"), body.get("exemption"), reviewer)
                return []
            if op == "unterm":
                changes.remove_term(plan, self._int(body.get("i")))
                return []
            raise ChangeError(f"unknown change {op!r}")

        label = self._label(op, keys, body)
        version, changed = self.store.change(expect, label, run)
        return self._patch(version, changed, f"{label} (saved)")

    def undo(self, expect: str) -> dict:
        version, label = self.store.undo(expect)
        return {**self.state(), "message": f"undone: {label}"}

    def _patch(self, version: str, keys: list[str], message: str) -> dict:
        plan, _ = self.store.read()
        wanted = set(keys)
        found = [self.finding_view(d, f) for d, doc in enumerate(plan.documents) for f in doc.findings
                 if f"{d}:{f.id}" in wanted]
        return {"version": version, "undo": self.store.can_undo, "findings": found,
                "manual": self.manual_view(plan), "terms": self.terms_view(plan), "message": message}

    @staticmethod
    def _label(op, keys, body) -> str:
        n = len(keys)
        what = f"finding {str(keys[0]).split(':', 1)[-1]}" if n == 1 else f"{n} findings"
        return {
            "decide": f"{ {'accepted': 'accept', 'rejected': 'reject'}.get(body.get('status'), 'reset')} {what}",
            "exemption": f"exemption {body.get('exemption')} for {what}",
            "note": f"note on {what}",
            "area": f"area on page {body.get('page')}",
            "withhold": f"withhold page {body.get('page')}",
            "eyeball": f"page {body.get('page')} reviewed by eye",
            "unmark": "remove a mark",
            "term": f"term {str(body.get('text'))[:40]!r}",
            "unterm": "remove a term",
        }.get(op, str(op))

    @staticmethod
    def _int(v) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ChangeError("a number was expected")
        return v

    def _page_arg(self, body: dict) -> tuple[int, int]:
        d, p = self._int(body.get("d")), self._int(body.get("page"))
        if not self.pages.has(d, p):
            raise ChangeError("no such page")
        return d, p

    @staticmethod
    def _rect_arg(body: dict) -> list[float]:
        rect = body.get("rect")
        if not isinstance(rect, list) or len(rect) != 4 or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in rect):
            raise ChangeError("an area is four numbers: x0, y0, x1, y1")
        return [float(v) for v in rect]


