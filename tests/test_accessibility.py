"""Accessible releases (issue 16): every redaction is read aloud as
"[Redacted: section …]" in reading order, and a tagged file's structure
tree still maps every piece of content after redaction."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pymupdf
import pytest
from pikepdf import Array, Dictionary, Name

from redactor.cli import cli as redactor_cli
from redactor.redact import speech

sys.path.insert(0, str(Path(__file__).parent.parent / "corpora"))
from tagged import LINES, build as _tagged  # noqa: E402


def _run(*args):
    from click.testing import CliRunner

    r = CliRunner().invoke(redactor_cli, [str(a) for a in args])
    return r.exit_code, r.output


# --- reading a tagged file as a screen reader does ----------------------------------------

def _mcids(ops) -> list[int]:
    return [int(op.operands[1].MCID) for op in ops
            if str(op.operator) == "BDC" and len(op.operands) == 2 and isinstance(op.operands[1], Dictionary)
            and "/MCID" in op.operands[1]]


def _text_of(path, page_no: int, mcid: int) -> str:
    """What MuPDF reads (with /ActualText) from marked content ``mcid`` alone."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[page_no]
        depth, inside, kept = 0, None, []
        for op in pikepdf.parse_content_stream(page):
            name = str(op.operator)
            if name in ("BDC", "BMC"):
                depth += 1
                if name == "BDC" and isinstance(op.operands[1], Dictionary) and op.operands[1].get("/MCID") == mcid:
                    inside = depth
            elif name == "EMC":
                if inside == depth:
                    inside = None
                depth -= 1
            elif name in ("Tj", "TJ", "'", '"') and inside is None:
                continue
            kept.append(op)
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        buf = io.BytesIO()
        pdf.save(buf)
    return " ".join(pymupdf.open(stream=buf.getvalue())[page_no].get_text().split())


def _read_in_structure_order(path) -> list[tuple[str, str]]:
    """(element role, text) in structure order: an element's /ActualText,
    or the text of each marked-content sequence it holds."""
    out = []
    with pikepdf.open(path) as pdf:
        pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}

        def walk(elem, pg):
            pg = elem.get("/Pg", pg)
            if "/ActualText" in elem:
                out.append((str(elem.S), str(elem.ActualText)))
                return
            kids = elem.K if isinstance(elem.get("/K"), Array) else [elem.get("/K")]
            for kid in kids:
                if isinstance(kid, int):
                    out.append((str(elem.S), _text_of(path, pages[pg.objgen], kid)))
                elif isinstance(kid, Dictionary):
                    walk(kid, pg)

        root = pdf.Root.StructTreeRoot
        for top in (root.K if isinstance(root.K, Array) else [root.K]):
            walk(top, None)
    return out


def _elements(elem, depth=0):
    kids = elem.K if isinstance(elem.get("/K"), Array) else [elem.get("/K")]
    for kid in kids:
        if isinstance(kid, Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid, depth + 1)


def _check_tree(path) -> None:
    """Every MCID in the content is referenced by exactly one element, every
    reference points at content that exists, and the parent tree maps each
    MCID to the element that references it."""
    with pikepdf.open(path) as pdf:
        content = {}
        for i, page in enumerate(pdf.pages):
            found = _mcids(pikepdf.parse_content_stream(page))
            assert len(found) == len(set(found)), f"page {i + 1}: an MCID is used twice"
            content[page.obj.objgen] = set(found)
        refs: dict[tuple, list] = {}

        def walk(elem, pg, parent):
            assert elem.get("/P") is not None and elem.P.objgen == parent.objgen, "an element's /P is wrong"
            pg = elem.get("/Pg", pg)
            kids = elem.K if isinstance(elem.get("/K"), Array) else [elem.get("/K")]
            assert [k for k in kids if k is not None], f"an empty element {elem.get('/S')}"
            for kid in kids:
                if isinstance(kid, int):
                    refs.setdefault((pg.objgen, kid), []).append(elem)
                elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                    refs.setdefault((kid.get("/Pg", pg).objgen, int(kid.MCID)), []).append(elem)
                elif isinstance(kid, Dictionary) and kid.get("/Type") != Name.OBJR:
                    walk(kid, pg, elem)

        root = pdf.Root.StructTreeRoot
        for top in (root.K if isinstance(root.K, Array) else [root.K]):
            walk(top, None, root)
        for key, elems in refs.items():
            assert len(elems) == 1, f"MCID {key[1]} referenced {len(elems)} times"
            assert key[1] in content[key[0]], f"MCID {key[1]} referenced but not in the content"
        for pg, mcids in content.items():
            for m in mcids:
                assert (pg, m) in refs, f"MCID {m} in the content but in no element"
        nums = root.ParentTree.Nums
        tree = {int(nums[k]): nums[k + 1] for k in range(0, len(nums), 2)}
        assert int(root.ParentTreeNextKey) > max(tree)
        for page in pdf.pages:
            mine = {m for (pg, m) in refs if pg == page.obj.objgen}
            if not mine:
                continue
            arr = tree[int(page.obj.StructParents)]
            for m in mine:
                assert arr[m].objgen == refs[(page.obj.objgen, m)][0].objgen, f"parent tree wrong for MCID {m}"


