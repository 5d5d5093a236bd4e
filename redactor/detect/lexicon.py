"""What a word is: an ordinary English word, a known first name or surname.

Data from libraries, no hand lists:

* ``wordfreq`` gives how often a word is written in English (on the Zipf
  scale: 3 is once per million words, 6 once per thousand);
* the ``names`` package ships the US Census name tables (88,799 surnames,
  5,494 first names, each with the share of people who bear it);
* ``gender-guesser`` ships Jörg Michael's dictionary of 61,000 first names
  from some sixty countries ("Rhys", "Ravi", "Hakkı", "Zbigniew").

A word is an *ordinary word* rather than a name when it is frequent in
English text and far more frequent as a word than as a name: "Algorithm",
"Form", "Work", "Balance", "Licence", "Button" are; "Smith", "Turner",
"White", "Young" are names as much as words; "Whitfield" and "Nicolaou" are
not ordinary words at all.

Pages are not all English. :func:`language` tells which of wordfreq's
languages a text is written in, and :data:`LANGUAGE` (set by the detector
for the page it reads) makes that language's ordinary words ordinary too:
on a German page "Gesteine", "Menge" and "Topologie" are words, not names.
:func:`is_foreign_word` is a frequent word of another language that no name
table knows ("Universiteit", "Leuven"): part of an organisation's or a
place's name, not a person's.

The tables are read once into a file in the user's cache directory and
looked up word by word from there (:mod:`redactor.detect.wordtables`):
parsing them again costs most of a second at every start.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
from importlib import resources

import regex

from redactor.detect import wordtables

#: Zipf frequency at or above which a word is frequent in English text.
FREQUENT = 3.0
#: log10(share of people bearing it, in percent) + 6 - Zipf: how much more
#: a word is a name than a word. Below this, a frequent word is ordinary.
NAME_MARGIN = -0.5
#: A first name somewhere in the world that is written less often than this
#: is a name, not an ordinary word ("Rhys", "Viktor", "Precious"; but
#: "Will", "May", "Judge" and "Major" are words first).
FIRST_NAME_ZIPF = 4.5
_LETTERS = regex.compile(r"[\p{L}'’.-]+")
#: Languages a page may be written in other than English (wordfreq's codes).
OTHER_LANGUAGES = ("de", "fr", "nl", "es", "it", "pt", "sv", "da", "nb", "fi", "pl")
#: The language of the text being read (set by the detector per page).
LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar("redactor_language", default="en")
#: Share of a text's distinct words that must be frequent in another
#: language, above their share in English, for the text to be in it.
LANGUAGE_MARGIN = 0.15
#: Share of a text's distinct words frequent in English at which it is
#: English without looking further (English pages of real PDFs: 0.70 and
#: up; a German lecture's pages: 0.61 at most).
ENGLISH_ENOUGH = 0.7
#: Fewer distinct words than this: too short to tell (English is assumed).
LANGUAGE_MIN_WORDS = 25
#: Zipf at or above which a word of a page in another language is one of
#: that language's ordinary words ("Gesteine" 3.2, "Komplement" 2.4).
OTHER_ORDINARY = 2.0
#: Zipf at or above which a word is frequent in another language, when it
#: is not an English word and no name table knows it ("Universiteit" 5.1).
FOREIGN_FREQUENT = 4.0
_ELIDED = regex.compile(r"^(?:o|d|l|mc|mac)['’](\p{L}{2,})$")


@functools.lru_cache(maxsize=1)
def _wordfreq():
    from wordfreq import zipf_frequency

    return zipf_frequency


@functools.lru_cache(maxsize=1)
def _census() -> tuple[dict[str, float], dict[str, float]]:
    """(surnames, first names): upper-case name -> percent of people."""

    def table(*files: str) -> dict[str, float]:
        out: dict[str, float] = {}
        base = resources.files("names")
        for name in files:
            for line in (base / name).read_text(encoding="ascii").splitlines():
                parts = line.split()
                if len(parts) >= 2:
                    # shares print as 0.000 below 0.0005 %: count them as 0.0004
                    out[parts[0]] = max(out.get(parts[0], 0.0), float(parts[1]) or 0.0004)
        return out

    return table("dist.all.last"), table("dist.male.first", "dist.female.first")


@functools.lru_cache(maxsize=1)
def _world_first_names() -> frozenset[str]:
    """The names of gender-guesser's dictionary, lower case: the keys of
    ``gender_guesser.detector.Detector(case_sensitive=False).names``, read
    from its data file directly (the Detector also parses every name's
    country columns: half a second at start-up). A test compares the two."""
    data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    names: set[str] = set()
    for line in data.read_text(encoding="utf-8").splitlines():  # the lines codecs.open reads
        line = line.strip()
        if not line or line[0] in "#=":
            continue
        name = line.split()[1].lower()
        # "+" joins parts of a name: the Detector keeps it joined, spaced and hyphenated
        names.update((name.replace("+", r) for r in ("", " ", "-")) if "+" in name else (name,))
    return frozenset(names)


def _key(word: str) -> str:
    w = word.strip("'’.").casefold()
    for suffix in ("'s", "’s"):
        if w.endswith(suffix):
            w = w[: -len(suffix)]
    return w


@functools.lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How often ``word`` is written in English (Zipf scale, 0 if never)."""
    w = _key(word)
    if not w:
        return 0.0
    z = wordtables.zipf(w)
    return _wordfreq()(w, "en") if z is None else z


