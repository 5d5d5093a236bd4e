"""``redactor stats``: figures for the FOI team over many audit logs.

Inputs are logs, folders of logs, or a batch manifest (``manifest.jsonl``,
whose records name each file's log). Every log is checked first (hash
chain, and anchor with the team's key); one that fails is listed and not
counted. A log superseded by another one in the set (``redactor reopen``,
then ``apply``) is counted through its revision only.

Figures (no redacted content): items per exemption and category (as the
schedule counts them: a withheld page is one item), pages withheld, per
rule the findings accepted and rejected by a reviewer (rejections come
from the ``rejected_findings`` counts apply logs since issue 15; logs
without them are said to be so), items applied with no reviewer decision,
and each reviewer's workload. The HTML page adds a bar chart of accepted
and rejected findings per rule (inline SVG): a rule reviewers mostly reject
is a rule to fix.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from redactor.account.log import LOG_SUFFIX, check_log, read_log
from redactor.account.provenance import COVERED
from redactor.errors import UsageError

#: Rules that are a reviewer's own marks, not detection: not in the per-rule table.
NOT_DETECTION = ("plan.", "reopen.")


@dataclass
class RuleRow:
    rule: str
    accepted: int = 0  #: by a person
    auto: int = 0  #: applied with no person's decision
    rejected: int = 0

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected

    @property
    def rejected_share(self) -> float | None:
        return self.rejected / self.decided if self.decided else None


@dataclass
class ReviewerRow:
    reviewer: str
    accepted: int = 0
    rejected: int = 0
    documents: set = field(default_factory=set)
    first: str | None = None
    last: str | None = None

    def saw(self, when: str | None) -> None:
        if when:
            self.first = min(self.first or when, when)
            self.last = max(self.last or when, when)


@dataclass
class Stats:
    logs: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  #: (log, why it was not counted)
    superseded: list[str] = field(default_factory=list)
    pages: int = 0
    pages_withheld: int = 0
    by_exemption: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    by_pair: Counter = field(default_factory=Counter)
    rules: dict[str, RuleRow] = field(default_factory=dict)
    reviewers: dict[str, ReviewerRow] = field(default_factory=dict)
    no_rejections_recorded: list[str] = field(default_factory=list)
    released_on_review: int = 0

    def rule(self, name: str) -> RuleRow:
        return self.rules.setdefault(name, RuleRow(name))

    def reviewer(self, name: str) -> ReviewerRow:
        return self.reviewers.setdefault(name, ReviewerRow(name))

    def to_dict(self) -> dict:
        return {
            "logs": self.logs, "not_counted": [{"log": p, "why": w} for p, w in self.skipped],
            "superseded": self.superseded, "pages": self.pages, "pages_withheld": self.pages_withheld,
            "items_by_exemption": dict(sorted(self.by_exemption.items())),
            "items_by_category": dict(sorted(self.by_category.items())),
            "items_by_exemption_and_category": [{"exemption": ex, "category": c, "items": n}
                                                for (ex, c), n in sorted(self.by_pair.items())],
            "rules": [{"rule": r.rule, "accepted": r.accepted, "rejected": r.rejected, "auto": r.auto,
                       "rejected_share": r.rejected_share} for r in self.rule_rows()],
            "reviewers": [{"reviewer": r.reviewer, "accepted": r.accepted, "rejected": r.rejected,
                           "documents": len(r.documents), "first": r.first, "last": r.last}
                          for r in self.reviewer_rows()],
            "logs_without_rejection_counts": self.no_rejections_recorded,
            "released_on_review": self.released_on_review,
        }

    def rule_rows(self) -> list[RuleRow]:
        return sorted(self.rules.values(), key=lambda r: (-(r.rejected_share or 0), -r.decided, r.rule))

    def reviewer_rows(self) -> list[ReviewerRow]:
        return sorted(self.reviewers.values(), key=lambda r: (-(r.accepted + r.rejected), r.reviewer))


# --- inputs ---------------------------------------------------------------------------------------

def log_paths(inputs: list[Path]) -> list[Path]:
    """Logs named directly, found in folders (``*.log.jsonl``), or named by
    batch manifests."""
    out: list[Path] = []
    for p in map(Path, inputs):
        if p.is_dir():
            out += sorted(x for x in p.rglob("*.log.jsonl") if _is_log(x))
        elif not p.exists():
            raise UsageError("no such file or folder", p)
        elif _is_log(p):
            out.append(p)
        else:
            out += _from_manifest(p)
    if not out:
        raise UsageError("no audit logs found in " + ", ".join(map(str, inputs)))
    return list(dict.fromkeys(out))


def _is_log(path: Path) -> bool:
    """Whether the file starts like a redactor log (a header line); a log
    whose first line is damaged is named by its suffix, and then fails its check."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            first = f.readline(1 << 20)
        record = json.loads(first)
    except (OSError, ValueError):
        return Path(path).name.endswith(LOG_SUFFIX)
    return isinstance(record, dict) and record.get("type") == "header"


