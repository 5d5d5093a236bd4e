"""A name redacted only where the words around it say it is a person (a
first name alone: "ring Gareth on"), end to end: the boxes go where it is a
person, the same word elsewhere stays ("the Gareth report", "Victoria
Station"), and verification, of the output and of the output with its log,
checks those boxes and does not fail the file for the word it left."""

from __future__ import annotations

import pymupdf

from pdfkit import make_pdf, text_op
from redactor.detect.engine import Detector
from redactor.detect.rulepack import load_packs
from redactor.pipeline import redact_pdf

LINES = ["Officer in charge: PC Gareth Jones 4411",
         "Please ring Gareth on the desk line. Gareth said the van was clean.",
         "The Gareth report is due on Friday at Victoria Station."]


def test_a_first_name_redacted_in_context_passes_verification(tmp_path, cli):
    src = make_pdf(tmp_path / "in.pdf", [b"".join(text_op(t, 72, 700 - 20 * i) for i, t in enumerate(LINES))])
    result = redact_pdf(src, tmp_path / "out.pdf", Detector(load_packs(), use_nlp=False))  # verifies, or raises
    spread = sorted(f.text for f in result.findings if not f.searched)
    assert spread == ["Gareth", "Gareth"]
    text = " ".join(pymupdf.open(result.output)[0].get_text().split())
    assert "ring Gareth" not in text and "Gareth said" not in text and "Jones" not in text
    assert "The Gareth report is due on Friday at Victoria Station." in text
    code, out, err = cli("verify", result.output, "--log", result.log)
    assert code == 0, err
