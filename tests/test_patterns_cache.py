"""The built-in packs' patterns, kept compiled in the cache directory between
runs (redactor/detect/patterns.py, start-up: issue 14): a pattern read back
matches as one compiled afresh, the findings are the same with the cache as
without it, a user's own pack, --allow list or plan terms are never copied
into it, and a cache that is damaged, foreign or cannot be written changes
nothing."""

from __future__ import annotations

import os
import pickle

import pytest
import regex
from conftest import restart_caches

from redactor.detect import patterns
from redactor.detect.engine import Detector
from redactor.detect.rulepack import (
    builtin_rules_dir,
    is_builtin,
    load_pack,
    load_packs,
)

TEXT = """Operational briefing: Operation KESTREL (RESTRICTED)
Contact DS Rachel Turner on 07700 900123 or rachel.turner@met.police.example.
The RVP is the Tesco car park, Brent Cross. CTSFO team on standby; SO15 informed.
Witness: Mr Tariq Okafor, NHS number 943 476 5919, NI number AB123456C, vehicle AB12 CDE.
Present: Ana Paz (Chair), DS Kit Marr, Insp Gareth Castellano.
Ms K. McCleery said the national threat level is SUBSTANTIAL. CHIS handler PC 4471 attended.
"""


@pytest.fixture
def fresh(fresh_cache):
    return fresh_cache


def _restart(monkeypatch):
    restart_caches(monkeypatch)


def _findings(detector: Detector) -> list[tuple]:
    return [(f.start, f.end, f.text, f.category, f.rule, round(f.confidence, 6))
            for f in detector.find_in_text(TEXT, page=1)]


def test_the_findings_are_the_same_from_the_cache(fresh, monkeypatch):
    before = _findings(Detector(load_packs(), use_nlp=False))  # nothing cached yet: every pattern compiled
    assert before
    patterns.save()
    path = patterns.path()
    assert path.exists()
    _restart(monkeypatch)
    assert len(patterns._read(path)) > 50  # the packs' patterns, their context words, the title lists
    detector = Detector(load_packs(), use_nlp=False)
    stored = patterns._state["stored"]  # what this "run" read from the file
    pattern_rules = [c for c in detector.rules if c.rule.kind == "pattern"]
    assert pattern_rules
    for c in pattern_rules:  # read from the file, not compiled again
        assert c.recognizer.regex is stored[(c.rule.pattern, _flags(c.rule))]
    assert _findings(detector) == before


def _flags(rule) -> int:
    return int(regex.V1 | (regex.IGNORECASE if rule.ignore_case else 0))


def test_a_pattern_read_back_matches_as_one_compiled_afresh(fresh, monkeypatch):
    packs = load_packs()
    sources = [(r.pattern, _flags(r)) for p in packs for r in p.rules if r.kind == "pattern"]
    with patterns.kept():
        for source, flags in sources:
            patterns.compile(source, flags)
    patterns.save()
    _restart(monkeypatch)
    stored = patterns._read(patterns.path())
    for source, flags in sources:
        fresh_rx = regex.compile(source, flags)
        kept_rx = stored[(source, flags)]
        assert kept_rx.flags == fresh_rx.flags and kept_rx.groupindex == fresh_rx.groupindex
        for text in (TEXT, TEXT.upper(), TEXT.replace("\n", "\u2028")):
            assert [m.span() for m in kept_rx.finditer(text)] == [m.span() for m in fresh_rx.finditer(text)]


def test_a_users_own_pack_is_not_kept(fresh, tmp_path, monkeypatch):
    own = tmp_path / "covert.yaml"
    own.write_text("""pack: covert_names
version: 0.1.0
exemption: S40(2)
rules:
  - id: covert.names
    kind: terms
    category: person_name
    confidence: 0.9
    terms: [Zebulon Quaxworth]
    context: [handler Ymirsdottir]
  - id: covert.codes
    kind: pattern
    category: codename
    confidence: 0.9
    pattern: 'QUAXWORTH-\\d{3}'
""", encoding="utf-8")
    assert not is_builtin(own) and all(is_builtin(p) for p in builtin_rules_dir().glob("*.yaml"))
    detector = Detector([*load_packs(), load_pack(own)], use_nlp=False)
    found = detector.find_in_text("Zebulon Quaxworth met handler Ymirsdottir; ref QUAXWORTH-123. "
                                  "Wilhelmina Quorndon and Zebulon Quaxworth.", page=1)
    assert {f.text for f in found} >= {"Zebulon Quaxworth", "QUAXWORTH-123"}
    patterns.save()
    data = patterns.path().read_bytes()
    assert b"Tesco" not in data  # (the check can fail: a built-in pack's words are there)
    assert b"Ymirsdottir" not in data  # nor the context words of that pack,
    for secret in (b"Quaxworth", b"QUAXWORTH"):
        assert secret not in data
    assert b"Detective" in data


