"""Rule packs: YAML files in ``rules/``, validated on load.

A pack names the exemption its rules justify and lists rules of a few kinds
(see :mod:`redactor.detect.engine` for what each kind does)::

    pack: s40_personal_data
    version: 0.1.0
    exemption: S40(2)
    description: Personal data of officers, staff and members of the public.
    allow: [Metropolitan Police Service]
    rules:
      - id: s40.email
        kind: pattern
        category: email
        confidence: 0.95
        pattern: '[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+'

A pack that fails validation raises :class:`~redactor.errors.RulePackError`
naming the file, the rule id and the field.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from redactor.detect import patterns
from redactor.detect import validators as validator_registry
from redactor.errors import RulePackError

from redactor.foia import problem as exemption_problem  # noqa: E402  (sections and subsections of the Act)

EXEMPTION_RE = regex.compile(r"^S\d+(?:\(\d+[A-Z]?\)|\([a-z]\))+$")


def section_number(exemption: str) -> str:
    """'S31(1)(a)' -> '31(1)(a)': the section as an FOI letter cites it."""
    return exemption[1:] if exemption[:1] in "Ss" else exemption


class Rule(BaseModel):
    """One recognizer: a shape (by ``kind``), and the evidence that weighs it.

    Scoring: a match starts at ``confidence``. Context words within
    ``context_window`` tokens (before and/or after, across line breaks, not
    across a blank line) add ``context_boost``; ``negative_context`` words
    within ``negative_window`` tokens take off ``negative_penalty``. Each
    validator that passes adds ``validator_boost`` and each *evidence*
    validator that fails takes off ``validator_penalty`` (a *bonus*
    validator's failure takes nothing off); a failed *checksum* validator
    (NHS, IBAN, Luhn, NI prefix) drops the match. A match is proposed when its score reaches
    ``min_score`` (and, with ``require_context``, only when a context word
    is near).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    kind: Literal["pattern", "terms", "phone", "ner", "names", "image", "covered"]
    category: str = Field(pattern=r"^[a-z0-9_]+$")
    confidence: float = Field(ge=0.0, le=1.0)
    description: str = ""
    exemption: str | None = None
    #: kind=pattern: a ``regex`` pattern; ``group`` names the part to redact.
    pattern: str | None = None
    group: str | None = None
    ignore_case: bool = False
    #: kind=terms: words or phrases matched whole, case-insensitively.
    #: kind=names: the words that introduce a name (titles, roles).
    terms: list[str] = []
    #: kind=names: how the name is introduced (see
    #: :mod:`redactor.detect.recognizers.names`), and whether the first word
    #: after a title may be any capitalised word ("any": courtesy titles).
    form: Literal["title", "list", "apposition", "initials", "initials_surname", "case_party", "email_display",
                  "before_role"] | None = None
    first_word: Literal["any", "name_like"] = "name_like"
    #: kind=ner: spaCy entity labels; entities with fewer tokens, or with a
    #: token in ``exclude`` (case-insensitive), are not names.
    labels: list[str] = []
    min_tokens: int = Field(default=1, ge=1, le=5)
    exclude: list[str] = []
    strip_prefixes: list[str] = []
    #: kind=image: images at least this large (points) on each side.
    min_size: float = Field(default=40.0, ge=0)
    #: kind=phone: the region numbers are read in (ISO 3166, "GB", not "UK").
    region: str = "GB"
    validators: list[str] = []
    validator_boost: float = Field(default=0.1, ge=0.0, le=1.0)
    validator_penalty: float = Field(default=0.3, ge=0.0, le=1.0)
    context: list[str] = []
    #: tokens either side of the match in which context words count
    context_window: int = Field(default=6, ge=0, le=60)
    context_boost: float = Field(default=0.1, ge=0.0, le=1.0)
    context_side: Literal["both", "before", "after"] = "both"
    require_context: bool = False
    negative_context: list[str] = []
    negative_penalty: float = Field(default=0.3, ge=0.0, le=1.0)
    #: tokens either side in which negative context words count (they speak
    #: of the match itself: "form A12", "the M25 junction")
    negative_window: int = Field(default=2, ge=0, le=20)
    #: the score a match needs to be proposed
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    #: False: the match must stay on one line (e.g. a location after "RVP:").
    cross_lines: bool = True

    @field_validator("exemption")
    @classmethod
    def _exemption(cls, v: str | None) -> str | None:
        if v is not None and exemption_problem(v):
            raise ValueError(exemption_problem(v))
        return v

    @field_validator("validators")
    @classmethod
    def _validators(cls, v: list[str]) -> list[str]:
        unknown = [name for name in v if name not in validator_registry.VALIDATORS]
        if unknown:
            known = ", ".join(sorted(validator_registry.VALIDATORS))
            raise ValueError(f"unknown validator {unknown[0]!r} (known: {known})")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> "Rule":
        if self.kind == "pattern":
            if not self.pattern:
                raise ValueError("a pattern rule needs 'pattern'")
            try:
                compiled = patterns.compile(self.pattern, regex.V1)
            except regex.error as e:
                raise ValueError(f"pattern does not compile: {e}") from None
            if self.group and self.group not in compiled.groupindex:
                raise ValueError(f"pattern has no group named {self.group!r}")
        if self.kind == "terms" and not self.terms:
            raise ValueError("a terms rule needs 'terms'")
        if self.kind == "names":
            if not self.form:
                raise ValueError("a names rule needs 'form'")
            if self.form in ("title", "list", "apposition", "before_role") and not self.terms:
                raise ValueError(f"a names rule of form {self.form!r} needs 'terms' (the words that introduce a name)")
        if self.kind == "ner" and not self.labels:
            raise ValueError("an ner rule needs 'labels'")
        if self.kind == "phone" and len(self.region) != 2:
            raise ValueError("region must be a two-letter ISO code such as GB")
        if self.require_context and not self.context:
            raise ValueError("require_context is set but 'context' is empty")
        return self


class RulePack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pack: str = Field(pattern=r"^[a-z0-9_]+$")
    version: str
    exemption: str
    description: str = ""
    allow: list[str] = []
    #: person-name categories whose other mentions are searched for throughout
    #: a document or bundle (surname alone, initial and surname, all caps)
    propagate: list[str] = []
    rules: list[Rule]
    source: str = ""

    @field_validator("exemption")
    @classmethod
    def _exemption(cls, v: str) -> str:
        if exemption_problem(v):
            raise ValueError(exemption_problem(v))
        return v

    @model_validator(mode="after")
    def _unique_ids(self) -> "RulePack":
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return self

    def exemption_for(self, rule: Rule) -> str:
        return rule.exemption or self.exemption


#: libyaml's safe loader where PyYAML was built with it (ten times faster
#: than the pure-Python one: a fifth of a second at every start); the same
#: YAML 1.1 safe subset either way.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def builtin_rules_dir() -> Path:
    """The packs shipped with redactor (inside the wheel, or the source tree)."""
    shipped = resources.files("redactor") / "rules"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "rules"


def is_builtin(path: str | Path) -> bool:
    """A pack shipped with redactor (its patterns may be kept compiled in
    the cache: :mod:`redactor.detect.patterns`), not a user's own."""
    if not str(path):
        return False
    try:
        return Path(path).resolve().parent == builtin_rules_dir().resolve()
    except OSError:
        return False


def load_pack(path: str | Path) -> RulePack:
    p = Path(path)
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except OSError as e:
        raise RulePackError(f"cannot read rule pack: {e.strerror or e}", p) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise RulePackError(f"not valid YAML{where}: {getattr(e, 'problem', e)}", p) from None
    if not isinstance(data, dict):
        raise RulePackError("a rule pack must be a mapping with 'pack', 'version', 'exemption' and 'rules'", p)
    data = {**data, "source": str(p)}
    try:
        with patterns.kept(is_builtin(p)):
            return RulePack.model_validate(data)
    except ValidationError as e:
        raise RulePackError(_describe(e, data), p) from None


def _describe(e: ValidationError, data: dict) -> str:
    err = e.errors()[0]
    loc = list(err["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules") or []
        rid = rules[loc[1]].get("id") if loc[1] < len(rules) and isinstance(rules[loc[1]], dict) else None
        where = f"rule {rid!r}" if rid else f"rule #{loc[1] + 1}"
        loc = loc[2:]
    field = ".".join(str(x) for x in loc)
    msg = err["msg"].removeprefix("Value error, ")
    parts = [x for x in (where, f"field '{field}'" if field else "") if x]
    return f"{', '.join(parts)}: {msg}" if parts else msg


def load_packs(names_or_paths: list[str] | None = None) -> list[RulePack]:
    """Load packs by name (from the built-in directory) or by file path.

    With no argument every built-in pack is loaded.
    """
    base = builtin_rules_dir()
    if not names_or_paths:
        paths = sorted(base.glob("*.yaml"))
        if not paths:
            raise RulePackError("no rule packs found", base)
    else:
        paths = []
        for item in names_or_paths:
            p = Path(item)
            if p.suffix in (".yaml", ".yml") and p.exists():
                paths.append(p)
            elif (base / f"{item}.yaml").exists():
                paths.append(base / f"{item}.yaml")
            else:
                known = ", ".join(sorted(x.stem for x in base.glob("*.yaml")))
                raise RulePackError(f"no such rule pack (built-in packs: {known})", item)
    packs = [load_pack(p) for p in paths]
    names: set[str] = set()
    for pack in packs:
        if pack.pack in names:
            raise RulePackError(f"pack name {pack.pack!r} is loaded twice", pack.source)
        names.add(pack.pack)
    return packs
