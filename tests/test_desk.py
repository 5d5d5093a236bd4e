"""The desk without a browser: its guard (token, CSRF, host, headers), the
plan as the one source of truth (versions, conflicts with the terminal
review, undo), page geometry on rotated pages, search, and `serve`'s usage
errors. The browser tests are in test_desk_browser.py."""

from __future__ import annotations

import hashlib
import json
import warnings

import pymupdf
import pytest
from click.testing import CliRunner
with warnings.catch_warnings():  # Starlette 1.x suggests httpx2 for its test client; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from deskkit import bundle
from redactor.cli import cli as redactor_cli
from redactor.pipeline import scan
from redactor.review import terminal
from redactor.review.desk.app import create_app
from redactor.review.desk.session import Desk
from redactor.review.desk.security import Guard
from redactor.review.plan import PlanConflict, load_plan, load_plan_versioned

TOKEN = "a-test-token-of-some-length"


@pytest.fixture
def plan_path(tmp_path, detector):
    path = tmp_path / "plan.json"
    scan(list(bundle(tmp_path)), detector).save(path)
    return path


@pytest.fixture
def desk(plan_path, tmp_path):
    d = Desk(plan_path, reviewer="Jo Bloggs", out_dir=tmp_path / "release")
    yield d
    d.close()


@pytest.fixture
def guard():
    return Guard(token=TOKEN, hosts={"testserver"}, port=1)


@pytest.fixture
def client(desk, guard):
    with TestClient(create_app(desk, guard)) as c:
        assert c.get(f"/?token={TOKEN}", follow_redirects=False).status_code == 303
        yield c


