"""Batch redaction of an archive: a folder tree in, a mirrored tree out.

* Every PDF under SRC is redacted to the same relative path under OUT; other
  files are reported as skipped. Logs (internal) go to the internal folder,
  by default ``OUT.NOT-FOR-RELEASE/`` beside OUT (see :mod:`redactor.output`),
  mirroring the tree; one combined schedule for the batch is written to
  ``OUT/schedule.csv`` and ``OUT/schedule.html``. No symbolic link below OUT
  or the internal folder is written through.
* The release names no one: an output's path (folders and file name) and
  the schedule's document column have whatever was redacted in that
  document masked (redactor.account.naming); two outputs masked to one name
  are told apart with " (2)".
* ``manifest.jsonl`` in the internal folder records per input its SHA-256,
  status, output, log and error (internal: it names the inputs). It is
  append-only (the last record of an input wins; a torn last line, after a
  kill -9, is ignored), so a rerun skips what is done and
  unchanged and retries what failed. Outputs are renamed into place only
  after they verify and after their manifest record is written, so an
  interrupted run leaves no half-written or unrecorded output.
* Local mode runs a pool of worker processes, each loading the rule packs
  and spaCy once. A file that runs past ``timeout`` has its worker killed
  and replaced; each worker's address space is capped at ``max_memory_mb``.
* ``scheduler`` runs the same tasks on a Dask cluster (``tcp://host:port``,
  or ``local`` for a LocalCluster); a watchdog in the task stops a file that
  runs past the timeout (the cluster restarts the worker).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from redactor import output as place
from redactor.account.naming import mask_words, masked_path, masker, numbered
from redactor.ingest.document import file_kind_problem, sha256_file
from redactor.errors import RedactorError, UsageError

MANIFEST = "manifest.jsonl"
#: a done record's mark that its release's names were masked (redactor.account.naming)
MASKED = "names_masked"
#: the manifest's key for :func:`settings_key`
SETTINGS = "settings"
#: the internal folder's name is OUT's plus this (see redactor.output)
LOGS = place.INTERNAL_SUFFIX
TMP_PATTERN = ".*.tmp"


@dataclass(frozen=True)
class Config:
    """Everything a worker needs; picklable."""

    packs: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    nlp_model: str | None = None
    use_nlp: bool = True
    keep: tuple[str, ...] = ()
    drop_tags: bool = False
    labels: bool = True
    keep_layout: bool = False
    password: str | None = None
    max_pages: int = 10_000
    max_bytes: int = 2 * 1024**3
    allow_repaired: bool = False
    min_confidence: float = 0.5
    timeout: float = 600.0
    max_memory_mb: int | None = 4096
    hidden_content: str = "render"  #: [convert] Office inputs
    convert_timeout: float = 120.0
    ocr: str = "auto"  #: [ocr branch hook] --ocr
    ocr_layer: bool = True


@dataclass(frozen=True)
class Task:
    rel: str  #: path relative to SRC
    root: str  #: OUT
    internal: str  #: the internal folder
    src: str
    out: str
    log: str
    schedule: str
    sha256: str  #: "" when the input was not hashed before the run (nothing recorded of it)


@dataclass
class Summary:
    done: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    unreadable: int = 0  #: [ocr branch hook] files done with pages OCR could not read (review by eye)
    pages: int = 0
    redactions: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    failures: list[dict] = field(default_factory=list)
    skips: list[dict] = field(default_factory=list)  #: [convert] files not redacted, with the reason
    #: releases left in the release folder whose input is gone (a person changed them since), with why
    kept: list[dict] = field(default_factory=list)


# --- finding the work ---------------------------------------------------------------

def discover(src: Path, out: Path, internal: Path | None = None) -> tuple[list[Path], list[Path]]:
    """(files to redact: PDFs, and the Office, e-mail, image and text files
    redactor converts; other files, hidden ones among them) under ``src``,
    relative, sorted; ``out`` and the internal folder excluded. Anything
    named as a type redactor reads that is not a folder is one here, even a
    FIFO or a broken link: it is reported, not skipped."""
    from redactor.ingest.convert import needs_conversion  # [convert]

    pdfs, others = [], []
    excluded = [out] + ([internal] if internal else [])
    for path in sorted(src.rglob("*")):
        if path.is_dir() or any(place.is_within(path.parent, x) for x in excluded):
            continue
        readable = path.suffix.lower() == ".pdf" or needs_conversion(path)
        if not readable and not path.is_file():
            continue  # (a FIFO, a broken link of a type never read: nothing to list)
        rel = path.relative_to(src)
        # a hidden file (".secret.pdf") is listed as skipped, never passed over without a word
        (pdfs if readable and not path.name.startswith(".") else others).append(rel)
    return pdfs, others


def load_manifest(internal: Path) -> dict[str, dict]:
    """The records of the manifest in the internal folder ``internal``, the
    last of each input."""
    path = internal / MANIFEST
    return {r["input"]: r for r in _records(path) if "input" in r} if path.exists() else {}


def _records(path: Path) -> list[dict]:
    """The records of a manifest file (a line torn by a kill is passed over)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(r, dict):
            out.append(r)
    return out


