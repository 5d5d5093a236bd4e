"""The review report (internal): one HTML file with every page rendered as
an image and each proposal drawn over it, coloured by exemption and styled
by decision (proposed: dashed; accepted: solid; rejected: dotted and
faded), with its label, and a table of the original texts.

Boxes are positioned in percentages of the page, so they stay on their text
at any zoom. The file holds the redacted content: it is not for release.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pymupdf

from redactor.account.log import atomic_write_text
from redactor.ingest.document import open_pdf
from redactor.review.plan import ManualArea, ManualPage, Plan

COLOURS = {"S40": "#d7263d", "S31": "#1b65d6", "S24": "#7a28cb", "S30": "#0f8a5f", "S38": "#e07a00"}
DEFAULT_COLOUR = "#444444"
DPI = 96


def colour(exemption: str) -> str:
    return COLOURS.get(exemption.split("(")[0].upper(), DEFAULT_COLOUR)


def _box(page_rect: pymupdf.Rect, rect, exemption: str, status: str, label: str, ident: str) -> str:
    w, h = page_rect.width, page_rect.height
    x0, y0, x1, y1 = rect
    style = (f"left:{100 * (x0 - page_rect.x0) / w:.3f}%;top:{100 * (y0 - page_rect.y0) / h:.3f}%;"
             f"width:{100 * (x1 - x0) / w:.3f}%;height:{100 * (y1 - y0) / h:.3f}%;--c:{colour(exemption)}")
    return (f'<div class="box {status}" style="{style}" data-id="{html.escape(ident)}" '
            f'data-status="{status}" data-exemption="{html.escape(exemption)}" title="{html.escape(label)}">'
            f'<span>{html.escape(exemption)}</span></div>')


def _name(d) -> str:
    """[convert] a converted input's part is named like the schedule names it"""
    return d.converted.name if d.converted is not None else Path(d.path).name


def build(plan: Plan, plan_path: Path, out: Path, password: str | None = None) -> int:
    """Write the report; return the number of boxes drawn."""
    from redactor.pipeline import resolve_document_path

    e = html.escape
    parts, rows, count = [], [], 0
    for d in plan.documents:
        if d.kind != "pdf":
            continue
        src = resolve_document_path(Path(d.path), plan_path)
        if d.converted is not None:  # [convert] the PDF it was scanned on, kept beside the plan
            from redactor.ingest.convert.bundle import open_for_plan

            doc = open_for_plan(d, plan, password).doc
        else:
            doc = open_pdf(src, password).doc
        by_page: dict[int, list[str]] = {}
        for f in d.findings:
            for rect in f.rects:
                read = " (read by OCR)" if f.source == "ocr" else ""  # [ocr branch hook]
                by_page.setdefault(f.page, []).append(
                    _box(doc[f.page - 1].rect, rect, f.exemption, f.status, f"{f.category}: {f.text}{read}", f.id))
                count += 1
            rows.append(f"<tr class={f.status}><td>{e(_name(d))}</td><td>{f.page}</td>"
                        f"<td style='color:{colour(f.exemption)}'>{e(f.exemption)}</td><td>{e(f.category)}</td>"
                        f"<td><mark>{e(f.text)}</mark></td><td>{e(f.context_before)} … {e(f.context_after)}</td>"
                        f"<td>{f.status}</td><td>{e(f.reviewer or '')}</td><td>{e(f.rule)} ({f.confidence:.2f})"
                        f"{' OCR' if f.source == 'ocr' else ''}</td></tr>")
        for i, m in enumerate(d.manual):
            page_rect = doc[m.page - 1].rect
            rect = tuple(m.rect) if isinstance(m, ManualArea) else tuple(page_rect)
            what = "area" if isinstance(m, ManualArea) else "whole page withheld"
            by_page.setdefault(m.page, []).append(_box(page_rect, rect, m.exemption, "accepted", what, f"manual-{i + 1}"))
            count += 1
            rows.append(f"<tr class=accepted><td>{e(_name(d))}</td><td>{m.page}</td>"
                        f"<td style='color:{colour(m.exemption)}'>{e(m.exemption)}</td><td>{e(m.category)}</td>"
                        f"<td>({what})</td><td></td><td>accepted</td><td>{e(m.reviewer or '')}</td><td>manual</td></tr>")
        for page in doc:
            png = page.get_pixmap(dpi=DPI).tobytes("png")
            boxes = "".join(by_page.get(page.number + 1, []))
            withheld = any(isinstance(m, ManualPage) and m.page == page.number + 1 for m in d.manual)
            unread = "".join(f"<p class=warn>{e(u.message)}</p>" for u in d.unreadable  # [ocr branch hook]
                             if u.page == page.number + 1 and u.status != "reviewed")
            parts.append(
                f'<section class="page" id="{e(_name(d))}-p{page.number + 1}">'
                f'<h2>{e(_name(d))}, page {page.number + 1}{" (withheld in full)" if withheld else ""}</h2>'
                f'{unread}'
                f'<div class="sheet" style="aspect-ratio:{page.rect.width:.2f}/{page.rect.height:.2f}">'
                f'<img alt="page {page.number + 1}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
                f"{boxes}</div></section>")
    if plan.terms:
        terms = "".join(f"<li><mark>{e(t.text)}</mark> ({e(t.exemption)}, {e(t.reviewer or '')})</li>" for t in plan.terms)
        parts.append(f"<h2>Terms redacted everywhere</h2><ul>{terms}</ul>")
    legend = "".join(f'<span class="key" style="--c:{c}">{k[1:]}</span>' for k, c in COLOURS.items())
    style = (
        "body{font-family:Arial,Helvetica,sans-serif;margin:1.5em;background:#f4f4f4}"
        ".warn{background:#fff3cd;border:1px solid #d39e00;padding:.5em 1em}"
        ".sheet{position:relative;width:min(100%,1000px);background:#fff;box-shadow:0 1px 4px #0004}"
        ".sheet img{position:absolute;inset:0;width:100%;height:100%}"
        ".box{position:absolute;box-sizing:border-box;border:2px solid var(--c);background:color-mix(in srgb,var(--c) 18%,transparent)}"
        ".box.proposed{border-style:dashed}.box.rejected{border-style:dotted;opacity:.45;background:none}"
        ".box span{position:absolute;top:-1.3em;left:0;font-size:11px;color:#fff;background:var(--c);padding:0 3px;white-space:nowrap}"
        ".key{display:inline-block;margin-right:1em;border-left:1em solid var(--c);padding-left:.3em}"
        "table{border-collapse:collapse;background:#fff;width:100%}td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}"
        "tr.rejected td{color:#888;text-decoration:line-through}")
    doc_html = (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Review report: {e(plan_path.name)}</title>"
        f"<style>{style}</style></head><body><h1>Review report: {e(plan_path.name)}</h1>"
        f"<p class=warn><b>INTERNAL - NOT FOR RELEASE.</b> This report shows the content proposed for redaction.</p>"
        f"<p>Exemptions: {legend} Proposed boxes are dashed, accepted solid, rejected dotted.</p>"
        + "".join(parts)
        + "<h2>Findings</h2><table><thead><tr><th>Document</th><th>Page</th><th>Exemption</th><th>Category</th>"
          "<th>Text</th><th>Context</th><th>Status</th><th>Reviewer</th><th>Rule</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table></body></html>\n")
    atomic_write_text(out, doc_html)
    return count
