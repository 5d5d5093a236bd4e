"""Internal review (issue 15): `audit` checks a release against its log and
original and shows every decision with its provenance and the consistency
flags; `reopen` turns a log back into a plan that re-applies to the same
bytes; two changed decisions give a revised release whose log names the
first; tampering and a wrong original are refused; `stats` over logs and a
batch manifest."""

from __future__ import annotations

import hashlib
import os
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from redactor.account import log as audit_log
from redactor.account.log import default_log_path
from redactor.cli import cli as redactor_cli

REVIEWER = "A. Reviewer"
WHEN = "2025-03-04T10:15:00+00:00"
PAGES = [
    ["The briefing starts at the station.",
     "Gold commander: Chief Superintendent Helen Marsh, tel 07700 900123",
     "Officer in charge: DS Rachel Turner, tel 07700 900321",
     "Units will hold at the rendezvous point."],
    ["The briefing starts at the station.",
     "Press enquiries to DS Rachel Turner at the front desk.",
     "Intelligence graded 3B2 from CRIMINT ref 22/123456.",
     "The plan was approved by Chief Superintendent Helen Marsh."],
    ["The briefing starts at the station.",
     "Surveillance team led by PC John Smith, collar 4521.",
     "Counter terrorism protective security measures at the port."],
]


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page()
        for i, line in enumerate(lines):
            page.insert_text((72, 72 + 28 * i), line, fontsize=11)
    doc.save(path)
    return path


def _run(*args, cwd: Path, home: Path | None = None):
    exe = shutil.which("redactor", path=str(Path(sys.executable).parent)) or "redactor"
    p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                       env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "REDACTOR_CACHE_DIR": os.environ.get("REDACTOR_CACHE_DIR", ""), "HOME": str(home or cwd)})
    return p.returncode, p.stdout, p.stderr


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """A two-document bundle scanned, decided by a reviewer (a text accepted
    on page 1 and rejected on page 2, a senior officer's name under s40, the
    same name under another exemption on page 2, a page withheld under s24
    whose findings are s31 and s40, an area, a term, phones accepted with no
    person's decision) and applied."""
    work = tmp_path_factory.mktemp("first")
    brief = _pdf(work / "briefing.pdf", PAGES)
    minutes = _pdf(work / "minutes.pdf", [["Minutes: DS Rachel Turner briefed the team."]])
    plan_path = work / "plan.json"
    code, _, err = _run("scan", brief, minutes, "--plan", plan_path, "--no-nlp", "--accept-above", "0.99", cwd=work)
    assert code == 0, err
    plan = json.loads(plan_path.read_text())
    for d in plan["documents"]:
        for f in d["findings"]:
            if f["status"] == "accepted":
                continue  # the phones: accepted by --accept-above, no person decided
            f.update(status="accepted", reviewer=REVIEWER, decided_at=WHEN)
            if f["text"] == "Rachel Turner" and f["page"] == 2 and "briefing" in d["path"]:
                f.update(status="rejected", note="named as the press contact")
            if f["text"] == "Helen Marsh" and f["page"] == 2:
                f["exemption"] = "S38(1)(a)"
            if f["category"] == "reference_number":
                f["note"] = "would reveal the source grading and the intelligence system"
    brief_doc = plan["documents"][0]
    brief_doc["manual"] = [
        {"kind": "area", "page": 1, "rect": [300.25, 55.5, 400.125, 76.75], "exemption": "S31(1)(a)",
         "reviewer": REVIEWER, "decided_at": WHEN, "note": "map of the holding area"},
        {"kind": "page", "page": 3, "exemption": "S24(1)", "reviewer": REVIEWER, "decided_at": WHEN}]
    plan["terms"] = [{"text": "rendezvous point", "exemption": "S31(1)(a)", "reviewer": REVIEWER,
                      "decided_at": WHEN}]
    plan_path.write_text(json.dumps(plan, indent=1))
    release = work / "release"
    code, out, err = _run("apply", "--plan", plan_path, "-o", release, cwd=work)
    assert code == 0, err
    pdf = release / "briefing.redacted.pdf"
    return {"work": work, "original": brief, "release": pdf, "log": default_log_path(pdf), "plan": plan}


