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


@click.command(epilog=AUDIT_EPILOG)
@click.argument("release", type=click.Path(path_type=Path))
@click.option("--log", "log_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The release's audit log.")
@click.option("--original", type=click.Path(dir_okay=False, path_type=Path),
              help="The document the release was made from: its SHA-256 is checked and its pages are shown "
                   "beside the release's.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML report to write (default: beside the log, X.NOT-FOR-RELEASE.audit.html).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as JSON.")
@click.option("--senior-rank", default="Superintendent", show_default=True, metavar="RANK",
              help="Flag section 40 redactions of officers the log shows at this rank or above.")
@click.option("--internal-in-release", is_flag=True,
              help="Allow the report (it holds the redacted text) inside the release's folder.")
@click.option("--password", help="Password of an encrypted original or release.")
@handle_errors
def audit(release, log_path, original, output, json_path, senior_rank, internal_in_release, password):
    """Check that RELEASE, its log and the original belong together, and
    write an internal report of every decision, with consistency flags.

    Refused (exit 4, one line) if the log fails its hash chain or anchor
    check, RELEASE is not the release the log records, or the original is
    not the document it was made from (their SHA-256). The report lists
    every redaction (page, original text, category, exemption, rule or
    manual, confidence, reviewer, decision time, note) by exemption, with
    the pages of the original and the release side by side, and raises
    flags for a reviewer to look at again; none is a verdict.
    """
    from redactor.account import audit as auditing
    from redactor.account.flags import rank_level
    from redactor.errors import UsageError
    from redactor.output import check_file_destination, is_within

    senior = rank_level(senior_rank)
    report = output or auditing.default_report_path(log_path)
    for target in [report] + ([json_path] if json_path else []):
        if not internal_in_release and is_within(Path(target).resolve().parent, Path(release).resolve().parent):
            raise UsageError("the audit report holds the redacted text: write it outside the release's folder "
                             "(or pass --internal-in-release)", target)
        check_file_destination(target)
    done, rel, orig = auditing.run(release, log_path, original, senior, password)
    auditing.write(done, rel, orig, report, json_path)
    by_ex = ", ".join(f"{ex} x{len(g)}" for ex, g in done.by_exemption().items()) or "nothing redacted"
    click.echo(f"{release}: belongs to {log_path}" + (f" and {original}" if original else "") +
               f"; {len(done.items)} redaction(s) ({by_ex})")
    for c in done.checks:
        click.echo(f"  {c['check']}: {c['detail']}")
    click.echo(f"{len(done.flags)} consistency flag(s) to look at (none is a verdict):")
    for f in done.flags:
        click.echo(f"  [{f.kind}] {f.message}")
    click.echo(f"report: {report}" + (f" and {json_path}" if json_path else "") + " (internal, not for release)")


@click.command(epilog=EPILOG.replace("6 batch: some files failed", "6 stats: some logs fail their check and "
                                     "were not counted (the others are)"))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default="redaction-stats.html",
              show_default=True, help="HTML page to write (tables and a chart of rejections per rule).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write JSON.")
@handle_errors
def stats(inputs, output, json_path):
    """Figures over audit logs: items per exemption and category, pages
    withheld, findings accepted and rejected per rule, reviewer workload.

    INPUTS are audit logs, folders holding them, or a batch manifest
    (release.NOT-FOR-RELEASE/manifest.jsonl). Each log is checked first; one that fails is
    listed and not counted (exit 6). A log superseded by a revision in the
    set is counted through the revision.
    """
    import json

    from redactor.account import stats as figures
    from redactor.account.log import atomic_write_text
    from redactor.cli.common import ExitCode, _fail
    from redactor.output import check_file_destination

    for target in [output] + ([json_path] if json_path else []):
        check_file_destination(target)
    counted = figures.collect(list(inputs))
    figures.terminal(counted)
    atomic_write_text(output, figures.html_text(counted))
    if json_path:
        atomic_write_text(json_path, json.dumps(counted.to_dict(), ensure_ascii=False, indent=1) + "\n")
    click.echo(f"statistics: {output}" + (f" and {json_path}" if json_path else ""))
    if counted.skipped:
        _fail(f"{len(counted.skipped)} log(s) fail their check and were not counted (listed above)",
              ExitCode.PARTIAL)
