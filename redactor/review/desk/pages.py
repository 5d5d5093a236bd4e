"""Page geometry and page images for the desk.

Images are PNGs rendered by PyMuPDF at one of a few zoom levels, cached per
(document, page, zoom) and rendered ahead: asking for a page queues its
neighbours, so moving to the next page finds it ready.

Plans hold rects in unrotated page space; the browser shows the page as a
viewer does (rotated). :meth:`Pages.to_display` and :meth:`Pages.from_display`
convert between the two.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass

import pymupdf

from redactor.review.desk.worker import AHEAD, NOW, Worker

ZOOMS = (0.2, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
THUMB = 0.2
CACHE_BYTES = 256 * 1024 * 1024
#: pages rendered ahead of the one asked for (after it, then before it)
AHEAD_AFTER, AHEAD_BEFORE = 3, 1


@dataclass(frozen=True)
class Geometry:
    width: float  #: as shown (rotated), points
    height: float
    bounds: tuple[float, float]  #: unrotated width and height: where plan rects live
    rotate: tuple  #: unrotated -> shown (a pymupdf.Matrix as 6 numbers)
    derotate: tuple


def geometry(doc: pymupdf.Document) -> list[Geometry]:
    """Call on the worker thread."""
    out = []
    for page in doc:
        shown = page.rect
        unrot = shown * page.derotation_matrix
        out.append(Geometry(round(shown.width, 2), round(shown.height, 2),
                            (round(abs(unrot.width), 2), round(abs(unrot.height), 2)),
                            tuple(page.rotation_matrix), tuple(page.derotation_matrix)))
    return out


class Pages:
    def __init__(self, worker: Worker, docs: list[pymupdf.Document | None]):
        self.worker = worker
        self.docs = docs
        self.geometry: list[list[Geometry]] = worker.submit(
            NOW, lambda: [geometry(d) if d is not None else [] for d in docs]).result()
        self._cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._pending: dict[tuple, Future] = {}
        self._lock = threading.Lock()

    def count(self, d: int) -> int:
        return len(self.geometry[d]) if 0 <= d < len(self.geometry) else 0

    def has(self, d: int, p: int) -> bool:
        return 1 <= p <= self.count(d)

    def to_display(self, d: int, p: int, rect) -> list[float]:
        r = pymupdf.Rect(rect) * pymupdf.Matrix(self.geometry[d][p - 1].rotate)
        r.normalize()
        return [round(v, 2) for v in r]

    def from_display(self, d: int, p: int, rect) -> list[float]:
        r = pymupdf.Rect(rect) * pymupdf.Matrix(self.geometry[d][p - 1].derotate)
        r.normalize()
        return [round(v, 2) for v in r]

    # --- images --------------------------------------------------------------------

    def image(self, d: int, p: int, zoom: float, priority: int = NOW) -> Future:
        """A future PNG of page ``p`` (1-based) of document ``d``."""
        key = (d, p, zoom)
        with self._lock:
            data = self._cache.get(key)
            if data is not None:
                self._cache.move_to_end(key)
                fut: Future = Future()
                fut.set_result(data)
                return fut
            pending = self._pending.get(key)
            if pending is not None and (priority >= AHEAD or pending.running()):
                return pending
            fut = self.worker.submit(priority, self._render, key)
            self._pending[key] = fut
            return fut

    def ahead(self, d: int, p: int, zoom: float) -> None:
        """Queue the neighbours of page ``p`` (and the next document's first
        page) for rendering, behind anything the reviewer is waiting for."""
        wanted = [(d, q) for q in range(p + 1, p + 1 + AHEAD_AFTER)] + [(d, q) for q in range(p - AHEAD_BEFORE, p)]
        if p + AHEAD_AFTER >= self.count(d) and d + 1 < len(self.docs):
            wanted.append((d + 1, 1))
        for dd, q in wanted:
            if self.has(dd, q):
                self.image(dd, q, zoom, AHEAD)

    def cached(self, d: int, p: int, zoom: float) -> bool:
        with self._lock:
            return (d, p, zoom) in self._cache

    def _render(self, key: tuple) -> bytes:
        with self._lock:  # rendered meanwhile by a job of another priority
            data = self._cache.get(key)
        if data is None:
            d, p, zoom = key
            pix = self.docs[d][p - 1].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            data = pix.tobytes("png")
        with self._lock:
            if key not in self._cache:
                self._cache[key] = data
                self._size += len(data)
                while self._size > CACHE_BYTES and len(self._cache) > 1:
                    _, old = self._cache.popitem(last=False)
                    self._size -= len(old)
            self._pending.pop(key, None)
        return data
