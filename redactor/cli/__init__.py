"""The ``redactor`` command line: one module per group of commands.

Exit codes are :class:`redactor.errors.ExitCode`, documented in the README
and in every command's ``--help``.
"""

from __future__ import annotations

import io
import logging
import os
import sys

import click

from redactor import __version__
from redactor.cli import audit, batch, desk, log, review, rules, run
from redactor.cli.common import EPILOG
from redactor.errors import quiet_library_warnings


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="redactor")
@click.option("-v", "--verbose", is_flag=True, help="Say more about each step.")
def cli(verbose: bool) -> None:
    """Redact PDFs for release under the Freedom of Information Act 2000.

    redactor finds exempt content (personal data, law-enforcement and
    national-security details), removes it irreversibly, labels each box with
    its exemption, sanitises the file, verifies the result and writes an
    audit log (internal) and a redaction schedule (for release).
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="redactor: %(message)s")
    logging.getLogger("pikepdf").setLevel(logging.WARNING)  # ("C++ to Python logger bridge initialized")


for command in (run.redact, run.apply, run.scan, review.review, review.report, desk.serve, run.verify, rules.eval_,
                rules.rules, batch.batch, log.log, log.key,
                audit.audit, audit.reopen, audit.stats):  # [audit]
    cli.add_command(command)


def main() -> None:
    quiet_library_warnings()
    _tolerate_reader_gone()
    try:
        cli(prog_name="redactor")
    finally:
        _quick_exit()


class _Stdout(io.RawIOBase):
    """Standard output, whose reader may go away (``redactor redact ... |
    head -1``): what is written after that is dropped, and the command goes
    on to its own end and exit code (it was an internal error, exit 1, after
    every output had been written)."""

    def __init__(self, fd: int) -> None:
        self.fd, self.gone = fd, False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data) -> int:
        if not self.gone:
            try:
                return os.write(self.fd, data)
            except BrokenPipeError:
                self.gone = True
        return len(data)


def _tolerate_reader_gone() -> None:
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (an embedding program's own stream)
        return
    sys.stdout.flush()
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(_Stdout(fd)), encoding=sys.stdout.encoding,
                                  errors=sys.stdout.errors, line_buffering=sys.stdout.line_buffering)


def _quick_exit() -> None:
    """The command is done: collect its garbage once (every finaliser runs,
    as at any collection), then freeze what is left, the modules and their
    tables, so that the interpreter's shutdown does not walk them again in
    its own collections: a tenth of the start-up of a small file went there
    (issue 14). atexit handlers, and the freeing of every object, still
    happen as before."""
    import gc

    gc.collect()
    gc.freeze()
