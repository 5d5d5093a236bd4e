"""Issue 10's precision on real PDFs that are not briefings: each class of
false positive (and one miss) seen on real files, rebuilt on a PDF made
here, with a control that must still be found."""

from __future__ import annotations

import pytest
from linekit import found, pdf_pages

from redactor.detect.engine import Detector
from redactor.detect.rulepack import load_packs


@pytest.fixture(scope="module")
def detector():
    return Detector(load_packs())  # with NER where installed


def test_a_signer_named_before_an_email_in_brackets_is_found_last_initial_included(detector):
    # an e-signing audit trail: "Tlibnekreb Jay" was found (NER), "Tlibnekreb Q" was not
    got = found(detector, "Document e-signed by Tlibnekreb Q (ejb@ql.example)",
                "Signature Date: 2023-12-24 - 12:30:53 PM GMT",
                "Signature: Tlibnekreb Q")
    assert [t for t, c in got if c == "person_name"] == ["Tlibnekreb Q", "Tlibnekreb Q"]
    assert ("ejb@ql.example", "email") in got
    # control: angle brackets as before; a lone letter before the address is not a name
    got = found(detector, "From: Ana Paz <a.paz@force.example>", "Signer null Q (ejb@ql.example) entered it")
    assert ("Ana Paz", "person_name") in got
    assert not any(t in ("Q", "null Q") for t, _ in got)


GERMAN_PAGE = [
    "Sei X ein topologischer Raum und A eine Teilmenge von X mit dem Rand B.",
    "Die Elemente von T heissen offene Mengen, die anderen nennt man abgeschlossen.",
    "Ist U offen in Q. Dann ist auch der Abschluss von U eine abgeschlossene Menge.",
    "Beweis: Sei x ein Punkt im Komplement von A. Dann gibt es eine Umgebung von x.",
    "AC",
    "Komplement von A",
    "Das Skript folgt der Vorlesung von Prof. Dr. Herrlich im Wintersemester.",
    "Fragen und Fehler bitte an info@thoma.example schicken oder anrufen.",
]


def test_german_words_are_not_names_on_a_german_page(detector):
    # GeoTopo: "Q. Dann" as initials and a surname, "Komplement" after the rank "AC",
    # then "Dann", "Sei" and "Komplement" spread through the document (and verify refused it)
    english = ["Briefing for DS Rachel Turner, mobile 07700 900123."]
    got = [(f.text, f.category, f.page) for f in detector.find_in_pages(pdf_pages(GERMAN_PAGE, english))]
    names = {t for t, c, _ in got if c == "person_name"}
    assert not names & {"Dann", "Sei", "Komplement", "Q. Dann", "Dr.", "Dr. Herrlich"}
    # controls: the lecturer after his titles, the address, and the English page as before
    assert ("Herrlich", "person_name", 1) in got
    assert ("info@thoma.example", "email", 1) in got
    assert ("Rachel Turner", "person_name", 2) in got and ("07700 900123", "phone", 2) in got


def test_a_name_on_a_german_page_is_matched_as_written_when_it_is_a_german_word(detector):
    # "Herrlich" is a German word ("herrlich", splendid): verification must not fold its case
    found_ = [f for f in detector.find_in_pages(pdf_pages(GERMAN_PAGE)) if f.text == "Herrlich"]
    assert found_ and all(f.fold_case is False for f in found_)


def test_organisations_in_another_language_are_not_people(detector):
    if detector.nlp is None:
        pytest.skip("no spaCy pipeline installed")
    lines = ["Editorial Board: Guido Dedene, Katholieke Universiteit Leuven",
             "Alan Dennis, Indiana University; Margunn Aanestad, University of Oslo"]
    got = found(detector, *lines)
    assert not any("Universiteit" in t or "Leuven" in t for t, _ in got)
    assert ("Alan Dennis", "person_name") in got  # control
    # controls: a name one of whose words is frequent in its own language ("Fábio" in Portuguese)
    got = found(detector, "The witness, Fábio Sousa, said that Leke Edun was driving.")
    assert {("Fábio Sousa", "person_name"), ("Leke Edun", "person_name")} <= set(got)