def test_an_allow_list_is_not_kept(fresh):
    detector = Detector(load_packs(), allow=["Wilhelmina Quorndon"], use_nlp=False)
    found = detector.find_in_text("DS Wilhelmina Quorndon and DS Rachel Turner attended.", page=1)
    assert [f.text for f in found if "Quorndon" in f.text] == []  # allowed: the allow list was read
    patterns.save()
    data = patterns.path().read_bytes()
    assert b"Detective" in data and b"Quorndon" not in data


def test_a_damaged_or_foreign_cache_is_ignored(fresh, monkeypatch):
    before = _findings(Detector(load_packs(), use_nlp=False))
    fresh.mkdir(parents=True, exist_ok=True)
    path = patterns.path()
    for junk in (b"not a pickle at all",
                 pickle.dumps({("a", 0): "not a pattern"}),
                 pickle.dumps({("(?:a)", 0): regex.compile("b")}),  # a pattern, not the one asked for
                 pickle.dumps(os.getcwd),  # a global other than regex's own: refused, not called
                 pickle.dumps([1, 2, 3])):
        path.write_bytes(junk)
        _restart(monkeypatch)
        assert patterns._read(path) == {}
        assert _findings(Detector(load_packs(), use_nlp=False)) == before


def test_a_cache_that_cannot_be_written_changes_nothing(fresh, monkeypatch):
    fresh.parent.mkdir(exist_ok=True)
    fresh.write_text("a file where the directory should be")
    before = _findings(Detector(load_packs(), use_nlp=False))
    patterns.save()  # no error, no file
    _restart(monkeypatch)
    assert _findings(Detector(load_packs(), use_nlp=False)) == before
    assert fresh.is_file()


def test_the_file_is_bounded(fresh, monkeypatch):
    monkeypatch.setattr(patterns, "MAX_PATTERNS", 5)
    with patterns.kept():
        for i in range(4):
            patterns.compile(f"old{i}", 0)
    patterns.save()
    _restart(monkeypatch)
    with patterns.kept():
        for i in range(3):
            patterns.compile(f"new{i}", 0)
    patterns.save()
    _restart(monkeypatch)
    assert sorted(s for s, _ in patterns._read(patterns.path())) == ["new0", "new1", "new2"]


def test_the_command_line_keeps_the_patterns(tmp_path):
    """`python -m redactor` ends by freezing what is left for a quick
    shutdown (cli._quick_exit): the patterns a run compiled are still
    written when it ends (an atexit handler), and a second run reads them."""
    import subprocess
    import sys
    from pathlib import Path

    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "Contact DS Rachel Turner on 07700 900123.")
    doc.save(tmp_path / "small.pdf")
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "HOME": str(tmp_path), "REDACTOR_CACHE_DIR": str(tmp_path / "c")}
    outs = []
    for i in range(2):
        # another hash seed each time: a pattern built from a set must not change with it
        p = subprocess.run([sys.executable, "-m", "redactor", "redact", "--no-nlp", "small.pdf", "-o", f"out{i}.pdf"],
                           capture_output=True, text=True, cwd=tmp_path, env={**env, "PYTHONHASHSEED": str(i + 1)})
        assert p.returncode == 0, p.stderr
        kept = list((tmp_path / "c").glob("patterns-*.pickle"))
        assert len(kept) == 1
        outs.append((kept[0].stat().st_mtime_ns, (tmp_path / f"out{i}.schedule.csv").read_text()))
    assert outs[0][0] == outs[1][0]  # nothing new to write the second time
    assert outs[0][1] == outs[1][1] and "07700 900123" not in outs[0][1]
    assert not list(tmp_path.glob("*.tmp")) and not list((tmp_path / "c").glob("*.tmp"))


def test_a_cache_others_may_write_to_is_not_read(fresh, monkeypatch):
    # what is read back decides what is found: another user must not be able to plant it
    Detector(load_packs(), use_nlp=False)
    patterns.save()
    path = patterns.path()
    assert patterns._read(path)  # written by this user, private: read back
    for target, mode in ((path, 0o666), (path.parent, 0o777)):
        before = target.stat().st_mode
        target.chmod(mode)
        try:
            assert patterns._read(path) == {}
        finally:
            target.chmod(before)
    assert patterns._read(path)
