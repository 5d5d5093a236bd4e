"""Who may use the desk, and what a browser may do with it.

* **Session.** The desk prints a link with a random token; opening it sets
  a session cookie (HttpOnly, SameSite=Strict, named for the port) and
  redirects to a URL without the token. A shared desk (``--host``) needs a
  ``--token`` or a password, asked for on a login page.
* **CSRF.** Every change is a POST with JSON, carrying a CSRF token from the
  page in a header, from the desk's own origin.
* **Host.** On the loopback address, requests must name it in ``Host`` (a
  web page elsewhere cannot reach the desk by DNS rebinding).
* **Headers.** A content security policy allowing nothing but the desk
  itself (no outside request of any kind), no caching of pages and images,
  no referrer, no framing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
#: Paths anyone may fetch: the assets (no data in them) and the login.
PUBLIC = ("/static/", "/login")
MIN_TOKEN = 16


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Guard:
    token: str
    password: str | None = None
    #: Host headers accepted (host:port); None accepts any (a shared desk)
    hosts: set[str] | None = None
    port: int = 0
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def _mac(self, what: str) -> str:
        return hmac.new(self.secret, what.encode(), hashlib.sha256).hexdigest()

    @property
    def cookie(self) -> str:
        return f"redactor_desk_{self.port}"

    @property
    def session(self) -> str:
        return self._mac("session")

    @property
    def csrf(self) -> str:
        return self._mac("csrf")

    def signed_in(self, request: Request) -> bool:
        return hmac.compare_digest(request.cookies.get(self.cookie, ""), self.session)

    def sign_in(self, response: Response) -> Response:
        response.set_cookie(self.cookie, self.session, httponly=True, samesite="strict", path="/")
        return response

    def token_ok(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def password_ok(self, given: str) -> bool:
        return self.password is not None and hmac.compare_digest(given.encode(), self.password.encode())


class GuardMiddleware:
    """Pure ASGI middleware: the checks above, before any route runs."""

    def __init__(self, app: ASGIApp, guard: Guard):
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self._check(request)
        if response is None:
            async def send_with_headers(message):
                if message["type"] == "http.response.start":
                    headers = [(k, v) for k, v in message.get("headers", [])
                               if k.decode().lower() not in {h.lower() for h in HEADERS}]
                    headers += [(k.lower().encode(), v.encode()) for k, v in self._headers(request).items()]
                    message = {**message, "headers": headers}
                await send(message)

            await self.app(scope, receive, send_with_headers)
            return
        for k, v in self._headers(request).items():
            response.headers[k] = v
        await response(scope, receive, send)

    def _headers(self, request: Request) -> dict[str, str]:
        headers = dict(HEADERS)
        if request.url.path.startswith("/static/"):
            headers["Cache-Control"] = "no-cache"
        headers["Content-Security-Policy"] = CSP
        return headers

    async def _check(self, request: Request) -> Response | None:
        g = self.guard
        if g.hosts is not None and request.headers.get("host", "") not in g.hosts:
            return PlainTextResponse("This desk answers only on its own address.", status_code=400)
        path = request.url.path
        if request.method not in ("GET", "HEAD"):
            problem = self._csrf_problem(request)
            if problem:
                return JSONResponse({"error": "forbidden", "message": problem}, status_code=403)
        if path == "/login" and request.method == "POST":
            return await self._login(request)
        if path.startswith(PUBLIC):
            return None
        token = request.query_params.get("token")
        if token is not None:
            if g.token_ok(token):
                return g.sign_in(RedirectResponse("/", status_code=303))
            await asyncio.sleep(1)  # slows guessing
            return PlainTextResponse("This link's token is not valid: use the link `redactor serve` printed.",
                                     status_code=403)
        if g.signed_in(request):
            return None
        if path.startswith("/api/") or path.startswith("/out/"):
            return JSONResponse({"error": "signed-out", "message": "Open the desk with the link "
                                 "`redactor serve` printed (or sign in) again."}, status_code=401)
        if g.password is not None:
            return RedirectResponse("/login", status_code=303)
        return PlainTextResponse("Open the desk with the link `redactor serve` printed (it carries a token).",
                                 status_code=403)

    def _csrf_problem(self, request: Request) -> str | None:
        origin = request.headers.get("origin")
        host = request.headers.get("host", "")
        if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
            return "request from another site refused"
        if request.url.path == "/login":
            return None
        if not hmac.compare_digest(request.headers.get("x-csrf-token", ""), self.guard.csrf):
            return "missing or wrong CSRF token: reload the desk"
        if not request.headers.get("content-type", "").startswith("application/json"):
            return "changes are sent as JSON"
        return None

    async def _login(self, request: Request) -> Response:
        body = (await request.body())[:4096].decode("utf-8", "replace")
        form = parse_qs(body)
        given = (form.get("password") or [""])[0]
        if self.guard.password_ok(given) or self.guard.token_ok(given):
            return self.guard.sign_in(RedirectResponse("/", status_code=303))
        await asyncio.sleep(1)
        return RedirectResponse("/login?failed=1", status_code=303)
