"""The rules engine: rule packs in, findings out.

Each rule has a recognizer (:mod:`redactor.detect.recognizers`, one class
per kind) that finds its *shape* anywhere in the text. The engine then
weighs every match the same way (see :class:`redactor.detect.rulepack.Rule`
for the arithmetic): context words before or after it within a window of
tokens, validators as evidence (only a failed checksum drops a match), the
allow lists, the score needed to propose, and overlap resolution.

Text is searched with line breaks read as U+2028 (:data:`LINE_BREAK`), so a
name or a number broken over two lines is still one match while a rule can
still tell where a line ends (rules with ``cross_lines: false`` see plain
line breaks); the boxes come back per line from
:meth:`redactor.text.page.PageText.rects`.

Names found once are then looked for everywhere in the document, or in the
whole bundle (:meth:`Detector.find_in_bundle`), in every form that is itself
name-like (:func:`redactor.detect.names.forms`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import regex

from redactor.detect import citations
from redactor.detect import context as ctx
from redactor.detect import lexicon
from redactor.detect import names as nm
from redactor.detect import nlp as nlp_loader
from redactor.detect import patterns
from redactor.detect import validators as validator_registry
from redactor.detect.context import LINE_BREAK, words_regex
from redactor.detect.findings import Finding, normalise
from redactor.detect.recognizers import Recognizer, build
from redactor.detect.rulepack import Rule, RulePack, is_builtin, load_packs
from redactor.spill import Spill
from redactor.text.page import PageText, is_covered

Span = tuple[int, int]

PROPAGATED_RULE = "names.propagated"
PROPAGATED_CONFIDENCE = 0.85
#: Surnames shorter than this are not looked for on their own.
MIN_SURNAME = 3
FOUND = "finding"

__all__ = ["Candidate", "Detector", "FOUND", "Finding", "LINE_BREAK", "PROPAGATED_RULE", "name_variants_regex",
           "resolve_overlaps", "words_regex"]


@dataclass
class _Compiled:
    pack: RulePack
    rule: Rule
    recognizer: Recognizer
    exemption: str
    context: regex.Pattern | None
    negative: regex.Pattern | None


@dataclass
class Candidate:
    """A span one rule matched, the evidence for and against it, and what
    became of it."""

    compiled: _Compiled
    start: int
    end: int
    text: str
    confidence: float
    outcome: str = FOUND
    context: bool | None = None  #: a context word was found (None: rule has none)
    context_words: list[str] = field(default_factory=list)
    negative_words: list[str] = field(default_factory=list)
    validators: dict[str, bool] = field(default_factory=dict)

    @property
    def shape(self) -> str:
        return self.compiled.recognizer.shape

    def verdicts(self) -> list[str]:
        """The validators' verdicts, as a reviewer reads them."""
        out = []
        for name, ok in self.validators.items():
            kind = validator_registry.kind(name)
            out.append(f"{name} {'ok' if ok else 'failed'} ({kind})")
        return out


