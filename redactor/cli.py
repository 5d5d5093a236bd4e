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
    "written); 5 output cannot be written."
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
@click.argument("input_pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Plan made by `redactor scan` (and reviewed).")
@output_options
@input_options
@handle_errors
def apply(input_pdf, plan_path, output, log, schedule, keep, drop_tags, no_labels, password, max_pages, max_bytes,
          allow_repaired):
    """Apply a plan's findings (all but the rejected ones) to INPUT_PDF."""
    from .pipeline import apply_plan
    from .plan import load_plan

    options = _run_options(password, max_pages, max_bytes, allow_repaired, keep, drop_tags, no_labels, log, schedule)
    result = apply_plan(input_pdf, load_plan(plan_path), output, options)
    _report(result)


@cli.command(epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Plan file to write.")
@input_options
@detection_options
@handle_errors
def scan(inputs, plan_path, password, max_pages, max_bytes, allow_repaired, packs, allow, nlp_model, no_nlp):
    """Find what should be redacted in INPUTS (PDF or .txt) and write a plan.

    Nothing is redacted. For .txt inputs findings carry character offsets.
    """
    from .document import Limits
    from .pipeline import RunOptions, scan_pdf, scan_text
    from .plan import Plan

    detector = _detector(packs, allow, nlp_model, no_nlp)
    options = RunOptions(password=password, limits=Limits(max_pages, max_bytes, allow_repaired))
    plan = Plan(rule_packs=detector.pack_versions)
    for path in inputs:
        if path.suffix.lower() == ".txt":
            plan.documents.append(scan_text(path, detector))
        else:
            plan.documents.append(scan_pdf(path, detector, options))
    plan.save(plan_path)
    total = sum(len(d.findings) for d in plan.documents)
    click.echo(f"{total} findings in {len(plan.documents)} document(s); plan written to {plan_path}")


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
    click.echo(f"  schedule: {result.schedule}")
    if result.flagged:
        kinds = ", ".join(sorted({f.category for f in result.flagged}))
        click.echo(f"  {len(result.flagged)} item(s) flagged for review and NOT redacted ({kinds}): "
                   "use `redactor scan` and `redactor apply` to decide on them")


def main() -> None:
    cli(prog_name="redactor")


if __name__ == "__main__":  # pragma: no cover
    main()
