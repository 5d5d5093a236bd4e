"""Detection on every reading of a document, merged by where findings are.

The rules run unchanged on each reading (:mod:`redactor.text.views`). Names
found in any reading are looked for in all of them. A finding from another
reading whose boxes lie over a finding already made is the same finding and
is dropped; one that covers a smaller finding of the same category (the full
name where the primary reading saw only the surname) replaces it. What is
left carries the reading it came from in ``Finding.source``. A finding of
the columns reading (a table cell read under its header) takes the place of
one of another category at the same place: the header says what the cell
holds, the row's words only suggest it. Then every
value found is looked for wherever else it stands (:mod:`redactor.detect.values`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

from redactor.detect import citations, values
from redactor.detect.engine import PROPAGATED_RULE, Detector, Stopped, TextsOf, page_languages
from redactor.detect.findings import Finding
from redactor.spill import Spill
from redactor.text.page import PageText
from redactor.text.columns import SOURCE as COLUMNS
from redactor.text.views import PRIMARY, Views

#: share of a box that must lie under other boxes for it to be "the same place"
COVERED = 0.7


def find_in_views(detector: Detector, documents: Sequence[Views], known: set[str] = frozenset(),
                  memos: Sequence[dict] | None = None) -> list[list[Finding]]:
    """Findings per document; names are shared across readings, and across
    documents when there are several (a bundle). ``known``: names to look for
    from the start (an Office file's authors, say). ``memos``: one per
    document, filled ahead by :class:`ReadAhead` (or empty)."""
    # the second pass reads no page again: each page's own findings are kept from the first (memo)
    memos = list(memos) if memos is not None else [{} for _ in documents]
    results = [_run(detector, v, set(known) or None, m) for v, m in zip(documents, memos)]
    names = set(known).union(*(_names(detector, r) for r in results)) if results else set(known)
    for i, v in enumerate(documents):
        if len(documents) > 1 or names - detector.names_in(results[i][PRIMARY]):
            results[i] = _run(detector, v, names, memos[i])
    # a value found in one place (a call sign under its header) is found wherever it stands, in every document
    found = values.values_of((f for r in results for fs in r.values() for f in fs), detector.propagate)
    for i, v in enumerate(documents):
        spread = values.spread(detector, [v.primary, *v.by_source().values()], found,
                               (f for fs in results[i].values() for f in fs))
        if spread:
            results[i] = {**results[i], values.RULE: spread}
    return [merge(r) for r in results]


def _languages(primary: Sequence[PageText], memo: dict) -> dict[int, str]:
    """Each page's language from its primary reading (the other readings
    hold only some of its lines), told once per document."""
    if "languages" not in memo:
        memo["languages"] = dict(zip((p.number for p in primary), page_languages(TextsOf(primary))))
    return memo["languages"]


def _run(detector: Detector, views: Views, known: set[str] | None, memo: dict) -> dict[str, Sequence[Finding]]:
    languages = _languages(views.primary, memo)
    out = {PRIMARY: detector.find_in_pages(views.primary, known, languages, memo)}
    names = set(known or ()) | detector.names_in(out[PRIMARY])
    cited = citations.cited_words(out[PRIMARY], detector.propagate, PROPAGATED_RULE)
    for source, pages in views.by_source().items():
        out[source] = detector.find_in_pages(pages, names, languages, memo, cited=cited)
    return out


def _names(detector: Detector, result: dict[str, list[Finding]]) -> set[str]:
    return set().union(*(detector.names_in(fs) for fs in result.values()))


def merge(result: dict[str, Sequence[Finding]]) -> Sequence[Finding]:
    """The primary reading's findings, then those of the other readings
    that lie where it found nothing (or that cover a smaller finding of the
    same category, which they replace), in the order they were found.

    The primary reading's findings stay on disk (:class:`Spill`): only
    those on the pages where another reading found something are read
    into memory (issue 14)."""
    primary = result.get(PRIMARY, [])
    others = [(source, found) for source, found in result.items() if source != PRIMARY and len(found)]
    if not others:
        return primary
    touched = {f.page for _, found in others for f in found}
    # per page, what is kept there, in the order of the whole list: the primary findings
    # (by index), then those taken from other readings (by the order they were taken in)
    kept: dict[int, list[tuple[tuple[str, int], Finding]]] = {n: [] for n in touched}
    for i, k in enumerate(primary):
        if k.page in touched:
            kept[k.page].append((("primary", i), k))
    dropped: set[int] = set()
    taken: list[Finding] = []
    alive: set[int] = set()
    for source, found in others:
        for f in found:
            here = kept[f.page]
            if not f.rects:
                continue
            if source == COLUMNS:  # what a header says a cell holds outweighs a guess from the words of its row
                here = kept[f.page] = _without(here, f, _header_says_otherwise, dropped, alive)
            if _covered(f, [k for _, k in here]):
                continue
            if source != values.RULE:  # (a value spread keeps the reading it was found in)
                f.source = source
                f.id = hashlib.sha256(f"{source}:{f.id}".encode()).hexdigest()[:12]
            still = _without(here, f, _smaller_of_its_kind, dropped, alive)
            still.append((("taken", len(taken)), f))
            alive.add(len(taken))
            taken.append(f)
            kept[f.page] = still
    out = Spill(k for i, k in enumerate(primary) if i not in dropped)
    out.extend(f for n, f in enumerate(taken) if n in alive)
    return out


def _without(here: list, f: Finding, gone, dropped: set[int], alive: set[int]) -> list:
    """``here`` ((tag, finding) kept on a page) without the findings ``k``
    for which ``gone(f, k)``, each recorded as dropped (a primary finding, by
    index) or no longer alive (one taken from another reading)."""
    still = []
    for tag, k in here:
        if not gone(f, k):
            still.append((tag, k))
        elif tag[0] == "primary":
            dropped.add(tag[1])
        else:
            alive.discard(tag[1])
    return still


def _smaller_of_its_kind(f: Finding, k: Finding) -> bool:
    """Whether ``k`` is a text finding of ``f``'s category under ``f``'s
    boxes (the surname where ``f`` is the full name): ``f`` replaces it."""
    return k.category == f.category and k.end > k.start and _covered(k, [f])


def _header_says_otherwise(f: Finding, k: Finding) -> bool:
    """Whether ``k`` stands where the columns reading's ``f`` does with
    another category ("PC Dan Reed⏎452" read as a shoulder number under the
    header "Talkgroup"): then ``f`` takes its place."""
    return (k.category != f.category and k.end > k.start
            and _covered(k, [f], equal=False) and _covered(f, [k], equal=False))


def _area(r) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def _covered(f: Finding, others: list[Finding], equal: bool = True) -> bool:
    """Whether every box of ``f`` lies (mostly) under boxes of text findings
    in ``others`` on its page that are at least as confident (an image
    finding or a weaker proposal does not stand for it; ``equal=False``:
    however confident)."""
    boxes = [r for o in others if o.page == f.page and o.end > o.start and (o.confidence >= f.confidence or not equal)
             for r in o.rects]
    if not boxes:
        return False
    for r in f.rects:
        area = _area(r)
        if area <= 0:
            continue
        inside = sum(_area((max(r[0], b[0]), max(r[1], b[1]), min(r[2], b[2]), min(r[3], b[3]))) for b in boxes)
        if inside < COVERED * area:
            return False
    return True


class ReadAhead:
    """Each page's own findings (rules and NER: most of detection's time),
    made in a thread while the caller does what needs no detection, reading
    pictures with Tesseract (another process, most of its time spent
    waiting): they go into the memo that :func:`find_in_views` then takes.
    Only the readings there are when it starts are read, OCR's excepted
    (OCR adds pages to it); the findings are those :func:`find_in_views`
    would make itself (the same calls, the same batches for NER). The
    thread touches no PDF library (PyMuPDF is not thread-safe): only the
    pages' texts. If it fails, or no thread can be started, the memo holds
    less and :func:`find_in_views` reads the rest itself. The primary
    reading is read where it is kept (on disk, :class:`Spill`, which may be
    read while OCR puts back the pages whose pictures it read: the same
    texts), not copied into memory (issue 14)."""

    OCR = "ocr"

    def __init__(self, detector: Detector, views: Views, memo: dict):
        self.memo = memo
        self._stop = threading.Event()
        primary = views.primary
        readings = [pages for source, pages in views.by_source().items() if source != self.OCR]
        self._thread: threading.Thread | None = threading.Thread(
            target=self._read, args=(detector, primary, readings), name="redactor-read-ahead", daemon=True)
        try:
            self._thread.start()
        except RuntimeError:  # no thread to be had (a tight memory limit): nothing is read ahead
            self._thread = None

    def _read(self, detector: Detector, primary: Sequence[PageText], readings: list[list[PageText]]) -> None:
        try:
            languages = _languages(primary, self.memo)
            for pages in [primary, *readings]:
                detector.read_ahead(pages, languages, self.memo, self._stop)
        except Stopped:
            pass
        except Exception:  # noqa: BLE001 - find_in_views reads these pages again and meets the problem itself
            pass

    def join(self) -> dict:
        """Wait for the thread; the memo."""
        if self._thread is not None:
            self._thread.join()
        return self.memo

    def cancel(self) -> None:
        """Stop at the next page and wait (the caller failed)."""
        self._stop.set()
        self.join()
