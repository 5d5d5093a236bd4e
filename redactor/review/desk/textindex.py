"""The bundle's text, for search and for showing where terms will apply.

Read page by page in the desk's PyMuPDF process, in the background (behind
page images; a search reads what is not read yet itself), with the same text source and the same matching as ``apply``
(:func:`redactor.pipeline.term_findings`: whole words, any case, across line
breaks), so what the search shows is what a term will redact.
"""

from __future__ import annotations

import asyncio

import pymupdf

from redactor.review.plan import Term
from redactor.text.mupdf import extract_page
from redactor.text.page import PageText
from redactor.review.desk.worker import AHEAD, SEARCH, TEXT, Worker

#: Matches sent to the browser for one search (all are counted).
MAX_RESULTS = 500


def read_page(doc: pymupdf.Document, index: int) -> PageText:
    """One page's text as apply reads it (the PDF's own text today; when an
    OCR source is added to the pipeline, this is where the desk follows)."""
    return extract_page(doc[index])


class TextIndex:
    def __init__(self, worker: Worker, page_counts: list[int]):
        self.worker = worker
        self.page_counts = page_counts
        self.read = 0

    def start(self) -> None:
        """Read every page in the background."""
        for d, n in enumerate(self.page_counts):
            for p in range(1, n + 1):
                self.worker.submit(TEXT, "read_text", d, p).add_done_callback(self._count)

    def _count(self, _) -> None:
        self.read += 1

    def progress(self) -> tuple[int, int]:
        return self.read, sum(self.page_counts)

    async def search(self, text: str) -> dict:
        return await asyncio.wrap_future(self.worker.submit(SEARCH, "search", text, MAX_RESULTS))

    async def term_hits(self, d: int, p: int, terms: list[Term]) -> list[dict]:
        """Where the plan's terms fall on one page, as shown."""
        if not terms or not 1 <= p <= self.page_counts[d]:
            return []
        return await asyncio.wrap_future(
            self.worker.submit(AHEAD, "term_hits", d, p, [(t.text, t.exemption) for t in terms]))
