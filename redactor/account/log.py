"""The audit log (internal) and the redaction schedule (for release).

The log is JSON Lines, one file per run, named ``*.NOT-FOR-RELEASE.log.jsonl``
and opening with a line that says it holds redacted content. Every line
carries ``prev`` (the hash of the line before) and ``hash`` (SHA-256 of the
line's own content and ``prev``), and the last line is an ``end`` record with
the count of entries, so an edited, inserted or removed line (the last one
included) is detected by :func:`check_log`.

The schedule, for release, is :mod:`redactor.account.schedule`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from redactor import __version__

NOTICE = "INTERNAL - NOT FOR RELEASE: this log contains the redacted content"
GENESIS = "0" * 64
#: Decision of a finding on a page withheld in full: logged, not boxed.
COVERED = "covered by page withheld in full"
LOG_SUFFIX = ".NOT-FOR-RELEASE.log.jsonl"


def default_log_path(output: Path) -> Path:
    """Where the log of ``output`` goes by default: the internal folder
    beside the release folder (see :mod:`redactor.output`)."""
    from redactor.output import default_internal_dir

    output = Path(output)
    return default_internal_dir(Path(os.path.abspath(output)).parent) / (output.stem + LOG_SUFFIX)


def _canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _line(record: dict) -> str:
    """As written: in the record's own order, so a reader sees the type and
    the notice first (the hash is over the canonical form, not this)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _seal(record: dict, prev: str) -> dict:
    body = {k: v for k, v in record.items() if k not in ("hash", "prev")}
    body["prev"] = prev
    body["hash"] = hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()
    return body


@dataclass
class LogEntry:
    """One redaction as the log records it."""

    document: str
    page: int
    rects: list
    category: str
    exemption: str
    rule: str
    confidence: float
    text: str
    context: str
    decision: str = "proposed"
    reviewer: str | None = None
    hidden: str | None = None
    id: str = ""
    note: str | None = None
    #: [audit] when the reviewer decided (the plan's decided_at)
    decided_at: str | None = None
    #: [audit] the finding as found, for `redactor reopen`: "rects" before the
    #: boxes were laid out, "span" (character offsets), "source" (the reading)
    found: dict | None = None
    #: how it shows: "box" (ours), or for text found under someone else's box
    #: "label-only" (our label on their bar) or "nothing" (their box left as it is)
    drawn: str = "box"
    #: False: verification looks for the text only as written (an ordinary word that is also a name)
    fold_case: bool = True


def write_log(path: Path, **fields) -> None:
    """Write the hash-chained log atomically (see :func:`log_text`)."""
    atomic_write_text(path, log_text(**fields))


def log_text(**fields) -> str:
    """The hash-chained log as one text (see :func:`log_lines`)."""
    return "".join(log_lines(**fields))


def log_lines(
    *,
    document: str,
    input_sha256: str,
    output: str,
    output_sha256: str,
    rule_packs: dict[str, str],
    entries: Iterable[LogEntry],
    extra: dict | None = None,
    key: bytes | None = None,
) -> Iterator[str]:
    """The hash-chained log, line by line (each with its line break), made
    as it is written: the entries are read once, one at a time (a large
    document's log is never all in memory, issue 14). With ``key`` (the
    FOI team's log key, see :mod:`redactor.account.anchor`) the end record
    carries an anchor: an HMAC of the chain's final hash, so a rewritten
    log is detected."""
    header = {
        "type": "header",
        "notice": NOTICE,
        "tool": "redactor",
        "tool_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "document": document,
        "input_sha256": input_sha256,
        "output": output,
        "output_sha256": output_sha256,
        "rule_packs": rule_packs,
        **(extra or {}),
    }
    sealed = _seal(header, GENESIS)
    prev = sealed["hash"]
    yield _line(sealed) + "\n"
    count = 0
    for e in entries:
        sealed = _seal({"type": "redaction", **e.__dict__}, prev)
        prev = sealed["hash"]
        count += 1
        yield _line(sealed) + "\n"
    end_record: dict = {"type": "end", "entries": count}
    if key is not None:
        from redactor.account.anchor import anchor_for

        end_record["anchor"] = anchor_for(key, prev)
    yield _line(_seal(end_record, prev)) + "\n"


@dataclass
class LogCheck:
    ok: bool
    entries: int
    message: str
    line: int | None = None


def check_log(path: Path, key: bytes | None | bool = True) -> LogCheck:
    """Recompute the hash chain and check the anchor; report the first broken
    line. ``key``: the log key (True: the one set up on this machine, if
    any; None or False: do not check the anchor)."""
    try:
        raw = _read_lines(path)
    except OSError as e:
        return LogCheck(False, 0, f"cannot read log: {e.strerror or e}")
    except UnicodeDecodeError as e:
        return LogCheck(False, 0, f"not a redactor log: it is not UTF-8 text (bad byte at offset {e.start})")
    prev = GENESIS
    entries = 0
    for i, line in enumerate(raw, start=1):
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            return LogCheck(False, entries, f"line {i} is not valid JSON", i)
        if not isinstance(record, dict):
            return LogCheck(False, entries, f"line {i} is not a JSON object (it is {type(record).__name__})", i)
        if i == 1 and (record.get("type") != "header" or record.get("notice") != NOTICE):
            return LogCheck(False, entries, "line 1 is not a redactor log header", 1)
        if record.get("prev") != prev:
            return LogCheck(False, entries, f"line {i} does not follow line {i - 1} (a line was removed, inserted or reordered)", i)
        if _seal(record, prev)["hash"] != record.get("hash"):
            return LogCheck(False, entries, f"line {i} was edited (its hash does not match its content)", i)
        prev = record["hash"]
        if record.get("type") == "redaction":
            entries += 1
        if record.get("type") == "end":
            if record.get("entries") != entries:
                return LogCheck(False, entries, f"line {i}: the end record counts {record.get('entries')} entries, the log has {entries}", i)
            if i != len(raw):
                return LogCheck(False, entries, f"line {i + 1} follows the end record", i + 1)
            if key is None or key is False:
                return LogCheck(True, entries, f"ok: {entries} redactions, hash chain intact")
            from redactor.account.anchor import check_anchor, load_key

            ok, what = check_anchor(record.get("anchor"), record["prev"], load_key() if key is True else key)
            if not ok:
                return LogCheck(False, entries, what, i)
            return LogCheck(True, entries, f"ok: {entries} redactions, hash chain intact; {what}")
    return LogCheck(False, entries, "the log has no end record (it was truncated)", len(raw) or None)


def _read_lines(path: Path) -> list[str]:
    return Path(path).read_bytes().decode("utf-8").splitlines()


def read_log(path: Path) -> tuple[dict, list[dict]]:
    """Header and redaction records of a log that :func:`check_log` passed."""
    records = [r for r in (json.loads(x) for x in _read_lines(path) if x.strip()) if isinstance(r, dict)]
    header = records[0] if records and records[0].get("type") == "header" else {}
    return header, [r for r in records if r.get("type") == "redaction"]


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically with the user's permissions; OutputError
    (exit 5) naming the path if it cannot be written."""
    from redactor.output import write_text

    write_text(Path(path), text)