@pytest.mark.parametrize("line", [
    "-".join(f"{k:02d}" for k in range(64)),  # a test page's ruler: "18-19-...-26" passed Luhn
    "Pay by bank transfer - use our account 123456789-1234567890 or use the 'Pay online' link.",
])
def test_a_chain_or_another_grouping_is_not_a_payment_card(detector, line):
    assert not any(c == "bank_details" for _, c in found(detector, line))


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "4111111111111111", "4111-1111-1111-1111", "3782 822463 10005"])
def test_a_payment_card_in_its_printed_groups_is_still_found(detector, card):
    assert (card, "bank_details") in found(detector, f"She paid with card {card} 12/25 at the till.")


@pytest.mark.parametrize("lines, wrong", [
    (["Categories and Subject Descriptors D.3.4 [Programming Languages]: Processors"], "Descriptors D."),
    (["32 Track MIDI Sequence Recorder", "The LinnSequencer is a state-of-the-art composition tool."],
     "The LinnSequencer"),
    (["Discharge Review Board, 720 Kennon Ave. S.E., Suite 309"], "S.E."),
    (["DoD Instruction 1332.28; and E.O. 9397 (SSN), as amended."], "E.O."),
])
def test_sections_compass_points_references_and_articles_are_not_names(detector, lines, wrong):
    assert not any(t == wrong or t.startswith(wrong) for t, _ in found(detector, *lines))


def test_names_after_a_title_and_initials_are_still_found(detector):
    got = found(detector, "The witness, C.Ç., spoke to Recorder Ana Paz today.",
                "Subject: J.S. was seen by Mr D. Whitfield.")
    names = {t for t, c in got if c == "person_name"}
    assert {"C.Ç.", "J.S.", "D. Whitfield"} <= names
    assert any(t.endswith("Ana Paz") for t in names)


def test_a_us_zip_code_after_dc_is_not_a_shoulder_number(detector):
    got = found(detector, "Navy Discharge Review Board, 720 Kennon Ave. S.E., Suite 309",
                "Washington Navy Yard, DC 20374-5023",
                "2703 Martin Luther King Jr. Ave. S.E. Washington, DC 20593")
    assert not any(c == "shoulder_number" for _, c in got)
    assert not any(t in ("S.E.", "Ave", "Jr. Ave", "S.E. Washington") for t, _ in got)
    # controls: a detective constable's number, initials before surnames (a spaced "S. E." too)
    got = found(detector, "Statement taken by DC 4412 Whitfield. Letter to N. Kalkan and S. E. Whitfield.")
    assert ("4412", "shoulder_number") in got
    assert {("N. Kalkan", "person_name"), ("S. E. Whitfield", "person_name")} <= set(got)


def test_a_printers_slug_is_not_a_postcode(detector):
    # every page of a book: "S32 R33 4TH PASS PAGES" (no postcode area is the letter R alone)
    assert not any(c == "postcode" for _, c in found(detector, "28 29 30 31 S32 R33 4TH PASS PAGES 14773_00.qxd"))
    got = found(detector, "Home address: 14 Wrenfield Rise, Poole BH14 9QP; work W1A 1AA; shop B33 8TH.")
    assert {("BH14 9QP", "postcode"), ("W1A 1AA", "postcode"), ("B33 8TH", "postcode")} <= set(got)


def test_an_acronym_in_a_case_and_a_plural_phrase_are_not_people(detector):
    # "RIAA v. Verizon" made RIAA a person, then spread to every "RIAA" of a book
    pages = pdf_pages(["For the suit, see RIAA v. Verizon Internet Services (In re Verizon)."],
                      ["The RIAA sued again.", "Brief of Amici Curiae on Copyright Infringements."])
    got = {(f.text, f.category) for f in detector.find_in_pages(pages)}
    assert not any(c == "person_name" for _, c in got)
    # controls: a person in a case citation, in capitals too; a family in the plural
    got = found(detector, "Saunders v. the United Kingdom and KALKAN v. TURKEY.", "Witness: Tinie Causby.",
                "The Causbys sold the farm.")
    assert {("Saunders", "person_name"), ("KALKAN", "person_name"), ("Causbys", "person_name")} <= set(got)


