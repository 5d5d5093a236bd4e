"""Verification of a file someone hands you, with or without its log.

:func:`verify_path` is what ``redactor verify`` runs: the file is read under
the safety caps first (over a cap, or unreadable: exit 3), then checked by
:func:`redactor.verify.checks.verify_file`. A stream that does not
decompress is a verification failure (exit 4): what it holds cannot be
checked, and a more tolerant reader may decode it.

:func:`redactions_from_log` turns a log into checks, refusing a log whose
records are malformed (a forged or hand-edited log that would otherwise
check nothing and pass), and checks that the log belongs to the file: the
output's SHA-256 must be the log's ``output_sha256``.
"""

from __future__ import annotations

import math
from pathlib import Path

from redactor.errors import ExitCode, RedactorError
from redactor.ingest.caps import clean_warning
from redactor.ingest.document import inspect_file, sha256_file
from redactor.ingest.guard import library_errors
from redactor.verify.checks import Redaction, VerifyReport, verify_file

#: Rules whose log entries are not text boxes.
PAGE_RULE = "plan.manual.page"
AREA_RULE = "plan.manual.area"
#: Decision of a finding on a page withheld in full (see account.log.COVERED).
COVERED = "covered by page withheld in full"
#: Log header key: texts a reviewer left readable somewhere (rejected
#: findings); they are checked under their boxes, not searched file-wide.
KEPT_KEY = "texts_left_readable"


class LogError(RedactorError):
    """The log is not a well-formed redactor log (exit 2, like a bad plan)."""

    exit_code = ExitCode.USAGE


class LogEdited(LogError):
    """The log fails its hash chain: it was edited (exit 4, as ``log check``,
    ``audit`` and ``reopen`` say of it)."""

    exit_code = ExitCode.VERIFY


def _rect_ok(r) -> bool:
    return (isinstance(r, list) and len(r) == 4 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                        and math.isfinite(v) for v in r))


def redactions_from_log(header: dict, entries: list[dict], log_path: Path, page_count: int | None = None
                        ) -> list[Redaction]:
    """Checks for every logged redaction; LogError naming the first bad record."""
    from redactor.detect.findings import normalise

    kept = header.get(KEPT_KEY) or []
    if not isinstance(kept, list) or not all(isinstance(t, str) for t in kept):
        raise LogError(f"header field '{KEPT_KEY}' is not a list of texts", log_path)
    kept_norm = {normalise(t) for t in kept}
    out = []
    for i, e in enumerate(entries, start=1):
        where = f"redaction record {i}" + (f" ({e.get('id')})" if isinstance(e, dict) and e.get("id") else "")
        if not isinstance(e, dict):
            raise LogError(f"{where} is not a JSON object", log_path)
        page, rects, text, ex = e.get("page"), e.get("rects"), e.get("text"), e.get("exemption")
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            raise LogError(f"{where}: 'page' must be a page number (1 or more), not {page!r}", log_path)
        if page_count is not None and page > page_count:
            raise LogError(f"{where}: page {page}, but the PDF has {page_count} page(s)", log_path)
        if not isinstance(rects, list) or not all(_rect_ok(r) for r in rects):
            raise LogError(f"{where}: 'rects' must be a list of [x0, y0, x1, y1] boxes", log_path)
        if not isinstance(text, str) or not isinstance(ex, str):
            raise LogError(f"{where}: 'text' and 'exemption' must be strings", log_path)
        rule, decision = e.get("rule"), e.get("decision")
        if rule == PAGE_RULE:
            out.append(Redaction(page, [], "", ex, kind="page"))
            continue
        if decision != COVERED and not rects:
            raise LogError(f"{where}: a redaction with no box", log_path)
        # text found hidden under someone else's box is whatever was under it: checked there, not searched
        hidden = e.get("hidden") if isinstance(e.get("hidden"), str) else ""
        # nor a name redacted only where the words around it say it is a person (its boxes are checked)
        found = e.get("found") if isinstance(e.get("found"), dict) else {}
        searched = "" if (normalise(text) in kept_norm or hidden.startswith("hidden ")
                          or found.get("searched") is False) else text
        kind = "area" if rule == AREA_RULE else ("covered" if e.get("drawn", "box") != "box" else "text")
        category = e.get("category") if isinstance(e.get("category"), str) else ""
        fold_case = e.get("fold_case") is not False
        out.append(Redaction(page, [] if decision == COVERED else rects, searched, ex, kind=kind, category=category,
                             fold_case=fold_case))
    return out


def check_output_hash(output_pdf: Path, header: dict) -> str | None:
    """A problem if the file is not the one the log was written for."""
    logged = header.get("output_sha256")
    actual = sha256_file(output_pdf)
    if logged != actual:
        return (f"the file is not the one this log was written for (its SHA-256 is {actual[:12]}..., the log "
                f"records {str(logged)[:12]}...)")
    return None


def load_log(log_path: Path) -> tuple[dict, list[dict]]:
    """A log whose hash chain is intact (LogError otherwise)."""
    from redactor.account.log import check_log, read_log

    status = check_log(log_path)
    if not status.ok:
        raise LogEdited(status.message, log_path)
    return read_log(log_path)


def verify_path(path: Path, log_path: Path | None = None, password: str | None = None) -> VerifyReport:
    """Read ``path`` under the caps, then verify it, against its log if
    given (see the module doc)."""
    found = inspect_file(path, password)
    redactions, first = None, []
    if log_path is not None:
        header, entries = load_log(log_path)
        redactions = redactions_from_log(header, entries, log_path, found.pages)
        mismatch = check_output_hash(path, header)
        if mismatch:
            first.append(mismatch)
    with library_errors(path):
        report = verify_file(path, redactions, password)
    report.problems[:0] = first
    for num, what in sorted(found.damaged_streams.items()):
        report.problems.append(f"object {num} cannot be decompressed ({what}): what it holds cannot be checked")
    return report


def verify_output(path: Path, checks: list[Redaction], kept: list[str] = ()) -> VerifyReport:
    """The pipeline's check of its own output: a library failure here means
    the output cannot be vouched for, so it is a failed verification.
    ``kept``: texts a reviewer left readable somewhere."""
    try:
        return verify_file(path, checks, kept=list(kept))
    except RedactorError:
        raise
    except Exception as e:  # noqa: BLE001 - any failure to check is a failure
        report = VerifyReport(path=str(path))
        report.problems.append(f"the output could not be checked ({type(e).__name__}: {clean_warning(str(e))})")
        return report

