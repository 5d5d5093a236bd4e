"""The fuzzing harness: mutants of the sample briefing, run through the real
command line in a forked child under a memory cap and a time limit.

Used by ``test_fuzz.py`` (a fixed, seeded count in ``make test``) and by
``fuzz_campaign.py`` (``make fuzz``: Hypothesis drives the same mutations
for longer).

Each run is ``redactor redact MUTANT -o OUT --no-nlp``, then ``redactor
verify MUTANT`` and, when redact succeeded, ``redactor verify OUT --log
LOG``. The child is the same click command the console script runs
(``redactor.cli.cli``), forked from the test process so the libraries are
loaded once; it runs under ``RLIMIT_AS`` and is killed if it overruns.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

ROOT = Path(__file__).resolve().parent.parent
#: exit codes a damaged input may give: ok, input error, verification failed
ALLOWED = {0, 3, 4}
MEMORY_CAP = 3 * 1024**3
TIMEOUT = 90.0
MIN_SEARCH_CHARS = 4


def sample(folder: Path, seed: int = 7) -> tuple[Path, Path]:
    """The sample briefing (what `make demo` redacts) and an uncompressed
    copy of it, whose structure byte-level mutations can reach."""
    pdf = folder / "sample.pdf"
    if not pdf.exists():
        subprocess.run([sys.executable, str(ROOT / "corpora" / "generate.py"), "sample", str(pdf), "--seed",
                        str(seed)], check=True, capture_output=True)
    plain = folder / "sample-plain.pdf"
    if not plain.exists():
        with pikepdf.open(pdf) as p:
            p.save(plain, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                   object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return pdf, plain


# --- mutations -------------------------------------------------------------------------

_NUMBER = re.compile(rb"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_REF = re.compile(rb"\b(\d+) 0 R\b")
_OBJ = re.compile(rb"(?m)^(\d+) 0 obj\b.*?endobj\s*", re.S)
HUGE = [b"99999999999999999999999999999999999999", b"-2147483649", b"4294967296", b"1e308", b"3.4e38",
        b"-0.0000000000000000000001", b"9223372036854775808", b"0", b"-1"]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        i = rng.randrange(len(b))
        b[i] ^= rng.randint(1, 255)
    return bytes(b)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(len(data) // 20, len(data) - 1)]


def delete_object(data: bytes, rng: random.Random) -> bytes:
    objs = list(_OBJ.finditer(data))
    if not objs:
        return flip_bytes(data, rng)
    m = rng.choice(objs)
    return data[: m.start()] + data[m.end():]


def make_cycle(data: bytes, rng: random.Random) -> bytes:
    """Point a reference at another object: page-tree loops, /Parent cycles,
    a font or form that is really a page..."""
    refs = list(_REF.finditer(data))
    nums = sorted({int(m.group(1)) for m in refs})
    if not refs:
        return flip_bytes(data, rng)
    out = data
    for _ in range(rng.randint(1, 3)):
        m = rng.choice(list(_REF.finditer(out)))
        out = out[: m.start(1)] + str(rng.choice(nums)).encode() + out[m.end(1):]
    return out


def huge_number(data: bytes, rng: random.Random) -> bytes:
    nums = list(_NUMBER.finditer(data))
    out = data
    for _ in range(rng.randint(1, 4)):
        m = rng.choice(nums)
        out = out[: m.start()] + rng.choice(HUGE) + out[m.end():]
        nums = list(_NUMBER.finditer(out))
    return out


def nest_arrays(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([60, 99, 101, 300, 1000, 20000])
    deep = b"[" * depth + b"0" + b"]" * depth
    nums = list(_NUMBER.finditer(data))
    m = rng.choice(nums)
    return data[: m.start()] + deep + data[m.end():]


def duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 4096))
    k = rng.randrange(len(data))
    return data[:k] + data[i:j] + data[k:]


MUTATIONS = {
    "flip": flip_bytes, "truncate": truncate, "delete-object": delete_object, "cycle": make_cycle,
    "huge-number": huge_number, "nested-arrays": nest_arrays, "duplicate": duplicate_chunk,
}


def mutant(base: bytes, plain: bytes, seed: int) -> tuple[str, bytes]:
    """One seeded mutant: (description, bytes)."""
    rng = random.Random(seed)
    kind = rng.choice(sorted(MUTATIONS))
    source = plain if kind in ("delete-object", "cycle", "huge-number", "nested-arrays") or rng.random() < 0.5 \
        else base
    data = MUTATIONS[kind](source, rng)
    if rng.random() < 0.2:  # sometimes two at once
        kind2 = rng.choice(sorted(MUTATIONS))
        data = MUTATIONS[kind2](data, rng)
        kind = f"{kind}+{kind2}"
    return f"{kind} (seed {seed}, {'plain' if source is plain else 'compressed'})", data


# --- running ---------------------------------------------------------------------------

@dataclass
class Outcome:
    name: str
    redact: int | str  # exit code, or "timeout" / "killed by signal N"
    verify_input: int | str | None = None
    verify_output: int | str | None = None
    seconds: float = 0.0
    peak_mb: int = 0
    stderr: str = ""
    leaks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        codes = [self.redact, self.verify_input]
        if any(c not in ALLOWED for c in codes):
            return False
        if self.redact == 0 and self.verify_output != 0:
            return False
        return not self.leaks

    def __str__(self) -> str:
        return (f"{self.name}: redact {self.redact}, verify input {self.verify_input}, verify output "
                f"{self.verify_output}, {self.seconds:.1f} s, {self.peak_mb} MB"
                + (f", LEAKS {self.leaks}" if self.leaks else "") + (f"\n    {self.stderr}" if self.stderr else ""))


def _child(pdf: Path, work: Path, memory_cap: int) -> None:
    """Runs in the forked child: the three commands, codes to work/codes.json."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))
    err = os.open(work / "stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    out = os.open(work / "stdout.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(err, 2)
    os.dup2(out, 1)
    from redactor.cli import cli

    def run(*args) -> int:
        try:
            cli.main([str(a) for a in args], prog_name="redactor", standalone_mode=True)
        except SystemExit as e:
            return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        return 0

    output = work / "out" / "redacted.pdf"
    output.parent.mkdir(exist_ok=True)
    codes = {"redact": run("redact", pdf, "-o", output, "--no-nlp")}
    codes["verify_input"] = run("verify", pdf)
    if codes["redact"] == 0:
        from redactor.account.log import default_log_path

        codes["verify_output"] = run("verify", output, "--log", default_log_path(output))
    (work / "codes.json").write_text(json.dumps(codes))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def start(pdf: Path, work: Path, memory_cap: int = MEMORY_CAP) -> int:
    work.mkdir(parents=True, exist_ok=True)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            _child(pdf, work, memory_cap)
        finally:
            os._exit(70)
    return pid


def leaks(output: Path) -> list[str]:
    """Logged texts still readable in the output (PyMuPDF or pdftotext)."""
    import pymupdf

    from redactor.account.log import default_log_path, read_log

    _, entries = read_log(default_log_path(output))
    texts = {e["text"] for e in entries if sum(ch.isalnum() for ch in e["text"]) >= MIN_SEARCH_CHARS}
    if not texts:
        return []
    with pymupdf.open(output) as doc:
        flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP
        mu = " ".join(p.get_text("text", flags=flags, clip=pymupdf.INFINITE_RECT()) for p in doc)
    pt = subprocess.run(["pdftotext", "-q", str(output), "-"], capture_output=True, text=True).stdout

    def squeeze(s: str) -> str:
        return "".join(s.split()).casefold()

    hay_mu, hay_pt = squeeze(mu), squeeze(pt)
    return [t for t in sorted(texts) if squeeze(t) in hay_mu or squeeze(t) in hay_pt]


def run_all(cases: list[tuple[str, Path]], work: Path, parallel: int = 2, timeout: float = TIMEOUT,
            memory_cap: int = MEMORY_CAP) -> list[Outcome]:
    """Run every case, ``parallel`` children at a time."""
    pending = list(reversed(cases))
    running: dict[int, tuple[str, Path, float]] = {}
    results: list[Outcome] = []
    while pending or running:
        while pending and len(running) < parallel:
            name, pdf = pending.pop()
            w = work / re.sub(r"[^\w.-]+", "_", name)[:80]
            w.mkdir(parents=True, exist_ok=True)
            (w / "input.txt").write_text(str(pdf))
            running[start(pdf, w, memory_cap)] = (name, w, time.monotonic())
        for pid, (name, w, t0) in list(running.items()):
            done, status, usage = os.wait4(pid, os.WNOHANG)
            overran = time.monotonic() - t0 > timeout
            if not done and not overran:
                continue
            del running[pid]
            if overran and not done:
                os.kill(pid, signal.SIGKILL)
                os.wait4(pid, 0)
                results.append(_confirm_timeout(name, w, timeout, memory_cap))
                continue
            results.append(_judge(name, w, status, usage, time.monotonic() - t0))
        time.sleep(0.02)
    return results


def _confirm_timeout(name: str, work: Path, timeout: float, memory_cap: int) -> Outcome:
    """A forked child that overran is run again as the real console script
    in a fresh process: a real hang times out again (and fails the test);
    one that completes is reported as such, with the first run's timeout
    noted, so a loaded machine is told apart from a hang."""
    pdf = Path((work / "input.txt").read_text())
    exe = Path(sys.executable).parent / "redactor"
    out = work / "again" / "redacted.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    try:
        p = subprocess.run([str(exe), "redact", str(pdf), "-o", str(out), "--no-nlp"], capture_output=True, text=True,
                           timeout=timeout, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS,
                                                                                   (memory_cap, memory_cap)))
    except subprocess.TimeoutExpired:
        return Outcome(name, "timeout", seconds=time.monotonic() - t0, stderr="timed out twice")
    outcome = Outcome(name, p.returncode, seconds=time.monotonic() - t0,
                      stderr=f"first run timed out after {timeout:.0f} s in the forked child; run again: "
                             + " | ".join(p.stderr.splitlines())[:300])
    outcome.verify_input = 0
    if p.returncode == 0:
        outcome.verify_output = 0
        outcome.leaks = leaks(out)
    return outcome


