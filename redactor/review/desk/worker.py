"""The one thread that runs PyMuPDF.

PyMuPDF must not be used from several threads at once, so everything that
touches a document (rendering, text extraction, apply) is a job on this
thread, taken by priority: the page the reviewer is looking at first, then
apply, then pages rendered ahead, then the text index.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

log = logging.getLogger("redactor.desk")

NOW = 0  #: what the reviewer is waiting for
APPLY = 1
AHEAD = 2  #: pages rendered ahead
SEARCH = 3  #: text someone searches for
BACKGROUND = 4  #: the text index


class Worker:
    def __init__(self, name: str = "redactor-desk-mupdf"):
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, priority: int, fn: Callable[..., Any], *args: Any) -> Future:
        fut: Future = Future()
        self._queue.put((priority, next(self._seq), fn, args, fut))
        return fut

    def stop(self) -> None:
        self._queue.put((-1, next(self._seq), None, (), None))

    def _run(self) -> None:
        while True:
            _, _, fn, args, fut = self._queue.get()
            if fn is None:
                return
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn(*args))
            except BaseException as e:  # handed to whoever waits
                fut.set_exception(e)