def test_a_single_initial_found_once_is_not_spread(detector):
    # a rank before "B." made "B." a name, then every "z.B." of a German text was redacted
    pages = pdf_pages(["Seen by PC B. at the gate."], ["Viele Beispiele, wie z. B. diese, sind offen."])
    got = [(f.text, f.page) for f in detector.find_in_pages(pages)]
    assert not any(p == 2 for _, p in got)
    # control: initials of two letters are spread
    pages = pdf_pages(["Witness: J.P. said so."], ["Later J.P. left."])
    assert ("J.P.", 2) in [(f.text, f.page) for f in detector.find_in_pages(pages)]


REFERENCES = [
    "Trace trees were first proposed by Gal et al. (11); Salib (17) designed a type inference.",
    "References",
    "[10] A. Gal. Efficient Bytecode Verification. PhD thesis, University of California, 2006.",
    "[11] A. Gal, C. W. Probst, and M. Franz. HotpathVM: An effective JIT compiler.",
    "In Proceedings of VEE, pages 144-153. ACM Press, 2006.",
    "[17] M. Salib. Starkiller: A Static Type Inferencer for Python. In PEPM, 2004.",
    "[18] T. Suganuma, T. Yasue, and T. Nakatani. A Region-Based Compilation Technique.",
    "ACM Transactions on Programming Languages and Systems, 28(1):134-174, 2006.",
    "Reference: Chuttur M.Y. (2009). \"Overview of the Technology Acceptance Model\".",
]


def test_authors_cited_in_a_reference_list_are_proposed_not_redacted(detector):
    # tracemonkey's reference list and its in-text citations: 90 of the findings left on the
    # real-world files were published authors, redacted unreviewed
    found_ = detector.find_in_pages(pdf_pages(REFERENCES + ["Briefing: DS Rachel Turner and R. Okafor, 2024."]))
    by_text = {}
    for f in found_:
        by_text.setdefault(f.text, set()).add(f.confidence)
    for name in ("A. Gal", "C. W. Probst", "M. Franz", "M. Salib", "T. Suganuma", "T. Nakatani", "M.Y.", "Gal",
                 "Salib"):
        assert by_text.get(name) and max(by_text[name]) < 0.5, name  # in the plan, for a reviewer
    cited = [f for f in found_ if f.text == "M. Salib"]
    assert cited[0].note and "published work" in cited[0].note
    # controls: an officer and another name on the page, outside the list
    assert min(by_text["Rachel Turner"]) >= 0.5 and min(by_text["R. Okafor"]) >= 0.5


def test_a_numbered_list_of_people_with_years_is_not_a_reference_list(detector):
    lines = ["[1] PC J. Smith, PS K. Jones, 2024. Briefing for Operation Kestrel.",
             "[2] R. Turner, 2023. Statement taken at the custody suite.",
             "[3] A. Okafor, 2024. Press office liaison for the operation.",
             "DS Mark Hollis (2009) was present; J. Smith et al. attended the debrief."]
    found_ = detector.find_in_pages(pdf_pages(lines))
    names = {f.text: f.confidence for f in found_ if f.category == "person_name"}
    for name in ("J. Smith", "K. Jones", "R. Turner", "A. Okafor", "Mark Hollis"):
        assert names.get(name, 0) >= 0.5, name
    assert all(f.confidence >= 0.5 for f in found_ if f.category == "person_name")


def test_placeholder_text_is_not_a_person(detector):
    # pypdf's multicolumn sample: "Lorem Ipsum" found by NER, then spread to "Lorem ipsum dolor sit amet"
    got = found(detector, "Two-Column Document with Lorem Ipsum", "Your Name", "January 3, 2024", "Abstract",
                "This is a sample document with two columns filled", "with Lorem Ipsum text.",
                "Lorem ipsum dolor sit amet, consectetuer adip-", "iscing elit.",
                "Prepared by DS Rachel Turner.")
    assert not [t for t, c in got if c == "person_name" and "orem" in t]
    assert ("Rachel Turner", "person_name") in got  # control
