"""Verification folds case only for what was redacted in any case: a
surname that is also an ordinary word is looked for as written."""

from __future__ import annotations

import pymupdf

from pdfkit import NEIGHBOUR, make_pdf, neighbour_op, text_op
from redactor.verify.checks import Redaction, verify_file


def _pdf(tmp_path, *lines):
    body = neighbour_op() + b"".join(text_op(t, 72, 600 - 20 * i) for i, t in enumerate(lines))
    return make_pdf(tmp_path / "in.pdf", [body])


def test_an_ordinary_word_in_prose_is_not_a_leak_of_a_surname(tmp_path):
    src = _pdf(tmp_path, "The walls were painted white last year.")
    as_written = Redaction(1, [], "White", "S40(2)", category="person_name", fold_case=False)
    assert verify_file(src, [as_written]).ok
    # the control: folded, the same word is a leak
    folded = Redaction(1, [], "White", "S40(2)", category="person_name", fold_case=True)
    assert not verify_file(src, [folded]).ok


def test_the_surname_as_written_is_still_a_leak(tmp_path):
    for line in ("Statement taken by Sgt White at noon.", "SGT WHITE signed it."):
        src = _pdf(tmp_path, line)
        r = Redaction(1, [], "White", "S40(2)", category="person_name", fold_case=False)
        report = verify_file(src, [r])
        assert not report.ok and "white" in " ".join(report.problems).casefold(), line
    assert NEIGHBOUR in pymupdf.open(src)[0].get_text()
