"""Start-up: `redactor --help` and `redactor verify` never import spaCy
(issue 14); only commands that detect load it. Each case runs in a fresh
interpreter and reports which modules it imported (no timing here: speed
lives in bench/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from redactor.cli import cli
try:
    cli(sys.argv[2:], prog_name="redactor")
except SystemExit as e:
    code = e.code
else:
    code = 0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc"))
libraries = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1].split(",")))
print(json.dumps({"code": code, "heavy": heavy, "libraries": libraries}))
"""
#: What reading a document or a rule pack needs, and `--help` does not.
DOCUMENT_LIBRARIES = ("pymupdf", "fitz", "pikepdf", "pypdfium2", "pydantic", "yaml", "regex", "phonenumbers", "stdnum",
                      "wordfreq", "numpy", "PIL", "shapely")


def _imports(tmp_path: Path, *args: str, libraries=DOCUMENT_LIBRARIES, cache: Path | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    if cache is not None:
        env["REDACTOR_CACHE_DIR"] = str(cache)
    p = subprocess.run([sys.executable, "-c", PROBE, ",".join(libraries), *args], capture_output=True,
                       text=True, cwd=tmp_path, env=env)
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.fixture
def small_pdf(tmp_path) -> Path:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Contact PC 4471 James Whitfield on 07700 900123.")
    path = tmp_path / "small.pdf"
    doc.save(path)
    return path


@pytest.mark.parametrize("args", [["--help"], ["verify", "--help"], ["redact", "--help"], ["batch", "--help"]])
def test_help_does_not_import_spacy(tmp_path, args):
    seen = _imports(tmp_path, *args)
    assert seen["code"] == 0
    assert seen["heavy"] == []


@pytest.mark.parametrize("args", [["--help"], ["verify", "--help"], ["redact", "--help"], ["batch", "--help"],
                                  ["--version"]])
def test_help_does_not_import_the_document_libraries(tmp_path, args):
    """`--help` is click and the standard library: PyMuPDF, pikepdf,
    pydantic and the rest load when a command reads a document."""
    seen = _imports(tmp_path, *args)
    assert seen["code"] == 0
    assert seen["libraries"] == []


def test_the_probe_sees_the_document_libraries(tmp_path, small_pdf):
    """The check above can fail: `verify FILE` reads a PDF, and the probe
    reports the libraries it loaded."""
    seen = _imports(tmp_path, "verify", str(small_pdf))
    assert seen["code"] == 0
    assert {"pymupdf", "pikepdf"} <= set(seen["libraries"])


def test_verify_does_not_import_spacy(tmp_path, small_pdf):
    seen = _imports(tmp_path, "verify", str(small_pdf))
    assert seen["code"] == 0  # a plain file: no fake redactions
    assert seen["heavy"] == []


def test_the_probe_sees_spacy_when_a_command_loads_it(tmp_path, small_pdf):
    """The check above can fail: `scan` with NER imports spaCy, and the
    probe reports it."""
    from redactor.detect import nlp

    if nlp.model_name() is None:
        pytest.skip("no spaCy English pipeline installed: nothing loads spaCy")
    seen = _imports(tmp_path, "scan", str(small_pdf), "--plan", str(tmp_path / "plan.json"))
    assert seen["code"] == 0
    assert "spacy" in seen["heavy"]


def test_rule_packs_read_the_same_with_the_fast_yaml_loader():
    """Rule packs are parsed with libyaml's loader when PyYAML has it (start-
    up, issue 14): the built-in packs must read exactly as with PyYAML's
    pure-Python safe loader."""
    import yaml

    from redactor.detect import packschema, rulepack

    paths = sorted(rulepack.builtin_rules_dir().glob("*.yaml"))
    assert paths
    for p in paths:
        text = p.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=packschema._SAFE_LOADER) == yaml.safe_load(text), p.name


def test_a_warm_redact_imports_neither_pydantic_nor_yaml(tmp_path, small_pdf):
    # the first run validates the packs and keeps them in the cache (redactor/detect/packcache.py)
    seen = [_imports(tmp_path, "redact", "--no-nlp", small_pdf.name, "-o", "out.pdf", libraries=("pydantic", "yaml"),
                     cache=tmp_path / "c") for _ in range(2)]
    assert [s["code"] for s in seen] == [0, 0]
    assert seen[0]["libraries"] == ["pydantic", "yaml"]  # (the check can fail)
    assert seen[1]["libraries"] == []
