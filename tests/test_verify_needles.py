"""What verification looks for besides the redacted texts: surnames alone,
as redaction takes them."""

from __future__ import annotations

from redactor.verify.needles import Needles


def test_a_surname_alone_is_looked_for_unless_it_is_an_ordinary_word():
    needles = Needles(["Jonathan Smethurst", "Walter Disney"], names=["Jonathan Smethurst", "Walter Disney"])
    assert needles.found_in("Ask Smethurst about it") == ["smethurst"]
    assert needles.found_in("The Disney film was shown") == []  # redaction does not take "Disney" alone
    assert needles.found_in("Walter Disney was there") == ["walter disney"]  # the full name always


def test_a_surname_that_is_a_frequent_word_is_no_leak_in_another_names_words():
    """"Malcolm White" redacted: "White" alone is looked for, but not in "The
    White Paper" or "Green Party"-like names (a capitalised ordinary word
    after), which redaction leaves; a rare surname is looked for there too."""
    needles = Needles(["Malcolm White", "Ada Smethurst"], names=["Malcolm White", "Ada Smethurst"])
    for line in ("The White Paper on policing was published.", "a White Paper", "his White Paper"):
        assert needles.found_in(line) == [], line
        assert needles.fuzzy_in(line) == [], line
    for line in ("White left at noon.", "Ask WHITE about it.", "The White family left.", "The White and Smith statements"):
        assert needles.found_in(line) == ["white"], line
        assert needles.fuzzy_in(line) == ["white"], line
    assert needles.found_in("The Smethurst Paper") == ["smethurst"]
    hall = Needles(["Kevin Hall"], names=["Kevin Hall"])
    for line in ("Ernst & Hall put it", "Ernst&Hall put", "the Hall Road estate"):  # a firm's (spaces or not), a place's
        assert hall.found_in(line) == [] and hall.fuzzy_in(line) == [], line
    for line in ("Later Hall said no.", "Interview With Hall", "Sgt Hall left.", "contact Hall, the parent"):
        assert hall.found_in(line) == ["hall"] and hall.fuzzy_in(line) == ["hall"], line



def test_squeezed_forms_begin_and_end_where_words_do():
    """A redacted text read with its spaces or punctuation squeezed out
    (letter-spaced, kerned apart, an address split at its dots) is a leak;
    the same letters across ordinary words, or inside a longer word, are
    not (a 352-page book was refused for each of these)."""
    n = Needles(["Heston", "Nesson", "Daguerre", "Jonathan Smethurst", "jonathan.smethurst@example.org"],
                names=["Charlton Heston"], as_written=["Myers"])
    for clean in ("The Sword in the Stone", "TheSwordintheStone (1963)", "business on distributing",
                  "the demand for daguerreotypes", "Bristol-Myers Squibb", "Myers-Briggs",
                  "busi-\nness on distributing", "ness on distributing this content"):
        assert n.found_in(clean) == [], clean
    assert n.found_in("H e s t o n said") == ["heston"]
    assert n.found_in("J o n a t h a n  S m e t h u r s t") == ["jonathan smethurst"]
    assert n.found_in("(JonathanSmethurst)") == ["jonathan smethurst"]
    assert n.found_in("/Checked-by-Jonathan-Smethurst") == ["jonathan smethurst"]  # its own words, apart
    assert Needles(["Rachel Turner"]).found_in("Checked-by-Rachel-Turner") == ["rachel turner"]  # ordinary words
    one = Needles(["Smethurst", "Nesson"])
    assert one.found_in("Dr Smeth urst was there") == ["smethurst"]  # "smeth", "urst": no words
    assert one.found_in("then Ne s son spoke") == ["nesson"]  # a letter alone: spaced out
    assert "jonathan.smethurst@example.org" in n.found_in("write to jonathan . smethurst @ example . org")
    assert n.found_in("Mr Myers said") == ["myers"] and n.found_in("MYERS:") == ["myers"]
