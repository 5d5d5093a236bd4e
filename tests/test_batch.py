"""Batch redaction: bad files reported while the rest go on, resume, a
timeout, a kill -9 mid-run, and Dask giving the same results as local."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pymupdf
import pytest

from redactor import batch
from redactor.account.log import check_log
from redactor.verify.checks import Redaction, verify_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))
import generate  # noqa: E402

CONFIG = batch.Config(use_nlp=False, timeout=120, max_memory_mb=None)


def _archive(root: Path, docs: int = 5) -> Path:
    src = root / "archive"
    for i in range(docs):
        sub = src / ("2024" if i % 2 else "2025/q1")
        sub.mkdir(parents=True, exist_ok=True)
        generate.build(sub / f"doc-{i}.pdf", "briefing" if i % 2 == 0 else "report", 300 + i, "train")
        for extra in (sub / f"doc-{i}.txt", sub / f"doc-{i}.truth.json"):
            extra.unlink()
    (src / "notes.xyz").write_bytes(b"PK\x03\x04 not a pdf")  # a type redactor does not read
    good = (src / "2024" / "doc-1.pdf").read_bytes()
    (src / "2024" / "corrupt.pdf").write_bytes(good[: len(good) // 3])
    with pikepdf.open(src / "2024" / "doc-1.pdf") as pdf:
        pdf.save(src / "2024" / "locked.pdf", encryption=pikepdf.Encryption(user="pw", owner="pw"))
    return src


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _outputs(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): _sha(p) for p in out.rglob("*.pdf") if batch.LOGS not in p.parts}


def test_batch_reports_bad_files_goes_on_and_resumes(tmp_path, cli):
    src = _archive(tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = cli("batch", src, "-o", out, "--workers", "2", "--no-nlp", "--jsonl")
    assert code == 6, stderr
    lines = [json.loads(x) for x in stdout.splitlines()]
    by_input = {r["input"]: r for r in lines if "input" in r}
    assert by_input["notes.xyz"]["status"] == "skipped"
    assert "damaged PDF" in by_input["2024/corrupt.pdf"]["error"]
    assert "encrypted PDF" in by_input["2024/locked.pdf"]["error"]
    good = [f"{'2024' if i % 2 else '2025/q1'}/doc-{i}.pdf" for i in range(5)]
    assert all(by_input[g]["status"] == "done" for g in good)
    # every good file redacted, verified against its log, and its log intact
    for g in good:
        log = batch.internal_root(out) / by_input[g]["log"]
        assert check_log(log).ok
        entries = [json.loads(x) for x in log.read_text().splitlines() if '"redaction"' in x]
        report = verify_file(out / g, [Redaction(e["page"], e["rects"], e["text"], e["exemption"]) for e in entries])
        assert report.ok, report.problems
    assert set(_outputs(out)) == set(good)  # the tree mirrors the input, bad files leave nothing
    schedule = (out / "schedule.csv").read_text()
    assert all(g in schedule for g in good) and "corrupt" not in schedule
    summary = lines[-1]["summary"]
    assert (summary["done"], summary["failed"], summary["skipped"]) == (5, 2, 1)
    # every record carries its input's hash, done or failed (a worker hashes what it reads)
    manifest = batch.load_manifest(batch.internal_root(out))
    for rel in good + ["2024/corrupt.pdf", "2024/locked.pdf"]:
        assert manifest[rel]["sha256"] == _sha(src / rel), rel
    # a failed file has no log, and its record names none
    assert all("log" not in manifest[rel] for rel in ("2024/corrupt.pdf", "2024/locked.pdf"))

    # the rerun redoes nothing that is done (and retries the two failures)
    before = {p: (p.stat().st_mtime_ns, _sha(p)) for p in out.rglob("*.pdf")}
    code, stdout, _ = cli("batch", src, "-o", out, "--workers", "2", "--no-nlp", "--jsonl")
    assert code == 6
    summary = json.loads(stdout.splitlines()[-1])["summary"]
    assert (summary["done"], summary["unchanged"], summary["failed"]) == (0, 5, 2)
    assert {p: (p.stat().st_mtime_ns, _sha(p)) for p in out.rglob("*.pdf")} == before

    # after deleting one output, only that one is redone
    (out / good[2]).unlink()
    code, stdout, _ = cli("batch", src, "-o", out, "--workers", "2", "--no-nlp", "--jsonl")
    redone = [json.loads(x)["input"] for x in stdout.splitlines() if '"status": "done"' in x]
    assert redone == [good[2]]
    assert _sha(out / good[2]) == before[out / good[2]][1]  # deterministic output


def test_a_file_past_the_timeout_is_stopped_and_the_batch_goes_on(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    generate.build(src / "small.pdf", "report", 1, "train")
    (src / "small.txt").unlink()  # batch would release the ground-truth text as a PDF too
    doc = pymupdf.open()
    for i in range(400):
        page = doc.new_page()
        for j in range(30):
            page.insert_text((40, 40 + 20 * j), f"Line {j}: PC John Smith rang 07700 900{j:03d} about case {i}.")
    doc.save(src / "huge.pdf")
    summary = batch.run(src, tmp_path / "out", batch.Config(use_nlp=False, timeout=3, max_memory_mb=None), workers=1)
    assert summary.done == 1 and summary.failed == 1
    assert "timed out after 3 s" in summary.failures[0]["error"]
    assert (tmp_path / "out" / "small.pdf").exists() and not (tmp_path / "out" / "huge.pdf").exists()


FILES_KILLED = 40


def test_kill_9_mid_run_leaves_no_partial_output_and_resumes(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    # enough files that the batch is still running when the manifest shows three done: records
    # reach the file in groups (one write a second, or per 64), and twelve small files took under a second
    for i in range(FILES_KILLED):
        generate.build(src / f"d{i:02d}.pdf", "briefing", 700 + i, "train")
        (src / f"d{i:02d}.txt").unlink()  # batch would release the ground-truth text as a PDF too
    out = tmp_path / "out"
    exe = Path(sys.executable).parent / "redactor"
    proc = subprocess.Popen([str(exe), "batch", str(src), "-o", str(out), "--workers", "2", "--no-nlp", "--quiet"],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        manifest = batch.internal_root(out) / batch.MANIFEST
        if manifest.exists() and manifest.read_text().count('"status": "done"') >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    records = {k: r for k, r in batch.load_manifest(batch.internal_root(out)).items() if r["status"] != "skipped"}
    assert 3 <= len(records) < FILES_KILLED, "the batch should have been stopped midway"
    # whatever is in the output tree is a whole, verified file recorded as done
    for rel, sha in _outputs(out).items():
        assert records[rel]["status"] == "done" and records[rel]["output_sha256"] == sha
    summary = batch.run(src, out, CONFIG, workers=2)
    assert summary.failed == 0 and summary.done + summary.unchanged == FILES_KILLED
    assert not list(out.rglob(batch.TMP_PATTERN))
    assert len(_outputs(out)) == FILES_KILLED


def test_dask_local_cluster_gives_the_same_results(tmp_path):
    pytest.importorskip("distributed")
    src = _archive(tmp_path, docs=4)
    local = batch.run(src, tmp_path / "local", CONFIG, workers=2)
    dask = batch.run(src, tmp_path / "dask", CONFIG, workers=2, scheduler="local")
    assert (local.done, local.failed) == (dask.done, dask.failed) == (4, 2)
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "dask")

    def entries(root):
        out = {}
        for log in batch.internal_root(root).rglob("*.log.jsonl"):
            recs = [json.loads(x) for x in log.read_text().splitlines()]
            out[log.relative_to(batch.internal_root(root)).as_posix()] = [
                {k: v for k, v in r.items() if k not in ("hash", "prev", "created")} for r in recs]
        return out

    assert entries(tmp_path / "local") == entries(tmp_path / "dask")
    assert (tmp_path / "local" / "schedule.csv").read_text() == (tmp_path / "dask" / "schedule.csv").read_text()


def test_group_commit_records_before_any_output_is_visible(tmp_path):
    """Issue 14: one fsync for several records, and still no output in place
    before its record is on disk; a rename that fails is recorded as failed."""
    out = tmp_path / "out"
    out.mkdir()
    batch.internal_root(out).mkdir()

    def finished(name: str) -> dict:
        pending = out / f".{name}.tmp"
        pending.write_bytes(b"%PDF-1.7 verified " + name.encode())
        return {"input": name, "sha256": "0" * 64, "output": name, "log": f"logs/{name}.log.jsonl",
                "status": "done", "pending": str(pending)}

    group = batch.GroupCommit(out, batch.internal_root(out), size=3, seconds=3600)
    assert group.add(finished("a.pdf")) == [] and group.add(finished("b.pdf")) == []
    assert not (batch.internal_root(out) / batch.MANIFEST).exists()
    assert not (out / "a.pdf").exists() and not (out / "b.pdf").exists()
    placed = group.add(finished("c.pdf"))
    assert [r["input"] for r in placed] == ["a.pdf", "b.pdf", "c.pdf"]
    records = batch.load_manifest(batch.internal_root(out))
    assert sorted(records) == ["a.pdf", "b.pdf", "c.pdf"] and all("pending" not in r for r in records.values())
    assert all((out / n).exists() for n in records) and not list(out.glob(".*.tmp"))
    # a record waits at most `seconds`
    group.seconds = 0.0
    group.add(finished("d.pdf"))
    assert [r["input"] for r in group.due()] == ["d.pdf"] and (out / "d.pdf").exists()
    # a pending file gone before its rename: failed, and recorded so on the next commit
    lost = finished("e.pdf")
    Path(lost["pending"]).unlink()
    placed = group.add(lost) + group.close()
    assert placed[0]["status"] == "failed" and not (out / "e.pdf").exists()
    assert batch.load_manifest(batch.internal_root(out))["e.pdf"]["status"] == "failed"


def test_workers_start_with_one_thread_per_numerical_library(monkeypatch):
    """A pool has a worker per core: OpenBLAS and OpenMP in each worker get
    one thread, unless the user chose a number."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    probe = "import os; print(os.environ.get('OMP_NUM_THREADS'), os.environ.get('OPENBLAS_NUM_THREADS'))"
    with batch.one_thread_each():
        seen = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.split()
    assert seen == ["1", "3"]
    assert "OMP_NUM_THREADS" not in os.environ and os.environ["OPENBLAS_NUM_THREADS"] == "3"


