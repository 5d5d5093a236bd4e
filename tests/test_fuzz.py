"""Fuzzing: seeded mutants of the sample briefing through the real command
line. Every result must be a documented exit code (never 1), within the
time limit and the memory cap, and for exit 0 nothing the log says was
redacted may be readable in the output (PyMuPDF and pdftotext).

``make test`` runs a fixed count (``REDACTOR_FUZZ_COUNT``, default 200) with
a fixed seed; ``make fuzz`` runs a longer Hypothesis campaign
(``tests/fuzz_campaign.py``). The harness is ``tests/fuzzing.py``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import damaged  # noqa: E402
import fuzzing  # noqa: E402

COUNT = int(os.environ.get("REDACTOR_FUZZ_COUNT", "200"))
SEED = int(os.environ.get("REDACTOR_FUZZ_SEED", "20261125"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks")


def _warm():
    """Load what every child needs once, before forking."""
    from redactor.cli.common import _detector

    _detector((), (), None, True)


def test_known_damage_classes(tmp_path):
    """The classes of damaged input that once crashed redactor (exit 1)."""
    base, _ = fuzzing.sample(tmp_path)
    cases = []
    for name, build in damaged.CLASSES.items():
        cases.append((name, build(base, tmp_path / f"{name}.pdf")))
    _warm()
    results = fuzzing.run_all(cases, tmp_path / "runs")
    bad = [str(r) for r in results if not r.ok]
    assert not bad, "\n".join(bad)
    # none of these is processed silently: each is refused, or repaired and said so
    for r in results:
        assert r.redact != 0 or "warning" in r.stderr or r.name in SAFE_AS_IS, r


#: damage that leaves nothing lost or differently read: processed as is
SAFE_AS_IS = {"null-contents", "null-in-contents-array", "parent-loop-self", "widths-huge", "broken-xref"}


def test_seeded_mutants(tmp_path):
    base, plain = fuzzing.sample(tmp_path)
    b, p = base.read_bytes(), plain.read_bytes()
    cases = []
    for i in range(COUNT):
        name, data = fuzzing.mutant(b, p, SEED + i)
        f = tmp_path / f"mutant-{i:04d}.pdf"
        f.write_bytes(data)
        cases.append((name, f))
    _warm()
    results = fuzzing.run_all(cases, tmp_path / "runs")
    report = {"count": len(results), "summary": fuzzing.summary(results),
              "by_exit_code": {}, "failures": [str(r) for r in results if not r.ok]}
    for r in results:
        report["by_exit_code"][str(r.redact)] = report["by_exit_code"].get(str(r.redact), 0) + 1
    out = os.environ.get("REDACTOR_FUZZ_REPORT")
    if out:
        Path(out).write_text(json.dumps(report, indent=1) + "\n")
    print(report["summary"])
    assert len(results) == COUNT
    assert not report["failures"], "\n".join(report["failures"])
    # the harness itself must be able to fail: the mutants are not all refused
    assert report["by_exit_code"].get("0", 0) > 0 and report["by_exit_code"].get("3", 0) > 0
