"""Names spread across a document are found by searching each of their
forms on its own (:func:`redactor.detect.names.variant_matches`, issue 14):
the matches must be exactly those of the one regex of all the forms that
it replaced (:func:`redactor.detect.names.variants_regex`), where the first
form in the regex's order wins when several match at one place."""

from __future__ import annotations

import random

from redactor.detect import lexicon
from redactor.detect import names as nm
from redactor.detect.context import LINE_BREAK

NAMES = ["John Smith", "J. Smith", "Smith", "Jane Smithson", "Mary Smith-Jones", "Lawrence Lessig", "L. Lessig",
         "Jack Valenti", "Anne White", "O'Brien", "Sean O'Brien", "Jean-Paul Sartre", "de Souza", "Ana de Souza",
         "Causby", "Thomas Causby", "Z.M. Kalkan", "Kalkan", "Guy Ward", "Will Love", "Liz Truss"]
PIECES = ["John", "Smith", "SMITH", "smith", "J.", "J", "Smithes", "Smiths", "Smithson", "SMITHSON", "Jane",
          "Mary", "Smith-Jones", "Jones", "Lawrence", "Lessig", "LESSIG", "lessig", "lessigs", "L.", "www.lessig.org",
          "lessig@example.org", "Jack", "Valenti", "VALENTI", "Anne", "White", "white", "WHITE", "O'Brien",
          "O’Brien", "Sean", "Jean-Paul", "Sartre", "de", "Souza", "Ana", "Causby", "Causbys", "CAUSBYS", "Thomas",
          "Z.M.", "Kalkan", "KALKAN", "Guy", "Ward", "Will", "Love", "love", "Liz", "Truss", "the", "and", "Mr",
          "Dr.", "said", "-", "—", "'s", "’s", "@", ".", ",", "(", ")", "x-", "-x"]
SEPARATORS = [" ", " ", " ", "  ", "\t", LINE_BREAK, " " + LINE_BREAK, "", "-", "'", "."]


def _text(rnd: random.Random, words: int) -> str:
    return "".join(rnd.choice(PIECES) + rnd.choice(SEPARATORS) for _ in range(words))


def _by_regex(names, text):
    compiled = nm.variants_regex(names)
    if compiled is None:
        return []
    rx, folds = compiled
    return [(m.start(), m.end(), folds[m.lastindex - 1]) for m in rx.finditer(text)]


def test_variant_matches_are_the_regexs_matches():
    rnd = random.Random(14)
    total = contested = 0
    for _ in range(200):
        names = rnd.sample(NAMES, rnd.randint(1, len(NAMES)))
        text = _text(rnd, rnd.randint(5, 60))
        for language in ("en", "de"):
            with lexicon.in_language(language):
                expected = _by_regex(names, text)
                assert nm._form_matches(frozenset(names), language, text) == expected, (names, text, language)
                assert nm.variant_matches(names, text) == expected, (names, text, language)
                total += len(expected)
                # places where more than one form matches: the order of the forms decides
                forms = [nm._form_finder(p)[1] for p in nm._alternatives(frozenset(names), language)[0]]
                contested += sum(1 for s, _, _ in expected if sum(f(text, s) is not None for f in forms) > 1)
    assert total > 700 and contested > 35, (total, contested)  # the comparison is not idle


def test_variant_matches_on_a_page():
    text = f"Mr John Smith met J. Smith and SMITH.{LINE_BREAK}The Smithes, www.lessig.org, smith-y Smith-Jones"
    names = ["John Smith", "Lawrence Lessig"]
    assert nm.variant_matches(names, text) == _by_regex(names, text)
    assert [text[s:e] for s, e, _ in nm.variant_matches(names, text)] == [
        "John Smith", "J. Smith", "SMITH", "Smithes", "lessig"]
    assert nm.variant_matches([], text) == [] and nm.variant_matches(["B."], text) == []


def test_many_names_are_searched_for_form_by_form_a_few_with_their_regex(monkeypatch):
    """A page holding many names is searched form by form, one holding a
    few with the regex of the set: the same matches either way."""
    calls = []
    real_forms, real_regex = nm._form_matches, nm._regex_matches
    monkeypatch.setattr(nm, "_form_matches", lambda *a: calls.append("forms") or real_forms(*a))
    monkeypatch.setattr(nm, "_regex_matches", lambda *a: calls.append("regex") or real_regex(*a))
    rnd = random.Random(7)
    for names in (NAMES[:2], NAMES):
        text = _text(rnd, 200) + " John Smith, J Smith, SMITHSON and Anne White."
        assert nm.variant_matches(names, text) == _by_regex(names, text) != []
    assert len(nm._alternatives(frozenset(NAMES), "en")[0]) >= nm.MANY_FORMS > len(
        nm._alternatives(frozenset(NAMES[:2]), "en")[0])
    assert calls == ["regex", "forms"]