def _audit(first, tmp_path, *extra):
    report, data = tmp_path / "audit.html", tmp_path / "audit.json"
    code, out, err = _run("audit", first["release"], "--log", first["log"], "--original", first["original"],
                          "-o", report, "--json", data, *extra, cwd=tmp_path)
    assert code == 0, err
    return report.read_text(), json.loads(data.read_text()), out


def test_audit_shows_every_redaction_with_its_provenance(first, tmp_path):
    page, data, out = _audit(first, tmp_path)
    _, entries = audit_log.read_log(first["log"])
    assert len(data["items"]) == len(entries) >= 12
    assert [c["check"] for c in data["checks"]] == ["log", "release", "original"]
    by_text = {}
    for i in data["items"]:
        by_text.setdefault((i["text"], i["page"]), i)
    marsh = by_text[("Helen Marsh", 1)]
    assert (marsh["exemption"], marsh["rule"], marsh["reviewer"], marsh["decided_at"]) == \
        ("S40(2)", "s40.name.after_rank", REVIEWER, WHEN)
    assert marsh["category"] == "person_name" and 0 < marsh["confidence"] <= 1
    ref = by_text[("22/123456", 2)]
    assert ref["note"] == "would reveal the source grading and the intelligence system"
    phone = by_text[("07700 900123", 1)]
    assert phone["reviewer"].startswith("auto (--accept-above") and phone["rule"] == "s40.phone.uk"
    area = next(i for i in data["items"] if i["kind"] == "area")
    assert (area["rule"], area["note"], area["decided_at"]) == ("manual (area)", "map of the holding area", WHEN)
    withheld = next(i for i in data["items"] if i["kind"] == "page")
    assert (withheld["page"], withheld["rule"], withheld["exemption"]) == (3, "manual (page withheld)", "S24(1)")
    assert {i["text"] for i in data["items"] if i["kind"] == "covered"} >= {"John Smith", "Surveillance team"}
    assert ("rendezvous point", 1) in by_text and by_text[("rendezvous point", 1)]["rule"] == "plan.term"
    # the HTML: every item in a table grouped by exemption, its text, pages side by side
    for i in data["items"]:
        assert f'id="item-{i["n"]}"' in page
        assert (i["text"] and f"<mark>{i['text']}</mark>" in page) or not i["text"]
    headings = re.findall(r"<h3 style[^>]*>(Section [^<:]+)", page)
    assert headings == ["Section 24(1) (National security)", "Section 31(1)(a) (Law enforcement)",
                        "Section 38(1)(a) (Health and safety)", "Section 40(2) (Personal information)"]
    assert page.count("<figcaption>Original") == page.count("<figcaption>Release") == 3
    assert page.count('class="box') >= len(data["items"])
    assert "INTERNAL - NOT FOR RELEASE" in page
    assert "belongs to" in out and "consistency flag(s)" in out
    # by default the report goes beside the log, never into the release folder
    code, out, err = _run("audit", first["release"], "--log", first["log"], cwd=tmp_path)
    assert code == 0, err
    assert (first["log"].parent / "briefing.redacted.NOT-FOR-RELEASE.audit.html").exists()
    code, _, err = _run("audit", first["release"], "--log", first["log"], "-o",
                        first["release"].parent / "audit.html", cwd=tmp_path)
    assert code == 2 and "outside the release's folder" in err


