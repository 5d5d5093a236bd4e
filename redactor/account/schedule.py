"""The redaction schedule, for release: what was withheld, where and under
which exemption, with no redacted content.

A CSV (document, page, exemption, category, count) and a printable HTML
page with the same table and a summary per exemption ready for the refusal
notice (which sections, how many items, on which pages).
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter, defaultdict
from pathlib import Path

from redactor.account.log import COVERED, LogEntry, atomic_write_text
from redactor.detect.rulepack import section_number

FIELDS = ("document", "page", "exemption", "category", "count")
SUFFIX = ".schedule.csv"
#: [convert] How each input that was not a PDF was prepared, and its hidden
#: content (kinds and counts, never the content), in X.schedule.sources.csv.
SOURCE_FIELDS = ("document", "converted_from", "converter", "hidden_content_policy", "hidden_content", "count",
                 "treatment")

#: Headings of the exemptions a police force cites most.
TITLES = {
    "S21": "Information accessible by other means", "S22": "Information intended for future publication",
    "S23": "Information supplied by, or relating to, bodies dealing with security matters",
    "S24": "National security", "S27": "International relations", "S30": "Investigations and proceedings",
    "S31": "Law enforcement", "S38": "Health and safety", "S40": "Personal information",
    "S41": "Information provided in confidence", "S42": "Legal professional privilege",
    "S43": "Commercial interests",
}
CATEGORY_WORDS = {"page_withheld": "page withheld in full", "manual_area": "area redacted by hand",
                  "term": "term redacted throughout",
                  "page_unreadable": "page could not be read by machine (OCR): reviewed by eye"}  # [ocr branch hook]


def default_path(output: Path) -> Path:
    return output.with_name(output.stem + SUFFIX)


def section_of(exemption: str) -> str:
    """'S31(1)(a)' -> 'Section 31(1)(a)'."""
    return "Section " + section_number(exemption)


def title_of(exemption: str) -> str:
    head = exemption.split("(")[0].upper()
    return TITLES.get(head, "")


def rows(document: str, entries: list[LogEntry]) -> list[dict]:
    """Counts of what was applied (a finding on a withheld page is not: the page is)."""
    counts = Counter((e.page, e.exemption, e.category) for e in entries if e.decision != COVERED)
    return [{"document": document, "page": page, "exemption": ex, "category": cat, "count": n}
            for (page, ex, cat), n in sorted(counts.items())]


def source_rows(origins: list[dict]) -> list[dict]:
    """[convert] One row per kind of hidden content (and one per note) of
    each converted document; no content, no attachment names."""
    out = []
    for o in origins:
        base = {"document": o.get("name", ""), "converted_from": o.get("format", ""),
                "converter": o.get("converter", ""), "hidden_content_policy": o.get("hidden_content_policy") or "-"}
        groups: dict[tuple[str, str], int] = {}
        for item in o.get("hidden_content", []):
            key = (item.get("kind", ""), item.get("treatment", ""))
            groups[key] = groups.get(key, 0) + 1
        for (kind, treatment), n in sorted(groups.items()):
            out.append({**base, "hidden_content": kind.replace("_", " "), "count": n, "treatment": treatment})
        for note in o.get("notes", []):
            out.append({**base, "hidden_content": "-", "count": 0, "treatment": note})
        if not groups and not o.get("notes"):
            out.append({**base, "hidden_content": "none found" if o.get("hidden_content_policy") else "-",
                        "count": 0, "treatment": ""})
    return out


def texts(path: Path, table: list[dict], title: str, origins: list[dict] = (),
          notes: list[str] = (), released: list[dict] = ()) -> list[tuple[Path, str]]:
    """The schedule's files and their contents: CSV, printable HTML and, for
    converted inputs, the sources CSV (how each was prepared and what hidden
    content it held); for a revised release, what was released on review
    (``released``: rows like the schedule's, in X.schedule.released.csv)."""
    path = Path(path)
    sources = source_rows(list(origins))
    out = [(path, csv_text(table)), (path.with_suffix(".html"), html_text(table, title, notes, sources, released))]
    if sources:
        out.append((sources_path(path), csv_text(sources, SOURCE_FIELDS)))
    if released:  # [audit]
        out.append((released_path(path), csv_text(list(released))))
    return out


def write_all(path: Path, table: list[dict], title: str, origins: list[dict] = (), notes: list[str] = ()) -> None:
    for where, text in texts(path, table, title, origins, notes):
        atomic_write_text(where, text)


def sources_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).stem + ".sources.csv")


def released_path(path: Path) -> Path:
    """[audit] What a revised release discloses that the release it replaces withheld."""
    return Path(path).with_name(Path(path).stem + ".released.csv")


