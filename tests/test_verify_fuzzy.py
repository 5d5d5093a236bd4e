"""OCR'd pages are searched for each redacted text with a few wrong letters
allowed (one per eight). That search is skipped when the page holds none
of the text's pieces as written (a match with e errors leaves one of e + 1
pieces whole): the answers must be exactly those of the search itself, on
texts read with errors placed to break as many pieces as they can; and on
a page that holds no piece, the search must not run at all (a 90-letter
text with eleven errors allowed took 37 s per OCR'd page)."""

from __future__ import annotations

import random

import regex

from redactor.verify import needles as needles_mod
from redactor.verify.needles import Needles, _fuzzy, _pieces

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789.@,-"


def _reference(t: str, text: str) -> bool:
    hay = " ".join(text.casefold().split())
    return bool(regex.search(_fuzzy(r"\s*".join(regex.escape(w) for w in t.split()), len(t)), hay, regex.BESTMATCH))


def _misread(rng: random.Random, t: str, errors: int) -> str:
    """``t`` with ``errors`` letters substituted, dropped or doubled, one in each of its pieces where it can."""
    pieces = _pieces(t.split(), len(t) // 8) or []
    out = list(t)
    targets = []
    for p in pieces[:errors]:
        at = t.find(p)
        if at >= 0:
            targets.append(at + rng.randrange(len(p)))
    while len(targets) < errors:
        targets.append(rng.randrange(len(t)))
    for k in sorted(set(targets), reverse=True):
        what = rng.choice("sdi")
        if what == "s":
            out[k] = rng.choice(ALPHABET.replace(out[k], ""))
        elif what == "d":
            del out[k]
        else:
            out.insert(k, rng.choice(ALPHABET))
    return "".join(out)


def test_skipping_never_changes_the_answer():
    rng = random.Random(1014)
    seen = {True: 0, False: 0}
    for _ in range(400):
        words = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 5))]
        t = " ".join(words)
        if sum(ch.isalnum() for ch in t) < 4:  # too short to be searched for at all
            continue
        errors = len(t) // 8
        read = _misread(rng, t, rng.choice([errors, errors, errors + 1, errors + 2]))
        filler = " ".join("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))) for _ in range(30))
        page = f"{filler[:rng.randint(0, 120)]} {read} {filler[-rng.randint(0, 120):]}"
        got = bool(Needles([t]).fuzzy_in(page))
        assert got == _reference(" ".join(t.casefold().split()), page), (t, read)
        seen[got] += 1
    assert seen[True] > 50 and seen[False] > 50, seen


def test_a_page_without_any_piece_is_not_searched(monkeypatch):
    long_text = "{gal,brendan,shaver,danderson,dmandelin,mrbkap,graydon}@mozilla.com"
    page = "The trace tree is compiled when the loop header is hot. " * 40
    calls = []
    real = regex.search

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(needles_mod.regex, "search", counting)
    n = Needles([long_text])
    assert n.fuzzy_in(page) == []
    assert calls == []
    assert n.fuzzy_in(page + " " + _misread(random.Random(3), long_text, len(long_text) // 8)) == [long_text]
    assert len(calls) == 1
