"""Run `redactor redact` over a folder of real PDFs and check nothing was lost.

Every PDF under DIR (recursive, sorted) is redacted by the real console
script in a child process, with a timeout. Per file: exit code, the first
line of stderr, wall time, the child's peak RSS, pages, redactions (and per
page), categories and rules that fired (from the audit log), whether the
input is unchanged (SHA-256 before and after), the reason of a refusal, and
for a written output the "nothing lost" comparison of bench/realworld_compare.py
(run in its own process, so that a PDF that crashes MuPDF cannot stop the run).

    python bench/realworld.py DIR [-j 2] [--timeout 180] [--results bench/results/realworld]

Writes realworld.json (every record), summary.md (for the README) and
prints a table and the worst files for each kind of loss.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import realworld_report  # noqa: E402

VERIFY_CAUSES = (  # (what the message says, cause) in the order they are tried
    ("could not be checked", "verification itself failed (the output could not be checked)"),
    ("were not blanked", "image pixels under a box not blanked"),
    ("fake redaction", "fake redaction (live text under an opaque box)"),
    ("can still be extracted", "redacted text can still be extracted"),
    ("can be read in the stream", "redacted text in a content stream"),
    ("is in a string in", "redacted text in a PDF string"),
    ("remains under a redaction box", "text remains under a box"),
    ("no redaction box is drawn", "no box drawn"),
    ("is in an annotation", "redacted text in an annotation"),
    ("is in a form field", "redacted text in a form field"),
    ("metadata", "redacted text in metadata"),
    ("information dictionary", "redacted text in metadata"),
    ("withheld but still has", "withheld page not empty"),
    ("never applied", "unapplied redaction annotation"),
)


def verify_cause(line: str) -> str:
    for needle, cause in VERIFY_CAUSES:
        if needle in line:
            return cause
    return "other"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_pdfs(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"),
                  key=lambda p: p.relative_to(folder).as_posix())


def read_labels(folder: Path) -> dict[str, str]:
    """``file`` -> ``label`` from SOURCES.csv, when the folder has one."""
    src = folder / "SOURCES.csv"
    if not src.is_file():
        return {}
    with open(src, newline="", encoding="utf-8") as f:
        return {row["file"]: (row.get("label") or "").strip() for row in csv.DictReader(f) if row.get("file")}


def run_child(cmd: list[str], timeout: float, stdout: Path, stderr: Path) -> dict:
    """Run ``cmd``; exit code (None on timeout), wall time, peak RSS (MiB)."""
    start = time.monotonic()
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped here: keep Popen from waiting again
    return {"exit": None if timed_out else code, "timed_out": timed_out,
            "time_s": round(time.monotonic() - start, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            # user + system CPU of the child and the children it waited for (Tesseract, LibreOffice)
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2)}


def process(pdf: Path, rel: str, opts: argparse.Namespace, work: Path) -> dict:
    stem = rel.replace("/", "__")
    out, log, sched = work / f"{stem}.redacted.pdf", work / f"{stem}.log.jsonl", work / f"{stem}.schedule.csv"
    for p in (out, log, sched):
        p.unlink(missing_ok=True)
    rec: dict = {"file": rel, "bytes": pdf.stat().st_size}
    before = sha256(pdf)
    # a measuring area, not a release folder: the log may sit beside the output
    cmd = [opts.redactor, "redact", str(pdf), "-o", str(out), "--log", str(log), "--schedule", str(sched),
           "--internal-in-release", *opts.redact_arg]
    rec.update(run_child(cmd, opts.timeout, work / f"{stem}.stdout", work / f"{stem}.stderr"))
    rec["input_unchanged"] = sha256(pdf) == before
    stderr = (work / f"{stem}.stderr").read_text(encoding="utf-8", errors="replace")
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    rec["stderr_first"] = lines[0][:300] if lines else ""
    rec["message"] = next((ln for ln in lines if ln.startswith("redactor:")), rec["stderr_first"])[:300]
    rec["message"] = rec["message"].replace(str(pdf), rel).replace(str(work) + "/", "")
    rec["traceback"] = "Traceback (most recent call last)" in stderr
    if rec["exit"] == 4:
        # the indented lines after the verdict (not a library warning's source line before it)
        at = next((i for i, ln in enumerate(lines) if "verification failed" in ln), -1)
        problems = [ln.strip() for ln in lines[at + 1:] if ln.startswith("  ")] or [rec["message"]]
        rec["verify_causes"] = dict(Counter(verify_cause(p) for p in problems))
        rec["verify_cause"] = verify_cause(problems[0])
        rec["verify_problems"] = problems[:20]
    if log.is_file():
        _read_log(log, rec)
    if rec["exit"] in (0, 7) and out.is_file() and log.is_file():  # 7: written, a page needs review by eye
        rec["compare"] = _compare(pdf, out, log, opts, work / stem)
    if not opts.keep_outputs:
        for p in (out, sched, sched.with_suffix(".html")):
            p.unlink(missing_ok=True)
    return rec


def _read_log(log: Path, rec: dict) -> None:
    from realworld_compare import read_log

    try:
        header, entries = read_log(log)
    except (OSError, ValueError) as e:
        rec["log_error"] = str(e)[:200]
        return
    rec["pages"] = header.get("pages")
    rec["redactions"] = len(entries)
    rec["redactions_per_page"] = round(len(entries) / header["pages"], 3) if header.get("pages") else None
    rec["categories"] = dict(Counter(e.get("category") for e in entries))
    rec["rules"] = dict(Counter(e.get("rule") for e in entries))
    rec["pages_with_redactions"] = len({e.get("page") for e in entries})
    for key in ("line_art_removed", "text_stripped_from", "hidden_layers_removed", "pages_withheld"):
        if header.get(key):
            rec[key] = header[key]


def _compare(pdf: Path, out: Path, log: Path, opts, stem: Path) -> dict:
    cmd = [sys.executable, str(HERE / "realworld_compare.py"), str(pdf), str(out), str(log)]
    if opts.areas_from:  # the same file's log from a --keep-layout run: where the texts were
        wide = opts.areas_from / "files" / log.name
        if wide.is_file():
            cmd.append(str(wide))
    res_path, err_path = Path(f"{stem}.compare.json"), Path(f"{stem}.compare.err")
    run = run_child(cmd, opts.compare_timeout, res_path, err_path)
    if run["exit"] != 0:
        err = err_path.read_text(errors="replace").strip().splitlines()
        why = "timeout" if run["timed_out"] else f"exit {run['exit']}: {err[-1] if err else ''}"
        return {"error": why[:300], "time_s": run["time_s"]}
    res = json.loads(res_path.read_text())
    res["time_s"] = run["time_s"]
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path, help="folder of PDFs (searched recursively)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="files redacted at once (default 1)")
    ap.add_argument("--timeout", type=float, default=180, help="seconds per file before it counts as a hang")
    ap.add_argument("--compare-timeout", type=float, default=900, help="seconds for the comparison of one file")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "realworld")
    ap.add_argument("--redactor", default=str(Path(sys.executable).parent / "redactor"),
                    help="the redactor console script (default: beside this Python)")
    ap.add_argument("--redact-arg", action="append", default=[], help="extra argument for `redactor redact`")
    ap.add_argument("--limit", type=int, help="only the first N files (a quick look)")
    ap.add_argument("--match", help="only files whose path contains this")
    ap.add_argument("--no-keep-outputs", dest="keep_outputs", action="store_false",
                    help="delete the redacted PDFs once compared (logs are kept)")
    ap.add_argument("--areas-from", type=Path,
                    help="results folder of a --keep-layout run of the same folder: its boxes (as wide as the texts) "
                         "are added to this run's fixed-width ones, so text removed beyond a drawn box is not lost")
    ap.add_argument("--report-only", action="store_true",
                    help="do not run anything: summarise the realworld.json already in --results again")
    ap.add_argument("--recompare", action="store_true",
                    help="do not redact again: compare the outputs and logs kept in --results again")
    opts = ap.parse_args(argv)
    if opts.report_only or opts.recompare:
        return _again(opts)
    if not opts.folder.is_dir():
        print(f"realworld: {opts.folder}: not a folder of PDFs", file=sys.stderr)
        return 2
    if not Path(opts.redactor).is_file():
        print(f"realworld: {opts.redactor}: no redactor console script (run `make test` to install)", file=sys.stderr)
        return 2
    pdfs = find_pdfs(opts.folder)
    if opts.match:
        pdfs = [p for p in pdfs if opts.match in p.relative_to(opts.folder).as_posix()]
    if opts.limit:
        pdfs = pdfs[:opts.limit]
    labels = read_labels(opts.folder)
    opts.results.mkdir(parents=True, exist_ok=True)
    work = opts.results / "files"
    work.mkdir(exist_ok=True)
    print(f"realworld: {len(pdfs)} PDFs under {opts.folder}, {opts.jobs} at a time, timeout {opts.timeout:g} s")
    start, records = time.monotonic(), []
    with ThreadPoolExecutor(max_workers=max(opts.jobs, 1)) as pool:
        futures = {pool.submit(process, p, p.relative_to(opts.folder).as_posix(), opts, work): p for p in pdfs}
        for i, fut in enumerate(as_completed(futures), 1):
            try:
                rec = fut.result()
            except Exception as e:  # a bug of this harness: say so, go on
                rel = futures[fut].relative_to(opts.folder).as_posix()
                rec = {"file": rel, "exit": None, "timed_out": False, "time_s": 0, "peak_rss_mb": 0,
                       "input_unchanged": True, "message": f"harness error: {type(e).__name__}: {e}"[:300]}
            rec["label"] = labels.get(Path(rec["file"]).name, "")
            records.append(rec)
            print(realworld_report.progress_line(i, len(pdfs), rec), flush=True)
    run = {"folder": str(opts.folder), "files": len(records), "jobs": opts.jobs, "timeout_s": opts.timeout,
           "wall_s": round(time.monotonic() - start, 1), "redactor": opts.redactor,
           "redact_args": opts.redact_arg, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    _write(opts, run, records)
    return 0


def _write(opts, run: dict, records: list[dict]) -> None:
    records.sort(key=lambda r: r["file"])
    summary = realworld_report.summarise(records)
    (opts.results / "realworld.json").write_text(json.dumps({"run": run, "summary": summary, "files": records}, indent=1))
    (opts.results / "summary.md").write_text(realworld_report.markdown(run, summary, records))
    realworld_report.print_report(run, summary, records)
    print(f"\nresults: {opts.results / 'realworld.json'} and {opts.results / 'summary.md'}")


def _again(opts) -> int:
    """Summarise (and with --recompare, compare) a finished run again."""
    data = json.loads((opts.results / "realworld.json").read_text())
    records, work = data["files"], opts.results / "files"
    for rec in records:  # causes again, as this harness reads them now
        if rec["exit"] == 4:
            problems = rec.get("verify_problems") or [rec["message"]]
            problems = [p for p in problems if not p.startswith("Object.")] or [rec["message"]]
            rec["verify_causes"] = dict(Counter(verify_cause(p) for p in problems))
            rec["verify_cause"] = verify_cause(problems[0])
    if opts.recompare:
        todo = [r for r in records if r["exit"] in (0, 7) and (not opts.match or opts.match in r["file"])]

        def redo(rec):
            stem = rec["file"].replace("/", "__")
            out, log = work / f"{stem}.redacted.pdf", work / f"{stem}.log.jsonl"
            if out.is_file() and log.is_file():
                rec["compare"] = _compare(opts.folder / rec["file"], out, log, opts, work / stem)
            return rec

        with ThreadPoolExecutor(max_workers=max(opts.jobs, 1)) as pool:
            for i, rec in enumerate(pool.map(redo, todo), 1):
                print(realworld_report.progress_line(i, len(todo), rec), flush=True)
    _write(opts, data["run"], records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