def _from_manifest(path: Path) -> list[Path]:
    logs = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot be read as a batch manifest: {getattr(e, 'strerror', None) or e}", path) from None
    for line in lines:
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by a kill, as batch reads it
        if isinstance(r, dict) and r.get("status") == "done" and isinstance(r.get("log"), str):
            logs.append(path.parent / r["log"])
    if not logs:
        raise UsageError("is neither an audit log nor a batch manifest with finished files", path)
    return logs


# --- counting ---------------------------------------------------------------------------------------

def collect(inputs: list[Path]) -> Stats:
    stats = Stats()
    loaded = []
    for path in log_paths(inputs):
        status = check_log(path)
        if not status.ok:
            stats.skipped.append((str(path), status.message))
            continue
        header, entries = read_log(path)
        loaded.append((path, hashlib.sha256(path.read_bytes()).hexdigest(), header, entries))
    replaced = {h["supersedes"].get("log_sha256") for _, _, h, _ in loaded if isinstance(h.get("supersedes"), dict)}
    for path, sha, header, entries in loaded:
        if sha in replaced:
            stats.superseded.append(str(path))
            continue
        _count(stats, path, header, entries)
    return stats


def _count(stats: Stats, path: Path, header: dict, entries: list[dict]) -> None:
    stats.logs.append(str(path))
    doc = header.get("document") if isinstance(header.get("document"), str) else path.name
    stats.pages += header.get("pages") if isinstance(header.get("pages"), int) else 0
    stats.pages_withheld += len(header.get("pages_withheld") or []) if isinstance(header.get("pages_withheld"), list) else 0
    released = header.get("released_on_review") if isinstance(header.get("released_on_review"), list) else []
    stats.released_on_review += sum(r.get("count") for r in released
                                    if isinstance(r, dict) and isinstance(r.get("count"), int))
    for e in entries:  # a log rewritten without the key may hold odd types: read them as text
        ex, cat, rule = (str(e.get(k) or "") for k in ("exemption", "category", "rule"))
        who = e.get("reviewer") if isinstance(e.get("reviewer"), str) else None
        if e.get("decision") != COVERED:  # as the schedule counts: the withheld page is the item
            stats.by_exemption[ex] += 1
            stats.by_category[cat] += 1
            stats.by_pair[(ex, cat)] += 1
        auto = not who or str(who).lower().startswith("auto")
        if not rule.startswith(NOT_DETECTION):
            row = stats.rule(rule)
            if auto:
                row.auto += 1
            else:
                row.accepted += 1
        if not auto:
            r = stats.reviewer(who)
            r.accepted += 1
            r.documents.add(doc)
            r.saw(e.get("decided_at") if isinstance(e.get("decided_at"), str) else None)
    rejected = header.get("rejected_findings")
    if not isinstance(rejected, list):
        stats.no_rejections_recorded.append(str(path))
        return
    for r in rejected:
        if not isinstance(r, dict):
            continue
        n = r.get("count") if isinstance(r.get("count"), int) and not isinstance(r.get("count"), bool) else 0
        if not str(r.get("rule", "")).startswith(NOT_DETECTION):
            stats.rule(str(r.get("rule"))).rejected += n
        who = r.get("reviewer") if isinstance(r.get("reviewer"), str) and r.get("reviewer") else "(not recorded)"
        row = stats.reviewer(who)
        row.rejected += n
        row.documents.add(doc)


# --- output -----------------------------------------------------------------------------------------

