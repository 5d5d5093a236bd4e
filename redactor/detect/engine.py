"""The rules engine: rule packs in, findings out.

Each rule kind has a recognizer class in :data:`RECOGNIZERS`; a recognizer
yields ``(start, end)`` spans of the text. The engine then applies what every
rule shares: validators, context words (which raise confidence, or are
required), the allow lists, and overlap resolution.

Text is searched with line breaks read as spaces, so a name or a number
broken over two lines is still one match (rules with ``cross_lines: false``
see the line breaks); the boxes come back per line from
:meth:`redactor.text.page.PageText.rects`.

Names found once are then looked for everywhere in the document, or in the
whole bundle (:meth:`Detector.find_in_bundle`): surname alone, initial and
surname, possessive, all caps, across line breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import phonenumbers
import regex

from redactor.detect import nlp as nlp_loader
from redactor.detect import validators as validator_registry
from redactor.text.page import PageText
from redactor.detect.findings import Finding, normalise
from redactor.detect.rulepack import Rule, RulePack, load_packs

Span = tuple[int, int]

#: Line breaks are searched as U+2028: white space to ``\s`` (so matches
#: cross lines), yet distinguishable (``\x20`` does not match it).
LINE_BREAK = "\u2028"
PROPAGATED_RULE = "names.propagated"
PROPAGATED_CONFIDENCE = 0.85
#: Surnames shorter than this are not looked for on their own.
MIN_SURNAME = 3


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
        for m in self.regex.finditer(text):
            start, end = m.span(group)
            if end > start:
                yield start, end


def words_regex(phrases: Iterable[str], flags: int = regex.IGNORECASE) -> regex.Pattern | None:
    """Whole-word alternation of ``phrases``; a space matches any white space."""
    alternatives = sorted(
        {r"\s+".join(regex.escape(w) for w in p.split()) for p in phrases if p.strip()}, key=len, reverse=True
    )
    if not alternatives:
        return None
    return regex.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", regex.V1 | flags)


class TermsRecognizer(Recognizer):
    """Whole-word, case-insensitive match of listed terms (across line breaks)."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.regex = words_regex(rule.terms)

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        for m in self.regex.finditer(text):
            yield m.span()


class PhoneRecognizer(Recognizer):
    """Telephone numbers in every written form, via ``phonenumbers``.

    The matcher runs twice: on the text with its line breaks (numbers in
    table cells are not glued to the next cell's digits) and with line
    breaks read as spaces (numbers broken over two lines). Validators drop
    what either run gets wrong; overlap resolution keeps the longest."""

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        seen: set[Span] = set()
        for variant in (text.replace(LINE_BREAK, "\n"), text.replace(LINE_BREAK, " ")):
            matcher = phonenumbers.PhoneNumberMatcher(variant, self.rule.region,
                                                      leniency=phonenumbers.Leniency.POSSIBLE)
            for m in matcher:
                if sum(ch.isdigit() for ch in m.raw_string) >= 9 and (m.start, m.end) not in seen:
                    seen.add((m.start, m.end))
                    yield m.start, m.end


