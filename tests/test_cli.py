"""The command line as a user meets it: exit codes, one-line errors, the
input never touched, and verify catching a fake redaction."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pymupdf
import pytest

from pdfkit import NEIGHBOUR
from redactor.account.log import default_log_path

ROOT = Path(__file__).resolve().parent.parent


def _briefing(tmp_path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), NEIGHBOUR, fontsize=12)
    page.insert_text((72, 100), "Officer in charge: DS Rachel Turner, tel 07700 900321", fontsize=12)
    page.insert_text((72, 128), "E-mail rachel.turner@met.police.example for the exhibits list.", fontsize=12)
    src = tmp_path / "briefing.pdf"
    doc.save(src)
    return src


def _edit(path: Path, key: str, value: str) -> None:
    """Set ``key`` in the document info in place."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.docinfo[key] = pikepdf.String(value)
        pdf.save(path)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_redact_writes_output_log_schedule_and_verifies(tmp_path, cli):
    src = _briefing(tmp_path)
    before = _sha(src)
    code, out, err = cli("redact", src, "-o", tmp_path / "out.pdf", "--no-nlp")
    assert code == 0, err
    assert _sha(src) == before
    log = default_log_path(tmp_path / "out.pdf")
    schedule = tmp_path / "out.schedule.csv"
    assert str(log) in out and str(schedule) in out
    header = json.loads(log.read_text().splitlines()[0])
    assert header["notice"].startswith("INTERNAL - NOT FOR RELEASE")
    assert header["input_sha256"] == before and header["output_sha256"] == _sha(tmp_path / "out.pdf")
    entries = [json.loads(x) for x in log.read_text().splitlines() if '"redaction"' in x]
    assert {e["text"] for e in entries} >= {"Rachel Turner", "07700 900321", "rachel.turner@met.police.example"}
    assert all(e["page"] == 1 and e["rule"] and e["exemption"] == "S40(2)" and e["context"] for e in entries)
    csv = schedule.read_text()
    assert csv.splitlines()[0] == "document,page,exemption,category,count"
    assert "Rachel" not in csv and "07700" not in csv
    code, out, err = cli("verify", tmp_path / "out.pdf", "--log", log)
    assert code == 0, err
    assert _sha(src) == before


def test_verify_fails_on_black_box_over_live_text(tmp_path, cli):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), NEIGHBOUR)
    page.insert_text((72, 100), "Informant: Joe Bloggs, 07700 900999")
    page.draw_rect(pymupdf.Rect(140, 85, 300, 105), color=None, fill=(0, 0, 0))
    fake = tmp_path / "fake.pdf"
    doc.save(fake)
    code, out, err = cli("verify", fake)
    assert code == 4
    assert "fake redaction" in err and "Bloggs" in err


def test_verify_fails_on_unapplied_redaction_annotation(tmp_path, cli):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Informant: Joe Bloggs")
    page.add_redact_annot(pymupdf.Rect(130, 85, 250, 105), fill=(0, 0, 0))
    fake = tmp_path / "fake.pdf"
    doc.save(fake)
    code, _, err = cli("verify", fake)
    assert code == 4 and "never applied" in err


def test_verify_with_log_fails_when_text_is_back(tmp_path, cli):
    """A log's texts are looked for everywhere: put one back into the
    metadata of a verified output and verify must fail."""
    src = _briefing(tmp_path)
    out = tmp_path / "out.pdf"
    assert cli("redact", src, "-o", out, "--no-nlp")[0] == 0
    _edit(out, "/Author", "Rachel Turner")
    code, _, err = cli("verify", out, "--log", default_log_path(out), "--details")
    assert code == 4 and "rachel turner" in err
    assert "not the one this log was written for" in err  # the edit changed the file's hash too


