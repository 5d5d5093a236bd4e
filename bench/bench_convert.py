"""Benchmark: Office conversion with a warm LibreOffice against a cold
``soffice`` start per file, and the whole batch on a mixed folder.

1. 50 small .docx and 20 small .pptx (generated), converted to PDF by the
   warm converter redactor uses (one soffice kept running) and by a cold
   ``soffice --headless --convert-to pdf`` per file (the usual way):
   conversions per second each, and the ratio (target: warm >= 3x).
2. ``redactor batch`` on a mixed folder (those files, PDFs, e-mails with
   attachments, images): pages per second of released PDF, end to end
   (conversion, detection, redaction, verification, logs).

    python bench/bench_convert.py [--docx 50] [--pptx 20] [--workers 2] [--no-nlp] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "corpora"))

import officekit as k  # noqa: E402

from redactor import batch  # noqa: E402
from redactor.ingest.convert import libreoffice  # noqa: E402


def small_docx(path: Path, i: int) -> Path:
    import docx

    d = docx.Document()
    d.add_heading(f"Minutes of meeting {i}", 1)
    for j in range(8):
        d.add_paragraph(f"Item {j}: PC Grace Mensah reported on case {i}-{j}; call 07700 900{j:03d}. "
                        "The budget planning sentence stays readable.")
    t = d.add_table(rows=3, cols=2)
    for r in range(3):
        t.cell(r, 0).text, t.cell(r, 1).text = f"Officer {r}", f"DS Owen Doyle {r}"
    d.save(path)
    return path


def small_pptx(path: Path, i: int) -> Path:
    import pptx

    p = pptx.Presentation()
    for s in range(3):
        slide = p.slides.add_slide(p.slide_layouts[1])
        slide.shapes.title.text = f"Briefing {i}, slide {s + 1}"
        slide.placeholders[1].text = f"Silver: Inspector Tom Kowalski\nRV point at the car park {s}"
        slide.notes_slide.notes_text_frame.text = f"Notes {s}: DS Owen Doyle"
    p.save(path)
    return path


def warm(files: list[Path]) -> float:
    filters = {".docx": "writer_pdf_Export", ".pptx": "impress_pdf_Export"}
    with libreoffice.LibreOffice() as lo:
        lo.start()  # the start-up is paid once per worker, before its first file
        t0 = time.perf_counter()
        for f in files:
            lo.convert(f.read_bytes(), f.suffix, filters[f.suffix])
        assert lo.cold_retries == 0
        return time.perf_counter() - t0


def cold(files: list[Path], work: Path) -> float:
    profile = work / "profile"
    soffice = libreoffice.soffice_binary()
    args = [soffice, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}"]
    subprocess.run([*args, "--convert-to", "pdf", "--outdir", str(work / "warmup"), str(files[0])],
                   capture_output=True, check=True, timeout=300)  # the profile exists before timing
    t0 = time.perf_counter()
    for f in files:
        subprocess.run([*args, "--convert-to", "pdf", "--outdir", str(work / "cold"), str(f)],
                       capture_output=True, check=True, timeout=300)
    elapsed = time.perf_counter() - t0
    assert len(list((work / "cold").glob("*.pdf"))) == len(files)
    return elapsed


def mixed_folder(src: Path, docs: list[Path]) -> None:
    import generate

    for f in docs:
        shutil.copy(f, src / f.name)
    for i in range(10):
        generate.build(src / f"report-{i}.pdf", "report" if i % 2 else "briefing", 900 + i, "heldout")
        for extra in (src / f"report-{i}.txt", src / f"report-{i}.truth.json"):
            extra.unlink()
    for i in range(5):
        k.eml(src / f"mail-{i}.eml", [docs[i], src / f"report-{i}.pdf"])
        k.image_of_text(src / f"scan-{i}.png", f"PC Grace Mensah {i}", dpi=150)
        k.xlsx(src / f"rota-{i}.xlsx")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docx", type=int, default=50)
    ap.add_argument("--pptx", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-nlp", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="redactor-bench-convert-") as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        files = [small_docx(tmp / "in" / f"minutes-{i:02d}.docx", i) for i in range(args.docx)]
        files += [small_pptx(tmp / "in" / f"briefing-{i:02d}.pptx", i) for i in range(args.pptx)]
        t_warm = warm(files)
        t_cold = cold(files, tmp)
        src = tmp / "mixed"
        src.mkdir()
        mixed_folder(src, files)
        config = batch.Config(use_nlp=not args.no_nlp, timeout=600, max_memory_mb=None)
        summary = batch.run(src, tmp / "out", config, workers=args.workers)
        assert summary.failed == 0, summary.failures
        kinds: dict[str, int] = {}
        for p in src.iterdir():
            kinds[p.suffix] = kinds.get(p.suffix, 0) + 1
    out = {"files": len(files), "libreoffice": libreoffice.LibreOffice(warm=False).version,
           "warm_conversions_per_second": round(len(files) / t_warm, 2),
           "cold_conversions_per_second": round(len(files) / t_cold, 2),
           "warm_over_cold": round(t_cold / t_warm, 1),
           "batch": {"inputs": kinds, "done": summary.done, "pages": summary.pages, "workers": args.workers,
                     "nlp": not args.no_nlp, "seconds": round(summary.seconds, 1),
                     "pages_per_second": round(summary.pages / summary.seconds, 2)}}
    print(f"{args.docx} .docx + {args.pptx} .pptx, {out['libreoffice']}")
    print(f"warm converter:          {out['warm_conversions_per_second']:6.2f} conversions/s")
    print(f"cold soffice per file:   {out['cold_conversions_per_second']:6.2f} conversions/s")
    print(f"warm over cold:          {out['warm_over_cold']:6.1f}x (target 3x)")
    b = out["batch"]
    print(f"batch, mixed folder {b['inputs']}: {b['done']} inputs, {b['pages']} pages released in "
          f"{b['seconds']} s with {b['workers']} workers, NER {'on' if b['nlp'] else 'off'}: "
          f"{b['pages_per_second']} pages/s")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
