"""A file named after the person in it: what is redacted inside is masked in
every name the release shows (output paths of a batch, the schedule's
document column and title, the PDF's title), and the batch manifest, which
names the inputs, is internal."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf

from redactor import batch
from redactor.account.naming import MASK, masker, masked_path

NAME = "Jonathan Pemberton-Smythe"
WORDS = ("Jonathan", "Pemberton", "Smythe")


def _statement(path: Path, who: str = NAME) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), f"Statement of DC {who}, collar number 4521.", fontsize=11)
    page.insert_text((72, 130), "The witness was seen at the station on Monday.", fontsize=11)
    doc.save(path)
    return path


def _named(root: Path) -> list[str]:
    """Every file and folder name under ``root``, and every text file's text."""
    out = []
    for p in root.rglob("*"):
        out.append(p.name)
        if p.is_file() and p.suffix in (".csv", ".html", ".jsonl"):
            out.append(p.read_text())
    return out


def test_masking_reads_names_as_file_names_write_them():
    mask = masker([NAME], ["Pemberton-Smythe"])
    assert mask(f"Statement of DC {NAME}") == f"Statement of DC {MASK}"
    assert mask("jonathan_pemberton_smythe notes") == f"{MASK} notes"
    assert mask("JonathanPembertonSmythe") == MASK
    assert mask("Pemberton-Smythes report") == f"{MASK}s report"  # inside a longer word too (5 letters or more)
    assert masked_path(f"DC {NAME}/Statement of {NAME}.docx.pdf", [mask]) == f"DC {MASK}/Statement of {MASK}.docx.pdf"
    assert masker(["7", ""])("report 7") == "report 7"  # too short to mean anything in a name
    # however a file name joins, orders or encodes them
    mask = masker(["John Smith", "PC 4521", "07700 900123", "Ann Lee", "Zoë Brontë"], ["Smith", "Lee"])
    for written, masked_as in [("Smith2", f"{MASK}2"), ("JSmith", f"J{MASK}"), ("statement_jsmith", f"statement_j{MASK}"),
                               ("SMITH_John", MASK), ("Smith, John - notes", f"{MASK} - notes"),
                               ("PC4521 statement", f"{MASK} statement"), ("mob07700900123", f"mob{MASK}"),
                               ("AnnLee", MASK), ("Lee_notes", f"{MASK}_notes"), ("Leeds report", "Leeds report"),
                               ("Zoe\u0308 Bronte\u0308 statement", f"{MASK} statement")]:
        assert mask(written) == masked_as, (written, mask(written))
    # a mask never makes a name longer than a file system allows
    long = masked_path("Al " * 70 + "notes.pdf", [masker(["Al Green"], ["Al"])])
    assert long.endswith(".pdf") and len(long.encode()) == 255 and long.startswith(MASK)


def test_batch_release_names_no_one(tmp_path, cli):
    src = tmp_path / "archive"
    _statement(src / f"DC {NAME}" / f"Statement of DC {NAME}.pdf")
    _statement(src / "Smith statement.pdf", "Alan Smith")
    _statement(src / "Jones statement.pdf", "Rhian Jones")
    _statement(src / "plain" / "duty rota.pdf")
    out = tmp_path / "release"
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0, err
    names = _named(out)
    for word in (*WORDS, "Smith", "Jones", "Alan", "Rhian"):
        assert not any(word.casefold() in n.casefold() for n in names), (word, names)
    released = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf"))
    assert released == sorted([f"DC {MASK}/Statement of DC {MASK}.pdf", f"{MASK} statement.pdf",
                               f"{MASK} statement (2).pdf", "plain/duty rota.pdf"]), released
    for p in out.rglob("*.pdf"):
        title = pymupdf.open(p).metadata["title"]
        assert not any(w in title for w in (*WORDS, "Smith", "Jones")), title
    # the manifest names the inputs: it is internal
    assert not (out / batch.MANIFEST).exists()
    records = batch.load_manifest(batch.internal_root(out))
    assert records[f"DC {NAME}/Statement of DC {NAME}.pdf"]["output"] == f"DC {MASK}/Statement of DC {MASK}.pdf"
    schedule = (out / "schedule.csv").read_text()
    assert f"DC {MASK}/Statement of DC {MASK}.pdf" in schedule and "plain/duty rota.pdf" in schedule
    # each row names its release: the numbered one as numbered
    assert f"{MASK} statement.pdf" in schedule and f"{MASK} statement (2).pdf" in schedule
    # a rerun finds everything done and unchanged, under the names given
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0 and "done 0, unchanged 4" in stdout, stdout + err
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == released


