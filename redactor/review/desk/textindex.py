"""The bundle's text, for search and for showing where terms will apply.

Read page by page on the PyMuPDF thread in the background (behind page
images), with the same text source and the same matching as ``apply``
(:func:`redactor.pipeline.term_findings`: whole words, any case, across line
breaks), so what the search shows is what a term will redact.
"""

from __future__ import annotations

import asyncio
import threading
import pymupdf

from redactor.pipeline import term_findings
from redactor.review.plan import Term
from redactor.text.mupdf import extract_page
from redactor.text.page import PageText
from redactor.review.desk.worker import BACKGROUND, SEARCH, Worker

#: Matches sent to the browser for one search (all are counted).
MAX_RESULTS = 500


def read_page(doc: pymupdf.Document, index: int) -> PageText:
    """One page's text as apply reads it (the PDF's own text today; when an
    OCR source is added to the pipeline, this is where the desk follows)."""
    return extract_page(doc[index])


class TextIndex:
    def __init__(self, worker: Worker, docs: list[pymupdf.Document | None]):
        self.worker = worker
        self.docs = docs
        self.pages: list[dict[int, PageText]] = [{} for _ in docs]
        self._lock = threading.Lock()

    def start(self) -> None:
        """Read everything in the background."""
        for i, d in enumerate(self.docs):
            if d is not None:
                for n in range(1, d.page_count + 1):
                    self.worker.submit(BACKGROUND, self._read, i, n)

    def _read(self, d: int, n: int) -> PageText:
        with self._lock:
            page = self.pages[d].get(n)
        if page is None:
            page = read_page(self.docs[d], n - 1)
            with self._lock:
                self.pages[d][n] = page
        return page

    def _read_all(self, d: int) -> None:
        for n in range(1, self.docs[d].page_count + 1):
            self._read(d, n)

    def _complete(self, d: int) -> bool:
        return self.docs[d] is None or len(self.pages[d]) == self.docs[d].page_count

    async def ready(self, d: int | None = None) -> None:
        """Wait until document ``d`` (or every document) is read, moving it
        ahead of the background reading."""
        for i in (range(len(self.docs)) if d is None else [d]):
            if not self._complete(i):
                await asyncio.wrap_future(self.worker.submit(SEARCH, self._read_all, i))

    def progress(self) -> tuple[int, int]:
        total = sum(d.page_count for d in self.docs if d is not None)
        return sum(len(p) for p in self.pages), total

    async def search(self, text: str, to_display) -> dict:
        await self.ready()
        probe = Term(text=text, exemption="S40(2)")
        matches, count = [], 0
        for d, pages in enumerate(self.pages):
            ordered = [pages[n] for n in sorted(pages)]
            for f in term_findings(ordered, [probe], []):
                count += 1
                if len(matches) < MAX_RESULTS:
                    matches.append({"d": d, "page": f.page, "text": f.text, "before": f.context_before,
                                    "after": f.context_after,
                                    "rects": [to_display(d, f.page, r) for r in f.rects]})
        return {"query": text, "count": count, "matches": matches, "shown": len(matches)}

    async def term_hits(self, d: int, p: int, terms: list[Term], to_display) -> list[dict]:
        """Where the plan's terms fall on one page."""
        if not terms or self.docs[d] is None:
            return []
        page = await asyncio.wrap_future(self.worker.submit(SEARCH, self._read, d, p))
        return [{"text": f.text, "exemption": f.exemption, "rects": [to_display(d, p, r) for r in f.rects]}
                for f in term_findings([page], terms, [])]
