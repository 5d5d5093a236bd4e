"""Benchmark: scan and redact a generated corpus, beside the floor.

The floor is what PyMuPDF alone needs for the same files: open, read every
page's text, save. The pipeline is the whole `redactor redact`: open,
extract, detect (rules and, if installed, spaCy NER), apply, sanitise,
verify, write log and schedule. Both run in this process, held to one
CPU (its NER thread and the verifier's pdftotext share it: one core means
one core), unless ``--all-cores``.

    python bench/bench_redact.py [--pages 1000] [--no-nlp] [--all-cores] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pikepdf
import pymupdf
import pypdfium2

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "corpora"), str(ROOT / "bench")]  # this checkout's redactor

import generate  # noqa: E402
from stages import split, timed_stages  # noqa: E402

from redactor.detect.engine import Detector  # noqa: E402
from redactor.detect.rulepack import load_packs  # noqa: E402
from redactor.memory import settle  # noqa: E402
from redactor.pipeline import RunOptions, redact_pdf  # noqa: E402

TARGET_RATIO = {True: 12.0, False: 8.0}  #: issue 14: with NER, rules only (the moonshot stays 4x)


def make_corpus(where: Path, pages: int) -> list[Path]:
    """Briefings and reports until ``pages`` pages are written."""
    files, total, seed = [], 0, 90_000
    while total < pages:
        kind = "briefing" if seed % 2 == 0 else "report"
        pdf = where / f"bench-{seed}.pdf"
        truth = generate.build(pdf, kind, seed, "train")
        files.append(pdf)
        total += truth["pages"]
        seed += 1
    return files


def floor(files: list[Path], out: Path) -> float:
    start = time.perf_counter()
    for f in files:
        doc = pymupdf.open(f)
        for page in doc:
            page.get_text()
        doc.save(out / f.name, garbage=3, deflate=True)
    return time.perf_counter() - start


def engines(files: list[Path], out: Path) -> float:
    """The engines' own work that a verified redaction cannot do without, with
    none of redactor's: MuPDF reads every glyph's box (rawdict) and words,
    PDFium reads the text (a second view), MuPDF removes the first word of
    every page and saves, qpdf writes the file anew (sanitise), and the
    written bytes are read again by MuPDF, PDFium and poppler's pdftotext
    (verification by independent engines). Seconds."""
    start = time.perf_counter()
    for f in files:
        doc = pymupdf.open(f)
        first = [page.get_text("rawdict") and page.get_text("words")[:1] for page in doc]
        _pdfium_read(f)
        for page, words in zip(doc, first):
            for w in words:
                page.add_redact_annot(pymupdf.Rect(w[:4]))
            page.apply_redactions()
        written, anew = out / f"e-{f.name}", out / f"s-{f.name}"
        doc.save(written, garbage=3, deflate=True)
        with pikepdf.open(written) as pdf:
            pdf.save(anew)
        for page in pymupdf.open(anew):
            page.get_text("rawdict")
        _pdfium_read(anew)
        subprocess.run(["pdftotext", "-q", str(anew), "-"], capture_output=True, check=False)
    return time.perf_counter() - start


def _pdfium_read(path: Path) -> None:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for i in range(len(pdf)):
            pdf[i].get_textpage().get_text_range()
    finally:
        pdf.close()


def pipeline(files: list[Path], out: Path, detector: Detector) -> tuple[float, int, dict[str, float]]:
    """The whole run per file; seconds, findings applied, seconds per stage."""
    redactions = 0
    with timed_stages() as spent:
        start = time.perf_counter()
        for f in files:
            result = redact_pdf(f, out / f.name, detector, RunOptions())
            redactions += len(result.findings)
        total = time.perf_counter() - start
    return total, redactions, split(spent, total)


def usable_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def one_cpu() -> int:
    """Hold this process (and what it starts) to one CPU: the lowest it may
    use; how many it may use (all of them where the system cannot say: macOS)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    else:
        print("this system cannot hold a process to one CPU: the run may use them all", file=sys.stderr)
    return usable_cpus()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--no-nlp", action="store_true")
    ap.add_argument("--all-cores", action="store_true", help="do not hold the run to one CPU")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    cpus = one_cpu() if not args.all_cores else usable_cpus()
    with tempfile.TemporaryDirectory(prefix="redactor-bench-") as tmp:
        tmp = Path(tmp)
        src, out_floor, out_run = tmp / "in", tmp / "floor", tmp / "run"
        for d in (src, out_floor, out_run):
            d.mkdir()
        files = make_corpus(src, args.pages)
        pages = sum(pymupdf.open(f).page_count for f in files)
        detector = Detector(load_packs(), use_nlp=not args.no_nlp)
        detector.find_in_text("warm up PC John Smith")  # load the model outside the timing
        settle()  # as `redactor redact` does once its detector is built
        t_floor = floor(files, out_floor)
        t_engines = engines(files, out_floor)
        t_run, redactions, stages = pipeline(files, out_run, detector)
    ratio = t_run / t_floor
    result = {
        "files": len(files), "pages": pages, "redactions": redactions, "nlp": detector.nlp is not None,
        "cpus": cpus,
        "floor_seconds": round(t_floor, 2), "floor_pages_per_second": round(pages / t_floor, 1),
        "redact_seconds": round(t_run, 2), "redact_pages_per_second": round(pages / t_run, 1),
        "engines_seconds": round(t_engines, 2), "engines_ratio": round(t_engines / t_floor, 2),
        "ratio": round(ratio, 2), "target_ratio": TARGET_RATIO[not args.no_nlp],
        "floor_ms_per_page": round(1000 * t_floor / pages, 2),
        "stage_ms_per_page": {k: round(1000 * v / pages, 2) for k, v in stages.items()},
    }
    print(f"{len(files)} files, {pages} pages, {redactions} redactions, NER {'on' if result['nlp'] else 'off'}")
    print(f"floor  (PyMuPDF open, read, save): {result['floor_pages_per_second']:8.1f} pages/s")
    print(f"engines a verified redaction needs, alone: {pages / t_engines:8.1f} pages/s "
          f"({t_engines / t_floor:.1f}x the floor: the least any pipeline verified by three engines can be)")
    print(f"redact (full pipeline, {'one CPU' if cpus == 1 else f'{cpus} CPUs'}):  "
          f"{result['redact_pages_per_second']:8.1f} pages/s")
    print(f"ratio: {ratio:.2f}x the floor (target: within {TARGET_RATIO[not args.no_nlp]:.0f}x; moonshot 4x)")
    print(f"ms per page: floor {result['floor_ms_per_page']:.2f}; " +
          ", ".join(f"{k} {v:.2f}" for k, v in result["stage_ms_per_page"].items()))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
