"""Batch redaction of an archive: a folder tree in, a mirrored tree out.

* Every PDF under SRC is redacted to the same relative path under OUT; other
  files are reported as skipped. Logs (internal) go to
  ``OUT/logs-NOT-FOR-RELEASE/``; one combined schedule for the batch is
  written to ``OUT/schedule.csv`` and ``OUT/schedule.html``.
* ``OUT/manifest.jsonl`` records per input its SHA-256, status, output, log
  and error. It is append-only (the last record of an input wins; a torn
  last line, after a kill -9, is ignored), so a rerun skips what is done and
  unchanged and retries what failed. Outputs are renamed into place only
  after they verify, so an interrupted run leaves no half-written output.
* Local mode runs a pool of worker processes, each loading the rule packs
  and spaCy once. A file that runs past ``timeout`` has its worker killed
  and replaced; each worker's address space is capped at ``max_memory_mb``.
* ``scheduler`` runs the same tasks on a Dask cluster (``tcp://host:port``,
  or ``local`` for a LocalCluster); a watchdog in the task stops a file that
  runs past the timeout (the cluster restarts the worker).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from redactor.ingest.document import sha256_file
from redactor.errors import RedactorError

MANIFEST = "manifest.jsonl"
LOGS = "logs-NOT-FOR-RELEASE"
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
    password: str | None = None
    max_pages: int = 10_000
    min_confidence: float = 0.5
    timeout: float = 600.0
    max_memory_mb: int | None = 4096
    ocr: str = "auto"  #: [ocr branch hook] --ocr
    ocr_layer: bool = True


@dataclass(frozen=True)
class Task:
    rel: str  #: path relative to SRC
    root: str  #: OUT
    src: str
    out: str
    log: str
    schedule: str
    sha256: str


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


# --- finding the work ---------------------------------------------------------------

def discover(src: Path, out: Path) -> tuple[list[Path], list[Path]]:
    """(PDFs, other files) under ``src``, relative, sorted; ``out`` excluded."""
    pdfs, others = [], []
    out_resolved = out.resolve()
    for path in sorted(src.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        if out_resolved in path.resolve().parents:
            continue
        rel = path.relative_to(src)
        (pdfs if path.suffix.lower() == ".pdf" else others).append(rel)
    return pdfs, others


def load_manifest(out: Path) -> dict[str, dict]:
    records: dict[str, dict] = {}
    path = out / MANIFEST
    if not path.exists():
        return records
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by a kill
        if isinstance(r, dict) and "input" in r:
            records[r["input"]] = r
    return records


def append_manifest(out: Path, record: dict) -> None:
    with open(out / MANIFEST, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def is_unchanged(record: dict | None, sha: str, out: Path) -> bool:
    if not record or record.get("status") != "done" or record.get("sha256") != sha:
        return False
    output = out / record["output"]
    return output.exists() and sha256_file(output) == record.get("output_sha256")


def remove_stale_temporaries(out: Path) -> int:
    n = 0
    for p in out.rglob(TMP_PATTERN):
        p.unlink(missing_ok=True)
        n += 1
    return n


def make_task(src: Path, out: Path, rel: Path, sha: str) -> Task:
    output = out / rel
    log_dir = out / LOGS / rel.parent
    return Task(rel=rel.as_posix(), root=str(out), src=str(src / rel), out=str(output),
                log=str(log_dir / (rel.stem + ".log.jsonl")), schedule=str(log_dir / (rel.stem + ".schedule.csv")),
                sha256=sha)


# --- one file (runs in a worker) -----------------------------------------------------

_DETECTORS: dict = {}


def _detector(config: Config):
    key = (config.packs, config.allow, config.nlp_model, config.use_nlp)
    if key not in _DETECTORS:
        from redactor.detect.engine import Detector
        from redactor.detect.rulepack import load_packs

        _DETECTORS[key] = Detector(load_packs(list(config.packs) or None), allow=config.allow,
                                   nlp_model=config.nlp_model, use_nlp=config.use_nlp)
    return _DETECTORS[key]


def _record(task: Task, **fields) -> dict:
    """A manifest record for ``task``."""
    return {"input": task.rel, "sha256": task.sha256, "output": task.rel,
            "log": Path(task.log).relative_to(task.root).as_posix(), **fields}


def _failed(task: Task, reason: str, seconds: float | None = None) -> dict:
    record = _record(task, status="failed", error=f"{task.rel}: {reason}")
    if seconds is not None:
        record["seconds"] = round(seconds, 3)
    return record


def process(task: Task, config: Config) -> dict:
    """Redact one file; never raises: failures come back as records."""
    from redactor.account import schedule
    from redactor.redact.apply import ApplyOptions
    from redactor.ingest.document import Limits
    from redactor.pipeline import RunOptions, redact_pdf
    from redactor.redact.sanitize import SanitizeOptions

    started = time.time()
    record = _record(task)
    try:
        Path(task.out).parent.mkdir(parents=True, exist_ok=True)
        Path(task.log).parent.mkdir(parents=True, exist_ok=True)
        options = RunOptions(
            password=config.password, limits=Limits(max_pages=config.max_pages),
            apply=ApplyOptions(labels=config.labels),
            sanitize=SanitizeOptions.from_keep(list(config.keep), drop_tags=config.drop_tags),
            log_path=Path(task.log), schedule_path=Path(task.schedule), min_confidence=config.min_confidence)
        options.ocr.mode, options.ocr.layer = config.ocr, config.ocr_layer  # [ocr branch hook]
        result = redact_pdf(Path(task.src), Path(task.out), _detector(config), options)
        # the hash of the bytes redacted, should the file change after discovery
        record.update(status="done", sha256=result.input_sha256, pages=result.pages, redactions=len(result.entries),
                      exemptions=result.exemptions, output_sha256=result.output_sha256,
                      flagged=len(result.flagged), schedule=schedule.rows(task.rel, result.entries)
                      + [{"document": task.rel, "page": u.page, "exemption": "", "category": "page_unreadable",
                          "count": 1} for u in result.unreadable])
        if result.unreadable:  # [ocr branch hook]
            record["unreadable"] = [{"page": u.page, "reason": u.reason} for u in result.unreadable]
    except RedactorError as e:
        record.update(status="failed", error=str(e), exit_code=int(e.exit_code))
    except MemoryError:
        record = _failed(task, f"out of memory (limit {config.max_memory_mb} MiB)")
    except Exception as e:  # a bug: record it and go on with the batch
        record = _failed(task, f"internal error: {type(e).__name__}: {e}")
    record["seconds"] = round(time.time() - started, 3)
    return record


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

def _worker(tasks: mp.Queue, results: mp.Queue, config: Config, wid: int) -> None:
    if config.max_memory_mb:
        import resource

        limit = config.max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import logging

    logging.getLogger("redactor").setLevel(logging.ERROR)
    _detector(config)  # rule packs and spaCy once per worker, outside any file's time
    while True:
        task = tasks.get()
        if task is None:
            return
        results.put((wid, process(task, config)))


class LocalPool:
    """Worker processes, each with its own task queue, so the parent knows
    which file each runs and can kill one that overruns."""

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
        p.start()
        self.workers[wid] = (p, q)

    def run(self, tasks: list[Task]) -> Iterator[dict]:
        pending = list(reversed(tasks))
        running: dict[int, tuple[Task, float]] = {}
        idle = list(self.workers)
        while pending or running:
            while pending and idle:
                wid = idle.pop()
                task = pending.pop()
                self.workers[wid][1].put(task)
                running[wid] = (task, time.monotonic())
            try:
                wid, record = self.results.get(timeout=0.2)
                running.pop(wid, None)
                idle.append(wid)
                yield record
            except queue.Empty:
                pass
            now = time.monotonic()
            for wid, (task, start) in list(running.items()):
                proc = self.workers[wid][0]
                overran = now - start > self.config.timeout
                if overran or not proc.is_alive():
                    reason = (f"timed out after {self.config.timeout:.0f} s" if overran else
                              f"worker died (exit code {proc.exitcode}; out of memory?)")
                    proc.kill()
                    proc.join()
                    del self.workers[wid]
                    running.pop(wid)
                    self._start()
                    idle.append(self.next_id - 1)
                    yield _failed(task, reason, now - start)

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
        futures = {client.submit(process_with_watchdog, t, config, pure=False, key=f"redact-{t.sha256[:16]}-{i}"): t
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

def run(src: Path, out: Path, config: Config, workers: int | None = None, scheduler: str | None = None,
        on_start: Callable[[int, int], None] | None = None,
        on_record: Callable[[dict], None] | None = None) -> Summary:
    """Redact every PDF under ``src`` into ``out``; return the summary."""
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    pdfs, others = discover(src, out)
    manifest = load_manifest(out)
    summary = Summary(skipped=len(others))
    todo: list[Task] = []
    for rel in pdfs:
        sha = sha256_file(src / rel)
        record = manifest.get(rel.as_posix())
        if is_unchanged(record, sha, out):
            summary.unchanged += 1
            continue
        todo.append(make_task(src, out, rel, sha))
    for rel in others:
        if on_record:
            on_record({"input": rel.as_posix(), "status": "skipped", "error": "not a PDF"})
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
        try:
            for record in records:
                append_manifest(out, record)
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
        finally:
            if pool is not None:
                pool.close()
    _write_combined_schedule(out, manifest, {p.as_posix() for p in pdfs})
    summary.seconds = time.monotonic() - started
    return summary


def _write_combined_schedule(out: Path, manifest: dict[str, dict], inputs: set[str]) -> None:
    from redactor.account import schedule

    table = [row for rel in sorted(inputs) for row in (manifest.get(rel) or {}).get("schedule", [])
             if (manifest.get(rel) or {}).get("status") == "done"]
    schedule.write_csv(out / "schedule.csv", table)
    schedule.write_html(out / "schedule.html", table, f"Redaction schedule: {out.name}")


def summary_dict(s: Summary) -> dict:
    d = asdict(s)
    d["seconds"] = round(s.seconds, 2)
    d["pages_per_second"] = round(s.pages / s.seconds, 2) if s.seconds else 0.0
    return d