# --- the tests ----------------------------------------------------------------------------

def test_a_tagged_briefing_reads_the_redaction_in_place(tmp_path):
    src = _tagged(tmp_path / "briefing.pdf")
    before = src.read_bytes()
    code, out = _run("redact", src, "-o", tmp_path / "release.pdf", "--no-nlp")
    assert code == 0, out
    assert src.read_bytes() == before
    release = tmp_path / "release.pdf"
    _check_tree(release)
    read = _read_in_structure_order(release)
    assert read[0] == ("/P", "Contact PC [Redacted: section 40(2)] today about the case.")
    assert read[1] == ("/P", "The meeting is in the main hall at noon.")
    # the same sentence by position (MuPDF) and the label drawn but not read twice
    page = pymupdf.open(release)[0]
    assert "Contact PC [Redacted: section 40(2)] today" in " ".join(page.get_text().split())
    assert "S40(2)" in page.get_text(flags=pymupdf.TEXT_IGNORE_ACTUALTEXT)
    assert "Alice" not in page.get_text(flags=pymupdf.TEXT_IGNORE_ACTUALTEXT)
    with pikepdf.open(release) as pdf:
        assert str(pdf.Root.Lang) == "en-GB" and pdf.Root.ViewerPreferences.DisplayDocTitle
        assert pdf.Root.MarkInfo.Marked
        title = str(pdf.open_metadata().get("dc:title"))
        assert title == "briefing" and str(pdf.docinfo.Title) == "briefing"  # not the original's, which named her


def test_the_phrase_does_not_vary_with_what_was_removed(tmp_path):
    """Two names of very different lengths speak the same phrase, and the
    invisible phrase is squeezed into each box: nothing in it measures the name."""
    src = _tagged(tmp_path / "b.pdf", pages=([
        "Contact PC Al Li today.", "Contact PC Bartholomew Fotheringham-Smythe today."],))
    code, out = _run("redact", src, "-o", tmp_path / "r.pdf", "--no-nlp")
    assert code == 0, out
    read = [t for _, t in _read_in_structure_order(tmp_path / "r.pdf")]
    assert read == ["Contact PC [Redacted: section 40(2)] today.", "Contact PC [Redacted: section 40(2)] today."]


def test_areas_and_withheld_pages_are_tagged_where_they_were(tmp_path):
    """A box with no text of redactor's under it (an area drawn by a
    reviewer) gets its own /Span element after the text before it; a
    withheld page's notice becomes a /P where the page's first element was."""
    src = _tagged(tmp_path / "b.pdf")
    code, out = _run("scan", src, "--plan", tmp_path / "plan.json", "--no-nlp")
    assert code == 0, out
    plan = json.loads((tmp_path / "plan.json").read_text())
    d = plan["documents"][0]
    d.setdefault("manual", []).extend([
        {"kind": "area", "page": 1, "rect": [300, 80, 360, 96], "exemption": "S31(1)(a)",
         "reviewer": "A. Reviewer", "note": "tactics"},
        {"kind": "page", "page": 2, "exemption": "S24(1)", "reviewer": "A. Reviewer"},
    ])
    for f in d["findings"]:
        f["status"], f["reviewer"] = "accepted", "A. Reviewer"
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    code, out = _run("apply", src, "--plan", tmp_path / "plan.json", "-o", tmp_path / "r.pdf")
    assert code == 0, out
    _check_tree(tmp_path / "r.pdf")
    read = _read_in_structure_order(tmp_path / "r.pdf")
    said = [t for _, t in read]
    assert said[0] == "Contact PC [Redacted: section 40(2)] today about the case."
    assert ("/Span", "[Redacted: section 31(1)(a)]") in read
    # the area lies right of the second line: it is read after that line, inside its paragraph
    assert read.index(("/Span", "[Redacted: section 31(1)(a)]")) == said.index("The meeting is in the main hall at noon.") + 1
    with pikepdf.open(tmp_path / "r.pdf") as pdf:
        span = [e for e in _elements(pdf.Root.StructTreeRoot) if e.get("/ActualText") == "[Redacted: section 31(1)(a)]"]
        assert len(span) == 1 and span[0].P.S == Name.P and span[0].P.K[0] == 1
    assert read[-1] == ("/P", "Page 2 has been withheld in full under section 24(1) of the Freedom of Information Act 2000.")
    assert not any("rota" in t for t in said)


