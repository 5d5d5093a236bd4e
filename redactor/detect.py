"""The rules engine: rule packs in, findings out.

Each rule kind has a recognizer class in :data:`RECOGNIZERS`; a recognizer
yields ``(start, end)`` spans of the text. The engine then applies what every
rule shares: validators, context words (which raise confidence, or are
required), the allow lists, and overlap resolution.

Text is searched with line breaks read as spaces, so a name or a number
broken over two lines is still one match; the boxes come back per line from
:meth:`redactor.extract.PageText.rects`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import phonenumbers
import regex

from . import nlp as nlp_loader
from . import validators as validator_registry
from .extract import PageText
from .findings import Finding
from .rulepack import Rule, RulePack, load_packs

Span = tuple[int, int]


class Recognizer:
    """Finds spans for one rule. Subclasses implement :meth:`spans`."""

    def __init__(self, rule: Rule):
        self.rule = rule

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        raise NotImplementedError


class PatternRecognizer(Recognizer):
    def __init__(self, rule: Rule):
        super().__init__(rule)
        flags = regex.V1 | (regex.IGNORECASE if rule.ignore_case else 0)
        self.regex = regex.compile(rule.pattern or "", flags)

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        group = self.rule.group or 0
        for m in self.regex.finditer(text, overlapped=False):
            start, end = m.span(group)
            if end > start:
                yield start, end


class TermsRecognizer(Recognizer):
    """Whole-word, case-insensitive match of listed terms; spaces in a term
    match any run of white space (so a term broken over lines is found)."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        alternatives = sorted(
            (r"\s+".join(regex.escape(w) for w in term.split()) for term in rule.terms),
            key=len,
            reverse=True,
        )
        self.regex = regex.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", regex.V1 | regex.IGNORECASE)

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        for m in self.regex.finditer(text):
            yield m.span()


class PhoneRecognizer(Recognizer):
    """Telephone numbers in every written form, via ``phonenumbers``."""

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        matcher = phonenumbers.PhoneNumberMatcher(text, self.rule.region, leniency=phonenumbers.Leniency.POSSIBLE)
        for m in matcher:
            if sum(ch.isdigit() for ch in m.raw_string) >= 9:
                yield m.start, m.end


class NerRecognizer(Recognizer):
    """Entities from the spaCy pipeline, by label (PERSON, ...)."""

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        if doc is None:
            return
        for ent in doc.ents:
            if ent.label_ in self.rule.labels:
                yield ent.start_char, ent.end_char


RECOGNIZERS: dict[str, type[Recognizer]] = {
    "pattern": PatternRecognizer,
    "terms": TermsRecognizer,
    "phone": PhoneRecognizer,
    "ner": NerRecognizer,
}


@dataclass
class _Compiled:
    pack: RulePack
    rule: Rule
    recognizer: Recognizer
    exemption: str
    context: regex.Pattern | None


def _normal(s: str) -> str:
    return " ".join(s.casefold().split())


class Detector:
    """Runs rule packs over texts and returns findings."""

    def __init__(
        self,
        packs: Sequence[RulePack] | None = None,
        allow: Iterable[str] = (),
        nlp_model: str | None = None,
        use_nlp: bool = True,
        min_confidence: float = 0.0,
    ):
        self.packs = list(packs) if packs is not None else load_packs()
        self.min_confidence = min_confidence
        self.allow = {_normal(a) for a in allow}
        for pack in self.packs:
            self.allow.update(_normal(a) for a in pack.allow)
        self.rules: list[_Compiled] = []
        for pack in self.packs:
            for rule in pack.rules:
                ctx = None
                if rule.context:
                    words = sorted((regex.escape(w) for w in rule.context), key=len, reverse=True)
                    ctx = regex.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", regex.V1 | regex.IGNORECASE)
                self.rules.append(_Compiled(pack, rule, RECOGNIZERS[rule.kind](rule), pack.exemption_for(rule), ctx))
        needs_nlp = any(c.rule.kind == "ner" for c in self.rules)
        self.nlp = nlp_loader.load(nlp_model) if (needs_nlp and use_nlp) else None

    @property
    def pack_versions(self) -> dict[str, str]:
        return {p.pack: p.version for p in self.packs}

    def find_in_text(self, text: str, page: int = 0, doc=None) -> list[Finding]:
        """Findings in one text (a page, or a whole .txt file)."""
        flat = text.replace("\n", " ")
        out: list[Finding] = []
        for c in self.rules:
            if c.rule.kind == "ner" and doc is None:
                continue
            for start, end in c.recognizer.spans(flat, doc):
                start, end = _trim(flat, start, end)
                if end <= start:
                    continue
                matched = flat[start:end]
                if _normal(matched) in self.allow:
                    continue
                if not all(validator_registry.get(v)(matched) for v in c.rule.validators):
                    continue
                confidence = c.rule.confidence
                if c.context is not None:
                    lo, hi = max(0, start - c.rule.context_window), min(len(flat), end + c.rule.context_window)
                    window = flat[lo:start] + " " + flat[end:hi]
                    if c.context.search(window):
                        confidence = min(1.0, confidence + c.rule.context_boost)
                    elif c.rule.require_context:
                        continue
                if confidence < self.min_confidence:
                    continue
                out.append(
                    Finding(
                        page=page,
                        start=start,
                        end=end,
                        text=" ".join(text[start:end].split()),
                        category=c.rule.category,
                        exemption=c.exemption,
                        rule=c.rule.id,
                        confidence=confidence,
                    )
                )
        return resolve_overlaps(out)

    def find_in_pages(self, pages: Sequence[PageText]) -> list[Finding]:
        docs = self._nlp_docs([p.text.replace("\n", " ") for p in pages])
        findings: list[Finding] = []
        for page, doc in zip(pages, docs):
            for f in self.find_in_text(page.text, page=page.number, doc=doc):
                f.rects = page.rects(f.start, f.end)
                f.hidden = page.hidden_reason(f.start, f.end)
                f.context_before, f.context_after = page.context(f.start, f.end)
                if f.rects:
                    findings.append(f)
        return findings

    def _nlp_docs(self, texts: list[str]) -> list:
        if self.nlp is None:
            return [None] * len(texts)
        return list(self.nlp.pipe(texts, batch_size=32))


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and (text[start].isspace() or text[start] in ",;:("):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:)."):
        end -= 1
    return start, end


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Drop a finding wholly inside another of the same exemption; of two
    with the same span keep the more confident."""
    ordered = sorted(findings, key=lambda f: (f.start, -(f.end - f.start), -f.confidence))
    kept: list[Finding] = []
    for f in ordered:
        if any(k.start <= f.start and f.end <= k.end and k.exemption == f.exemption for k in kept):
            continue
        kept.append(f)
    return kept
