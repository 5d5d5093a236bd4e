"""What verification looks for besides the redacted texts: surnames alone,
as redaction takes them."""

from __future__ import annotations

from redactor.verify.needles import Needles


def test_a_surname_alone_is_looked_for_unless_it_is_an_ordinary_word():
    needles = Needles(["Jonathan Smethurst", "Walter Disney"], names=["Jonathan Smethurst", "Walter Disney"])
    assert needles.found_in("Ask Smethurst about it") == ["smethurst"]
    assert needles.found_in("The Disney film was shown") == []  # redaction does not take "Disney" alone
    assert needles.found_in("Walter Disney was there") == ["walter disney"]  # the full name always