def test_a_manifest_in_the_release_folder_moves_inside_and_names_are_masked_again(tmp_path, cli):
    """A release made by an earlier version (manifest in the release folder,
    outputs named as the inputs) is made again under masked names, and its
    old outputs are withdrawn."""
    src = tmp_path / "archive"
    _statement(src / f"{NAME}.pdf")
    out = tmp_path / "release"
    assert cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")[0] == 0
    internal = batch.internal_root(out)
    record = batch.load_manifest(internal)[f"{NAME}.pdf"]
    # as an earlier version left it
    (out / record["output"]).rename(out / f"{NAME}.pdf")
    old = {**record, "output": f"{NAME}.pdf", "log": f"../{internal.name}/{NAME}.log.jsonl"}
    del old[batch.MASKED]
    (internal / batch.MANIFEST).unlink()
    (out / batch.MANIFEST).write_text(json.dumps(old) + "\n")
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0 and "done 1" in stdout, stdout + err
    assert not (out / batch.MANIFEST).exists() and (internal / batch.MANIFEST).exists()
    assert sorted(p.name for p in out.glob("*.pdf")) == [f"{MASK}.pdf"]


def test_redact_masks_the_schedule_and_title_and_warns_of_a_named_output(tmp_path, cli):
    src = _statement(tmp_path / f"Statement of DC {NAME}.pdf")
    release = tmp_path / "release"
    release.mkdir()
    code, _, err = cli("redact", src, "-o", release / "statement.pdf", "--no-nlp")
    assert code == 0 and "warning" not in err, err
    for text in _named(release):
        assert not any(w in text for w in WORDS), text
    assert f"Statement of DC {MASK}" in (release / "statement.schedule.csv").read_text()
    assert pymupdf.open(release / "statement.pdf").metadata["title"] == f"Statement of DC {MASK}"
    # the name the user gives is theirs: kept, with a warning
    code, _, err = cli("redact", src, "-o", release / f"{NAME}.pdf", "--no-nlp")
    assert code == 0 and f"{NAME}.pdf: the name holds text redacted inside the document" in err, err
    folder = tmp_path / f"DC {NAME}"
    folder.mkdir()
    code, _, err = cli("redact", src, "-o", folder / "s.pdf", "--schedule", release / "Pemberton-Smythe.csv", "--no-nlp")
    assert code == 0 and err.count("the name holds text redacted") == 2 and "Pemberton-Smythe.csv" in err, err


def test_an_attachments_release_and_an_input_of_that_name_both_stay(tmp_path, cli):
    """report.eml's attachment is released as report.attachment-1.pdf; an
    input of that very name beside it would have overwritten it (or it the
    input's release): the second to finish is numbered."""
    import officekit as k

    src = tmp_path / "archive"
    src.mkdir()
    attached = k.pdf(tmp_path / "notes.pdf", "Notes of the meeting.")
    k.eml(src / "report.eml", [attached])
    _statement(src / "report.attachment-1.pdf", "Alan Smith")
    out = tmp_path / "release"
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0, stdout + err
    released = sorted(p.name for p in out.glob("*.pdf"))
    assert len(released) == 3 and "report.pdf" in released and "report.attachment-1.pdf" in released, released
    texts = {p.name: pymupdf.open(p)[0].get_text() for p in out.glob("*.pdf")}
    assert sum("Notes of the meeting" in t for t in texts.values()) == 1
    assert sum("collar number" in t for t in texts.values()) == 1


def test_a_name_only_in_the_file_name_is_masked_too(tmp_path, cli):
    """The statement never names its maker; its file (and folder) does."""
    src = tmp_path / "archive"
    path = src / "Witnesses" / "DS Rhian Jones" / "Statement of PC Alan_Smith.pdf"
    path.parent.mkdir(parents=True)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "I was on duty at the station on Monday.", fontsize=11)
    doc.save(path)
    out = tmp_path / "release"
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0, stdout + err
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.pdf")] == [
        f"Witnesses/DS {MASK}/Statement of PC {MASK}.pdf"]
    for text in _named(out):
        assert not any(w in text for w in ("Alan", "Smith", "Rhian", "Jones")), text
    # and redact's schedule and title
    code, _, err = cli("redact", path, "-o", tmp_path / "statement.pdf", "--no-nlp")
    assert code == 0, err
    html = (tmp_path / "statement.schedule.html").read_text()
    assert f"Statement of PC {MASK}" in html and "Smith" not in html
    assert pymupdf.open(tmp_path / "statement.pdf").metadata["title"] == f"Statement of PC {MASK}"


