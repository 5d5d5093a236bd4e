"""Summary of a realworld run: totals, worst files per loss, Markdown and a rich table."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

#: loss kinds: (key in compare totals, what it is). A "content_" key counts
#: page content only, not what annotations and form fields show.
LOSSES = (
    ("words_lost", "words outside boxes lost"),
    ("words_grazed_lost", "words partly under a box that lost characters outside it"),
    ("paths_lost", "vector paths outside boxes lost"),
    ("paths_changed", "vector paths outside boxes changed colour or type"),
    ("paths_touching_removed", "vector paths reaching outside a box, deleted whole"),
    ("images_lost", "images outside boxes lost or no longer decoding"),
    ("images_touching_removed", "images reaching outside a box, deleted whole or undecodable"),
    ("pages_over_pixel_target", "pages with >= 1 pixel-row of difference outside boxes"),
    ("pages_over_pixel_target_shown", "pages over the pixel target with annotations and fields rendered"),
    ("annots_lost", "annotations removed"),
    ("widgets_lost", "form fields removed"),
    ("words_shifted", "words right of a box moved along their line"),
    ("pages_hidden_text_removed_visibly", "pages where text removed as hidden under another's box was visible"),
)
#: kinds that have a page-content-only count
CONTENT = {k: f"content_{k}" for k, _ in LOSSES[:7]} | {"pages_over_pixel_target": "pages_over_pixel_target"}
LOSS_KEYS = set(CONTENT.values()) | {"pages_hidden_text_removed_visibly"}  #: what "any loss of page content" counts
ALL_LOSS_KEYS = {k for k, _ in LOSSES[:11]} | {"pages_hidden_text_removed_visibly"}
WORST = 15


def _t(rec: dict) -> dict:
    return rec.get("compare", {}).get("totals", {})


def outcome(rec: dict) -> str:
    if rec.get("timed_out"):
        return "timeout"
    if rec["exit"] is None:
        return "harness error"
    if rec["exit"] < 0:
        return f"signal {-rec['exit']}"
    return f"exit {rec['exit']}"


def any_loss(rec: dict, keys=LOSS_KEYS) -> bool:
    c = rec.get("compare", {})
    return bool(any(_t(rec).get(k) for k in keys) or (c and "error" not in c and not c.get("page_count_kept")))


def summarise(records: list[dict]) -> dict:
    clean = [r for r in records if not r.get("label")]
    broken = [r for r in records if r.get("label")]
    with_log = [r for r in records if r.get("pages")]
    compared = [r for r in records if "totals" in r.get("compare", {})]
    pages = sum(r["pages"] for r in with_log)
    redactions = sum(r.get("redactions", 0) for r in with_log)
    cats, rules = Counter(), Counter()
    for r in with_log:
        cats.update(r.get("categories", {}))
        rules.update(r.get("rules", {}))
    sums = Counter()
    for r in compared:
        sums.update({k: v for k, v in _t(r).items() if k != "max_pixel_rows"})
    times = [r["time_s"] for r in records]
    cpus = [r["cpu_s"] for r in records if r.get("cpu_s") is not None]
    refused = [r for r in records if r["exit"] == 4]
    return {
        "files": len(records),
        "outcomes": dict(sorted(Counter(outcome(r) for r in clean).items())),
        "outcomes_broken_on_purpose": dict(sorted(Counter(outcome(r) for r in broken).items())),
        "broken_on_purpose": len(broken),
        "timeouts": sum(1 for r in records if r.get("timed_out")),
        "exit_1": sum(1 for r in records if r["exit"] == 1),
        "tracebacks": sum(1 for r in records if r.get("traceback")),
        "inputs_changed": sum(1 for r in records if not r["input_unchanged"]),
        "time_s_total": round(sum(times), 1),
        "time_s_median": round(statistics.median(times), 2) if times else 0,
        "time_s_max": max(times, default=0),
        "cpu_s_total": round(sum(cpus), 1),
        "cpu_s_median": round(statistics.median(cpus), 2) if cpus else 0,
        "cpu_s_max": max(cpus, default=0),
        "peak_rss_mb_max": max((r["peak_rss_mb"] for r in records), default=0),
        "pages_redacted": pages,
        "redactions": redactions,
        "redactions_per_page": round(redactions / pages, 3) if pages else None,
        "files_with_redactions": sum(1 for r in with_log if r.get("redactions")),
        "categories": dict(cats.most_common()),
        "rules": dict(rules.most_common()),
        "compared": len(compared),
        "compare_errors": [(r["file"], r["compare"]["error"]) for r in records if "error" in r.get("compare", {})],
        "page_errors": [(r["file"], p["page"], "; ".join(p["errors"])) for r in compared
                        for p in r["compare"]["pages"] if p.get("errors")],
        "loss": {k: sums.get(k, 0) for k, _ in LOSSES},
        "loss_content": {k: sums.get(c, 0) for k, c in CONTENT.items()},
        "checked": {k: sums.get(k, 0) for k in ("words_checked", "paths_checked", "images_checked", "pages_compared")},
        "images_undecodable_out": sums.get("images_undecodable_out", 0),
        "pages_over_pixel_target_shift_masked": sums.get("pages_over_pixel_target_shift_masked", 0),
        "lost_in_annots": {k: sums.get(f"{k}_lost_in_annots", 0) for k in ("words", "paths", "images")},
        "page_count_changed": sum(1 for r in compared if not r["compare"]["page_count_kept"]),
        "files_with_loss": sum(1 for r in compared if any_loss(r)),
        "files_with_loss_incl_annots": sum(1 for r in compared if any_loss(r, ALL_LOSS_KEYS)),
        "files_with_loss_by_kind": {k: sum(1 for r in compared if _t(r).get(k)) for k, _ in LOSSES},
        "files_with_content_loss_by_kind": {k: sum(1 for r in compared if _t(r).get(c)) for k, c in CONTENT.items()},
        "refusals_by_cause": dict(Counter(r.get("verify_cause", "other") for r in refused).most_common()),
        "refusals_any_cause": dict(sum((Counter(r.get("verify_causes", {}).keys()) for r in refused), Counter())),
        "exit_3_reasons": dict(Counter(_reason(r) for r in records if r["exit"] == 3).most_common()),
        "exit_1_files": [(r["file"], short(r["message"])) for r in records if r["exit"] == 1],
        "timeout_files": [r["file"] for r in records if r.get("timed_out")],
    }


def short(msg: str) -> str:
    """A message with the folders of the PDFs it names taken off."""
    return re.sub(r"[^\s'\"]*/([^/\s'\"]+\.pdf)", r"\1", msg)


def _reason(rec: dict) -> str:
    """The problem of an exit-3 message, without the file name and details."""
    msg = short(rec["message"]).removeprefix("redactor: ")
    msg = msg.split(": ", 1)[1] if ": " in msg else msg
    return msg.split(" (")[0][:80]


def worst(records: list[dict], key: str, n: int = WORST) -> list[dict]:
    rows = [r for r in records if _t(r).get(key)]
    return sorted(rows, key=lambda r: (-_t(r)[key], r["file"]))[:n]


def progress_line(i: int, n: int, rec: dict) -> str:
    t = _t(rec)
    what = outcome(rec)
    if rec.get("compare", {}).get("error"):
        what += f" compare failed ({rec['compare']['error'][:60]})"
    elif t:
        what += (f" {rec.get('redactions', 0)} red.; lost words {t.get('words_lost', 0)} paths {t.get('paths_lost', 0)}"
                 f" images {t.get('images_lost', 0)}; pages over pixel target {t.get('pages_over_pixel_target', 0)}")
    elif rec["exit"]:
        what += f" {short(rec['message'])[:100]}"
    return f"[{i:>3}/{n}] {rec['file']}: {what} ({rec['time_s']:.1f} s)"


def _pct(a: int, b: int) -> str:
    return f"{a} of {b} ({100 * a / b:.1f} %)" if b else f"{a}"


def markdown(run: dict, s: dict, records: list[dict]) -> str:
    out = [f"## Real-world PDFs: `make realworld` ({s['files']} files)", "",
           f"`redactor redact` over every PDF in `{Path(run['folder']).name}/` ({run['jobs']} at a time, "
           f"{run['timeout_s']:g} s timeout), {run['created']}; wall time {run['wall_s']:.0f} s.", "",
           "| outcome | files | broken on purpose |", "|---|---:|---:|"]
    for o in sorted(set(s["outcomes"]) | set(s["outcomes_broken_on_purpose"])):
        out.append(f"| {o} | {s['outcomes'].get(o, 0)} | {s['outcomes_broken_on_purpose'].get(o, 0)} |")
    c = s["checked"]
    out += ["", f"- hangs (timeouts): {s['timeouts']}; exit 1: {s['exit_1']}; tracebacks: {s['tracebacks']}; "
                f"inputs changed: {s['inputs_changed']}",
            f"- time per file: median {s['time_s_median']} s, max {s['time_s_max']} s, total {s['time_s_total']} s; "
            f"peak RSS max {s['peak_rss_mb_max']} MiB",
            f"- CPU time per file (user + system, with the tools it ran): median {s.get('cpu_s_median', 0)} s, "
            f"max {s.get('cpu_s_max', 0)} s, total {s.get('cpu_s_total', 0)} s",
            f"- redactions: {s['redactions']} on {s['pages_redacted']} pages "
            f"({s['redactions_per_page']} per page), in {s['files_with_redactions']} files",
            "", f"### Nothing lost ({s['compared']} outputs compared, {c['pages_compared']} pages)", "",
            "| outside the boxes | all | files | page content only | files |", "|---|---:|---:|---:|---:|"]
    for k, what in LOSSES:
        of = {"words_lost": c["words_checked"], "paths_lost": c["paths_checked"], "images_lost": c["images_checked"],
              "pages_over_pixel_target": c["pages_compared"], "pages_over_pixel_target_shown": c["pages_compared"]}
        extra = f" of {of[k]}" if k in of else ""
        content = (f"{s['loss_content'][k]} | {s['files_with_content_loss_by_kind'][k]}" if k in CONTENT else " | ")
        out.append(f"| {what} | {s['loss'][k]}{extra} | {s['files_with_loss_by_kind'][k]} | {content} |")
    out += [f"| images in the outputs that no longer decode | {s['images_undecodable_out']} | | | |",
            f"| page count changed | {s['page_count_changed']} | | | |",
            "", f"Files with any loss of page content (words, paths, images, pixels, page count): "
                f"**{_pct(s['files_with_loss'], s['compared'])}**; counting annotations and form fields too: "
                f"{_pct(s['files_with_loss_incl_annots'], s['compared'])}. "
                f"Pages over the pixel target with the boxes' lines masked: {s['pages_over_pixel_target_shift_masked']}.",
            "", "Words, paths and images are read with MuPDF, which includes what annotations and form fields "
                "show; pixels are compared with them off (page content), and separately on.",
            "", "### What fired", "", "| category | redactions |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in list(s["categories"].items())[:12]]
    out += ["", "| rule | redactions |", "|---|---:|"]
    out += [f"| `{k}` | {v} |" for k, v in list(s["rules"].items())[:15]]
    out += ["", "### Refusals and failures", "", "| exit 4 (verification failed): first cause | files |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in s["refusals_by_cause"].items()]
    out += ["", "| exit 3 (input): reason | files |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in s["exit_3_reasons"].items()]
    if s["exit_1_files"] or s["timeout_files"]:
        out += ["", "Exit 1 and timeouts:", ""]
        out += [f"- `{f}`: {m}" for f, m in s["exit_1_files"]]
        out += [f"- `{f}`: timeout" for f in s["timeout_files"]]
    if s["compare_errors"] or s["page_errors"]:
        out += ["", "Comparisons that failed (the rest of the file or page was compared):", ""]
        out += [f"- `{f}`: {e}" for f, e in s["compare_errors"]]
        out += [f"- `{f}` page {n}: {e}" for f, n, e in s["page_errors"]]
    for k, what in LOSSES:
        rows = worst(records, k)
        if not rows:
            continue
        out += ["", f"### Worst files: {what}", "", "| file | count | in page content | redactions | pages |",
                "|---|---:|---:|---:|---:|"]
        out += [f"| {r['file']} | {_t(r)[k]} | {_t(r).get(CONTENT.get(k), '')} | {r.get('redactions', 0)} | {r.get('pages')} |"
                for r in rows]
    return "\n".join(out) + "\n"


def print_report(run: dict, s: dict, records: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title=f"realworld: {s['files']} PDFs, {run['wall_s']:.0f} s")
    t.add_column("measure")
    t.add_column("value", justify="right")
    for o in sorted(set(s["outcomes"]) | set(s["outcomes_broken_on_purpose"])):
        t.add_row(o, f"{s['outcomes'].get(o, 0)} (+{s['outcomes_broken_on_purpose'].get(o, 0)} broken on purpose)")
    for k in ("timeouts", "exit_1", "tracebacks", "inputs_changed", "time_s_median", "time_s_max", "cpu_s_median",
              "cpu_s_max", "peak_rss_mb_max",
              "redactions", "pages_redacted", "redactions_per_page", "compared"):
        t.add_row(k.replace("_", " "), str(s[k]))
    for k, what in LOSSES:
        content = f"; page content {s['loss_content'][k]}" if k in CONTENT and k != "pages_over_pixel_target" else ""
        t.add_row(what, f"{s['loss'][k]} ({s['files_with_loss_by_kind'][k]} files){content}")
    t.add_row("files with any loss of page content", _pct(s["files_with_loss"], s["compared"]))
    t.add_row("... or of annotations and form fields", _pct(s["files_with_loss_incl_annots"], s["compared"]))
    t.add_row("refusals by cause", ", ".join(f"{k}: {v}" for k, v in s["refusals_by_cause"].items()))
    t.add_row("top categories", ", ".join(f"{k}: {v}" for k, v in list(s["categories"].items())[:6]))
    t.add_row("top rules", ", ".join(f"{k}: {v}" for k, v in list(s["rules"].items())[:6]))
    con.print(t)
    for k, what in LOSSES[:9]:
        rows = worst(records, k)
        if not rows:
            continue
        w = Table(title=f"worst: {what}")
        for col in ("file", "count", "redactions", "pages", "rules"):
            w.add_column(col, justify="right" if col in ("count", "redactions", "pages") else "left")
        for r in rows:
            top = ", ".join(f"{a} x{b}" for a, b in Counter(r.get("rules", {})).most_common(3))
            w.add_row(r["file"], str(_t(r)[k]), str(r.get("redactions", 0)), str(r.get("pages")), top)
        con.print(w)
