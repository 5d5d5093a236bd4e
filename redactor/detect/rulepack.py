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

A pack is validated when it is read (:mod:`redactor.detect.packschema`,
pydantic): one that fails raises :class:`~redactor.errors.RulePackError`
naming the file, the rule id and the field. A run works with the plain,
frozen records below. A built-in pack, once validated, is kept in the cache
directory (:mod:`redactor.detect.packcache`) and read from there while the
file and the code that validates it stay the same: neither YAML nor
pydantic is imported at start-up (issue 14).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import regex

from redactor.detect import patterns
from redactor.errors import RulePackError

EXEMPTION_RE = regex.compile(r"^S\d+(?:\(\d+[A-Z]?\)|\([a-z]\))+$")


def section_number(exemption: str) -> str:
    """'S31(1)(a)' -> '31(1)(a)': the section as an FOI letter cites it."""
    return exemption[1:] if exemption[:1] in "Ss" else exemption


@dataclass(frozen=True, kw_only=True)
class Rule:
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

    The fields, their ranges and defaults are those of
    :class:`redactor.detect.packschema.RuleSchema` (a test compares them).
    """

    id: str
    #: pattern, terms, phone, ner, names, image, covered
    kind: str
    category: str
    confidence: float
    description: str = ""
    exemption: str | None = None
    #: kind=pattern: a ``regex`` pattern; ``group`` names the part to redact.
    pattern: str | None = None
    group: str | None = None
    ignore_case: bool = False
    #: kind=terms: words or phrases matched whole, case-insensitively.
    #: kind=names: the words that introduce a name (titles, roles).
    terms: list[str] = field(default_factory=list)
    #: kind=names: how the name is introduced (see
    #: :mod:`redactor.detect.recognizers.names`), and whether the first word
    #: after a title or an apposition's intro may be any capitalised word ("any":
    #: courtesy titles, alias cues).
    form: str | None = None
    first_word: str = "name_like"
    #: kind=ner: spaCy entity labels; entities with fewer tokens, or with a
    #: token in ``exclude`` (case-insensitive), are not names.
    labels: list[str] = field(default_factory=list)
    min_tokens: int = 1
    exclude: list[str] = field(default_factory=list)
    strip_prefixes: list[str] = field(default_factory=list)
    #: kind=image: images at least this large (points) on each side.
    min_size: float = 40.0
    #: kind=phone: the region numbers are read in (ISO 3166, "GB", not "UK").
    region: str = "GB"
    #: kind=phone: only numbers of these types (phonenumbers' PhoneNumberType in lower case:
    #: "toll_free", "uan", ...), or every type but these
    number_types: list[str] = field(default_factory=list)
    skip_types: list[str] = field(default_factory=list)
    validators: list[str] = field(default_factory=list)
    validator_boost: float = 0.1
    validator_penalty: float = 0.3
    context: list[str] = field(default_factory=list)
    #: tokens either side of the match in which context words count
    context_window: int = 6
    context_boost: float = 0.1
    #: both, before, after
    context_side: str = "both"
    require_context: bool = False
    negative_context: list[str] = field(default_factory=list)
    negative_penalty: float = 0.3
    #: tokens either side in which negative context words count (they speak
    #: of the match itself: "form A12", "the M25 junction")
    negative_window: int = 2
    #: the score a match needs to be proposed
    min_score: float = 0.5
    #: False: the match must stay on one line (e.g. a location after "RVP:").
    cross_lines: bool = True


@dataclass(frozen=True, kw_only=True)
class RulePack:
    pack: str
    version: str
    exemption: str
    description: str = ""
    allow: list[str] = field(default_factory=list)
    #: person-name categories whose other mentions are searched for throughout
    #: a document or bundle (surname alone, initial and surname, all caps)
    propagate: list[str] = field(default_factory=list)
    #: words around a first name alone (or a surname that is a word) that make it the person:
    #: ``before``, ``verbs_after``, ``asked_after`` (redactor.detect.names.NameContext)
    propagate_context: dict[str, list[str]] | None = None
    #: words that make a listed or apposed name an organisation's ("Council", "Police")
    organisation_words: list[str] = field(default_factory=list)
    rules: list[Rule]
    source: str = ""

    def exemption_for(self, rule: Rule) -> str:
        return rule.exemption or self.exemption


def from_dict(data: dict) -> RulePack:
    """The records of a validated pack (:func:`redactor.detect.packschema.read`)."""
    return RulePack(**{**data, "rules": [Rule(**r) for r in data["rules"]]})


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
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise RulePackError(f"cannot read rule pack: {e.strerror or e}", p) from None
    shipped = is_builtin(p)
    if shipped:
        from redactor.detect import packcache

        kept = packcache.get(p, text)
        if kept is not None:
            return from_dict({**kept, "source": str(p)})
    from redactor.detect import packschema

    with patterns.kept(shipped):  # a built-in pack's patterns are kept compiled (patterns.py)
        data = packschema.read(p, text)
    if shipped:
        packcache.put(p, text, data)
    return from_dict(data)


def pack_paths(names_or_paths: list[str] | None = None) -> list[Path]:
    """The files :func:`load_packs` loads for ``names_or_paths``."""
    base = builtin_rules_dir()
    if not names_or_paths:
        paths = sorted(base.glob("*.yaml"))
        if not paths:
            raise RulePackError("no rule packs found", base)
        return paths
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
    return paths


def load_packs(names_or_paths: list[str] | None = None) -> list[RulePack]:
    """Load packs by name (from the built-in directory) or by file path.

    With no argument every built-in pack is loaded.
    """
    packs = [load_pack(p) for p in pack_paths(names_or_paths)]
    names: set[str] = set()
    for pack in packs:
        if pack.pack in names:
            raise RulePackError(f"pack name {pack.pack!r} is loaded twice", pack.source)
        names.add(pack.pack)
    return packs
