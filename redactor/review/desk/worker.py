"""Jobs for the PyMuPDF process, by priority.

Everything that touches a document (rendering, reading text, searching,
apply) runs in one child process (:mod:`redactor.review.desk.child`), one
job at a time, taken by priority: the page the reviewer is waiting for
first, then apply, then pages rendered ahead, then search, then the
background (every page rendered once, for jumps; then the text index). While the
child works, the server's thread only waits on a pipe: it keeps answering.
(A search reads whatever pages the background has not read yet itself.)
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from redactor.errors import ExitCode, RedactorError

log = logging.getLogger("redactor.desk")

NOW = 0  #: what the reviewer is waiting for
APPLY = 1
AHEAD = 2  #: the pages next to the one shown
SEARCH = 3  #: text someone searches for
RENDER_ALL = 4  #: every page rendered once, for jumps
TEXT = 5  #: the text index, read ahead of searches


class JobError(RedactorError):
    """A job failed in the PyMuPDF process; says what and why, with the exit
    code the error would have on the command line."""

    def __init__(self, message: str, problem: str | None, path: str | None, code: int, problems: list | None):
        super().__init__(problem or message, path)
        self.exit_code = ExitCode(code)
        self.problems = problems or []


class Worker:
    def __init__(self):
        from redactor.review.desk import child

        # A fork server (not a plain fork: this process has threads) that has
        # imported PyMuPDF and redactor once; each desk's process forks from it.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["redactor.review.desk.child", "redactor.review.desk.release"])
        self._conn, theirs = ctx.Pipe()
        self._proc = ctx.Process(target=child.serve, args=(theirs,), name="redactor-desk-mupdf", daemon=True)
        self._proc.start()
        theirs.close()
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._hold_until = 0.0
        self._thread = threading.Thread(target=self._run, name="redactor-desk-jobs", daemon=True)
        self._thread.start()

    def submit(self, priority: int, job: str, *args: Any, wanted: Callable[[], bool] | None = None) -> Future:
        """Run ``job`` (a name in :data:`child.JOBS`) in the child; ``wanted``:
        checked when its turn comes, to drop work that is no longer needed."""
        fut: Future = Future()
        self._queue.put((priority, next(self._seq), job, args, wanted, fut))
        return fut

    def hold_background(self, seconds: float) -> None:
        """Start no background job (render all, text) for ``seconds``: the
        browser opening the desk gets the machine to itself."""
        self._hold_until = time.monotonic() + seconds

    def stop(self) -> None:
        self._queue.put((-1, next(self._seq), None, (), None, None))
        self._thread.join(timeout=5)
        self._proc.join(timeout=5)
        if self._proc.is_alive():
            self._proc.terminate()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            priority, _, job, args, wanted, fut = item
            wait = self._hold_until - time.monotonic()
            if priority >= RENDER_ALL and wait > 0:
                self._queue.put(item)
                time.sleep(min(wait, 0.05))
                continue
            if job is None:
                try:
                    self._conn.send(None)
                except OSError:
                    pass
                return
            if (wanted is not None and not wanted()) or not fut.set_running_or_notify_cancel():
                if not fut.done():
                    fut.set_result(None)
                continue
            try:
                self._conn.send((job, args))
                ok, result = self._conn.recv()
            except (EOFError, OSError) as e:
                fut.set_exception(RedactorError(f"the desk's PyMuPDF process stopped ({e or 'no answer'}); "
                                                "restart `redactor serve`"))
                continue
            if ok:
                fut.set_result(result)
            else:
                kind, message, problem, path, code, problems = result
                if kind == "internal":
                    log.error("desk job %s%r failed: %s", job, args[:3], message)
                fut.set_exception(JobError(message, problem, path, code, problems))