def test_inputs_with_one_name_and_other_suffixes_keep_their_own_releases(tmp_path):
    """report.txt and report.html in one folder, and report.pdf beside a
    report.txt in another: each has its release (report.txt and report.html
    were both released as report.pdf, each over the other, at every rerun)."""
    src = tmp_path / "archive"
    (src / "b").mkdir(parents=True)
    (src / "report.txt").write_text("Text version: DS Imogen Wetherall, mobile 07700 902002.\n")
    (src / "report.html").write_text("<p>HTML version: DC Alasdair Quennell, mobile 07700 902001.</p>")
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "PDF version: DS Rachel Turner, mobile 07700 902000.")
    doc.save(src / "b" / "report.pdf")
    (src / "b" / "report.txt").write_text("Text version: DS Imogen Wetherall, mobile 07700 902002.\n")
    out = tmp_path / "out"
    s = batch.run(src, out, CONFIG, workers=1)
    assert s.done == 4 and s.failed == 0
    manifest = batch.load_manifest(batch.internal_root(out))
    assert sorted(r["output"] for r in manifest.values()) == [
        "b/report.pdf", "b/report.txt.pdf", "report.html.pdf", "report.txt.pdf"]
    for name, version in (("report.txt.pdf", "Text"), ("report.html.pdf", "HTML"), ("b/report.pdf", "PDF")):
        assert f"{version} version" in pymupdf.open(out / name)[0].get_text(), name
    assert batch.run(src, out, CONFIG, workers=1).unchanged == 4  # and a rerun has nothing to do