def test_a_reviewed_bundle_is_released_under_masked_names(tmp_path, cli):
    """`apply --plan PLAN -o DIR` names each release after its document, less
    what was redacted in it; two that mask alike are numbered."""
    _statement(tmp_path / f"Statement of DC {NAME}.pdf")
    _statement(tmp_path / "Smith statement.pdf", "Alan Smith")
    _statement(tmp_path / "Jones statement.pdf", "Rhian Jones")
    plan = tmp_path / "plan.json"
    code, _, err = cli("scan", *sorted(tmp_path.glob("*.pdf")), "--plan", plan, "--accept-above", "0.5", "--no-nlp")
    assert code == 0, err
    out = tmp_path / "release"
    code, stdout, err = cli("apply", "--plan", plan, "-o", out)
    assert code == 0, stdout + err
    released = sorted(p.name for p in out.glob("*.pdf"))
    assert released == sorted([f"Statement of DC {MASK}.redacted.pdf", f"{MASK} statement.redacted.pdf",
                               f"{MASK} statement (2).redacted.pdf"]), released
    for text in _named(out):
        assert not any(w in text for w in (*WORDS, "Smith", "Jones")), text
    assert not list(out.glob(".*.tmp"))


def test_a_reviewed_release_masks_a_name_only_in_the_file_name(tmp_path, cli):
    """scan keeps what the detector finds in a document's own name in the
    plan; apply masks it as redact does (the plan's findings never hold it)."""
    src = tmp_path / "Statement of PC Alan_Smith.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "I was on duty at the station on Monday.", fontsize=11)
    doc.save(src)
    plan = tmp_path / "plan.json"
    code, _, err = cli("scan", src, "--plan", plan, "--no-nlp")
    assert code == 0, err
    assert json.loads(plan.read_text())["documents"][0]["named"] == ["Alan Smith"]
    out = tmp_path / "release"
    code, stdout, err = cli("apply", "--plan", plan, "-o", out)
    assert code == 0, stdout + err
    assert [p.name for p in out.glob("*.pdf")] == [f"Statement of PC {MASK}.redacted.pdf"]
    for text in _named(out):
        assert "Smith" not in text, text
    assert pymupdf.open(next(out.glob("*.pdf"))).metadata["title"] == f"Statement of PC {MASK}"


def test_the_desk_releases_under_masked_names(tmp_path, cli):
    """The reviewer's desk applies document by document: each release named
    less what was redacted in it, numbered where an earlier one took the name,
    its own schedule kept with its log."""
    from redactor.review.desk.release import apply_document
    from redactor.review.plan import load_plan

    for who, stem in (("Alan Smith", "Smith statement"), ("Rhian Jones", "Jones statement")):
        _statement(tmp_path / f"{stem}.pdf", who)
    plan_path = tmp_path / "plan.json"
    code, _, err = cli("scan", tmp_path / "Smith statement.pdf", tmp_path / "Jones statement.pdf", "--plan", plan_path,
                       "--accept-above", "0.5", "--no-nlp")
    assert code == 0, err
    plan = load_plan(plan_path)
    release, internal = tmp_path / "release", tmp_path / "release.NOT-FOR-RELEASE"
    release.mkdir()
    taken, rows = [], []
    for i, doc in enumerate(plan.documents):
        entry = apply_document(plan, plan_path, i, release / (Path(doc.path).stem + ".redacted.pdf"), internal,
                               None, taken)
        assert entry["verified"]["ok"], entry["verified"]
        taken.append(entry["output"])
        rows += entry["_rows"]
    assert sorted(taken) == [f"{MASK} statement (2).redacted.pdf", f"{MASK} statement.redacted.pdf"]
    assert sorted(p.name for p in release.iterdir()) == sorted(taken)
    assert all(r["document"] == f"{MASK} statement.pdf" for r in rows)


def test_a_name_too_long_for_its_log_is_released_with_a_shorter_log_name(tmp_path, cli):
    """An input named near the file system's limit: its log is named after
    it cut short (it crashed the whole batch, exit 5, asking whether such a
    log existed; then it failed alone, naming the internal folder)."""
    src = tmp_path / "archive"
    _statement(src / ("x" * 244 + " Ann Li.pdf"), "Ann Li")
    _statement(src / "other.pdf", "Tom Baker")
    out = tmp_path / "release"
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0 and "done 2" in stdout, stdout + err
    assert "Traceback" not in err and (out / "schedule.csv").exists()
    released = [p.name for p in out.glob("x*.pdf")]
    assert len(released) == 1 and "Ann" not in released[0] and len(released[0].encode()) <= 255, released


