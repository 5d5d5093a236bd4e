"""Benchmark: `redact` on scanned pages beside Tesseract alone on the same
page images, and `batch` with 1 and 2 workers on the scanned archive.

Tesseract alone is `tesseract PAGE.png stdout` (the page image as the PDF
holds it, default page segmentation, one thread), one process per page,
one after another on one core; and, the stricter floor, the same images
read by one Tesseract process (a list file: the model loads once). The pipeline is the whole `redactor redact`
(open, extract, OCR, detect, apply with pixel redaction, OCR text layer,
sanitise, verify including OCR around the boxes, log, schedule), on one
core in this process. Also printed: how much of the pipeline's time was
spent inside Tesseract, split into reading the pages and verification.

    python bench/bench_scan.py [--pages 40] [--dpi 300] [--no-nlp] [--no-batch] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))

import generate  # noqa: E402
import scan  # noqa: E402

from redactor import batch  # noqa: E402
from redactor.detect.engine import Detector  # noqa: E402
from redactor.detect.rulepack import load_packs  # noqa: E402
from redactor.memory import settle  # noqa: E402
from redactor.pipeline import RunOptions, redact_pdf  # noqa: E402
from redactor.text.ocr import tesseract  # noqa: E402

TARGET_RATIO = 1.5


def make_scans(where: Path, pages: int, dpi: int) -> list[Path]:
    """Generated briefings and reports, scanned (grey, light noise, skew
    under 1.5 degrees), until ``pages`` pages are written."""
    born = where / "born"
    files, total, seed = [], 0, 95_000
    while total < pages:
        kind = "briefing" if seed % 2 == 0 else "report"
        src = born / f"b-{seed}.pdf"
        truth = generate.build(src, kind, seed, "train")
        rng = random.Random(seed)
        out = where / "scans" / f"scan-{seed}.pdf"
        scan.scan_pdf(src, out, scan.Scanner(dpi=dpi, noise=3.0, skew=round(rng.uniform(-1.5, 1.5), 2)))
        files.append(out)
        total += truth["pages"]
        seed += 1
    return files


def page_images(files: list[Path], out: Path) -> list[Path]:
    images = []
    for f in files:
        doc = pymupdf.open(f)
        for page in doc:
            xref = page.get_images()[0][0]
            img = doc.extract_image(xref)
            p = out / f"{f.stem}-{page.number + 1}.{img['ext']}"
            p.write_bytes(img["image"])
            images.append(p)
    return images


def tesseract_alone(images: list[Path]) -> float:
    """One `tesseract PAGE stdout` per page image, one after another."""
    exe = tesseract.require()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    start = time.perf_counter()
    for img in images:
        subprocess.run([exe, str(img), "stdout"], capture_output=True, check=True, env=env)
    return time.perf_counter() - start


def tesseract_alone_one_process(images: list[Path], listing: Path) -> float:
    """All page images in one Tesseract process (a list file): the model
    loads once. The stricter floor."""
    exe = tesseract.require()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    listing.write_text("\n".join(str(i) for i in images) + "\n")
    start = time.perf_counter()
    subprocess.run([exe, str(listing), "stdout"], capture_output=True, check=True, env=env)
    return time.perf_counter() - start


class _Timer:
    """Time spent in Tesseract processes, by the module that asked."""

    def __init__(self):
        self.by_caller: dict[str, float] = {}
        self._exec = tesseract._exec

    def __enter__(self):
        def timed(cmd, timeout):
            frame = sys._getframe(1)
            while frame and frame.f_globals.get("__name__") == tesseract.__name__:
                frame = frame.f_back
            caller = frame.f_globals.get("__name__", "?") if frame else "?"
            t = time.perf_counter()
            try:
                return self._exec(cmd, timeout)
            finally:
                self.by_caller[caller] = self.by_caller.get(caller, 0.0) + time.perf_counter() - t

        tesseract._exec = timed
        return self

    def __exit__(self, *exc):
        tesseract._exec = self._exec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--no-nlp", action="store_true")
    ap.add_argument("--no-batch", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="redactor-bench-scan-") as tmp:
        tmp = Path(tmp)
        files = make_scans(tmp, args.pages, args.dpi)
        pages = sum(pymupdf.open(f).page_count for f in files)
        (tmp / "img").mkdir()
        images = page_images(files, tmp / "img")
        t_tess = tesseract_alone(images)
        t_tess1 = tesseract_alone_one_process(images, tmp / "images.txt")
        detector = Detector(load_packs(), use_nlp=not args.no_nlp)
        detector.find_in_text("warm up PC John Smith")
        settle()  # as `redactor redact` does once its detector is built
        (tmp / "out").mkdir()
        redactions = 0
        with _Timer() as timer:
            start = time.perf_counter()
            for f in files:
                redactions += len(redact_pdf(f, tmp / "out" / f.name, detector, RunOptions()).findings)
            t_run = time.perf_counter() - start
        result = {"files": len(files), "pages": pages, "dpi": args.dpi, "redactions": redactions,
                  "nlp": detector.nlp is not None,
                  "tesseract_alone_seconds": round(t_tess, 2), "tesseract_pages_per_second": round(pages / t_tess, 3),
                  "redact_seconds": round(t_run, 2), "redact_pages_per_second": round(pages / t_run, 3),
                  "ratio": round(t_run / t_tess, 2), "target_ratio": TARGET_RATIO,
                  "tesseract_one_process_pages_per_second": round(pages / t_tess1, 3),
                  "ratio_to_one_process": round(t_run / t_tess1, 2),
                  "tesseract_inside_pipeline": {k: round(v, 2) for k, v in timer.by_caller.items()}}
        if not args.no_batch:
            src = tmp / "scans"
            config = batch.Config(use_nlp=not args.no_nlp, timeout=1800, max_memory_mb=None)
            seconds = {}
            for workers in (1, 2):
                s = batch.run(src, tmp / f"batch-{workers}", config, workers=workers)
                assert s.failed == 0, s.failures
                seconds[workers] = s.seconds
            result["batch_pages_per_second"] = {str(w): round(pages / t, 3) for w, t in seconds.items()}
            result["batch_speedup_2_workers"] = round(seconds[1] / seconds[2], 2)
    print(f"{len(files)} scanned files, {pages} pages at {args.dpi} dpi, NER {'on' if result['nlp'] else 'off'}")
    print(f"tesseract alone (1 core):   {result['tesseract_pages_per_second']:7.3f} pages/s")
    print(f"redact, whole pipeline:     {result['redact_pages_per_second']:7.3f} pages/s "
          f"({result['ratio']:.2f}x Tesseract's time; target {TARGET_RATIO}x)")
    print(f"tesseract alone, one process for all pages: {result['tesseract_one_process_pages_per_second']:7.3f} "
          f"pages/s (pipeline {result['ratio_to_one_process']:.2f}x its time)")
    print(f"  of which in Tesseract: {result['tesseract_inside_pipeline']}")
    if "batch_pages_per_second" in result:
        print(f"batch: {result['batch_pages_per_second']} pages/s; 2 workers {result['batch_speedup_2_workers']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
