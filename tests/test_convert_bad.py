"""Bad Office input: one line naming the file, exit 3 (or the batch goes
on), no converter process left running, the input untouched."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

import officekit as k
from redactor import batch
from redactor.errors import InputError
from redactor.ingest.convert import ConvertOptions, open_input
from redactor.ingest.convert.libreoffice import ConversionFailed, LibreOffice

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _encrypted_docx(tmp_path: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = k.docx(tmp_path / "plain.docx")
    out = io.BytesIO()
    with open(plain, "rb") as f:
        OOXMLFile(f).encrypt(password, out)
    path = tmp_path / "locked.docx"
    path.write_bytes(out.getvalue())
    return path


def test_a_password_protected_docx_needs_its_password(tmp_path):
    src = _encrypted_docx(tmp_path, "Secret-1")
    before = _sha(src)
    with pytest.raises(InputError, match=r"locked.docx: password-protected Word document: give its password"):
        open_input(src)
    with pytest.raises(InputError, match="the password given was not accepted"):
        open_input(src, ConvertOptions(password="wrong"))
    [part] = open_input(src, ConvertOptions(password="Secret-1"))
    assert "Daniel Lindqvist" in k.pdf_text(part.pdf)  # decrypted, converted, and its hidden content found
    assert any(i.kind == "tracked_deletion" for i in part.hidden)
    assert _sha(src) == before


def _truncated(p: Path) -> Path:
    p.write_bytes(k.docx(p).read_bytes()[:3000])
    return p


def _garbage_zip(p: Path) -> Path:
    p.write_bytes(b"PK\x03\x04" + os.urandom(500))
    return p


def _not_office(p: Path) -> Path:
    p.write_bytes(b"not an office file at all")
    return p


@pytest.mark.parametrize("make, problem", [
    (_truncated, r"damaged Word document"),
    (_garbage_zip, r"damaged Word document"),
    (_not_office, r"damaged Word document \(not a zip"),
    (k.zip_bomb_docx, r"looks like a zip bomb"),
])
def test_damaged_and_hostile_docx_are_refused_before_libreoffice_sees_them(tmp_path, make, problem):
    src = make(tmp_path / "bad.docx")
    before = _sha(src)
    lo = LibreOffice()
    try:
        with pytest.raises(InputError, match=problem) as err:
            open_input(src, converter=lo)
        assert lo.conversions == 0 and lo.starts == 0
    finally:
        lo.close()
    assert str(err.value).startswith(f"{src}: ") and "\n" not in str(err.value)
    assert _sha(src) == before


def test_an_xlsx_claiming_a_million_rows_is_refused(tmp_path):
    src = k.million_rows_xlsx(tmp_path / "huge.xlsx")
    with pytest.raises(InputError, match=r"huge.xlsx: refused: sheet 'Sheet' claims 1,048,576 rows"):
        open_input(src)


def test_a_conversion_that_hangs_is_stopped_and_leaves_nothing_running(tmp_path):
    src = k.long_docx(tmp_path / "long.docx", paragraphs=20000)  # far longer than the 1 s allowed, even on a fast machine

    def socket(pipe):  # where LibreOffice makes a pipe's socket
        return Path("/tmp", f"OSL_PIPE_{os.getuid()}_{pipe}")

    with LibreOffice(timeout=1) as lo:
        lo.start()
        pids = lo.pids()
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        first = lo.pipe
        assert socket(first).is_socket()
        with pytest.raises(ConversionFailed, match=r"long.docx: conversion timed out after 1 s"):
            open_input(src, converter=lo)
        assert lo.pids() == [] and not any(_alive(p) for p in pids)
        assert not socket(first).exists()  # SIGKILL left it behind: the converter removed it
        # the next file gets a fresh converter
        lo.timeout = 120
        [part] = open_input(k.docx(tmp_path / "next.docx"), converter=lo)
        assert "Kowalski" in k.pdf_text(part.pdf)
        second = lo.pipe
    assert not socket(second).exists() and not lo.home.exists()  # its temporary files were in lo.home


def _fake_soffice(tmp_path: Path, script: str) -> Path:
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n" + script + "\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return fake


def test_a_converter_that_crashes_gives_one_line_and_exit_3(tmp_path, cli):
    src = k.docx(tmp_path / "minutes.docx")
    before = _sha(src)
    fake = _fake_soffice(tmp_path, 'echo "$@" >> "$(dirname "$0")/calls"; kill -SEGV $$')
    os.environ["REDACTOR_SOFFICE"] = str(fake)
    try:
        lo = LibreOffice()
        with pytest.raises(ConversionFailed, match=r"minutes.docx: LibreOffice (did not start|crashed)"):
            open_input(src, converter=lo)
        assert lo.pids() == []
        lo.close()
    finally:
        del os.environ["REDACTOR_SOFFICE"]
    assert (fake.parent / "calls").exists()
    assert _sha(src) == before


def test_cli_crashing_converter_exit_3(tmp_path):
    import subprocess
    import sys

    src = k.docx(tmp_path / "minutes.docx")
    before = _sha(src)
    fake = _fake_soffice(tmp_path, "kill -SEGV $$")
    exe = Path(sys.executable).parent / "redactor"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "REDACTOR_CACHE_DIR": os.environ.get("REDACTOR_CACHE_DIR", ""), "HOME": str(tmp_path), "REDACTOR_SOFFICE": str(fake)}
    p = subprocess.run([str(exe), "redact", "minutes.docx", "-o", "out.pdf", "--no-nlp"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 3, p.stderr
    assert p.stderr.startswith("redactor: minutes.docx: LibreOffice") and p.stderr.count("\n") == 1
    assert not (tmp_path / "out.pdf").exists() and _sha(src) == before


def test_batch_of_a_mixed_folder_goes_on_past_bad_files(tmp_path):
    src = tmp_path / "archive"
    (src / "mail").mkdir(parents=True)
    k.docx(src / "minutes.docx")
    k.pptx(src / "briefing.pptx")
    k.xlsx(src / "rota.xlsx")
    k.eml(src / "mail" / "tasking.eml", [k.docx(tmp_path / "attached.docx"), k.pdf(tmp_path / "s.pdf", "PC Grace Mensah")])
    k.image_of_text(src / "note.png", "PC Grace Mensah")
    k.pdf(src / "report.pdf", "DS Owen Doyle rang 07700 900456.")
    k.million_rows_xlsx(src / "huge.xlsx")
    (src / "tools.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (src / "notes.docx").write_bytes(b"PK\x03\x04 truncated")
    out = tmp_path / "release"
    config = batch.Config(use_nlp=False, timeout=300, max_memory_mb=None)
    summary = batch.run(src, out, config, workers=1)
    assert (summary.done, summary.failed, summary.skipped) == (6, 2, 1)
    assert [s["error"] for s in summary.skips] == ["tools.zip: unsupported file type '.zip'"]
    errors = sorted(f["error"] for f in summary.failures)
    errors = sorted(f["error"].split("/archive/")[-1] for f in summary.failures)
    assert errors[0].startswith("huge.xlsx: refused") and errors[1].startswith("notes.docx: damaged Word document")
    released = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf") if batch.LOGS not in p.parts)
    assert released == ["briefing.pdf", "mail/tasking.attachment-1.pdf", "mail/tasking.attachment-2.pdf",
                        "mail/tasking.pdf", "minutes.pdf", "note.pdf", "report.pdf", "rota.pdf"]
    manifest = [json.loads(x) for x in (batch.internal_root(out) / batch.MANIFEST).read_text().splitlines()]
    assert {"input": "tools.zip", "status": "skipped", "error": "tools.zip: unsupported file type '.zip'"} in manifest
    mail = next(r for r in manifest if r["input"] == "mail/tasking.eml")
    assert len(mail["parts"]) == 3 and "Mensah" not in json.dumps(mail["sources"])
    assert "tracked deletion" in (out / "schedule.sources.csv").read_text()
    # a rerun redoes nothing that is done
    again = batch.run(src, out, config, workers=1)
    assert (again.done, again.unchanged) == (0, 6)


def test_a_killed_worker_takes_its_converter_with_it(tmp_path):
    """A batch kills a worker past its timeout with SIGKILL: the worker's
    LibreOffice (its own process group) must not outlive it, nor its private
    folder and pipe."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import time, json; from redactor.ingest.convert.libreoffice import LibreOffice\n"
            "lo = LibreOffice(); lo.start()\n"
            "print(json.dumps([lo.pids(), str(lo.home), lo.pipe]), flush=True); time.sleep(600)\n")
    worker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pids, home, pipe = json.loads(worker.stdout.readline())
    left = [Path(home), Path("/tmp", f"OSL_PIPE_{os.getuid()}_{pipe}")]
    assert pids and all(_alive(p) for p in pids) and all(p.exists() for p in left)
    soffice_children = [int(c) for p in pids for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (any(_alive(p) for p in pids + soffice_children)
                                           or any(p.exists() for p in left)):
        time.sleep(0.2)
    assert not [p for p in pids + soffice_children if _alive(p)]
    assert not [p for p in left if p.exists()]


@pytest.mark.parametrize("data, problem", [
    (b"From: PC Alan Fotheringham <af@example.org>\nSubject: hi\n\nCall me on 07700 900 123\n",
     "it is not an OLE compound file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "OleFileError"),
])
def test_a_bad_msg_gives_one_line_that_holds_none_of_it(tmp_path, cli, data, problem):
    """A renamed e-mail or a damaged .msg: two lines, extract-msg's own and
    redactor's, and the renamed one's text (personal data and all) printed
    as a file name (helper 33)."""
    src = tmp_path / "renamed.msg"
    src.write_bytes(data)
    code, out, err = cli("redact", src, "-o", tmp_path / "x.pdf")
    assert code == 3 and len(err.strip().splitlines()) == 1 and problem in err, err
    assert "Fotheringham" not in err + out