def test_an_emails_attachments_are_titled_less_what_the_bundle_redacts(tmp_path, cli):
    """An attachment's title is the e-mail's name and its place ("mail.eml,
    attachment 1 (.pdf)"): the sender named in the e-mail's file name and
    redacted in its header is masked there too, not only in the e-mail's."""
    from email.message import EmailMessage

    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "Karen Holloway <karen.holloway@example.org>", "foi@example.org", "Notes"
    m.set_content("Please find the notes attached. Insp Karen Holloway")
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "Notes of the meeting.", fontsize=11)
    m.add_attachment(doc.tobytes(), maintype="application", subtype="pdf", filename="notes.pdf")
    src = tmp_path / "Email from Karen Holloway.eml"
    src.write_bytes(bytes(m))
    code, _, err = cli("redact", src, "-o", tmp_path / "mail.pdf", "--no-nlp")
    assert code == 0, err
    titles = {p.name: pymupdf.open(p).metadata["title"] for p in tmp_path.glob("mail*.pdf")}
    assert titles == {"mail.pdf": f"Email from {MASK}",
                      "mail.attachment-1.pdf": f"Email from {MASK}.eml, attachment 1 (.pdf)"}, titles


def test_a_folder_is_released_once_masked_by_all_its_documents(tmp_path, cli):
    """A cover sheet that never names the person its folder is named after
    goes where the statement that does went: one folder, masked (each file
    masked by its own redactions gave "SMITH_John/cover.pdf" beside
    "[redacted]/statement.pdf": the name, and which "[redacted]" it was)."""
    src = tmp_path / "archive"
    _statement(src / "SMITH_John" / "statement.pdf", "John Smith")
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "Cover sheet. Exhibits attached.", fontsize=11)
    doc.save(src / "SMITH_John" / "cover.pdf")
    out = tmp_path / "release"
    for run in (1, 2):
        code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
        assert code == 0, stdout + err
        released = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.name != "schedule.html"
                          and p.name != "schedule.csv")
        assert released == [MASK, f"{MASK}/cover.pdf", f"{MASK}/statement.pdf"], (run, released)
    assert "unchanged 2" in stdout
    assert "SMITH" not in (out / "schedule.csv").read_text()


def test_the_release_of_an_input_no_longer_in_the_archive_is_withdrawn(tmp_path, cli):
    """The release mirrors the archive: an input deleted since the last run
    takes its release, and the folder left empty, with it; a release a person
    changed since stays."""
    src = tmp_path / "archive"
    _statement(src / "a" / "one.pdf", "Alan Smith")
    _statement(src / "b" / "two.pdf", "Rhian Jones")
    _statement(src / "c" / "three.pdf", "Tom Baker")
    out = tmp_path / "release"
    assert cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")[0] == 0
    with open(out / "c" / "three.pdf", "ab") as f:
        f.write(b"\n% a person's edit\n")
    (src / "a" / "one.pdf").unlink()
    (src / "c" / "three.pdf").unlink()
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0, stdout + err
    assert not (out / "a").exists() and (out / "b" / "two.pdf").exists() and (out / "c" / "three.pdf").exists()
    assert "one.pdf" not in (out / "schedule.csv").read_text()
    assert batch.load_manifest(batch.internal_root(out))["a/one.pdf"]["status"] == "withdrawn"
    # the changed one is said to be kept, not "withdrawn" with no word (helper 32), at every run while it is there
    assert batch.load_manifest(batch.internal_root(out))["c/three.pdf"]["status"] == "kept"
    assert "c/three.pdf" in err and "changed since redactor wrote it" in err
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0 and "c/three.pdf" in err
    (out / "c" / "three.pdf").unlink()
    code, stdout, err = cli("batch", src, "-o", out, "--workers", "1", "--no-nlp", "--quiet")
    assert code == 0 and "three.pdf" not in err
    assert batch.load_manifest(batch.internal_root(out))["c/three.pdf"]["status"] == "withdrawn"


def test_a_kept_release_is_claimed_so_nothing_is_put_over_it():
    """A release a person changed, whose input is gone, stays (status kept):
    another input's release masked to the same name must be numbered, not
    placed over it."""
    manifest = {"c/Smith statement.pdf": {"input": "c/Smith statement.pdf", "status": "kept",
                                          "kept": [f"c/{MASK} statement.pdf"]},
                "a/one.pdf": {"input": "a/one.pdf", "status": "done", "output": "a/one.pdf"}}
    assert batch._claimed(manifest) == {f"c/{MASK} statement.pdf": "c/Smith statement.pdf", "a/one.pdf": "a/one.pdf"}
    record = {"input": "c/Jones statement.pdf", "status": "done", "output": f"c/{MASK} statement.pdf",
              "name": f"c/{MASK} statement.pdf", "schedule": []}
    assert batch._claim(record, batch._claimed(manifest))["output"] == f"c/{MASK} statement (2).pdf"
