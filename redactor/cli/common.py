"""What every command shares: one-line errors and exit codes, and options.

Exit codes: see :class:`redactor.errors.ExitCode`.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from redactor.errors import ExitCode, RedactorError

EPILOG = (
    "Exit codes: 0 ok; 1 internal error; 2 usage error; 3 input error "
    "(encrypted, damaged, empty, not a PDF); 4 verification failed (no output "
    "written); 5 output cannot be written; 6 batch: some files failed; 7 a "
    "page needed OCR and could not be read (output written: review those pages "
    "by eye, then pass --accept-unreadable)."
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
    from redactor.detect.engine import Detector
    from redactor.detect.rulepack import load_packs

    return Detector(load_packs(list(packs) or None), allow=allow, nlp_model=nlp_model, use_nlp=not no_nlp)


def _run_options(password, max_pages, max_bytes, allow_repaired, keep, drop_tags, no_labels, log, schedule):
    from redactor.redact.apply import ApplyOptions
    from redactor.ingest.document import Limits
    from redactor.pipeline import RunOptions
    from redactor.redact.sanitize import SanitizeOptions

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
    from redactor.ingest.document import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES

    fn = click.option("--password", help="Password of an encrypted input PDF.")(fn)
    fn = click.option("--max-pages", type=click.IntRange(1), default=DEFAULT_MAX_PAGES, show_default=True,
                      help="Refuse inputs with more pages.")(fn)
    fn = click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
                      help="Refuse larger inputs.")(fn)
    fn = click.option("--allow-repaired", is_flag=True,
                      help="Process a damaged PDF that MuPDF can repair (check the output!).")(fn)
    return fn


def output_options(fn):
    from redactor.redact.sanitize import KEEP_CHOICES

    fn = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                      help="Redacted PDF to write.")(fn)
    fn = click.option("--log", type=click.Path(dir_okay=False), help="Audit log (default: beside OUTPUT).")(fn)
    fn = click.option("--schedule", type=click.Path(dir_okay=False), help="Redaction schedule CSV (default: beside OUTPUT).")(fn)
    fn = click.option("--keep", multiple=True, type=click.Choice(KEEP_CHOICES),
                      help="Keep these, minus any entry holding redacted text (default: remove).")(fn)
    fn = click.option("--drop-tags", is_flag=True, help="Remove the structure tree (tags) entirely.")(fn)
    fn = click.option("--no-labels", is_flag=True, help="Do not print exemption codes on the boxes.")(fn)
    return fn



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


# --- [ocr branch hook] OCR options and the unreadable-page exit code -------------------

def ocr_options(fn, layer: bool = True, accept: bool = True):
    """--ocr, and for commands that write output --ocr-layer and --accept-unreadable."""
    if accept:
        fn = click.option("--accept-unreadable", is_flag=True,
                          help="Pages that needed OCR and could not be read were reviewed by eye: exit 0, not 7.")(fn)
    if layer:
        fn = click.option("--ocr-layer/--no-ocr-layer", default=True, show_default=True,
                          help="Add an invisible text layer (from the OCR of the redacted page) to OCR'd pages.")(fn)
    fn = click.option("--ocr", "ocr_mode", type=click.Choice(("auto", "always", "never")), default="auto",
                      show_default=True,
                      help="Read pages from their pixels: auto = scans and pictures of text; always = every page; "
                           "never = none (a scan is then reported as unreadable).")(fn)
    return fn


def ocr_settings(mode: str = "auto", layer: bool = True, accept: bool = False):
    from redactor.text.ocr.select import OcrOptions

    return OcrOptions(mode=mode, layer=layer, accept_unreadable=accept)


def exit_if_unreadable(results, accept: bool) -> None:
    """List pages that could not be read; exit 7 unless they were accepted."""
    pages = [(r.input, u) for r in results for u in (r.unreadable or [])]
    for path, u in pages:
        click.echo(f"  {path}: {u.message}", err=True)
    if pages and not accept:
        _fail(f"{len(pages)} page(s) could not be read (OCR); the output is written but those pages are NOT "
              "checked: review them by eye, then rerun with --accept-unreadable", ExitCode.UNREADABLE)
