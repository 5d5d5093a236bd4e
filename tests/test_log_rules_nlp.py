"""Audit log hash chain, rule pack validation, validators and the NLP loader."""

from __future__ import annotations

import json

import pymupdf
import pytest

from corpora import generate
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
    assert model is not None and model.pipe_names == ["ner"]  # its NER embeds its own tok2vec
    ents = [(e.text, e.label_) for e in model("Sarah Whitfield met James Okafor in London.").ents]
    assert ("Sarah Whitfield", "PERSON") in ents


def test_ner_alone_finds_what_the_full_pipeline_finds(tmp_path):
    """Issue 14: the shared tok2vec feeds only the tagger and parser, so NER
    without it gives the same entities, a third faster."""
    import spacy

    name = nlp.model_name()
    if name is None:
        pytest.skip("no spaCy English pipeline installed")
    full = spacy.load(name)
    texts = []
    for kind, seed in (("briefing", 3), ("report", 4)):
        pdf = tmp_path / f"{kind}.pdf"
        generate.build(pdf, kind=kind, seed=seed, split="test")
        with pymupdf.open(pdf) as doc:
            texts += [page.get_text() for page in doc]
    texts += [
        "Sarah Whitfield met James Okafor in London.",
        "PC 4471 Daniel Hughes (Tactical Support) briefed DS Amira Patel at Leyton on 3 March.",
        "Contact: j.mcallister@met.police.uk, Inspector Niamh O'Connor, Call sign TANGO 7.",
    ]
    def ents(model):
        return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in model.pipe(texts)]

    assert ents(nlp.load(name)) == ents(full)
    assert any(ents(full))


def test_a_shared_tok2vec_ner_listens_to_is_kept(tmp_path):
    """A pipeline whose NER reads a shared tok2vec (a listener) keeps it."""
    import spacy
    from spacy.training import Example

    model = spacy.blank("en")
    model.add_pipe("tok2vec")
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}
    model.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": 16, "maxout_pieces": 2, "use_upper": True, "tok2vec": listener}})
    model.add_pipe("sentencizer")
    doc = model.make_doc("Sarah met James.")
    model.initialize(lambda: [Example.from_dict(doc, {"entities": [(0, 5, "PERSON")]})])
    assert nlp.ner_components(model) == {"ner", "tok2vec"}
    model.to_disk(tmp_path / "listening")
    loaded = nlp.load(str(tmp_path / "listening"))
    assert loaded.pipe_names == ["tok2vec", "ner"]  # the sentencizer is disabled
    assert [e.text for e in loaded("Sarah met James.").ents] == [e.text for e in model("Sarah met James.").ents]


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
