"""Benchmark: batch redaction of a generated archive with 1 and 2 workers.

Prints pages per second for each, the speed-up, and the floor (the same
files opened, read and saved by PyMuPDF on one core).

    python bench/bench_batch.py [--pages 2000] [--no-nlp] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_redact import floor, make_corpus  # noqa: E402

from redactor import batch  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--no-nlp", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    config = batch.Config(use_nlp=not args.no_nlp, timeout=600, max_memory_mb=None)
    with tempfile.TemporaryDirectory(prefix="redactor-bench-batch-") as tmp:
        tmp = Path(tmp)
        src = tmp / "archive"
        src.mkdir()
        files = make_corpus(src, args.pages)
        for extra in list(src.glob("*.txt")) + list(src.glob("*.truth.json")):
            extra.unlink()
        pages = sum(pymupdf.open(f).page_count for f in files)
        (tmp / "floor").mkdir()
        t_floor = floor(files, tmp / "floor")
        results = {}
        for workers in (1, 2):
            s = batch.run(src, tmp / f"out-{workers}", config, workers=workers)
            assert s.failed == 0 and s.done == len(files)
            results[workers] = s.seconds
    rate = {w: pages / t for w, t in results.items()}
    out = {"files": len(files), "pages": pages, "nlp": not args.no_nlp,
           "floor_pages_per_second": round(pages / t_floor, 1),
           "pages_per_second": {str(w): round(r, 1) for w, r in rate.items()},
           "speedup_2_workers": round(results[1] / results[2], 2)}
    print(f"{len(files)} files, {pages} pages, NER {'off' if args.no_nlp else 'on'}")
    print(f"floor (PyMuPDF open, read, save, 1 core): {out['floor_pages_per_second']:8.1f} pages/s")
    for w, r in rate.items():
        print(f"batch, {w} worker{'s' if w > 1 else ''}:                     {r:8.1f} pages/s")
    print(f"speed-up with 2 workers: {out['speedup_2_workers']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