def test_audit_raises_the_consistency_flags(first, tmp_path):
    _, data, out = _audit(first, tmp_path)
    items = {i["id"]: i for i in data["items"]}
    flags = {}
    for f in data["flags"]:
        flags.setdefault(f["kind"], []).append(f)

    def named(flag):
        return {(items[k]["text"], items[k]["page"]) for k in flag["items"]}

    left, = flags["left_readable"]
    assert named(left) == {("Rachel Turner", 1)} and left["pages"] == [2]
    two, = flags["two_exemptions"]
    assert named(two) == {("Helen Marsh", 1), ("Helen Marsh", 2)} and "S38(1)(a)" in two["message"]
    auto, = flags["no_review"]
    assert named(auto) == {("07700 900123", 1), ("07700 900321", 1)}
    senior, = flags["senior_s40"]
    assert named(senior) == {("Helen Marsh", 1)} and "Chief Superintendent" in senior["message"]
    assert ("John Smith", 3) not in named(senior)  # a constable is not senior
    harm = {f["message"].split()[4]: named(f) for f in flags["no_harm_note"]}
    assert ("22/123456", 2) not in harm["31"]  # it has a note of the harm
    assert ("rendezvous point", 1) in harm["31"] and ("", 3) in harm["24"]
    assert ("", 1) not in harm["31"]  # the area has its note
    page3, = flags["withheld_section"]
    assert {("John Smith", 3), ("Surveillance team", 3), ("", 3)} <= named(page3)
    assert "section 24" in page3["message"] and "section 40" in page3["message"]
    assert out.count("[") >= 7 and "none is a verdict" in out
    # the threshold is configurable
    _, higher, _ = _audit(first, tmp_path, "--senior-rank", "Chief Superintendent")
    assert any(f["kind"] == "senior_s40" for f in higher["flags"])
    _, highest, _ = _audit(first, tmp_path, "--senior-rank", "Commander")
    assert not any(f["kind"] == "senior_s40" for f in highest["flags"])
    code, _, err = _run("audit", first["release"], "--log", first["log"], "--senior-rank", "Admiral", cwd=tmp_path)
    assert code == 2 and "Admiral" in err


def test_reopen_gives_a_plan_that_reapplies_to_the_same_bytes(first, tmp_path):
    plan_path = tmp_path / "reopened.json"
    code, out, err = _run("reopen", first["log"], "--original", first["original"], "-o", plan_path,
                          "--release", first["release"], cwd=tmp_path)
    assert code == 0, err
    assert "1 text(s) left readable as rejected findings, 1 area(s), 1 withheld page(s), 1 term(s)" in out
    plan = json.loads(plan_path.read_text())
    doc = plan["documents"][0]
    accepted = [f for f in doc["findings"] if f["status"] == "accepted"]
    rejected = [f for f in doc["findings"] if f["status"] == "rejected"]
    assert [(f["text"], f["page"]) for f in rejected] == [("Rachel Turner", 2)]
    marsh = next(f for f in accepted if f["text"] == "Helen Marsh" and f["page"] == 1)
    assert (marsh["reviewer"], marsh["decided_at"], marsh["rule"]) == (REVIEWER, WHEN, "s40.name.after_rank")
    assert marsh["context_before"].endswith("Chief Superintendent")
    assert [m["kind"] for m in doc["manual"]] == ["area", "page"]
    assert doc["manual"][0]["rect"] == [300.25, 55.5, 400.125, 76.75]
    assert doc["manual"][0]["note"] == "map of the holding area"
    assert plan["terms"][0]["text"] == "rendezvous point"
    assert doc["supersedes"]["output_sha256"] == _sha(first["release"])
    assert doc["supersedes"]["log_sha256"] == _sha(first["log"])
    assert _run("reopen", first["log"], "--original", first["original"], "-o", plan_path, cwd=tmp_path)[0] == 2
    # unchanged, it re-applies to the same bytes
    again = tmp_path / "again" / "briefing.pdf"
    again.parent.mkdir()
    code, _, err = _run("apply", first["original"], "--plan", plan_path, "-o", again, cwd=tmp_path)
    assert code == 0, err
    assert again.read_bytes() == first["release"].read_bytes()
    header, _ = audit_log.read_log(default_log_path(again))
    assert header["supersedes"]["output_sha256"] == _sha(first["release"])
    assert header["released_on_review"] == []


