"""The reviewer's desk in a real browser (headless Debian chromium driven by
Playwright): a whole review done by clicking, typing and dragging, two tabs
on one plan, and an axe-core accessibility scan."""

from __future__ import annotations

import json
import re
import tempfile
from urllib.parse import urlsplit

import pymupdf
import pytest

from deskkit import AXE, CHROMIUM, CHROMIUM_ARGS, browser_missing, bundle, serving
from pdfkit import raw_occurrences
from redactor.redact import speech
from redactor.review.plan import load_plan

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")

REVIEWER = "A. Reviewer"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="redactor-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                       headless=True, viewport={"width": 1500, "height": 950},
                                                       bypass_csp=True)  # the tests wait on JS predicates; the desk keeps its CSP
        yield context
        context.close()


@pytest.fixture
def scanned(tmp_path, cli):
    brief, other = bundle(tmp_path)
    plan_path = tmp_path / "plan.json"
    code, _, err = cli("scan", brief, other, "--plan", plan_path, "--no-nlp")
    assert code == 0, err
    return brief, other, plan_path


def _open(context, url):
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(url)
    expect(page.locator(".frow").first).to_be_visible()
    page.wait_for_function("window.deskTimings.length > 0")
    return page


def _saved(page, text):
    from playwright.sync_api import expect

    expect(page.locator("#status")).to_contain_text(text)


def _key(plan_path, pred, doc=0):
    plan = json.loads(plan_path.read_text())
    f = next(f for f in plan["documents"][doc]["findings"] if pred(f))
    return f"{doc}:{f['id']}", f


def _thumb(page, d, p):
    page.locator(f'.thumb[data-d="{d}"][data-p="{p}"]').click()
    page.wait_for_function(f"document.getElementById('page-heading').textContent.includes('page {p} of')")


