"""Make docs/desk.png: the real desk, on a generated two-document bundle,
part-way through a review (some findings accepted, one rejected with a
note, an area drawn, a term searched for).

    python docs/desk_screenshot.py [docs/desk.png]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from deskkit import CHROMIUM, CHROMIUM_ARGS, bundle, serving  # noqa: E402


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    from redactor.detect.engine import Detector
    from redactor.detect.rulepack import load_packs
    from redactor.pipeline import scan

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "desk.png").resolve()
    with tempfile.TemporaryDirectory(prefix="desk-shot-") as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        plan = tmp / "plan.json"
        scan(list(bundle(tmp)), Detector(load_packs(), use_nlp=False)).save(plan)
        with serving(plan, "--reviewer", "A. Officer", cwd=tmp) as url:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 960})
            page.goto(url)
            expect(page.locator(".frow").first).to_be_visible()
            status = page.locator("#status")
            page.locator('details[data-g="S40(2)|person_name"] button[data-bulk="accepted"]').click()
            expect(status).to_contain_text("(saved)")
            page.locator('.thumb[data-d="0"][data-p="2"]').click()
            page.locator("#fpage").check()
            rows = page.locator(".frow")
            rows.nth(1).focus()
            page.keyboard.press("r")
            expect(status).to_contain_text("reject")
            page.locator("#dnote").fill("Switchboard number, published on the force website")
            page.get_by_role("button", name="Save note").click()
            expect(status).to_contain_text("note on")
            rows.nth(2).focus()
            page.keyboard.press("a")
            expect(status).to_contain_text("accept")
            page.locator("#q").fill("Operation Larkspur")
            page.locator("#q").press("Enter")
            expect(page.locator("#searchcount")).to_be_visible()
            rows.nth(3).focus()
            page.wait_for_timeout(300)
            page.screenshot(path=str(out))
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
