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
    """Recompute LOG_PATH's hash chain and report the first broken line.

    With a log key set up (`redactor key init`), also check the log's
    anchor: a log rewritten and re-hashed by someone without the key fails.
    """
    from redactor.account.log import check_log

    status = check_log(log_path)
    if not status.ok:
        _fail(f"{log_path}: {status.message}", ExitCode.VERIFY)
    click.echo(f"{log_path}: {status.message}")


@click.group()
def key() -> None:
    """The FOI team's log key, which anchors audit logs (see README, "Log anchoring")."""


@key.command("init")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: $REDACTOR_LOG_KEY, else ~/.config/redactor/log.key).")
@click.option("--force", is_flag=True, help="Replace an existing key (logs anchored with it will no longer check).")
@handle_errors
def key_init(key_file, force):
    """Create a new secret key for anchoring logs (readable by you only).

    Keep it off the drive releases go to, and back it up: logs anchored
    with a lost key can no longer be checked.
    """
    from redactor.account.anchor import init_key

    path, ident = init_key(key_file, force)
    click.echo(f"log key {ident} written to {path}; new logs will be anchored with it")


@key.command("show")
@handle_errors
def key_show():
    """Say which key (if any) anchors new logs."""
    from redactor.account.anchor import default_key_path, key_id, load_key

    k = load_key()
    if k is None:
        click.echo(f"no log key at {default_key_path()}: logs are not anchored (see `redactor key init`)")
    else:
        click.echo(f"log key {key_id(k)} at {default_key_path()}")
