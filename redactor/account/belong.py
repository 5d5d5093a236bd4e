"""Do a release, its audit log and the original belong together?

``redactor audit`` and ``redactor reopen`` refuse to go on unless:

* the log's hash chain is intact and, where the team's log key is at hand,
  its anchor is valid (:func:`redactor.account.log.check_log`);
* the release's SHA-256 is the log's ``output_sha256``;
* the original's SHA-256 is the log's ``input_sha256``.

A failure is :class:`Refused`: one line naming the file and what does not
match, exit 4 (as ``log check`` and ``verify --log`` exit for a file that is
not the one the log describes). A log whose records are malformed is a
:class:`redactor.verify.entry.LogError` (exit 2), as for ``verify --log``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from redactor.errors import ExitCode, InputError, RedactorError


class Refused(RedactorError):
    """The release, the log and the original do not belong together (exit 4)."""

    exit_code = ExitCode.VERIFY


@dataclass
class Checked:
    """A log that passed, and what was checked (for the report)."""

    path: Path
    header: dict
    entries: list[dict]
    checks: list[dict] = field(default_factory=list)

    def passed(self, check: str, detail: str) -> None:
        self.checks.append({"check": check, "ok": True, "detail": detail})


def _sha256(path: Path) -> str:
    from redactor.ingest.document import sha256_file

    try:
        return sha256_file(Path(path))
    except OSError as e:
        raise InputError(f"cannot be read: {e.strerror or e}", path) from None


def load_log(log_path: Path) -> Checked:
    """The log, if its chain (and anchor, with a key) checks; Refused otherwise."""
    from redactor.account.log import check_log, read_log

    log_path = Path(log_path)
    if not log_path.is_file():
        raise InputError("no such log file", log_path)
    status = check_log(log_path)
    if not status.ok:
        raise Refused(f"the log fails its check: {status.message}", log_path)
    header, entries = read_log(log_path)
    checked = Checked(log_path, header, entries)
    checked.passed("log", status.message)
    return checked


def check_release(checked: Checked, release: Path) -> None:
    logged, actual = checked.header.get("output_sha256"), _sha256(release)
    if actual != logged:
        raise Refused(f"is not the release this log records (its SHA-256 is {actual[:12]}..., the log records "
                      f"{str(logged)[:12]}... for {checked.header.get('output')})", release)
    checked.passed("release", f"SHA-256 {actual} is the log's output_sha256")


def check_original(checked: Checked, original: Path) -> None:
    logged, actual = checked.header.get("input_sha256"), _sha256(original)
    source = checked.header.get("source") or {}
    if actual != logged and actual != source.get("sha256"):
        raise Refused(f"is not the original this log was made from (its SHA-256 is {actual[:12]}..., the log "
                      f"records {str(logged)[:12]}... for {checked.header.get('document')})", original)
    checked.passed("original", f"SHA-256 {actual} is the log's input_sha256")


def check_records(checked: Checked, pages: int | None) -> None:
    """Every record well formed, as ``verify --log`` requires (LogError, exit 2)."""
    from redactor.verify.entry import redactions_from_log

    redactions_from_log(checked.header, checked.entries, checked.path, pages)
