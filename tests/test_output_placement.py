"""Where outputs go: the internal folder apart from the release, no writing
through links, nothing lost from the source, bundles that cannot overwrite
each other, every destination checked first (exit 5), no PDF without its
log, and the user's umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pymupdf

from pdfkit import NEIGHBOUR
from redactor import batch
from redactor.account.log import default_log_path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))

CONFIG = batch.Config(use_nlp=False, timeout=120, max_memory_mb=None)


def briefing(path: Path, name: str = "Rachel Turner", phone: str = "07700 900321") -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), NEIGHBOUR, fontsize=12)
    page.insert_text((72, 100), f"Officer in charge: DS {name}, tel {phone}", fontsize=12)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def test_internal_log_goes_beside_the_release_folder_not_in_it(tmp_path, cli):
    src = briefing(tmp_path / "in" / "b.pdf")
    (tmp_path / "release").mkdir()
    code, out, err = cli("redact", src, "-o", tmp_path / "release" / "b.pdf", "--no-nlp")
    assert code == 0, err
    internal = tmp_path / "release.NOT-FOR-RELEASE"
    assert (internal / "b.NOT-FOR-RELEASE.log.jsonl").exists()
    assert sorted(p.name for p in (tmp_path / "release").iterdir()) == ["b.pdf", "b.schedule.csv",
                                                                         "b.schedule.html"]
    assert str(internal / "b.NOT-FOR-RELEASE.log.jsonl") in out
    # inside the release folder only when forced
    code, _, err = cli("redact", src, "-o", tmp_path / "release" / "c.pdf", "--no-nlp", "--log",
                       tmp_path / "release" / "c.log.jsonl")
    assert code == 2 and "inside the release folder" in err and not (tmp_path / "release" / "c.pdf").exists()
    code, _, err = cli("redact", src, "-o", tmp_path / "release" / "c.pdf", "--no-nlp", "--internal",
                       tmp_path / "release" / "logs")
    assert code == 2 and "--internal-in-release" in err
    code, _, err = cli("redact", src, "-o", tmp_path / "release" / "c.pdf", "--no-nlp", "--internal",
                       tmp_path / "release" / "logs", "--internal-in-release")
    assert code == 0 and (tmp_path / "release" / "logs" / "c.NOT-FOR-RELEASE.log.jsonl").exists()
    code, _, err = cli("redact", src, "-o", tmp_path / "release" / "d.pdf", "--no-nlp", "--internal",
                       tmp_path / "vault")
    assert code == 0 and (tmp_path / "vault" / "d.NOT-FOR-RELEASE.log.jsonl").exists()


def test_outputs_get_the_users_umask(tmp_path):
    src = briefing(tmp_path / "b.pdf")
    exe = Path(sys.executable).parent / "redactor"
    for mask, mode in ((0o022, 0o644), (0o027, 0o640)):
        out = tmp_path / f"r{mask:o}" / "b.pdf"
        out.parent.mkdir()
        subprocess.run([str(exe), "redact", str(src), "-o", str(out), "--no-nlp"], check=True, capture_output=True,
                       preexec_fn=lambda m=mask: os.umask(m))
        for p in (out, out.with_name("b.schedule.csv"), out.with_name("b.schedule.html"), default_log_path(out)):
            assert stat.S_IMODE(p.stat().st_mode) == mode, (p, oct(p.stat().st_mode))


def test_output_path_problems_are_exit_5_and_leave_nothing(tmp_path, cli):
    src = briefing(tmp_path / "b.pdf")
    other_fs = Path("/dev/shm")
    if other_fs.is_dir() and os.stat(other_fs).st_dev != os.stat(tmp_path).st_dev:
        target = other_fs / f"redactor-test-{os.getpid()}.pdf"
        os.symlink(target, tmp_path / "link.pdf")
        code, _, err = cli("redact", src, "-o", tmp_path / "link.pdf", "--no-nlp")
        assert code == 5 and "symbolic link" in err and not target.exists()
    os.symlink("self.pdf", tmp_path / "self.pdf")
    code, _, err = cli("redact", src, "-o", tmp_path / "self.pdf", "--no-nlp")
    assert code == 5 and "symbolic link" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("redact", src, "-o", tmp_path / "x.docx", "--no-nlp")
    assert code == 2 and ".pdf" in err and not (tmp_path / "x.docx").exists()
    (tmp_path / "afile").write_text("not a folder")
    for extra in (["--log", tmp_path / "afile" / "l.jsonl"], ["--log", "/proc/redactor-test/l.jsonl"],
                  ["--schedule", "/proc/redactor-test.csv"], ["--internal", "/proc/redactor-internal"]):
        out = tmp_path / "rel" / "o.pdf"
        out.parent.mkdir(exist_ok=True)
        code, _, err = cli("redact", src, "-o", out, "--no-nlp", *extra)
        assert code == 5, (extra, err)
        assert not out.exists(), "the PDF was left without its log"
        assert not [p for p in out.parent.iterdir()], list(out.parent.iterdir())
    code, _, err = cli("scan", src, "--plan", "/proc/redactor-test-plan.json", "--no-nlp")
    assert code == 5, err
    assert cli("scan", src, "--plan", tmp_path / "plan.json", "--no-nlp")[0] == 0
    code, _, err = cli("report", tmp_path / "plan.json", "-o", "/proc/redactor-report.html")
    assert code == 5, err


def test_a_full_disk_is_exit_5_and_leaves_nothing(tmp_path):
    """Each write may fail for want of room (a file-size limit stands in for a
    full disk: the same error at the same calls): qpdf's own failure used to
    abort the process (exit 134) and leave its half-written files in the
    release folder; a temporary file's, to be an internal error (exit 1)."""
    import resource
    import signal

    src = briefing(tmp_path / "b.pdf")
    exe = Path(sys.executable).parent / "redactor"
    seen = set()
    for limit in (1_000, 1_200, 1_400, 10_000_000):  # (a temporary copy, apply's qpdf copy, the output; room)
        rel = tmp_path / f"rel{limit}"
        rel.mkdir()

        def room(n=limit):
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))

        p = subprocess.run([str(exe), "redact", str(src), "-o", str(rel / "b.pdf"), "--no-nlp"], capture_output=True,
                           text=True, preexec_fn=room, env={**os.environ, "TMPDIR": str(tmp_path)})
        seen.add(p.returncode)
        assert p.returncode in (0, 5), (limit, p.returncode, p.stderr)
        if p.returncode == 5:
            assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr, p.stderr
            assert not list(rel.iterdir()), (limit, list(rel.iterdir()))
    assert seen == {0, 5}, seen


