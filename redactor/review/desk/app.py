"""The desk's routes.

Pages and findings are named by numbers (document index, page number,
finding id): no request names a file, so none can reach outside the bundle.
Every change is ``POST /api/change`` (or ``/api/undo``, ``/api/apply``)
with the plan version the browser last saw in ``If-Match``; a stale version
gets 409 and a message, never a silent overwrite.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from pathlib import Path
from string import Template

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from redactor.errors import PlanError, RedactorError
from redactor.review.desk import changes
from redactor.review.desk.changes import ChangeError
from redactor.review.desk.pages import THUMB, ZOOMS
from redactor.review.desk.release import readiness
from redactor.review.desk.security import Guard, GuardMiddleware
from redactor.review.desk.session import DEFAULT_ZOOM, Desk
from redactor.review.desk.store import NothingToUndo
from redactor.review.desk.worker import AHEAD, NOW
from redactor.review.plan import PlanConflict

STATIC = Path(__file__).resolve().parent / "static"


def _error(e: Exception) -> JSONResponse:
    if isinstance(e, PlanConflict):
        return JSONResponse({"error": "conflict", "message": e.problem}, status_code=409)
    if isinstance(e, (ChangeError, NothingToUndo)):
        return JSONResponse({"error": "invalid", "message": e.problem}, status_code=400)
    if isinstance(e, PlanError):  # the file itself is broken (edited by hand?)
        return JSONResponse({"error": "plan", "message": str(e)}, status_code=409)
    raise e


def create_app(desk: Desk, guard: Guard) -> Starlette:
    page = Template((STATIC / "desk.html").read_text(encoding="utf-8"))
    login_page = Template((STATIC / "login.html").read_text(encoding="utf-8"))

    async def index(request: Request) -> Response:
        return HTMLResponse(page.substitute(title=html.escape(desk.plan_path.name), csrf=html.escape(guard.csrf)))

    async def login(request: Request) -> Response:
        failed = "The password was not accepted." if request.query_params.get("failed") else ""
        return HTMLResponse(login_page.substitute(title=html.escape(desk.plan_path.name), failed=html.escape(failed)))

    async def state(request: Request) -> Response:
        data, version = await run_in_threadpool(desk.state_json)
        return Response(data, media_type="application/json", headers={"ETag": f'"{version}"'})

    async def version(request: Request) -> Response:
        v = await run_in_threadpool(desk.store.version)
        return JSONResponse({"version": v, "undo": desk.store.can_undo})

    async def progress(request: Request) -> Response:
        """How far the background work has gone (page images, text)."""
        rendered, pages = desk.pages.rendered()
        read, _ = desk.text.progress()
        return JSONResponse({"pages": pages, "rendered": rendered, "text_read": read})

    async def page_image(request: Request) -> Response:
        d, p = request.path_params["d"], request.path_params["p"]
        try:
            zoom = float(request.query_params.get("z", DEFAULT_ZOOM))
        except ValueError:
            zoom = -1.0
        if zoom not in ZOOMS or not desk.pages.has(d, p):
            return JSONResponse({"error": "invalid", "message": "no such page or zoom"}, status_code=404)
        try:
            fit = float(request.query_params["fit"]) if "fit" in request.query_params else None
        except ValueError:
            fit = None
        fit = fit if fit and 100 <= fit <= 10_000 else None
        # the page shown first; thumbnails and the browser's own read-ahead after it
        priority = AHEAD if zoom == THUMB or request.query_params.get("ahead") else NOW
        try:
            data = await asyncio.wrap_future(desk.pages.image(d, p, zoom, priority))
        except RedactorError as e:
            return JSONResponse({"error": "invalid", "message": f"page {p} cannot be shown: {e.problem}"},
                                status_code=500)
        if zoom != THUMB:
            desk.pages.ahead(d, p, zoom, fit)
        return Response(data, media_type="image/png")

    async def term_hits(request: Request) -> Response:
        d, p = request.path_params["d"], request.path_params["p"]
        if not desk.pages.has(d, p):
            return JSONResponse({"error": "invalid", "message": "no such page"}, status_code=404)
        plan, _ = await run_in_threadpool(desk.store.read)
        return JSONResponse(await desk.text.term_hits(d, p, list(plan.terms)))

    async def search(request: Request) -> Response:
        q = " ".join(request.query_params.get("q", "").split())[:changes.MAX_TERM]
        if not q:
            return JSONResponse({"error": "invalid", "message": "type something to search for"}, status_code=400)
        return JSONResponse(await desk.text.search(q))

    async def change(request: Request) -> Response:
        body = await _json(request)
        if isinstance(body, Response):
            return body
        try:
            return JSONResponse(await run_in_threadpool(desk.change, _if_match(request), body))
        except Exception as e:
            return _error(e)

    async def undo(request: Request) -> Response:
        try:
            return JSONResponse(await run_in_threadpool(desk.undo, _if_match(request)))
        except Exception as e:
            return _error(e)

    async def ready(request: Request) -> Response:
        plan, v = await run_in_threadpool(desk.store.read)
        return JSONResponse({**readiness(plan, desk.documents), "version": v,
                             "release": desk.releaser.current.view()})

    async def apply(request: Request) -> Response:
        plan, v = await run_in_threadpool(desk.store.read)
        if _if_match(request) != v:
            return JSONResponse({"error": "conflict", "message": "The plan was changed elsewhere since this page "
                                 "loaded: reload and check it before applying."}, status_code=409)
        check = readiness(plan, desk.documents)
        if not check["ready"]:
            return JSONResponse({"error": "invalid", "message": "Not ready to release: decide on every proposed "
                                 "finding and unreadable page first."}, status_code=400)
        return JSONResponse(desk.releaser.start(plan, v).view())

    async def audit(request: Request) -> Response:  # [audit] the consistency flags of the plan as it is now
        from redactor.review.desk.auditview import audit_view

        plan, v = await run_in_threadpool(desk.store.read)
        return JSONResponse({**audit_view(plan), "version": v})

    async def apply_status(request: Request) -> Response:
        return JSONResponse(desk.releaser.current.view())

    async def output(request: Request) -> Response:
        path = desk.releaser.current.files.get(request.path_params["name"])
        if path is None or not path.is_file():
            return JSONResponse({"error": "invalid", "message": "no such output"}, status_code=404)
        media = {".pdf": "application/pdf", ".csv": "text/csv", ".html": "text/html"}[path.suffix]
        return FileResponse(path, media_type=media, content_disposition_type="inline", filename=path.name)

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    assets = {name: (STATIC / name).read_bytes() for name in ("desk.js", "desk.css", "audit.js")}
    types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in assets:
            return PlainTextResponse("not found", status_code=404)
        return Response(assets[name], media_type=types[Path(name).suffix])

    routes = [
        Route("/", index),
        Route("/favicon.ico", no_icon),
        Route("/login", login),
        Route("/api/state", state),
        Route("/api/version", version),
        Route("/api/progress", progress),
        Route("/api/page/{d:int}/{p:int}", page_image),
        Route("/api/terms/{d:int}/{p:int}", term_hits),
        Route("/api/search", search),
        Route("/api/change", change, methods=["POST"]),
        Route("/api/undo", undo, methods=["POST"]),
        Route("/api/ready", ready),
        Route("/api/apply", apply, methods=["POST"]),
        Route("/api/apply", apply_status, methods=["GET"]),
        Route("/api/audit", audit),  # [audit]
        Route("/out/{name}", output),
        Route("/static/{name}", asset),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        desk.start_background()
        yield

    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(GuardMiddleware, guard=guard)],
                     max_body_size=1024 * 1024)


def _if_match(request: Request) -> str:
    return request.headers.get("if-match", "").strip().strip('"')


async def _json(request: Request):
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "invalid", "message": "the request is not JSON"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "invalid", "message": "the request is not a JSON object"}, status_code=400)
    return body
