"""The reviewer's desk: review, mark and apply a plan in the browser.

``redactor serve PLAN.json`` starts a small local web application (Starlette
under uvicorn) and opens it in the browser. The plan file stays the single
source of truth: every decision is written to it at once, atomically, with
the reviewer's name and the time, and only if the file is still the version
the browser last saw (its SHA-256: the ETag), so a second tab or a terminal
``redactor review`` gets a conflict, never a silent overwrite.

Modules:

* :mod:`.store`    the plan file: versioned reads, checked writes, undo
* :mod:`.changes`  the decisions a reviewer can make, on a :class:`Plan`
* :mod:`.worker`   the one thread that runs PyMuPDF (it is not thread-safe)
* :mod:`.pages`    page geometry and images, cached and rendered ahead
* :mod:`.textindex` the bundle's text, for search and term previews
* :mod:`.release`  the "ready to release" check and apply with progress
* :mod:`.security` session token or password, CSRF, host and headers
* :mod:`.session`  one desk: what it holds, what the browser is sent, changes
* :mod:`.app`      the routes
* :mod:`.server`   a free port on 127.0.0.1, uvicorn, the browser

The front end (``static/``) is plain HTML, CSS and JavaScript, served by the
desk itself: nothing is fetched from anywhere else.
"""

from redactor.review.desk.app import create_app
from redactor.review.desk.session import Desk

__all__ = ["Desk", "create_app"]
