"""Person names from how they are introduced, without NER.

Forms (``form:`` in the rule; ``terms`` are the words that introduce the
name, matched as written):

``title``
    a title and the name after it: police ranks, courtesy, civil, judicial,
    military, academic and religious titles ("DS Rachel Turner", "Mr A.B.
    Baka", "Mr J.-P. Costa", "Ms K. McCLEERY", "Judge Jaeger", "Prof. Dr Z.
    Necatigil"). The title stays; the name is redacted. With ``first_word:
    any`` (courtesy titles) the first word may be any capitalised word that
    is not a function word ("Mr White"); otherwise every word must be
    name-like. A rank may be followed by a shoulder number before the name.
``list``
    names listed after a plural role, matched in any case ("Judges
    Raimondi, Nicolaou, Bianku, Tsotsoria", "their children, Carl, Michael,
    Katie and Sophie").
``apposition``
    a name after a singular role or relation, matched in any case ("his
    son, J.P.", "their daughter Selma", "maiden name, “Tuncer”").
``initials``
    initials standing alone as a pseudonym ("C.Ç.", "B.Ö."), unless they
    are a common abbreviation ("U.S.", "e.g.", "a.m.").
``initials_surname``
    initials before a name-like surname, with no title ("F.
    Trauttmansdorff").
``case_party``
    a party to a case cited as "Name v. ..." or "R v. Name".
``email_display``
    the display name before an e-mail address in angle brackets or in
    round ones ("From: Ana Paz <a.paz@force.example>", "signed by
    Tlibnekreb Q (ejb@ql.org)"), a last initial included.
``before_role``
    a name followed by a role in brackets ("Ana Paz (duty inspector)",
    "Kit Marr (Chair)"); ``terms`` are the role words.
``before_rank``
    a name followed, after a comma, by an officer's rank and number ("Iosif
    Albu, PS 2428HX, was first on scene"); ``terms`` are the ranks.
``before_verb``
    a first name and a surname (or two), every word of them name-like,
    straight before a verb of telling ("Elena Ene reported the theft");
    ``terms`` are the verbs. The first word must be a known first name.
``greeting``
    the name a letter or an e-mail is addressed to, at the start of a line
    and ending the greeting ("Dear Ingrid,", "Hi Sunita Rao!"); ``terms``
    are the greetings, matched as written. The first word must be a known
    first name ("Dear Colleague", "Dear Chief Constable" are not).

A list or an apposition may continue on the next line ("Kind regards,⏎Ana
Paz"), and a list may give each person's role in brackets ("Present: Ana
Paz (Chair), DS Kit Marr").
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from redactor.detect.context import LazyPattern
from redactor.detect import lexicon, patterns
from redactor.detect import names as nm
from redactor.detect.recognizers.base import Recognizer, Span

V1 = regex.V1
#: one initial and nothing else ("B.")
_ONE_INITIAL = regex.compile(r"\p{Lu}\.?", V1)
#: a shoulder number between a rank and the name, which may start the next line ("PC 4503⏎Rhian Jones": a cell wrapped)
#: a shoulder number just before a name (see :meth:`NameRecognizer._after_intro`)
_NUMBER_BEFORE = regex.compile(r"(?<![\p{L}\p{N}])\d{2,5}[A-Z]{0,2}[\x20\t\u2028]+\Z", V1)
#: (or a surname with its particle: "PC 21904 de Souza")
_SHOULDER = regex.compile(r"\d{1,5}[A-Z]{0,2}(?:[\x20\t]+(?:\u2028[\x20\t]*)?|[\x20\t]*\u2028[\x20\t]*)(?=\p{Lu}|"
                          + nm.PARTICLE_WORD + r"\x20\p{Lu})", V1)
_OPEN_QUOTE = regex.compile(r"[“\"‘']?", V1)
_LIST_SEP = regex.compile(
    r"(?:[\x20\t]*\([^()\u2028]{1,40}\))?(?:[\x20\t]*[,;][\x20\t]*(?:and[\x20\t]+|&[\x20\t]*)?|[\x20\t]+(?:and|&)[\x20\t]+)",
    V1)
_EMAIL_DISPLAY = regex.compile(
    r"(?<![\p{L}\p{N}])((?:\p{Lu}[\p{L}'’.-]*\x20+){0,3}(?:\p{Lu}[\p{L}'’-]*\p{L}|\p{Lu}\.?))\x20*"
    r"(?:<[^<>\s@]+@[^<>\s]+>|\([^()\s@]+@[^()\s]+\))", V1)
#: a last initial after the name words, with or without its dot ("Tlibnekreb Q")
_LAST_INITIAL = regex.compile(r"\x20\p{Lu}\.?", V1)
#: nothing more of the list on its line: no word follows ("... and Dean. Page 3", "... and Dean⏎")
_LIST_END = regex.compile(r"(?![\x20\t]*[\p{L}\p{N}])", V1)
#: a label's list on the lines below it ("Cc:⏎Rosalind Achterberg;⏎Zoe Okonkwo")
_LINE_START = regex.compile(r"[\x20\t]*[\n\u2028][\x20\t]*", V1)
_LINE_SEP = regex.compile(r"[\x20\t]*[,;][\x20\t]*[\n\u2028][\x20\t]*", V1)
_LIST_START = regex.compile(r"[\x20\t]*[,:]?(?:[\x20\t]+|[\x20\t]*\u2028[\x20\t]*)", V1)
_APPOSITION_SEP = regex.compile(
    r"[\x20\t]*[,:]?(?:[\x20\t]+|[\x20\t]*\u2028[\x20\t]*)(?:(?:is|was|named|called)[\x20\t]+)?", V1)
#: a numbered label of a log or a form: "Suspect 1: SMITH", "Witness (2) - Ana Paz"
_NUMBERED = regex.compile(r"[\x20\t]*(?:\d{1,2}|\(\d{1,2}\))[\x20\t]*[:\-–][\x20\t]*(?=\S)", V1)
#: the comma between a surname and the forenames after it ("SMITH, John Paul", "Halvorsen, Ingrid")
_SURNAME_FIRST = regex.compile(r",[\x20\t]*(?=\p{Lu})", V1)
_BEFORE_SURNAME = regex.compile(r"[\x20]?\p{Lu}\p{Ll}", V1)
_INITIALS_ALONE = regex.compile(r"(?<![\p{L}\p{N}.])\p{Lu}\.(?:-?\p{Lu}\.)+(?![\p{L}\p{N}])", V1)
_INITIALS_SURNAME = regex.compile(
    r"(?<![\p{L}\p{N}.])(\p{Lu}\p{Ll}?\.(?:\x20?-?\p{Lu}\p{Ll}?\.)*)\x20?(?=\p{Lu}\p{Ll})", V1)
_PARTY_BEFORE = regex.compile(
    r"(?<![\p{L}\p{N}.])(\p{Lu}[\p{L}'’-]*\p{L}(?:\x20\p{Lu}[\p{L}'’-]*\p{L})?)\x20v\.?\x20(?=\p{Lu}|the\x20)", V1)
_PARTY_AFTER = regex.compile(r"(?<![\p{L}\p{N}])R\x20v\.?\x20(?=\p{Lu})", V1)
#: two or three words written as a name is, then a shoulder number in brackets ("Osha Sem (7532HX)")
_BEFORE_NUMBER = regex.compile(
    r"(\p{Lu}[\p{L}'’-]*\p{L}(?:\x20\p{Lu}[\p{L}'’-]*\p{L}){1,2})\x20*\(\d{3,5}[A-Z]{0,2}\)", V1)
#: two words written as a name is, side by side on a line ("Nneka Obi")
_TWO_WORDS = regex.compile(r"\p{Lu}[\p{L}'’-]*\p{L}\x20\p{Lu}[\p{L}'’-]*\p{L}(?![\p{L}\p{N}'’-])", V1)
#: abbreviations written like an initial ("Jr.", "St.", "Mt."), never one
_NOT_INITIALS = {"Jr", "Sr", "St", "Mt", "Ft", "Co", "No", "Nr", "Vol", "Op", "Ed"}
_COMPASS = {"N.E.", "N.W.", "S.E.", "S.W."}
_NUMBER_AFTER = regex.compile(r"[\x20\t]?\d", V1)
#: "U.S.", "e.g.": initials this frequent in English are abbreviations
ABBREVIATION_ZIPF = 3.0


class NameRecognizer(Recognizer):
    def __init__(self, rule):
        super().__init__(rule)
        self.form = rule.form or "title"
        self.shape = f"name ({self.form})"
        terms = sorted({t for t in rule.terms if t.strip()}, key=lambda t: (-len(t), t))  # ties: a fixed order
        self.titles = {t.rstrip(".") for t in terms}
        alternation = "|".join(r"\s+".join(regex.escape(w) for w in t.rstrip(".").split()) for t in terms)
        flags = V1 | (regex.IGNORECASE if self.form in ("list", "apposition") else 0)
        self.intro = patterns.compile(rf"(?<![\p{{L}}\p{{N}}/])(?:{alternation})(?![\p{{L}}\p{{N}}])", flags) \
            if terms else None
        self.lenient = rule.first_word == "any"
        # (particles too: "Maxim van der Wal (duty inspector)" was missed)
        self.role = patterns.compile(
            r"(?<![\p{L}\p{N}])((?:\p{Lu}[\p{L}'’.-]*\x20+|" + nm.PARTICLE_WORD + r"\x20+){0,4}\p{Lu}[\p{L}'’-]*\p{L})"
            r"\x20*\((?:[\p{L}-]+\x20){0,2}(?i:"
            + alternation + r")\)", V1) if terms and self.form == "before_role" else None
        # (a District of Columbia ZIP code is not a detective constable's number: "Washington, DC 20593")
        self.rank = patterns.compile(
            r"(?<![\p{L}\p{N}])((?:\p{Lu}[\p{L}'’.-]*\x20+|" + nm.PARTICLE_WORD + r"\x20+){0,4}"
            r"\p{Lu}[\p{L}'’-]*\p{L}),\x20*(?!DC\x20*\d{5}(?![\p{L}\p{N}]))(?:[TA]/)?(?:" + alternation
            + r")\.?\x20*\d{2,5}[A-Z]{0,2}(?![\p{L}\p{N}])", V1) if terms and self.form == "before_rank" else None
        # a greeting opens its line and the name ends it: "Dear Ingrid," "Hi Sunita Rao!"
        self.greeting = patterns.compile(
            r"(?<=(?:^|[\n\u2028])[\x20\t]*(?:" + alternation + r")[\x20\t]+)(\p{Lu}[\p{L}'’-]*\p{L}"
            r"(?:\x20\p{Lu}[\p{L}'’-]*\p{L}){0,2})(?=[\x20\t]*(?:[,!:]|$|[\n\u2028]))", V1) \
            if terms and self.form == "greeting" else None
        self.verb = patterns.compile(
            r"(?<![\p{L}\p{N}.'’-])(\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?(?:\x20(?:" + nm.PARTICLE_WORD + r"\x20){0,2}"
            r"\p{Lu}[\p{L}'’-]*\p{L}){1,2}(?:\x20" + nm.SUFFIX_WORD + r")?)\x20(?:" + alternation
            + r")(?![\p{L}\p{N}])", V1) if terms and self.form == "before_verb" else None
        self.set_titles(self.titles | _COURTESY)
        self.set_organisations(set())  # the Detector gives every recognizer the packs' words

    def set_titles(self, titles: set[str]) -> None:
        """Every title the packs know: a name stops at one ("Mr Runkee⏎Mr
        White"), and a list or an apposition skips one ("the victim, Insp
        Gareth Castellano")."""
        self.all_titles = {t.rstrip(".") for t in titles} | _COURTESY
        words = sorted(self.all_titles, key=lambda t: (-len(t), t))
        # compiled when first used: the Detector sets every recognizer's titles again
        self._title_skip = LazyPattern(
            r"(?:" + "|".join(r"\x20".join(regex.escape(w) for w in t.split()) for t in words)
            + r")\.?[\x20\t]+(?:\d{1,5}[A-Z]{0,2}[\x20\t]+)?(?=\p{Lu})", V1)

    def is_title(self, word: str) -> bool:
        return word in self.titles

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        if self.form == "title":
            yield from self._after_titles(text)
        elif self.form == "list":
            yield from self._lists(text)
        elif self.form == "apposition":
            yield from self._appositions(text)
        elif self.form == "initials":
            yield from self._initials(text)
        elif self.form == "initials_surname":
            yield from self._initials_surname(text)
        elif self.form == "case_party":
            yield from self._case_parties(text)
        elif self.form == "email_display":
            yield from self._email_display(text)
        elif self.form == "before_role":
            yield from self._before_role(text)
        elif self.form == "before_rank":
            yield from self._before_rank(text)
        elif self.form == "before_verb":
            yield from self._before_verb(text)
        elif self.form == "greeting":
            yield from self._greetings(text)

    # --- forms ------------------------------------------------------------

    def _after_intro(self, text: str, pos: int) -> int | None:
        """Where the name after an introducing word may start: past a dot,
        spaces or one line break, further titles ("Prof. Dr"), and a
        shoulder number after a rank."""
        i = pos
        for _ in range(4):
            if i < len(text) and text[i] == ".":
                i += 1
            m = nm.SEP.match(text, i)
            if not m:
                return None
            i = m.end()
            t = self.intro.match(text, i) if self.intro is not None else None
            if t and self.form == "title":
                i = t.end()
                continue
            t = self._title_skip.match(text, i) if self.form == "title" else None
            if t:  # a title of another rule ("Prof. Dr. Herrlich"): not a name's initial
                return t.end()
            s = _SHOULDER.match(text, i)
            if s and self.form == "title":
                i = s.end()
            return i
        return None

    def _after_titles(self, text: str) -> Iterator[Span]:
        if self.intro is None:
            return
        for m in self.intro.finditer(text):
            i = self._after_intro(text, m.end())
            if i is None:
                continue
            # after a rank and a shoulder number a name follows, whatever its first word ("DC 7702 Obi")
            numbered = self.form == "title" and _NUMBER_BEFORE.search(text, max(0, i - 8), i) is not None
            span = nm.parse(text, i, lenient_first=self.lenient or numbered, is_title=self._any_title)
            if span:
                span = self._with_surname(text, span, title=True)
            between = self._before_number(text, i)
            if between and (span is None or span[1] < between[1]):
                span = between
            if span and _ONE_INITIAL.fullmatch(text, *span) and m.group().strip().isupper():
                continue  # "AC B." (an angle's letters, helper 34): one initial after a rank in capitals is no one
            if span:
                yield span

    def _before_number(self, text: str, i: int) -> Span | None:
        """Two or three capitalised words at ``i``, straight after a title and
        before a shoulder number in brackets, as forces list officers ("Sgt
        Osha Sem (7532HX)"): a name, whatever its words are elsewhere; no
        function word, no title among them."""
        m = _BEFORE_NUMBER.match(text, i)
        if not m:
            return None
        words = m.group(1).split()
        if any(w.casefold() in nm.FUNCTION_WORDS or self._any_title(w) for w in words):
            return None
        return m.span(1)

    def _with_surname(self, text: str, span: Span, title: bool = False) -> Span:
        """``span`` (a name of one word) with the surname after it where the
        two are a :meth:`_pair` ("Mrs Vihaan Tank", "DS Gábor Kiss", "the
        neighbour, Claudia Font,"): the words before say it is a person; not
        where they name a firm ("Dr. Seuss Enterprise": organisation words).
        ``title``: after a title."""
        pair = _TWO_WORDS.match(text, span[0])
        if not pair:
            return span
        end = nm.strip_possessive(text, pair.end())
        if end <= span[1] or not self._pair(text[span[0]:end], title=title):
            return span
        return span if self._organisation(text, (span[0], end)) is not None else (span[0], end)

    def set_organisations(self, words: set[str]) -> None:
        """The packs' ``organisation_words``: name-shaped words of a list or
        an apposition that end with one, or come just before one (two more
        capitalised words between them at most), are an organisation
        ("From: Camden Council", "Author: Thames Valley Police", "Present:
        Kent Police, Ana Paz"), not a person."""
        if not words:
            self._org_after = self._org_last = None
            return
        alternation = "(?:" + "|".join(regex.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")"
        self._org_after = patterns.compile(
            r"(?:[\x20\t]+\p{Lu}[\p{L}'’&-]*){0,2}[\x20\t]+" + alternation + r"(?![\p{L}\p{N}])", V1)
        self._org_last = patterns.compile(r"(?<![\p{L}\p{N}])" + alternation + r"$", V1)

    def _organisation(self, text: str, span: Span) -> int | None:
        """Where the organisation a name-shaped span is part of ends, or None (a person's name, as far as this tells)."""
        if self._org_last is None:
            return None
        if self._org_last.search(text, span[0], span[1]):
            return span[1]
        m = self._org_after.match(text, span[1])
        return m.end() if m else None

    def _any_title(self, word: str) -> bool:
        return word in self.all_titles

    def _skip_title(self, text: str, i: int) -> int:
        m = self._title_skip.match(text, i)
        return m.end() if m else i

    def _lists(self, text: str) -> Iterator[Span]:
        if self.intro is None:
            return
        for m in self.intro.finditer(text):
            i = m.end()
            # a label's list ("To:", "Present:") may go on a line of its own, one item a line
            by_line = text[i - 1] == ":"
            sep = _LIST_START.match(text, i) or (_LINE_START.match(text, i) if by_line else None)
            if not sep:
                continue
            i = sep.end()
            listed = False
            while True:
                j = self._skip_title(text, i)
                span = nm.parse(text, j, is_title=self._any_title)
                if not span:
                    span = self._word_as_name(text, i, listed)  # "her children, Pastor, Emeka and Anita"
                if not span:
                    break
                listed = True
                org = self._organisation(text, span)
                if org is None:
                    yield span
                end = org or span[1]
                nxt = (_LINE_SEP.match(text, end) if by_line else None) or _LIST_SEP.match(text, end)
                if not nxt:
                    break
                i = nxt.end()

    def _word_as_name(self, text: str, i: int, listed: bool) -> Span | None:
        """A first name a table knows that is also a title's word or an
        ordinary word ("Pastor", "Guy", "Dean"), alone as an item of a list:
        the name itself, not a title before one. As the first item, a title's
        word, or any such word before a name, before the next item; after a
        name (``listed``), any such word before the next item or ending the
        list ("Jasper, Grzegorz and Dean.")."""
        w = nm.WORD.match(text, i)
        if not w or not lexicon.is_first_name(w.group()) or w.group().isupper():
            return None
        sep = _LIST_SEP.match(text, w.end())
        if sep:  # first, a title's word, or a word before a name ("her children, Guy, Marianne and ...")
            return w.span() if listed or self._any_title(w.group()) \
                or nm.parse(text, sep.end(), is_title=self._any_title) else None
        return w.span() if listed and _LIST_END.match(text, w.end()) else None

    def _appositions(self, text: str) -> Iterator[Span]:
        if self.intro is None:
            return
        for m in self.intro.finditer(text):
            s = _NUMBERED.match(text, m.end()) or _APPOSITION_SEP.match(text, m.end())
            if not s or _mail_subject(text, m):
                continue
            i = _OPEN_QUOTE.match(text, s.end()).end()
            i = self._skip_title(text, i)
            # first_word "any": the intro says what the person is called, a word or not ("alias Badger")
            span = nm.parse(text, i, lenient_first=self.lenient, is_title=self._any_title)
            if span:
                span = self._with_surname(text, self._forenames_after(text, span))
            if span and (self.lenient or not _plain_word(text[span[0]:span[1]])) \
                    and self._organisation(text, span) is None:
                yield span

    def _forenames_after(self, text: str, span: Span) -> Span:
        """A surname written first, as police logs and lists write it ("SMITH,
        John Paul"; "Halvorsen, Ingrid"), with the forenames after its comma:
        the surname in capitals or no first name itself, and the next name
        starting with a first name (not a list: "Sarah, John and Ali")."""
        surname = text[span[0]:span[1]]
        if " " in surname or not (surname.isupper() or not lexicon.is_first_name(surname)):
            return span
        comma = _SURNAME_FIRST.match(text, span[1])
        if not comma:
            return span
        rest = nm.parse(text, comma.end(), is_title=self._any_title)
        if rest and lexicon.is_first_name(text[rest[0]:rest[1]].split()[0]):
            return span[0], rest[1]
        return span

    def _initials(self, text: str) -> Iterator[Span]:
        if lexicon.LANGUAGE.get() != "en":
            # initials alone as a pseudonym are English judgments' way ("C.Ç."); a page in another
            # language writes its abbreviations so ("z.Z.", "o.B.d.A.", read by OCR as "Z.L.")
            return
        for m in _INITIALS_ALONE.finditer(text):
            after = text[m.end():m.end() + 3]
            if _BEFORE_SURNAME.match(after):  # initials before a surname
                continue
            if lexicon.zipf(m.group()) >= ABBREVIATION_ZIPF:
                continue
            if m.group() in _COMPASS:  # "Kennon Ave. S.E."
                continue
            if _NUMBER_AFTER.match(text, m.end()):  # a reference ("E.O. 9397"), not a person
                continue
            yield m.span()

    def _initials_surname(self, text: str) -> Iterator[Span]:
        for m in _INITIALS_SURNAME.finditer(text):
            first = m.group(1).split()[0].rstrip(".")
            if first in self.all_titles or first in _NOT_INITIALS:  # "Dr. Herrlich", "Jr. Ave": not initials
                continue
            if m.group(1) in _COMPASS:  # "S.E. Washington"
                continue
            w = nm.WORD.match(text, m.end())
            if not w or not nm.name_like(w.group()):
                continue
            span = nm.parse(text, m.start(1), is_title=self._any_title)
            if span and span[1] > m.end():
                yield span

    def _email_display(self, text: str) -> Iterator[Span]:
        for m in _EMAIL_DISPLAY.finditer(text):
            i = self._skip_title(text, m.start(1))
            span = nm.parse(text, i, lenient_first=True, is_title=self._any_title)
            if span and span[1] < m.end(1) - 1:
                last = _LAST_INITIAL.fullmatch(text, span[1], m.end(1))
                span = (span[0], m.end(1)) if last else None
            if span and span[1] >= m.end(1) - 1:
                yield span

    def _before_role(self, text: str) -> Iterator[Span]:
        if self.role is None:
            return
        for m in self.role.finditer(text):
            # the name may start at a later word where an earlier one is no name's ("Server Erdoğan
            # (duty inspector)": a first name that is an ordinary word; "Meanwhile Kiss (Chair)")
            starts = [m.start(1)] + [k.end() for k in _SPACES.finditer(text, m.start(1), m.end(1))]
            for i in starts:
                i = self._skip_title(text, i)
                span = nm.parse(text, i, is_title=self._any_title)
                span = self._with_surname(text, span) if span else None  # "Piroska Kiss (duty inspector)"
                if span and span[1] >= m.end(1) - 2:
                    yield span
                    break

    def _before_rank(self, text: str) -> Iterator[Span]:
        for m in self.rank.finditer(text):
            found = list(self._whole_name(text, m))
            if not found and self._pair(m.group(1), title_surname=True):
                # a first name before a rank and a number: the surname may be a word ("Sanya Mahal, PS
                # 8333,"), a title's word too ("Mathilde Baron, DC 6215HX,"); never two ordinary words
                # ("Bronze Commander, Supt 1234")
                found = [m.span(1)]
            yield from found

    def _pair(self, name: str, known: bool = True, title: bool = False, title_surname: bool = False) -> bool:
        """Two words, the first a first name, the second written as a surname
        is (no function word, no title): the surname may be an ordinary word.
        The first name is a rare word no table knows ("Sanya Mahal", "Ifeoma
        Obi", "Oonagh London"), or (unless ``known`` is false) one a table
        knows that is no ordinary word, before a surname less frequent than
        "Investigation" ("Claudia Font"). ``title``: the words come after a
        title, where a rare word may be the surname itself ("Mr Kalkan Legal
        Adviser"): the second word is less frequent than "Investigation" too
        ("Mrs Vihaan Tank"). ``title_surname``: the surname may be a title's
        word ("Mathilde Baron, DC 6215HX": before a rank and a number). Both
        words in capitals, as police logs write names ("CALLER HITESH
        TAILOR"): the first a first name a table knows or a rare word,
        neither an ordinary word, the surname less frequent than
        "Investigation"."""
        words = name.split()
        if len(words) != 2:
            return False
        first, surname = words
        if surname.casefold() in nm.FUNCTION_WORDS or (self._any_title(surname) and not title_surname) \
                or self._any_title(first):
            return False
        if surname.isupper():
            # (never a verb's past or present participle: "DS JONES ATTENDED", "PC KHAN ARRIVING")
            return (first.isupper() and len(first) >= 3 and first.casefold() not in nm.FUNCTION_WORDS
                    and nm.name_like(first) and (lexicon.is_first_name(first) or lexicon.zipf(first) < nm.RARE_WORD_ZIPF)
                    and lexicon.zipf(surname) < PAIR_SURNAME_ZIPF
                    and not (surname.endswith(("ED", "ING")) and lexicon.is_common_word(surname)))
        if _rare_first_name(first):
            return not title or lexicon.zipf(surname) < PAIR_SURNAME_ZIPF
        return (known and lexicon.is_first_name(first) and nm.name_like(first)
                and lexicon.zipf(surname) < PAIR_SURNAME_ZIPF)

    def _before_verb(self, text: str) -> Iterator[Span]:
        for m in self.verb.finditer(text):
            first = m.group(1).split()[0]
            if lexicon.is_first_name(first) or _rare_first_name(first):
                found = list(self._whole_name(text, m))
                if not found and self._pair(m.group(1), known=False):
                    # before a verb of telling: "Ifeoma Obi telephoned"; a first name a table knows may be
                    # a place's ("Milton Keynes reported")
                    found = [m.span(1)]
                yield from found

    def _greetings(self, text: str) -> Iterator[Span]:
        yield from self._first_named(self.greeting, text)

    def _first_named(self, rx, text: str) -> Iterator[Span]:
        """The names ``rx``'s first group holds that start with a known first name."""
        for m in rx.finditer(text):
            if lexicon.is_first_name(m.group(1).split()[0]):
                yield from self._whole_name(text, m)

    def _whole_name(self, text: str, m) -> Iterator[Span]:
        """The name ``m``'s first group holds, if every word of it is a name's."""
        span = nm.parse(text, m.start(1), is_title=self._any_title)
        if span and span[1] == m.end(1):
            yield span

    def _case_parties(self, text: str) -> Iterator[Span]:
        for m in _PARTY_BEFORE.finditer(text):
            party = m.group(1)
            if len(party) <= 4 and party.isupper() and not lexicon.is_known_name(party):
                continue  # an acronym: an organisation ("RIAA v. Verizon")
            if party != "R" and all(nm.name_like(w) for w in party.split()):
                yield m.span(1)
        for m in _PARTY_AFTER.finditer(text):
            w = nm.WORD.match(text, m.end())
            if w and nm.name_like(w.group()):
                yield w.span()


#: a surname of a :meth:`NameRecognizer._pair` is rarer than this (Zipf): "Kiss" 4.6, not "Investigation" 4.75
PAIR_SURNAME_ZIPF = 4.7

_COURTESY = {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Lord", "Lady", "MR", "MRS", "MS", "MISS"}


def _rare_first_name(word: str) -> bool:
    """A word written as a name is (a capital, then not all capitals) that
    is no ordinary word and rare (as :func:`redactor.detect.names.parse`
    takes a first name no table knows: "Arya", "Nneka", "Sanya")."""
    return (word[:1].isupper() and not word.isupper() and word.casefold() not in nm.FUNCTION_WORDS
            and nm.name_like(word) and lexicon.zipf(word) < nm.RARE_WORD_ZIPF)


def _mail_subject(text: str, intro) -> bool:
    """``intro`` is the "Subject:" of an e-mail's headers (a line of its
    own, a "From:", "To:", "Sent:" or "Date:" line within three lines): it
    introduces what the e-mail is about ("Subject: Rota"), where a report's
    "Subject: Marek Nowak" introduces a person."""
    if intro.group().casefold() != "subject" or not text.startswith(":", intro.end()):
        return False
    start = max(text.rfind("\n", 0, intro.start()), text.rfind("\u2028", 0, intro.start())) + 1
    if text[start:intro.start()].strip():
        return False
    before = text[max(0, start - 400):start].replace("\u2028", "\n").split("\n")[-4:]
    after = text[intro.end():intro.end() + 400].replace("\u2028", "\n").split("\n")[1:4]
    return any(_MAIL_HEADER.match(line) for line in before + after)


_SPACES = regex.compile(r"\x20+", V1)
#: a line of an e-mail's headers, but its subject
_MAIL_HEADER = regex.compile(r"[\x20\t]*(?:From|To|Sent|Date|Cc|Bcc)[\x20\t]*:", V1)


def _plain_word(text: str) -> bool:
    """One English word that no name table knows ("Subject: Tasking minutes"):
    not a name on its own after a label, whatever its case."""
    words = text.split()
    if len(words) != 1:
        return False
    w = words[0].strip("“”\"'’,")
    if not w.isalpha() or len(w) < 3:  # initials ("J.P."), a pseudonym letter
        return False
    return lexicon.zipf(w) > 0 and lexicon.name_share(w) <= 0 and not lexicon.is_first_name(w)
