"""The audit log and the release: robust log checks, validated log records,
log anchoring, CSV injection, counts that agree, verify accepting apply's
own output, exemption codes, manual areas, review interrupted, and the
README's examples."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from pdfkit import NEIGHBOUR
from redactor.account import log as audit
from redactor.account.log import default_log_path

ROOT = Path(__file__).resolve().parent.parent


def briefing(path: Path, lines: list[str] | None = None, pages: int = 1) -> Path:
    doc = pymupdf.open()
    for _ in range(pages):
        page = doc.new_page()
        page.insert_text((72, 72), NEIGHBOUR, fontsize=12)
        for i, line in enumerate(lines or ["Officer in charge: DS Rachel Turner, tel 07700 900321"]):
            page.insert_text((72, 100 + 28 * i), line, fontsize=12)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


@pytest.fixture
def redacted(tmp_path, cli):
    src = briefing(tmp_path / "b.pdf")
    out = tmp_path / "rel" / "b.pdf"
    out.parent.mkdir()
    code, _, err = cli("redact", src, "-o", out, "--no-nlp")
    assert code == 0, err
    return out, default_log_path(out)


def _rehash(lines: list[dict]) -> str:
    """What a forger does: rewrite records and recompute the whole chain."""
    prev, out = audit.GENESIS, []
    for r in lines:
        sealed = audit._seal(r, prev)
        prev = sealed["hash"]
        out.append(json.dumps(sealed))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("bad", [b"[]", b"null", b"42", b"\"text\""])
def test_log_check_fails_cleanly_on_a_line_that_is_not_an_object(tmp_path, redacted, cli, bad):
    _, log = redacted
    lines = log.read_bytes().splitlines()
    log.write_bytes(b"\n".join(lines[:2] + [bad] + lines[2:]) + b"\n")
    code, _, err = cli("log", "check", log)
    assert code == 4 and "not a JSON object" in err and "internal error" not in err
    code, _, err = cli("verify", redacted[0], "--log", log)
    assert code == 4 and "internal error" not in err  # the log fails its check: as `log check` says


def test_verify_with_an_edited_log_fails_as_log_check_does(tmp_path, redacted, cli):
    """An edited log was exit 2 (a usage error) for `verify --log`, exit 4
    for `log check`, `audit` and `reopen` (helper 32)."""
    out, log = redacted
    text = log.read_text()
    record = next(json.loads(x) for x in text.splitlines() if json.loads(x).get("type") == "redaction")
    log.write_text(text.replace(json.dumps(record["text"]), json.dumps(record["text"] + "x"), 1))
    assert cli("log", "check", log)[0] == 4
    code, _, err = cli("verify", out, "--log", log)
    assert code == 4 and "edited" in err, err


def test_log_check_fails_cleanly_on_a_log_that_is_not_utf8(tmp_path, redacted, cli):
    _, log = redacted
    log.write_bytes(log.read_bytes()[:100] + b"\xff\xfe" + log.read_bytes()[100:])
    code, _, err = cli("log", "check", log)
    assert code == 4 and "not UTF-8" in err


def test_verify_refuses_a_rehashed_log_with_malformed_records(tmp_path, redacted, cli):
    out, log = redacted
    records = [json.loads(x) for x in log.read_text().splitlines()]
    body = [{k: v for k, v in r.items() if k not in ("hash", "prev")} for r in records]
    no_rects = [dict(r) for r in body]
    for r in no_rects:
        r.pop("rects", None) if r["type"] == "redaction" else None
    log.write_text(_rehash(no_rects))
    assert cli("log", "check", log)[0] == 0  # the chain is intact: only the records are wrong
    code, _, err = cli("verify", out, "--log", log)
    assert code == 2 and "'rects'" in err and "internal error" not in err
    string_page = [dict(r) for r in body]
    for r in string_page:
        if r["type"] == "redaction":
            r["page"] = "1"
    log.write_text(_rehash(string_page))
    code, _, err = cli("verify", out, "--log", log)
    assert code == 2 and "'page'" in err, "a log that checks nothing must not pass"
    far_page = [dict(r) for r in body]
    for r in far_page:
        if r["type"] == "redaction":
            r["page"] = 9
    log.write_text(_rehash(far_page))
    code, _, err = cli("verify", out, "--log", log)
    assert code == 2 and "page 9" in err


def test_verify_checks_the_output_hash_against_the_log(tmp_path, redacted, cli):
    out, log = redacted
    other = briefing(tmp_path / "other.pdf", ["Nothing to see here."])
    code, _, err = cli("verify", other, "--log", log)
    assert code == 4 and "not the one this log was written for" in err


def test_anchored_log_detects_a_full_rewrite(tmp_path, cli):
    code, out, err = cli("key", "init")
    assert code == 0 and "log key" in out, err
    key_file = tmp_path / ".config" / "redactor" / "log.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert cli("key", "init")[0] == 2  # never replaced by accident
    src = briefing(tmp_path / "b.pdf")
    out_pdf = tmp_path / "rel" / "b.pdf"
    out_pdf.parent.mkdir()
    assert cli("redact", src, "-o", out_pdf, "--no-nlp")[0] == 0
    log = default_log_path(out_pdf)
    code, out, _ = cli("log", "check", log)
    assert code == 0 and "anchor valid" in out
    assert cli("verify", out_pdf, "--log", log)[0] == 0
    # a forger without the key: change a record, re-hash everything, keep or drop the anchor
    records = [json.loads(x) for x in log.read_text().splitlines()]
    body = [{k: v for k, v in r.items() if k not in ("hash", "prev")} for r in records]
    for r in body:
        if r["type"] == "redaction":
            r["text"] = "someone else"
    log.write_text(_rehash(body))
    code, _, err = cli("log", "check", log)
    assert code == 4 and "rewritten" in err
    assert cli("verify", out_pdf, "--log", log)[0] == 4
    for r in body:
        r.pop("anchor", None)
    log.write_text(_rehash(body))
    code, _, err = cli("log", "check", log)
    assert code == 4 and "not anchored" in err
    # without the key the chain alone is checked, and the output says what that means
    key_file.unlink()
    code, out, _ = cli("log", "check", log)
    assert code == 0 and "not anchored" in out


def test_schedule_csv_neutralises_formulas(tmp_path, cli):
    src = briefing(tmp_path / "=cmd.pdf", ["Operation Larkspur starts at dawn."])
    plan = tmp_path / "plan.json"
    assert cli("scan", src, "--plan", plan, "--no-nlp")[0] == 0
    data = json.loads(plan.read_text())
    data["terms"] = [{"text": "Larkspur", "exemption": "S31(1)(a)", "category": "=HYPERLINK(\"http://x\",\"y\")"},
                     {"text": "dawn", "exemption": "S31(1)(a)", "category": "@SUM(1+1)*cmd|' /C calc'!A0"}]
    for f in data["documents"][0]["findings"]:
        f["status"] = "rejected"
    plan.write_text(json.dumps(data))
    release = tmp_path / "release"
    code, _, err = cli("apply", "--plan", plan, "-o", release)
    assert code == 0, err
    for path in (release / "schedule.csv", tmp_path / "release.NOT-FOR-RELEASE" / "=cmd.redacted.schedule.csv"):
        rows = list(csv.DictReader(path.open()))
        cells = [v for r in rows for v in r.values()]
        assert not [c for c in cells if c[:1] in "=+-@\t\r"], cells
        assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'=cmd.pdf" in cells


def test_counts_in_the_terminal_and_the_schedule_agree(tmp_path, cli):
    src = briefing(tmp_path / "b.pdf", pages=3)
    plan = tmp_path / "plan.json"
    assert cli("scan", src, "--plan", plan, "--no-nlp")[0] == 0
    data = json.loads(plan.read_text())
    for f in data["documents"][0]["findings"]:
        f["status"] = "accepted"
    data["documents"][0]["manual"] = [{"kind": "page", "page": 2, "exemption": "S40(2)"},
                                      {"kind": "area", "page": 3, "rect": [300, 20, 72, 60], "exemption": "S31(1)(a)"}]
    plan.write_text(json.dumps(data))
    out = tmp_path / "rel" / "b.pdf"
    out.parent.mkdir()
    code, stdout, err = cli("apply", src, "--plan", plan, "-o", out)  # swapped corners: normalised
    assert code == 0, err
    said = int(re.search(r"(\d+) redactions", stdout).group(1))
    scheduled = sum(int(r["count"]) for r in csv.DictReader(out.with_name("b.schedule.csv").open()))
    assert said == scheduled
    by_ex = dict(re.findall(r"(S[\d()a-zA-Z]+) x(\d+)", stdout))
    assert sum(map(int, by_ex.values())) == said
    # verify --log accepts apply's own output, the withheld page included
    code, _, err = cli("verify", out, "--log", default_log_path(out))
    assert code == 0, err


def test_verify_log_accepts_a_text_rejected_on_one_page_and_accepted_on_another(tmp_path, cli):
    src = briefing(tmp_path / "b.pdf", pages=2)
    plan = tmp_path / "plan.json"
    assert cli("scan", src, "--plan", plan, "--no-nlp")[0] == 0
    data = json.loads(plan.read_text())
    for f in data["documents"][0]["findings"]:
        f["status"] = "rejected" if (f["page"] == 1 and f["text"] == "Rachel Turner") else "accepted"
    plan.write_text(json.dumps(data))
    out = tmp_path / "rel" / "b.pdf"
    out.parent.mkdir()
    code, _, err = cli("apply", src, "--plan", plan, "-o", out)
    assert code == 0, err
    doc = pymupdf.open(out)
    assert "Rachel Turner" in doc[0].get_text() and "Rachel Turner" not in doc[1].get_text()
    code, _, err = cli("verify", out, "--log", default_log_path(out))
    assert code == 0, err


def test_exemption_codes_are_checked_against_the_act(tmp_path, cli):
    from redactor.foia import problem

    for good in ("S40(2)", "S31(1)(a)", "S24(1)", "S30(2)(a)(iii)", "S37(1)(ac)", "S40(3A)(b)", "S22A(1)"):
        assert problem(good) is None, good
    for bad in ("S40(9)", "S31(1)(z)", "S12(1)", "S40", "s40(2)", "S31(1)(a)(i)"):
        assert problem(bad), bad
    src = briefing(tmp_path / "b.pdf")
    plan = tmp_path / "plan.json"
    assert cli("scan", src, "--plan", plan, "--no-nlp")[0] == 0
    data = json.loads(plan.read_text())
    data["documents"][0]["findings"][0]["exemption"] = "S40(9)"
    plan.write_text(json.dumps(data))
    code, _, err = cli("apply", src, "--plan", plan, "-o", tmp_path / "o.pdf", "--include-proposed")
    assert code == 2 and "no subsection (9)" in err


def test_review_saves_and_exits_130_on_end_of_input(tmp_path, cli):
    src = briefing(tmp_path / "b.pdf")
    plan = tmp_path / "plan.json"
    assert cli("scan", src, "--plan", plan, "--no-nlp")[0] == 0
    exe = Path(sys.executable).parent / "redactor"
    p = subprocess.run([str(exe), "review", str(plan), "--reviewer", "A. Officer"], input="a\n", text=True,
                       capture_output=True, timeout=60)
    assert p.returncode == 130, p.stderr
    assert "saved" in p.stderr and "Traceback" not in p.stderr
    statuses = [f["status"] for f in json.loads(plan.read_text())["documents"][0]["findings"]]
    assert statuses[0] == "accepted" and "proposed" in statuses  # the first decision kept


def test_readme_examples_run(cli):
    readme = (ROOT / "README.md").read_text()
    m = re.search(r'redactor rules test s40_personal_data --text "([^"]+)"', readme)
    code, out, err = cli("rules", "test", "s40_personal_data", "--text", m.group(1))
    assert code == 0, err
    assert re.search(r"s40\.nhs_number\s.*FINDING", out), out
    # every option the README names exists
    helps = "".join(cli(*c.split(), "--help")[1] for c in ("redact", "apply", "scan", "verify", "batch", "review", "serve",
                                                            "report", "log check", "key init", "rules test", "eval",
                                                            "audit", "reopen", "stats"))
    ours = "\n".join(line for line in readme.splitlines() if not line.startswith("dask "))
    ours = ours.replace("soffice --convert-to", "soffice")  # LibreOffice's own option, not ours
    ours = "\n".join(line for line in ours.splitlines() if "bench/" not in line)  # a benchmark script's options
    for option in set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", ours)):
        assert option in helps or option == "--help", f"README documents {option}, no command has it"
