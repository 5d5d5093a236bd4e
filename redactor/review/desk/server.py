"""Start the desk: bind a port, print the link, open the browser, serve."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable

import uvicorn

from redactor.errors import UsageError
from redactor.review.desk.app import create_app
from redactor.review.desk.session import Desk
from redactor.review.desk.security import Guard, new_token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(desk: Desk, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
          password: str | None = None, open_browser: bool = True,
          say: Callable[[str], None] = print) -> None:
    """Serve ``desk`` until Ctrl-C. A random token guards a loopback desk;
    a shared one (any other host) must be given a token or a password."""
    try:
        sock = bind(host, port)
    except OSError as e:
        desk.close()
        raise UsageError(f"cannot listen on {host} port {port}: {e.strerror or e}") from None
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    hosts = {f"{shown}:{port}", f"localhost:{port}"} if is_loopback(host) else None
    guard = Guard(token=token or new_token(), password=password, hosts=hosts, port=port)
    app = create_app(desk, guard)
    url = f"http://{shown}:{port}/"
    link = f"{url}?token={guard.token}" if token or password is None else url
    say(f"redactor desk for {desk.plan_path.name}: {link}")
    if not is_loopback(host):
        say("  shared on the network: the connection is not encrypted; put the desk behind an HTTPS proxy "
            "or an SSH tunnel when the network is not trusted")
    say("  press Ctrl-C to stop (every decision is already saved in the plan)")
    sys.stdout.flush()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    if open_browser:
        threading.Timer(0.3, webbrowser.open, args=(link,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        desk.close()
        sock.close()
