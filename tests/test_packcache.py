"""The built-in rule packs, validated once and kept in the cache directory
(redactor/detect/packcache.py, start-up: issue 14): a pack read back is the
pack validated afresh, an edited pack is validated again (and refused if
it is wrong), a user's own pack is never kept, a damaged or foreign cache
changes nothing (a warm `redact` imports neither pydantic nor YAML: test_startup.py)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import restart_caches

from redactor.detect import packcache, packschema, rulepack
from redactor.errors import RulePackError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh(fresh_cache):
    return fresh_cache


def _restart(monkeypatch):
    restart_caches(monkeypatch)


def test_the_records_have_the_schemas_fields_and_defaults():
    for record, schema in ((rulepack.Rule, packschema.RuleSchema), (rulepack.RulePack, packschema.RulePackSchema)):
        fields = {f.name: f for f in dataclasses.fields(record)}
        assert list(fields) == list(schema.model_fields)
        for name, info in schema.model_fields.items():
            f = fields[name]
            if info.is_required():
                assert f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, name
            else:
                ours = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
                assert ours == info.default and type(ours) is type(info.default), name


def test_a_pack_read_back_is_the_pack_validated_afresh(fresh, monkeypatch):
    paths = sorted(rulepack.builtin_rules_dir().glob("*.yaml"))
    fresh_packs = [rulepack.from_dict(packschema.read(p, p.read_text(encoding="utf-8"))) for p in paths]
    first = rulepack.load_packs()  # validated and kept
    assert json.loads(packcache.path().read_text())["packs"]
    _restart(monkeypatch)
    assert all(packcache.get(p, p.read_text(encoding="utf-8")) is not None for p in paths)
    again = rulepack.load_packs()  # read back
    assert first == fresh_packs == again
    assert [p.source for p in again] == [str(p) for p in paths]


def _copy_builtin(tmp_path, monkeypatch) -> Path:
    """The built-in packs in a folder of the test's own, still built-in."""
    rules = tmp_path / "rules"
    shutil.copytree(rulepack.builtin_rules_dir(), rules)
    monkeypatch.setattr(rulepack, "builtin_rules_dir", lambda: rules)
    return rules


def test_an_edited_pack_is_validated_again(fresh, tmp_path, monkeypatch):
    rules = _copy_builtin(tmp_path, monkeypatch)
    pack = rules / "s24_national_security.yaml"
    before = rulepack.load_pack(pack)
    _restart(monkeypatch)
    text = pack.read_text(encoding="utf-8")
    pack.write_text(re.sub(r"(?m)^version: .*$", "version: 9.9.9", text, count=1), encoding="utf-8")
    assert rulepack.load_pack(pack).version == "9.9.9" != before.version
    _restart(monkeypatch)
    pack.write_text(text.replace("confidence: 0.88", "confidence: 1.88", 1), encoding="utf-8")
    with pytest.raises(RulePackError, match="confidence"):
        rulepack.load_pack(pack)


def test_new_validation_code_validates_again(fresh, monkeypatch):
    rulepack.load_packs()
    _restart(monkeypatch)
    monkeypatch.setattr(packcache, "stamp", lambda: "another version of the schema")
    path = rulepack.builtin_rules_dir() / "s40_personal_data.yaml"
    assert packcache.get(path, path.read_text(encoding="utf-8")) is None


def test_a_users_own_pack_is_not_kept(fresh, tmp_path):
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
""", encoding="utf-8")
    assert rulepack.load_pack(own).rules[0].terms == ["Zebulon Quaxworth"]
    rulepack.load_packs()
    data = packcache.path().read_text()
    assert "s40_personal_data" in data  # (the check can fail: the built-in packs are there)
    assert "Quaxworth" not in data and "covert_names" not in data


def test_a_damaged_or_foreign_cache_is_ignored(fresh, monkeypatch):
    want = rulepack.load_packs()
    path = packcache.path()
    good = json.loads(path.read_text())
    one = next(iter(good["packs"]))
    for junk in ("not json", "[]", json.dumps({"stamp": good["stamp"], "packs": []}),
                 json.dumps({"stamp": "something else", "packs": good["packs"]}),
                 json.dumps({**good, "packs": {**good["packs"], one: {**good["packs"][one], "sha256": "0" * 64}}}),
                 json.dumps({**good, "packs": {**good["packs"], one: {"sha256": good["packs"][one]["sha256"],
                                                                          "pack": {"rules": "x"}}}})):
        path.write_text(junk)
        _restart(monkeypatch)
        assert rulepack.load_packs() == want


def test_a_cache_that_cannot_be_written_changes_nothing(fresh, monkeypatch):
    fresh.parent.mkdir(exist_ok=True)
    fresh.write_text("a file where the directory should be")
    want = [rulepack.from_dict(packschema.read(p, p.read_text(encoding="utf-8")))
            for p in sorted(rulepack.builtin_rules_dir().glob("*.yaml"))]
    assert rulepack.load_packs() == want
    _restart(monkeypatch)
    assert rulepack.load_packs() == want
    assert fresh.is_file()