def _post(client, guard, path, body, version, **headers):
    return client.post(path, json=body, headers={"X-CSRF-Token": guard.csrf, "If-Match": f'"{version}"', **headers})


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_only_the_link_opens_the_desk(desk, guard):
    with TestClient(create_app(desk, guard)) as c:
        assert c.get("/").status_code == 403
        assert c.get("/api/state").status_code == 401
        assert c.get("/api/page/0/1").status_code == 401
        assert c.get("/?token=wrong-token-guess").status_code == 403
        r = c.get(f"/?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"  # the token leaves the address bar
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert c.get("/api/state").status_code == 200
        assert c.get("/", headers={"Host": "evil.example:80"}).status_code == 400  # DNS rebinding


def test_password_sign_in_for_a_shared_desk(desk):
    g = Guard(token="x" * 32, password="correct horse", hosts=None, port=2)
    with TestClient(create_app(desk, g)) as c:
        assert c.get("/", follow_redirects=False).headers["location"] == "/login"
        assert "Desk password" in c.get("/login").text
        r = c.post("/login", data={"password": "wrong"}, follow_redirects=False)
        assert r.headers["location"] == "/login?failed=1"
        r = c.post("/login", data={"password": "correct horse"}, follow_redirects=False)
        assert r.status_code == 303 and c.get("/api/state").status_code == 200
        other = c.post("/login", data={"password": "correct horse"}, headers={"Origin": "http://evil.example"})
        assert other.status_code == 403


def test_every_change_needs_csrf_and_the_current_version(client, guard, plan_path):
    state = client.get("/api/state").json()
    version = state["version"]
    assert version == _sha(plan_path) and client.get("/api/state").headers["etag"] == f'"{version}"'
    key = state["findings"][0]["k"]
    body = {"op": "decide", "keys": [key], "status": "rejected", "reviewer": "Jo Bloggs"}
    before = plan_path.read_bytes()
    assert client.post("/api/change", json=body, headers={"If-Match": version}).status_code == 403
    assert _post(client, guard, "/api/change", body, version, Origin="http://evil.example").status_code == 403
    r = client.post("/api/change", content=json.dumps(body), headers={
        "X-CSRF-Token": guard.csrf, "If-Match": version, "Content-Type": "text/plain"})
    assert r.status_code == 403
    stale = _post(client, guard, "/api/change", body, "0" * 64)
    assert stale.status_code == 409 and "changed elsewhere" in stale.json()["message"]
    assert plan_path.read_bytes() == before  # nothing written
    nameless = _post(client, guard, "/api/change", {**body, "reviewer": " "}, version)
    assert nameless.status_code == 400 and "name" in nameless.json()["message"]

    r = _post(client, guard, "/api/change", body, version)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == _sha(plan_path) != version
    f = next(f for f in load_plan(plan_path).documents[0].findings if f"0:{f.id}" == key)
    assert (f.status, f.reviewer) == ("rejected", "Jo Bloggs") and f.decided_at
    assert [x["status"] for x in r.json()["findings"]] == ["rejected"]


def test_bad_changes_are_refused_with_a_reason(client, guard, plan_path):
    v = client.get("/api/state").json()["version"]
    for body, words in [
        ({"op": "decide", "keys": ["0:nope"], "status": "accepted"}, "not in the plan"),
        ({"op": "decide", "keys": [], "status": "accepted"}, "no finding"),
        ({"op": "exemption", "keys": [], "exemption": "S40-2"}, "not an exemption code"),
        ({"op": "area", "d": 0, "page": 99, "rect": [1, 1, 50, 50], "exemption": "S40(2)"}, "no such page"),
        ({"op": "area", "d": 0, "page": 1, "rect": [1, 1, 1.5, 50], "exemption": "S40(2)"}, "too small"),
        ({"op": "area", "d": 0, "page": 1, "rect": "0,0,9,9", "exemption": "S40(2)"}, "four numbers"),
        ({"op": "withhold", "d": 5, "page": 1, "exemption": "S24(1)"}, "no such page"),
        ({"op": "term", "text": "   ", "exemption": "S40(2)"}, "needs some text"),
        ({"op": "rm -rf"}, "unknown change"),
    ]:
        r = _post(client, guard, "/api/change", {**body, "reviewer": "Jo"}, v)
        assert r.status_code == 400 and words in r.json()["message"], (body, r.text)
    assert _sha(plan_path) == v


def test_undo_restores_the_plan_unless_it_changed_elsewhere(client, guard, plan_path):
    v0 = client.get("/api/state").json()["version"]
    before = load_plan(plan_path).model_dump()
    r = _post(client, guard, "/api/change", {"op": "withhold", "d": 0, "page": 2, "exemption": "S24(1)",
                                             "reviewer": "Jo"}, v0)
    v1 = r.json()["version"]
    assert r.json()["undo"] == "withhold page 2"
    r = _post(client, guard, "/api/undo", {}, v1)
    assert r.status_code == 200 and r.json()["message"] == "undone: withhold page 2"
    assert load_plan(plan_path).model_dump() == before
    assert _post(client, guard, "/api/undo", {}, r.json()["version"]).status_code == 400  # nothing left

    v2 = _post(client, guard, "/api/change", {"op": "term", "text": "Harrier", "exemption": "S31(1)(a)",
                                              "reviewer": "Jo"}, r.json()["version"]).json()["version"]
    plan, version = load_plan_versioned(plan_path)
    plan.documents[0].findings[0].note = "edited in the terminal"
    plan.save(plan_path, expect=version)
    r = _post(client, guard, "/api/undo", {}, v2)
    assert r.status_code == 409
    assert load_plan(plan_path).documents[0].findings[0].note == "edited in the terminal"
    assert [t.text for t in load_plan(plan_path).terms] == ["Harrier"]


def test_the_terminal_review_and_the_desk_never_overwrite_each_other(client, guard, plan_path, monkeypatch):
    state = client.get("/api/state").json()
    first, second = state["findings"][0], state["findings"][1]
    answers = iter(["a", "a"])

    def prompt(*args, **kwargs):
        # while the reviewer thinks about the second finding, the desk accepts... and rejects one
        if prompt.calls == 1:
            v = client.get("/api/version").json()["version"]
            r = _post(client, guard, "/api/change", {"op": "decide", "keys": [second["k"]], "status": "rejected",
                                                     "reviewer": "Desk User"}, v)
            assert r.status_code == 200
        prompt.calls += 1
        return next(answers)

    prompt.calls = 0
    monkeypatch.setattr(terminal.click, "prompt", prompt)
    result = CliRunner().invoke(redactor_cli, ["review", str(plan_path), "--reviewer", "Term User"])
    assert result.exit_code == 2
    assert "changed by someone else" in result.output and f"accept {second['id']}" in result.output
    fs = {f.id: f for f in load_plan(plan_path).documents[0].findings}
    assert (fs[first["id"]].status, fs[first["id"]].reviewer) == ("accepted", "Term User")
    assert (fs[second["id"]].status, fs[second["id"]].reviewer) == ("rejected", "Desk User")
    # and the desk, now stale, is refused in its turn when the terminal writes
    plan, version = load_plan_versioned(plan_path)
    stale = client.get("/api/version").json()["version"]
    plan.terms = []
    plan.documents[0].findings[2].status = "accepted"
    plan.save(plan_path, expect=version)
    assert _post(client, guard, "/api/change", {"op": "decide", "keys": [first["k"]], "status": "rejected",
                                                "reviewer": "Desk User"}, stale).status_code == 409


def test_plan_save_refuses_a_changed_file(plan_path):
    plan, version = load_plan_versioned(plan_path)
    other, _ = load_plan_versioned(plan_path)
    other.documents[0].findings[0].status = "accepted"
    new = other.save(plan_path, expect=version)
    assert new == _sha(plan_path)
    with pytest.raises(PlanConflict):
        plan.save(plan_path, expect=version)
    assert load_plan(plan_path).documents[0].findings[0].status == "accepted"


def test_nothing_outside_the_bundle_is_served(client, tmp_path):
    (tmp_path / "secret.txt").write_text("not for you")
    for url in ["/api/page/9/1", "/api/page/0/99", "/api/page/0/1?z=0.33", "/out/plan.json", "/out/..%2Fplan.json",
                "/static/../app.py", "/static/..%2f..%2fplan.py", "/out/schedule.csv", "/api/terms/0/0"]:
        r = client.get(url)
        assert r.status_code == 404, url
        assert "not for you" not in r.text
    r = client.get("/api/page/0/1?z=0.2")
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert r.headers["cache-control"] == "no-store"
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "http" not in csp
    page = client.get("/")
    assert page.headers["x-frame-options"] == "DENY" and "<script src=\"/static/desk.js\"" in page.text
    assert "http" not in client.get("/static/desk.js").text.replace("http.response", "")  # no outside address
    assert "http" not in client.get("/static/desk.css").text


def test_the_plan_name_is_escaped(tmp_path, detector, guard):
    brief, _ = bundle(tmp_path)
    weird = tmp_path / "<b>plan<i>.json"
    scan([brief], detector).save(weird)
    d = Desk(weird)
    try:
        with TestClient(create_app(d, guard)) as c:
            c.get(f"/?token={TOKEN}")
            html = c.get("/").text
            assert "<b>plan" not in html and "&lt;b&gt;plan&lt;i&gt;.json" in html
    finally:
        d.close()


def test_boxes_sit_on_their_text_on_a_rotated_page(tmp_path, detector, guard):
    src = tmp_path / "rotated.pdf"
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((100, 150), "Call Sarah Whitfield on 07700 900123 today.", fontsize=14)
    page.set_rotation(90)
    doc.save(src)
    plan_path = tmp_path / "plan.json"
    scan([src], detector).save(plan_path)
    d = Desk(plan_path)
    try:
        with TestClient(create_app(d, guard)) as c:
            c.get(f"/?token={TOKEN}")
            state = c.get("/api/state").json()
            w, h = state["documents"][0]["pages"][0]
            assert (w, h) == (842, 595)  # shown as a viewer shows it
            phone = next(f for f in state["findings"] if f["category"] == "phone")
            png = c.get("/api/page/0/1?z=1.0").content
        pix = pymupdf.Pixmap(png)
        x0, y0, x1, y1 = phone["rects"][0]
        assert x1 - x0 < y1 - y0  # the line runs down the shown page
        inside = [pix.pixel(int(x), int(y)) for x in range(int(x0), int(x1)) for y in range(int(y0), int(y1))]
        assert min(sum(p) for p in inside) < 200  # ink under the box
        # an area drawn on the shown page lands on the same text in the plan
        plan = load_plan(plan_path)
        stored = plan.documents[0].findings[[f.category for f in plan.documents[0].findings].index("phone")].rects[0]
        back = d.pages.from_display(0, 1, phone["rects"][0])
        assert all(abs(a - b) < 0.05 for a, b in zip(back, stored))
    finally:
        d.close()


def test_search_finds_what_a_term_would_redact(client):
    r = client.get("/api/search", params={"q": "operation  larkspur"}).json()
    assert r["count"] == 1 and r["matches"][0]["d"] == 1 and r["matches"][0]["text"] == "Operation Larkspur"
    assert client.get("/api/search", params={"q": "Larks"}).json()["count"] == 0  # whole words, as apply
    assert client.get("/api/search", params={"q": ""}).status_code == 400


def test_ready_lists_what_is_still_proposed(client, guard, plan_path):
    r = client.get("/api/ready").json()
    n = sum(len(d.findings) for d in load_plan(plan_path).documents)
    assert not r["ready"] and len(r["proposed"]) == n and r["unreadable"] == []
    v = client.get("/api/version").json()["version"]
    assert _post(client, guard, "/api/apply", {}, v).status_code == 400  # refused while anything is proposed


@pytest.mark.parametrize("args, words", [
    (["serve", "PLAN", "--host", "0.0.0.0"], "give --token or --desk-password"),
    (["serve", "PLAN", "--token", "short"], "at least 16 characters"),
    (["serve", "briefing.pdf"], "give a plan"),
    (["serve", "briefing.pdf", "--plan", "PLAN"], "exists: review it with `redactor serve"),
    (["serve", "missing.json"], "no such plan file"),
    (["serve", "PLAN", "--exemption", "S40-2"], "not an exemption code"),
])
def test_serve_usage_errors(plan_path, args, words, monkeypatch):
    monkeypatch.chdir(plan_path.parent)
    result = CliRunner().invoke(redactor_cli, [str(plan_path) if a == "PLAN" else a for a in args])
    assert result.exit_code == 2 and words in result.stderr and len(result.stderr.strip().splitlines()) == 1, \
        result.output


def test_serve_scans_files_first_and_answers_on_loopback(tmp_path):
    import http.cookiejar
    import urllib.request

    from deskkit import serving

    brief, other = bundle(tmp_path)
    plan_path = tmp_path / "new-plan.json"
    with serving(brief, other, "--plan", plan_path, "--no-nlp", cwd=tmp_path) as url:
        assert url.startswith("http://127.0.0.1:") and "?token=" in url
        assert len(load_plan(plan_path).documents) == 2
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(url) as r:  # the link signs in and lands on the desk
            assert r.status == 200 and "Reviewer's desk" in r.read().decode()
        with opener.open(url.split("?")[0] + "api/state") as r:
            assert json.loads(r.read())["documents"][1]["name"] == "minutes.pdf"


def test_a_port_in_use_is_a_usage_error(plan_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(redactor_cli, ["serve", str(plan_path), "--port", str(port), "--no-browser"])
    assert result.exit_code == 2 and f"cannot listen on 127.0.0.1 port {port}" in result.stderr, result.output


def test_unreadable_pages_are_listed_apart_and_block_release(plan_path):
    """Pages OCR could not read are plan items of their own ("review by
    eye"); the ready check lists them apart, and they block the release
    until a reviewer says they looked."""
    from redactor.review.desk import changes
    from redactor.review.desk.release import readiness
    from redactor.review.plan import UnreadablePage

    plan = load_plan(plan_path)
    for f in plan.entries():
        f[1].status = "accepted"
    plan.documents[0].unreadable = [UnreadablePage(page=3, reason="blank-looking", message="page 3 could not be read")]
    check = readiness(plan, [])
    assert not check["ready"] and check["proposed"] == []
    assert [(u["page"], u["status"]) for u in check["unreadable"]] == [(3, "proposed")]
    with pytest.raises(changes.ChangeError):
        changes.reviewed_by_eye(plan, 0, 2, "A. Reviewer")  # not a page that could not be read
    changes.reviewed_by_eye(plan, 0, 3, "A. Reviewer")
    assert plan.documents[0].unreadable[0].reviewer == "A. Reviewer"
    assert readiness(plan, [])["ready"]
    assert not readiness(plan, [{"name": "briefing.pdf", "problem": "the file has changed"}])["ready"]
