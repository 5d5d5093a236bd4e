"""The ``redactor`` command line.

Exit codes: 0 ok, 1 internal error (a bug), 2 usage error (bad options,
rule pack or plan), 3 input error (a file cannot be processed), 4
verification failed (no output written), 5 output cannot be written.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import click

from . import __version__
from .errors import ExitCode, RedactorError

EPILOG = (
    "Exit codes: 0 ok; 1 internal error; 2 usage error; 3 input error "
    "(encrypted, damaged, empty, not a PDF); 4 verification failed (no output "
    "written); 5 output cannot be written; 6 batch: some files failed."
)


def _fail(message: str, code: ExitCode) -> None:
    click.echo(f"redactor: {message}", err=True)
    sys.exit(int(code))


def handle_errors(fn):
    """One line on stderr and the right exit code; never a traceback
    (unless REDACTOR_DEBUG is set)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import os

        try:
            return fn(*args, **kwargs)
        except RedactorError as e:
            if getattr(e, "problems", None):
                for p in e.problems[1:20]:
                    click.echo(f"  {p}", err=True)
            _fail(str(e), e.exit_code)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            _fail("interrupted; no output was written", ExitCode.INTERNAL)
        except Exception as e:  # pragma: no cover - a bug
            if os.environ.get("REDACTOR_DEBUG"):
                raise
            _fail(f"internal error: {type(e).__name__}: {e} (set REDACTOR_DEBUG=1 for a traceback)", ExitCode.INTERNAL)

    return wrapper


def _detector(packs: tuple[str, ...], allow: tuple[str, ...], nlp_model: str | None, no_nlp: bool):
    from .detect import Detector
    from .rulepack import load_packs

    return Detector(load_packs(list(packs) or None), allow=allow, nlp_model=nlp_model, use_nlp=not no_nlp)


def _run_options(password, max_pages, max_bytes, allow_repaired, keep, drop_tags, no_labels, log, schedule):
    from .apply import ApplyOptions
    from .document import Limits
    from .pipeline import RunOptions
    from .sanitize import SanitizeOptions

    return RunOptions(
        password=password,
        limits=Limits(max_pages=max_pages, max_bytes=max_bytes, allow_repaired=allow_repaired),
        apply=ApplyOptions(labels=not no_labels),
        sanitize=SanitizeOptions.from_keep(list(keep), drop_tags=drop_tags),
        log_path=Path(log) if log else None,
        schedule_path=Path(schedule) if schedule else None,
    )


def detection_options(fn):
    fn = click.option("--rules", "packs", multiple=True, metavar="PACK",
                      help="Rule pack name or YAML file (repeatable; default: all built-in packs).")(fn)
    fn = click.option("--allow", multiple=True, metavar="TEXT", help="Never redact this text (repeatable).")(fn)
    fn = click.option("--nlp-model", envvar="REDACTOR_SPACY_MODEL", metavar="NAME",
                      help="spaCy pipeline to load (default: en_core_web_sm if installed).")(fn)
    fn = click.option("--no-nlp", is_flag=True, help="Rules only; do not load spaCy.")(fn)
    return fn


def input_options(fn):
    from .document import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES

    fn = click.option("--password", help="Password of an encrypted input PDF.")(fn)
    fn = click.option("--max-pages", type=click.IntRange(1), default=DEFAULT_MAX_PAGES, show_default=True,
                      help="Refuse inputs with more pages.")(fn)
    fn = click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
                      help="Refuse larger inputs.")(fn)
    fn = click.option("--allow-repaired", is_flag=True,
                      help="Process a damaged PDF that MuPDF can repair (check the output!).")(fn)
    return fn


