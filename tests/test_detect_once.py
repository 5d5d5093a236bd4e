"""Names found in one pass of detection are looked for in a second pass
(across a bundle's documents, or when another reading found a name the
primary one did not): the second pass must not read every page again
(rules and NER were the largest share of a long book's time), nor spread
names again on a page that may hold no more names than in the first pass
(a regex of its names built and run per page). Counted on generated
documents: each page of each reading is read once, names are spread again
only where new names may be, and the findings are exactly those of doing
it all again."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pymupdf
import pytest

from redactor.detect.engine import Detector
from redactor.detect.rulepack import load_packs
from redactor.detect.union import ReadAhead, find_in_views
from redactor.ingest.document import open_pdf
from redactor.pipeline import RunOptions, _views, redact_pdf
from redactor.text.views import read_views

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))
import generate  # noqa: E402


class Counting(Detector):
    """Counts how often each page of each reading is read by the rules."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads: dict[tuple, int] = {}
        self.spreads = 0

    def _propagated(self, *args, **kwargs):
        self.spreads += 1
        return super()._propagated(*args, **kwargs)

    def find_in_text(self, text, page=0, doc=None, propagate=True, language=None):
        key = (page, text)
        self.reads[key] = self.reads.get(key, 0) + 1
        return super().find_in_text(text, page, doc, propagate, language)


class NoMemo(Detector):
    """The reference: every pass reads every page again."""

    def find_in_pages(self, pages, known_names=None, languages=None, memo=None, cited=frozenset()):
        return super().find_in_pages(pages, known_names, languages, cited=cited)


def _key(found):
    return sorted((f.page, f.start, f.end, f.rule, f.category, round(f.confidence, 6), f.text, f.id,
                   f.source or "", tuple(tuple(round(v, 3) for v in r) for r in f.rects), f.hidden or "",
                   f.context_before, f.context_after, f.fold_case) for f in found)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    where = tmp_path_factory.mktemp("detect-once")
    views = []
    for i, kind in enumerate(["briefing", "report"]):
        pdf = where / f"d{i}.pdf"
        generate.build(pdf, kind, 5100 + i, "heldout")
        doc = pymupdf.open(pdf)
        views.append(read_views(doc, doc.tobytes()))
    return views


def test_a_bundle_is_read_once_per_page_and_reading(bundle):
    packs = load_packs()
    counting = Counting(packs, use_nlp=False)
    got = find_in_views(counting, bundle)
    texts = [p for v in bundle for p in v.primary + v.extra + list(v.tables)]
    assert len(texts) >= 6 and counting.reads, "the documents hold too little to count on"
    # a bundle always takes the second pass (names shared across documents): still one read per page
    assert max(counting.reads.values()) == 1, f"{sum(counting.reads.values())} reads of {len(counting.reads)} texts"
    # names are spread on every page in the first pass; in the second only where the other document's names may be
    assert len(texts) < counting.spreads < 2 * len(texts)
    reference = find_in_views(NoMemo(packs, use_nlp=False), bundle)
    assert [_key(f) for f in got] == [_key(f) for f in reference]
    assert sum(len(f) for f in got) > 10, "nothing found: the comparison would prove nothing"


def test_the_count_sees_a_second_read(bundle):
    """The guard can fail: without the memo every page is read twice."""
    class Twice(Counting, NoMemo):
        pass

    twice = Twice(load_packs(), use_nlp=False)
    find_in_views(twice, bundle)
    assert max(twice.reads.values()) == 2
    assert twice.spreads == 2 * sum(len(v.primary) + len(v.extra) + len(v.tables) for v in bundle)


# --- read ahead: the rules and NER read the pages while Tesseract reads the pictures ----------------

class Recording(Detector):
    """Which thread read each text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads: list[tuple[str, int, str]] = []

    def find_in_text(self, text, page=0, doc=None, propagate=True, language=None):
        self.reads.append((threading.current_thread().name, page, text))
        return super().find_in_text(text, page, doc, propagate, language)


def _deck_with_a_screenshot(where: Path) -> Path:
    """A generated briefing, and a slide whose screenshot holds a phone number (read by OCR)."""
    src = where / "deck.pdf"
    generate.build(src, "briefing", 5300, "heldout")
    doc = pymupdf.open(src)
    shot = pymupdf.open()
    p = shot.new_page(width=330, height=68)
    for i, line in enumerate(["CAD 4711/14Mar  LOG", "09:14 Caller rang tel 07700 900123", "09:30 Units released"]):
        p.insert_text((10, 20 + 16 * i), line, fontname="cour", fontsize=11)
    png = p.get_pixmap(matrix=pymupdf.Matrix(1.5, 1.5), alpha=False).tobytes("png")
    page = doc.new_page(width=720, height=405)
    page.insert_text((24, 40), "Incident review: the duty inspector signed off the log.", fontname="helv", fontsize=12)
    page.insert_image(pymupdf.Rect(24, 80, 24 + 330 * 1.2, 80 + 68 * 1.2), stream=png)
    out = where / "deck-shot.pdf"
    doc.save(out)
    return out


def test_redact_reads_the_pages_ahead_while_ocr_runs_with_the_same_findings(tmp_path):
    src = _deck_with_a_screenshot(tmp_path)
    packs = load_packs()
    recording = Recording(packs, use_nlp=False)
    result = redact_pdf(src, tmp_path / "out.pdf", recording, RunOptions())
    # the reference: no read-ahead, every page read where find_in_views reads it
    doc = open_pdf(src, None, RunOptions().limits)
    views = _views(doc, RunOptions())
    reference = find_in_views(Detector(packs, use_nlp=False), [views])[0]
    assert _key(result.findings) == _key(reference)
    assert any(f.source == "ocr" and f.category == "phone" for f in result.findings), "OCR found nothing"
    ocr_pages = {(p.number, p.text) for p in views.extra if p.source == "ocr"}
    ahead = [(page, text) for thread, page, text in recording.reads if thread == "redactor-read-ahead"]
    main = [(page, text) for thread, page, text in recording.reads if thread != "redactor-read-ahead"
            and text != src.name]  # (the file's own name is read too: what it names is masked in the release's names)
    assert len(set(recording.reads)) == len(recording.reads), "a text was read twice"
    assert {(p.number, p.text) for p in views.primary} <= set(ahead), "the pages were not read ahead"
    assert ocr_pages and set(main) == ocr_pages  # only what OCR read is left for after it


def test_a_read_ahead_stopped_half_way_leaves_the_findings_as_they_were(bundle):
    """The caller failed (or the thread did): whatever the memo holds, the findings are the same."""
    views = bundle[0]
    packs = load_packs()
    reference = find_in_views(Detector(packs, use_nlp=False), [views])[0]
    calls = []
    reached, gate = threading.Event(), threading.Event()

    class Stopping(Detector):
        def find_in_text(self, *args, **kwargs):
            calls.append(threading.current_thread().name)
            if len(calls) == 2:  # two pages in: the caller stops it now
                reached.set()
                gate.wait(60)
            return super().find_in_text(*args, **kwargs)

    stopping = Stopping(packs, use_nlp=False)
    ahead = ReadAhead(stopping, views, {})
    assert reached.wait(60)
    ahead._stop.set()
    gate.set()
    memo = ahead.join()
    assert len(views.primary) > 2 and calls == ["redactor-read-ahead"] * 2
    assert set(memo) == {"languages"}, "a reading cut short went into the memo"
    assert _key(find_in_views(stopping, [views], memos=[memo])[0]) == _key(reference)
