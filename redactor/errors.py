"""Errors a user can act on, each with the exit code the CLI returns."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes (documented in the README and ``redactor --help``)."""

    OK = 0
    INTERNAL = 1  #: a bug in redactor: please report it
    USAGE = 2  #: bad command line, rule pack or plan
    INPUT = 3  #: an input file cannot be processed (encrypted, damaged, not a PDF...)
    VERIFY = 4  #: the output failed verification and was not written
    OUTPUT = 5  #: the output cannot be written where asked
    PARTIAL = 6  #: batch: some files failed (the others are done)
    UNREADABLE = 7  #: a page needed OCR and could not be read: output written, review those pages by eye
    INTERRUPTED = 130  #: Ctrl-C or end of input: no output written (review: decisions so far saved)


class RedactorError(Exception):
    """Base class: ``str(err)`` is one line naming the file and the problem."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, problem: str, path: str | Path | None = None):
        self.problem = problem
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


class UsageError(RedactorError):
    exit_code = ExitCode.USAGE


class RulePackError(UsageError):
    """A rule pack failed validation; the message names file, rule and field."""


class PlanError(UsageError):
    """A plan file is malformed or does not match the document."""


class InputError(RedactorError):
    exit_code = ExitCode.INPUT


class OutputError(RedactorError):
    exit_code = ExitCode.OUTPUT


class VerificationError(RedactorError):
    """The output is not safe to release; ``problems`` says why."""

    exit_code = ExitCode.VERIFY

    def __init__(self, problems: list, path: str | Path | None = None, written: bool = True):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "unknown problem"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        held = "" if written else ", so it was not written"  # (an output that failed its check)
        super().__init__(f"verification failed{held}: {first}{more}", path)


def quiet_library_warnings() -> None:
    """A library's warning about a damaged stream is not a message for the
    user: what it means for the file is reported by redactor itself, in one
    line (the command line, and each batch worker: a process of its own)."""
    import os
    import warnings

    if not os.environ.get("REDACTOR_DEBUG"):
        warnings.filterwarnings("ignore", module=r"pikepdf|pymupdf|fitz|pypdfium2")
        import logging

        for library in ("extract_msg", "olefile"):  # (a damaged .msg: their own line before redactor's)
            logging.getLogger(library).setLevel(logging.CRITICAL)