def output_options(fn):
    from .sanitize import KEEP_CHOICES

    fn = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                      help="Redacted PDF to write.")(fn)
    fn = click.option("--log", type=click.Path(dir_okay=False), help="Audit log (default: beside OUTPUT).")(fn)
    fn = click.option("--schedule", type=click.Path(dir_okay=False), help="Redaction schedule CSV (default: beside OUTPUT).")(fn)
    fn = click.option("--keep", multiple=True, type=click.Choice(KEEP_CHOICES),
                      help="Keep these, minus any entry holding redacted text (default: remove).")(fn)
    fn = click.option("--drop-tags", is_flag=True, help="Remove the structure tree (tags) entirely.")(fn)
    fn = click.option("--no-labels", is_flag=True, help="Do not print exemption codes on the boxes.")(fn)
    return fn


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="redactor")
@click.option("-v", "--verbose", is_flag=True, help="Say more about each step.")
def cli(verbose: bool) -> None:
    """Redact PDFs for release under the Freedom of Information Act 2000.

    redactor finds exempt content (personal data, law-enforcement and
    national-security details), removes it irreversibly, labels each box with
    its exemption, sanitises the file, verifies the result and writes an
    audit log (internal) and a redaction schedule (for release).
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="redactor: %(message)s")


@cli.command(epilog=EPILOG)
@click.argument("input_pdf", type=click.Path(dir_okay=False, path_type=Path))
@output_options
@input_options
@detection_options
@handle_errors
def redact(input_pdf, output, log, schedule, keep, drop_tags, no_labels, password, max_pages, max_bytes,
           allow_repaired, packs, allow, nlp_model, no_nlp):
    """Detect and redact INPUT_PDF in one go, writing OUTPUT, its log and schedule.

    Every finding is applied: use `scan` and `apply` to review first.
    """
    from .pipeline import redact_pdf

    options = _run_options(password, max_pages, max_bytes, allow_repaired, keep, drop_tags, no_labels, log, schedule)
    result = redact_pdf(input_pdf, output, _detector(packs, allow, nlp_model, no_nlp), options)
    _report(result)


@cli.command(epilog=EPILOG)
@click.argument("input_pdf", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Plan made by `redactor scan` and reviewed.")
@click.option("--include-proposed", is_flag=True,
              help="Also apply findings still 'proposed' (by default apply refuses while any are).")
@output_options
@input_options
@handle_errors
def apply(input_pdf, plan_path, include_proposed, output, log, schedule, keep, drop_tags, no_labels, password,
          max_pages, max_bytes, allow_repaired):
    """Apply a reviewed plan: accepted findings, terms (everywhere in every
    document), manual areas and withheld pages. Rejected findings stay.

    With INPUT_PDF, OUTPUT is the redacted file. Without it, every PDF in the
    plan is redacted into the folder OUTPUT, with one combined schedule.
    """
    from .pipeline import apply_bundle, apply_plan
    from .plan import load_plan

    plan = load_plan(plan_path)
    options = _run_options(password, max_pages, max_bytes, allow_repaired, keep, drop_tags, no_labels, log, schedule)
    if input_pdf is not None:
        _report(apply_plan(input_pdf, plan, output, options, include_proposed))
        return
    from . import schedule as schedule_mod

    output.mkdir(parents=True, exist_ok=True)
    results = apply_bundle(plan, plan_path, output, options, include_proposed)
    table = [row for r in results for row in schedule_mod.rows(r.input.name, r.entries)]
    schedule_mod.write_csv(output / "schedule.csv", table)
    schedule_mod.write_html(output / "schedule.html", table, "Redaction schedule")
    for r in results:
        _report(r)
    click.echo(f"combined schedule: {output / 'schedule.csv'} and {output / 'schedule.html'}")


@cli.command(epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Plan file to write.")
@click.option("--accept-above", type=click.FloatRange(0, 1), metavar="CONFIDENCE",
              help="Mark findings at or above this confidence as accepted.")
@input_options
@detection_options
@handle_errors
def scan(inputs, plan_path, accept_above, password, max_pages, max_bytes, allow_repaired, packs, allow, nlp_model,
         no_nlp):
    """Find what should be redacted in INPUTS (PDF or .txt) and write a plan.

    Nothing is redacted. Names found in one input are looked for in all of
    them. For .txt inputs findings carry character offsets.
    """
    from .document import Limits
    from .pipeline import RunOptions
    from .pipeline import scan as scan_bundle

    detector = _detector(packs, allow, nlp_model, no_nlp)
    options = RunOptions(password=password, limits=Limits(max_pages, max_bytes, allow_repaired))
    plan = scan_bundle(list(inputs), detector, options, accept_above)
    plan.save(plan_path)
    total = sum(len(d.findings) for d in plan.documents)
    accepted = sum(1 for _, f in plan.entries() if f.status == "accepted")
    click.echo(f"{total} findings in {len(plan.documents)} document(s) ({accepted} accepted, "
               f"{total - accepted} proposed); plan written to {plan_path}")


@cli.command(epilog=EPILOG)
@click.argument("plan_path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--reviewer", required=True, envvar="REDACTOR_REVIEWER", help="Your name, recorded with each decision.")
@click.option("--all", "all_findings", is_flag=True, help="Also revisit findings already decided.")
@handle_errors
def review(plan_path, reviewer, all_findings):
    """Walk PLAN_PATH's proposed findings in the terminal and decide on each.

    Every decision is saved at once with your name and the time.
    """
    from .plan import load_plan
    from .review import run

    tally = run(load_plan(plan_path), plan_path, reviewer, all_findings)
    click.echo(f"accepted {tally['accepted']}, rejected {tally['rejected']}, skipped {tally['skipped']}; "
               f"saved {plan_path}")


@cli.command(epilog=EPILOG)
@click.argument("plan_path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: PLAN beside, .report.html).")
@click.option("--open", "open_it", is_flag=True, help="Open the report in the default browser.")
@click.option("--password", help="Password of encrypted inputs.")
@handle_errors
def report(plan_path, output, open_it, password):
    """Write the review report (internal): every page as an image with the
    proposed, accepted and rejected boxes drawn on it, and the texts."""
    from .plan import load_plan
    from .report import build

    out = output or plan_path.with_suffix(".report.html")
    boxes = build(load_plan(plan_path), plan_path, out, password)
    click.echo(f"review report with {boxes} boxes: {out} (internal, not for release)")
    if open_it:
        import webbrowser

        webbrowser.open(out.resolve().as_uri())


@cli.command(epilog=EPILOG)
@click.argument("output_pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Audit log of the run that made OUTPUT_PDF: also check its boxes and texts.")
@click.option("--password", help="Password, if the PDF is encrypted.")
@handle_errors
def verify(output_pdf, log_path, password):
    """Check that nothing redacted can be read from OUTPUT_PDF.

    Without --log: no live text under an opaque box (fake redaction), no
    unapplied redaction annotations. With --log: also that no text is left
    under any logged box and no logged text is readable anywhere in the file.
    """
    from .audit import check_log, read_log
    from .document import read_input
    from .verify import Redaction, verify_file

    read_input(output_pdf)
    redactions = None
    if log_path:
        status = check_log(log_path)
        if not status.ok:
            _fail(f"{log_path}: {status.message}", ExitCode.USAGE)
        _, entries = read_log(log_path)
        redactions = [Redaction(e["page"], e["rects"], e["text"], e["exemption"]) for e in entries]
    report = verify_file(output_pdf, redactions, password)
    if not report.ok:
        for p in report.problems[:50]:
            click.echo(f"  {p}", err=True)
        _fail(f"{output_pdf}: verification FAILED: {len(report.problems)} problem(s)", ExitCode.VERIFY)
    what = f"{report.checked_boxes} boxes and {report.checked_texts} redacted texts" if log_path else "no fake redactions"
    click.echo(f"{output_pdf}: verified ({report.pages} pages; {what})")


@cli.command("eval", epilog=EPILOG)
@click.argument("corpus", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the full result (with every miss and false positive) as JSON.")
@click.option("--no-redact", is_flag=True, help="Score findings only; do not redact and re-read the PDFs.")
@click.option("--show", type=click.IntRange(0), default=10, show_default=True,
              help="List this many misses, false positives and leaks.")
@detection_options
@handle_errors
def eval_(corpus, json_path, no_redact, show, packs, allow, nlp_model, no_nlp):
    """Score detection and redaction on CORPUS (PDFs with *.truth.json).

    Precision, recall and F1 per category and overall for findings, and for
    the redacted PDFs whether each truth item is still readable and each
    non-sensitive sentence still whole. Generate a corpus with
    `python corpora/generate.py corpus DIR --split heldout`.
    """
    import json as jsonlib

    from rich.console import Console

    from .evaluate import NEUTRAL_TARGET, evaluate, render_table

    result = evaluate(corpus, _detector(packs, allow, nlp_model, no_nlp), redact=not no_redact)
    console = Console()
    console.print(render_table(result))
    if not no_redact:
        mark = "ok" if result.neutral_rate >= NEUTRAL_TARGET else "BELOW TARGET"
        console.print(f"non-sensitive sentences kept whole: {result.neutral_kept}/{result.neutral} "
                      f"= {result.neutral_rate:.3f} (target {NEUTRAL_TARGET}: {mark})")
    for title, rows in (("missed", result.misses), ("false positives", result.false_positives),
                        ("still readable after redaction", result.leaks), ("sentences broken", result.broken)):
        if rows and show:
            console.print(f"[bold]{title}[/bold] ({len(rows)}):")
            for r in rows[:show]:
                console.print(f"  {r['document']} p{r['page']}: {r['text']!r} ({r.get('category', '')}"
                              f"{' ' + r['rule'] if 'rule' in r else ''})", markup=False, highlight=False)
    if json_path:
        json_path.write_text(jsonlib.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
        console.print(f"JSON written to {json_path}")


@cli.group()
def rules() -> None:
    """Rule packs: list them, and test them on a text."""


@rules.command("list")
@click.option("--rules", "packs", multiple=True, metavar="PACK", help="Pack name or YAML file (default: all).")
@handle_errors
def rules_list(packs):
    """List every rule: id, kind, category, exemption, confidence."""
    from rich.console import Console
    from rich.table import Table

    from .rulepack import load_packs

    table = Table()
    for col in ("pack", "rule", "kind", "category", "exemption", "confidence", "context", "validators"):
        table.add_column(col)
    for pack in load_packs(list(packs) or None):
        for r in pack.rules:
            ctx = ("required: " if r.require_context else "") + ", ".join(r.context[:4]) + ("..." if len(r.context) > 4 else "")
            table.add_row(f"{pack.pack} {pack.version}", r.id, r.kind, r.category, pack.exemption_for(r),
                          f"{r.confidence:.2f}", ctx, ", ".join(r.validators))
    Console(width=200).print(table)


@rules.command("test")
@click.argument("pack")
@click.option("--text", required=True, help="Text to run the pack's rules on.")
@click.option("--nlp-model", envvar="REDACTOR_SPACY_MODEL", metavar="NAME", help="spaCy pipeline to load.")
@click.option("--no-nlp", is_flag=True, help="Rules only; do not load spaCy.")
@handle_errors
def rules_test(pack, text, nlp_model, no_nlp):
    """Show which rules of PACK fire on --text, and why (context, validators)."""
    from .detect import FOUND, Detector
    from .rulepack import load_packs

    detector = Detector(load_packs([pack]), nlp_model=nlp_model, use_nlp=not no_nlp)
    candidates = detector.explain(text)
    if not candidates:
        click.echo("no rule matched")
    for c in candidates:
        verdict = "FINDING" if c.outcome == FOUND else f"dropped: {c.outcome}"
        details = []
        if c.context is not None:
            details.append("context word found" if c.context else "no context word")
        details += [f"{v} {'ok' if ok else 'failed'}" for v, ok in c.validators.items()]
        click.echo(f"{c.start:>4}-{c.end:<4} {c.text!r:32} {c.compiled.rule.id:28} {c.compiled.exemption:10} "
                   f"conf {c.confidence:.2f}  {verdict}" + (f"  ({'; '.join(details)})" if details else ""))
    names = detector.names_in(detector.find_in_text(text, propagate=False))
    if names:
        click.echo(f"names looked for elsewhere in the document: {', '.join(sorted(names))}")


@cli.command(epilog=EPILOG)
@click.argument("src_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the redacted tree, manifest, logs and combined schedule.")
@click.option("--workers", type=click.IntRange(1), help="Worker processes (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a Dask cluster: tcp://HOST:PORT, or 'local' for a LocalCluster.")
@click.option("--timeout", type=click.FloatRange(1), default=600, show_default=True, help="Seconds allowed per file.")
@click.option("--max-memory", type=click.IntRange(256), default=4096, show_default=True,
              help="MiB of memory each worker may use.")
@click.option("--quiet", is_flag=True, help="No progress bar; only the summary line.")
@click.option("--jsonl", is_flag=True, help="One JSON line per file and a final summary line, for scripts.")
@click.option("--keep", multiple=True, type=click.Choice(("outlines", "links", "page-labels")),
              help="Keep these, minus any entry holding redacted text.")
@click.option("--drop-tags", is_flag=True, help="Remove the structure tree (tags) entirely.")
@click.option("--no-labels", is_flag=True, help="Do not print exemption codes on the boxes.")
@click.option("--max-pages", type=click.IntRange(1), default=10_000, show_default=True, help="Refuse longer files.")
@detection_options
@handle_errors
def batch(src_dir, out_dir, workers, scheduler, timeout, max_memory, quiet, jsonl, keep, drop_tags, no_labels,
          max_pages, packs, allow, nlp_model, no_nlp):
    """Redact every PDF under SRC_DIR into OUTPUT, mirroring the tree.

    Resumable: rerunning skips files done and unchanged and retries failures
    (see OUTPUT/manifest.jsonl). One failing file is recorded and the batch
    goes on; the exit code is 6 when any failed.
    """
    import json as jsonlib

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from . import batch as batch_mod
    from .rulepack import load_packs

    if out_dir.resolve() == src_dir.resolve():
        _fail(f"{out_dir}: the output folder is the input folder; choose another", ExitCode.USAGE)
    load_packs(list(packs) or None)  # a bad pack fails here, once, not in every worker
    config = batch_mod.Config(packs=tuple(packs), allow=tuple(allow), nlp_model=nlp_model, use_nlp=not no_nlp,
                              keep=tuple(keep), drop_tags=drop_tags, labels=not no_labels, max_pages=max_pages,
                              timeout=timeout, max_memory_mb=max_memory)
    console = Console(stderr=True)
    progress = None if (quiet or jsonl) else Progress(
        TextColumn("[bold]redacting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[stats]}"),
        TimeElapsedColumn(), console=console)
    state = {"pages": 0, "findings": 0, "failed": 0, "t0": 0.0, "task": None}

    def on_start(total: int, unchanged: int) -> None:
        import time

        state["t0"] = time.monotonic()
        if progress is not None:
            progress.start()
            state["task"] = progress.add_task("batch", total=total, stats=f"{unchanged} unchanged")

    def on_record(record: dict) -> None:
        import time

        if jsonl:
            click.echo(jsonlib.dumps({k: v for k, v in record.items() if k != "schedule"}, sort_keys=True))
        if record["status"] == "skipped":
            return
        state["pages"] += record.get("pages", 0)
        state["findings"] += record.get("redactions", 0)
        state["failed"] += record["status"] == "failed"
        if progress is not None and state["task"] is not None:
            rate = state["pages"] / max(1e-6, time.monotonic() - state["t0"])
            progress.update(state["task"], advance=1, stats=f"{state['pages']} pages, {state['findings']} "
                            f"redactions, {state['failed']} failed, {rate:.1f} pages/s")

    try:
        summary = batch_mod.run(src_dir, out_dir, config, workers, scheduler, on_start, on_record)
    finally:
        if progress is not None:
            progress.stop()
    if jsonl:
        click.echo(jsonlib.dumps({"summary": batch_mod.summary_dict(summary)}, sort_keys=True))
    elif quiet:
        click.echo(f"done {summary.done}, unchanged {summary.unchanged}, failed {summary.failed}, "
                   f"skipped {summary.skipped}, {summary.pages} pages in {summary.seconds:.1f} s")
    else:
        _batch_table(console, summary)
        for f in summary.failures:
            console.print(f"  failed: {f.get('error')}", markup=False, highlight=False)
        console.print(f"output: {out_dir}  (manifest.jsonl, schedule.csv, schedule.html; "
                      f"logs in {batch_mod.LOGS}/ are internal)", markup=False, highlight=False)
    if summary.failed:
        sys.exit(int(ExitCode.PARTIAL))


def _batch_table(console, summary) -> None:
    from rich.table import Table

    t = Table(title="batch summary")
    for col in ("done", "unchanged", "skipped", "failed", "pages", "redactions by exemption", "time", "pages/s"):
        t.add_column(col, justify="right")
    by_ex = ", ".join(f"{k} {v}" for k, v in sorted(summary.redactions.items())) or "-"
    rate = summary.pages / summary.seconds if summary.seconds else 0
    t.add_row(str(summary.done), str(summary.unchanged), str(summary.skipped), str(summary.failed),
              str(summary.pages), by_ex, f"{summary.seconds:.1f} s", f"{rate:.1f}")
    console.print(t)


@cli.group()
def log() -> None:
    """Audit logs."""


@log.command("check")
@click.argument("log_path", type=click.Path(dir_okay=False, path_type=Path))
@handle_errors
def log_check(log_path):
    """Recompute LOG_PATH's hash chain and report the first broken line."""
    from .audit import check_log

    status = check_log(log_path)
    if not status.ok:
        _fail(f"{log_path}: {status.message}", ExitCode.VERIFY)
    click.echo(f"{log_path}: {status.message}")


def _report(result) -> None:
    by_ex = ", ".join(f"{ex} x{n}" for ex, n in sorted(result.exemptions.items())) or "nothing found"
    click.echo(f"redacted {result.input} ({result.pages} pages): {len(result.findings)} redactions ({by_ex})")
    click.echo(f"  output:   {result.output}")
    click.echo(f"  log:      {result.log}  (internal, not for release)")
    click.echo(f"  schedule: {result.schedule} (and .html)")
    if result.flagged:
        kinds = ", ".join(sorted({f.category for f in result.flagged}))
        click.echo(f"  {len(result.flagged)} item(s) flagged for review and NOT redacted ({kinds}): "
                   "use `redactor scan` and `redactor apply` to decide on them")


def main() -> None:
    cli(prog_name="redactor")


if __name__ == "__main__":  # pragma: no cover
    main()