def test_a_file_that_changes_and_then_fails_takes_its_old_release_with_it(tmp_path):
    """The old release no longer is what the input is: the manifest says
    failed, the schedule drops it, and the release folder no longer has it."""
    src = tmp_path / "archive"
    src.mkdir()
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Report by DS Rachel Turner, mobile 07700 902000.")
    doc.save(src / "report.pdf")
    (src / "note.txt").write_text("Note by DC Imogen Wetherall, mobile 07700 902001.\n")
    out = tmp_path / "out"
    assert batch.run(src, out, CONFIG, workers=1).done == 2
    assert (out / "report.pdf").exists() and (out / "note.pdf").exists()
    (src / "report.pdf").write_bytes((src / "report.pdf").read_bytes()[:200])  # truncated: it cannot be read now
    s = batch.run(src, out, CONFIG, workers=1)
    assert s.failed == 1 and s.unchanged == 1
    assert not (out / "report.pdf").exists() and (out / "note.pdf").exists()
    assert "report.pdf" not in (out / "schedule.csv").read_text()


def test_the_largest_files_go_first(tmp_path):
    """A large file started last keeps one worker busy after the others have
    run out of work: files are sent largest first (path order among equals)."""
    src = tmp_path / "archive"
    src.mkdir()
    for name, pages in (("a.pdf", 1), ("b.pdf", 1), ("m.pdf", 3), ("z.pdf", 12)):
        doc = pymupdf.open()
        for i in range(pages):
            doc.new_page().insert_text((72, 72 + i), f"Page {i} of {name}: the minutes of the meeting, lorem ipsum " * 3)
        doc.save(src / name)
    order: list[str] = []
    s = batch.run(src, tmp_path / "out", CONFIG, workers=1, on_record=lambda r: order.append(r["input"]))
    assert s.done == 4 and s.failed == 0
    assert order == ["z.pdf", "m.pdf", "a.pdf", "b.pdf"]  # a.pdf and b.pdf are the same size


