"""``redactor serve``: the reviewer's desk in the browser."""

from __future__ import annotations

from pathlib import Path

import click

from redactor.cli.common import EPILOG, _detector, detection_options, handle_errors
from redactor.errors import UsageError


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False, path_type=Path),
              help="With FILES: scan them and write this plan first (it must not exist yet).")
@click.option("--reviewer", envvar="REDACTOR_REVIEWER", help="Your name, recorded with each decision "
              "(the desk asks for it when not given).")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Folder the desk's Apply writes the release to (default: release/ beside the plan).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any other than the loopback shares the desk on the network and "
                   "needs --token or --desk-password.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port (default: a free one).")
@click.option("--token", envvar="REDACTOR_DESK_TOKEN", metavar="TOKEN",
              help="Session token in the desk's link (default: a random one; at least 16 characters).")
@click.option("--desk-password", envvar="REDACTOR_DESK_PASSWORD", metavar="PASSWORD",
              help="Ask for this password on a sign-in page (for a shared desk).")
@click.option("--exemption", "extra_exemptions", multiple=True, metavar="CODE",
              help="Offer this exemption code too (repeatable); the exemptions of the plan's rule packs (or "
                   "of --rules) are always offered.")
@click.option("--no-browser", is_flag=True, help="Print the link; do not open a browser.")
@click.option("--accept-above", type=click.FloatRange(0, 1), metavar="CONFIDENCE",
              help="With FILES: mark findings at or above this confidence as accepted.")
@click.option("--password", help="Password of encrypted inputs.")
@detection_options
@handle_errors
def serve(paths, plan_path, reviewer, output, host, port, token, desk_password, extra_exemptions, no_browser,
          accept_above, password, packs, allow, nlp_model, no_nlp):
    """Review a plan in the browser: the reviewer's desk.

    \b
    redactor serve PLAN.json                      review an existing plan
    redactor serve FILES... --plan PLAN.json      scan FILES first, then review

    The desk shows every page with the proposed boxes, the findings grouped
    by exemption and category, and lets you accept or reject (one or a
    whole group), change exemptions, draw areas, withhold pages, search and
    redact terms, undo, and apply. Each decision is saved in the plan at
    once. It listens on 127.0.0.1 with a random token in its link.
    """
    from redactor.detect.rulepack import EXEMPTION_RE
    from redactor.review.desk.session import Desk
    from redactor.review.desk.server import is_loopback, serve as run_server

    for code in extra_exemptions:
        if not EXEMPTION_RE.match(code):
            raise UsageError(f"--exemption: '{code}' is not an exemption code like S40(2) or S31(1)(a)")
    if token is not None and len(token) < 16:
        raise UsageError("--token must be at least 16 characters (use a random one)")
    if not is_loopback(host) and not (token or desk_password):
        raise UsageError(f"--host {host} shares the desk on the network: give --token or --desk-password too")
    if plan_path is None:
        if len(paths) != 1 or paths[0].suffix.lower() != ".json":
            raise UsageError("give a plan (redactor serve PLAN.json), or files to scan with --plan PLAN.json")
        plan_path = paths[0]
        if not plan_path.is_file():
            raise UsageError("no such plan file", plan_path)
    else:
        if plan_path.exists():
            raise UsageError(f"{plan_path} exists: review it with `redactor serve {plan_path}`, or choose "
                             "another --plan", plan_path)
        from redactor.ingest.document import Limits
        from redactor.pipeline import RunOptions, scan

        plan = scan(list(paths), _detector(packs, allow, nlp_model, no_nlp), RunOptions(password=password,
                                                                                        limits=Limits()),
                    accept_above)
        plan.save(plan_path)
        total = sum(len(d.findings) for d in plan.documents)
        click.echo(f"{total} findings in {len(plan.documents)} document(s); plan written to {plan_path}")
    if packs:  # offer every exemption of the packs named, not only those that fired
        from redactor.detect.rulepack import load_packs

        for pack in load_packs(list(packs)):
            extra_exemptions += (pack.exemption, *(r.exemption for r in pack.rules if r.exemption))
    desk = Desk(plan_path, reviewer=reviewer, out_dir=output, password=password, exemptions=extra_exemptions)
    run_server(desk, host=host, port=port, token=token, password=desk_password, open_browser=not no_browser,
               say=click.echo)
