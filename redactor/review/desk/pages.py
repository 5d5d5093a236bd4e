"""Page geometry and page images for the desk.

Images are PNGs rendered by PyMuPDF (in the desk's PyMuPDF process) at one
of a few zoom levels, cached per (document, page, zoom) and rendered ahead:
asking for a page queues its neighbours first, and then, when nothing else
is waiting, every page of the bundle at the zoom the browser uses, so that
moving to any page finds it ready.

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

from redactor.review.desk.worker import AHEAD, NOW, RENDER_ALL, Worker

ZOOMS = (0.2, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
THUMB = 0.2
#: The zooms a page view may use (thumbnails use THUMB).
VIEW_ZOOMS = tuple(z for z in ZOOMS if z >= 0.5)
CACHE_BYTES = 256 * 1024 * 1024
#: pages rendered ahead of the one asked for (after it, then before it)
AHEAD_AFTER, AHEAD_BEFORE = 3, 1
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Geometry:
    width: float  #: as shown (rotated), points
    height: float
    bounds: tuple[float, float]  #: unrotated width and height: where plan rects live
    rotate: tuple  #: unrotated -> shown (a pymupdf.Matrix as 6 numbers)
    derotate: tuple


def view_zoom(width_pt: float, pixels: float) -> float:
    """The zoom the browser asks for to show a page ``pixels`` wide (the
    same rule as desk.js's zoomFor)."""
    need = pixels / width_pt
    return next((z for z in VIEW_ZOOMS if z >= need), VIEW_ZOOMS[-1])


class Pages:
    def __init__(self, worker: Worker, geometry: list[list[dict]]):
        self.worker = worker
        self.geometry = [[Geometry(g["width"], g["height"], tuple(g["bounds"]), tuple(g["rotate"]),
                                   tuple(g["derotate"])) for g in doc] for doc in geometry]
        self._cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._pending: dict[tuple, tuple[Future, int]] = {}
        self._lock = threading.Lock()
        #: how the browser sizes pages: ("fit", pixels) or ("zoom", z); each
        #: change renders the bundle again in the background
        self._rule: tuple | None = None
        self._gen = 0

    def count(self, d: int) -> int:
        return len(self.geometry[d]) if 0 <= d < len(self.geometry) else 0

    def has(self, d: int, p: int) -> bool:
        return 1 <= p <= self.count(d)

    def to_display(self, d: int, p: int, rect) -> list[float]:
        return self._transform(self.geometry[d][p - 1].rotate, rect)

    def from_display(self, d: int, p: int, rect) -> list[float]:
        return self._transform(self.geometry[d][p - 1].derotate, rect)

    @staticmethod
    def _transform(m: tuple, rect) -> list[float]:
        if m == IDENTITY:
            return [round(float(v), 2) for v in rect]
        r = pymupdf.Rect(rect) * pymupdf.Matrix(m)
        r.normalize()
        return [round(v, 2) for v in r]

    # --- images --------------------------------------------------------------------

    def image(self, d: int, p: int, zoom: float, priority: int = NOW, gen: int | None = None) -> Future:
        """A future PNG of page ``p`` (1-based) of document ``d``. ``gen``:
        for background renders, the sizing rule they were queued under."""
        key = (d, p, zoom)
        with self._lock:
            data = self._cache.get(key)
            if data is not None:
                self._cache.move_to_end(key)
                fut: Future = Future()
                fut.set_result(data)
                return fut
            pending = self._pending.get(key)
            if pending is not None and pending[1] <= priority:
                return pending[0]
            fut = Future()
            self._pending[key] = (fut, priority)
        job = self.worker.submit(priority, "render", d, p, zoom, wanted=lambda: self._wanted(key, gen))
        job.add_done_callback(lambda j: self._done(key, j, fut))
        return fut

    def _wanted(self, key: tuple, gen: int | None) -> bool:
        with self._lock:
            return key not in self._cache and (gen is None or gen == self._gen)

    def _done(self, key: tuple, job: Future, fut: Future) -> None:
        error = job.exception()
        data = None if error else job.result()
        with self._lock:
            if data is None:  # failed, or dropped because it was rendered meanwhile
                data = self._cache.get(key)
            elif key not in self._cache:
                self._cache[key] = data
                self._size += len(data)
                while self._size > CACHE_BYTES and len(self._cache) > 1:
                    _, old = self._cache.popitem(last=False)
                    self._size -= len(old)
            if self._pending.get(key, (None,))[0] is fut:
                del self._pending[key]
        if data is not None:
            fut.set_result(data)
        else:
            fut.set_exception(error or RuntimeError("not rendered: the page view changed size"))

    def ahead(self, d: int, p: int, zoom: float, fit: float | None = None) -> None:
        """Queue the neighbours of page ``p`` (and the next document's first
        page), then, if the browser's way of sizing pages changed, the whole
        bundle, behind anything the reviewer is waiting for."""
        wanted = [(d, q) for q in range(p + 1, p + 1 + AHEAD_AFTER)] + [(d, q) for q in range(p - AHEAD_BEFORE, p)]
        if p + AHEAD_AFTER >= self.count(d) and d + 1 < len(self.geometry):
            wanted.append((d + 1, 1))
        for dd, q in wanted:
            if self.has(dd, q):
                self.image(dd, q, self._zoom_for(dd, q, zoom, fit), AHEAD)
        rule = ("fit", fit) if fit else ("zoom", zoom)
        if rule != self._rule:
            with self._lock:
                self._rule = rule
                self._gen += 1
                gen = self._gen
            for dd in range(len(self.geometry)):
                for q in range(1, self.count(dd) + 1):
                    self.image(dd, q, self._zoom_for(dd, q, zoom, fit), RENDER_ALL, gen)

    def rendered(self) -> tuple[int, int]:
        """Pages rendered at the browser's current size, of all pages."""
        total = sum(self.count(d) for d in range(len(self.geometry)))
        if self._rule is None:
            return 0, total
        kind, value = self._rule
        with self._lock:
            done = sum(1 for d in range(len(self.geometry)) for q in range(1, self.count(d) + 1)
                       if (d, q, self._zoom_for(d, q, value, value if kind == "fit" else None)) in self._cache)
        return done, total

    def _zoom_for(self, d: int, p: int, zoom: float, fit: float | None) -> float:
        return view_zoom(self.geometry[d][p - 1].width, fit) if fit else zoom

    def cached(self, d: int, p: int, zoom: float) -> bool:
        with self._lock:
            return (d, p, zoom) in self._cache
