"""A value found once (where the words around it said what it is) is
redacted wherever it stands: verification looks for every redacted text
across the whole file, and a call sign left in a later sentence failed the
file (exit 4) before."""

from __future__ import annotations

import pymupdf
from linekit import pdf_pages

from redactor.detect.values import RULE, Spreader, values_of
from redactor.detect.findings import Finding


def two_lines(path, first: str, second: str):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((50, 80), first, fontsize=10)
    page.insert_text((50, 120), second, fontsize=10)
    doc.save(path)
    return path


def test_a_call_sign_is_redacted_where_nothing_says_what_it_is(tmp_path, redact):
    src = two_lines(tmp_path / "in.pdf", "Call sign: TANGO 21 for the entry team.",
                    "TANGO 21 will hold the outer cordon until relieved.")
    result = redact(src)  # (verification ran: it would fail the file with the second one readable)
    spread = [f for f in result.findings if f.rule == RULE]
    assert [(f.text, f.category) for f in spread] == [("TANGO 21", "call_sign")]
    text = pymupdf.open(result.output)[0].get_text()
    assert "TANGO" not in text and "will hold the outer cordon" in text


def test_a_value_is_found_as_verification_looks_for_it(detector):
    pages = pdf_pages(["Call sign: TANGO 21 for the entry team."],
                      ["tango 21 later; TANGO 210 and XTANGO 21 are other things. Talkgroup 451 and 451 again."])
    found = list(detector.find_in_pages(pages))
    values = values_of(found, detector.propagate)
    assert [v.text for v in values.values()] == ["TANGO 21"]  # "451": too short to search for, so not spread
    hits = [(pages[1].text[s:e]) for s, e, _ in Spreader(values).matches(pages[1])]
    assert hits == ["tango 21"]  # in any case (as verification matches it), a whole word only


def test_names_values_found_in_context_only_and_text_under_drawn_boxes_are_not_spread(detector):
    name = Finding(page=1, start=0, end=10, text="Gareth Jones", category="person_name", exemption="S40(2)",
                   rule="s40.name.after_rank", confidence=0.9)
    alone = Finding(page=1, start=0, end=6, text="Gareth", category="person_name", exemption="S40(2)",
                    rule="names.propagated", confidence=0.5, searched=False)
    code = Finding(page=1, start=0, end=4, text="BX21", category="call_sign", exemption="S31(1)(a)",
                   rule="s31.call_sign", confidence=0.88, searched=False)
    under = Finding(page=1, start=0, end=10, text="CREATIVITY", category="text_under_existing_box",
                    exemption="S40(2)", rule="existing.text_under_box", confidence=0.9, hidden="hidden under a box")
    assert values_of([name, alone, code, under], detector.propagate) == {}
