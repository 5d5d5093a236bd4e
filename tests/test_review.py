"""The review loop: scan -> decide -> apply, with terms, areas, withheld
pages, the schedule, the terminal review, the report, and plan errors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pymupdf
import pytest
from click.testing import CliRunner

from deskkit import bundle
from pdfkit import raw_occurrences
from redactor.cli import cli as redactor_cli
from redactor.errors import PlanError
from redactor.review.plan import SCHEMA_PATH, json_schema, load_plan
from redactor.redact import speech


def test_the_whole_review_loop(tmp_path, cli):
    brief, other = bundle(tmp_path)
    plan_path = tmp_path / "plan.json"
    code, out, err = cli("scan", brief, other, "--plan", plan_path, "--accept-above", "0.5", "--no-nlp")
    assert code == 0, err
    plan = json.loads(plan_path.read_text())
    findings = plan["documents"][0]["findings"]
    # reject one phone number: it must stay readable
    rejected = next(f for f in findings if f["category"] == "phone")
    rejected.update(status="rejected", reviewer="A. Reviewer", note="switchboard number, already public")
    # a term that must go from every document of the bundle
    plan["terms"].append({"text": "Operation Larkspur", "exemption": "S31(1)(a)", "reviewer": "A. Reviewer"})
    # a manual area over the slide's title text, and page 5 withheld in full
    doc = pymupdf.open(brief)
    title = doc[1].search_for("Command structure")[0]
    area = [title.x0 - 2, title.y0 - 2, title.x1 + 2, title.y1 + 2]
    withheld_text = " ".join(doc[4].get_text().split())[:40]
    plan["documents"][0]["manual"] = [
        {"kind": "area", "page": 2, "rect": area, "exemption": "S31(1)(a)", "reviewer": "A. Reviewer"},
        {"kind": "page", "page": 5, "exemption": "S24(1)", "reviewer": "A. Reviewer"},
    ]
    plan_path.write_text(json.dumps(plan, indent=1))
    before = {p: p.read_bytes() for p in (brief, other)}

    out_dir = tmp_path / "release"
    code, out, err = cli("apply", "--plan", plan_path, "-o", out_dir)
    assert code == 0, err
    assert all(p.read_bytes() == b for p, b in before.items())
    red_brief = pymupdf.open(out_dir / "briefing.redacted.pdf")
    red_other = pymupdf.open(out_dir / "minutes.redacted.pdf")
    page_of_rejected = " ".join(red_brief[rejected["page"] - 1].get_text().split())
    assert rejected["text"] in page_of_rejected  # the rejected finding is still extractable
    for d in (out_dir / "briefing.redacted.pdf", out_dir / "minutes.redacted.pdf"):
        assert not raw_occurrences(d, "Larkspur")  # the term is gone everywhere
    assert "Operation Harrier" in red_other[0].get_text() and "budget" in red_other[0].get_text()
    assert "Command structure" not in red_brief[1].get_text()
    inside = red_brief[1].get_text("text", clip=pymupdf.Rect(area)).replace("S31(1)(a)", "")
    inside = speech.PHRASE.sub("", inside).strip()  # the label, and what a screen reader hears
    assert inside == ""  # nothing left inside the area but its label
    p5 = " ".join(red_brief[4].get_text().split())
    assert p5 == "Page 5 has been withheld in full under section 24(1) of the Freedom of Information Act 2000."
    assert withheld_text not in " ".join(red_brief.get_page_text(4).split())
    # every accepted finding is gone
    for f in findings:
        if f["status"] == "accepted" and f["page"] != 5:
            assert f["text"] not in " ".join(red_brief[f["page"] - 1].get_text().split()), f

    # the schedule lists exactly what was applied
    rows = [line.split(",") for line in (out_dir / "schedule.csv").read_text().splitlines()[1:]]
    counted = {}
    for docname, page, exemption, category, count in rows:
        counted[(docname, int(page), exemption, category)] = int(count)
    expected = {}
    for f in findings:
        if f["status"] == "accepted" and f["page"] != 5:  # page 5 is withheld whole
            key = ("briefing.pdf", f["page"], f["exemption"], f["category"])
            expected[key] = expected.get(key, 0) + 1
    expected[("briefing.pdf", 2, "S31(1)(a)", "manual_area")] = 1
    expected[("briefing.pdf", 5, "S24(1)", "page_withheld")] = 1
    expected[("minutes.pdf", 1, "S31(1)(a)", "term")] = 1
    assert counted == expected
    html = (out_dir / "schedule.html").read_text()
    assert "Section 24(1) (National security): 1 item (of which 1 page withheld in full) in briefing.pdf, page 5." in html
    assert rejected["text"] not in html and "Larkspur" not in html


def test_apply_refuses_proposed_findings(tmp_path, cli):
    brief, _ = bundle(tmp_path)
    plan = tmp_path / "plan.json"
    assert cli("scan", brief, "--plan", plan, "--no-nlp")[0] == 0
    code, _, err = cli("apply", brief, "--plan", plan, "-o", tmp_path / "out.pdf")
    assert code == 2 and "still 'proposed'" in err and "redactor review" in err
    assert not (tmp_path / "out.pdf").exists()


def test_terminal_review_records_decisions(tmp_path, cli):
    brief, _ = bundle(tmp_path)
    plan_path = tmp_path / "plan.json"
    assert cli("scan", brief, "--plan", plan_path, "--no-nlp")[0] == 0
    n = len(json.loads(plan_path.read_text())["documents"][0]["findings"])
    # accept, reject (with a reason), change exemption, add a term, then quit
    keys = "a\nr\nnot personal data\ne\nS31(1)(a)\nt\nOperation Harrier\nS31(1)(a)\nq\n"
    result = CliRunner().invoke(redactor_cli, ["review", str(plan_path), "--reviewer", "Jo Bloggs"], input=keys)
    assert result.exit_code == 0, result.output
    plan = load_plan(plan_path)
    fs = plan.documents[0].findings
    assert [f.status for f in fs[:3]] == ["accepted", "rejected", "accepted"]
    assert fs[1].note == "not personal data" and fs[2].exemption == "S31(1)(a)"
    assert all(f.reviewer == "Jo Bloggs" and re.match(r"\d{4}-\d\d-\d\dT", f.decided_at) for f in fs[:3])
    assert all(f.status == "proposed" for f in fs[3:]) and len(fs) == n
    assert [(t.text, t.reviewer) for t in plan.terms] == [("Operation Harrier", "Jo Bloggs")]


@pytest.mark.parametrize("edit, message", [
    (lambda p: p["documents"][0]["findings"][0].update(status="acepted"),
     "finding '{id}', field 'status': Input should be 'proposed', 'accepted' or 'rejected'"),
    (lambda p: p["documents"][0]["findings"][0].update(exemption="S40-2"),
     "finding '{id}', field 'exemption': 'S40-2' is not an exemption code"),
    (lambda p: p["documents"][0]["findings"][0].pop("page"), "finding '{id}', field 'page': missing"),
    (lambda p: p["documents"][0]["findings"][0].update(pgae=3), "finding '{id}', field 'pgae': unknown field"),
    (lambda p: p["documents"][0]["manual"].append({"kind": "area", "page": 1, "rect": [1, 2, 3], "exemption": "S24(1)"}),
     "manual mark #1, field 'rect'"),
    (lambda p: p["documents"][0]["manual"].append({"kind": "pages", "page": 1, "exemption": "S24(1)"}),
     "manual mark #1"),
    # two findings with one id, one accepted and one rejected, were applied as the first (helper 32)
    (lambda p: p["documents"][0]["findings"].append({**p["documents"][0]["findings"][0], "status": "rejected"}),
     "finding id '{id}' is given to more than one finding"),
])
def test_plan_typos_give_actionable_messages(tmp_path, cli, edit, message):
    brief, _ = bundle(tmp_path)
    plan_path = tmp_path / "plan.json"
    assert cli("scan", brief, "--plan", plan_path, "--no-nlp")[0] == 0
    plan = json.loads(plan_path.read_text())
    first_id = plan["documents"][0]["findings"][0]["id"]
    edit(plan)
    plan_path.write_text(json.dumps(plan))
    with pytest.raises(PlanError) as err:
        load_plan(plan_path)
    assert message.format(id=first_id) in str(err.value)
    assert "document 1 (briefing.pdf)" in str(err.value)
    code, _, stderr = cli("apply", brief, "--plan", plan_path, "-o", tmp_path / "o.pdf")
    assert code == 2 and len(stderr.strip().splitlines()) == 1


def test_broken_json_names_line_and_column(tmp_path):
    p = tmp_path / "plan.json"
    p.write_text('{"version": 1,\n "documents": [\n}')
    with pytest.raises(PlanError, match="not valid JSON at line 3, column 1"):
        load_plan(p)


def test_schema_file_matches_the_models():
    assert json.loads(SCHEMA_PATH.read_text()) == json_schema()


class _Boxes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.boxes, self.images, self._sheet = [], 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img" and (a.get("src") or "").startswith("data:image/png;base64,"):
            self.images += 1
        if tag == "div" and "box" in (a.get("class") or "").split():
            style = dict(kv.split(":", 1) for kv in a["style"].split(";") if kv)
            self.boxes.append({"id": a["data-id"], "status": a["data-status"],
                               **{k: float(style[k].rstrip("%")) for k in ("left", "top", "width", "height")}})


def test_review_report_draws_boxes_on_the_pages(tmp_path, cli):
    brief, _ = bundle(tmp_path)
    plan_path = tmp_path / "plan.json"
    assert cli("scan", brief, "--plan", plan_path, "--no-nlp")[0] == 0
    plan = json.loads(plan_path.read_text())
    plan["documents"][0]["findings"][0]["status"] = "rejected"
    plan_path.write_text(json.dumps(plan))
    code, out, err = cli("report", plan_path, "-o", tmp_path / "report.html")
    assert code == 0, err
    parser = _Boxes()
    parser.feed((tmp_path / "report.html").read_text())
    doc = pymupdf.open(brief)
    assert parser.images == doc.page_count
    findings = plan["documents"][0]["findings"]
    assert len(parser.boxes) == sum(len(f["rects"]) for f in findings)
    statuses = {b["id"]: b["status"] for b in parser.boxes}
    assert statuses[findings[0]["id"]] == "rejected"
    # each box sits where its text is on the rendered page
    for f in findings[:10]:
        page = doc[f["page"] - 1]
        box = next(b for b in parser.boxes if b["id"] == f["id"])
        where = page.search_for(f["text"].split()[0])
        cx = page.rect.width * (box["left"] + box["width"] / 2) / 100
        cy = page.rect.height * (box["top"] + box["height"] / 2) / 100
        assert any(r.x0 - 2 <= cx <= r.x1 + 200 and r.y0 - 2 <= cy <= r.y1 + 2 for r in where), f


def _twice(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "OPERATION BRIEFING - RESTRICTED")
    page.insert_text((72, 100), "Deputy: DS Rhian Jones will hold the inner cordon.")
    page.insert_text((72, 128), "Later, DS Rhian Jones briefed the press.")
    doc.save(tmp_path / "b.pdf")
    return tmp_path / "b.pdf"


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["findings"][0].update(rects=[]), "has no box"),
    (lambda d: d["findings"][0].update(rects=[[72, 60, 200, 75]]), "do not cover its text 'Rhian Jones'"),
    (lambda d: d.update(manual=[{"kind": "area", "page": 1, "rect": [700, 900, 800, 1000], "exemption": "S40(2)"}]),
     "lies outside the page"),
])
def test_a_plan_whose_boxes_miss_what_it_accepts_is_refused(tmp_path, cli, edit, message):
    """A hand-edited plan: the first "Rhian Jones" accepted with its boxes
    emptied or moved to the title, the second rejected (so verification does
    not look for the text), or an area off the page: apply released the
    name with exit 0 and a schedule saying it was redacted (helper 32)."""
    src = _twice(tmp_path)
    plan = tmp_path / "plan.json"
    code, _, err = cli("scan", src, "--plan", plan, "--no-nlp")
    assert code == 0, err
    data = json.loads(plan.read_text())
    entry = data["documents"][0]
    names = [f for f in entry["findings"] if f["text"] == "Rhian Jones"]
    assert len(names) == 2
    for f in entry["findings"]:
        f.update(status="rejected", reviewer="T", decided_at="2026-01-01T00:00:00+00:00")
    names[0]["status"] = "accepted"
    entry["findings"] = names + [f for f in entry["findings"] if f not in names]
    edit(entry)
    plan.write_text(json.dumps(data))
    out = tmp_path / "out" / "b.pdf"
    out.parent.mkdir()
    code, _, err = cli("apply", src, "--plan", plan, "-o", out)
    assert code == 2 and message in err and not out.exists(), (code, err)


def test_a_manual_area_low_on_a_turned_page_is_applied(tmp_path, cli):
    """The page-bounds check of manual areas must read a page turned with
    /Rotate as its boxes are given (unturned): an area low on a portrait page
    turned to landscape is on the page."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 700), "Exhibit label: PC Alan Smith")
    page.set_rotation(90)
    doc.save(tmp_path / "turned.pdf")
    plan = tmp_path / "plan.json"
    assert cli("scan", tmp_path / "turned.pdf", "--plan", plan, "--no-nlp")[0] == 0
    data = json.loads(plan.read_text())
    for f in data["documents"][0]["findings"]:
        f.update(status="rejected", reviewer="T", decided_at="2026-01-01T00:00:00+00:00")
    data["documents"][0]["manual"] = [{"kind": "area", "page": 1, "rect": [60, 680, 300, 710], "exemption": "S40(2)"}]
    plan.write_text(json.dumps(data))
    out = tmp_path / "out" / "turned.pdf"
    out.parent.mkdir()
    code, _, err = cli("apply", tmp_path / "turned.pdf", "--plan", plan, "-o", out)
    assert code == 0, err
    assert "Smith" not in pymupdf.open(out)[0].get_text()


def test_a_term_that_is_a_common_word_is_applied_with_a_warning(tmp_path, cli):
    """A plan's term "the" redacted every "the" with no word (helper 32):
    it is applied, and the person applying is told."""
    src = _twice(tmp_path)
    plan = tmp_path / "plan.json"
    assert cli("scan", src, "--plan", plan, "--no-nlp")[0] == 0
    data = json.loads(plan.read_text())
    for f in data["documents"][0]["findings"]:
        f.update(status="accepted", reviewer="T", decided_at="2026-01-01T00:00:00+00:00")
    data["terms"] = [{"text": "the", "exemption": "S40(2)", "reviewer": "T", "decided_at": "2026-01-01T00:00:00+00:00"},
                     {"text": "Smith", "exemption": "S40(2)", "reviewer": "T", "decided_at": "2026-01-01T00:00:00+00:00"}]
    plan.write_text(json.dumps(data))
    out = tmp_path / "out" / "b.pdf"
    out.parent.mkdir()
    code, stdout, err = cli("apply", src, "--plan", plan, "-o", out)
    assert code == 0, err
    assert "term 'the' is a common word: it was redacted in 2 place(s)" in err, err
    assert "'Smith'" not in err
