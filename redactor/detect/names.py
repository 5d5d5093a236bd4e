"""How person names are written, read token by token.

A name is an optional run of initials ("A.", "Z.M.", "J.-P.", "Cz.",
"M. N.") and up to four name words ("Kalkan", "McCLEERY", "O'Sullivan",
"Wittling-Vogel", "de Souza"). After the first name word a name may wrap
onto the next line ("PC John⏎Smith"), never across a blank line (a
paragraph) and never after two words, and it stops at a title ("Mr
Runkee⏎Mr White" is two names), at an ordinary word ("Legal Adviser" is a
role, not part of the name) and at punctuation.

Name-likeness comes from :mod:`redactor.detect.lexicon`: a word is name-like
when it is not an ordinary English word.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Callable, Iterable

import regex

from redactor.detect import lexicon
from redactor.detect.context import LINE_BREAK

V1 = regex.V1
INITIAL = r"\p{Lu}\p{Ll}?\."
INITIALS = regex.compile(rf"{INITIAL}(?:\x20?-?{INITIAL})*", V1)
_TWO_LETTERS = regex.compile(r"\p{Lu}\p{Ll}\.", V1)
#: "Mr J Smith": one capital without a dot, before a name word
BARE_INITIAL = regex.compile(r"\p{Lu}(?=\x20\p{Lu}\p{Ll})", V1)
WORD = regex.compile(r"\p{Lu}[\p{L}'’]*\p{L}(?:-\p{L}[\p{L}'’]*\p{L})*(?![\p{L}\p{N}])", V1)
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "das", "la", "le", "ten",
             "ter", "bin", "ibn", "al", "el", "ben", "zu", "vom", "ap", "het"}
#: one particle, as a regex (the longest first)
PARTICLE_WORD = "(?:" + "|".join(sorted(PARTICLES, key=lambda w: (-len(w), w))) + ")"  # a fixed order: kept compiled
#: one particle or two ("van der Dussen", "de la Cruz") before the capitalised rest of a surname
PARTICLE = regex.compile(rf"{PARTICLE_WORD}(?:\x20{PARTICLE_WORD})?(?=\x20\p{{Lu}})", V1)
#: the same in capitals, inside a name written in capitals ("KEANO VAN WIJK", "MARIA DE LA CRUZ")
PARTICLE_CAPS = regex.compile(rf"{PARTICLE_WORD.upper()}(?:\x20{PARTICLE_WORD.upper()})?(?=\x20\p{{Lu}})", V1)
#: a generational suffix ends a name of two words or more: "Gudrun Koch II", "John Smith Jr."
SUFFIX_WORD = r"(?:III|II|IV|Jr\.?|Jnr\.?|Sr\.?|Snr\.?)"
SUFFIX = regex.compile(rf"\x20{SUFFIX_WORD}(?![\p{{L}}\p{{N}}])", V1)
_SUFFIX_END = regex.compile(rf",?\x20+{SUFFIX_WORD}$", V1)
#: white space within a line, or one line break
SEP = regex.compile(r"[\x20\t]+(?:\u2028[\x20\t]*)?|\u2028[\x20\t]*", V1)
#: words never a name after a courtesy title, however rare they are
FUNCTION_WORDS = {"the", "a", "an", "and", "or", "of", "in", "on", "at", "to", "for", "from", "with", "by", "as",
                  "is", "was", "tel", "mob", "email", "phone", "ext", "fax", "no", "nos", "re"}
MAX_WORDS = 4


def strip_possessive(text: str, end: int) -> int:
    """End offset without a trailing possessive ('s, ’s, or a lone ')."""
    for suffix in ("'s", "’s", "'S", "’S"):
        if text.endswith(suffix, 0, end):
            return end - 2
    if end and text[end - 1] in "'’":
        return end - 1
    return end


def name_like(word: str) -> bool:
    """Could be a name on its own: not an ordinary English word."""
    w = word.rstrip("'’").removesuffix("'s").removesuffix("’s")
    return len(w) >= 2 and not lexicon.is_common_word(w)


def parse(flat: str, pos: int, lenient_first: bool = False, is_title: Callable[[str], bool] | None = None,
          allow_initials_only: bool = True) -> tuple[int, int] | None:
    """The name that starts at ``pos``: ``(start, end)`` or None.

    ``lenient_first``: after a courtesy title ("Mr"), the first name word
    may be any capitalised word except a function word ("Mr White", "Mr
    Bean"); elsewhere every name word must be name-like."""
    i = pos
    start = end = None
    words = initials = 0
    surname_dot = None  # where a two-letter "initial" after a name word ends ("DC Kim Ng.")
    while words < MAX_WORDS:
        if start is not None:
            m = SEP.match(flat, i)
            if not m:
                break
            if LINE_BREAK in m.group() and (words >= 2 or (words == 1 and initials) or _next_is_break(flat, m.end())):
                break
            j = m.end()
        else:
            j = i
        if is_title is not None and start is not None:
            w = WORD.match(flat, j)
            if w and is_title(w.group()):
                break
        ini = INITIALS.match(flat, j) if words == 0 or initials == 0 else None
        if ini and not _followed_by_letter(flat, ini.end()):
            start = j if start is None else start
            end = i = ini.end()
            initials += 1
            surname_dot = end if words and _TWO_LETTERS.fullmatch(ini.group()) else None
            continue
        bare = BARE_INITIAL.match(flat, j) if words == 0 and initials == 0 else None
        if bare and start is None:
            start, end, i = j, bare.end(), bare.end()
            initials += 1
            continue
        w = _particle_surname(flat, j, after_name=words > 0,
                              capitals=words > 0 and start is not None and flat[start:end].isupper())
        if w:
            start = j if start is None else start
            end = i = w.end()
            words += 1
            continue
        w = WORD.match(flat, j)
        if not w:
            break
        word = w.group()
        first = words == 0
        if first and lenient_first:
            ok = word.casefold() not in FUNCTION_WORDS and not (lexicon.is_common_word(word) and lexicon.zipf(word) >= 5.0)
        else:
            ok = name_like(word) or (first and _first_name_before_surname(flat, w)) or (
                words == 1 and lexicon.is_first_name(flat[start:end]) and lexicon.name_share(word) >= 0.01)
            # a short word in capitals after a first name in capitals is a surname ("ANA PAZ", "KELECHI EZE")
            surname_in_capitals = words == 1 and flat[start:end].isupper() and word.casefold() not in FUNCTION_WORDS
            if ok and word.isupper() and len(word) <= 3 and not surname_in_capitals:
                # an acronym ("TRL", "CPS"), unless a name follows ("BO SMITH")
                nxt = SEP.match(flat, w.end())
                after = WORD.match(flat, nxt.end()) if nxt else None
                ok = bool(after and after.group().isupper() and name_like(after.group()))
        if not ok or (is_title is not None and is_title(word)) or (
                start is not None and flat.startswith(":", w.end()) and word.casefold() in FIELD_LABELS):
            break
        start = j if start is None else start
        end = i = w.end()
        words += 1
    if start is None or end is None:
        return None
    if words == 0 and not (allow_initials_only and initials and "." in flat[start:end]):
        return None
    if words >= 2 and (sfx := SUFFIX.match(flat, end)):
        end = sfx.end()
    if end == surname_dot:  # the name ends with it: a short surname and the sentence's full stop
        end -= 1
    end = strip_possessive(flat, end)
    return (start, end) if end > start else None


#: the label of a form's next field ends a name before it ("Surname: OKAFOR Forename: Chidi")
FIELD_LABELS = {"name", "names", "surname", "forename", "forenames", "firstname", "lastname", "dob", "address",
                "tel", "telephone", "mobile", "email", "e-mail", "age", "sex", "gender", "nationality", "occupation",
                "ethnicity", "rank", "role", "status", "postcode"}

#: a word rarer than this (Zipf) may be a first name no table knows before a surname ("Arya Bhasin")
RARE_WORD_ZIPF = 3.5


def _first_name_before_surname(flat: str, w) -> bool:
    """A first name that is also an ordinary word ("Guy", "Will"), followed
    on the same line by a surname ("Guy Ward", "Elizabeth West"); or a rare
    word no table knows as a first name, written as names are, followed by
    a word that is no ordinary word ("Arya Bhasin"); or a word a little
    more frequent before a surname nothing knows ("Raf Aschman")."""
    word = w.group()
    if word.casefold() in FUNCTION_WORDS:  # "The LinnSequencer"
        return False
    if not word.isupper() and (lexicon.zipf(word) < PARTICLE_FIRST_ZIPF or lexicon.is_first_name(word)) \
            and flat.startswith(" ", w.end()) and _particle_surname(flat, w.end() + 1):
        return True  # "Sep van Grondelle", "Job de Bont": a surname with a particle says the word before is a first name
    known = lexicon.is_first_name(word)
    if not known and (word.isupper() or lexicon.zipf(word) >= RARE_WORD_ZIPF):
        if word.isupper():  # in capitals, as logs write names: both words rare, neither an acronym
            after = _word_after(flat, w)  # ("CALLER REMBRANDT BRAMBILLA"; not "CCTV", "HMRC")
            surname = after.group() if after else ""
            return (len(word) >= 4 and len(surname) >= 3 and surname.isupper() and name_like(surname)
                    and all(_VOWEL.search(v) and lexicon.zipf(v) < RARE_WORD_ZIPF for v in (word, surname)))
        if lexicon.zipf(word) >= UNKNOWN_SURNAME_FIRST_ZIPF:
            return False
        # a word a little more frequent, before a surname no table or word list knows at all ("Raf Aschman")
        after = _word_after(flat, w)
        return (bool(after) and not after.group().isupper() and name_like(after.group())
                and lexicon.zipf(after.group()) == 0 and lexicon.name_share(after.group()) == 0)
    after = _word_after(flat, w)
    return bool(after) and (name_like(after.group()) or (known and lexicon.name_share(after.group()) >= 0.01))


#: a first name that is an ordinary word before a surname nothing knows ("Raf Aschman") is rarer than this (Zipf)
UNKNOWN_SURNAME_FIRST_ZIPF = 3.8
#: a first name before a surname with a particle ("Sep van Grondelle") is rarer than this (Zipf)
PARTICLE_FIRST_ZIPF = 4.5


def _word_after(flat: str, w):
    """The word after ``w`` on the same line (spaces or tabs between), or None."""
    nxt = regex.match(r"[\x20\t]+", flat[w.end():w.end() + 4])
    return WORD.match(flat, w.end() + nxt.end()) if nxt else None


_VOWEL = regex.compile(r"[AEIOUY]")


def _particle_surname(flat: str, j: int, after_name: bool = False, capitals: bool = False):
    """A particle or two at ``j`` and the surname after them, no ordinary
    word ("van Grondelle", "de la Cruz"), or any capitalised word after a
    name word (``after_name``: "Nienke van Dam"): the surname's match, or
    None. (PARTICLE ends before one space and a capital.) After a name in
    capitals (``capitals``), the particles and the surname may be in
    capitals too ("KEANO VAN WIJK"), the surname no ordinary word ("JOHN
    SMITH TEN MINUTES")."""
    part = PARTICLE.match(flat, j)
    w = WORD.match(flat, part.end() + 1) if part else None
    if w and (name_like(w.group()) or (after_name and not w.group().isupper())):
        return w
    part = PARTICLE_CAPS.match(flat, j) if capitals else None
    w = WORD.match(flat, part.end() + 1) if part else None
    return w if w and w.group().isupper() and name_like(w.group()) else None


def _followed_by_letter(flat: str, i: int) -> bool:
    """A letter or a digit straight after: "D.3.4" is a section, not an initial."""
    return i < len(flat) and flat[i].isalnum()


def _next_is_break(flat: str, i: int) -> bool:
    return i < len(flat) and flat[i] == LINE_BREAK


def words_of(name: str) -> list[str]:
    return [w.group() for w in WORD.finditer(name)]


def is_initials(token: str) -> bool:
    return bool(INITIALS.fullmatch(token)) or (len(token) <= 2 and token[:1].isupper() and token.rstrip(".").isalpha()
                                                and len(token.rstrip(".")) == 1)


#: one white space between words of a name form, at most one line break
_SP = r"(?:[\x20\t]+(?:\u2028[\x20\t]*)?|\u2028[\x20\t]*|_)"  # (an underscore too: "PC_Quentin_Ashdown.txt")


def forms(name: str) -> list[tuple[str, bool]]:
    """Other ways ``name`` is written, as ``(regex, fold_case)`` pairs: in
    full (any case, unless every word is an ordinary word), initial and
    surname, surname alone as written or in capitals (or in lower case,
    when it is no frequent word; possessives included), but never a form
    that is an ordinary word on its own."""
    return [(pattern, fold) for pattern, fold, _ in _keyed_forms(name, lexicon.LANGUAGE.get())]


@functools.lru_cache(maxsize=4096)
def _keyed_forms(name: str, lang: str = "en") -> tuple[tuple[str, bool, str], ...]:
    """:func:`forms`, each with its key: a word every match of the form
    contains, case folded (the last word of the name, or the surname).
    ``lang`` (the page's language, :data:`lexicon.LANGUAGE`) is part of the
    cache key: what is an ordinary word depends on it."""
    tokens = [t for t in name.split() if t]
    if not tokens or sum(ch.isalpha() for ch in name) < 2:
        return ()  # one initial alone ("B.") is not spread: "z.B." is on every page of a German text
    out: list[tuple[str, bool, str]] = []
    full = _SP.join(re.escape(t) for t in tokens)
    fold = not lexicon.match_as_written(name)
    if len(tokens) == 1 and not fold and lexicon.is_word_first(tokens[0]):
        return _everyday_surname_forms(tokens[0])  # "White" of "White v. Samsung": as such a surname alone is
    out.append((f"(?i:{full})" if fold else f"{full}|{_SP.join(re.escape(t.upper()) for t in tokens)}", fold,
                tokens[-1].casefold()))
    plain = _SUFFIX_END.sub("", name)
    if plain != name and len(plain.split()) >= 2:
        # a generational suffix ("Gudrun Koch II", "John Smith Jr."): in full as written (above), then in the
        # forms of the name without it (its surname is "Koch", never "II" or "Jr")
        return (out[0], *_keyed_forms(plain, lang))
    surname, comma, forenames = name.partition(",")
    if comma and surname.strip() and forenames.strip():
        # written surname first ("SMITH, John Paul"): in full as written (above), then in the forms of "John
        # Paul Smith" (never "Paul" alone as if it were the surname; a surname in capitals in its capitals too)
        surname = surname.strip()
        return (out[0], *_keyed_forms(f"{forenames.strip()} {surname.title() if surname.isupper() else surname}",
                                      lang))
    words = [t for t in tokens if not is_initials(t)]
    k = len(tokens) - 1
    while k > 1 and (tokens[k - 1] in PARTICLES or (tokens[k - 1].isupper() and tokens[k - 1].lower() in PARTICLES)):
        k -= 1
    if k < len(tokens) - 1:  # "Nienke van Dam": the surname with its particles, first or not ("van Dam said")
        # as written or in capitals ("VAN DAM" in a log in capitals; "Van Dam" of "KEANO VAN DAM" elsewhere)
        last = tokens[-1].title() if tokens[-1].isupper() else tokens[-1]
        particles = _SP.join(f"[{re.escape(t[0].upper())}{re.escape(t[0].lower())}]{re.escape(t[1:].lower())}"
                             for t in tokens[k:-1])
        capitals = _SP.join(re.escape(t.upper()) for t in tokens[k:])
        out.append((f"{particles}{_SP}{re.escape(last)}|{capitals}", False, tokens[-1].casefold()))
    if len(tokens) >= 2 and words:
        surname = words[-1]
        if surname is not tokens[0] and len(surname) >= 3 and surname[:1].isupper() and name_like(surname):
            initial = tokens[0][0]
            out.append((f"{re.escape(initial)}\\.?{_SP}?(?:{re.escape(surname)}|{re.escape(surname.upper())})",
                        True, surname.casefold()))
            # the family in the plural too ("the Causbys", "the Joneses"); a surname that is no
            # frequent word in lower case too: small capitals are often stored so ("mr. lessig:")
            rare = not lexicon.is_frequent(surname)
            lower = f"|{re.escape(surname.lower())}(?:es|s)?" if rare and surname.lower() != surname else ""
            if rare or not lexicon.is_word_first(surname):
                out.append((f"{re.escape(surname)}(?:es|s)?|{re.escape(surname.upper())}(?:ES|S)?{lower}",
                            rare, surname.casefold()))
            else:
                out += _everyday_surname_forms(surname)
        elif surname is not tokens[0] and len(surname) >= 3 and surname[:1].isupper() and not surname.isupper():
            # a surname that is an ordinary word ("Torrent", "White") alone only where it does what people do
            out.append((f"{re.escape(surname)}(?=\\x20)", VERB_CONTEXT, surname.casefold()))
        first = tokens[0]
        if (first is words[0] and first is not surname and len(first) >= 3 and first[:1].isupper()
                and not first.isupper() and name_like(first)
                and (lexicon.is_first_name(first) or lexicon.zipf(first) < RARE_WORD_ZIPF)):
            # a first name a table knows, or a rare word no table knows ("Ifeoma" of "Ifeoma Eze")
            # never before a capitalised word: "Gareth Edwards" is someone else, found as such or not at all
            out.append((f"{re.escape(first)}(?![\\x20\\t]+[A-Z])", PERSON_CONTEXT, first.casefold()))
    return tuple(out)


def _everyday_surname_forms(surname: str) -> tuple[tuple[str, bool | str, str], ...]:
    """The forms of a surname that is an everyday word first ("White",
    "Green"): in the plural anywhere ("the Whites" are a family), alone only
    where the words around it do not make it another name's
    (:data:`WORD_CONTEXT`: not "The White Paper", "King Street")."""
    word, upper, key = re.escape(surname), re.escape(surname.upper()), surname.casefold()
    return (f"{word}(?:es|s)|{upper}(?:ES|S)", False, key), (f"{word}|{upper}", WORD_CONTEXT, key)


#: what a form's fold says when its matches count only where the words around them say they are a
#: person (:class:`NameContext`): a first name alone; a surname that is an ordinary word alone
PERSON_CONTEXT, VERB_CONTEXT, WORD_CONTEXT = "person", "verb", "word"
CONTEXTS = (PERSON_CONTEXT, VERB_CONTEXT, WORD_CONTEXT)
#: the order forms are tried in: those that count anywhere, then by their context
_CONTEXT_ORDER = {WORD_CONTEXT: 1, PERSON_CONTEXT: 2, VERB_CONTEXT: 2}
#: what a surname that is an everyday word first is not before, when that word is ordinary ("White Paper") ...
_NEXT_CAPITALISED = re.compile(r"[\x20\t]+([A-Z][a-z]+)\b")
#: ... nor after an ampersand ("Ernst & Young": a firm). (Not after a capitalised word: "Twentieth Century
#: Fox" is a firm, but "Sgt White", "Dear White" and a heading's "Interview With White" are the person.)
_AMPERSAND_BEFORE = re.compile(r"&[\x20\t]+\Z")


def another_names_word(flat: str, start: int, end: int) -> bool:
    """The words around ``flat[start:end]`` (a surname that is an everyday
    word first) make it part of something else's name: a capitalised
    ordinary word after it ("The White Paper", "King Street"), or an
    ampersand before it ("Ernst & Young")."""
    nxt = _NEXT_CAPITALISED.match(flat, end)
    if nxt and lexicon.is_common_word(nxt.group(1)):
        return True
    return _AMPERSAND_BEFORE.search(flat, max(0, start - 4), start) is not None


class NameContext:
    """Where a form that counts only in context (:data:`CONTEXTS`) is a
    person, from the words a rule pack gives (``propagate_context``):

    * a first name alone after one of ``before`` (a greeting, a sign-off, a
      verb of getting in touch: "Hi Gareth", "Regards,⏎Gareth", "ring Gareth
      on ..."), or before one of ``verbs_after`` ("Gareth said"), a
      possessive ("Gareth's") or a comma and one of ``asked_after``
      ("Gareth, can you"); never before "is" or "has" unless a pack says so
      ("Victoria is closed");
    * a surname that is an ordinary word alone only before one of
      ``verbs_after`` ("Torrent reported");
    * a surname that is a frequent word first (``lexicon.is_word_first``:
      "White") alone anywhere but before a capitalised ordinary word ("The
      White Paper", "Green Party", "King Street"; "the White family" is the
      person's).

    One pattern for all names, compiled once: a pattern of its own per name
    made every first name cost a long compile (issue 14). With no words at
    all, no such form counts anywhere."""

    def __init__(self, before: Iterable[str] = (), verbs_after: Iterable[str] = (), asked_after: Iterable[str] = ()):
        before = sorted({w.strip() for w in before if w.strip()}, key=lambda w: (-len(w), w))

        def any_of(words: Iterable[str]) -> str | None:
            words = sorted({w.strip() for w in words if w.strip()}, key=lambda w: (-len(w), w))
            return "|".join(re.escape(w).replace("\\ ", "\\x20") for w in words) if words else None

        verbs, asked, lead = any_of(verbs_after), any_of(asked_after), any_of(before)
        verb = f"\\x20(?i:{verbs})\\b" if verbs else None
        person = [p for p in (verb, "['\u2019]s\\b", f",\\x20(?i:{asked})\\b" if asked else None) if p]
        self._after = {VERB_CONTEXT: re.compile(verb) if verb else None, PERSON_CONTEXT: re.compile("|".join(person))}
        self._before = (re.compile(f"(?i:\\b(?:{lead}))(?:,?[\\x20\\t]|,?{LINE_BREAK})\\Z") if lead else None)
        #: how far back a cue may start (the longest, a comma and a space)
        self._reach = max((len(w) for w in before), default=0) + 2

    @classmethod
    def from_packs(cls, packs) -> "NameContext":
        """The words of every pack's ``propagate_context``, together."""
        parts: dict[str, list[str]] = {"before": [], "verbs_after": [], "asked_after": []}
        for pack in packs:
            for key, words in (getattr(pack, "propagate_context", None) or {}).items():
                parts[key] += words
        return cls(**parts)

    def __call__(self, kind: str, flat: str, start: int, end: int) -> bool:
        """Whether a match of a form of that ``kind`` at ``flat[start:end]``
        is a person by the words around it."""
        if kind == WORD_CONTEXT:
            return not another_names_word(flat, start, end)
        after = self._after[kind]
        if after is not None and after.match(flat, end):
            return True
        return (kind == PERSON_CONTEXT and self._before is not None
                and self._before.search(flat[max(0, start - self._reach):start]) is not None)


def names_in_text(names: Iterable[str], text: str) -> frozenset[str]:
    """The names some form of which may occur in ``text``: a form's key word
    must (case folded; folding is done character by character, so a
    case-insensitive match implies it). Scanning a page for the few names
    it can hold, rather than for every name of a long document at every
    position, is what keeps propagation linear in the document."""
    hay = text.casefold()
    lang = lexicon.LANGUAGE.get()
    return frozenset(n for n in names if any(key in hay for _, _, key in _keyed_forms(n, lang)))


def variants_regex(names: Iterable[str]) -> tuple[re.Pattern, list[bool]] | None:
    """One regex for every form of every name; each alternative is a
    numbered group, and the list says whether that form may be matched in
    any case (or that a match counts only where :class:`NameContext` says
    so)."""
    return _variants_regex(frozenset(names), lexicon.LANGUAGE.get())


#: what may not stand before and after a form of a name (a name after a dot is taken too
#: ("www.lessig.org": a name in an address is the name; an e-mail address is taken whole by
#: its own rule first)
_BEFORE, _AFTER = r"(?<![^\W_]|[@'’-])", r"(?![^\W_]|@|-\w)"  # (an underscore is a space between words)


@functools.lru_cache(maxsize=64)
def _alternatives(names: frozenset[str], lang: str = "en") -> tuple[tuple[str, ...], tuple[bool | str, ...]]:
    """The forms of ``names`` in the order :func:`variants_regex` tries them
    (longest pattern first, those that count only in context last), and
    whether each may be matched in any case (or, for those, which context:
    :data:`CONTEXTS`)."""
    alternatives: dict[str, bool | str] = {}
    for name in sorted(names):
        for pattern, fold, _ in _keyed_forms(name, lang):
            alternatives[pattern] = alternatives.get(pattern, True) and fold
    # a form that counts only in context is tried where no other form matches (a one-word name
    # "Gareth" found elsewhere is still found in "The Gareth report"); a surname that is an everyday word
    # first, which counts almost everywhere, before a first name alone or a surname before a verb (a match
    # whose context fails is no match: "should this Bill pass" is "Bill" of "Steamboat Bill", not "Bill"
    # of "Bill Gates" with no person's words around it)
    ordered = sorted(alternatives, key=lambda p: (_CONTEXT_ORDER.get(alternatives[p], 0), -len(p)))
    return tuple(ordered), tuple(alternatives[p] for p in ordered)


@functools.lru_cache(maxsize=64)
def _variants_regex(names: frozenset[str], lang: str = "en") -> tuple[re.Pattern, list[bool]] | None:
    ordered, folds = _alternatives(names, lang)
    if not ordered:
        return None
    # the standard library compiles this per document far faster than `regex`
    rx = re.compile(_BEFORE + "(?:" + "|".join(f"({p})" for p in ordered) + ")" + _AFTER)
    return rx, list(folds)


#: a set of names with at least this many forms is searched for form by form (see below)
MANY_FORMS = 24


def variant_matches(names: Iterable[str], text: str) -> list[tuple[int, int, bool]]:
    """What ``variants_regex(names)[0].finditer(text)`` finds, as (start,
    end, whether that form may be matched in any case). A page holding
    many names (a long document's, each page another set of them) is
    searched form by form, each form compiled once per process
    (:func:`_form_matches`: compiling a regex of all of them for every
    page was a tenth of the time of a long book, issue 14); a few names
    (a short document's: few forms, recompiled on few pages) with the regex
    of the set, compiled and kept as before. Both give the same matches
    (tested)."""
    lang = lexicon.LANGUAGE.get()
    names = frozenset(names)
    if len(_alternatives(names, lang)[0]) >= MANY_FORMS:
        return _form_matches(names, lang, text)
    return _regex_matches(names, lang, text)


def _regex_matches(names: frozenset[str], lang: str, text: str) -> list[tuple[int, int, bool]]:
    compiled = _variants_regex(names, lang)
    if compiled is None:
        return []
    rx, folds = compiled
    return [(m.start(), m.end(), folds[m.lastindex - 1]) for m in rx.finditer(text)]


def _form_matches(names: frozenset[str], lang: str, text: str) -> list[tuple[int, int, bool]]:
    """:func:`_regex_matches` without the regex: each form is searched for
    on its own, with patterns compiled once per process, and where several
    forms match at the leftmost place the first in the regex's order is
    taken, as the regex's alternation takes it."""
    ordered, folds = _alternatives(names, lang)
    if not ordered:
        return []
    finders = [_form_finder(p) for p in ordered]
    # each form's next match, by (where it starts, the form's place in the regex's order)
    heap = []
    for i, finder in enumerate(finders):
        m = _next_match(finder, text, 0)
        if m is not None:
            heap.append((m.start(), i, m))
    heapq.heapify(heap)
    out = []
    while heap:
        _, i, m = heapq.heappop(heap)
        start, end = m.span()
        out.append((start, end, folds[i]))
        # the search goes on after the match, as finditer's does: the forms whose next match
        # starts inside it are searched for again from its end
        again = [i]
        while heap and heap[0][0] < end:
            again.append(heapq.heappop(heap)[1])
        for k in again:
            m = _next_match(finders[k], text, end)
            if m is not None:
                heapq.heappush(heap, (m.start(), k, m))
    return out


@functools.lru_cache(maxsize=4096)
def _form_finder(pattern: str) -> tuple[Callable, Callable]:
    """A form's pattern alone (to find where it may match fast: a literal
    beginning is searched for as such) and the form as the alternative it is
    in :func:`variants_regex`, with what may not stand before and after it."""
    return re.compile(pattern).search, re.compile(_BEFORE + f"(?:({pattern}))" + _AFTER).match


def _next_match(finder: tuple[Callable, Callable], text: str, pos: int):
    """The form's match at the first place at or after ``pos`` where it
    matches as the alternative of :func:`variants_regex` would there (the
    form alone matches at every such place)."""
    search, match = finder
    while True:
        m = search(text, pos)
        if m is None:
            return None
        found = match(text, m.start())
        if found is not None:
            return found
        pos = m.start() + 1