def _judge(name: str, work: Path, status: int, usage, seconds: float) -> Outcome:
    outcome = Outcome(name, "?", seconds=seconds, peak_mb=usage.ru_maxrss // 1024)
    stderr = (work / "stderr.txt").read_text(errors="replace") if (work / "stderr.txt").exists() else ""
    outcome.stderr = " | ".join(line for line in stderr.splitlines() if line.strip())[:600]
    if os.WIFSIGNALED(status):
        outcome.redact = f"killed by signal {os.WTERMSIG(status)}"
        return outcome
    codes_file = work / "codes.json"
    if not codes_file.exists():
        outcome.redact = f"child exited {os.WEXITSTATUS(status)} without results (out of memory?)"
        return outcome
    codes = json.loads(codes_file.read_text())
    outcome.redact = codes["redact"]
    outcome.verify_input = codes.get("verify_input")
    outcome.verify_output = codes.get("verify_output")
    if outcome.redact == 0:
        try:
            outcome.leaks = leaks(work / "out" / "redacted.pdf")
        except Exception as e:  # noqa: BLE001 - a check that cannot run is a failure
            outcome.leaks = [f"could not check: {type(e).__name__}: {e}"]
    return outcome


def summary(results: list[Outcome]) -> str:
    by_code: dict[str, int] = {}
    for r in results:
        by_code[str(r.redact)] = by_code.get(str(r.redact), 0) + 1
    slowest = max(results, key=lambda r: r.seconds)
    peak = max(results, key=lambda r: r.peak_mb)
    return (f"{len(results)} runs; redact exit codes {dict(sorted(by_code.items()))}; slowest {slowest.seconds:.1f} s "
            f"({slowest.name}); peak memory {peak.peak_mb} MB ({peak.name})")