#: What a spreadsheet may read as a formula at the start of a cell (OWASP,
#: "CSV Injection"): such a cell gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value):
    """A text cell that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(table: list[dict], fields=FIELDS) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows({k: neutralise(v) for k, v in row.items()} for row in table)
    return buf.getvalue()


def write_csv(path: Path, table: list[dict]) -> None:
    atomic_write_text(path, csv_text(table))


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return [{**r, "page": int(r["page"]), "count": int(r["count"])} for r in csv.DictReader(f)]


def summary(table: list[dict]) -> list[dict]:
    """Per exemption: items, and the pages of each document it applies to."""
    by_ex: dict[str, dict] = defaultdict(lambda: {"items": 0, "withheld_pages": 0, "pages": defaultdict(set)})
    for r in table:
        if not r["exemption"]:  # [ocr branch hook] an unreadable page: listed, no exemption
            continue
        s = by_ex[r["exemption"]]
        s["items"] += r["count"]
        if r["category"] == "page_withheld":
            s["withheld_pages"] += r["count"]
        s["pages"][r["document"]].add(r["page"])
    out = []
    for ex in sorted(by_ex, key=lambda e: (int("".join(ch for ch in e.split("(")[0] if ch.isdigit()) or 0), e)):
        s = by_ex[ex]
        out.append({"exemption": ex, "section": section_of(ex), "title": title_of(ex), "items": s["items"],
                    "withheld_pages": s["withheld_pages"],
                    "pages": {doc: sorted(p) for doc, p in sorted(s["pages"].items())}})
    return out


def _pages_text(pages: list[int]) -> str:
    """[1, 2, 3, 5] -> '1-3, 5'."""
    out, run = [], []
    for p in pages + [None]:
        if run and (p is None or p != run[-1] + 1):
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            run = []
        if p is not None:
            run.append(p)
    return ", ".join(out)


def notice_lines(table: list[dict]) -> list[str]:
    """Sentences for the refusal notice."""
    lines = []
    for s in summary(table):
        where = "; ".join(f"{doc}, page{'s' if len(p) > 1 else ''} {_pages_text(p)}" for doc, p in s["pages"].items())
        what = f"{s['items']} item{'s' if s['items'] != 1 else ''}"
        if s["withheld_pages"]:
            what += f" (of which {s['withheld_pages']} page{'s' if s['withheld_pages'] != 1 else ''} withheld in full)"
        title = f" ({s['title']})" if s["title"] else ""
        lines.append(f"{s['section']}{title}: {what} in {where}.")
    return lines


#: What the schedule says when boxes show how long each redacted text was.
KEEP_LAYOUT_NOTE = ("The redaction boxes in this release are as wide as the text they replace, so they show how "
                    "long each withheld text was.")


def layout_note(keep_layout: bool, pages: list[int]) -> str | None:
    """The schedule's warning about boxes that show the width of what they hide, if any."""
    if keep_layout:
        return KEEP_LAYOUT_NOTE
    if pages:
        listed = ", ".join(str(p) for p in sorted(pages))
        return (f"On page{'s' if len(pages) > 1 else ''} {listed} some redaction boxes are as wide as the text they "
                f"replace, so they show how long that text was.")
    return None


def write_html(path: Path, table: list[dict], title: str = "Redaction schedule", notes: list[str] = (),
               sources: list[dict] = ()) -> None:
    atomic_write_text(path, html_text(table, title, notes, sources))


def html_text(table: list[dict], title: str = "Redaction schedule", notes: list[str] = (),
              sources: list[dict] = (), released: list[dict] = ()) -> str:
    e = html.escape
    body = [f"<h1>{e(title)}</h1>",
            "<p class=note>This schedule lists what was withheld and why. It contains no withheld information.</p>"]
    body += [f"<p class=warn>{e(n)}</p>" for n in notes]
    body += ["<h2>Summary for the refusal notice</h2>", "<ul>"]
    body += [f"<li>{e(line)}</li>" for line in notice_lines(table)] or ["<li>Nothing was withheld.</li>"]
    body += ["</ul>", "<h2>Schedule by document and page</h2>",
             "<table><thead><tr><th>Document</th><th>Page</th><th>Exemption</th><th>What</th><th>Count</th></tr>"
             "</thead><tbody>"]
    for r in table:
        what = CATEGORY_WORDS.get(r["category"], r["category"].replace("_", " "))
        section = section_of(r["exemption"]) if r["exemption"] else "-"
        body.append(f"<tr><td>{e(r['document'])}</td><td>{r['page']}</td><td>{e(section)}</td>"
                    f"<td>{e(what)}</td><td>{r['count']}</td></tr>")
    body.append("</tbody></table>")
    if sources:  # [convert]
        body += ["<h2>Documents converted to PDF, and their hidden content</h2>",
                 "<table><thead><tr><th>Document</th><th>From</th><th>Converter</th><th>Hidden content policy</th>"
                 "<th>Hidden content</th><th>Count</th><th>What was done</th></tr></thead><tbody>"]
        body += [f"<tr><td>{e(r['document'])}</td><td>{e(r['converted_from'])}</td><td>{e(r['converter'])}</td>"
                 f"<td>{e(r['hidden_content_policy'])}</td><td>{e(r['hidden_content'])}</td><td>{r['count']}</td>"
                 f"<td>{e(r['treatment'])}</td></tr>" for r in sources]
        body.append("</tbody></table>")
    if released:  # [audit] a revised release: what the earlier one withheld and this one discloses
        body += ["<h2>Released on internal review</h2>",
                 "<p class=note>Withheld in the earlier release and disclosed in this one.</p>",
                 "<table><thead><tr><th>Document</th><th>Page</th><th>Exemption cited before</th><th>What</th>"
                 "<th>Count</th></tr></thead><tbody>"]
        body += [f"<tr><td>{e(r['document'])}</td><td>{r['page']}</td><td>{e(section_of(r['exemption']))}</td>"
                 f"<td>{e(CATEGORY_WORDS.get(r['category'], r['category'].replace('_', ' ')))}</td>"
                 f"<td>{r['count']}</td></tr>" for r in released]
        body.append("</tbody></table>")
    style = ("body{font-family:Arial,Helvetica,sans-serif;margin:2em;color:#111}table{border-collapse:collapse;"
             "width:100%}th,td{border:1px solid #999;padding:4px 8px;text-align:left}th{background:#eee}"
             ".note{color:#444}.warn{border-left:4px solid #b60;padding-left:8px}@media print{body{margin:0}h2{page-break-after:avoid}tr{page-break-inside:avoid}}")
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")