def test_two_changed_decisions_give_a_revised_release_that_names_the_first(first, tmp_path):
    plan_path = tmp_path / "reopened.json"
    assert _run("reopen", first["log"], "--original", first["original"], "-o", plan_path, cwd=tmp_path)[0] == 0
    # a reviewer who never saw the first release changes two decisions in the terminal
    from redactor.review.plan import load_plan

    todo = [f for _, f in load_plan(plan_path).entries()]
    change = {f.id for f in todo if (f.text, f.page) in (("Helen Marsh", 1), ("22/123456", 2))}
    keys = "".join("r\nsenior officer, named in public reports\n" if f.id in change else "s\n" for f in todo)
    result = CliRunner().invoke(redactor_cli, ["review", str(plan_path), "--reviewer", "B. Appeals", "--all"],
                                input=keys)
    assert result.exit_code == 0, result.output
    assert "rejected 2" in result.output
    revised = tmp_path / "revised" / "briefing.pdf"
    revised.parent.mkdir()
    code, _, err = _run("apply", first["original"], "--plan", plan_path, "-o", revised, cwd=tmp_path)
    assert code == 0, err
    log = default_log_path(revised)
    assert _run("verify", revised, "--log", log, cwd=tmp_path)[0] == 0
    assert _run("log", "check", log, cwd=tmp_path)[0] == 0
    header, entries = audit_log.read_log(log)
    assert header["supersedes"] == {"document": "briefing.pdf", "output": "briefing.redacted.pdf",
                                    "output_sha256": _sha(first["release"]), "log": first["log"].name,
                                    "log_sha256": _sha(first["log"]),
                                    "created": audit_log.read_log(first["log"])[0]["created"]}
    assert header["released_on_review"] == [
        {"page": 1, "exemption": "S40(2)", "category": "person_name", "count": 1},
        {"page": 2, "exemption": "S31(1)(a)", "category": "reference_number", "count": 1}]
    assert {"rule": "s31.crimint", "reviewer": "B. Appeals", "count": 1} in header["rejected_findings"]
    text = " ".join(pymupdf.open(revised)[0].get_text().split())
    assert "Helen Marsh" in text and "Rachel Turner" not in text
    assert "22/123456" in pymupdf.open(revised)[1].get_text()
    schedule = revised.with_name("briefing.schedule.html").read_text()
    assert "Released on internal review" in schedule and "replaces the earlier release" in schedule
    released = revised.with_name("briefing.schedule.released.csv").read_text().splitlines()
    assert released[1:] == ["briefing.pdf,1,S40(2),person_name,1", "briefing.pdf,2,S31(1)(a),reference_number,1"]
    assert "Helen Marsh" not in schedule and "22/123456" not in schedule  # no content in the schedule
    # the audit of the revision shows what it supersedes
    report = tmp_path / "revised.html"
    code, _, err = _run("audit", revised, "--log", log, "--original", first["original"], "-o", report, cwd=tmp_path)
    assert code == 0, err
    assert "supersedes the release of" in report.read_text() and _sha(first["release"]) in report.read_text()


def _rehash(records: list[dict]) -> str:
    prev, out = audit_log.GENESIS, []
    for r in records:
        sealed = audit_log._seal({k: v for k, v in r.items() if k not in ("hash", "prev")}, prev)
        prev = sealed["hash"]
        out.append(json.dumps(sealed))
    return "\n".join(out) + "\n"


