"""Commands that read and write documents: redact, scan, apply, verify."""

from __future__ import annotations

from pathlib import Path

import click

from redactor.cli.common import (EPILOG, ExitCode, _convert_options, _detector, _fail, _report, _run_options,
                                 detection_options, exit_if_unreadable, handle_errors, input_options, ocr_options,
                                 ocr_settings, output_options)


@click.command(epilog=EPILOG)
@click.argument("input_pdf", type=click.Path(path_type=Path))
@output_options
@input_options
@detection_options
@ocr_options
@handle_errors
def redact(input_pdf, output, log, schedule, keep, drop_tags, no_labels, keep_layout, password, max_pages, max_bytes,
           allow_repaired, packs, allow, nlp_model, no_nlp, ocr_mode, ocr_layer, accept_unreadable):
    """Detect and redact INPUT_PDF in one go, writing OUTPUT, its log and schedule.

    Every finding is applied: use `scan` and `apply` to review first.
    INPUT_PDF may also be a Word, PowerPoint, Excel, text or HTML file, an
    e-mail (.eml, .msg: one release per attachment, one schedule) or an
    image; the release is always a PDF.
    """
    from redactor.pipeline import redact_pdf

    options = _run_options(password, max_pages, max_bytes, allow_repaired, keep, drop_tags, no_labels, log, schedule,
                           keep_layout)
    options.ocr = ocr_settings(ocr_mode, ocr_layer, accept_unreadable)
    result = redact_pdf(input_pdf, output, _detector(packs, allow, nlp_model, no_nlp), options)
    _report(result)
    exit_if_unreadable([result], accept_unreadable)


@click.command(epilog=EPILOG)
@click.argument("input_pdf", required=False, type=click.Path(path_type=Path))
@click.option("--plan", "plan_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Plan made by `redactor scan` and reviewed.")
@click.option("--include-proposed", is_flag=True,
              help="Also apply findings still 'proposed' (by default apply refuses while any are).")
@output_options
@input_options
@ocr_options
@handle_errors
def apply(input_pdf, plan_path, include_proposed, output, log, schedule, keep, drop_tags, no_labels, keep_layout,
          password, max_pages, max_bytes, allow_repaired, ocr_mode, ocr_layer, accept_unreadable):
    """Apply a reviewed plan: accepted findings, terms (everywhere in every
    document), manual areas and withheld pages. Rejected findings stay.

    With INPUT_PDF, OUTPUT is the redacted file. Without it, every PDF in the
    plan is redacted into the folder OUTPUT, with one combined schedule.
    """
    from redactor.pipeline import apply_bundle, apply_plan
    from redactor.review.plan import load_plan

    plan = load_plan(plan_path)
    options = _run_options(password, max_pages, max_bytes, allow_repaired, keep, drop_tags, no_labels, log, schedule,
                           keep_layout)
    options.ocr = ocr_settings(ocr_mode, ocr_layer, accept_unreadable)
    if input_pdf is not None:
        result = apply_plan(input_pdf, plan, output, options, include_proposed)
        _report(result)
        exit_if_unreadable([result], accept_unreadable)
        return
    from redactor.account import schedule as schedule_mod

    output.mkdir(parents=True, exist_ok=True)
    results = apply_bundle(plan, plan_path, output, options, include_proposed)
    table = [row for r in results for row in schedule_mod.rows(r.name or r.input.name, r.entries)]
    schedule_mod.write_all(output / "schedule.csv", table, "Redaction schedule",  # [convert] + sources
                           [r.origin for r in results if r.origin])
    for r in results:
        _report(r)
    click.echo(f"combined schedule: {output / 'schedule.csv'} and {output / 'schedule.html'}")
    exit_if_unreadable(results, accept_unreadable)


@click.command(epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--plan", "plan_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Plan file to write.")
@click.option("--accept-above", type=click.FloatRange(0, 1), metavar="CONFIDENCE",
              help="Mark findings at or above this confidence as accepted.")
@input_options
@detection_options
@click.option("--ocr", "ocr_mode", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True,
              help="Read pages from their pixels: auto = scans and pictures of text; always = every page; never = none.")
@handle_errors
def scan(inputs, plan_path, accept_above, password, max_pages, max_bytes, allow_repaired, packs, allow, nlp_model,
         no_nlp, ocr_mode):
    """Find what should be redacted in INPUTS (PDF, .txt, Office, e-mail, image) and write a plan.

    Nothing is redacted. Names found in one input are looked for in all of
    them. For .txt inputs findings carry character offsets.
    """
    from redactor.ingest.document import Limits
    from redactor.pipeline import RunOptions
    from redactor.pipeline import scan as scan_bundle

    from redactor.output import check_file_destination

    check_file_destination(plan_path)  # before the work, not after
    detector = _detector(packs, allow, nlp_model, no_nlp)
    options = RunOptions(password=password, limits=Limits(max_pages, max_bytes, allow_repaired),
                         convert=_convert_options(),  # [convert]
                         ocr=ocr_settings(ocr_mode))
    plan = scan_bundle(list(inputs), detector, options, accept_above)
    plan.save(plan_path)
    total = sum(len(d.findings) for d in plan.documents)
    accepted = sum(1 for _, f in plan.entries() if f.status == "accepted")
    click.echo(f"{total} findings in {len(plan.documents)} document(s) ({accepted} accepted, "
               f"{total - accepted} proposed); plan written to {plan_path}")
    for d in plan.documents:  # [ocr branch hook]
        for u in d.unreadable:
            click.echo(f"  {d.path}: {u.message}")


@click.command(epilog=EPILOG)
@click.argument("output_pdf", type=click.Path(path_type=Path))
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Audit log of the run that made OUTPUT_PDF: also check its boxes and texts.")
@click.option("--password", help="Password, if the PDF is encrypted.")
@click.option("--details", is_flag=True, help="List every problem found (by default: a one-line summary).")
@handle_errors
def verify(output_pdf, log_path, password, details):
    """Check that nothing redacted can be read from OUTPUT_PDF.

    Without --log: no live text under an opaque box (fake redaction), no
    unapplied redaction annotations. With --log: also that OUTPUT_PDF is the
    file the log was written for (its SHA-256), that no text is left under
    any logged box and no logged text is readable anywhere in the file.
    """
    from redactor.verify.entry import verify_path

    report = verify_path(output_pdf, log_path, password)
    if not report.ok:
        if details:
            for p in report.problems:
                click.echo(f"  {p}", err=True)
        more = "" if details else "; --details lists them all"
        _fail(f"{output_pdf}: verification FAILED: {len(report.problems)} problem(s), the first: "
              f"{report.problems[0]}{more}", ExitCode.VERIFY)
    what = f"{report.checked_boxes} boxes and {report.checked_texts} redacted texts" if log_path else "no fake redactions"
    click.echo(f"{output_pdf}: verified ({report.pages} pages; {what})")
