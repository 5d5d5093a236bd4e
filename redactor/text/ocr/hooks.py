"""What the pipeline calls for OCR, one function per step, so that each
hook in :mod:`redactor.pipeline` is one line.

* :func:`read`: the PDF's own text plus OCR text (``source "ocr"``), and
  what OCR could not read;
* :func:`widen`: OCR findings' boxes grow where the reading is unsure;
* :func:`add_to_plan`, :func:`reviewed`: unreadable pages as plan items,
  and those a reviewer has looked at;
* :func:`add_layer`: the invisible text layer of the output;
* :func:`log_fields`, :func:`schedule_rows`: what the log and the schedule
  say about OCR and unreadable pages.
"""

from __future__ import annotations

import dataclasses

from redactor.detect.findings import Finding
from redactor.ingest.document import Document
from redactor.text.mupdf import extract_document
from redactor.text.ocr import document as ocr_document
from redactor.text.ocr.document import OcrResult
from redactor.text.ocr.select import OcrOptions
from redactor.text.page import PageText

UNREADABLE_CATEGORY = "page_unreadable"


def read(doc: Document, options: OcrOptions) -> tuple[list[PageText], OcrResult]:
    """(the PDF's pages then the OCR pages, the OCR result). The first
    ``doc.page_count`` items are the PDF's own text, page by page."""
    native = extract_document(doc.doc)
    pages, result = read_pixels(doc, native, options)
    return native + pages, result


def read_pixels(doc: Document, native: list[PageText], options: OcrOptions) -> tuple[list[PageText], OcrResult]:
    """(the OCR pages, the OCR result), given the PDF's own pages."""
    from redactor.ingest.convert.kinds import IMAGES

    if (doc.origin or {}).get("format") in IMAGES:
        options = dataclasses.replace(options, pictures=True)
    try:
        result = ocr_document.read_document(doc.doc, native, options)
    except Exception as e:
        from redactor.errors import InputError

        if isinstance(e, InputError):
            raise InputError(e.problem, doc.path) from None
        raise
    return result.pages, result


def widen(findings: list[Finding], pages: list[PageText]) -> None:
    ocr_document.widen(findings, pages)


def add_to_plan(plan_doc, result: OcrResult | None) -> None:
    """Unreadable pages become page-level items of the plan document."""
    if not result:
        return
    from redactor.review.plan import UnreadablePage

    plan_doc.unreadable = [UnreadablePage(page=u.page, reason=u.reason, message=u.message)
                           for u in result.unreadable]


def reviewed(result: OcrResult | None, plan_doc) -> OcrResult | None:
    """Drop unreadable pages the plan says a reviewer has looked at."""
    if not result:
        return result
    done = {u.page for u in getattr(plan_doc, "unreadable", []) if u.status == "reviewed"}
    result.unreadable = [u for u in result.unreadable if u.page not in done]
    return result


def add_layer(doc, result: OcrResult | None, boxes, options: OcrOptions) -> int:
    if not result or not options.layer or not result.pages:
        return 0
    from redactor.redact.ocrlayer import add_layer as write

    by_page: dict[int, list] = {}
    for b in boxes:
        by_page.setdefault(b.page, []).append(b.rect)
    # pages rendered only because of --ocr always hold their text already
    return write(doc, [p for p in result.pages if p.number in result.pictures], by_page)


def log_fields(result: OcrResult | None, layer_words: int) -> dict:
    if not result:
        return {}
    return {"ocr": {"engine": result.engine, "pages_read": result.read, "scanned_pages": result.scans,
                    "text_layer_words": layer_words},
            "pages_unreadable": [{"page": u.page, "reason": u.reason} for u in result.unreadable]}


def schedule_rows(document: str, result: OcrResult | None) -> list[dict]:
    return unreadable_rows(document, result.unreadable) if result else []


def unreadable_rows(document: str, unreadable) -> list[dict]:
    """The schedule's row for each page that could not be read."""
    return [{"document": document, "page": u.page, "exemption": "", "category": UNREADABLE_CATEGORY, "count": 1}
            for u in unreadable]
