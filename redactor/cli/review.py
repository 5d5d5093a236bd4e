"""Commands for people reviewing a plan: review (terminal), report (HTML)."""

from __future__ import annotations

from pathlib import Path

import click

from redactor.cli.common import EPILOG, ExitCode, _fail, handle_errors


@click.command(epilog=EPILOG)
@click.argument("plan_path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--reviewer", required=True, envvar="REDACTOR_REVIEWER", help="Your name, recorded with each decision.")
@click.option("--all", "all_findings", is_flag=True, help="Also revisit findings already decided.")
@handle_errors
def review(plan_path, reviewer, all_findings):
    """Walk PLAN_PATH's proposed findings in the terminal and decide on each.

    Every decision is saved at once with your name and the time.
    """
    from redactor.review.plan import load_plan_versioned
    from redactor.review.terminal import run

    plan, version = load_plan_versioned(plan_path)
    tally = run(plan, plan_path, reviewer, all_findings, version)
    click.echo(f"accepted {tally['accepted']}, rejected {tally['rejected']}, skipped {tally['skipped']}; "
               f"saved {plan_path}")
    if tally.get("interrupted"):
        _fail(f"review interrupted; the decisions made so far are saved in {plan_path}", ExitCode.INTERRUPTED)


@click.command(epilog=EPILOG)
@click.argument("plan_path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: PLAN beside, .report.html).")
@click.option("--open", "open_it", is_flag=True, help="Open the report in the default browser.")
@click.option("--password", help="Password of encrypted inputs.")
@handle_errors
def report(plan_path, output, open_it, password):
    """Write the review report (internal): every page as an image with the
    proposed, accepted and rejected boxes drawn on it, and the texts."""
    from redactor.review.plan import load_plan
    from redactor.review.report import build

    from redactor.output import check_file_destination

    out = output or plan_path.with_suffix(".report.html")
    check_file_destination(out)
    boxes = build(load_plan(plan_path), plan_path, out, password)
    click.echo(f"review report with {boxes} boxes: {out} (internal, not for release)")
    if open_it:
        import webbrowser

        webbrowser.open(out.resolve().as_uri())
