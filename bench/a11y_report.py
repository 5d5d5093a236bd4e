"""PDF/UA before and after redaction, with the pdfua checker (the
machine-checkable subset of PDF/UA-1), and what a screen reader reads.

    python bench/a11y_report.py [DIR]

Without DIR: the generated tagged briefing (corpora/tagged.py). With DIR:
also every tagged PDF in DIR (one that has a structure tree).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pikepdf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "corpora"))
import tagged  # noqa: E402


def pdfua(path: Path) -> dict:
    r = subprocess.run([sys.executable, "-m", "pdfua", "check", "-f", "json", str(path)], capture_output=True, text=True)
    if r.returncode not in (0, 1, 2, 3):
        return {"summary": {"errors": None, "warnings": None}, "findings": [], "failed": r.stderr.strip()[:200]}
    return json.loads(r.stdout)


def redact(src: Path, out: Path) -> int:
    return subprocess.run([sys.executable, "-m", "redactor", "redact", str(src), "-o", str(out), "--no-nlp"],
                          capture_output=True, text=True).returncode


def is_tagged(path: Path) -> bool:
    try:
        with pikepdf.open(path) as pdf:
            return "/StructTreeRoot" in pdf.Root
    except Exception:  # noqa: BLE001 - not for this report
        return False


def row(name: str, before: dict, after: dict | None, code: int) -> str:
    b = before["summary"]
    if after is None:
        return f"| {name} | {b['errors']} / {b['warnings']} | exit {code} | |"
    a = after["summary"]
    rules = Counter(f["rule_id"] for f in after["findings"])
    return (f"| {name} | {b['errors']} / {b['warnings']} | {a['errors']} / {a['warnings']} | "
            f"{', '.join(f'{k} x{v}' for k, v in sorted(rules.items()))} |")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs = [tagged.build(tmp / "tagged-briefing.pdf")]
        if len(sys.argv) > 1:
            inputs += sorted(p for p in Path(sys.argv[1]).glob("*.pdf") if is_tagged(p))
        print("| file | before: errors / warnings | after | rules still reported after |")
        print("|---|---:|---:|---|")
        totals = Counter()
        for src in inputs:
            out = tmp / f"{src.stem}.redacted.pdf"
            code = redact(src, out)
            before = pdfua(src)
            after = pdfua(out) if code == 0 else None
            print(row(src.name, before, after, code))
            totals["files"] += 1
            totals["before errors"] += before["summary"]["errors"] or 0
            if after is not None:
                totals["redacted"] += 1
                totals["after errors"] += after["summary"]["errors"] or 0
        print()
        print(", ".join(f"{k}: {v}" for k, v in totals.items()))


if __name__ == "__main__":
    main()
