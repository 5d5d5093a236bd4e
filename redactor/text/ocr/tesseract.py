"""A small wrapper around the Tesseract 5 command line.

Why the command line rather than a binding: one process per image gives a
hard timeout and crash isolation (a bad image cannot take redactor down),
needs nothing compiled, and runs exactly the Tesseract that Debian ships
(``tesseract-ocr``, ``tesseract-ocr-eng``). OCRmyPDF drives Tesseract the
same way. Words come back from Tesseract's TSV output with their boxes in
the image's pixels and a confidence.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from redactor.errors import InputError

BINARY = "tesseract"
DEFAULT_LANG = "eng"
DEFAULT_TIMEOUT = 180.0


class OcrUnavailable(InputError):
    """Tesseract is not installed, or lacks the language asked for."""


class OcrFailed(InputError):
    """Tesseract ran but could not read the image (crash, timeout, bad image)."""


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str
    conf: float  #: 0..1 (Tesseract reports 0..100)
    box: tuple[int, int, int, int]  #: x0, y0, x1, y1 in image pixels, y down
    block: int
    par: int
    line: int
    word: int

    @property
    def line_key(self) -> tuple[int, int, int]:
        return self.block, self.par, self.line


#: At most this many Tesseract processes at once for one document (each holds a picture or a group in memory).
MAX_JOBS = 4
_jobs = 0


def set_jobs(n: int) -> None:
    """How many Tesseract processes one document may run at once, from now
    on in this process (0: one per CPU it may use, up to MAX_JOBS). A batch
    worker reads with one: its siblings have the other CPUs."""
    global _jobs
    _jobs = max(0, int(n))


def jobs() -> int:
    if _jobs > 0:
        return _jobs
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cpus))


@functools.lru_cache(maxsize=1)
def binary() -> str | None:
    return shutil.which(os.environ.get("REDACTOR_TESSERACT", BINARY))


@functools.lru_cache(maxsize=1)
def version() -> str | None:
    """'5.3.0', or None when Tesseract is not installed."""
    exe = binary()
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].split()[-1] if first else None


def require(lang: str = DEFAULT_LANG) -> str:
    """The Tesseract binary, or :class:`OcrUnavailable` saying what to install."""
    exe = binary()
    if exe is None:
        raise OcrUnavailable("Tesseract OCR is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)")
    langs = languages()
    missing = [x for x in lang.split("+") if x not in langs]
    if missing:
        raise OcrUnavailable(f"Tesseract has no '{missing[0]}' language data (Debian: tesseract-ocr-{missing[0]})")
    return exe


@functools.lru_cache(maxsize=1)
def languages() -> frozenset[str]:
    exe = binary()
    if exe is None:
        return frozenset()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(x.strip() for x in out.stdout.splitlines()[1:] if x.strip())


def _run(image: bytes, args: list[str], timeout: float) -> str:
    exe = require()
    with tempfile.TemporaryDirectory(prefix="redactor-ocr-") as tmp:
        # Leptonica reads the format from the bytes (PNG, PNM, TIFF...), not the name
        src = Path(tmp) / ("page.pnm" if image[:1] == b"P" else "page.png")
        src.write_bytes(image)
        return _exec([exe, str(src), "stdout", *args], timeout)


def _exec(cmd: list[str], timeout: float) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per process; parallelism is ours
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"Tesseract took more than {timeout:.0f} s") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrFailed(f"Tesseract failed ({err[-1] if err else 'exit code ' + str(done.returncode)})")
    return done.stdout.decode("utf-8", "replace")


def ocr_image(image: bytes, lang: str = DEFAULT_LANG, psm: int = 3, dpi: int | None = None,
              timeout: float = DEFAULT_TIMEOUT) -> list[OcrWord]:
    """Words Tesseract reads in ``image`` (PNG, or any format Leptonica reads)."""
    return _words(_run(image, _args(lang, psm, dpi), timeout), 1)[1]


def ocr_images(images: list[bytes], lang: str = DEFAULT_LANG, psm: int = 3, dpi: int | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> list[list[OcrWord]]:
    """Words in each of ``images``, read by one Tesseract process (the
    language model is loaded once, not once per image)."""
    if len(images) <= 1:
        return [ocr_image(images[0], lang, psm, dpi, timeout)] if images else []
    exe = require()
    with tempfile.TemporaryDirectory(prefix="redactor-ocr-") as tmp:
        names = []
        for i, image in enumerate(images):
            src = Path(tmp) / (f"{i:05d}.pnm" if image[:1] == b"P" else f"{i:05d}.png")
            src.write_bytes(image)
            names.append(str(src))
        listing = Path(tmp) / "images.txt"
        listing.write_text("\n".join(names) + "\n", encoding="utf-8")
        out = _exec([exe, str(listing), "stdout", *_args(lang, psm, dpi)], timeout * len(images))
    by_page = _words(out, len(images))
    return [by_page[i + 1] for i in range(len(images))]


def _args(lang: str, psm: int, dpi: int | None) -> list[str]:
    args = ["-l", lang, "--psm", str(psm)]
    if dpi:
        args += ["--dpi", str(int(dpi))]
    return args + ["tsv"]


def _words(tsv: str, pages: int) -> dict[int, list[OcrWord]]:
    """Level-5 rows (words) of Tesseract's TSV, by page (1-based)."""
    out: dict[int, list[OcrWord]] = {n: [] for n in range(1, pages + 1)}
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) != 12 or cols[0] != "5":  # level 5: a word
            continue
        text = cols[11].strip()
        if not text:
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        out.setdefault(int(cols[1]), []).append(
            OcrWord(text=text, conf=max(0.0, float(cols[10])) / 100.0, box=(left, top, left + width, top + height),
                    block=int(cols[2]), par=int(cols[3]), line=int(cols[4]), word=int(cols[5])))
    return out


def orientation(image: bytes, timeout: float = 60.0) -> tuple[int, float]:
    """(degrees to rotate the image clockwise so that text reads upright,
    Tesseract's confidence); (0, 0.0) when it cannot tell (too little text)."""
    try:
        out = _run(image, ["--psm", "0", "-l", "osd"], timeout)
    except OcrFailed:
        return 0, 0.0
    rotate, conf = 0, 0.0
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Rotate":
            rotate = int(value.strip())
        elif key.strip() == "Orientation confidence":
            conf = float(value.strip())
    return rotate, conf