@functools.lru_cache(maxsize=65536)
def name_share(word: str) -> float:
    """Percent of people with this surname or first name (0 if unknown)."""
    w = _key(word).upper()
    return max(wordtables.surname_share(w), wordtables.first_name_share(w))


@functools.lru_cache(maxsize=65536)
def is_first_name(word: str) -> bool:
    """A first name in the US Census tables or in the world dictionary."""
    key = _key(word)
    return wordtables.first_name_share(key.upper()) >= 0.001 or wordtables.in_world(key)


@functools.lru_cache(maxsize=262144)
def zipf_in(word: str, lang: str) -> float:
    """How often ``word`` is written in ``lang`` (Zipf scale, 0 if never).
    English is read from the word tables (:func:`zipf`): the same figure,
    without importing wordfreq to tell an English page from another. In
    another language a word of letters is read from the tables too, exact
    at or above ``wordtables.FOREIGN_FLOOR`` (2.0) and 0.0 below it: every
    threshold here is 2.0 or more."""
    if lang == "en":
        return zipf(word)
    w = _key(word)
    if not w:
        return 0.0
    # the tables hold OTHER_LANGUAGES (exact at or above wordtables.FOREIGN_FLOOR; else 0.0)
    z = wordtables.zipf_other(w, lang) if lang in OTHER_LANGUAGES else None
    return _wordfreq()(w, lang) if z is None else z


def language(text: str, default: str = "en") -> str:
    """The language ``text`` is written in: "en", or one of
    :data:`OTHER_LANGUAGES` when clearly more of its distinct words are
    frequent in that language than in English; ``default`` when it is too
    short to tell."""
    words = {w.casefold() for w in _LETTERS.findall(text) if len(w) >= 2 and w.isalpha()}
    if len(words) < LANGUAGE_MIN_WORDS:
        return default
    words = set(sorted(words)[:1500])

    def share(lang: str) -> float:
        return sum(1 for w in words if zipf_in(w, lang) >= FREQUENT) / len(words)

    english = share("en")
    if english >= ENGLISH_ENOUGH:  # the other word lists (seconds to load) are not read for English pages
        return "en"
    best, best_share = max(((lang, share(lang)) for lang in OTHER_LANGUAGES), key=lambda x: x[1])
    return best if best_share >= english + LANGUAGE_MARGIN else "en"


@contextlib.contextmanager
def in_language(lang: str):
    """Read words as ordinary in ``lang`` (and English) inside the block."""
    token = LANGUAGE.set(lang)
    try:
        yield
    finally:
        LANGUAGE.reset(token)


def is_known_name(word: str) -> bool:
    return name_share(word) > 0 or is_first_name(word)


