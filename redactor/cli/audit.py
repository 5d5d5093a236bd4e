"""Internal review: audit a release against its log, reopen a log as a
plan, statistics over many logs."""

from __future__ import annotations

from pathlib import Path

import click

from redactor.cli.common import EPILOG, handle_errors

AUDIT_EPILOG = EPILOG.replace("4 verification failed (no output written)",
                              "4 the release, log and original do not belong together (a SHA-256 differs, or the "
                              "log fails its hash chain or anchor check)")


@click.command(epilog=AUDIT_EPILOG)
@click.argument("log_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--original", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The document the release was made from (its SHA-256 must be the log's).")
@click.option("-o", "--output", "plan_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The plan to write (it must not exist yet).")
@click.option("--release", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Also check that this is the release the log records.")
@click.option("--password", help="Password of an encrypted original.")
@handle_errors
def reopen(log_path, original, plan_path, release, password):
    """Turn LOG_PATH back into a plan, to review the decisions again and
    release a revised version.

    Every redaction becomes an accepted finding with its rule, reviewer,
    decision time and note; manual areas, withheld pages and terms come
    back as they were; texts the release left readable come back as
    rejected findings. Change decisions with `redactor review PLAN --all`
    or `redactor serve PLAN` (its Audit view shows the consistency flags),
    then `redactor apply`: the new log names the release it supersedes and
    the schedule lists what was released on review. Unchanged, the plan
    re-applies (with the same options) to the same bytes.
    """
    from redactor.account.reopen import reopen as rebuild, save

    done = rebuild(log_path, original, plan_path, release, password)
    save(done, plan_path)
    n = done.counts()
    for note in done.notes:
        click.echo(f"redactor: note: {note}", err=True)
    click.echo(f"reopened {done.checked.header.get('document')}: {n['accepted']} redaction(s) as accepted findings, "
               f"{n['rejected']} text(s) left readable as rejected findings, {n['areas']} area(s), "
               f"{n['pages']} withheld page(s), {n['terms']} term(s)")
    for c in done.checked.checks:
        click.echo(f"  {c['check']}: {c['detail']}")
    click.echo(f"plan written to {plan_path} (internal, not for release); review it with `redactor review "
               f"{plan_path} --all` or `redactor serve {plan_path}`, then `redactor apply`")