class NerRecognizer(Recognizer):
    """Entities from the spaCy pipeline, by label, cleaned of rank and title
    prefixes and filtered so slide furniture is not taken for a name."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.exclude = {w.casefold() for w in rule.exclude}
        self.prefixes = {w.casefold().rstrip(".") for w in rule.strip_prefixes}

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        if doc is None:
            return
        for ent in doc.ents:
            if ent.label_ not in self.rule.labels:
                continue
            tokens = [t for t in ent if not t.is_punct or t.text in "'’-"]
            while tokens and tokens[0].text.casefold().rstrip(".") in self.prefixes:
                tokens = tokens[1:]
            while tokens and tokens[-1].text in ("'s", "’s", "'", "’"):
                tokens = tokens[:-1]
            words = [t for t in tokens if t.text not in "'’-"]
            if len(words) < self.rule.min_tokens or not tokens:
                continue
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            if LINE_BREAK in text[start:end]:  # a slide title run into the next line
                continue
            if any(t.text.casefold() in self.exclude or not t.text[:1].isupper() or not t.text.replace("'", "").replace("’", "").replace("-", "").isalpha() for t in words):
                continue
            yield start, end


class ImageRecognizer(Recognizer):
    """Images on a page (placeholder spans; boxes come from the page)."""

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        return iter(())


RECOGNIZERS: dict[str, type[Recognizer]] = {
    "pattern": PatternRecognizer,
    "terms": TermsRecognizer,
    "phone": PhoneRecognizer,
    "ner": NerRecognizer,
    "image": ImageRecognizer,
}


FOUND = "finding"


@dataclass
class _Compiled:
    pack: RulePack
    rule: Rule
    recognizer: Recognizer
    exemption: str
    context: regex.Pattern | None


@dataclass
class Candidate:
    """A span one rule matched, and why it is or is not a finding."""

    compiled: _Compiled
    start: int
    end: int
    text: str
    confidence: float
    outcome: str = FOUND
    context: bool | None = None  #: a context word was found (None: rule has none)
    validators: dict[str, bool] = field(default_factory=dict)


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
        allow_phrases = list(allow)
        for pack in self.packs:
            allow_phrases.extend(pack.allow)
        self.allow = {normalise(a) for a in allow_phrases}
        self.allow_regex = words_regex(allow_phrases)
        self.propagate = {cat for pack in self.packs for cat in pack.propagate}
        self.rules: list[_Compiled] = []
        for pack in self.packs:
            for rule in pack.rules:
                self.rules.append(
                    _Compiled(pack, rule, RECOGNIZERS[rule.kind](rule), pack.exemption_for(rule), words_regex(rule.context))
                )
        needs_nlp = any(c.rule.kind == "ner" for c in self.rules)
        self.nlp = nlp_loader.load(nlp_model) if (needs_nlp and use_nlp) else None
        self._name_exemption = next(
            (c.exemption for c in self.rules if c.rule.category in self.propagate), "S40(2)"
        )

    @property
    def pack_versions(self) -> dict[str, str]:
        return {p.pack: p.version for p in self.packs}

    # --- one text ---------------------------------------------------------

    def candidates(self, text: str, doc=None) -> Iterator[Candidate]:
        """Every span any rule matches in ``text``, with what became of it."""
        flat = text.replace("\n", LINE_BREAK)
        allowed = self._allowed_spans(flat)
        for c in self.rules:
            if c.rule.kind == "ner" and doc is None:
                continue
            source = flat if c.rule.cross_lines else text
            for start, end in c.recognizer.spans(source, doc):
                start, end = _trim(flat, start, end)
                if end <= start:
                    continue
                matched = flat[start:end].replace(LINE_BREAK, " ")
                cand = Candidate(c, start, end, " ".join(matched.split()), c.rule.confidence)
                if self._is_allowed(flat, start, end, allowed):
                    cand.outcome = "allow list"
                    yield cand
                    continue
                cand.validators = {v: validator_registry.get(v)(matched) for v in c.rule.validators}
                if not all(cand.validators.values()):
                    failed = [v for v, ok in cand.validators.items() if not ok]
                    cand.outcome = f"validator {failed[0]} failed"
                    yield cand
                    continue
                if c.context is not None:
                    cand.context = self._has_context(c, flat, start, end)
                    if cand.context:
                        cand.confidence = min(1.0, cand.confidence + c.rule.context_boost)
                    elif c.rule.require_context:
                        cand.outcome = "no context word nearby"
                        yield cand
                        continue
                if cand.confidence < self.min_confidence:
                    cand.outcome = "below minimum confidence"
                yield cand

    def find_in_text(self, text: str, page: int = 0, doc=None, propagate: bool = True) -> list[Finding]:
        """Findings in one text (a page, or a whole .txt file). ``doc`` is
        the spaCy parse when the caller has batched it already."""
        if doc is None and self.nlp is not None:
            doc = self.nlp(text)
        out = [self._finding(text, page, c.start, c.end, c.compiled.rule.category, c.compiled.exemption,
                             c.compiled.rule.id, c.confidence)
               for c in self.candidates(text, doc) if c.outcome == FOUND]
        if propagate and self.propagate:
            allowed = self._allowed_spans(text.replace("\n", LINE_BREAK))
            out += self._propagated(text, page, self.names_in(out), out, allowed)
        return resolve_overlaps(out)

    def explain(self, text: str) -> list[Candidate]:
        """Candidates in ``text`` for ``redactor rules test``."""
        doc = self.nlp(text) if self.nlp is not None else None
        return sorted(self.candidates(text, doc), key=lambda c: (c.start, c.compiled.rule.id))

    def _finding(self, text: str, page: int, start: int, end: int, category: str, exemption: str, rule: str,
                 confidence: float) -> Finding:
        return Finding(page=page, start=start, end=end, text=" ".join(text[start:end].split()), category=category,
                       exemption=exemption, rule=rule, confidence=confidence)

    @staticmethod
    def _has_context(c: _Compiled, flat: str, start: int, end: int) -> bool:
        w = c.rule.context_window
        before = flat[max(0, start - w):start] if c.rule.context_side in ("both", "before") else ""
        after = flat[end:end + w] if c.rule.context_side in ("both", "after") else ""
        return bool(c.context.search(before + " \x00 " + after))

    def _allowed_spans(self, flat: str) -> list[Span]:
        return [m.span() for m in self.allow_regex.finditer(flat)] if self.allow_regex else []

    def _is_allowed(self, flat: str, start: int, end: int, allowed: list[Span]) -> bool:
        if normalise(flat[start:end]) in self.allow:
            return True
        return any(a <= start and end <= b for a, b in allowed)

    # --- names everywhere -------------------------------------------------

    def names_in(self, findings: Iterable[Finding]) -> set[str]:
        return {f.text for f in findings if f.category in self.propagate and f.rule != PROPAGATED_RULE}

    def _propagated(self, text: str, page: int, names: set[str], existing: list[Finding],
                    allowed: list[Span]) -> list[Finding]:
        pattern = name_variants_regex(names)
        if pattern is None:
            return []
        flat = text.replace("\n", LINE_BREAK)
        taken = [(f.start, f.end) for f in existing]
        out = []
        for m in pattern.finditer(flat):
            start, end = m.span()
            if any(a <= start and end <= b for a, b in taken) or self._is_allowed(flat, start, end, allowed):
                continue
            category = next(iter(sorted(self.propagate)))
            out.append(self._finding(text, page, start, end, category, self._name_exemption, PROPAGATED_RULE,
                                     PROPAGATED_CONFIDENCE))
        return out

    # --- pages, documents, bundles ----------------------------------------

    def find_in_pages(self, pages: Sequence[PageText], known_names: set[str] | None = None) -> list[Finding]:
        """Findings in one document; names found on any page (or in
        ``known_names``, from other documents of a bundle) are looked for on
        every page."""
        docs = self._nlp_docs([p.text for p in pages])
        per_page = [self.find_in_text(p.text, page=p.number, doc=d, propagate=False) for p, d in zip(pages, docs)]
        names = set(known_names or ()) | self.names_in(f for fs in per_page for f in fs)
        findings: list[Finding] = []
        for page, found in zip(pages, per_page):
            if names and self.propagate:
                allowed = self._allowed_spans(page.text.replace("\n", LINE_BREAK))
                found = resolve_overlaps(found + self._propagated(page.text, page.number, names, found, allowed))
            found += self._image_findings(page)
            for f in found:
                if f.category == "photograph":
                    findings.append(f)
                    continue
                f.rects = page.rects(f.start, f.end)
                if page.source != "mupdf":  # [ocr branch hook] found in another reading (OCR)
                    f.source, f.id = page.source, f"{page.source}-{f.id}"
                f.hidden = page.hidden_reason(f.start, f.end)
                f.context_before, f.context_after = page.context(f.start, f.end)
                if f.rects:
                    findings.append(f)
        return findings

    def find_in_bundle(self, documents: Sequence[Sequence[PageText]]) -> list[list[Finding]]:
        """Findings for several documents, names shared across all of them."""
        first = [self.find_in_pages(pages) for pages in documents]
        names = set().union(*(self.names_in(fs) for fs in first)) if first else set()
        return [self.find_in_pages(pages, known_names=names) for pages in documents]

    def _image_findings(self, page: PageText) -> list[Finding]:
        out = []
        for c in self.rules:
            if c.rule.kind != "image":
                continue
            for rect in page.images:
                if rect[2] - rect[0] >= c.rule.min_size and rect[3] - rect[1] >= c.rule.min_size:
                    f = Finding(page=page.number, start=0, end=0, text="[image]", category=c.rule.category,
                                exemption=c.exemption, rule=c.rule.id, confidence=c.rule.confidence,
                                rects=[rect], id="")
                    f.id = f"img-{page.number}-" + "-".join(f"{v:.0f}" for v in rect)
                    out.append(f)
        return out

    def _nlp_docs(self, texts: list[str]) -> list:
        if self.nlp is None:
            return [None] * len(texts)
        return list(self.nlp.pipe(texts, batch_size=32))


def name_variants_regex(names: Iterable[str]) -> regex.Pattern | None:
    """Other ways a found name is written: in full (any case, across line
    breaks), initial and surname, surname alone (as a capitalised or
    all-caps word; possessives included)."""
    alternatives: set[str] = set()
    for name in names:
        tokens = [t for t in regex.split(r"\s+", name.strip()) if t]
        if not tokens:
            continue
        alternatives.add("(?i:" + r"\s+".join(regex.escape(t) for t in tokens) + ")")
        if len(tokens) >= 2:
            surname = tokens[-1]
            initial = tokens[0][0]
            alternatives.add(f"(?i:{regex.escape(initial)}\\.?\\s*{regex.escape(surname)})")
            if len(surname) >= MIN_SURNAME and surname[:1].isupper():  # as written (McAllister), or in capitals
                alternatives.add(regex.escape(surname) + "|" + regex.escape(surname.upper()))
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return regex.compile(r"(?<![\w@.])(?:" + "|".join(ordered) + r")(?![\w@])", regex.V1)


def _trim(text: str, start: int, end: int) -> Span:
    """Drop white space and punctuation at the ends of a match, but not a
    bracket that belongs to it, as in "(0161) 496 0311"."""
    while start < end and (text[start].isspace() or text[start] in ",;:" or
                           (text[start] == "(" and ")" not in text[start:end])):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:." or
                           (text[end - 1] == ")" and "(" not in text[start:end])):
        end -= 1
    return start, end


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Drop a finding wholly inside another (its box would be inside the
    other's: digits of a grid reference are not also a phone number); of two
    with the same span keep the more confident."""
    ordered = sorted(findings, key=lambda f: (f.start, -(f.end - f.start), -f.confidence))
    kept: list[Finding] = []
    for f in ordered:
        if f.end > f.start and any(k.start <= f.start and f.end <= k.end for k in kept):
            continue
        kept.append(f)
    return kept