def test_tampering_or_the_wrong_files_are_refused(first, tmp_path):
    log = tmp_path / first["log"].name
    shutil.copy(first["log"], log)
    lines = log.read_text().splitlines()
    record = json.loads(lines[2])
    record["text"] = "someone else"
    log.write_text("\n".join(lines[:2] + [json.dumps(record)] + lines[3:]) + "\n")
    for args in (("audit", first["release"], "--log", log), ("reopen", log, "--original", first["original"],
                                                               "-o", tmp_path / "p.json")):
        code, out, err = _run(*args, cwd=tmp_path)
        assert code == 4 and err.count("\n") == 1 and "line 3 was edited" in err and "Traceback" not in err
    other = _pdf(tmp_path / "other.pdf", [["Nothing to see here."]])
    code, _, err = _run("audit", first["release"], "--log", first["log"], "--original", other, cwd=tmp_path)
    assert code == 4 and err.count("\n") == 1 and "is not the original this log was made from" in err
    code, _, err = _run("reopen", first["log"], "--original", other, "-o", tmp_path / "p.json", cwd=tmp_path)
    assert code == 4 and "is not the original" in err and not (tmp_path / "p.json").exists()
    code, _, err = _run("audit", first["original"], "--log", first["log"], "-o", tmp_path / "a.html", cwd=tmp_path)
    assert code == 4 and err.count("\n") == 1 and "is not the release this log records" in err
    # a forger who re-hashes the whole chain is caught by the anchor once the team has a key
    home = tmp_path / "home"
    home.mkdir()
    assert _run("key", "init", cwd=tmp_path, home=home)[0] == 0
    work = tmp_path / "anchored"
    work.mkdir()
    out = work / "rel" / "b.pdf"
    out.parent.mkdir()
    assert _run("redact", first["original"], "-o", out, "--no-nlp", cwd=work, home=home)[0] == 0
    anchored = default_log_path(out)
    assert _run("audit", out, "--log", anchored, "-o", work / "a.html", cwd=work, home=home)[0] == 0
    records = [json.loads(x) for x in anchored.read_text().splitlines()]
    for r in records:
        if r["type"] == "redaction":
            r["exemption"] = "S31(1)(a)"
    anchored.write_text(_rehash(records))
    code, _, err = _run("audit", out, "--log", anchored, "-o", work / "a.html", cwd=work, home=home)
    assert code == 4 and "anchor does not match" in err


def test_redact_without_review_is_flagged_and_old_logs_still_audit(first, tmp_path):
    out = tmp_path / "rel" / "b.pdf"
    out.parent.mkdir()
    assert _run("redact", first["original"], "-o", out, "--no-nlp", cwd=tmp_path)[0] == 0
    log = default_log_path(out)
    report, data = tmp_path / "a.html", tmp_path / "a.json"
    assert _run("audit", out, "--log", log, "-o", report, "--json", data, cwd=tmp_path)[0] == 0
    flags = {f["kind"]: f for f in json.loads(data.read_text())["flags"]}
    assert len(flags["no_review"]["items"]) == len(json.loads(data.read_text())["items"])
    assert "auto (redactor redact)" in flags["no_review"]["message"]
    # a log written before decision times and findings-as-found were logged
    records = [json.loads(x) for x in log.read_text().splitlines()]
    for r in records:
        r.pop("decided_at", None)
        r.pop("found", None)
    log.write_text(_rehash(records))
    assert _run("log", "check", log, cwd=tmp_path)[0] == 0 and _run("verify", out, "--log", log, cwd=tmp_path)[0] == 0
    assert _run("audit", out, "--log", log, "-o", report, cwd=tmp_path)[0] == 0
    code, _, err = _run("reopen", log, "--original", first["original"], "-o", tmp_path / "p.json", cwd=tmp_path)
    assert code == 0 and "predates the 'found' field" in err