@functools.lru_cache(maxsize=65536)
def may_be_foreign(word: str) -> bool:
    """Neither an English word nor a known name: the cheap half of
    :func:`is_foreign_word` (it reads no other language's list)."""
    return not (zipf(word) >= FREQUENT or is_known_name(word))


def is_foreign_word(word: str) -> bool:
    """A frequent word of another language that is not an English word and
    that no name table knows ("Universiteit", "Katholieke", "Leuven")."""
    if not may_be_foreign(word):
        return False
    return any(zipf_in(word, lang) >= FOREIGN_FREQUENT for lang in OTHER_LANGUAGES)


def is_common_word(word: str) -> bool:
    """An ordinary word more than a name ("Form", "Algorithm", "Care"; on
    a German page "Menge" too), so not to be taken for a name on its own.
    "O'Sullivan" is read as "Sullivan"; a hyphenated word is ordinary only
    if every part is ("Wittling-Vogel" is not)."""
    return _is_common_word(word, LANGUAGE.get())


@functools.lru_cache(maxsize=65536)
def _is_common_word(word: str, lang: str) -> bool:
    key = _key(word)
    m = _ELIDED.match(key)
    if m:
        return _is_common_word(m.group(1), lang)
    if "-" in key.strip("-"):
        return all(_is_common_word(part, lang) for part in key.split("-") if part)
    if _plural_of_common(key, lang):
        return True
    z = zipf(word)
    if lang != "en":  # the page's language counts as much as English
        z_lang = zipf_in(word, lang)
        if z_lang >= OTHER_ORDINARY and not is_known_name(word):
            return True
        z = max(z, z_lang)
    if z < FREQUENT:
        return False
    if z < FIRST_NAME_ZIPF and wordtables.in_world(_key(word)):
        return False
    share = name_share(word)
    if share <= 0:
        return True
    return math.log10(share) + 6 - z < NAME_MARGIN


def _plural_of_common(key: str, lang: str) -> bool:
    """A rare plural of an ordinary word ("Infringements") that no name
    table knows is ordinary too ("Causbys", "Stevens" are not)."""
    if len(key) < 5 or not key.endswith("s") or key.endswith("ss") or zipf(key) >= FREQUENT:
        return False
    if is_known_name(key):
        return False
    return any(_is_common_word(key[:-n], lang) for n in (1, 2) if key.endswith("es"[2 - n:]) and zipf(key[:-n]) >= FREQUENT)


#: a surname written at least this often (Zipf) ...
WORD_FIRST_ZIPF = 4.5
#: ... and held by few enough people for that (see below) is a word first
WORD_FIRST_MARGIN = 0.5


def is_word_first(word: str) -> bool:
    """A surname that is an everyday English word first ("White", "Green",
    "King", "Young", "Bill"), as against one written often because so many
    people have it ("Smith", "Jones", "Brown") or because one of them is
    famous ("Jefferson", "Reagan": rarer than 4.5 Zipf): "The White Paper"
    is no one. (The measure of :func:`is_common_word`, with a wider margin:
    these are names too, just not first.)"""
    z = zipf(word)
    if z < WORD_FIRST_ZIPF:
        return False
    share = name_share(word)
    return share <= 0 or math.log10(share) + 6 - z < WORD_FIRST_MARGIN


def is_frequent(word: str) -> bool:
    """Written often in English (or in the page's language), whatever else
    it is ("Turner", "White"; "Herrlich" on a German page)."""
    lang = LANGUAGE.get()
    return zipf(word) >= FREQUENT or (lang != "en" and zipf_in(word, lang) >= FREQUENT)


def match_as_written(text: str) -> bool:
    """Must ``text`` be searched for only as written (no case folding)?
    Yes for a single frequent word ("White", "Turner": "white" and "turner"
    elsewhere are prose) and for a phrase that has an ordinary word and
    only frequent words ("Will Long"); no for anything with a digit or a
    rare word ("Whitfield", "Tom White" as a phrase)."""
    if any(ch.isdigit() for ch in text):
        return False
    words = _LETTERS.findall(text)
    if not words:
        return False
    if len(words) == 1:
        return is_frequent(words[0])
    return all(is_frequent(w) for w in words) and any(is_common_word(w) for w in words)
