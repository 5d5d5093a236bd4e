"""The schema a rule pack is validated against when it is read from YAML
(pydantic): every field, its range, and the checks across fields. A pack
that fails raises :class:`~redactor.errors.RulePackError` naming the file,
the rule id and the field.

What a run works with are the plain records of
:mod:`redactor.detect.rulepack`, made from the validated pack; a built-in
pack, once validated, is read from the cache directory without importing
pydantic or YAML at all (start-up, issue 14).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from redactor.detect import patterns
from redactor.detect import validators as validator_registry
from redactor.errors import RulePackError
from redactor.foia import problem as exemption_problem


PhoneType = Literal["fixed_line", "mobile", "fixed_line_or_mobile", "toll_free", "premium_rate", "shared_cost",
                   "voip", "personal_number", "pager", "uan", "voicemail", "unknown"]


class RuleSchema(BaseModel):
    """What a rule may say: see :class:`redactor.detect.rulepack.Rule`."""

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
    #: after a title or an apposition's intro may be any capitalised word ("any":
    #: courtesy titles, alias cues).
    form: Literal["title", "list", "apposition", "initials", "initials_surname", "case_party", "email_display",
                  "before_role", "before_rank", "before_verb", "greeting"] | None = None
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
    #: kind=phone: only numbers of these types (phonenumbers' PhoneNumberType, in lower case), or
    #: every type but these; a number the metadata cannot type is "unknown"
    number_types: list[PhoneType] = []
    skip_types: list[PhoneType] = []
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
    def _kind_fields(self) -> "RuleSchema":
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
            if self.form in ("title", "list", "apposition", "before_role", "before_rank", "before_verb",
                             "greeting") and not self.terms:
                raise ValueError(f"a names rule of form {self.form!r} needs 'terms' (the words that introduce a name)")
        if self.kind == "ner" and not self.labels:
            raise ValueError("an ner rule needs 'labels'")
        if self.kind == "phone" and len(self.region) != 2:
            raise ValueError("region must be a two-letter ISO code such as GB")
        if (self.number_types or self.skip_types) and self.kind != "phone":
            raise ValueError("number_types and skip_types are for phone rules")
        if self.require_context and not self.context:
            raise ValueError("require_context is set but 'context' is empty")
        return self


class PropagateContextSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: a first name alone after these words ("Hi", "Regards", "ring")
    before: list[str] = []
    #: either before these verbs ("said", "reported")
    verbs_after: list[str] = []
    #: a first name alone before a comma and these words ("can", "please")
    asked_after: list[str] = []


class RulePackSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pack: str = Field(pattern=r"^[a-z0-9_]+$")
    version: str
    exemption: str
    description: str = ""
    allow: list[str] = []
    #: person-name categories whose other mentions are searched for throughout
    #: a document or bundle (surname alone, initial and surname, all caps)
    propagate: list[str] = []
    #: where a name's first name alone, or its surname when that is an ordinary word, found
    #: by propagation is the person (redactor.detect.names.NameContext)
    propagate_context: PropagateContextSchema | None = None
    #: words that make the name-shaped words of a list or an apposition that end with them, or come just
    #: before them, an organisation ("From: Camden Council", "Present: Kent Police"), not a person
    organisation_words: list[str] = []
    rules: list[RuleSchema]
    source: str = ""

    @field_validator("exemption")
    @classmethod
    def _exemption(cls, v: str) -> str:
        if exemption_problem(v):
            raise ValueError(exemption_problem(v))
        return v

    @model_validator(mode="after")
    def _unique_ids(self) -> "RulePackSchema":
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return self


#: libyaml's safe loader where PyYAML was built with it (ten times faster
#: than the pure-Python one: a fifth of a second at every start); the same
#: YAML 1.1 safe subset either way.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(p: Path, text: str) -> dict:
    """The pack in ``text`` (read from ``p``), validated: a dict of plain
    values, every field present (defaults filled in), as
    :func:`redactor.detect.rulepack.from_dict` takes it."""
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise RulePackError(f"not valid YAML{where}: {getattr(e, 'problem', e)}", p) from None
    if not isinstance(data, dict):
        raise RulePackError("a rule pack must be a mapping with 'pack', 'version', 'exemption' and 'rules'", p)
    data = {**data, "source": str(p)}
    try:
        return RulePackSchema.model_validate(data).model_dump(mode="json")
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
