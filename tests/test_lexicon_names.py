"""The world first-name dictionary is read straight from gender-guesser's
data file (fast start-up, issue 14): it must hold exactly the names the
library's own Detector parses."""

from __future__ import annotations

from gender_guesser.detector import Detector

from redactor.detect import lexicon


def test_world_first_names_are_the_librarys():
    ours = lexicon._world_first_names()
    theirs = frozenset(Detector(case_sensitive=False).names)
    assert ours == theirs
    assert {"rhys", "zbigniew", "hakkı"} <= ours  # and a name with a "+" comes joined, spaced and hyphenated
    plus = [n for n in theirs if " " in n]
    assert plus and all(n.replace(" ", "") in ours and n.replace(" ", "-") in ours for n in plus)
