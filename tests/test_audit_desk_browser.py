"""The desk's Audit view in a real browser (headless Debian chromium driven
by Playwright, as tests/test_desk_browser.py): a reopened release shows its
consistency flags and the release it revises; an item goes to its finding."""

from __future__ import annotations

import json
import tempfile

import pymupdf
import pytest

from deskkit import AXE, CHROMIUM, CHROMIUM_ARGS, browser_missing, serving
from redactor.account.log import default_log_path

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")


@pytest.fixture
def reopened(tmp_path, cli):
    src = tmp_path / "b.pdf"
    doc = pymupdf.open()
    for lines in (["Gold commander: Chief Superintendent Helen Marsh, tel 07700 900123"],
                  ["Press enquiries to DS Rachel Turner.", "Officer in charge: DS Rachel Turner."]):
        page = doc.new_page()
        for i, line in enumerate(lines):
            page.insert_text((72, 72 + 28 * i), line, fontsize=11)
    doc.save(src)
    plan = tmp_path / "plan.json"
    assert cli("scan", src, "--plan", plan, "--no-nlp")[0] == 0
    data = json.loads(plan.read_text())
    for f in data["documents"][0]["findings"]:
        first_turner = f["text"] == "Rachel Turner" and f["rects"][0][1] < 80
        f.update(status="rejected" if first_turner else "accepted", reviewer="A. Reviewer")
    plan.write_text(json.dumps(data))
    out = tmp_path / "rel" / "b.pdf"
    out.parent.mkdir()
    assert cli("apply", src, "--plan", plan, "-o", out)[0] == 0
    again = tmp_path / "reopened.json"
    code, _, err = cli("reopen", default_log_path(out), "--original", src, "-o", again)
    assert code == 0, err
    return again


def test_the_audit_view_shows_the_flags(reopened, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory(prefix="redactor-chromium-") as profile, sync_playwright() as p, \
            serving(reopened, "--reviewer", "B. Appeals", cwd=tmp_path) as url:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                       headless=True, viewport={"width": 1500, "height": 950},
                                                       bypass_csp=True)
        page = context.new_page()
        page.goto(url)
        expect(page.locator(".frow").first).to_be_visible()
        page.get_by_role("button", name="Audit").click()
        panel = page.locator("#audit")
        expect(panel).to_contain_text("This plan revises the release of b.pdf")
        for kind in ("left_readable", "senior_s40"):
            expect(panel.locator(f'.flag[data-kind="{kind}"]')).to_have_count(1)
        expect(panel.locator('.flag[data-kind="senior_s40"]')).to_contain_text("Chief Superintendent")
        expect(panel.locator('.flag[data-kind="left_readable"]')).to_contain_text("Rachel Turner")
        if AXE.exists():
            page.evaluate(AXE.read_text(encoding="utf-8"))
            found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
            assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in found
                    if v["impact"] in ("serious", "critical")] == []
        # an item of a flag goes to its finding
        panel.locator('.flag[data-kind="senior_s40"] button').first.click()
        expect(panel).to_be_hidden()
        expect(page.locator("#detail-body")).to_contain_text("Helen Marsh")
        context.close()