class Stopped(Exception):
    """A read-ahead was told to stop (:meth:`Detector.read_ahead`)."""


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
        users = list(allow)
        allow_phrases = users + [a for pack in self.packs for a in pack.allow]
        self.allow = {normalise(a) for a in allow_phrases}
        builtin = [is_builtin(pack.source) for pack in self.packs]
        with patterns.kept(all(builtin) and not users):  # a user's --allow is not copied into the cache
            self.allow_regex = words_regex(allow_phrases)
        self.propagate = {cat for pack in self.packs for cat in pack.propagate}
        self.name_context = nm.NameContext.from_packs(self.packs)
        self.rules: list[_Compiled] = []
        for pack, shipped in zip(self.packs, builtin):
            with patterns.kept(shipped):  # a built-in pack's patterns are kept compiled between runs
                for rule in pack.rules:
                    self.rules.append(_Compiled(pack, rule, build(rule), pack.exemption_for(rule),
                                                words_regex(rule.context), words_regex(rule.negative_context)))
        titles = {t for c in self.rules if c.rule.kind == "names" and c.rule.form == "title" for t in c.rule.terms}
        organisations = {w for pack in self.packs for w in pack.organisation_words}
        with patterns.kept(all(builtin)):
            for c in self.rules:
                if hasattr(c.recognizer, "set_titles"):
                    c.recognizer.set_titles(titles)
                    c.recognizer.set_organisations(organisations)
        needs_nlp = any(c.rule.kind == "ner" for c in self.rules)
        self.nlp = nlp_loader.load(nlp_model) if (needs_nlp and use_nlp) else None
        self._name_exemption = next(
            (c.exemption for c in self.rules if c.rule.category in self.propagate), "S40(2)"
        )
        self._name_category = next(iter(sorted(self.propagate)), "person_name")

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
                yield self._weigh(c, flat, start, end, allowed)

    def _weigh(self, c: _Compiled, flat: str, start: int, end: int, allowed: list[Span]) -> Candidate:
        rule = c.rule
        matched = flat[start:end].replace(LINE_BREAK, " ")
        cand = Candidate(c, start, end, " ".join(matched.split()), rule.confidence)
        if self._is_allowed(flat, start, end, allowed):
            cand.outcome = "allow list"
            return cand
        score = rule.confidence
        for name in rule.validators:
            ok = bool(validator_registry.get(name)(matched))
            cand.validators[name] = ok
            if ok:
                score += rule.validator_boost
            elif validator_registry.kind(name) == "checksum":
                cand.outcome = f"validator {name} failed (checksum)"
                return cand
            elif validator_registry.kind(name) == "evidence":
                score -= rule.validator_penalty
        if c.context is not None:
            cand.context_words = ctx.find(c.context, flat, start, end, rule.context_window, rule.context_side)
            cand.context = bool(cand.context_words)
            if cand.context:
                score += rule.context_boost
            elif rule.require_context:
                cand.confidence = max(0.0, min(1.0, score))
                cand.outcome = "no context word nearby"
                return cand
        if c.negative is not None:
            cand.negative_words = ctx.find(c.negative, flat, start, end, rule.negative_window, "both", line_after=True)
            if cand.negative_words:
                score -= rule.negative_penalty
        cand.confidence = max(0.0, min(1.0, score))
        if cand.confidence + 1e-9 < rule.min_score:
            cand.outcome = f"score {cand.confidence:.2f} below {rule.min_score:.2f}"
        elif cand.confidence < self.min_confidence:
            cand.outcome = "below minimum confidence"
        return cand

    def find_in_text(self, text: str, page: int = 0, doc=None, propagate: bool = True,
                     language: str | None = None) -> list[Finding]:
        """Findings in one text (a page, or a whole .txt file). ``doc`` is
        the spaCy parse when the caller has batched it already; ``language``
        the text's language when the caller knows it (else it is told from
        the text). English NER is not run on a text in another language,
        and that language's ordinary words are not names there."""
        language = language or lexicon.language(text)
        with lexicon.in_language(language):
            if doc is None and self.nlp is not None and language == "en":
                doc = self.nlp(text)
            out = [self._finding(text, page, c.start, c.end, c.compiled.rule.category, c.compiled.exemption,
                                 c.compiled.rule.id, c.confidence)
                   for c in self.candidates(text, doc) if c.outcome == FOUND]
            out = resolve_overlaps(out)
            if propagate and self.propagate:
                allowed = self._allowed_spans(text.replace("\n", LINE_BREAK))
                out += self._propagated(text, page, self.names_in(out), out, allowed)
                citations.settle([(text, out)], self.propagate, PROPAGATED_RULE)
            return resolve_overlaps(out)

    def explain(self, text: str) -> list[Candidate]:
        """Candidates in ``text`` for ``redactor rules test``."""
        doc = self.nlp(text) if self.nlp is not None else None
        return sorted(self.candidates(text, doc), key=lambda c: (c.start, c.compiled.rule.id))

    def _finding(self, text: str, page: int, start: int, end: int, category: str, exemption: str, rule: str,
                 confidence: float, fold_case: bool | None = None) -> Finding:
        shown = " ".join(text[start:end].split())
        if fold_case is None:
            fold_case = not lexicon.match_as_written(shown)
        return Finding(page=page, start=start, end=end, text=shown, category=category, exemption=exemption,
                       rule=rule, confidence=confidence, fold_case=fold_case)

    def _allowed_spans(self, flat: str) -> list[Span]:
        return [m.span() for m in self.allow_regex.finditer(flat)] if self.allow_regex else []

    def _is_allowed(self, flat: str, start: int, end: int, allowed: list[Span]) -> bool:
        if normalise(flat[start:end]) in self.allow:
            return True
        return any(a <= start and end <= b for a, b in allowed)

    # --- names everywhere -------------------------------------------------

    def names_in(self, findings: Iterable[Finding]) -> set[str]:
        return {f.text for f in findings if f.category in self.propagate and f.rule != PROPAGATED_RULE}

    def _spread(self, page: PageText, i: int, names: frozenset[str], found: list[Finding], allowed: list[Span],
                memo: _Spread | None) -> list[Finding]:
        """:meth:`_propagated` on page ``i`` of a call of :meth:`find_in_pages`.
        ``memo`` (kept with the page's own findings, which are then the same):
        the names looked for there last time, those the page may hold, and
        what was found. A second pass with more names looks only the new
        ones up in the page, and when the page may hold no more names than
        before, what was found is found again (no regex is built and run)."""
        before = memo.get(i) if memo is not None else None
        if before is not None and names >= before[0]:
            on_page = before[1] | nm.names_in_text(names - before[0], page.text)
        else:
            on_page = nm.names_in_text(names, page.text)
        if before is not None and on_page == before[1]:
            out = before[2]  # (read from disk: a copy)
        else:
            out = self._propagated(page.text, page.number, on_page, found, allowed)
        if memo is not None:
            memo.put(i, names, on_page, out)  # (written to disk: a copy)
        return out

    def _propagated(self, text: str, page: int, names: set[str], existing: list[Finding],
                    allowed: list[Span]) -> list[Finding]:
        on_text = nm.names_in_text(names, text)  # only the names this text may hold
        if not on_text:
            return []
        flat = text.replace("\n", LINE_BREAK)
        taken = [(f.start, f.end) for f in existing]
        out = []
        for start, end, fold in nm.variant_matches(on_text, flat):  # (nm.variants_regex's matches)
            searched = fold not in nm.CONTEXTS
            if not searched:  # a first name alone, a surname that is a word: only as a person, and only there
                if not self.name_context(fold, flat, start, end):
                    continue
                fold = False
            if any(a <= start and end <= b for a, b in taken) or self._is_allowed(flat, start, end, allowed):
                continue
            shown = " ".join(flat[start:end].replace(LINE_BREAK, " ").split())
            found = self._finding(text, page, start, end, self._name_category, self._name_exemption,
                                  PROPAGATED_RULE, PROPAGATED_CONFIDENCE,
                                  fold_case=fold and not lexicon.match_as_written(shown))
            found.searched = searched
            out.append(found)
        return out

    # --- pages, documents, bundles ----------------------------------------

    def find_in_pages(self, pages: Sequence[PageText], known_names: set[str] | None = None,
                      languages: Mapping[int, str] | None = None, memo: dict | None = None,
                      cited: set[str] = frozenset()) -> Spill:
        """Findings in one document; names found on any page (or in
        ``known_names``, from other documents of a bundle) are looked for on
        every page. ``languages``: each page's language by page number, when
        the caller knows it (another reading of a page holds only a few of
        its lines: too few to tell its language from). ``memo``: a dict the
        caller keeps between calls on the same pages (names found in one
        pass looked for in a second): each page's own findings (rules and
        NER, before names are spread) depend only on its text, number and
        language, so a second call on the same pages takes them from there
        instead of reading every page (and running NER) again. ``cited``:
        words of names known, from another reading, as cited authors only
        (:mod:`redactor.detect.citations`). The findings, and each page's
        own on the way, are kept on disk (memory flat in pages, issue 14)."""
        key, languages, per_page = self._own_findings(pages, languages, memo)
        names = frozenset(known_names or ()) | self.names_in(f for fs in per_page for f in fs)
        spread = memo.setdefault(("spread", key), _Spread()) if memo is not None else None
        findings = Spill()
        # citations.settle, a page at a time: which of the findings kept may be a cited author's name
        settling = citations.Settling(self.propagate, PROPAGATED_RULE, cited)
        for i, (page, found, lang) in enumerate(zip(pages, per_page, languages)):
            if names and self.propagate:
                allowed = self._allowed_spans(page.text.replace("\n", LINE_BREAK))
                with lexicon.in_language(lang):
                    found = resolve_overlaps(found + self._spread(page, i, names, found, allowed, spread))
            settled = found  # (the findings below added to this list are settled with it)
            if page.covered:
                found = resolve_overlaps(found + self._covered_findings(page))
            found += self._image_findings(page)
            kept = []
            for f in found:
                if f.category == "photograph":
                    kept.append(f)
                    continue
                if placed(f, page):
                    kept.append(f)
            settling.page(page.text, settled)
            for f in kept:
                settling.keep(f)
                findings.append(f)
        return settling.settle(findings)

    def _own_findings(self, pages: Sequence[PageText], languages: Mapping[int, str] | None, memo: dict | None,
                      stop=None) -> tuple[str, list[str], Spill]:
        """Each page's own findings (rules and NER, names not yet spread),
        from ``memo`` if they are there (see :meth:`find_in_pages`); with
        the memo's key and each page's language. ``stop`` (an Event): set,
        the reading ends (:class:`Stopped`) and nothing goes into the memo."""
        key = _pages_key(pages, languages)
        if memo is not None and key in memo:
            langs, found = memo[key]
            return key, langs, found  # (kept on disk: what is read from it is a copy)
        told = page_languages(TextsOf(pages))
        langs = [languages.get(p.number, lang) for p, lang in zip(pages, told)] if languages else told
        # English NER reads English pages only (an empty text stands in for the others); the texts
        # are read as spaCy takes them, a batch at a time
        docs = self._nlp_docs(p.text if lang == "en" else "" for p, lang in zip(pages, langs))
        # on disk (memory flat in pages, issue 14); a page's findings read from it are a copy (the
        # findings are given boxes, sources and ids in place by find_in_pages)
        per_page = Spill()
        for p, d, lang in zip(pages, docs, langs):
            if stop is not None and stop.is_set():
                raise Stopped
            per_page.append(self.find_in_text(p.text, page=p.number, doc=d, propagate=False, language=lang))
        if memo is not None:
            memo[key] = langs, per_page
        return key, langs, per_page

    def read_ahead(self, pages: Sequence[PageText], languages: Mapping[int, str] | None, memo: dict,
                   stop=None) -> None:
        """Put each page's own findings into ``memo`` now, for a later
        :meth:`find_in_pages` on the same pages with the same ``languages``
        and ``memo`` (:class:`redactor.detect.union.ReadAhead`)."""
        self._own_findings(pages, languages, memo, stop)

    def find_in_bundle(self, documents: Sequence[Sequence[PageText]]) -> list[list[Finding]]:
        """Findings for several documents, names shared across all of them."""
        memo: dict = {}
        first = [self.find_in_pages(pages, memo=memo) for pages in documents]
        names = set().union(*(self.names_in(fs) for fs in first)) if first else set()
        return [self.find_in_pages(pages, known_names=names, memo=memo) for pages in documents]

    def _image_findings(self, page: PageText) -> list[Finding]:
        """One finding per place a picture is drawn: pictures drawn over one
        another (a page of layers, the same picture twice) are one area, and
        a finding's id is its place."""
        out, seen = [], set()
        for c in self.rules:
            if c.rule.kind != "image":
                continue
            for rect in page.images:
                if rect[2] - rect[0] >= c.rule.min_size and rect[3] - rect[1] >= c.rule.min_size:
                    key = f"img-{page.number}-" + "-".join(f"{v:.0f}" for v in rect)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append(Finding(page=page.number, start=0, end=0, text="[image]", category=c.rule.category,
                                       exemption=c.exemption, rule=c.rule.id, confidence=c.rule.confidence,
                                       rects=[rect], id=key))
        return out

    def _covered_findings(self, page: PageText) -> list[Finding]:
        """Each line's run of glyphs hidden under a box drawn over them (the
        spaces between them included)."""
        rules = [c for c in self.rules if c.rule.kind == "covered"]
        if not rules:
            return []
        spans: list[Span] = []
        start = last = None
        for k, (ch, g) in enumerate(zip(page.text, page.glyphs)):
            if g is not None and is_covered(g.hidden):
                start = k if start is None else start
                last = k + 1
            elif g is not None and ch.isspace() and start is not None:
                continue  # a space inside a hidden run
            elif start is not None:
                spans.append((start, last))
                start = None
        if start is not None:
            spans.append((start, last))
        return [self._finding(page.text, page.number, s, e, c.rule.category, c.exemption, c.rule.id,
                              c.rule.confidence) for c in rules for s, e in spans]

    def _nlp_docs(self, texts: Iterable[str]) -> Iterator:
        """The spaCy parse of each text, in order, made in batches as they
        are used: a page's parse is dropped once its page is read (memory
        stays flat in the number of pages)."""
        if self.nlp is None:
            return itertools.repeat(None)
        return (doc for batch in nlp_batches(texts) for doc in self.nlp.pipe(batch, batch_size=len(batch)))


