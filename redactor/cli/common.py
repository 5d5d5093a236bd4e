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
    "Exit codes: 0 ok; 1 internal error (a bug); 2 usage error; 3 input error "
    "(encrypted, damaged, over a safety cap, empty, not a PDF); 4 verification failed (no output "
    "written); 5 output cannot be written; 6 batch: some files failed; 7 a page needed OCR and "
    "could not be read (output written: review those pages by eye, then pass --accept-unreadable); "
    "130 interrupted."
)


def _fail(message: str, code: ExitCode) -> None:
    click.echo(f"redactor: {message}", err=True)
    sys.exit(int(code))


def handle_errors(fn):
    """One line on stderr and the right exit code; never a traceback
    (unless REDACTOR_DEBUG is set). ``redactor -v`` adds the full list of
    problems of a failed verification."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import logging
        import os

        from redactor.ingest.guard import as_input_error, as_output_error

        try:
            return fn(*args, **kwargs)
        except RedactorError as e:
            problems = getattr(e, "problems", None) or []
            if len(problems) > 1 and logging.getLogger().isEnabledFor(logging.INFO):
                for p in problems[1:]:
                    click.echo(f"  {p}", err=True)
            elif len(problems) > 1:
                _fail(f"{e}; `redactor -v {click.get_current_context().info_name} ...` lists them all",
                      e.exit_code)
            _fail(str(e), e.exit_code)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except (KeyboardInterrupt, click.exceptions.Abort):
            if click.get_current_context().info_name == "batch":  # what finished is placed and recorded
                _fail("interrupted; the files that finished are in place and recorded: run the same command to "
                      "go on", ExitCode.INTERRUPTED)
            _fail("interrupted; no output was written", ExitCode.INTERRUPTED)
        except Exception as e:  # pragma: no cover - a bug, unless a library failed on the input
            if os.environ.get("REDACTOR_DEBUG"):
                raise
            err = as_output_error(e) or as_input_error(e)
            if err is not None:
                _fail(str(err), err.exit_code)
            if isinstance(e, OSError) and e.filename:
                _fail(f"{e.filename}: cannot be written: {e.strerror or e}", ExitCode.OUTPUT)
            _fail(f"internal error: {type(e).__name__}: {e} (set REDACTOR_DEBUG=1 for a traceback)", ExitCode.INTERNAL)

    return wrapper


@functools.lru_cache(maxsize=4)
def _detector(packs: tuple[str, ...], allow: tuple[str, ...], nlp_model: str | None, no_nlp: bool):
    """One Detector per choice of packs and model in a process (the fuzzing
    harness forks children after building it once)."""
    from redactor.detect.engine import Detector
    from redactor.detect.rulepack import load_packs

    from redactor.memory import settle

    detector = Detector(load_packs(list(packs) or None), allow=allow, nlp_model=nlp_model, use_nlp=not no_nlp)
    settle()  # the packs and the model stay: out of the collector's full passes
    return detector


def _run_options(password, max_pages, max_bytes, allow_repaired, keep, drop_tags, no_labels, log, schedule,
                 keep_layout=False):
    from redactor.redact.apply import ApplyOptions
    from redactor.ingest.document import Limits
    from redactor.pipeline import RunOptions
    from redactor.redact.keep import SanitizeOptions

    internal = click.get_current_context().meta.get(_INTERNAL_KEY, {})
    return RunOptions(
        password=password,
        limits=Limits(max_pages=max_pages, max_bytes=max_bytes, allow_repaired=allow_repaired),
        apply=ApplyOptions(labels=not no_labels, glyph_width_defence=not keep_layout),
        sanitize=SanitizeOptions.from_keep(list(keep), drop_tags=drop_tags),
        log_path=Path(log) if log else None,
        schedule_path=Path(schedule) if schedule else None,
        convert=_convert_options(),  # [convert]
        internal_dir=internal.get("internal"),
        internal_in_release=bool(internal.get("internal_in_release")),
    )


def convert_options(fn):
    """[convert] Options for Office, e-mail and image inputs. They are kept
    in the click context (no new parameters on the commands): read them
    with :func:`_convert_options`."""

    def store(ctx, param, value):
        ctx.meta[f"redactor.{param.name}"] = value
        return value

    fn = click.option("--hidden-content", type=click.Choice(("render", "drop", "refuse")), default="render",
                      show_default=True, expose_value=False, callback=store,
                      help="Office inputs: render comments, tracked changes, notes and hidden slides, sheets and "
                           "text for review; drop them; or refuse such files.")(fn)
    fn = click.option("--convert-timeout", type=click.FloatRange(1), default=120, show_default=True,
                      expose_value=False, callback=store, help="Seconds LibreOffice may take per file.")(fn)
    return fn


def _convert_options():
    from redactor.ingest.convert import ConvertOptions

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    return ConvertOptions(hidden_content=meta.get("redactor.hidden_content", "render"),
                          timeout=float(meta.get("redactor.convert_timeout", 120)))


_INTERNAL_KEY = "redactor.internal"


def _remember(ctx: click.Context, param: click.Parameter, value):
    ctx.meta.setdefault(_INTERNAL_KEY, {})[param.name] = value
    return value


def internal_options(fn):
    """--internal DIR and --internal-in-release (kept in the click context,
    read by _run_options and batch)."""
    fn = click.option("--internal", type=click.Path(file_okay=False, path_type=Path), expose_value=False,
                      callback=_remember, help="Folder for internal material (the audit log); default: beside "
                      "the output folder, named <folder>.NOT-FOR-RELEASE.")(fn)
    fn = click.option("--internal-in-release", is_flag=True, expose_value=False, callback=_remember,
                      help="Allow the internal folder or --log inside the release folder (not recommended).")(fn)
    return fn


def internal_choice() -> tuple[Path | None, bool]:
    meta = click.get_current_context().meta.get(_INTERNAL_KEY, {})
    return meta.get("internal"), bool(meta.get("internal_in_release"))


def detection_options(fn):
    fn = click.option("--rules", "packs", multiple=True, metavar="PACK",
                      help="Rule pack name or YAML file (repeatable; default: all built-in packs).")(fn)
    fn = click.option("--allow", multiple=True, metavar="TEXT", help="Never redact this text (repeatable).")(fn)
    fn = click.option("--nlp-model", envvar="REDACTOR_SPACY_MODEL", metavar="NAME",
                      help="spaCy pipeline to load (default: en_core_web_sm if installed).")(fn)
    fn = click.option("--no-nlp", is_flag=True, help="Rules only; do not load spaCy.")(fn)
    return fn


def input_options(fn):
    from redactor.ingest.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES

    fn = click.option("--password", help="Password of an encrypted input (PDF or Office file).")(fn)
    fn = click.option("--max-pages", type=click.IntRange(1), default=DEFAULT_MAX_PAGES, show_default=True,
                      help="Refuse inputs with more pages.")(fn)
    fn = click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
                      help="Refuse larger inputs.")(fn)
    fn = click.option("--allow-repaired", is_flag=True,
                      help="Process a damaged PDF that MuPDF can repair (check the output!).")(fn)
    return convert_options(fn)  # [convert]


def output_options(fn):
    from redactor.redact.keep import KEEP_CHOICES

    fn = click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
                      help="Redacted PDF to write (apply with a plan only: a folder).")(fn)
    fn = click.option("--log", type=click.Path(dir_okay=False),
                      help="Audit log (default: in the internal folder, see --internal).")(fn)
    fn = internal_options(fn)
    fn = click.option("--schedule", type=click.Path(dir_okay=False), help="Redaction schedule CSV (default: beside OUTPUT).")(fn)
    fn = click.option("--keep", multiple=True, type=click.Choice(KEEP_CHOICES),
                      help="Keep these, minus any entry holding redacted text (default: remove).")(fn)
    fn = click.option("--drop-tags", is_flag=True, help="Remove the structure tree (tags) entirely.")(fn)
    fn = click.option("--no-labels", is_flag=True, help="Do not print exemption codes on the boxes.")(fn)
    fn = click.option("--keep-layout", is_flag=True,
                      help="Boxes as wide as the text they hide, and the text after them left in place. This "
                           "shows how long each redacted text was (the schedule says so); by default every "
                           "box on a line has a fixed width.")(fn)
    return fn



def _report(result) -> None:
    by_ex = ", ".join(f"{ex} x{n}" for ex, n in sorted(result.exemptions.items())) or "nothing found"
    for repair in getattr(result, "repairs", ()):
        click.echo(f"redactor: warning: {result.input}: {repair}", err=True)
    for warning in getattr(result, "warnings", ()):
        click.echo(f"redactor: warning: {warning}", err=True)
    name = getattr(result, "name", "") or str(result.input)
    click.echo(f"redacted {name} ({result.pages} pages): {result.redactions} redactions ({by_ex})")
    click.echo(f"  output:   {result.output}")
    click.echo(f"  log:      {result.log}  (internal, not for release)")
    click.echo(f"  schedule: {result.schedule} (and .html)")
    if result.flagged:
        kinds = ", ".join(sorted({f.category for f in result.flagged}))
        click.echo(f"  {len(result.flagged)} item(s) flagged for review and NOT redacted ({kinds}): "
                   "use `redactor scan` and `redactor apply` to decide on them")
    if getattr(result, "origin", None):  # [convert]
        from redactor.ingest.convert.bundle import describe

        click.echo(f"  {describe(result.origin)}")
    for part in getattr(result, "parts", []):
        _report(part)


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
    every = list({id(x): x for r in results for x in (r, *getattr(r, "parts", ()))}.values())  # an e-mail's parts
    pages = [(r.name or r.input, u) for r in every for u in (r.unreadable or [])]
    for path, u in pages:
        click.echo(f"  {path}: {u.message}", err=True)
    if pages and not accept:
        _fail(f"{len(pages)} page(s) could not be read (OCR); the output is written but those pages are NOT "
              "checked: review them by eye, then rerun with --accept-unreadable", ExitCode.UNREADABLE)
