"""The batch command: an archive at a time."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from redactor.cli.common import (EPILOG, ExitCode, _convert_options, _fail, convert_options, detection_options,
                                 handle_errors, internal_choice, internal_options, ocr_options)


@click.command(epilog=EPILOG)
@click.argument("src_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the redacted tree and combined schedule (the manifest and logs go to the internal folder).")
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
@click.option("--keep-layout", is_flag=True,
              help="Boxes as wide as the text they hide (shows each redacted text's length; the schedule says so).")
@click.option("--max-pages", type=click.IntRange(1), default=10_000, show_default=True, help="Refuse longer files.")
@click.option("--max-bytes", type=click.IntRange(1), default=2 * 1024**3, show_default=True,
              help="Refuse larger files.")
@click.option("--password", help="Password of the encrypted inputs (one for the batch).")
@click.option("--allow-repaired", is_flag=True,
              help="Process damaged PDFs whose repair loses content (check those outputs!).")
@internal_options
@detection_options
@convert_options
@ocr_options
@handle_errors
def batch(src_dir, out_dir, workers, scheduler, timeout, max_memory, quiet, jsonl, keep, drop_tags, no_labels, keep_layout,
          max_pages, max_bytes, password, allow_repaired, packs, allow, nlp_model, no_nlp, ocr_mode, ocr_layer,
          accept_unreadable):
    """Redact every PDF under SRC_DIR into OUTPUT, mirroring the tree.

    Word, PowerPoint, Excel, e-mail, image and text files are converted and
    released as PDF (minutes.docx -> minutes.pdf); other files are listed
    as skipped, with the reason, in the summary and the manifest.

    An output's path and the schedule have what was redacted in that
    document masked ("Statement of DC [redacted].pdf").

    Resumable: rerunning skips files done and unchanged and retries failures
    (see manifest.jsonl in the internal folder). One failing file is recorded
    and the batch goes on; the exit code is 6 when any failed.
    """
    import json as jsonlib

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from redactor import batch as batch_mod
    from redactor.detect.rulepack import load_packs

    if out_dir.resolve() == src_dir.resolve():
        _fail(f"{out_dir}: the output folder is the input folder; choose another", ExitCode.USAGE)
    load_packs(list(packs) or None)  # a bad pack fails here, once, not in every worker
    if not no_nlp:
        from redactor.detect.nlp import check_available

        check_available(nlp_model)  # and so does a mistyped --nlp-model
    internal, internal_in_release = internal_choice()
    config = batch_mod.Config(packs=tuple(packs), allow=tuple(allow), nlp_model=nlp_model, use_nlp=not no_nlp,
                              keep=tuple(keep), drop_tags=drop_tags, labels=not no_labels, keep_layout=keep_layout,
                              max_pages=max_pages, max_bytes=max_bytes, password=password,
                              allow_repaired=allow_repaired, timeout=timeout, max_memory_mb=max_memory,
                              hidden_content=_convert_options().hidden_content,  # [convert]
                              convert_timeout=_convert_options().timeout, ocr=ocr_mode, ocr_layer=ocr_layer)
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
        summary = batch_mod.run(src_dir, out_dir, config, workers, scheduler, on_start, on_record, internal,
                                internal_in_release)
    finally:
        if progress is not None:
            progress.stop()
    if jsonl:
        click.echo(jsonlib.dumps({"summary": batch_mod.summary_dict(summary)}, sort_keys=True))
    elif quiet:
        click.echo(f"done {summary.done}, unchanged {summary.unchanged}, failed {summary.failed}, "
                   f"skipped {summary.skipped}, unreadable pages in {summary.unreadable}, "
                   f"{summary.pages} pages in {summary.seconds:.1f} s")
        for f in summary.kept:
            click.echo(f"kept: {f.get('error')}", err=True)
    else:
        _batch_table(console, summary)
        for f in summary.failures:
            console.print(f"  failed: {f.get('error')}", markup=False, highlight=False)
        for f in summary.skips:  # [convert]
            console.print(f"  skipped: {f.get('error')}", markup=False, highlight=False)
        for f in summary.kept:
            console.print(f"  kept: {f.get('error')}", markup=False, highlight=False)
        console.print(f"output: {out_dir}  (schedule.csv, schedule.html); internal logs and manifest.jsonl: "
                      f"{batch_mod.internal_root(out_dir, internal)}", markup=False, highlight=False)
    if summary.failed:
        sys.exit(int(ExitCode.PARTIAL))
    if summary.unreadable and not accept_unreadable:  # [ocr branch hook]
        click.echo(f"{summary.unreadable} file(s) have pages OCR could not read (see 'unreadable' in "
                   f"{batch_mod.internal_root(out_dir, internal) / batch_mod.MANIFEST}): review them by eye", err=True)
        sys.exit(int(ExitCode.UNREADABLE))


def _batch_table(console, summary) -> None:
    from rich.table import Table

    t = Table(title="batch summary")
    for col in ("done", "unchanged", "skipped", "failed", "unreadable", "pages", "redactions by exemption", "time",
                "pages/s"):
        t.add_column(col, justify="right")
    by_ex = ", ".join(f"{k} {v}" for k, v in sorted(summary.redactions.items())) or "-"
    rate = summary.pages / summary.seconds if summary.seconds else 0
    t.add_row(str(summary.done), str(summary.unchanged), str(summary.skipped), str(summary.failed),
              str(summary.unreadable), str(summary.pages), by_ex, f"{summary.seconds:.1f} s", f"{rate:.1f}")
    console.print(t)
