"""Benchmark: peak memory of `redact` on a small and a large generated file.

Builds one PDF of ``--small`` pages and one of ``--large`` pages (generated
briefings and reports, repeated), redacts each in a fresh process (the
whole pipeline with verify) and reports each process's peak resident set
size. The target of issue 14: the large file within 2x the small one's.

    python bench/bench_memory.py [--small 100] [--large 10000] [--no-nlp] [--json out.json]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_redact import make_corpus  # noqa: E402

TARGET = 2.0

#: run in a fresh interpreter: redact one file, print the peak RSS in MiB
CHILD = """
import resource, sys
from pathlib import Path
from redactor.detect.engine import Detector
from redactor.detect.rulepack import load_packs
from redactor.pipeline import RunOptions, redact_pdf
from redactor.memory import settle
det = Detector(load_packs(), use_nlp=sys.argv[3] == "nlp")
settle()  # as `redactor redact` does once its detector is built
r = redact_pdf(Path(sys.argv[1]), Path(sys.argv[2]), det, RunOptions())
print(r.pages, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def build(where: Path, pages: int, name: str) -> Path:
    """A file of ``pages`` pages: a generated corpus's pages, doubled with
    pikepdf until there are enough."""
    parts = make_corpus(where / f"parts-{name}", min(pages, 40))
    doc = pymupdf.open()
    for f in parts:
        with pymupdf.open(f) as src:
            doc.insert_pdf(src)
    base, grown, path = where / f"{name}-base.pdf", where / f"{name}-grown.pdf", where / f"{name}.pdf"
    doc.save(base, garbage=3, deflate=True)
    with pikepdf.open(base) as pdf:
        while len(pdf.pages) < pages:
            pdf.save(grown)
            with pikepdf.open(grown) as copy:
                pdf.pages.extend(copy.pages[:pages - len(pdf.pages)])
        del pdf.pages[pages:]
        pdf.save(path, compress_streams=True)
    return path


def peak(pdf: Path, nlp: bool) -> tuple[int, float, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", CHILD, str(pdf), str(pdf.with_name(pdf.stem + ".out.pdf")),
                          "nlp" if nlp else "rules"], capture_output=True, text=True, env=env, check=True)
    pages, mib = run.stdout.split()[-2:]
    return int(pages), float(mib), time.perf_counter() - start


def machine() -> str:
    """The processor, its cores and the load when the bench starts (the
    figures are read with them)."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "") if Path("/proc/cpuinfo").exists() else ""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{model or 'unknown processor'}, {os.cpu_count()} cores, load average {load:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=100)
    ap.add_argument("--large", type=int, default=10_000)
    ap.add_argument("--no-nlp", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = {"nlp": not args.no_nlp, "target_ratio": TARGET, "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="redactor-bench-memory-") as tmp:
        work = Path(tmp) / "run"  # the logs' folder (run.NOT-FOR-RELEASE) stays inside the temporary one
        work.mkdir()
        for label, n in (("small", args.small), ("large", args.large)):
            pages, mib, secs = peak(build(work, n, label), not args.no_nlp)
            result[label] = {"pages": pages, "peak_rss_mib": round(mib, 1), "seconds": round(secs, 1)}
    result["ratio"] = round(result["large"]["peak_rss_mib"] / result["small"]["peak_rss_mib"], 2)
    print(f"peak memory, NER {'on' if result['nlp'] else 'off'} (whole process, model included; {result['machine']}):")
    for label in ("small", "large"):
        r = result[label]
        print(f"  {r['pages']:6d} pages: {r['peak_rss_mib']:8.1f} MiB ({r['seconds']:.0f} s)")
    print(f"  ratio: {result['ratio']:.2f}x (target: within {TARGET:.0f}x)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