def test_a_reader_that_goes_away_changes_nothing(tmp_path):
    """``redactor redact ... | head -1``: the summary has no reader by the time
    it is printed; the outputs are written and the exit code is the run's."""
    src = briefing(tmp_path / "b.pdf")
    exe = Path(sys.executable).parent / "redactor"
    (tmp_path / "rel").mkdir()
    p = subprocess.Popen([str(exe), "redact", str(src), "-o", str(tmp_path / "rel" / "b.pdf"), "--no-nlp"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # the reader goes away before a word is written
    err = p.stderr.read().decode()
    assert p.wait() == 0 and not err, err
    assert (tmp_path / "rel" / "b.pdf").exists() and (tmp_path / "rel" / "b.schedule.csv").exists()


def _accept_all(plan: Path) -> None:
    data = json.loads(plan.read_text())
    for d in data["documents"]:
        for f in d["findings"]:
            f["status"] = "accepted"
    plan.write_text(json.dumps(data))


def test_bundle_outputs_never_overwrite_each_other_and_rerun(tmp_path, cli):
    a = briefing(tmp_path / "a" / "brief.pdf", "Rachel Turner")
    b = briefing(tmp_path / "b" / "brief.pdf", "Owen Mensah")
    c = briefing(tmp_path / "a" / "brief.PDF", "Grace Adeyemi")
    plan = tmp_path / "plan.json"
    assert cli("scan", a, b, c, "--plan", plan, "--no-nlp")[0] == 0
    _accept_all(plan)
    release = tmp_path / "release"
    # the README's own sequence: redact into release/, then apply into it
    assert cli("redact", a, "-o", release / "x.pdf", "--no-nlp")[0] == 5  # no release/ yet: said, not exit 1
    release.mkdir()
    assert cli("redact", a, "-o", release / "x.pdf", "--no-nlp")[0] == 0
    for run in (1, 2):  # an existing folder is accepted, and a rerun works
        code, out, err = cli("apply", "--plan", plan, "-o", release)
        assert code == 0, err
        pdfs = sorted(p.relative_to(release).as_posix() for p in release.rglob("*.redacted.pdf"))
        assert len(pdfs) == 3, pdfs
        texts = {p: pymupdf.open(release / p)[0].get_text() for p in pdfs}
        assert all("Officer in charge" in t for t in texts.values())
        logs = list((tmp_path / "release.NOT-FOR-RELEASE").rglob("*.log.jsonl"))
        documents = {json.loads(x.read_text().splitlines()[0])["input_sha256"] for x in logs
                     if "redacted" in x.name}
        assert len(documents) == 3, "each document has its own log"
    schedule = (release / "schedule.csv").read_text()
    assert schedule.count("brief.pdf") >= 2 and "brief.PDF" in schedule


def test_plan_entry_is_found_by_content_not_only_by_name(tmp_path):
    from redactor.review.plan import Plan

    a = briefing(tmp_path / "a" / "brief.pdf", "Rachel Turner")
    b = briefing(tmp_path / "b" / "brief.pdf", "Owen Mensah")
    import hashlib

    sha = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b)}
    plan = Plan()
    plan.add_document(str(a), sha[a], "pdf", [])
    plan.add_document(str(b), sha[b], "pdf", [])
    assert plan.document_for(b, sha[b]).path == str(b)
    assert plan.document_for(a, sha[a]).path == str(a)


