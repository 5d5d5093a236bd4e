"""Hardened input: damaged and hostile files are repaired and said so, or
refused with one line naming the file and the problem (exit 3), quickly and
within a memory cap; `verify` never ends in an internal error."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pymupdf
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import damaged  # noqa: E402
import fuzzing  # noqa: E402
from redactor.account.log import default_log_path  # noqa: E402

EXE = Path(sys.executable).parent / "redactor"


def capped(*args, memory: int = 1024**3, timeout: float = 60, cwd: Path | None = None):
    """The real console script under RLIMIT_AS; (code, stdout, stderr, seconds)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    t = time.monotonic()
    p = subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                       preexec_fn=limit, cwd=cwd)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return fuzzing.sample(tmp_path_factory.mktemp("sample"))[0]


def _one_line(err: str, name: str) -> str:
    lines = [x for x in err.strip().splitlines() if x.strip()]
    assert len(lines) == 1, err
    assert name in lines[0] and "Traceback" not in err and " object at 0x" not in err, err
    return lines[0]


@pytest.mark.parametrize("kind, words", [
    ("corrupt-flate-p4", "object 63 (page 4's content) cannot be decompressed"),
    ("nested-arrays-page", "nested deeper than 100 levels"),
    ("nested-arrays-catalog", "safety limit"),
    ("recursive-form", "draws itself"),
    ("recursive-form-mutual", "draws itself"),
    ("parent-loop-kids", "Loop detected in /Pages"),
    ("huge-image-header", "200000 x 200000 pixels (the limit is 1500 megapixels)"),
    ("widths-negative", "cannot be redacted safely"),
    ("widths-short", "cannot be redacted safely"),
    ("truncated-half", "damaged PDF"),
    ("huge-numbers", "damaged PDF"),
    ("file-syntax-in-content", "'endstream' inside its content stream"),
])
def test_damaged_input_is_refused_in_one_line(tmp_path, sample, kind, words):
    src = damaged.CLASSES[kind](sample, tmp_path / f"{kind}.pdf")
    (tmp_path / "out").mkdir()
    code, _, err, _ = capped("redact", src, "-o", tmp_path / "out" / "o.pdf", "--no-nlp", memory=2 * 1024**3)
    assert code == 3, err
    line = _one_line(err, src.name)
    assert words in line, line
    assert not list((tmp_path / "out").iterdir())
    code, _, err, _ = capped("verify", src, memory=2 * 1024**3)
    assert code in (0, 3, 4), err
    if code:
        _one_line(err, src.name)


@pytest.mark.parametrize("where", ["catalog", "font"])
def test_a_2_gib_flate_bomb_is_refused_quickly_with_little_memory(tmp_path, sample, where):
    build = damaged.bomb_in_catalog if where == "catalog" else damaged.bomb_in_font
    src = build(sample, tmp_path / f"bomb-{where}.pdf")
    for args in (("redact", src, "-o", tmp_path / "o.pdf", "--no-nlp"), ("verify", src)):
        code, _, err, seconds = capped(*args, memory=1024**3)
        assert code == 3, err
        assert "decompresses to more than 256 MiB" in _one_line(err, src.name)
        assert seconds < 20, f"{args[0]} took {seconds:.0f} s"
    assert not (tmp_path / "o.pdf").exists()


def test_corrupt_content_stream_with_allow_repaired_is_processed_and_logged(tmp_path, sample):
    src = damaged.corrupt_flate_content(sample, tmp_path / "corrupt.pdf", page=1)
    out = tmp_path / "rel" / "o.pdf"
    out.parent.mkdir()
    code, stdout, err, _ = capped("redact", src, "-o", out, "--no-nlp", "--allow-repaired")
    assert code == 0, err
    assert "warning" in err and "cannot be decompressed" in err and "--allow-repaired" in err
    header = json.loads(default_log_path(out).read_text().splitlines()[0])
    assert any("object 13" in r for r in header["input_repairs"])
    with pikepdf.open(out) as pdf:  # the output carries only what decodes
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                obj.read_bytes()
    assert capped("verify", out, "--log", default_log_path(out))[0] == 0


def test_truncated_file_is_not_silently_shortened(tmp_path, sample):
    """A truncated 6-page file: refused by default; with --allow-repaired
    processed with a warning that says what was lost, recorded in the log."""
    src = damaged.truncated(sample, tmp_path / "cut.pdf", keep=0.75)
    code, _, err, _ = capped("redact", src, "-o", tmp_path / "o.pdf", "--no-nlp")
    assert code == 3 and "page(s)" in _one_line(err, "cut.pdf")
    code, _, err, _ = capped("redact", src, "-o", tmp_path / "o.pdf", "--no-nlp", "--allow-repaired")
    assert code in (0, 4), err
    if code == 0:
        assert "warning" in err and "page(s)" in err
        header = json.loads(default_log_path(tmp_path / "o.pdf").read_text().splitlines()[0])
        assert header["input_repairs"] and header["pages"] == pymupdf.open(tmp_path / "o.pdf").page_count
        assert any("not in the output" in r or "lost" in r for r in header["input_repairs"])