def test_a_tagged_form_field_flattened_into_the_page_keeps_its_element(tmp_path):
    """redactor flattens fields into the page (what is redacted is what is
    seen); the field's /Form element then refers to the marked content that
    draws it, not to a widget that is gone."""
    src = _tagged(tmp_path / "b.pdf", pages=(LINES,))
    doc = pymupdf.open(src)
    w = pymupdf.Widget()
    w.field_type, w.field_name, w.field_value = pymupdf.PDF_WIDGET_TYPE_TEXT, "room", "Room 4B"
    w.rect = pymupdf.Rect(72, 200, 250, 220)
    doc[0].add_widget(w)
    doc.save(tmp_path / "f0.pdf")
    with pikepdf.open(tmp_path / "f0.pdf") as pdf:
        page = pdf.pages[0]
        widget = page.obj.Annots[0]
        tree = pdf.Root.StructTreeRoot
        top = tree.K[0]
        form = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Form, P=top, Pg=page.obj,
                                            K=Dictionary(Type=Name.OBJR, Obj=widget, Pg=page.obj)))
        top.K.append(form)
        widget.StructParent = 1
        tree.ParentTree.Nums.extend([1, form])
        tree.ParentTreeNextKey = 2
        pdf.save(tmp_path / "form.pdf")
    code, out = _run("redact", tmp_path / "form.pdf", "-o", tmp_path / "r.pdf", "--no-nlp")
    assert code == 0, out
    _check_tree(tmp_path / "r.pdf")
    with pikepdf.open(tmp_path / "r.pdf") as pdf:
        form = [e for e in _elements(pdf.Root.StructTreeRoot) if e.S == Name.Form]
        assert len(form) == 1 and [k.get("/Type") for k in form[0].K] == [Name.MCR]
        assert not pdf.pages[0].obj.get("/Annots")
    assert _pdfua(tmp_path / "r.pdf")["summary"]["errors"] == 0


def test_untagged_files_stay_untagged_but_still_speak(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Contact PC Alice Smith today about the case.", fontsize=11)
    doc.save(tmp_path / "plain.pdf")
    code, out = _run("redact", tmp_path / "plain.pdf", "-o", tmp_path / "r.pdf", "--no-nlp")
    assert code == 0, out
    with pikepdf.open(tmp_path / "r.pdf") as pdf:
        assert "/StructTreeRoot" not in pdf.Root
    assert "Contact PC [Redacted: section 40(2)] today" in " ".join(pymupdf.open(tmp_path / "r.pdf")[0].get_text().split())


def test_drop_tags_removes_the_tree(tmp_path):
    src = _tagged(tmp_path / "b.pdf")
    code, out = _run("redact", src, "-o", tmp_path / "r.pdf", "--no-nlp", "--drop-tags")
    assert code == 0, out
    with pikepdf.open(tmp_path / "r.pdf") as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert not any("/StructParents" in p.obj for p in pdf.pages)


@pytest.mark.parametrize("text", ["[Redacted: section 40(2)]", "[Redacted: section 31(1)(a)]"])
def test_the_phrase_pattern(text):
    assert speech.is_phrase(text) and re.fullmatch(speech.PHRASE, text)


def _pdfua(path) -> dict:
    """The pdfua checker's verdict (a maintained PDF/UA-1 checker on the package index)."""
    r = subprocess.run([sys.executable, "-m", "pdfua", "check", "-f", "json", str(path)], capture_output=True, text=True)
    assert r.returncode in (0, 1, 2, 3), r.stderr
    return json.loads(r.stdout)


def test_the_pdfua_checker_finds_no_error_in_a_tagged_release(tmp_path):
    src = _tagged(tmp_path / "b.pdf")
    code, out = _run("redact", src, "-o", tmp_path / "r.pdf", "--no-nlp")
    assert code == 0, out
    before, after = _pdfua(src), _pdfua(tmp_path / "r.pdf")
    assert before["summary"]["rules_run"] > 0 and after["summary"]["rules_run"] == before["summary"]["rules_run"]
    assert after["summary"]["errors"] == 0, after["findings"]
    # the one warning left: the release does not claim PDF/UA conformance (redactor cannot vouch for the input)
    assert {f["rule_id"] for f in after["findings"]} <= {"UA-28-004"}, after["findings"]


def test_a_title_that_would_name_someone_is_replaced(tmp_path):
    """The title is the name the schedule gives the document, less what was
    redacted in it (it used to be a fixed "Redacted document")."""
    src = _tagged(tmp_path / "Alice Smith statement.pdf")
    code, out = _run("redact", src, "-o", tmp_path / "r.pdf", "--no-nlp")
    assert code == 0, out
    with pikepdf.open(tmp_path / "r.pdf") as pdf:
        assert str(pdf.docinfo.Title) == "[redacted] statement"
        assert str(pdf.open_metadata().get("dc:title")) == "[redacted] statement"
