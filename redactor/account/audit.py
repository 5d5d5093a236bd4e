"""``redactor audit``: a release checked against its log (and original),
and an internal report of every decision.

The report (HTML, and JSON with ``--json``) holds the redacted content: it
is internal, like the log, and goes beside the log by default. For every
redaction it gives the page, the original text (from the log), category,
exemption, the rule or "manual", confidence, reviewer, decision time and
note, grouped by exemption; then the pages, original and release side by
side, each box numbered as in the tables (a link to an item highlights its
boxes); then the consistency flags (:mod:`redactor.account.flags`).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from redactor.account import belong
from redactor.account.flags import Flag, Item, items_from_log, raise_flags
from redactor.account.provenance import AREA_RULE, PAGE_RULE
from redactor.account.schedule import section_of, title_of
from redactor.detect.findings import normalise

REPORT_SUFFIX = ".NOT-FOR-RELEASE.audit.html"
ZOOM = 1.25


@dataclass
class Audit:
    release: Path
    log: Path
    original: Path | None
    header: dict
    items: list[Item]
    flags: list[Flag]
    checks: list[dict]
    left: dict[str, list[int]] = field(default_factory=dict)

    def by_exemption(self) -> dict[str, list[Item]]:
        groups: dict[str, list[Item]] = defaultdict(list)
        for i in self.items:
            groups[i.exemption].append(i)
        return dict(sorted(groups.items(), key=lambda kv: _section_key(kv[0])))

    def to_dict(self) -> dict:
        h = self.header
        return {
            "release": str(self.release), "log": str(self.log),
            "original": str(self.original) if self.original else None,
            "document": h.get("document"), "created": h.get("created"), "tool_version": h.get("tool_version"),
            "rule_packs": h.get("rule_packs"), "checks": self.checks,
            "supersedes": h.get("supersedes"), "released_on_review": h.get("released_on_review", []),
            "texts_left_readable": self.left,
            "items": [{"n": i.n, "id": i.key, "page": i.page, "kind": i.kind, "text": i.text,
                       "category": i.category, "exemption": i.exemption, "rule": rule_words(i),
                       "confidence": i.confidence, "reviewer": i.reviewer, "decided_at": i.decided_at,
                       "note": i.note, "context": [i.before, i.after], "boxes": i.rects} for i in self.items],
            "by_exemption": {ex: len(group) for ex, group in self.by_exemption().items()},
            "flags": [f.to_dict() for f in self.flags],
        }


def _section_key(code: str):
    digits = "".join(ch for ch in code.split("(")[0] if ch.isdigit())
    return (int(digits) if digits else 999, code)


def rule_words(i: Item) -> str:
    if i.rule == AREA_RULE:
        return "manual (area)"
    if i.rule == PAGE_RULE:
        return "manual (page withheld)"
    return i.rule


def default_report_path(log_path: Path) -> Path:
    from redactor.account.log import LOG_SUFFIX

    name = Path(log_path).name
    stem = name[: -len(LOG_SUFFIX)] if name.endswith(LOG_SUFFIX) else Path(log_path).stem
    return Path(log_path).with_name(stem + REPORT_SUFFIX)


def readable_pages(doc: pymupdf.Document, text: str) -> list[int]:
    """Pages of ``doc`` where ``text`` can be read (whole words, any case and spacing)."""
    rx = re.compile(r"(?<!\w)" + re.escape(normalise(text)) + r"(?!\w)")
    return [p.number + 1 for p in doc if rx.search(normalise(p.get_text()))]


def run(release: Path, log_path: Path, original: Path | None = None, senior: int | None = None,
        password: str | None = None) -> tuple[Audit, pymupdf.Document, pymupdf.Document | None]:
    """Check that the three belong together (belong.Refused otherwise), then
    read the decisions and raise the flags."""
    from redactor.ingest.document import open_pdf

    checked = belong.load_log(log_path)
    belong.check_release(checked, release)
    if original is not None:
        belong.check_original(checked, original)
    rel = open_pdf(release, password).doc
    belong.check_records(checked, rel.page_count)
    orig = None
    if original is not None and Path(original).suffix.lower() == ".pdf":
        orig = open_pdf(original, password).doc
    elif original is not None:  # [convert] the log's boxes are on the PDF it was converted to
        checked.passed("original pages", "not shown: the original is not a PDF (it was converted)")
    items = items_from_log(checked.header, checked.entries)
    kept = checked.header.get("texts_left_readable") or []
    left = {t: readable_pages(rel, t) for t in kept if isinstance(t, str)}
    flags = raise_flags(items, left, senior)
    return Audit(Path(release), Path(log_path), Path(original) if original else None, checked.header, items, flags,
                 checked.checks, left), rel, orig


# --- HTML -------------------------------------------------------------------------------------

COLOURS = {"40": "#c0152f", "31": "#1b5fc9", "24": "#6f23b8", "30": "#0b7250", "38": "#9a5200"}


def _colour(exemption: str) -> str:
    m = re.match(r"\s*[Ss](\d+)", exemption or "")
    return COLOURS.get(m.group(1) if m else "", "#444444")


def _sheet(page: pymupdf.Page, boxes: list[tuple[Item, list]], alt: str) -> str:
    png = page.get_pixmap(matrix=pymupdf.Matrix(ZOOM, ZOOM), alpha=False).tobytes("png")
    W, H = page.rect.width, page.rect.height
    out = []
    for item, rect in boxes:
        r = pymupdf.Rect(rect) * page.rotation_matrix
        r.normalize()
        style = (f"left:{100 * r.x0 / W:.3f}%;top:{100 * r.y0 / H:.3f}%;width:{100 * r.width / W:.3f}%;"
                 f"height:{100 * r.height / H:.3f}%;--c:{_colour(item.exemption)}")
        whole = " whole" if item.kind == "page" else ""
        out.append(f'<a class="box{whole}" href="#item-{item.n}" style="{style}" data-n="{item.n}" '
                   f'title="#{item.n} {html.escape(item.exemption)}"><span>{item.n}</span></a>')
    return (f'<div class="sheet" style="aspect-ratio:{W:.2f}/{H:.2f}"><img alt="{html.escape(alt)}" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode()}">{"".join(out)}</div>')


def html_report(audit: Audit, rel: pymupdf.Document, orig: pymupdf.Document | None) -> str:
    e = html.escape
    h = audit.header
    doc_name = h.get("document") or audit.release.name
    parts = [f"<h1>Audit: {e(doc_name)}</h1>",
             "<p class=warn><b>INTERNAL - NOT FOR RELEASE.</b> This report shows the redacted content.</p>",
             "<h2>Release, log and original</h2><ul class=checks>"]
    parts += [f"<li>✓ <b>{e(c['check'])}</b>: {e(c['detail'])}</li>" for c in audit.checks]
    if audit.original is None:
        parts.append("<li>– <b>original</b>: not given (--original): its SHA-256 was not checked and its pages "
                     "are not shown</li>")
    parts.append("</ul>")
    parts.append(f"<p>Released as <code>{e(str(h.get('output')))}</code> by redactor {e(str(h.get('tool_version')))} "
                 f"on {e(str(h.get('created')))}; rule packs: "
                 f"{e(', '.join(f'{k} {v}' for k, v in (h.get('rule_packs') if isinstance(h.get('rule_packs'), dict) else {}).items()) or 'none')}.</p>")
    prior = h.get("supersedes")
    if isinstance(prior, dict):
        parts.append(f"<p class=note>This release supersedes the release of {e(str(prior.get('created')))} "
                     f"(<code>{e(str(prior.get('output')))}</code>, SHA-256 <code>{e(str(prior.get('output_sha256')))}"
                     f"</code>; log <code>{e(str(prior.get('log')))}</code>, SHA-256 "
                     f"<code>{e(str(prior.get('log_sha256')))}</code>).</p>")
        released = [r for r in h.get("released_on_review") or [] if isinstance(r, dict)]
        if released:
            parts.append("<h3>Released on review</h3><table><thead><tr><th>Page</th><th>Exemption cited before</th>"
                         "<th>Category</th><th>Count</th></tr></thead><tbody>")
            parts += [f"<tr><td>{e(str(r.get('page')))}</td><td>{e(str(r.get('exemption')))}</td>"
                      f"<td>{e(str(r.get('category')))}</td><td>{e(str(r.get('count')))}</td></tr>" for r in released]
            parts.append("</tbody></table>")

    parts.append(f"<h2 id=flags>Consistency flags ({len(audit.flags)})</h2>")
    parts.append("<p class=note>Each flag names the items to look at again; none is a verdict.</p>")
    if not audit.flags:
        parts.append("<p>None raised.</p>")
    by_key = {i.key: i for i in audit.items}
    for f in audit.flags:
        links = " ".join(f'<a href="#item-{by_key[k].n}">#{by_key[k].n}</a>' for k in f.items if k in by_key)
        parts.append(f'<div class="flag" data-kind="{e(f.kind)}"><h3>{e(f.title)}</h3><p>{e(f.message)}</p>'
                     f"<p>Items: {links}</p></div>")

    groups = audit.by_exemption()
    parts.append(f"<h2 id=items>Redactions ({len(audit.items)}), by exemption</h2>")
    for ex, group in groups.items():
        title = title_of(ex)
        parts.append(f'<h3 style="border-left:6px solid {_colour(ex)};padding-left:6px">{e(section_of(ex))}'
                     f"{' (' + e(title) + ')' if title else ''}: {len(group)} item{'s' if len(group) != 1 else ''}"
                     "</h3><table><thead><tr><th>#</th><th>Page</th><th>Original text</th><th>Category</th>"
                     "<th>Rule</th><th>Confidence</th><th>Reviewer</th><th>Decided</th><th>Note</th></tr></thead>"
                     "<tbody>")
        for i in group:
            text = (f"<mark>{e(i.text)}</mark>" if i.text else
                    {"area": "(area drawn by hand)", "page": "(page withheld in full)"}.get(i.kind, ""))
            around = f"<br><small>…{e(i.before[-60:])} [·] {e(i.after[:60])}…</small>" if i.before or i.after else ""
            covered = " <small>(on a page withheld in full)</small>" if i.kind == "covered" else ""
            parts.append(f'<tr id="item-{i.n}"><td>{i.n}</td><td><a href="#page-{i.page}">{i.page}</a></td>'
                         f"<td>{text}{covered}{around}</td><td>{e(i.category)}</td><td>{e(rule_words(i))}</td>"
                         f"<td>{i.confidence:.2f}</td><td>{e(i.reviewer or '(none)')}</td>"
                         f"<td>{e(i.decided_at or '')}</td><td>{e(i.note or '')}</td></tr>")
        parts.append("</tbody></table>")

    by_page: dict[int, list[Item]] = defaultdict(list)
    for i in audit.items:
        by_page[i.page].append(i)
    parts.append("<h2 id=pages>Pages: original and release</h2>")
    for number in sorted(p for p in by_page if 1 <= p <= rel.page_count):
        items = by_page[number]
        withheld = any(i.kind == "page" for i in items)
        sheets = []
        if orig is not None and number <= orig.page_count:
            found = [(i, r) for i in items for r in (i.found or [])]
            sheets.append(f"<figure><figcaption>Original (where each text was found)</figcaption>"
                          f"{_sheet(orig[number - 1], found, f'original, page {number}')}</figure>")
        drawn = [] if withheld else [(i, r) for i in items for r in (i.rects or [])]
        sheets.append(f"<figure><figcaption>Release{' (page withheld in full)' if withheld else ' (boxes as drawn)'}"
                      f"</figcaption>{_sheet(rel[number - 1], drawn, f'release, page {number}')}</figure>")
        counts = Counter(i.exemption for i in items)
        parts.append(f'<section class=page id="page-{number}"><h3>Page {number}: '
                     f"{e(', '.join(f'{ex} ×{n}' for ex, n in sorted(counts.items())))}</h3>"
                     f"<div class=pair>{''.join(sheets)}</div></section>")

    style = (
        "body{font-family:Arial,Helvetica,sans-serif;margin:1.5em;color:#111}"
        ".warn{background:#fff3cd;border:1px solid #d39e00;padding:.5em 1em}.note{color:#444}"
        "table{border-collapse:collapse;width:100%;margin-bottom:1em}th,td{border:1px solid #bbb;padding:3px 6px;"
        "font-size:13px;text-align:left;vertical-align:top}th{background:#eee}tr:target{outline:3px solid #f5a700}"
        ".flag{border-left:5px solid #d39e00;background:#fffbea;padding:.2em 1em;margin:.5em 0}"
        ".flag h3{margin:.3em 0}.pair{display:flex;gap:1em;flex-wrap:wrap}.pair figure{flex:1 1 420px;margin:0}"
        ".sheet{position:relative;width:100%;background:#fff;box-shadow:0 1px 4px #0004}"
        ".sheet img{position:absolute;inset:0;width:100%;height:100%}"
        ".box{position:absolute;box-sizing:border-box;border:2px solid var(--c);"
        "background:color-mix(in srgb,var(--c) 20%,transparent)}"
        ".box span{position:absolute;top:-1.25em;left:0;font-size:11px;color:#fff;background:var(--c);padding:0 3px}"
        ".box.whole span{top:0}.box:hover{outline:3px solid #f5a700}"
        "@media print{.pair figure{flex-basis:45%}section.page{page-break-inside:avoid}}")
    return (f"<!DOCTYPE html><html lang=en-GB><head><meta charset=utf-8><title>Audit: {e(doc_name)}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def write(audit: Audit, rel, orig, report: Path, json_path: Path | None = None) -> None:
    from redactor.account.log import atomic_write_text

    atomic_write_text(report, html_report(audit, rel, orig))
    if json_path is not None:
        atomic_write_text(json_path, json.dumps(audit.to_dict(), ensure_ascii=False, indent=1) + "\n")
