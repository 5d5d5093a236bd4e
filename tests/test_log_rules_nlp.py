"""Audit log hash chain, rule pack validation, validators and the NLP loader."""

from __future__ import annotations

import json

import pymupdf
import pytest

from pdfkit import NEIGHBOUR
from redactor.detect import nlp
from redactor.detect import validators
from redactor.account.log import check_log
from redactor.detect.engine import Detector
from redactor.errors import RulePackError
from redactor.detect.rulepack import load_pack, load_packs


@pytest.fixture
def logged(tmp_path, redact):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), NEIGHBOUR)
    page.insert_text((72, 100), "PC Anna Berg (07700 900555) and DS Tom Reid (tom.reid@met.police.example)")
    src = tmp_path / "in.pdf"
    doc.save(src)
    return redact(src).log


def test_log_chain_intact(logged):
    status = check_log(logged)
    assert status.ok and status.entries == 4


def test_edited_line_is_named(logged, cli):
    lines = logged.read_text().splitlines()
    record = json.loads(lines[2])
    record["text"] = "someone else"
    lines[2] = json.dumps(record, sort_keys=True, separators=(",", ":"))
    logged.write_text("\n".join(lines) + "\n")
    code, _, err = cli("log", "check", logged)
    assert code == 4 and "line 3 was edited" in err


def test_removed_line_is_detected(logged, cli):
    lines = logged.read_text().splitlines()
    del lines[2]
    logged.write_text("\n".join(lines) + "\n")
    code, _, err = cli("log", "check", logged)
    assert code == 4 and "line 3 does not follow line 2" in err


def test_removed_last_line_is_detected(logged):
    lines = logged.read_text().splitlines()
    logged.write_text("\n".join(lines[:-1]) + "\n")
    status = check_log(logged)
    assert not status.ok and "no end record" in status.message


def test_builtin_packs_load():
    packs = load_packs()
    assert {p.pack for p in packs} >= {"s40_personal_data", "s31_law_enforcement"}
    assert all(r.id and r.category and 0 <= r.confidence <= 1 for p in packs for r in p.rules)


@pytest.mark.parametrize(
    "body, message",
    [
        ("pack: x\nversion: '1'\nexemption: S40(2)\nrules:\n  - id: x.a\n    kind: pattern\n    category: a\n"
         "    confidence: 0.5\n    pattern: '(unclosed'\n", "rule 'x.a'"),
        ("pack: x\nversion: '1'\nexemption: S40(2)\nrules:\n  - id: x.b\n    kind: phone\n    category: a\n"
         "    confidence: 0.5\n    validators: [lunh]\n", "unknown validator 'lunh'"),
        ("pack: x\nversion: '1'\nexemption: Section forty\nrules: []\n", "not an exemption code"),
        ("pack: x\nversion: '1'\nexemption: S40(2)\nrules:\n  - id: x.c\n    kind: terms\n    category: a\n"
         "    confidence: 2\n    terms: [a]\n", "field 'confidence'"),
        ("pack: x\nversion: '1'\nexemption: S40(2)\nrules:\n  - id: x.d\n    kind: pattern\n    category: a\n"
         "    confidence: 0.5\n    patern: 'a'\n", "field 'patern'"),
        ("pack: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_pack_names_file_rule_and_problem(tmp_path, body, message):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    assert str(path) in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("number, ok", [
    ("020 7946 0123", True), ("+44 (0)20 7946 0999", True), ("07911 123456", True),
    ("07700 900123", True),  # Ofcom drama range: fictional, redacted all the same
    ("01632 960001", True), ("2024 0012 3341", False), ("12345", False),
])
def test_uk_phone_validator(number, ok):
    assert validators.uk_phone(number) is ok


@pytest.mark.parametrize("value, name, ok", [
    ("943 476 5870", "nhs_number", True), ("943 476 5871", "nhs_number", False),
    ("GB82 WEST 1234 5698 7654 32", "iban", True), ("GB82 WEST 1234 5698 7654 33", "iban", False),
    ("4111 1111 1111 1111", "luhn", True), ("4111 1111 1111 1112", "luhn", False),
])
def test_checksum_validators(value, name, ok):
    assert validators.get(name)(value) is ok


def test_precision_traps_are_not_redacted():
    d = Detector(load_packs(), use_nlp=False)
    text = ("Section 40(2) applies. See paragraph 3.2 on page 14. Briefing at 06:30 on 12/03/2024. "
            "The PCSO role is described in the Police Reform Act 2002.")
    assert d.find_in_text(text) == []


def test_nlp_loader_uses_installed_model_and_only_ner():
    name = nlp.model_name()
    if name is None:
        pytest.skip("no spaCy English pipeline installed")
    model = nlp.load(name)
    assert model is not None and model.pipe_names == [p for p in model.pipe_names if p in nlp.NER_COMPONENTS]
    ents = [(e.text, e.label_) for e in model("Sarah Whitfield met James Okafor in London.").ents]
    assert ("Sarah Whitfield", "PERSON") in ents


def test_nlp_model_asked_for_by_name_and_missing_is_a_usage_error(monkeypatch):
    """A mistyped --nlp-model (or REDACTOR_SPACY_MODEL) must not silently
    mean rules only: it is a usage error naming the model."""
    from redactor.errors import UsageError

    nlp.load.cache_clear()
    with pytest.raises(UsageError, match="no_such_spacy_pipeline"):
        nlp.load("no_such_spacy_pipeline")
    with pytest.raises(UsageError, match="no_such_spacy_pipeline"):
        Detector(load_packs(), nlp_model="no_such_spacy_pipeline")
    with pytest.raises(UsageError):
        nlp.check_available("no_such_spacy_pipeline")
    monkeypatch.setenv(nlp.ENV_VAR, "en_core_web_typo")
    nlp.load.cache_clear()
    with pytest.raises(UsageError, match="en_core_web_typo"):
        nlp.load()
    monkeypatch.setenv(nlp.ENV_VAR, "none")  # rules only, asked for
    nlp.load.cache_clear()
    assert nlp.load() is None
    findings = Detector(load_packs()).find_in_text("Call 07700 900123")
    assert [f.category for f in findings] == ["phone"]
    # "none" asked for once is not what the default means later in the same process
    monkeypatch.delenv(nlp.ENV_VAR)
    assert nlp.load() is not None