def test_batch_refuses_an_output_folder_holding_the_source_and_deletes_nothing(tmp_path, cli):
    src = tmp_path / "parent" / "archive"
    briefing(src / "b.pdf")
    (src / ".notes.txt.tmp").write_text("keep me")
    (src / ".b.pdf.abc.tmp").write_text("keep me too")
    before = sorted(p.relative_to(src) for p in src.rglob("*"))
    code, _, err = cli("batch", src, "-o", tmp_path / "parent", "--no-nlp", "--quiet")
    assert code == 2 and "contains the input folder" in err
    assert sorted(p.relative_to(src) for p in src.rglob("*")) == before


def test_batch_never_writes_through_a_link(tmp_path, cli):
    src = tmp_path / "src"
    briefing(src / "2024" / "b.pdf")
    briefing(src / "c.pdf")
    outside = tmp_path / "outside"
    outside.mkdir()
    release = src / "release"
    # the internal folder (where it goes by default) is a link
    os.symlink(outside, src / "release.NOT-FOR-RELEASE")
    code, _, err = cli("batch", src, "-o", release, "--no-nlp", "--quiet")
    assert code == 5 and "symbolic link" in err
    assert not list(outside.iterdir())
    os.unlink(src / "release.NOT-FOR-RELEASE")
    # a sub-folder of the internal folder, and of the release folder, is a link
    internal = src / "release.NOT-FOR-RELEASE"
    internal.mkdir()
    os.symlink(outside, internal / "2024")
    code, out, err = cli("batch", src, "-o", release, "--no-nlp", "--jsonl")
    assert code == 6, err
    lines = [json.loads(x) for x in out.splitlines()]
    records = {r["input"]: r for r in lines if "input" in r}
    assert records["2024/b.pdf"]["status"] == "failed" and "symbolic link" in records["2024/b.pdf"]["error"]
    assert records["c.pdf"]["status"] == "done"
    assert not list(outside.iterdir()), "something was written through the link"
    assert not (release / "2024" / "b.pdf").exists()
    # the source tree never sees the release or internal folders as input
    assert all(not r.startswith(("release", "release.NOT")) for r in records)


def test_batch_reports_a_fifo_and_a_link_loop_named_pdf(tmp_path):
    """Named as a type redactor reads (a PDF, a Word file): reported, never
    passed over; a hidden file is listed as skipped (both were passed over
    without a record: ".docx" FIFOs and links, ".secret.pdf")."""
    src = tmp_path / "src"
    briefing(src / "good.pdf")
    os.mkfifo(src / "pipe.pdf")
    os.symlink("loop.pdf", src / "loop.pdf")
    os.mkfifo(src / "pipe.docx")
    os.symlink("nowhere.eml", src / "gone.eml")
    briefing(src / ".secret.pdf")
    summary = batch.run(src, tmp_path / "out", CONFIG, workers=1)
    assert summary.done == 1 and summary.failed == 4
    errors = {f["input"]: f["error"] for f in summary.failures}
    assert "FIFO" in errors["pipe.pdf"] and "loops" in errors["loop.pdf"]
    assert "FIFO" in errors["pipe.docx"] and "gone.eml" in errors
    assert [s["error"] for s in summary.skips] == [".secret.pdf: a hidden file (its name starts with a dot): not redacted"]


def test_batch_records_a_file_before_its_output_appears(tmp_path, monkeypatch):
    """The flaky `KeyError: 'd03.pdf'`: an output must never be visible
    before the manifest records it."""
    from redactor import output as place

    src = tmp_path / "src"
    for i in range(3):
        briefing(src / f"d{i:02d}.pdf")
    out = tmp_path / "out"
    placed = []
    real_place = place.place

    def checked_place(tmp, dest):
        if dest.suffix == ".pdf" and dest.parent == out:
            records = batch.load_manifest(batch.internal_root(out))
            assert records[dest.name]["status"] == "done", "output renamed into place before its record"
            placed.append(dest.name)
        real_place(tmp, dest)

    monkeypatch.setattr(place, "place", checked_place)
    summary = batch.run(src, out, CONFIG, workers=2)
    assert summary.done == 3 and sorted(placed) == ["d00.pdf", "d01.pdf", "d02.pdf"]
    assert not list(out.rglob(batch.TMP_PATTERN))


def test_batch_has_the_options_it_suggests(cli):
    code, out, _ = cli("batch", "--help")
    assert code == 0
    for option in ("--allow-repaired", "--password", "--max-bytes", "--internal"):
        assert option in out