def _encrypted(tmp_path):
    p = tmp_path / "locked.pdf"
    with pikepdf.open(_briefing(tmp_path)) as pdf:
        pdf.save(p, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return p


def _bad_inputs(tmp_path):
    good = _briefing(tmp_path).read_bytes()
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notpdf.pdf").write_bytes(b"PK\x03\x04 this is a zip file really")
    (tmp_path / "truncated.pdf").write_bytes(good[: len(good) // 2])
    (tmp_path / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    zero = pikepdf.new()
    zero.save(tmp_path / "nopages.pdf")
    return {
        "empty.pdf": "empty file",
        "notpdf.pdf": "not a PDF",
        "truncated.pdf": "damaged PDF",
        "garbage.pdf": "damaged PDF",
        "nopages.pdf": "no pages",
        "locked.pdf": "encrypted PDF",
        "missing.pdf": "no such file",
    }


def test_bad_inputs_give_one_line_and_exit_3(tmp_path, cli):
    _encrypted(tmp_path)
    for name, words in _bad_inputs(tmp_path).items():
        src = tmp_path / name
        before = src.read_bytes() if src.exists() else None
        code, out, err = cli("redact", src, "-o", tmp_path / f"out-{name}", "--no-nlp")
        assert code == 3, (name, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and words in lines[0], (name, err)
        assert "Traceback" not in err
        assert not (tmp_path / f"out-{name}").exists()
        assert not list(tmp_path.glob(f".out-{name}*")), "a temporary file was left behind"
        if before is not None:
            assert src.read_bytes() == before


def test_a_folder_given_as_the_input_is_an_input_error(tmp_path, cli):
    (tmp_path / "papers").mkdir()
    for args in (["redact", "papers", "-o", "out.pdf"], ["scan", "papers", "--plan", "plan.json"], ["verify", "papers"]):
        code, _, err = cli(*args)
        assert code == 3 and err.strip() == "redactor: papers: a folder, not a file", (args, err)


def test_a_library_failing_while_it_converts_a_file_is_an_input_error(tmp_path, cli):
    """MuPDF refuses HTML nested 5,000 deep: exit 3 naming the file (it was
    an internal error, exit 1, outside a batch)."""
    (tmp_path / "deep.html").write_text("<div>" * 5000 + "x" + "</div>" * 5000)
    code, _, err = cli("redact", tmp_path / "deep.html", "-o", tmp_path / "deep.pdf", "--no-nlp")
    assert code == 3 and len(err.strip().splitlines()) == 1 and "deep.html: cannot be converted" in err, err


def test_a_file_that_is_not_a_pdf_is_described_not_quoted(tmp_path, cli):
    """The message goes to logs and a batch's manifest:
    it says what the file looks like, never what it says."""
    (tmp_path / "statement.pdf").write_text("Jonathan Pemberton-Smythe, 07700 900123\n")
    code, _, err = cli("redact", tmp_path / "statement.pdf", "-o", tmp_path / "out.pdf", "--no-nlp")
    assert code == 3 and "plain text" in err and "Pemberton" not in err and "Jonathan" not in err, err
    code, _, err = cli("batch", tmp_path, "-o", tmp_path / "out", "--no-nlp", "--workers", "1")
    written = "".join(p.read_text(errors="replace") for d in ("out", "out.NOT-FOR-RELEASE")
                      for p in (tmp_path / d).rglob("*") if p.is_file())
    assert "statement.pdf" in written and "Jonathan" not in written and "Jonathan" not in err


def test_password_opens_encrypted_input(tmp_path, cli):
    src = _encrypted(tmp_path)
    code, _, err = cli("redact", src, "-o", tmp_path / "out.pdf", "--password", "wrong", "--no-nlp")
    assert code == 3 and "not accepted" in err
    code, _, err = cli("redact", src, "-o", tmp_path / "out.pdf", "--password", "secret", "--no-nlp")
    assert code == 0, err
    with pikepdf.open(tmp_path / "out.pdf") as pdf:  # the output is not encrypted
        assert not pdf.is_encrypted


def test_output_equal_to_input_is_refused(tmp_path, cli):
    src = _briefing(tmp_path)
    before = src.read_bytes()
    code, _, err = cli("redact", src, "-o", src, "--no-nlp")
    assert code == 3 and "is the input file" in err
    assert src.read_bytes() == before


def test_scan_then_apply_with_a_rejected_finding(tmp_path, cli):
    src = _briefing(tmp_path)
    plan = tmp_path / "plan.json"
    code, out, err = cli("scan", src, "--plan", plan, "--no-nlp")
    assert code == 0, err
    data = json.loads(plan.read_text())
    findings = data["documents"][0]["findings"]
    phone = next(f for f in findings if f["category"] == "phone")
    assert phone["page"] == 1 and phone["rects"] and phone["status"] == "proposed"
    for f in findings:
        f["status"] = "accepted"
    phone["status"] = "rejected"
    plan.write_text(json.dumps(data))
    code, out, err = cli("apply", src, "--plan", plan, "-o", tmp_path / "out.pdf")
    assert code == 0, err
    text = pymupdf.open(tmp_path / "out.pdf")[0].get_text()
    assert "07700 900321" in text and "Rachel Turner" not in text


def test_apply_refuses_plan_for_other_bytes(tmp_path, cli):
    src = _briefing(tmp_path)
    plan = tmp_path / "plan.json"
    assert cli("scan", src, "--plan", plan, "--no-nlp")[0] == 0
    _edit(src, "/Title", "changed")
    code, _, err = cli("apply", src, "--plan", plan, "-o", tmp_path / "out.pdf")
    assert code == 2 and "different version" in err


def test_scan_text_file_gives_character_offsets(tmp_path, cli):
    txt = tmp_path / "note.txt"
    body = "Call PC Amy Clarke on 07700 900111 or write to amy.clarke@met.police.example.\n"
    txt.write_text(body)
    plan = tmp_path / "plan.json"
    assert cli("scan", txt, "--plan", plan, "--no-nlp")[0] == 0
    findings = json.loads(plan.read_text())["documents"][0]["findings"]
    assert {body[f["start"]:f["end"]] for f in findings} == {"Amy Clarke", "07700 900111",
                                                              "amy.clarke@met.police.example"}


@pytest.mark.parametrize("command", ["redact", "scan", "apply", "verify", "log"])
def test_help(cli, command):
    code, out, _ = cli(command, "--help")
    assert code == 0 and "Usage:" in out


def test_sample_briefing_demo(tmp_path, cli):
    """What `make demo` does, on the generated sample with its ground truth."""
    pdf = tmp_path / "sample.pdf"
    subprocess.run([sys.executable, str(ROOT / "corpora" / "generate.py"), "sample", str(pdf)], check=True,
                   capture_output=True)
    truth = json.loads(pdf.with_suffix(".truth.json").read_text())
    code, out, err = cli("redact", pdf, "-o", tmp_path / "sample.redacted.pdf", "--no-nlp")
    assert code == 0, err
    log = default_log_path(tmp_path / "sample.redacted.pdf")
    logged = {(e["page"], e["text"]) for e in map(json.loads, log.read_text().splitlines()) if e["type"] == "redaction"}
    assert {(i["page"], " ".join(i["text"].split())) for i in truth["items"]} <= logged
    out = pymupdf.open(tmp_path / "sample.redacted.pdf")
    for sentence in truth["neutral"]:
        assert sentence["text"] in " ".join(out[sentence["page"] - 1].get_text().split())


def test_failed_verification_leaves_no_output(tmp_path, cli):
    """Private data in a place the sanitiser does not clean (the name of a
    custom key in a font's dictionary) is caught by verification: exit 4,
    nothing written."""
    src = _briefing(tmp_path)
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        fonts = pdf.pages[0].Resources.Font
        fonts[list(fonts.keys())[0]]["/Checked-by-Rachel-Turner"] = pikepdf.String("yes")
        pdf.save(src)
    before = src.read_bytes()
    out = tmp_path / "out.pdf"
    code, _, err = cli("redact", src, "-o", out, "--no-nlp")
    assert code == 4 and "verification failed" in err and "rachel turner" in err
    assert not out.exists() and not list(tmp_path.glob(".out.pdf*"))
    assert not default_log_path(out).exists()
    assert src.read_bytes() == before


def test_scan_and_apply_leave_input_unchanged(tmp_path, cli):
    src = _briefing(tmp_path)
    before = src.read_bytes()
    assert cli("scan", src, "--plan", tmp_path / "plan.json", "--no-nlp")[0] == 0
    assert src.read_bytes() == before
    assert cli("apply", src, "--plan", tmp_path / "plan.json", "-o", tmp_path / "o.pdf", "--include-proposed")[0] == 0
    assert src.read_bytes() == before
    assert cli("verify", tmp_path / "o.pdf")[0] == 0
    assert src.read_bytes() == before


def test_too_many_pages_is_refused(tmp_path, cli):
    doc = pymupdf.open()
    for _ in range(3):
        doc.new_page().insert_text((72, 72), NEIGHBOUR)
    src = tmp_path / "big.pdf"
    doc.save(src)
    code, _, err = cli("redact", src, "-o", tmp_path / "o.pdf", "--max-pages", "2", "--no-nlp")
    assert code == 3 and "more than the limit of 2" in err and len(err.strip().splitlines()) == 1
