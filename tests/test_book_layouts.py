"""What a typeset book taught (a 352-page book from a PDF library's test
suite was refused with 115 problems, none of them a real leak once these
were fixed): names in small capitals stored in lower case, fonts set at
1 pt and scaled by the text matrix, a film title that looks like a cited
author, and an entity cut by a line-break hyphen."""

from __future__ import annotations

import pymupdf
import spacy
from spacy.tokens import Span

from redactor.detect import citations
from redactor.detect.context import LINE_BREAK
from redactor.detect.engine import PROPAGATED_RULE
from redactor.detect.findings import Finding
from redactor.detect.recognizers.ner import NerRecognizer
from redactor.detect.rulepack import load_packs
from redactor.text.pdfium import PdfiumReader


def _book_page(doc: pymupdf.Document, lines: list[str], unit_font: bool = False) -> None:
    """A page of ``lines``; with ``unit_font`` each is set at 1 pt and drawn
    9 pt tall by its text matrix, as a typesetter may write it."""
    page = doc.new_page(width=432, height=648)
    page.insert_text((54, 60), " ", fontname="helv", fontsize=9)  # the font resource, and a stream to rewrite
    ops = []
    for i, line in enumerate(lines):
        text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        y = 600 - 14 * i
        if unit_font:
            ops.append(f"BT /helv 1 Tf 9 0 0 9 54 {y} Tm ({text}) Tj ET")
        else:
            ops.append(f"BT /helv 9 Tf 54 {y} Td ({text}) Tj ET")
    doc.update_stream(page.get_contents()[0], "\n".join(ops).encode("latin-1"))


def test_pdfium_boxes_of_a_font_set_at_1_pt_are_as_tall_as_the_line():
    doc = pymupdf.open()
    _book_page(doc, ["available at link #83; Declan McCullagh, Verizon"], unit_font=True)
    page = PdfiumReader(doc.tobytes()).page_text(0)
    i = page.text.index("Declan")
    mupdf = [c["bbox"] for b in doc[0].get_text("rawdict")["blocks"] for line in b["lines"] for s in line["spans"]
             for c in s["chars"] if c["c"] != " "]
    tallest = max(b[3] - b[1] for b in mupdf)
    for g in page.glyphs[i:i + 6]:
        assert g.size > 8.5
        assert g.bbox[3] - g.bbox[1] > 0.8 * tallest, "a sliver: the box would leave the glyph readable"


def test_a_name_in_small_capitals_stored_in_lower_case_is_redacted_there_too(tmp_path, redact):
    src = tmp_path / "book.pdf"
    doc = pymupdf.open()
    _book_page(doc, ["The witness, Lawrence Lessig, was called.",
                     "mr. lessig: Well, if it flies in the face of what the framers had in mind,",
                     "then the court must say so. The court adjourned."])
    doc.save(src)
    result = redact(src)
    assert any(f.text == "lessig" for f in result.findings)
    text = pymupdf.open(result.output)[0].get_text()
    assert "lessig" not in text.casefold() and "flies in the face" in text


def _finding(page, start, text, rule, confidence=0.75):
    return Finding(page=page, start=start, end=start + len(text), text=text, category="person_name",
                   exemption="S40(2)", rule=rule, confidence=confidence, rects=[(0, 0, 1, 1)])


def test_a_cited_looking_name_whose_surname_is_a_party_elsewhere_stays():
    """"Snow White (1937)" reads like "Author (year)"; if another White is
    redacted, every White is (propagation), so demoting this one would
    leave a White readable that verification rightly calls a leak."""
    films = "Disney drew on others: Snow White (1937), Fantasia (1940), Dumbo (1941)."
    case = "In White v. Nolan the court held otherwise; White appealed."
    cited = _finding(1, films.index("Snow"), "Snow White", "s40.name.ner")
    party = _finding(2, case.index("White"), "White", "s40.name.case_party")
    spread = _finding(2, case.rindex("White"), "White", PROPAGATED_RULE, 0.85)
    citations.settle([(films, [cited]), (case, [party, spread])], {"person_name"}, PROPAGATED_RULE)
    assert cited.confidence == 0.75 and cited.note is None
    alone = _finding(1, films.index("Snow"), "Snow White", "s40.name.ner")
    citations.settle([(films, [alone])], {"person_name"}, PROPAGATED_RULE)
    assert alone.confidence == citations.CITED_CONFIDENCE  # without the party it is a citation, as before


def test_an_entity_cut_by_a_line_break_hyphen_is_no_person():
    rule = next(r for pack in load_packs() for r in pack.rules if r.kind == "ner")
    recognizer = NerRecognizer(rule)
    nlp = spacy.blank("en")
    for text, words, kept in [(f"CARP (Copyright Arbitra-{LINE_BREAK}tion Royalty Panel), 324n", (2, 4), False),
                              ("met Declan McCullagh there", (1, 3), True)]:
        doc = nlp.make_doc(text)
        doc.ents = [Span(doc, *words, label="PERSON")]
        assert (recognizer.clean(text, doc.ents[0]) is not None) == kept, text
