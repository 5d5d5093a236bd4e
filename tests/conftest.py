from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from redactor.detect.engine import Detector  # noqa: E402
from redactor.detect.rulepack import load_packs  # noqa: E402
from redactor.pipeline import RunOptions, redact_pdf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def word_table_cache(tmp_path_factory):
    """One cache of the word tables (redactor/detect/wordtables.py) for the
    whole run, built once, in this process and in every CLI run (their HOME
    is a test's own folder): not the user's, and not one per test."""
    path = tmp_path_factory.mktemp("redactor-cache")
    before = os.environ.get("REDACTOR_CACHE_DIR")
    os.environ["REDACTOR_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("REDACTOR_CACHE_DIR", None)
    else:
        os.environ["REDACTOR_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def detector() -> Detector:
    """The built-in packs, rules only (NER has tests of its own)."""
    return Detector(load_packs(), use_nlp=False)


@pytest.fixture
def redact(tmp_path, detector):
    """Redact a PDF and check the input was not touched."""

    def run(src: Path, options: RunOptions | None = None, out: Path | None = None):
        before = hashlib.sha256(src.read_bytes()).hexdigest()
        out = out or tmp_path / (src.stem + ".redacted.pdf")
        result = redact_pdf(src, out, detector, options)
        assert hashlib.sha256(src.read_bytes()).hexdigest() == before, "the input file changed"
        return result

    return run


@pytest.fixture
def cli(tmp_path):
    """Run the real console script; return (exit code, stdout, stderr)."""
    exe = shutil.which("redactor", path=str(Path(sys.executable).parent)) or "redactor"

    def run(*args: str, cwd: Path | None = None):
        p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, cwd=cwd or tmp_path,
                           env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "REDACTOR_CACHE_DIR": os.environ.get("REDACTOR_CACHE_DIR", ""), "HOME": str(tmp_path)})
        return p.returncode, p.stdout, p.stderr

    return run


def restart_caches(monkeypatch) -> None:
    """What the next run sees of the cache directory: its files as written,
    nothing in this process's memory (rule packs, compiled patterns)."""
    from redactor.detect import packcache, patterns

    monkeypatch.setattr(packcache, "_memo", {})
    monkeypatch.setattr(patterns, "_state", {})


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch) -> Path:
    """A cache directory of the test's own, read anew by this process."""
    monkeypatch.setenv("REDACTOR_CACHE_DIR", str(tmp_path / "cache"))
    restart_caches(monkeypatch)
    return tmp_path / "cache"
