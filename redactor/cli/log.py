"""Audit log commands."""

from __future__ import annotations

from pathlib import Path

import click

from redactor.cli.common import (ExitCode, _fail, handle_errors)


@click.group()
def log() -> None:
    """Audit logs."""


@log.command("check")
@click.argument("log_path", type=click.Path(dir_okay=False, path_type=Path))
@handle_errors
def log_check(log_path):
    """Recompute LOG_PATH's hash chain and report the first broken line."""
    from redactor.account.log import check_log

    status = check_log(log_path)
    if not status.ok:
        _fail(f"{log_path}: {status.message}", ExitCode.VERIFY)
    click.echo(f"{log_path}: {status.message}")
