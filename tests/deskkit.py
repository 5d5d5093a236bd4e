"""What the desk's tests share: a two-document bundle, a running
`redactor serve`, and headless Debian chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))
import generate  # noqa: E402

CHROMIUM = os.environ.get("REDACTOR_CHROMIUM", "/usr/bin/chromium")
#: Flags that work as root, offline, with nothing phoning home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
#: axe-core, installed by `make test` from the npm registry into the venv.
AXE = Path(os.environ.get("REDACTOR_AXE_JS", Path(sys.prefix) / "node_modules" / "axe-core" / "axe.min.js"))


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make test installs it)"
    if not Path(CHROMIUM).exists():
        return f"no browser at {CHROMIUM} (make test installs Debian's chromium)"
    return None


def bundle(tmp_path: Path) -> tuple[Path, Path]:
    """A generated six-slide briefing and a one-page minutes document that
    mentions an operation name."""
    brief = tmp_path / "briefing.pdf"
    generate.build(brief, "briefing", 11, "train")
    other = tmp_path / "minutes.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Minutes of the planning meeting.", fontsize=12)
    page.insert_text((72, 100), "Operation Larkspur will follow Operation Harrier.", fontsize=12)
    page.insert_text((72, 128), "The budget for the quarter was agreed.", fontsize=12)
    doc.save(other)
    return brief, other


def redactor_exe() -> str:
    return shutil.which("redactor", path=str(Path(sys.executable).parent)) or "redactor"


@contextlib.contextmanager
def serving(*args, cwd: Path):
    """Run `redactor serve ARGS --no-browser`; yield the link it prints."""
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "REDACTOR_CACHE_DIR": os.environ.get("REDACTOR_CACHE_DIR", ""), "HOME": str(cwd)}
    proc = subprocess.Popen([redactor_exe(), "serve", *map(str, args), "--no-browser"], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = []
        while not said or "http://" not in said[-1]:
            said.append(proc.stdout.readline())
            if not said[-1]:
                proc.kill()
                raise AssertionError(f"redactor serve did not start: {''.join(said)}{proc.stderr.read()}")
        yield said[-1].split(": ", 1)[1].strip()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
