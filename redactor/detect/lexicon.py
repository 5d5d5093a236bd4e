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

The tables are read once into a file in the user's cache directory and
looked up word by word from there (:mod:`redactor.detect.wordtables`):
parsing them again costs most of a second at every start.
"""

from __future__ import annotations

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


@functools.lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """An ordinary English word more than a name ("Form", "Algorithm",
    "Care"), so not to be taken for a name on its own. "O'Sullivan" is
    read as "Sullivan"; a hyphenated word is ordinary only if every part is
    ("Wittling-Vogel" is not)."""
    key = _key(word)
    m = _ELIDED.match(key)
    if m:
        return is_common_word(m.group(1))
    if "-" in key.strip("-"):
        return all(is_common_word(part) for part in key.split("-") if part)
    z = zipf(word)
    if z < FREQUENT:
        return False
    if z < FIRST_NAME_ZIPF and wordtables.in_world(_key(word)):
        return False
    share = name_share(word)
    if share <= 0:
        return True
    return math.log10(share) + 6 - z < NAME_MARGIN


def is_frequent(word: str) -> bool:
    """Written often in English, whatever else it is ("Turner", "White")."""
    return zipf(word) >= FREQUENT


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