def terminal(stats: Stats, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    if not console.is_terminal:  # piped: wide enough that rule ids are never cut
        console = Console(width=160)
    console.print(f"{len(stats.logs)} log(s) counted, {stats.pages} page(s), {stats.pages_withheld} withheld in full"
                  + (f"; {len(stats.superseded)} superseded by a revision in the set" if stats.superseded else "")
                  + (f"; {stats.released_on_review} item(s) released on review" if stats.released_on_review else ""))
    t = Table(title="Items per exemption and category")
    for c in ("exemption", "category", "items"):
        t.add_column(c, justify="right" if c == "items" else "left")
    for (ex, cat), n in sorted(stats.by_pair.items()):
        t.add_row(ex, cat, str(n))
    console.print(t)
    t = Table(title="Findings per rule: accepted and rejected by reviewers")
    for c in ("rule", "accepted", "rejected", "rejected share", "no decision (auto)"):
        t.add_column(c, justify="left" if c == "rule" else "right", overflow="fold")
    for r in stats.rule_rows():
        share = f"{100 * r.rejected_share:.0f}%" if r.rejected_share is not None else "-"
        t.add_row(r.rule, str(r.accepted), str(r.rejected), share, str(r.auto))
    console.print(t)
    t = Table(title="Reviewers")
    for c in ("reviewer", "accepted", "rejected", "documents", "first decision", "last decision"):
        t.add_column(c, justify="left" if c in ("reviewer", "first decision", "last decision") else "right",
                     overflow="fold")
    for r in stats.reviewer_rows():
        t.add_row(r.reviewer, str(r.accepted), str(r.rejected), str(len(r.documents)), r.first or "-", r.last or "-")
    console.print(t)
    for p, why in stats.skipped:
        console.print(f"[bold red]not counted[/]: {p}: {why}", highlight=False)
    if stats.no_rejections_recorded:
        console.print(f"{len(stats.no_rejections_recorded)} log(s) record no rejections (made by `redact`, or "
                      "before rejections were logged): their rules' rejected counts are unknown", highlight=False)


def svg_rules(rows: list[RuleRow], width: int = 640) -> str:
    """Horizontal bars: accepted (green, solid) and rejected (red, hatched) per rule."""
    rows = [r for r in rows if r.decided][:25]
    if not rows:
        return ""
    e = html.escape
    label_w, bar_w, h = 230, width - 230 - 70, 20
    top = max(r.decided for r in rows)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{len(rows) * (h + 6) + 30}" '
           f'aria-labelledby="chart-title"><title id="chart-title">Findings accepted and rejected by reviewers, '
           f'per rule</title><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#c0152f"/>'
           f'<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>']
    for k, r in enumerate(rows):
        y = 4 + k * (h + 6)
        a = bar_w * r.accepted / top
        b = bar_w * r.rejected / top
        share = f"{100 * r.rejected_share:.0f}% rejected"
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">{e(r.rule[:34])}</text>'
                   f'<rect x="{label_w}" y="{y}" width="{a:.1f}" height="{h}" fill="#0b7250">'
                   f'<title>{e(r.rule)}: {r.accepted} accepted</title></rect>'
                   f'<rect x="{label_w + a:.1f}" y="{y}" width="{b:.1f}" height="{h}" fill="url(#hatch)">'
                   f'<title>{e(r.rule)}: {r.rejected} rejected</title></rect>'
                   f'<text x="{label_w + a + b + 4:.1f}" y="{y + 14}" font-size="11">{share}</text>')
    y = len(rows) * (h + 6) + 18
    out.append(f'<rect x="{label_w}" y="{y - 10}" width="12" height="12" fill="#0b7250"/>'
               f'<text x="{label_w + 16}" y="{y}" font-size="11">accepted</text>'
               f'<rect x="{label_w + 90}" y="{y - 10}" width="12" height="12" fill="url(#hatch)"/>'
               f'<text x="{label_w + 106}" y="{y}" font-size="11">rejected</text></svg>')
    return "".join(out)


def html_text(stats: Stats) -> str:
    e = html.escape

    def table(head: list[str], rows: list[list]) -> str:
        return ("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>"
                + "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
                + "</tbody></table>")

    parts = ["<h1>Redaction statistics</h1>",
             "<p class=note>Internal: counts, rule ids and reviewers' names; no redacted content.</p>",
             f"<p>{len(stats.logs)} log(s) counted, {stats.pages} page(s), {stats.pages_withheld} withheld in full"
             + (f"; {len(stats.superseded)} superseded by a revision in the set (counted through it)"
                if stats.superseded else "")
             + (f"; {stats.released_on_review} item(s) released on review" if stats.released_on_review else "")
             + ".</p>"]
    if stats.skipped:
        parts.append("<p class=warn>Not counted (the log fails its check):</p><ul>"
                     + "".join(f"<li>{e(p)}: {e(w)}</li>" for p, w in stats.skipped) + "</ul>")
    parts += ["<h2>Items per exemption</h2>", table(["exemption", "items"], sorted(stats.by_exemption.items())),
              "<h2>Items per exemption and category</h2>",
              table(["exemption", "category", "items"], [[ex, c, n] for (ex, c), n in sorted(stats.by_pair.items())]),
              "<h2>Findings per rule: accepted and rejected by reviewers</h2>",
              "<p class=note>A rule reviewers reject most of the time is a rule to fix. Items applied with no "
              "person's decision (auto) are not in the share.</p>", svg_rules(stats.rule_rows()),
              table(["rule", "accepted", "rejected", "rejected share", "no decision (auto)"],
                    [[r.rule, r.accepted, r.rejected,
                      f"{100 * r.rejected_share:.0f}%" if r.rejected_share is not None else "-", r.auto]
                     for r in stats.rule_rows()])]
    if stats.no_rejections_recorded:
        parts.append(f"<p class=warn>{len(stats.no_rejections_recorded)} log(s) record no rejections (made by "
                     "<code>redact</code>, or before rejections were logged): their rules' rejected counts are "
                     "unknown.</p>")
    parts += ["<h2>Reviewers</h2>",
              table(["reviewer", "accepted", "rejected", "documents", "first decision", "last decision"],
                    [[r.reviewer, r.accepted, r.rejected, len(r.documents), r.first or "-", r.last or "-"]
                     for r in stats.reviewer_rows()])]
    style = ("body{font-family:Arial,Helvetica,sans-serif;margin:2em;color:#111}table{border-collapse:collapse;"
             "margin-bottom:1em}th,td{border:1px solid #999;padding:3px 8px;text-align:left}th{background:#eee}"
             ".note{color:#444}.warn{border-left:4px solid #b60;padding-left:8px}")
    return (f"<!DOCTYPE html><html lang=en-GB><head><meta charset=utf-8><title>Redaction statistics</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")