#: spaCy parses a batch of texts at once: at most this many texts, and no
#: more characters than this in all (more only when one text is longer).
#: Batching short slides is faster (32 slides of ~330 characters: 8.1-8.9 ms
#: a page against 11.2-11.8 one by one); a batch of 32 book pages (~1,850
#: characters each) held 516 MiB where 8 held 266, at the same speed (issue 14).
NLP_BATCH_TEXTS, NLP_BATCH_CHARS = 32, 16_000


def nlp_batches(texts: Iterable[str], most: int = NLP_BATCH_TEXTS,
                chars: int = NLP_BATCH_CHARS) -> Iterator[list[str]]:
    """``texts`` in order, in lists of at most ``most`` texts and ``chars``
    characters (a longer text alone), taken from ``texts`` only as each
    list is wanted."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and (len(batch) >= most or size + len(text) > chars):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def _pages_key(pages: Sequence[PageText], languages: Mapping[int, str] | None) -> str:
    """What each page's own findings depend on (its number, reading and
    text; the languages given), as a digest: the texts themselves are not
    kept in memory for it (issue 14)."""
    h = hashlib.sha256()
    for p in pages:
        for part in (str(p.number), p.source or "", p.text):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
    h.update(repr(sorted(languages.items()) if languages else None).encode())
    return h.hexdigest()


class _Spread:
    """What :meth:`Detector._spread` kept of each page of one call of
    :meth:`Detector.find_in_pages` (the names looked for, those the page
    may hold, what was found), on disk but for the names' sets, which are
    the same for every page of a call (memory flat in pages, issue 14)."""

    def __init__(self) -> None:
        self._names: list[frozenset[str]] = []
        self._pages = Spill()

    def get(self, i: int):
        if i >= len(self._pages):
            return None
        record = self._pages[i]
        if record is None:
            return None
        which, on_page, found = record
        return self._names[which], on_page, found

    def put(self, i: int, names: frozenset[str], on_page: set[str], found: list[Finding]) -> None:
        if not self._names or self._names[-1] is not names:
            self._names.append(names)
        record = (len(self._names) - 1, on_page, found)
        while len(self._pages) < i:
            self._pages.append(None)
        if i == len(self._pages):
            self._pages.append(record)
        else:
            self._pages[i] = record


class TextsOf(Sequence):
    """The texts of ``pages``, each read when asked for (pages kept on
    disk are not all read into memory at once)."""

    def __init__(self, pages: Sequence[PageText]) -> None:
        self._pages = pages

    def __len__(self) -> int:
        return len(self._pages)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [p.text for p in self._pages[key]]
        return self._pages[key].text

    def __iter__(self) -> Iterator[str]:
        return (p.text for p in self._pages)


def placed(f: Finding, page: PageText) -> bool:
    """Give ``f``, found in ``page``'s text, its boxes, the reading it was
    found in (when not the primary one), why a viewer would not show it and
    the words around it; whether it has a box at all."""
    f.rects = page.rects(f.start, f.end)
    if page.source != "mupdf":  # [ocr branch hook] found in another reading (OCR)
        f.source, f.id = page.source, f"{page.source}-{f.id}"
    f.hidden = page.hidden_reason(f.start, f.end)
    f.context_before, f.context_after = page.context(f.start, f.end)
    return bool(f.rects)


def page_languages(texts: Sequence[str]) -> list[str]:
    """Each page's language (:func:`redactor.detect.lexicon.language`); a
    page too short to tell takes the document's."""
    whole = lexicon.language("\n".join(t for t in texts[:50])[:200_000])
    return [lexicon.language(t, default=whole) for t in texts]


def name_variants_regex(names: Iterable[str]) -> regex.Pattern | None:
    """Every name-like form of the names (see :func:`redactor.detect.names.forms`;
    a first name alone matches here without the context it needs to count)."""
    compiled = nm.variants_regex(names)
    return compiled[0] if compiled else None


def _trim(text: str, start: int, end: int) -> Span:
    """Drop white space and punctuation at the ends of a match, but not a
    bracket that belongs to it, as in "(0161) 496 0311"."""
    while start < end and (text[start].isspace() or text[start] in ",;:" or
                           (text[start] == "(" and ")" not in text[start:end])):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:" or
                           (text[end - 1] == "." and not _ends_with_initial(text, start, end)) or
                           (text[end - 1] == ")" and "(" not in text[start:end])):
        end -= 1
    return start, end


def _ends_with_initial(text: str, start: int, end: int) -> bool:
    """ "J.S.", "Mr A." and "Cz." keep their last dot."""
    k = end - 1
    while k > start and text[k - 1].isalpha():
        k -= 1
    token = text[k:end - 1]
    return 1 <= len(token) <= 2 and token[0].isupper() and (len(token) == 1 or token[1].islower())


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
