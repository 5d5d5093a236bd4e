"""Benchmark: the reviewer's desk on a large bundle, in a real browser.

Makes a bundle of two PDFs of generated briefings and reports (``--pages``
in all, 500 by default), scans it, starts ``redactor serve`` and drives
headless Debian chromium (Playwright) through it:

* **start**: from launching ``redactor serve`` to the link it prints;
* **open**: from opening the link to the first page painted with its boxes
  and the findings list filled (target: under 2 s);
* **next page**: pressing ``n`` to the next page painted, at a reviewer's
  pace (a pause between pages, in which the desk renders ahead), and the
  same with no pause at all (target: under 200 ms);
* **jump**: clicking a far thumbnail, before the background has rendered
  every page and after;
* **decision**: pressing ``a`` to the plan saved on disk.

Page times are measured in the page, from the key press to the frame after
the image is decoded; open and decision times are wall-clock in this
process.

    python bench/bench_desk.py [--pages 500] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))
sys.path.insert(0, str(ROOT / "tests"))

import generate  # noqa: E402
from deskkit import CHROMIUM, CHROMIUM_ARGS, redactor_exe  # noqa: E402

OPEN_TARGET, PAGE_TARGET = 2.0, 0.200


def make_bundle(where: Path, pages: int) -> list[Path]:
    """Two PDFs holding ``pages`` pages of generated briefings and reports."""
    parts, total, seed = [], 0, 70_000
    while total < pages:
        pdf = where / f"part-{seed}.pdf"
        truth = generate.build(pdf, "briefing" if seed % 2 == 0 else "report", seed, "train")
        parts.append(pdf)
        total += truth["pages"]
        seed += 1
    half = len(parts) // 2
    out = []
    for name, chunk in (("bundle-a.pdf", parts[:half]), ("bundle-b.pdf", parts[half:])):
        doc = pymupdf.open()
        for p in chunk:
            doc.insert_pdf(pymupdf.open(p))
        doc.save(where / name, garbage=3, deflate=True)
        out.append(where / name)
    return out


def stats(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "median": statistics.median(values), "p90": values[int(0.9 * (len(values) - 1))],
            "max": values[-1]}


def fmt(s: dict, unit: float = 1000.0) -> str:
    return f"median {s['median'] * unit:.0f} ms, p90 {s['p90'] * unit:.0f} ms, max {s['max'] * unit:.0f} ms (n={s['n']})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--steps", type=int, default=20, help="page changes measured per mode")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-desk-") as tmp:
        tmp = Path(tmp)
        files = make_bundle(tmp, args.pages)
        pages = sum(pymupdf.open(f).page_count for f in files)
        plan = tmp / "plan.json"
        t = time.perf_counter()
        subprocess.run([redactor_exe(), "scan", *map(str, files), "--plan", str(plan), "--no-nlp"], check=True,
                       capture_output=True)
        scan_s = time.perf_counter() - t
        findings = sum(len(d["findings"]) for d in json.loads(plan.read_text())["documents"])
        print(f"bundle: {len(files)} PDFs, {pages} pages, {findings} findings; plan {plan.stat().st_size // 1024} KiB "
              f"(scan {scan_s:.1f} s, not part of the desk)")

        t = time.perf_counter()
        proc = subprocess.Popen([redactor_exe(), "serve", str(plan), "--no-browser", "--reviewer", "Bench"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp,
                                env={**os.environ, "HOME": str(tmp)})
        line = proc.stdout.readline()
        start_s = time.perf_counter() - t
        url = line.split(": ", 1)[1].strip()
        result = {"pages": pages, "findings": findings, "start_s": start_s}
        try:
            with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
                ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                           headless=True, viewport={"width": 1500, "height": 950})
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(url)
                page.wait_for_function("() => window.deskOpenedAt && window.deskListedAt", polling=5, timeout=60_000)
                open_s = time.perf_counter() - t
                result["open_s"] = open_s
                result["open_in_page_ms"] = page.evaluate("Math.max(window.deskOpenedAt, window.deskListedAt)")

                def steps(pause: float, n: int) -> list[float]:
                    out = []
                    for _ in range(n):
                        k = page.evaluate("window.deskTimings.length")
                        page.keyboard.press("n")
                        page.wait_for_function(f"() => window.deskTimings.length > {k}", polling=5)
                        out.append(page.evaluate("window.deskTimings[window.deskTimings.length - 1].ms") / 1000)
                        time.sleep(pause)
                    return out

                page.locator("#scroller").focus()
                time.sleep(1.0)
                paced = steps(0.5, args.steps)
                rapid = steps(0.0, args.steps)
                rng = random.Random(1)

                def jumps(n: int) -> list[float]:
                    out = []
                    for _ in range(n):
                        d = rng.randrange(len(files))
                        q = rng.randrange(1, pymupdf.open(files[d]).page_count + 1)
                        k = page.evaluate("window.deskTimings.length")
                        thumb = page.locator(f'.thumb[data-d="{d}"][data-p="{q}"]')
                        thumb.scroll_into_view_if_needed()
                        thumb.click()
                        page.wait_for_function(f"() => window.deskTimings.length > {k}", polling=5)
                        out.append(page.evaluate("window.deskTimings[window.deskTimings.length - 1].ms") / 1000)
                        time.sleep(0.3)
                    return out

                cold = jumps(10)
                origin = url.split("/?")[0]
                t = time.perf_counter()
                while time.perf_counter() - t < 300:
                    p_ = page.request.get(origin + "/api/progress").json()
                    if p_["rendered"] >= p_["pages"]:
                        break
                    time.sleep(1)
                result["background_s"] = time.perf_counter() - t
                warm = jumps(10)
                decisions = []
                for _ in range(10):
                    before = plan.stat().st_mtime_ns
                    page.keyboard.press("j")
                    t = time.perf_counter()
                    page.keyboard.press("a")
                    page.wait_for_function("() => document.getElementById('status').textContent.includes('(saved)')",
                                           polling=5)
                    decisions.append(time.perf_counter() - t)
                    assert plan.stat().st_mtime_ns != before
                    page.evaluate("document.getElementById('status').textContent = ''")
                ctx.close()
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)

    result.update(next_page_paced=stats(paced), next_page_rapid=stats(rapid), jump_cold=stats(cold),
                  jump_warm=stats(warm), decision=stats(decisions))
    ok_open = open_s < OPEN_TARGET
    ok_page = result["next_page_paced"]["p90"] < PAGE_TARGET
    print(f"start:  {start_s:.2f} s from `redactor serve` to its link")
    print(f"open:   {open_s:.2f} s to the first page and the list ({result['open_in_page_ms']:.0f} ms in the page)"
          f"  target < {OPEN_TARGET:.0f} s: {'ok' if ok_open else 'NOT MET'}")
    print(f"next page, 0.5 s apart: {fmt(result['next_page_paced'])}  target < {PAGE_TARGET * 1000:.0f} ms: "
          f"{'ok' if ok_page else 'NOT MET'}")
    print(f"next page, no pause:    {fmt(result['next_page_rapid'])}")
    print(f"jump to a far page, before the background rendered it: {fmt(result['jump_cold'])}")
    print(f"jump to a far page, once every page is rendered (waited {result['background_s']:.0f} s more): "
          f"{fmt(result['jump_warm'])}")
    print(f"decision saved:         {fmt(result['decision'])}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