def test_a_rerun_with_other_options_or_rules_makes_the_releases_again(tmp_path):
    """A first run by mistake with --allow "Alan Smith" released the name; the
    corrected run skipped the file as unchanged and left it in (helper 32)."""
    import dataclasses

    from redactor.detect.rulepack import builtin_rules_dir

    src = tmp_path / "archive"
    src.mkdir()
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "PC Alan Smith, contact 07700 900123.")
    doc.save(src / "note.pdf")
    out = tmp_path / "out"
    mistaken = dataclasses.replace(CONFIG, allow=("Alan Smith",))
    assert batch.run(src, out, mistaken, workers=1).done == 1
    assert "Alan Smith" in pymupdf.open(out / "note.pdf")[0].get_text()
    assert batch.run(src, out, mistaken, workers=1).unchanged == 1  # the same command: nothing to do
    s = batch.run(src, out, CONFIG, workers=1)
    assert s.done == 1 and s.unchanged == 0
    assert "Smith" not in pymupdf.open(out / "note.pdf")[0].get_text()
    pack = tmp_path / "mine.yaml"  # other rule packs, or the same ones edited
    pack.write_text((builtin_rules_dir() / "s40_personal_data.yaml").read_text())
    assert batch.run(src, out, dataclasses.replace(CONFIG, packs=(str(pack),)), workers=1).done == 1


def test_inputs_named_alike_but_for_case_or_too_long_for_a_log_each_have_their_log(tmp_path):
    """brief.pdf and brief.PDF shared one log (one release was left with
    none); an input whose name fits but whose log's name would not failed,
    with an error naming the internal folder (helper 32)."""
    src = tmp_path / "archive"
    src.mkdir()
    long_name = "Statement " + "x" * 230 + ".pdf"
    for name, text in (("brief.pdf", "PC 4521 Alan Smith"), ("brief.PDF", "DS Rhian Jones"),
                       (long_name, "PC 1234 Ann Lee")):
        doc = pymupdf.open()
        doc.new_page().insert_text((72, 72), f"Officer: {text}.")
        doc.save(src / name)
    out = tmp_path / "out"
    s = batch.run(src, out, CONFIG, workers=1)
    assert s.done == 3 and s.failed == 0, s.failures
    manifest = batch.load_manifest(batch.internal_root(out))
    logs = [r["log"] for r in manifest.values()]
    assert len(set(logs)) == 3
    for record in manifest.values():
        log = batch.internal_root(out) / record["log"]
        assert check_log(log).ok and len(log.name.encode()) <= 255


def test_a_release_that_cannot_be_put_in_place_leaves_nothing_waiting(tmp_path):
    """A link where the release's folder goes: the file fails, and its
    finished, redacted release stayed in the release folder under a
    temporary name, a new one each run (helper 32)."""
    src = tmp_path / "archive"
    (src / "sub").mkdir(parents=True)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Officer: PC 4521 Alan Smith, 07700 900123")
    doc.save(src / "sub" / "x.pdf")
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "sub").symlink_to(elsewhere)
    s = batch.run(src, out, CONFIG, workers=1)
    assert s.failed == 1 and "symbolic link" in s.failures[0]["error"]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")] and not list(elsewhere.iterdir())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a parent's death is told to its children on Linux")
def test_the_workers_go_when_the_batch_is_killed(tmp_path):
    """kill -9 of the batch alone (not its process group): its workers kept
    running, re-parented to init, each finishing a file nobody would record
    (helper 32). They are told when their parent dies, and go."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(FILES_KILLED):
        generate.build(src / f"d{i:02d}.pdf", "briefing", 700 + i, "train")
        (src / f"d{i:02d}.txt").unlink()
    out = tmp_path / "out"
    exe = Path(sys.executable).parent / "redactor"
    proc = subprocess.Popen([str(exe), "batch", str(src), "-o", str(out), "--workers", "2", "--no-nlp", "--quiet"],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        manifest = batch.internal_root(out) / batch.MANIFEST
        while time.monotonic() < deadline and not (manifest.exists() and '"done"' in manifest.read_text()):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # (a Tesseract a worker had started ends its picture on its own: under load that takes a while)
        deadline = time.monotonic() + 90
        while _alive_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        alive = _alive_in_group(proc.pid)
        assert not alive, f"outlived the batch: {[_cmdline(pid) for pid in alive]}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _alive_in_group(pgid: int) -> list[int]:
    """Processes of the group that still run (a zombie has ended: where no
    init reaps orphans, as in some containers, it stays listed)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return str(pid)