def test_broken_xref_is_repaired_and_said_so(tmp_path, sample):
    """Every object there, only the offsets wrong: processed, and if a parser
    had to rebuild the table the log says so."""
    src = damaged.truncated_uncompressed(sample, tmp_path / "t.pdf", keep=0.97)  # cuts the xref only
    code, _, err, _ = capped("redact", src, "-o", tmp_path / "o.pdf", "--no-nlp")
    assert code == 0, err
    assert "cross-reference table rebuilt" in err
    header = json.loads(default_log_path(tmp_path / "o.pdf").read_text().splitlines()[0])
    assert any("rebuilt" in r for r in header["input_repairs"])


def test_null_in_contents_is_processed(tmp_path, sample):
    for whole in (True, False):
        src = damaged.null_in_contents(sample, tmp_path / f"null-{whole}.pdf", whole=whole)
        code, _, err, _ = capped("redact", src, "-o", tmp_path / f"o-{whole}.pdf", "--no-nlp")
        assert code == 0, err


def test_fifo_and_link_loop_named_pdf_are_refused(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.pdf")
    os.symlink("loop.pdf", tmp_path / "loop.pdf")
    for name, words in (("pipe.pdf", "FIFO"), ("loop.pdf", "loops")):
        code, _, err, _ = capped("redact", tmp_path / name, "-o", tmp_path / "o.pdf", "--no-nlp", timeout=20)
        assert code == 3 and words in _one_line(err, name)


def test_qpdf_warnings_are_not_printed_as_extra_lines(tmp_path, sample):
    src = damaged.parent_loop(sample, tmp_path / "loop.pdf", "kids")
    code, _, err, _ = capped("redact", src, "-o", tmp_path / "o.pdf", "--no-nlp")
    assert code == 3
    _one_line(err, "loop.pdf")


def test_apply_labels_on_a_page_whose_helv_is_not_a_font(tmp_path):
    """Labels use a private font name: a page whose own /helv is something
    else (here a content stream) is labelled all the same."""
    from redactor.redact.apply import Box, redact

    _, plain = fuzzing.sample(tmp_path)  # fuzz mutant "cycle (seed 14, plain)" found it
    doc = pymupdf.open(plain)
    page = doc[0]
    resources = int(doc.xref_get_key(page.xref, "Resources")[1].split()[0])
    doc.xref_set_key(resources, "Font/helv", f"{page.get_contents()[-1]} 0 R")  # a content stream, not a font
    out = redact(doc, [Box(page=1, rect=(100, 80, 200, 100), label="S40(2)")]).doc
    assert "S40(2)" in out[0].get_text(flags=pymupdf.TEXT_IGNORE_ACTUALTEXT)  # drawn (an artifact: not read aloud)
    assert "[Redacted: section 40(2)]" in out[0].get_text()  # and what is read in its place


def test_every_cap_can_refuse(tmp_path, sample):
    """Each cap, lowered, refuses the sample with a line that names it (the
    defaults are high enough for real files)."""
    from redactor.errors import InputError
    from redactor.ingest import caps as capsmod
    from redactor.ingest.document import Limits, open_pdf

    deep = damaged.recursive_form(sample, tmp_path / "deep.pdf")  # a loop: over any depth
    img = damaged.huge_image_header(sample, tmp_path / "img.pdf", 3000, 3000)
    cases = [
        (capsmod.Caps(max_objects=50), sample, "objects, more than the limit of 50"),
        (capsmod.Caps(max_total_bytes=1000), sample, "decompress to more than 0 MiB in all"),
        (capsmod.Caps(max_stream_bytes=200), sample, "decompresses to more than 0 MiB"),
        (capsmod.Caps(max_pixels=1_000_000), img, "3000 x 3000 pixels"),
        (capsmod.Caps(max_page_extent=500), sample, "media box reaches 720 points"),
        (capsmod.Caps(max_depth=3), sample, None),
    ]
    try:
        for caps, path, words in cases:
            if words is None:
                open_pdf(path, limits=Limits(caps=caps))  # the sample nests 3 levels at most: accepted
                continue
            with pytest.raises(InputError) as e:
                open_pdf(path, limits=Limits(caps=caps))
            assert words in str(e.value) and path.name in str(e.value), str(e.value)
        with pytest.raises(InputError, match="draws itself"):
            open_pdf(deep)
    finally:
        capsmod.install(capsmod.DEFAULT_CAPS)