def test_stats_over_logs_and_a_batch_manifest(first, tmp_path):
    plan_path = tmp_path / "reopened.json"
    assert _run("reopen", first["log"], "--original", first["original"], "-o", plan_path, cwd=tmp_path)[0] == 0
    revised = tmp_path / "revised" / "briefing.pdf"
    revised.parent.mkdir()
    assert _run("apply", first["original"], "--plan", plan_path, "-o", revised, cwd=tmp_path)[0] == 0
    logs = first["log"].parent
    html, data = tmp_path / "stats.html", tmp_path / "stats.json"
    code, out, err = _run("stats", logs, default_log_path(revised), "-o", html, "--json", data, cwd=tmp_path)
    assert code == 0, err
    s = json.loads(data.read_text())
    assert s["superseded"] == [str(first["log"])]  # counted through its revision
    assert len(s["logs"]) == 2 and s["pages_withheld"] == 1
    assert s["items_by_exemption"]["S24(1)"] == 1 and s["items_by_exemption"]["S38(1)(a)"] == 1
    rules = {r["rule"]: r for r in s["rules"]}
    name = rules["s40.name.after_rank"]
    assert name["rejected"] == 1 and name["accepted"] >= 3  # Rachel Turner rejected on page 2
    assert rules["s40.phone.uk"]["auto"] == 2 and rules["s40.phone.uk"]["rejected_share"] is None
    reviewers = {r["reviewer"]: r for r in s["reviewers"]}
    assert reviewers[REVIEWER]["documents"] == 2 and reviewers[REVIEWER]["first"] == WHEN
    assert "<svg" in html.read_text() and "s40.name.after_rank" in out
    # a batch manifest names its logs; a log that fails its check is listed and not counted
    archive = tmp_path / "archive"
    archive.mkdir()
    _pdf(archive / "one.pdf", [PAGES[0]])
    _pdf(archive / "two.pdf", [PAGES[1]])
    code, _, err = _run("batch", archive, "-o", tmp_path / "out", "--workers", "1", "--quiet", "--no-nlp",
                        cwd=tmp_path)
    assert code == 0, err
    broken = tmp_path / "out.NOT-FOR-RELEASE" / "two.log.jsonl"
    broken.write_text(broken.read_text().replace("Rachel Turner", "Rachael Turner", 1))
    code, out, err = _run("stats", tmp_path / "out.NOT-FOR-RELEASE" / "manifest.jsonl", "-o", html, "--json", data, cwd=tmp_path)
    assert code == 6 and "not counted" in out + err
    s = json.loads(data.read_text())
    assert len(s["logs"]) == 1 and s["not_counted"][0]["log"].endswith("two.log.jsonl")
    assert s["rules"] and all(r["auto"] and not r["accepted"] for r in s["rules"])
    assert s["logs_without_rejection_counts"] == s["logs"]  # `redact` has no review to count


def test_a_rewritten_log_with_odd_types_is_never_an_internal_error(first, tmp_path):
    """Without the team's key a rewritten, re-hashed log passes its chain
    check: every reader must cope with what it holds (exit 0 or 2, never 1)."""
    log = tmp_path / first["log"].name
    records = [json.loads(x) for x in first["log"].read_text().splitlines()]
    odd = [5, "x", [], {}, None, [1, 2], True]
    for n, r in enumerate(records):
        if r["type"] == "header":
            r.update(supersedes="x", released_on_review=5, rule_packs=[], rejected_findings="x", terms={"a": 1},
                     pages_unreadable=3, pages="many", pages_withheld=7)
        elif r["type"] == "redaction":
            for k in ("confidence", "note", "reviewer", "context", "found", "decided_at", "category", "id"):
                r[k] = odd[(n + len(k)) % len(odd)]
    log.write_text(_rehash(records))
    assert _run("log", "check", log, cwd=tmp_path)[0] == 0
    code, _, err = _run("audit", first["release"], "--log", log, "--original", first["original"], "-o",
                        tmp_path / "a.html", "--json", tmp_path / "a.json", cwd=tmp_path)
    assert code == 0, err
    code, _, err = _run("reopen", log, "--original", first["original"], "-o", tmp_path / "p.json", cwd=tmp_path)
    assert code in (0, 2) and "internal error" not in err, err
    code, _, err = _run("stats", log, "-o", tmp_path / "s.html", cwd=tmp_path)
    assert code == 0, err