def test_a_whole_review_at_the_desk(scanned, browser, tmp_path):
    from playwright.sync_api import expect

    brief, other, plan_path = scanned
    release = tmp_path / "release"
    with serving(plan_path, "--reviewer", REVIEWER, "-o", release, cwd=tmp_path) as url:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        page = _open(browser, url)
        requests = []
        page.on("request", lambda r: requests.append(r.url))

        # j and k move through the list; r rejects the finding in focus
        first = page.locator(".frow").first.get_attribute("data-k")
        page.keyboard.press("j")
        expect(page.locator('.frow[aria-current="true"]')).to_have_attribute("data-k", first)
        page.keyboard.press("j")
        page.keyboard.press("k")
        expect(page.locator('.frow[aria-current="true"]')).to_have_attribute("data-k", first)
        rejected_key, rejected = _key(plan_path, lambda f: f["text"] == "07700900570")
        page.locator(f'.frow[data-k="{rejected_key}"]').focus()
        page.keyboard.press("r")
        _saved(page, f"reject finding {rejected['id']} (saved)")
        expect(page.locator("#detail-body")).to_contain_text(rejected["id"])  # the finding's ID is shown
        page.locator("#dnote").fill("switchboard number, already public")
        page.get_by_role("button", name="Save note").click()
        _saved(page, f"note on finding {rejected['id']} (saved)")

        # another exemption for one finding (and so accept it)
        vrm_key, vrm = _key(plan_path, lambda f: f["category"] == "vrm")
        page.locator(f'.frow[data-k="{vrm_key}"]').click()
        page.locator("#dex").select_option("S31(1)(a)")
        page.get_by_role("button", name="Change and accept").click()
        _saved(page, f"exemption S31(1)(a) for finding {vrm['id']} (saved)")

        # bulk: accept every person's name
        names = page.locator('details[data-g="S40(2)|person_name"] button[data-bulk="accepted"]')
        names.click()
        _saved(page, "(saved)")

        # draw an area with the mouse over the title of slide 2
        title = pymupdf.open(brief)[1].search_for("Command structure")[0]
        _thumb(page, 0, 2)
        page.locator("#draw").click()
        sheet = page.locator("#sheet").bounding_box()
        w = pymupdf.open(brief)[1].rect.width
        scale = sheet["width"] / w
        page.mouse.move(sheet["x"] + (title.x0 - 3) * scale, sheet["y"] + (title.y0 - 3) * scale)
        page.mouse.down()
        page.mouse.move(sheet["x"] + (title.x1 + 3) * scale, sheet["y"] + (title.y1 + 3) * scale, steps=5)
        page.mouse.up()
        _saved(page, "area on page 2 (saved)")
        expect(page.locator(".box.area")).to_have_count(1)

        # withhold slide 5, under section 24
        _thumb(page, 0, 5)
        page.locator("#newex").select_option("S24(1)")
        page.locator("#withhold").click()
        _saved(page, "withhold page 5 (saved)")
        expect(page.locator("#withheld")).to_contain_text("withheld in full")

        # search the bundle and redact every match as a term, under section 31
        page.locator("#newex").select_option("S31(1)(a)")
        page.locator("#q").fill("Operation Larkspur")
        page.locator("#q").press("Enter")
        expect(page.locator("#searchcount")).to_contain_text("1 match in 1 document")
        page.locator("#redactterm").click()
        _saved(page, "will be redacted everywhere")
        expect(page.locator("#terms")).to_contain_text("Operation Larkspur")

        # not ready while anything is proposed
        page.locator("#readybtn").click()
        expect(page.locator("#ready")).to_contain_text("still proposed")
        expect(page.locator("#apply")).to_be_disabled()
        page.locator("#closerelease").click()

        # accept the rest, then apply
        page.locator("#fstatus").select_option("proposed")
        page.locator("#acceptshown").click()
        _saved(page, "(saved)")
        expect(page.locator("#shown")).to_contain_text("0 of")
        page.locator("#readybtn").click()
        expect(page.locator("#ready")).to_contain_text("Everything is decided")
        page.locator("#apply").click()
        expect(page.locator("#released")).to_be_visible(timeout=60_000)
        results = page.locator("#results")
        expect(results).to_contain_text("Verified")
        expect(results).not_to_contain_text("problem")
        expect(results).to_contain_text("Section 24(1)")
        expect(results).to_contain_text("release.NOT-FOR-RELEASE")
        pdf = page.request.get(origin + "/out/0.pdf")
        assert pdf.ok and pdf.body()[:5] == b"%PDF-"
        assert page.request.get(origin + "/out/schedule.html").ok
        assert all(a.get_attribute("href").startswith("/out/") for a in results.locator("a").all())
        page.close()
    assert all(u.startswith(origin) or u.startswith("blob:") for u in requests), "a request left the desk"

    # the plan: every decision saved, with the reviewer and the time
    plan = load_plan(plan_path)
    fs = {f.id: f for f in plan.documents[0].findings}
    assert fs[rejected["id"]].status == "rejected" and fs[rejected["id"]].reviewer == REVIEWER
    assert fs[rejected["id"]].note == "switchboard number, already public"
    assert (fs[vrm["id"]].exemption, fs[vrm["id"]].status) == ("S31(1)(a)", "accepted")
    assert all(f.status == "accepted" for f in fs.values() if f.id != rejected["id"])
    assert all(f.reviewer == REVIEWER and f.decided_at for f in fs.values())
    area, withheld = plan.documents[0].manual
    assert (area.kind, area.page, withheld.kind, withheld.page) == ("area", 2, "page", 5)
    assert (area.exemption, withheld.exemption) == ("S31(1)(a)", "S24(1)")
    assert area.rect[0] <= title.x0 and area.rect[1] <= title.y0 and area.rect[2] >= title.x1 and area.rect[3] >= title.y1
    assert area.rect[2] - area.rect[0] < title.width + 12  # where it was drawn, not the whole page
    assert [(t.text, t.reviewer) for t in plan.terms] == [("Operation Larkspur", REVIEWER)]

    # the release: rejected text readable, the rest gone, area empty, page 5 replaced
    out = pymupdf.open(release / "briefing.redacted.pdf")
    assert rejected["text"] in " ".join(out[rejected["page"] - 1].get_text().split())
    for f in fs.values():
        if f.status == "accepted" and f.page != 5 and f.text != rejected["text"]:
            assert f.text not in " ".join(out[f.page - 1].get_text().split()), f
    inside = out[1].get_text("text", clip=pymupdf.Rect(area.rect)).replace(area.exemption, "")
    inside = speech.PHRASE.sub("", inside).strip()  # the label, and what a screen reader hears
    assert inside == ""
    assert " ".join(out[4].get_text().split()).startswith("Page 5 has been withheld in full under section")
    assert not raw_occurrences(release / "minutes.redacted.pdf", "Larkspur")
    assert "Operation Harrier" in pymupdf.open(release / "minutes.redacted.pdf")[0].get_text()
    assert (release / "schedule.csv").exists()
    assert list((release.parent / "release.NOT-FOR-RELEASE").glob("*.NOT-FOR-RELEASE.log.jsonl"))
    assert not list(release.glob("*.log.jsonl"))  # the logs are kept apart


