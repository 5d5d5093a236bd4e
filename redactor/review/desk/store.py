"""The plan file as the desk sees it: the one source of truth.

Every change reads the file, checks that it is still the version the
browser last saw, applies the change to a fresh copy and writes it back
atomically (:meth:`Plan.save` with ``expect``: the check is repeated under a
lock on the plan's folder, so ``redactor review`` writing at the same moment
cannot slip in between). Nothing of the plan is kept only in memory.

Undo keeps the bytes before each change. It restores them only while the
file is still exactly what that change wrote: a decision made since, in
another tab or the terminal, is never undone by accident.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from redactor.errors import PlanError
from redactor.review.plan import Plan, PlanConflict, parse_plan, plan_version

T = TypeVar("T")

#: Bytes of earlier plan versions kept for undo (oldest dropped first).
UNDO_BYTES = 64 * 1024 * 1024

CONFLICT = ("The plan was changed elsewhere (another tab, another reviewer or `redactor review`) "
            "since this page loaded. Your change was not saved and nothing was overwritten: "
            "reload to see the plan as it is now.")


@dataclass
class _Step:
    before: bytes
    after: str  #: the version this change wrote
    label: str


class PlanStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cache: tuple[str, Plan] | None = None
        self._undo: list[_Step] = []

    def read(self) -> tuple[Plan, str]:
        """The plan and its version. The plan is shared: do not change it."""
        with self._lock:
            return self._read()

    def _read(self, raw: bytes | None = None) -> tuple[Plan, str]:
        raw = self._bytes() if raw is None else raw
        version = plan_version(raw)
        cached = self._cache
        if cached and cached[0] == version:
            return cached[1], version
        plan = parse_plan(raw, self.path)
        self._cache = (version, plan)
        return plan, version

    def version(self) -> str:
        return plan_version(self._bytes())

    def cached_version(self) -> str | None:
        return self._cache[0] if self._cache else None

    def change(self, expect: str, label: str, fn: Callable[[Plan], T]) -> tuple[str, T]:
        """Apply ``fn`` to the plan if the file is still version ``expect``;
        return the new version and what ``fn`` returned."""
        with self._lock:
            raw = self._bytes()
            if plan_version(raw) != expect:
                raise PlanConflict(CONFLICT, self.path)
            plan, _ = self._read(raw)  # the parsed file, changed in place (readers wait for the lock)
            try:
                result = fn(plan)
                new = plan.save(self.path, expect=expect)
            except BaseException:
                self._cache = None  # half changed: the file is the truth
                raise
            self._push(_Step(raw, new, label))
            self._cache = (new, plan)  # what was just written
            return new, result

    def undo(self, expect: str) -> tuple[str, str]:
        """Restore the plan as it was before the last change made here;
        return the new version and what was undone."""
        with self._lock:
            if not self._undo:
                raise NothingToUndo("there is nothing to undo")
            step = self._undo[-1]
            current = plan_version(self._bytes())
            if current != expect or current != step.after:
                raise PlanConflict(CONFLICT if current != expect else
                                   "The plan was changed elsewhere since the last change made here: "
                                   "nothing was undone.", self.path)
            new = parse_plan(step.before, self.path).save(self.path, expect=current)
            self._undo.pop()
            self._cache = None
            return new, step.label

    @property
    def can_undo(self) -> str | None:
        """What undo would undo, if anything."""
        return self._undo[-1].label if self._undo else None

    def _push(self, step: _Step) -> None:
        self._undo.append(step)
        while len(self._undo) > 1 and sum(len(s.before) for s in self._undo) > UNDO_BYTES:
            self._undo.pop(0)

    def _bytes(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as e:
            raise PlanError(f"cannot read plan: {e.strerror or e}", self.path) from None


class NothingToUndo(PlanError):
    pass