def move_old_manifest(out: Path, internal: Path) -> None:
    """A manifest an earlier version kept in the release folder (it names the
    inputs) moves to the internal folder, its logs' paths made relative to it."""
    old = out / MANIFEST
    if not old.is_file() or old.is_symlink() or (internal / MANIFEST).exists():
        return
    records = _records(old)
    for r in records:
        if isinstance(r.get("log"), str):
            r["log"] = Path(os.path.relpath(out / r["log"], internal)).as_posix()
    append_records(internal, records)
    old.unlink()


def append_manifest(internal: Path, record: dict) -> None:
    append_records(internal, [record])


def append_records(internal: Path, records: list[dict]) -> None:
    """Append records to the manifest in ``internal`` and make them durable
    (one fsync for all of them)."""
    if not records:
        return
    with open(internal / MANIFEST, "a", encoding="utf-8") as f:
        f.write("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
        f.flush()
        os.fsync(f.fileno())


class GroupCommit:
    """Finished files wait here until their records are durable, then their
    outputs are renamed into place: one fsync for up to ``size`` records or
    ``seconds`` of waiting (issue 14), and still never an output visible
    before its record is on disk. :meth:`commit` returns the records in the
    order they came, as placed (a rename that fails is a failed record,
    recorded in the next commit)."""

    def __init__(self, out: Path, internal: Path, size: int = 64, seconds: float = 1.0):
        self.out, self.internal, self.size, self.seconds = out, internal, size, seconds
        self.waiting: list[dict] = []
        self.follow_up: list[dict] = []  #: records of renames that failed, for the next commit
        self.since = 0.0

    def add(self, record: dict) -> list[dict]:
        if not self.waiting:
            self.since = time.monotonic()
        self.waiting.append(record)
        return self.commit() if len(self.waiting) >= self.size else []

    def due(self) -> list[dict]:
        """Commit if the oldest waiting record has waited long enough."""
        if self.waiting and time.monotonic() - self.since >= self.seconds:
            return self.commit()
        return []

    def commit(self) -> list[dict]:
        waiting, self.waiting = self.waiting, []
        append_records(self.internal, self.follow_up + [_without_pending(r) for r in waiting])
        self.follow_up = []
        placed = []
        for record in waiting:
            done = _place_pending(record, self.out)  # only now is the output visible
            if done is not record:
                self.follow_up.append(done)
            placed.append(done)
        return placed

    def close(self) -> list[dict]:
        placed = self.commit()
        append_records(self.internal, self.follow_up)
        self.follow_up = []
        return placed


def is_unchanged(record: dict | None, sha: str, out: Path, settings: str | None = None) -> bool:
    """Whether a done input's release is in place, its input unchanged and
    made under the same ``settings`` (:func:`settings_key`; a release made
    before names were masked is made again: its name may name)."""
    if not record or record.get("status") != "done" or record.get("sha256") != sha or not record.get(MASKED):
        return False
    if settings is not None and record.get(SETTINGS) != settings:
        return False
    return all((out / o["output"]).exists() and sha256_file(out / o["output"]) == o.get("output_sha256")
               for o in _released(record))


#: options that change how a run goes, never what it releases
_NOT_SETTINGS = frozenset({"timeout", "convert_timeout", "max_memory_mb", "password"})


def settings_key(config: Config) -> str:
    """What decides a release besides its input: the options, the rule
    packs' text and the tool's version. A rerun with other ones (an
    ``--allow`` given by mistake, then taken out) makes every release again:
    skipped as unchanged, the corrected run left the name in."""
    from redactor import __version__
    from redactor.detect.rulepack import pack_paths

    options = {k: v for k, v in asdict(config).items() if k not in _NOT_SETTINGS}
    h = hashlib.sha256(json.dumps({"options": options, "tool": __version__}, sort_keys=True, default=str).encode())
    for path in pack_paths(list(config.packs)):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def remove_stale_temporaries(out: Path, keep_out: Path | None = None) -> int:
    """Remove temporary files an interrupted run left (regular files named
    like redactor's, never inside ``keep_out``, the source tree)."""
    n = 0
    if not out.is_dir():
        return 0
    for p in out.rglob(TMP_PATTERN):
        if p.is_symlink() or not p.is_file() or (keep_out is not None and place.is_within(p, keep_out)):
            continue
        p.unlink(missing_ok=True)
        n += 1
    return n


def internal_root(out: Path, internal: Path | None = None) -> Path:
    return Path(internal) if internal else place.default_internal_dir(out)


def shared_stems(inputs: Iterable[Path]) -> frozenset[str]:
    """The paths, less their suffix, that more than one input has (report.pdf,
    report.docx, report.eml in one folder)."""
    counts = Counter(p.with_suffix("").as_posix() for p in inputs)
    return frozenset(stem for stem, n in counts.items() if n > 1)


def output_rel(rel: Path, shared: frozenset[str] = frozenset()) -> Path:
    """[convert] The release of ``rel``: the same path for a PDF; for another
    format the same path ending .pdf, or name.docx.pdf where another input
    has the same name but for its suffix (``shared``, :func:`shared_stems`:
    each would overwrite the other's release)."""
    if rel.suffix.lower() == ".pdf":
        return rel
    return rel.with_name(rel.name + ".pdf") if rel.with_suffix("").as_posix() in shared else rel.with_suffix(".pdf")


def make_task(src: Path, out: Path, rel: Path, sha: str, internal: Path | None = None,
              shared: frozenset[str] = frozenset()) -> Task:
    released = output_rel(rel, shared)  # [convert] logs are named after the release: no two inputs share one
    output = out / released
    log_dir = internal_root(out, internal) / rel.parent
    stem = _internal_stem(released)
    return Task(rel=rel.as_posix(), root=str(out), internal=str(internal_root(out, internal)), src=str(src / rel),
                out=str(output), log=str(log_dir / (stem + ".log.jsonl")),
                schedule=str(log_dir / (stem + ".schedule.csv")), sha256=sha)


def _internal_stem(released: Path) -> str:
    """The start of a release's log and schedule names: its stem, or its
    whole name where the suffix is not ".pdf" as written (brief.pdf and
    brief.PDF shared one log, and one release was left with none); cut short,
    with a hash of the name, where the log's name would be longer than a
    file system allows (the input's own name fitted, its log's did not)."""
    stem = released.stem if released.suffix == ".pdf" else released.name
    longest = ".schedule.sources.csv"  # (the longest suffix given to the stem: the log's is ".log.jsonl")
    if len((stem + longest).encode("utf-8")) <= place.NAME_MAX:
        return stem
    tag = "~" + hashlib.sha256(released.as_posix().encode("utf-8")).hexdigest()[:10]
    room = place.NAME_MAX - len((tag + longest).encode("utf-8"))
    return place.cut_to_bytes(stem, room) + tag


# --- one file (runs in a worker) -----------------------------------------------------

_DETECTORS: dict = {}


def _detector(config: Config):
    key = (config.packs, config.allow, config.nlp_model, config.use_nlp)
    if key not in _DETECTORS:
        from redactor.detect.engine import Detector
        from redactor.detect.rulepack import load_packs
        from redactor.memory import settle
        from redactor.text.ocr import tesseract

        tesseract.set_jobs(1)  # one Tesseract at a time: the other workers have the other CPUs
        _DETECTORS[key] = Detector(load_packs(list(config.packs) or None), allow=config.allow,
                                   nlp_model=config.nlp_model, use_nlp=config.use_nlp)
        settle()  # the packs and the model stay: out of the collector's full passes
    return _DETECTORS[key]


def _record(task: Task, **fields) -> dict:
    """A manifest record for ``task``."""
    return {"input": task.rel, "sha256": task.sha256, "output": Path(task.out).relative_to(task.root).as_posix(),
            "log": Path(os.path.relpath(task.log, task.internal)).as_posix(), **fields}


def _failed(task: Task, reason: str, seconds: float | None = None) -> dict:
    record = _record(task, status="failed", error=f"{task.rel}: {reason}")
    if not _exists(task.log):
        del record["log"]  # it failed before it had one
    if seconds is not None:
        record["seconds"] = round(seconds, 3)
    return record


def _exists(path: str) -> bool:
    """Whether a file is there (False where its name cannot even be asked
    about: longer than the file system allows)."""
    try:
        return Path(path).exists()
    except OSError:
        return False


def process(task: Task, config: Config) -> dict:
    """Redact one file; never raises: failures come back as records."""
    from redactor.account import schedule
    from redactor.redact.apply import ApplyOptions
    from redactor.ingest.document import Limits
    from redactor.pipeline import RunOptions, named_in, redact_pdf
    from redactor.redact.sanitize import SanitizeOptions
    from redactor.ingest.convert import ConvertOptions
    from redactor.ingest.guard import as_input_error, as_output_error

    started = time.time()
    record = _record(task)
    result = None
    try:
        # the release's folders are made once the names are masked (below): only the internal one now
        place.ensure_tree(Path(task.internal), Path(task.rel).parent)
        options = RunOptions(
            password=config.password,
            limits=Limits(max_pages=config.max_pages, max_bytes=config.max_bytes, allow_repaired=config.allow_repaired),
            apply=ApplyOptions(labels=config.labels, glyph_width_defence=not config.keep_layout),
            sanitize=SanitizeOptions.from_keep(list(config.keep), drop_tags=config.drop_tags),
            log_path=Path(task.log), schedule_path=Path(task.schedule), min_confidence=config.min_confidence,
            internal_in_release=True,  # the roots were checked once by run()
            defer_output=True, pending_dir=Path(task.root),
            convert=ConvertOptions(hidden_content=config.hidden_content, timeout=config.convert_timeout))
        options.ocr.mode, options.ocr.layer = config.ocr, config.ocr_layer  # [ocr branch hook]
        result = redact_pdf(Path(task.src), Path(task.out), _detector(config), options)
        folders = [t for part in Path(task.rel).parent.parts for t in named_in(_detector(config), part, options)]
        masks = [result.mask, *(p.mask for p in result.parts), masker(folders)]  # (a folder named after someone)
        hits = _folder_hits(task.rel, masks)  # (for the folder's other files too: see _settle_folders)
        if hits:
            record["folder_hits"] = hits
        public = _released_as(task.rel, masks, hits)  # what the release calls it
        record["output"] = _released_as(record["output"], masks, hits)
        place.ensure_tree(Path(task.root), Path(record["output"]).parent)
        # the hash of the bytes redacted, should the file change after discovery
        record.update(status="done", **{MASKED: True}, name=public, sha256=result.input_sha256, pages=result.pages,
                      redactions=result.redactions, exemptions=result.exemptions, output_sha256=result.output_sha256,
                      flagged=len(result.flagged), schedule=schedule.rows(public, result.entries)
                      + [{"document": public, "page": u.page, "exemption": "", "category": "page_unreadable",
                          "count": 1} for u in result.unreadable],
                      pending=str(result.pending))
        if result.repairs:
            record["repairs"] = result.repairs
        unreadable = [({"part": p.origin["part"]} if p.origin and p.origin.get("part") else {})
                      | {"page": u.page, "reason": u.reason} for p in (result, *result.parts) for u in p.unreadable]
        if unreadable:  # [ocr branch hook] (an e-mail's attachments too)
            record["unreadable"] = unreadable
        _add_parts(record, result, task, public, masks, hits)  # [convert]
    except RedactorError as e:
        record.update(status="failed", error=str(e), exit_code=int(e.exit_code))
    except MemoryError:
        record = _failed(task, f"out of memory (limit {config.max_memory_mb} MiB)")
    except Exception as e:  # a library failing on the file, or a bug: record it and go on with the batch
        err = as_output_error(e, task.src) or as_input_error(e, task.src)
        if err is not None:
            record.update(status="failed", error=str(err), exit_code=int(err.exit_code))
        else:
            record = _failed(task, f"internal error: {type(e).__name__}: {e}")
    if record.get("status") != "done" and result is not None:
        # a release made and then not placed (its folder is a link, say) is not left waiting in the release folder
        for waiting in (result.pending, *(p.pending for p in result.parts)):
            if waiting:
                Path(waiting).unlink(missing_ok=True)
    if record.get("status") != "done" and not _exists(task.log):
        record.pop("log", None)  # a file that failed has no log: the record names none
    if not record.get("sha256"):  # failed before its bytes were read and hashed
        try:
            record["sha256"] = sha256_file(task.src)
        except OSError:
            pass
    record["seconds"] = round(time.time() - started, 3)
    return record


def _add_parts(record: dict, result, task: Task, public: str, masks: list, hits: dict) -> None:
    """[convert] A converted input: every part's release (an e-mail's
    attachments), its pages and redactions, and how each was prepared (no
    content: the schedule is made from it). ``public``: the input's path as
    the release names it; ``masks``, ``hits``: what made it so (:func:`_released_as`)."""
    from redactor.account import schedule
    from redactor.text.ocr.hooks import unreadable_rows

    if not result.origin:
        return
    results = [result, *result.parts]
    record.update(
        pages=sum(r.pages for r in results), redactions=sum(len(r.entries) for r in results),
        flagged=sum(len(r.flagged) for r in results),
        schedule=[row for r in results
                  for name in [public if r is result and not r.origin.get("part") else f"{public} ({r.origin['part']})"]
                  for row in schedule.rows(name, r.entries) + unreadable_rows(name, r.unreadable)],
        parts=[{"output": _released_as(Path(r.output).relative_to(task.root).as_posix(), masks, hits),
                "output_sha256": r.output_sha256,
                "pages": r.pages, "name": r.name, **({"pending": str(r.pending)} if r.pending else {})}
               for r in results],
        sources=[{**{k: v for k, v in r.origin.items() if k not in ("hidden_content", "attachment_filename")},
                  "name": public if not r.origin.get("part") else f"{public} ({r.origin['part']})",
                  "hidden_content": [{"kind": i["kind"], "treatment": i.get("treatment", "")}
                                     for i in r.origin.get("hidden_content", [])]} for r in results])
    exemptions: dict[str, int] = {}
    for r in results:
        for ex, n in r.exemptions.items():
            exemptions[ex] = exemptions.get(ex, 0) + n
    record["exemptions"] = exemptions


def process_with_watchdog(task: Task, config: Config) -> dict:
    """For Dask workers: end the worker process if a file runs too long."""
    timer = threading.Timer(config.timeout, lambda: os._exit(70))
    timer.daemon = True
    timer.start()
    try:
        return process(task, config)
    finally:
        timer.cancel()


# --- local pool ---------------------------------------------------------------------------

#: thread pools of the numerical libraries spaCy and numpy load (OpenBLAS
#: starts one thread per core in every process by default)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextlib.contextmanager
def one_thread_each() -> Iterator[None]:
    """Processes started inside get one thread per numerical library (where
    the user has not set one): a pool already has a worker per core, and
    one more busy thread per worker only fights the other workers."""
    added = [k for k in THREAD_VARIABLES if k not in os.environ]
    for k in added:
        os.environ[k] = "1"
    try:
        yield
    finally:
        for k in added:
            os.environ.pop(k, None)


def _die_with_parent() -> None:
    """Linux: the worker is sent SIGTERM when the batch that started it dies,
    and goes, its warm LibreOffice with it (:func:`_leave`). A ``kill -9`` of the batch left its workers running,
    re-parented to init, each finishing a file nobody would record."""
    if not sys.platform.startswith("linux"):
        return
    parent = mp.parent_process()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    signal.signal(signal.SIGTERM, _leave)
    if parent is not None and os.getppid() != parent.pid:  # the batch died before the signal was asked for
        _leave()


def _leave(*_) -> None:
    """The batch is gone: this worker's LibreOffice is closed and the worker
    ends at once. (Not by SystemExit: the results queue's thread would wait
    to flush into a pipe its sibling workers hold open and nobody reads, and
    a killed batch's worker ran on under load.)"""
    try:
        from redactor.ingest.convert.libreoffice import close_all

        close_all()
    finally:
        os._exit(128 + signal.SIGTERM)


def _worker(tasks: mp.Queue, results: mp.Queue, config: Config, wid: int) -> None:
    _die_with_parent()
    if config.max_memory_mb:
        import resource

        limit = config.max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import logging

    from redactor.errors import quiet_library_warnings

    quiet_library_warnings()
    logging.getLogger("redactor").setLevel(logging.ERROR)
    # rule packs, spaCy and the word and name tables (loaded on first use) once per worker,
    # outside any file's time and timeout
    _detector(config).find_in_text("Statement taken by PC 4471 John Smith on 07700 900123.")
    results.put((wid, None))  # ready: a file's time starts when a ready worker takes it
    try:
        while True:
            task = tasks.get()
            if task is None:
                return
            results.put((wid, process(task, config)))
    finally:  # [convert] this worker's warm LibreOffice goes with it
        from redactor.ingest.convert.libreoffice import close_all

        close_all()


class LocalPool:
    """Worker processes, each with its own task queue, so the parent knows
    which file each runs and can kill one that overruns."""

    #: files sent to a worker at a time: the one it runs and the next
    AHEAD = 2

    def __init__(self, workers: int, config: Config):
        self.config = config
        self.ctx = mp.get_context("spawn")
        self.results = self.ctx.Queue()
        self.workers: dict[int, tuple] = {}
        self.next_id = 0
        for _ in range(max(1, workers)):
            self._start()

    def _start(self) -> None:
        wid = self.next_id
        self.next_id += 1
        q = self.ctx.Queue()
        p = self.ctx.Process(target=_worker, args=(q, self.results, self.config, wid), daemon=True)
        with one_thread_each():
            p.start()
        self.workers[wid] = (p, q)

    def run(self, tasks: list[Task]) -> Iterator[dict | None]:
        """Records as files finish; ``None`` now and then while none does
        (the caller's chance to commit what waits)."""
        pending = list(reversed(tasks))
        sent: dict[int, list[Task]] = {}  # files sent to a worker, in order: the first is the one it runs
        started: dict[int, float] = {}  # when the worker's first file started
        ready: list[int] = []  # workers that said they are ready, in that order
        while pending or any(sent.values()):
            try:
                wid, record = self.results.get(timeout=0.2)
                if wid in self.workers:
                    if record is None:
                        ready.append(wid)
                    elif sent.get(wid):
                        sent[wid].pop(0)
                        started[wid] = time.monotonic()  # the worker went straight on to the next
            except queue.Empty:
                record = None
            # files go out before this record is handled, and one ahead: a worker
            # goes from one file to the next without waiting for the parent
            for wid in ready:
                waiting = sent.setdefault(wid, [])
                while pending and len(waiting) < self.AHEAD:
                    task = pending.pop()
                    if not waiting:
                        started[wid] = time.monotonic()
                    waiting.append(task)
                    self.workers[wid][1].put(task)
            yield record
            starting = [w for w in self.workers if w not in ready]
            if pending and not any(sent.values()) and starting and \
                    not any(self.workers[w][0].is_alive() for w in starting):
                code = self.workers[starting[0]][0].exitcode
                for task in reversed(pending):  # no worker can start: say so rather than wait forever
                    yield _failed(task, f"no worker could start (exit code {code}; --max-memory too low?)")
                return
            now = time.monotonic()
            for wid, waiting in list(sent.items()):
                if not waiting:
                    continue
                proc = self.workers[wid][0]
                overran = now - started[wid] > self.config.timeout
                if overran or not proc.is_alive():
                    reason = (f"timed out after {self.config.timeout:.0f} s" if overran else
                              f"worker died (exit code {proc.exitcode}; out of memory?)")
                    proc.kill()
                    proc.join()
                    del self.workers[wid], sent[wid]
                    ready.remove(wid)
                    pending.extend(reversed(waiting[1:]))  # sent ahead, never started: first in line again
                    self._start()  # it joins `ready` when it says it is ready
                    yield _failed(waiting[0], reason, now - started.pop(wid))

    def close(self) -> None:
        for p, q in self.workers.values():
            q.put(None)
        for p, _ in self.workers.values():
            p.join(timeout=5)
            if p.is_alive():
                p.kill()


# --- Dask ------------------------------------------------------------------------------------

def run_dask(tasks: list[Task], config: Config, scheduler: str, workers: int) -> Iterator[dict]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise RedactorError("the Dask backend needs dask[distributed]: pip install 'redactor[dask]'") from None
    cluster = None
    if scheduler == "local":
        memory = f"{config.max_memory_mb}MiB" if config.max_memory_mb else "auto"
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               memory_limit=memory, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {client.submit(process_with_watchdog, t, config, pure=False, key=f"redact-{t.sha256[:16] or 'new'}-{i}"): t
                   for i, t in enumerate(tasks)}
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                yield fut.result()
            except Exception as e:  # KilledWorker after a timeout or out-of-memory
                yield _failed(task, f"worker lost ({type(e).__name__}; timed out or out of memory?)")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- the batch -------------------------------------------------------------------------------

def check_roots(src: Path, out: Path, internal: Path, internal_in_release: bool = False) -> None:
    """The output and internal folders may be inside the source, never the
    other way round; the internal folder not inside the output (unless
    forced); neither a link redactor did not get from the user."""
    if place.is_within(out, src) and place.is_within(src, out):
        raise UsageError("the output folder is the input folder; choose another", out)
    if place.is_within(src, out):
        raise UsageError(f"the output folder contains the input folder {src}; choose a folder outside it "
                         "(or inside it, like SRC/release)", out)
    if place.is_within(src, internal):
        raise UsageError(f"the internal folder contains the input folder {src}; choose another", internal)
    if not internal_in_release and place.is_within(internal, out):
        raise UsageError("the internal folder is inside the output (release) folder; choose another with "
                         "--internal, or pass --internal-in-release", internal)


def _without_pending(record: dict) -> dict:
    """A record as the manifest keeps it (where outputs wait is not kept)."""
    out = {k: v for k, v in record.items() if k != "pending"}
    if "parts" in out:
        out["parts"] = [{k: v for k, v in p.items() if k != "pending"} for p in out["parts"]]
    return out


def _place_pending(record: dict, out: Path) -> dict:
    """Rename a done record's verified output into place (after its record
    was written). A failure comes back as a failed record."""
    pending = record.pop("pending", None)
    # [convert] an e-mail's attachments wait too
    parts = [(p["output"], p.pop("pending")) for p in record.get("parts", []) if p.get("pending")]
    if pending and record.get("status") == "done":
        placed: list[Path] = []
        try:
            for output, waiting in parts:
                if output != record["output"]:
                    place.place(Path(waiting), out / output)
                    placed.append(out / output)
            place.place(Path(pending), out / record["output"])
        except RedactorError as e:
            # nothing of it is left in the release: neither its parts put in place nor what still waits
            # (a finished release under a temporary name stayed in the release folder)
            for path in [*placed, Path(pending), *(Path(w) for _, w in parts)]:
                path.unlink(missing_ok=True)
            return {**{k: record[k] for k in ("input", "sha256", "output", "log")}, "status": "failed",
                    "error": str(e), "exit_code": int(e.exit_code)}
    return record


def run(src: Path, out: Path, config: Config, workers: int | None = None, scheduler: str | None = None,
        on_start: Callable[[int, int], None] | None = None,
        on_record: Callable[[dict], None] | None = None, internal: Path | None = None,
        internal_in_release: bool = False) -> Summary:
    """Redact every PDF under ``src`` into ``out``; return the summary."""
    started = time.monotonic()
    internal = internal_root(out, internal)
    check_roots(src, out, internal, internal_in_release)
    if internal == place.default_internal_dir(out):
        place.refuse_link(internal, "the internal folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        internal.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        from redactor.errors import OutputError

        raise OutputError(f"cannot be created: {e.strerror or e}", e.filename or out) from None
    remove_stale_temporaries(out)  # check_roots: neither contains the source
    remove_stale_temporaries(internal)
    pdfs, others = discover(src, out, internal)
    move_old_manifest(out, internal)
    manifest = load_manifest(internal)
    settings = settings_key(config)
    summary = Summary(skipped=len(others))
    todo: list[Task] = []
    size: dict[str, int] = {}  # bytes of each input to do: the largest go first
    shared = shared_stems(pdfs)
    for rel in pdfs:
        record = manifest.get(rel.as_posix())
        try:
            file_kind_problem(src / rel)
            nbytes = (src / rel).stat().st_size
            # only an input done before is hashed here (is it unchanged?): a worker
            # hashes the bytes it redacts as it reads them, once (issue 14)
            sha = sha256_file(src / rel) if (record or {}).get("status") == "done" else ""
        except (RedactorError, OSError) as e:
            task = make_task(src, out, rel, "", internal, shared)
            record = _failed(task, getattr(e, "problem", None) or f"cannot be read: {getattr(e, 'strerror', e)}")
            record["exit_code"] = 3
            append_manifest(internal, record)
            manifest[record["input"]] = record
            summary.failed += 1
            summary.failures.append(record)
            if on_record:
                on_record(record)
            continue
        if sha and is_unchanged(record, sha, out, settings):
            summary.unchanged += 1
            continue
        todo.append(make_task(src, out, rel, sha, internal, shared))
        size[todo[-1].rel] = nbytes
    for rel in others:  # [convert] with the reason, in the summary and the manifest
        why = ("a hidden file (its name starts with a dot): not redacted" if rel.name.startswith(".")
               else f"unsupported file type '{rel.suffix or '(none)'}'")
        skip = {"input": rel.as_posix(), "status": "skipped", "error": f"{rel.as_posix()}: {why}"}
        summary.skips.append(skip)
        if (manifest.get(skip["input"]) or {}).get("error") != skip["error"]:
            append_manifest(internal, skip)
        if on_record:
            on_record(skip)
    # largest first (in path order among equals): a large file started last would
    # keep one worker busy while the others have nothing left to do
    todo.sort(key=lambda t: -size[t.rel])
    if on_start:
        on_start(len(todo), summary.unchanged)
    workers = workers or os.cpu_count() or 1
    if todo:
        if scheduler:
            records = run_dask(todo, config, scheduler, workers)
            pool = None
        else:
            pool = LocalPool(min(workers, len(todo)), config)
            records = pool.run(todo)
        group = GroupCommit(out, internal)
        claimed = _claimed(manifest)

        def count(placed: list[dict]) -> None:
            for record in placed:
                _withdraw(out, manifest.get(record["input"]), _outputs(record) if record["status"] == "done" else ())
                manifest[record["input"]] = record
                if record["status"] == "done":
                    summary.done += 1
                    summary.pages += record.get("pages", 0)
                    summary.unreadable += bool(record.get("unreadable"))  # [ocr branch hook]
                    for ex, n in record.get("exemptions", {}).items():
                        summary.redactions[ex] = summary.redactions.get(ex, 0) + n
                else:
                    summary.failed += 1
                    summary.failures.append(record)
                if on_record:
                    on_record(record)

        try:
            for record in records:
                if record is not None and record.get("status") == "done":
                    record[SETTINGS] = settings
                count(group.add(_claim(record, claimed)) if record is not None else group.due())
        finally:
            try:
                count(group.close())  # an interruption still records, and places, what finished
            finally:
                if pool is not None:
                    pool.close()
    summary.kept = _withdraw_gone(out, internal, manifest, {p.as_posix() for p in pdfs})
    _settle_folders(out, internal, manifest)
    _write_combined_schedule(out, manifest, {p.as_posix() for p in pdfs})
    summary.seconds = time.monotonic() - started
    return summary


def _released_as(rel: str, masks: list, hits: dict[str, list[str]]) -> str:
    """A path as the release names it: each folder less what ``hits`` say is
    masked in it (its input folder's), the file's name less what ``masks``
    mask (:func:`redactor.account.naming.masked_path`)."""
    path = PurePosixPath(rel)
    folders = _folders_as(path.parent.parts, hits)
    return f"{folders}/{masked_path(path.name, masks)}" if folders else masked_path(path.name, masks)


def _folders_as(parents: tuple[str, ...], hits: dict) -> str:
    """The folders of an input path (``parents``) as the release names them:
    each less what ``hits`` say is masked in it (its input folder's)."""
    return "/".join(mask_words(part, hits.get("/".join(parents[: k + 1]), ())) for k, part in enumerate(parents))


def _folder_hits(rel: str, masks: list) -> dict[str, list[str]]:
    """What ``masks`` mask in each folder of the input path ``rel``, as
    written there: input folder -> those parts of its name."""
    parents = PurePosixPath(rel).parent.parts
    hits = {}
    for k, part in enumerate(parents):
        found = sorted({w for m in masks if m is not None for w in m.found(part)})
        if found:
            hits["/".join(parents[: k + 1])] = found
    return hits


def _settle_folders(out: Path, internal: Path, manifest: dict[str, dict]) -> None:
    """One release folder for each input folder, masked by all that the
    documents under it mask in its name: a document that never names the
    person its folder is named after goes where its sibling that does went
    (each was masked by its own document's redactions: "SMITH_John/cover.pdf"
    beside "[redacted]/statement.pdf" named the person and told which
    "[redacted]" that was). The moved outputs' records are written first."""
    hits: dict[str, set[str]] = {}
    for r in manifest.values():
        if r.get("status") == "done":
            for folder, words in (r.get("folder_hits") or {}).items():
                hits.setdefault(folder, set()).update(words)
    if not hits:
        return
    claimed = _claimed(manifest)
    moves: list[tuple[str, str]] = []
    changed = []
    for r in list(manifest.values()):
        parents = PurePosixPath(r["input"]).parent.parts
        if r.get("status") != "done" or not parents or len(PurePosixPath(r["output"]).parts) != len(parents) + 1:
            continue
        final = _folders_as(parents, hits)
        if final == PurePosixPath(r["output"]).parent.as_posix():
            continue
        before = _outputs(r)
        for o in before:
            claimed.pop(o, None)
        r["output"] = f"{final}/{PurePosixPath(r['output']).name}"
        for p in r.get("parts", []):
            p["output"] = f"{final}/{PurePosixPath(p['output']).name}"
        if r.get("name"):  # (the schedule names it in its new folder; _claim then numbers both alike if need be)
            _rename(r, f"{final}/{PurePosixPath(r['name']).name}")
        _claim(r, claimed)
        moves += list(zip(before, _outputs(r)))
        changed.append(r)
    append_records(internal, changed)  # (the records first: never an output its record does not name)
    for old, new in moves:
        try:
            place.ensure_tree(out, PurePosixPath(new).parent)
            os.replace(out / old, out / new)
        except (OSError, RedactorError):
            continue  # (its record names the new place: the next run makes it again there)
        _prune(out, (out / old).parent)


def _withdraw(out: Path, before: dict | None, kept: Iterable[str] = ()) -> None:
    """The releases of a file done before but ``kept`` (those of its new
    record): after it changed, its new bytes could not be redacted, or its
    release is named otherwise. They are no longer what the input is, and the
    manifest and schedule no longer list them."""
    if not before or before.get("status") != "done":
        return
    for rel in set(_outputs(before)) - set(kept):
        (out / rel).unlink(missing_ok=True)
        _prune(out, (out / rel).parent)


def _prune(out: Path, folder: Path) -> None:
    """Remove ``folder`` and the folders above it, up to ``out``, while they are empty."""
    while folder != out and place.is_within(folder, out):
        try:
            folder.rmdir()  # (only if empty)
        except OSError:
            break
        folder = folder.parent


def _withdraw_gone(out: Path, internal: Path, manifest: dict[str, dict], present: set[str]) -> list[dict]:
    """The releases of inputs no longer in the archive (deleted, moved,
    renamed): the release mirrors the archive. Only an output still as
    redactor wrote it is removed; one a person changed since stays, and is
    returned (the record says so: it said "withdrawn" while the file
    stayed, with no word)."""
    gone, kept = [], []
    for rel, r in list(manifest.items()):
        if rel in present or r.get("status") not in ("done", "kept"):
            continue
        if r.get("status") == "kept":  # said at every run while the file is there
            if any((out / o).is_file() for o in r.get("kept", ())):
                kept.append(r)
            else:
                gone.append(_withdrawn(rel, r))
                manifest[rel] = gone[-1]
            continue
        left = []
        for o in _released(r):
            path = out / o["output"]
            try:
                if path.is_file() and not path.is_symlink() and sha256_file(path) == o.get("output_sha256"):
                    path.unlink()
                    _prune(out, path.parent)
                elif path.is_file():
                    left.append(o["output"])
            except OSError:
                left.append(o["output"])
        if left:
            gone.append({"input": rel, "sha256": r.get("sha256"), "status": "kept", "kept": left,
                         "error": f"{rel}: no longer in the archive; its release {', '.join(left)} was changed "
                                  "since redactor wrote it and is left in place, outside the schedule: remove it "
                                  "or put its input back"})
            kept.append(gone[-1])
        else:
            gone.append(_withdrawn(rel, r))
        manifest[rel] = gone[-1]
    append_records(internal, gone)
    return kept


def _withdrawn(rel: str, record: dict) -> dict:
    return {"input": rel, "sha256": record.get("sha256"), "status": "withdrawn",
            "error": f"{rel}: no longer in the archive: its release was withdrawn"}


def _released(record: dict) -> list[dict]:
    """A done record's releases, each with its ``output`` and ``output_sha256``:
    its parts' (an e-mail and its attachments: the e-mail's is among them), or its own."""
    return record.get("parts") or [record]


def _claimed(manifest: dict[str, dict]) -> dict[str, str]:
    """Release path -> the input whose release it is: every done record's
    outputs, and the releases left in place as kept (a person changed them:
    another input's release masked to the same name is numbered, not put
    over them)."""
    claimed = {o: r["input"] for r in manifest.values() if r.get("status") == "done" for o in _outputs(r)}
    claimed.update({o: r["input"] for r in manifest.values() if r.get("status") == "kept" for o in r.get("kept", ())})
    return claimed


def _outputs(record: dict) -> list[str]:
    """A record's outputs: its own, and its parts' (an e-mail's attachments)."""
    return [o for o in dict.fromkeys([record.get("output"), *(p.get("output") for p in record.get("parts", []))]) if o]


def _claim(record: dict, claimed: dict[str, str]) -> dict:
    """A done record whose outputs are named as no other input's are (two
    statements masked to "[redacted] statement.pdf"): the second becomes
    "[redacted] statement (2).pdf", its parts likewise. Its names are then
    claimed for its input."""
    if record.get("status") != "done":
        return record
    mine = record["input"]
    stem = PurePosixPath(record["output"]).stem
    n = 1
    while any(claimed.get(numbered(o, n, stem), mine) != mine for o in _outputs(record)):
        n += 1
    record["output"] = numbered(record["output"], n, stem)
    for p in record.get("parts", []):
        p["output"] = numbered(p["output"], n, stem)
    for o in _outputs(record):
        claimed[o] = mine
    if n > 1 and record.get("name"):  # the schedule names it as its release is named
        _rename(record, numbered(record["name"], n))
    return record


def _rename(record: dict, public: str) -> None:
    """The record's input as the release names it becomes ``public`` in its
    schedule rows and sources too (a part's: "public (attachment 1)")."""
    old = record["name"]
    for row in [*record.get("schedule", []), *record.get("sources", [])]:
        key = "document" if "document" in row else "name"
        if row.get(key) == old or str(row.get(key, "")).startswith(old + " ("):
            row[key] = public + row[key][len(old):]
    record["name"] = public


def _write_combined_schedule(out: Path, manifest: dict[str, dict], inputs: set[str]) -> None:
    from redactor.account import schedule

    done = [manifest.get(rel) for rel in sorted(inputs) if (manifest.get(rel) or {}).get("status") == "done"]
    table = [row for r in done for row in r.get("schedule", [])]
    schedule.write_all(out / "schedule.csv", table, f"Redaction schedule: {out.name}",  # [convert] + sources
                       [s for r in done for s in r.get("sources", [])])


def summary_dict(s: Summary) -> dict:
    d = asdict(s)
    d["seconds"] = round(s.seconds, 2)
    d["pages_per_second"] = round(s.pages / s.seconds, 2) if s.seconds else 0.0
    return d
