"""Where the time of a run goes, stage by stage.

Wraps the pipeline's steps (the real functions, called as always) with a
clock while a benchmark runs: open, extract (every reading) with detect
(rules, names), NER (the spaCy pipeline, timed on its own), apply,
sanitise, verify, and the rest (hashing, log, schedule, placing the files).
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterator

from redactor import pipeline
from redactor.detect.engine import Detector

#: (stage, object, attribute): the pipeline's steps as it looks them up
STEPS = (
    ("open", pipeline, "open_pdf"),
    ("extract", pipeline, "_views"),
    ("detect", pipeline, "find_in_views"),
    ("ner", Detector, "_nlp_docs"),
    ("apply", pipeline, "redact"),
    ("sanitise", pipeline, "sanitize"),
    ("verify", pipeline, "verify_output"),
)
ORDER = ("open", "extract + detect (rules)", "ner", "apply", "sanitise", "verify", "log, hash, place")


@contextlib.contextmanager
def timed_stages():
    """Yields a dict stage -> seconds, filled while the block runs."""
    spent: dict[str, float] = defaultdict(float)
    saved = []
    for stage, owner, attr in STEPS:
        real = getattr(owner, attr)
        saved.append((owner, attr, real))

        def wrapper(*a, _real=real, _stage=stage, **kw):
            t = time.perf_counter()
            try:
                out = _real(*a, **kw)
            finally:
                spent[_stage] += time.perf_counter() - t
            return _timed(out, spent, _stage) if isinstance(out, Iterator) else out

        setattr(owner, attr, wrapper)
    try:
        yield spent
    finally:
        for owner, attr, real in saved:
            setattr(owner, attr, real)


def _timed(items: Iterator, spent: dict[str, float], stage: str) -> Iterator:
    """An iterator whose every step is clocked to ``stage`` (NER's parses
    are made as they are used)."""
    while True:
        t = time.perf_counter()
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            spent[stage] += time.perf_counter() - t
        yield item


def split(spent: dict[str, float], total: float) -> dict[str, float]:
    """Seconds per stage, NER taken out, the rest of the run as 'log, hash,
    place'. Extraction and the rules are one figure: the rules and NER read
    a document's pages in a thread while its pictures are looked at
    (redactor.detect.union.ReadAhead), so NER's time falls inside
    extraction's clock as often as inside detection's."""
    out = {k: spent.get(k, 0.0) for k in ("open", "ner", "apply", "sanitise", "verify")}
    out["extract + detect (rules)"] = spent.get("extract", 0.0) + spent.get("detect", 0.0) - out["ner"]
    out["log, hash, place"] = total - sum(spent.get(k, 0.0) for k in ("open", "extract", "detect", "apply",
                                                                       "sanitise", "verify"))
    return {k: out[k] for k in ORDER}