def test_two_tabs_on_one_plan(scanned, browser, tmp_path):
    from playwright.sync_api import expect

    _, _, plan_path = scanned
    first_key, first = _key(plan_path, lambda f: f["category"] == "phone")
    second_key, second = _key(plan_path, lambda f: f["category"] == "email")
    with serving(plan_path, "--reviewer", REVIEWER, cwd=tmp_path) as url:
        a, b = _open(browser, url), _open(browser, url)
        a.locator(f'.frow[data-k="{first_key}"]').click()
        a.keyboard.press("a")
        _saved(a, "(saved)")
        b.locator(f'.frow[data-k="{second_key}"]').click()
        b.keyboard.press("r")
        expect(b.locator("#alert")).to_be_visible()
        expect(b.locator("#alert-text")).to_contain_text("changed elsewhere")
        plan = {f.id: f for f in load_plan(plan_path).documents[0].findings}
        assert plan[first["id"]].status == "accepted"  # the first tab's decision is kept
        assert plan[second["id"]].status == "proposed"  # the stale tab wrote nothing
        b.locator("#reload").click()
        expect(b.locator("#alert")).to_be_hidden()
        expect(b.locator(f'.frow[data-k="{first_key}"] .st')).to_contain_text("accepted")
        b.locator(f'.frow[data-k="{second_key}"]').click()
        b.keyboard.press("r")
        _saved(b, "(saved)")
        plan = {f.id: f for f in load_plan(plan_path).documents[0].findings}
        assert (plan[first["id"]].status, plan[second["id"]].status) == ("accepted", "rejected")
        a.close()
        b.close()


def _axe(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed at {AXE} (make test installs it)")
def test_the_desk_is_accessible(scanned, browser, tmp_path):
    """Keyboard only: select, decide, draw an area with the arrow keys, undo;
    focus is visible; no serious or critical axe-core violation, on the
    review view and on the release panel. Plan text is shown as text."""
    from playwright.sync_api import expect

    _, _, plan_path = scanned
    plan = json.loads(plan_path.read_text())
    plan["documents"][0]["findings"][0]["note"] = '<img src=x id=injected onerror="window.pwned=1">'
    plan_path.write_text(json.dumps(plan))
    with serving(plan_path, "--reviewer", REVIEWER, cwd=tmp_path) as url:
        page = _open(browser, url)
        page.keyboard.press("Tab")  # the skip link first, then the controls, each with a visible focus ring
        for _ in range(3):
            page.keyboard.press("Tab")
            style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert style not in ("none", ""), page.evaluate("document.activeElement.outerHTML")
        page.keyboard.press("Escape")
        page.locator("body").click(position={"x": 5, "y": 300})
        page.keyboard.press("j")
        expect(page.locator('.frow[aria-current="true"]')).to_have_count(1)
        first = f"0:{plan['documents'][0]['findings'][0]['id']}"
        page.locator(f'.frow[data-k="{first}"]').focus()
        expect(page.locator("#dnote")).to_have_value(plan["documents"][0]["findings"][0]["note"])
        assert page.locator("#injected").count() == 0 and page.evaluate("window.pwned") is None
        page.keyboard.press("a")
        _saved(page, "(saved)")
        # an area drawn with the keyboard alone
        page.keyboard.press("d")
        expect(page.locator("#sheet")).to_be_focused()
        for key in ("ArrowRight", "ArrowDown", "Shift+ArrowRight"):
            page.keyboard.press(key)
        page.keyboard.press("Enter")
        _saved(page, "area on page 1 (saved)")
        page.locator("body").click(position={"x": 5, "y": 300})
        page.keyboard.press("u")
        _saved(page, "undone: area on page 1")
        assert load_plan(plan_path).documents[0].manual == []
        assert next(f for f in load_plan(plan_path).documents[0].findings
                    if f"0:{f.id}" == first).status == "accepted"
        # colour is not the only sign: each box names its exemption and decision
        tags = page.locator(".box[data-k] .tag").all_text_contents()
        assert tags and all(re.fullmatch(r"[?✓✗] S\d+\(\d+\)(\([a-z]\))?", t) for t in tags), tags
        assert _axe(page) == []
        page.locator("#readybtn").click()
        expect(page.locator("#ready")).to_contain_text("still proposed")
        assert _axe(page) == []
        # the scan does see a control without a label
        page.evaluate("document.getElementById('ready').append(document.createElement('select'))")
        assert any(v["id"] == "select-name" for v in _axe(page))
        page.close()
