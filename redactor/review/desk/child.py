"""The desk's PyMuPDF process: it holds the open documents and their text,
and renders, reads, searches and applies on request.

PyMuPDF must not run on several threads at once and holds the GIL while it
works, so it runs here, in a process of its own: the web server stays
responsive while pages are rendered ahead and the text is read, and the
second core does that work. Jobs come one at a time over a pipe
(:class:`redactor.review.desk.worker.Worker` orders them by priority).
"""

from __future__ import annotations

import signal
from pathlib import Path

import pymupdf

from redactor.errors import RedactorError

#: This process's documents (None where a file could not be opened), their
#: geometry and the text read so far, by document and 1-based page.
DOCS: list = []
ROTATE: list[list[tuple | None]] = []
TEXT: list[dict] = []


def serve(conn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        name, args = msg
        try:
            conn.send((True, JOBS[name](*args)))
        except RedactorError as e:
            conn.send((False, ("redactor", str(e), e.problem, e.path, int(e.exit_code), getattr(e, "problems", None))))
        except Exception as e:  # a bug, or a document MuPDF chokes on: the desk says so and goes on
            conn.send((False, ("internal", f"{type(e).__name__}: {e}", None, None, 1, None)))


# --- jobs ----------------------------------------------------------------------------------

def open_documents(specs: list[tuple[str, str | None]], password: str | None) -> list[dict]:
    """``specs``: (kind, path) per plan document. Returns per document its
    SHA-256, the problem if it cannot be opened, and page geometry."""
    from redactor.ingest.document import open_pdf

    for held in (DOCS, ROTATE, TEXT):
        held.clear()
    out = []
    for kind, path in specs:
        info = {"sha256": None, "problem": "", "geometry": []}
        doc = None
        if kind == "pdf":
            try:
                opened = open_pdf(Path(path), password)
            except RedactorError as e:
                info["problem"] = e.problem
            else:
                doc, info["sha256"] = opened.doc, opened.sha256
                info["geometry"] = [_geometry(page) for page in doc]
        DOCS.append(doc)
        ROTATE.append([g["rotate"] if g["rotate"] != (1, 0, 0, 1, 0, 0) else None for g in info["geometry"]])
        TEXT.append({})
        out.append(info)
    return out


def _geometry(page: pymupdf.Page) -> dict:
    shown = page.rect
    unrot = shown * page.derotation_matrix
    return {"width": round(shown.width, 2), "height": round(shown.height, 2),
            "bounds": (round(abs(unrot.width), 2), round(abs(unrot.height), 2)),
            "rotate": tuple(round(v, 6) for v in page.rotation_matrix),
            "derotate": tuple(round(v, 6) for v in page.derotation_matrix)}


def render(d: int, p: int, zoom: float) -> bytes:
    pix = DOCS[d][p - 1].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
    return pix.tobytes("png")


def read_text(d: int, p: int) -> None:
    _page_text(d, p)


def _page_text(d: int, p: int):
    from redactor.review.desk.textindex import read_page

    page = TEXT[d].get(p)
    if page is None:
        page = TEXT[d][p] = read_page(DOCS[d], p - 1)
    return page


def _shown(d: int, p: int, rect) -> list[float]:
    m = ROTATE[d][p - 1]
    if m is None:
        return [round(v, 2) for v in rect]
    r = pymupdf.Rect(rect) * pymupdf.Matrix(m)
    r.normalize()
    return [round(v, 2) for v in r]


def search(text: str, limit: int) -> dict:
    from redactor.pipeline import term_findings
    from redactor.review.plan import Term

    probe = Term(text=text, exemption="S40(2)")
    matches, count = [], 0
    for d, doc in enumerate(DOCS):
        if doc is None:
            continue
        pages = [_page_text(d, p) for p in range(1, doc.page_count + 1)]
        for f in term_findings(pages, [probe], []):
            count += 1
            if len(matches) < limit:
                matches.append({"d": d, "page": f.page, "text": f.text, "before": f.context_before,
                                "after": f.context_after, "rects": [_shown(d, f.page, r) for r in f.rects]})
    return {"query": text, "count": count, "matches": matches, "shown": len(matches)}


def term_hits(d: int, p: int, terms: list[tuple[str, str]]) -> list[dict]:
    from redactor.pipeline import term_findings
    from redactor.review.plan import Term

    found = term_findings([_page_text(d, p)], [Term(text=t, exemption=e) for t, e in terms], [])
    return [{"text": f.text, "exemption": f.exemption, "rects": [_shown(d, p, r) for r in f.rects]} for f in found]


def apply_one(plan_json: str, plan_path: str, i: int, out: str, internal: str, password: str | None,
              taken: list[str] = ()) -> dict:
    from redactor.review.desk.release import apply_document
    from redactor.review.plan import parse_plan

    plan = parse_plan(plan_json.encode("utf-8"), Path(plan_path))
    return apply_document(plan, Path(plan_path), i, Path(out), Path(internal), password, taken)


JOBS = {"open": open_documents, "render": render, "read_text": read_text, "search": search,
        "term_hits": term_hits, "apply": apply_one}
