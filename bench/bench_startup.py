"""Benchmark: start-up. `redactor redact` on one small file (the 6-page
sample briefing), rules only and with NER, `redactor verify` of its output
and `redactor --help`, each in a fresh interpreter, as a user runs them
(issue 14: under 1 s plus model load).

Prints the median wall time and the median CPU time of each (CPU time is
what a busy, shared machine changes least) and the load average. The first
run of a command after an install builds the caches (the word tables, the
validated built-in packs and their compiled patterns: see
redactor/detect/wordtables.py, packcache.py, patterns.py) and writes the
bytecode: one run is made and not counted.

    python bench/bench_startup.py [--runs 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "corpora")]

import generate  # noqa: E402


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of ``python -m redactor ARGS``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    # an installed redactor has its bytecode compiled (pip does it): without it every run
    # compiles a hundred modules again, a quarter of a second that no user pays
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "redactor", *args], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    load_before = os.getloadavg()
    cases = {"--help": ["--help"],
             "redact --no-nlp": ["redact", "--no-nlp", "sample.pdf", "-o", "out.pdf"],
             "redact (NER)": ["redact", "sample.pdf", "-o", "out.pdf"],
             "verify": ["verify", "out.pdf"]}
    with tempfile.TemporaryDirectory(prefix="redactor-bench-startup-") as tmp:
        tmp = Path(tmp) / "run"  # the log's folder (run.NOT-FOR-RELEASE) stays inside the temporary one
        tmp.mkdir()
        generate.build(tmp / "sample.pdf", "briefing", 7, "train")  # what `make demo` redacts
        for argv in cases.values():
            timed(argv, tmp)  # not counted: caches built, files in the page cache
        seen: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, argv in cases.items():  # interleaved: the machine's load falls on all alike
                seen[name].append(timed(argv, tmp))
    load_after = os.getloadavg()
    out = {name: {"wall_seconds": round(statistics.median(w for w, _ in runs), 3),
                  "cpu_seconds": round(statistics.median(c for _, c in runs), 3)} for name, runs in seen.items()}
    out["runs"] = args.runs
    out["load_average_before"] = [round(x, 2) for x in load_before]
    out["load_average_after"] = [round(x, 2) for x in load_after]
    out["cores"] = os.cpu_count()
    for name in cases:
        print(f"{name:18s} median {out[name]['wall_seconds']:6.2f} s wall, {out[name]['cpu_seconds']:6.2f} s CPU "
              f"({args.runs} runs)")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} ({os.cpu_count()} cores)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
