"""Rule packs on text: each identifier with valid and invalid examples, each
precision trap, names found everywhere, allow lists."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from redactor.detect.engine import Detector
from redactor.text.mupdf import extract_page
from redactor.detect.rulepack import load_packs
from redactor.pipeline import RunOptions

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rules_only():
    return Detector(load_packs(), use_nlp=False)


def found(detector, text):
    return {(f.text, f.category) for f in detector.find_in_text(text)}


def categories(detector, text):
    return {f.category for f in detector.find_in_text(text)}


@pytest.mark.parametrize("text, category, value", [
    ("Mobile 07700 900123 after six.", "phone", "07700 900123"),
    ("Ring (0161) 496 0311 for the desk.", "phone", "(0161) 496 0311"),
    ("Tel: +44 20 7946 0999.", "phone", "+44 20 7946 0999"),
    ("Call 07911123456 now.", "phone", "07911123456"),
    ("Email a.b-c@met.police.example today.", "email", "a.b-c@met.police.example"),
    ("Write to {hartley,j.brown}@uni.example.ac.uk about it.", "email", "{hartley,j.brown}@uni.example.ac.uk"),
    ("Lives at 12 Acacia Avenue, London N1 2AB.", "postcode", "N1 2AB"),
    ("Lives at 12 Acacia Avenue, London N1 2AB.", "address", "12 Acacia Avenue, London"),
    ("Postcode SW1A1AA on file.", "postcode", "SW1A1AA"),
    ("NI number AB 12 34 56 C recorded.", "ni_number", "AB 12 34 56 C"),
    ("NHS number 943 476 5870 recorded.", "nhs_number", "943 476 5870"),
    ("Passport 123456789 seen.", "passport_number", "123456789"),
    ("Licence MORGA753116SM9IJ 35 produced.", "driving_licence", "MORGA753116SM9IJ 35"),
    ("Vehicle AB12 CDE seen.", "vrm", "AB12 CDE"),
    ("Vehicle registration A123 BCD noted.", "vrm", "A123 BCD"),
    ("PNC ID 98/123456X.", "pnc_number", "98/123456X"),
    ("Custody record MP/12345/24 opened.", "custody_number", "MP/12345/24"),
    ("Sort code 12-34-56, account 12345678.", "bank_details", "12-34-56"),
    ("Sort code 12-34-56, account 12345678.", "bank_details", "12345678"),
    ("IBAN GB82 WEST 1234 5698 7654 32 used.", "bank_details", "GB82 WEST 1234 5698 7654 32"),
    ("Card 4111 1111 1111 1111 used.", "bank_details", "4111 1111 1111 1111"),
    ("Logged in from 81.2.69.160 at night.", "ip_address", "81.2.69.160"),
    ("DOB 12/03/1985 per PNC.", "date_of_birth", "12/03/1985"),
    ("She was born 3 March 1990 in Leeds.", "date_of_birth", "3 March 1990"),
    # written other ways (helper 35's independently written police texts)
    ("Detained person DOB: 1997-08-14 Sex: F", "date_of_birth", "1997-08-14"),
    ("Driver was Tyler Cole, DOB 15-Jun-2004, of Basildon.", "date_of_birth", "15-Jun-2004"),
    ("DOB on passport 03 NOV 1988.", "date_of_birth", "03 NOV 1988"),
    ("my son's date of birth is 9 july 2007.", "date_of_birth", "9 july 2007"),
    ("DoB recorded as 11th March '88 on the system.", "date_of_birth", "11th March '88"),
    ("Date of birth: March 11, 1988.", "date_of_birth", "March 11, 1988"),
    ("Warrant number 123456 shown.", "warrant_number", "123456"),
    ("Call signs: MP21, TX44 and BX70.", "call_sign", "TX44"),
    ("Trojan 21 will lead.", "call_sign", "Trojan 21"),
    ("Use talkgroup 451 for entry.", "radio_channel", "451"),
    ("Surveillance callsigns are Oscar 1 to Oscar 4.", "call_sign", "Oscar 4"),
    ("Call signs: Alpha 2, Bravo 7 or Mike 11.", "call_sign", "Mike 11"),
    ("DC Priya Patel (collar 5678) attended.", "shoulder_number", "5678"),
    ("Custody record 07/123456/24 refers.", "custody_number", "07/123456/24"),
    ("Report by T/DS Ahmed Rafiq.", "person_name", "Ahmed Rafiq"),
    ("A/Insp Karen Holt approved the plan.", "person_name", "Karen Holt"),
    ("T/DC 2231 Evans attended.", "shoulder_number", "2231"),
    ("The caller, an elderly man named Derek, reported the noise.", "person_name", "Derek"),
    ("She has a friend called Sue Black nearby.", "person_name", "Sue Black"),
    ("A man known to her only as Sonata was at the door.", "person_name", "Sonata"),  # a word, but an alias
    ("Officers: DS Kaspar van der Dussen (8695CT).", "person_name", "Kaspar van der Dussen"),
    ("Officers: DS Kaspar van der Dussen (8695CT).", "shoulder_number", "8695CT"),
    ("Log keeper: Inspector Sofie van Laon 4381.", "shoulder_number", "4381"),
    ("Enquiries with the neighbour, Omolara Adeyemi, were made.", "person_name", "Omolara Adeyemi"),
    ("Iosif Albu, PS 2428HX, was the first officer on scene.", "person_name", "Iosif Albu"),
    ("Negotiators: DS Lee Thompson and DC Kim Ng.", "person_name", "Kim Ng"),  # the full stop stays
    ("That evening Beverley Mistry telephoned to say so.", "person_name", "Beverley Mistry"),
    ("Elena Ene reported the theft on Monday.", "person_name", "Elena Ene"),
    ("Radio: TG 12 for the cordon.", "radio_channel", "12"),
    ("ARV call sign TANGO 21 to hold at the RVP.", "call_sign", "TANGO 21"),       # a phonetic word in capitals
    ("TSG carrier Delta Mike 40 to the front.", "call_sign", "Delta Mike 40"),     # two phonetic words, no cue
    ("Suspect 1: SMITH, John Paul", "person_name", "SMITH, John Paul"),           # numbered label, surname first
    ("Suspect 2: OKAFOR Chidi, 19 years", "person_name", "OKAFOR Chidi"),
    ("From: Halvorsen, Ingrid <ih@police.example>", "person_name", "Halvorsen, Ingrid"),
    ("CRO number 123456/98Y on file.", "pnc_number", "123456/98Y"),
    ("Reporting officer: 2214 PC Ellis", "shoulder_number", "2214"),               # the number before the rank
    ("Dear Ingrid,\nThe plan is attached.", "person_name", "Ingrid"),              # the name an e-mail opens with
    ("Hello Sunita Rao!", "person_name", "Sunita Rao"),
    ("To: Ingrid Halvorsen; Marek Nowak; DS Kim Ng", "person_name", "Marek Nowak"),  # recipients, ";" between
    ("Chantal Raynaud, Inspector 4303WV, was first on scene.", "person_name", "Chantal Raynaud"),  # rank in words
    ("Twitter: @PCJaneDoe_Met", "social_media", "@PCJaneDoe_Met"),
    ("Her Instagram handle is @dazza.mac_99", "social_media", "@dazza.mac_99"),
    ("IMEI 356938035643809 on the seized handset.", "device_id", "356938035643809"),  # not a payment card
    ("Card used for the handset: 4111 1111 1111 1111.", "bank_details", "4111 1111 1111 1111"),  # a card still
    ("Bank: sort 20-00-00 acc 43210987", "bank_details", "43210987"),
    ("FRV: Tesco car park, Old Kent Road", "rendezvous_point", "Tesco car park, Old Kent Road"),
    ("Entry team: MOE with a hydraulic ram, rapid entry at 0500.", "tactic", "rapid entry"),
    ("Airwave channel MP-3 for the entry.", "radio_channel", "MP-3"),
    ("RVP: Rear car park of the leisure centre", "rendezvous_point", "Rear car park of the leisure centre"),
    ("Grid TQ 31245 79812.", "location", "TQ 31245 79812"),
    ("Meet at ///filled.count.soap tonight.", "location", "///filled.count.soap"),
    ("Assets: 2 x ARV on standby.", "tactical_asset", "2 x ARV"),
    ("A CHIS reports weekly.", "covert_method", "CHIS"),
    ("Intelligence graded B2 by the unit.", "intelligence_grading", "B2"),
    ("CAD 4567/12Mar refers.", "reference_number", "4567/12Mar"),
    ("Crime reference 5012345/24.", "reference_number", "5012345/24"),
    ("SO15 will be informed.", "ct_capability", "SO15"),
    ("Special Branch officers were embedded at the port.", "ct_capability", "Special Branch"),
    ("The Prevent officer made a Channel referral.", "ct_capability", "Channel referral"),
    ("There is no armed presence at the venue overnight.", "vulnerability", "no armed presence at the venue overnight"),
    ("The site has hostile vehicle mitigation in place.", "protective_security", "hostile vehicle mitigation"),
    ("Blind spot at the rear service gate.", "vulnerability", "Blind spot at the rear service gate"),
    ("There is no CCTV on the east stairwell.", "vulnerability", "no CCTV on the east stairwell"),
    ("The control room has no cover between 0300 and 0500.", "vulnerability", "no cover between 0300 and 0500"),
    ("The venue has only two armed officers after midnight.", "tactical_asset", "two armed officers"),
    ("The search dog team will sweep the venue.", "tactical_asset", "search dog team"),
    ("Nurse Practitioner Jones saw the patient.", "person_name", "Jones"),
    ("CSI Gemma Thorne recovered the knife.", "person_name", "Gemma Thorne"),
    # helper 35's independently written police texts
    ("Supt Aled ap Rhys approved it.", "person_name", "Aled ap Rhys"),  # a Welsh particle
    ("Contact DS Pritchard on ext 65213.", "phone", "65213"),  # an extension alone
    ("Tel: 01978 294 123 | Internal: x 6-4412", "phone", "6-4412"),
    ("Insp 0711 Deepak Chaudhary ext 7804 2271", "phone", "7804 2271"),
    ("All units to go to talkgroup GM-OPS 7 for the strike.", "radio_channel", "GM-OPS 7"),
    ("RADIO: TG LANC-EAST 4.", "radio_channel", "LANC-EAST 4"),
    ("01:40 OM21 AND OM23 RESUMING.", "call_sign", "OM23"),  # a log's words for units
    ("0215 XY12 TASKED TO ADDRESS", "call_sign", "XY12"),
    ("CALL SIGNS: ECHO BRAVO 1 (SGT WALSH)", "person_name", "WALSH"),  # a rank in capitals
    ("SERGEANT WALSH ATTENDED", "person_name", "WALSH"),
    ("INSP JONES ATTENDED", "person_name", "JONES"),  # (not "JONES ATTENDED": a verb in capitals)
    ("A rolling road block was used on the M6.", "tactic", "rolling road block"),
    ("Stop sticks were deployed at junction 4.", "tactic", "Stop sticks"),
    ("Strike time 0600hrs.", "tactic", "0600hrs"),
    ("CTPNE and ECTU officers attended.", "ct_capability", "ECTU"),
    ("Detained person: Anna Kowalska", "person_name", "Anna Kowalska"),  # labels of custody and crime records
    ("Name: Anna Kowalska Rank: PC", "person_name", "Anna Kowalska"),
    ("NAME GIVEN AS LIAM O'ROURKE DOB 19/07/97.", "person_name", "LIAM O'ROURKE"),
    ("Offender: GLENN SPROSTON", "person_name", "GLENN SPROSTON"),
    ("Surname: OKAFOR Forename: John", "person_name", "OKAFOR"),  # (not "OKAFOR Forename")
    ("He drives FY 07 LMN.", "vrm", "FY 07 LMN"),  # a plate spaced after its area letters
    ("PCs Jones and Patel attended.", "person_name", "Patel"),  # after a plural rank
    # helper 36's held-out texts
    ("DC 7702 Obi attended", "person_name", "Obi"),  # after a rank and a number, whatever the word
    ("PC 21904 de Souza attended", "person_name", "de Souza"),
    ("Ps 2219 Kowalczyk attended", "shoulder_number", "2219"),
    ("indicates that Lee PRITCHARD (DOB 1/2/80) was there", "person_name", "Lee PRITCHARD"),  # a surname in capitals
    ("KAMINSKI Piotr was arrested", "person_name", "KAMINSKI Piotr"),
    ("Aoife McGRATH and Liam O'ROURKE", "person_name", "Liam O'ROURKE"),
    ("14:24  ARV deployed", "tactical_asset", "ARV"),  # (not "24 ARV": the time's minutes)
    ("Internal: 26440", "phone", "26440"),
    ("Call me on x65012", "phone", "65012"),
    ("Social worker: Hannah Price", "person_name", "Hannah Price"),
    ("URN 42 QW 1187 24", "reference_number", "42 QW 1187 24"),  # a CPS URN with its spaces
    ("CRIME REF GMP/24/118834", "reference_number", "GMP/24/118834"),  # a force's prefix
    ("Complaint reference: CO/00451/24", "reference_number", "CO/00451/24"),
    ("BWV ref 2290-8812", "reference_number", "2290-8812"),
    ("1315 - Stopped gn15wxf on Newport Road.", "vrm", "gn15wxf"),  # and in lower case
])
def test_identifier_found(rules_only, text, category, value):
    assert (value, category) in found(rules_only, text)


@pytest.mark.parametrize("text, category", [
    ("Ref 2024 0012 3341.", "phone"),                    # not a phone number
    ("NI number BG 12 34 56 C recorded.", "ni_number"),  # prefix never issued
    ("NI number AB 12 34 56 E recorded.", "ni_number"),  # suffix A-D only
    ("NHS number 943 476 5871 recorded.", "nhs_number"),  # fails mod-11
    ("Reference 943 476 5870 recorded.", "nhs_number"),   # valid checksum, no NHS context
    ("Code N1 2AC applies.", "postcode"),                 # C is never in the last two letters
    ("Account ref 123456789.", "passport_number"),        # no passport context
    ("Item AB12 CDE3 ordered.", "vrm"),
    ("IBAN GB82 WEST 1234 5698 7654 33 used.", "bank_details"),  # fails mod-97
    ("Card 4111 1111 1111 1112 used.", "bank_details"),         # fails Luhn
    ("Version 1.2.3.4 of the form.", "ip_address"),
    ("Briefing 12/03/2024 at 06:30.", "date_of_birth"),  # a date without a birth cue
    ("Meeting on 2024-03-14 at noon.", "date_of_birth"),
    ("Our switchboard is 01245 491491 and the press office 01245 452451.", "phone"),  # the force's public lines
    ("See the extension 3 of the building.", "phone"),
    # helper 34, on real PDFs: a book's index, geometry
    ("Superman comics, 27 Supreme Court, U.S.: access to opinions", "address"),
    ("108-9 Ninth Circuit Court of Appeals", "address"),
    ("so that angle ABC = angle AC B. as required", "person_name"),
    ("Route A40 resumed traffic after the crash.", "call_sign"),  # a road
    ("The meeting time is 14:00.", "tactic"),
    ("Company name: Acme Ltd", "person_name"),
    ("File name: Report final", "person_name"),
    ("see ab12cde for details", "vrm"),
    ("Will ANPR work? Paris CCTV review. Python NUMPY arrays.", "person_name"),
    ("PC 1234 The end", "person_name"),
    ("Rated 4x4 x2000 units. Internal: 3 pages", "phone"),
    ("B. Facts after 30 April 1993", "date_of_birth"),  # a heading's letter is no "b." (born)
    ("Method of entry: PC Jones", "tactic"),  # a team's role, a heading: the tactic is what follows
    ("Flagged on ANPR last week.", "tactical_asset"),
    ("Report to Head Office, DC 2001 by Friday.", "person_name"),  # not a name before a rank and number
    ("Milton Keynes reported a rise in burglary.", "person_name"),  # a town before a verb of telling
    ("Dear Chief Constable,", "person_name"),           # a greeting to a role, not a first name
    ("Dear Colleague,\nHi Team,", "person_name"),
    ("My dear Watson, he said.", "person_name"),        # not a greeting opening its line
    ("IMEI 356938035643809 on the seized handset.", "bank_details"),  # passes Luhn, but a handset's
    ("Contact j.smith@example.org today.", "social_media"),           # an e-mail address, not a handle
    ("The hard stop at 3pm is firm.", "tactic"),                       # a meeting's end, not a vehicle stop
    ("No CCTV was recovered from the scene.", "vulnerability"),       # evidence not found, not a gap in cover
    ("Armed officers attended and two officers were hurt.", "tactical_asset"),  # no number of armed officers
    ("The Nurse Station is on the left.", "person_name"),              # a title before a word, not a name
    ("To: Operations Room; Press Office", "person_name"),             # recipients that are no one's name
    ("In Leeds, Sergeant 1234 attended.", "person_name"),             # a town before a rank, not a name
])
def test_identifier_not_found(rules_only, text, category):
    assert category not in categories(rules_only, text)


@pytest.mark.parametrize("trap", [
    "Operation Harrier starts on 14/03/2025 at 06:30.",           # operation date and time
    "The debrief is at 16:00 in room 4.",                          # times
    "See page 14 of 20.",                                          # page numbers
    "Refer to paragraph 3.2.1 and section 4.",                     # paragraph references
    "Section 40(2) and Section 31(1)(a) of the Freedom of Information Act apply.",  # statute numbers
    "Officers from Camden and Islington will support.",            # borough names
    "The public threat level remains SUBSTANTIAL.",                # published threat level
    "OFFICIAL-SENSITIVE | Operation Harrier briefing",             # a marking does not make it exempt
    "The Police Reform Act 2002 sets out the powers of PCSOs.",    # statute with a year
    "Gold Commander and Silver Commander agree the plan.",         # command roles, not names
    "Watch Channel 4 News tonight.",                               # television, not radio
    "ECG channel 2 shows artefact.",                               # a medical trace
    "Sales channel: B2B and retail.",                              # a sales channel
    "MTG 12 agenda.",                                              # "TG" inside a word
    "Triglycerides TG 1.2 mmol/L.",                                # a decimal after "TG"
    "Model T800 units were ordered.",                              # a product's model, not a call sign
    "He hurt his left shoulder 3 weeks ago.",                      # a shoulder, not a shoulder number
    "The collar of the shirt was size 16.",                        # a collar, not a collar number
    "A male called the police at 22:10.",                          # "called" is not a name's introduction
    "The field known as Riverside floods in winter.",              # "known as" alone: a place may follow
    "Network Rail confirmed the delay.",                           # an organisation
    "The office in Washington, DC 20593 replied.",                 # a ZIP code, not a constable
    "The launch was on November 5 at Echo 3 studios.",            # one phonetic word and a number
    "In 2019 PC numbers rose.",                                    # a year before a word, not a shoulder number
])
def test_precision_traps(trap):
    detector = Detector(load_packs())  # with NER where installed
    assert detector.find_in_text(trap) == []


def test_a_channel_is_a_radio_channel_only_where_radio_words_are_near(rules_only):
    """"Channel" alone is television's, an ECG's, a form's field as much as
    a radio's: near radio words its number is taken; alone it is proposed
    for review, below the threshold `redact` applies."""
    near = [f for f in rules_only.find_in_text("Comms: switch the radios to channel 12.") if f.text == "12"]
    assert [(f.category, f.confidence >= RunOptions().min_confidence) for f in near] == [("radio_channel", True)]
    alone = [f for f in rules_only.find_in_text("Channel: 1") if f.category == "radio_channel"]
    assert [(f.text, f.confidence < RunOptions().min_confidence) for f in alone] == [("1", True)]


def test_a_surname_first_takes_its_forenames_but_a_list_stays_a_list(rules_only):
    """Police logs write "SMITH, John Paul" after a label: one person. A list
    of first names after a label is several people, each a finding."""
    one = [f.text for f in rules_only.find_in_text("Witness: JONES, Sarah Anne") if f.category == "person_name"]
    assert one == ["JONES, Sarah Anne"]
    many = [f.text for f in rules_only.find_in_text("Witness: Sarah, John and Ali.") if f.category == "person_name"]
    assert "Sarah" in many and not any("," in t for t in many)



@pytest.mark.parametrize("text, name", [
    ("Log keeper  PS Arya Bhasin  9429CT", "Arya Bhasin"),   # "Arya" is in no first-name table and is a word
    ("Sergeant Arya Bhasin attended.", "Arya Bhasin"),
    ("Sergeant Major Bhasin attended.", "Bhasin"),            # "Major" is a frequent word: a rank, not a name
])
def test_a_rare_word_before_a_surname_after_a_rank_is_the_first_name(rules_only, text, name):
    assert {f.text for f in rules_only.find_in_text(text) if f.category == "person_name"} == {name}


@pytest.mark.parametrize("text, name", [
    ("CALLER KELECHI EZE TEL +44 (0)7309 574067 LOC 35 KARL ST", "KELECHI EZE"),  # a CAD log in capitals
    ("CALLER ANA PAZ TEL 07700 900123", "ANA PAZ"),
    ("CALLER JOHN TEL 07700 900123", "JOHN"),  # "TEL" is no surname
    ("CALLER KEANO VAN WIJK TEL +44 7125 204512", "KEANO VAN WIJK"),  # a particle in capitals (range 330,000)
    ("CALLER MARIA DE LA CRUZ TEL 0161 496 0000", "MARIA DE LA CRUZ"),
    ("CALLER JOHN SMITH TEN MINUTES LATER", "JOHN SMITH"),  # "TEN" before a word is no particle
])
def test_a_short_surname_in_capitals_after_a_first_name_in_capitals(rules_only, text, name):
    assert {f.text for f in rules_only.find_in_text(text) if f.category == "person_name"} == {name}


@pytest.mark.parametrize("text, name", [
    ("DS JONES ATTENDED", "JONES"),  # a verb in capitals is no surname
    ("PC KHAN ARRIVING NOW", "KHAN"),
])
def test_a_verb_in_capitals_after_a_name_in_capitals_is_no_surname(rules_only, text, name):
    assert {f.text for f in rules_only.find_in_text(text) if f.category == "person_name"} == {name}


def test_a_surname_written_first_is_spread_as_the_surname(rules_only):
    """"OKONKWO, John Paul" is Mr Okonkwo: his surname is looked for
    elsewhere, in capitals and not, and "Paul" (a forename) is not spread
    as if it were the surname."""
    text = "Suspect 1: OKONKWO, John Paul\nOkonkwo was arrested at 0600. Paul Jones was not. OKONKWO again."
    found = {f.text for f in rules_only.find_in_text(text) if f.category == "person_name"}
    assert found == {"OKONKWO, John Paul", "Okonkwo", "OKONKWO"}


def test_an_organisations_handle_is_flagged_not_redacted(rules_only):
    """Like a role mailbox, a force's or a service's account is no one's
    personal data: proposed for review below `redact`'s threshold; an
    officer's own account, named with the rank, is taken."""
    threshold = RunOptions().min_confidence
    org = [f for f in rules_only.find_in_text("Follow @MetPoliceUK on Twitter.") if f.category == "social_media"]
    assert [(f.text, f.confidence < threshold) for f in org] == [("@MetPoliceUK", True)]
    own = [f for f in rules_only.find_in_text("Twitter: @InspBloggs_Police") if f.category == "social_media"]
    assert [(f.text, f.confidence >= threshold) for f in own] == [("@InspBloggs_Police", True)]


@pytest.mark.parametrize("first, second", [("j.smith@", "met.police.uk for details."),
                                           ("j.smith@met.", "police.uk for details.")])
def test_an_email_address_wrapped_at_a_line_end_is_found_whole(tmp_path, redact, first, second):
    """Wrapped after the @ or a dot of the domain (the next line in lower
    case), and gone from the output, both lines' parts."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Routine note. Email " + first, fontsize=11)
    page.insert_text((72, 114), second, fontsize=11)
    doc.save(tmp_path / "wrapped.pdf")
    result = redact(tmp_path / "wrapped.pdf")
    assert [" ".join(f.text.split()) for f in result.findings] == [first + " " + second.split()[0]]
    text = " ".join(pymupdf.open(result.output)[0].get_text().split())
    assert "smith" not in text and "police" not in text and "Routine note. Email" in text and "for details." in text


@pytest.mark.parametrize("text, plate", [("index DL29 PUT seen", "DL29 PUT"),
                                         ("HC28 DUE (VRM of the vehicle seen leaving)", "HC28 DUE")])
def test_a_plate_next_to_the_word_that_names_it(rules_only, text, plate):
    """Before or after it, issued yet or not, its letters a word or not
    (fresh ranges 130,000 and 250,000); not in running text ("The HC28 DUE date")."""
    assert found(rules_only, text) == {(plate, "vrm")}
    assert not found(rules_only, text.replace("index", "the").replace("(VRM", "(date"))


@pytest.mark.parametrize("space", ["\u00a0", "\u2009", "\u202f", "\u2007"])
def test_a_phone_number_grouped_with_a_thin_or_no_break_space(rules_only, space):
    """Typesetters' spaces between a number's groups (Word's narrow no-break
    space): the matcher reads only two kinds of space."""
    got = {(" ".join(t.split()), c) for t, c in found(rules_only, f"mobile 07700{space}901102 today")}
    assert got == {("07700 901102", "phone")}


def test_a_sentence_after_an_email_address_is_no_part_of_it(rules_only):
    assert found(rules_only, "Write to j.smith@met.police.uk.\u2028under the law") == \
        {("j.smith@met.police.uk", "email")}


def test_a_form_number_near_a_rank_is_not_a_shoulder_number(rules_only):
    """A code shaped like a shoulder number but named as a form, room or
    flight is not one, however near an officer's name it stands."""
    text = "Insp Catherine Vincent\n5343\nComplete form SA100 and room B12 today.\nDI Jay Page 7303BD"
    found = {f.text for f in rules_only.find_in_text(text) if f.category == "shoulder_number"}
    assert found == {"5343", "7303BD"}  # "Page" here is a surname


def _pages(*lines_per_page):
    doc = pymupdf.open()
    for lines in lines_per_page:
        page = doc.new_page()
        for i, line in enumerate(lines):
            page.insert_text((72, 72 + 16 * i), line, fontsize=12)
    return [extract_page(p) for p in doc]


def test_a_name_found_once_is_found_everywhere(rules_only):
    pages = _pages(
        ["Officer in charge: DS Rachel Turner."],
        ["Turner's notes were filed.", "R. Turner signed the log.", "TURNER attended.",
         "Later, Rachel", "Turner left.", "The turner in the workshop is not a name."],
    )
    texts = {(f.page, f.text) for f in rules_only.find_in_pages(pages)}
    assert (1, "Rachel Turner") in texts
    assert {(2, "Turner"), (2, "R. Turner"), (2, "TURNER"), (2, "Rachel Turner")} <= texts
    assert not any(t == "turner" for _, t in texts)


def test_each_page_is_scanned_only_for_the_names_it_can_hold(rules_only, monkeypatch):
    """A long document names hundreds of people; each page is searched with
    a pattern for the few whose key word it contains (a pattern of every
    name, tried at every position of every page, took minutes), and finds
    the same forms: folded case, surname alone, initial and surname."""
    from redactor.detect import names as nm

    surnames = [f"Quenby{a}{b}" for a in "abcd" for b in "abcdefghij"]  # forty, none inside another
    many = [f"Witness: {first} {last} gave a statement." for first, last in zip(["Rachel", "Joan", "Amir", "Petra"] * 10,
                                                                                  surnames)]
    pages = _pages(many, ["QUENBYBC was late.", "R. Quenbyaa signed.", "Nothing about anyone here."])
    seen = []
    real = nm.variant_matches
    monkeypatch.setattr(nm, "variant_matches", lambda names, text: seen.append(set(names)) or real(names, text))
    texts = {(f.page, f.text) for f in rules_only.find_in_pages(pages)}
    assert {(2, "QUENBYBC"), (2, "R. Quenbyaa")} <= texts
    assert len({t for p, t in texts if p == 1}) >= 40
    assert max(len(s) for s in seen) >= 40  # the first page holds them all
    # the second page: its own names (and the one found on it), not forty
    assert {"Rachel Quenbybc", "Rachel Quenbyaa", "R. Quenbyaa"} in seen, seen
    assert nm.names_in_text(["Rachel Turner", "Joan Feltham"], "later, TURNER left") == {"Rachel Turner"}


def test_names_shared_across_a_bundle(rules_only):
    a = _pages(["Witness: Joan Feltham gave a statement."])
    b = _pages(["Feltham was not available on the day."])
    results = rules_only.find_in_bundle([a, b])
    assert [f.text for f in results[1]] == ["Feltham"]
    assert rules_only.find_in_pages(b) == []  # alone, nothing marks Feltham as a name


def test_allow_list_per_run_and_per_pack():
    text = "Commissioner Sir Mark Rowley thanked PC Jane Holt of the Metropolitan Police Service."
    plain = Detector(load_packs(), use_nlp=False)
    allowing = Detector(load_packs(), allow=["Sir Mark Rowley"])
    assert "Jane Holt" in {f.text for f in allowing.find_in_text(text)}
    assert not any("Rowley" in f.text for f in allowing.find_in_text(text))
    assert not any("Metropolitan" in f.text for f in plain.find_in_text(text))  # per-pack allow list


def test_ner_finds_names_without_a_rank():
    detector = Detector(load_packs())
    if detector.nlp is None:
        pytest.skip("no spaCy English pipeline installed")
    # en_core_web_sm labels some names ORG (e.g. "Beatrice Okonkwo"); rank,
    # title and role rules and propagation carry those.
    texts = {f.text for f in detector.find_in_text("The statement was taken from Sarah Whitfield at her home.")}
    assert "Sarah Whitfield" in texts


def test_a_rank_after_a_name_is_no_part_of_what_ner_finds(tmp_path):
    """spaCy took "Olansile Kosoko, Insp" as one person (fresh range
    260,000): the rank went into the redacted texts, and verification then
    found "insp" on another page and refused the release."""
    detector = Detector(load_packs())
    if detector.nlp is None:
        pytest.skip("no spaCy English pipeline installed")
    text = "SK11GMX (VRM of the vehicle seen leaving)\nOlansile Kosoko, Insp 7866BD, was the first officer on scene."
    names = {f.text for f in detector.find_in_text(text) if f.category == "person_name"}
    assert names == {"Olansile Kosoko"}


def test_photographs_flagged_not_redacted(tmp_path, redact):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Custody photograph below.")
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 100, 120), False)
    pix.set_rect(pix.irect, (120, 100, 90))
    page.insert_image(pymupdf.Rect(72, 100, 172, 220), pixmap=pix)
    src = tmp_path / "photo.pdf"
    doc.save(src)
    result = redact(src)
    assert [f.category for f in result.flagged] == ["photograph"]
    assert pymupdf.open(result.output)[0].get_images()  # not redacted without a reviewer


def test_pictures_drawn_over_one_another_are_one_photograph_to_review(tmp_path, cli):
    """Two pictures drawn at one place (layers of a page, ocrmypdf's
    cmyk.pdf) gave two findings of one id, and `scan` stopped with an
    internal error (exit 1) when it wrote the plan."""
    doc = pymupdf.open()
    page = doc.new_page()
    for colour in ((120, 100, 90), (20, 40, 60)):
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 100, 120), False)
        pix.set_rect(pix.irect, colour)
        page.insert_image(pymupdf.Rect(72, 100, 172, 220), pixmap=pix)
    doc.save(tmp_path / "layers.pdf")
    code, out, err = cli("scan", tmp_path / "layers.pdf", "--no-nlp", "--plan", tmp_path / "plan.json")
    assert code == 0, err
    plan = json.loads((tmp_path / "plan.json").read_text())
    found = [f for d in plan["documents"] for f in d["findings"] if f["category"] == "photograph"]
    assert len(found) == 1


def test_rules_test_explains(cli):
    code, out, _ = cli("rules", "test", "s40_personal_data", "--no-nlp", "--text",
                       "NHS number 943 476 5871; DOB 12/03/1985")
    assert code == 0
    assert "validator nhs_number failed (checksum)" in out and "FINDING" in out and "context: DOB" in out


def test_rules_list(cli):
    code, out, _ = cli("rules", "list")
    assert code == 0 and "s40.phone.uk" in out and "s24.ct_units" in out and "s31.call_sign" in out


def test_eval_on_a_small_heldout_corpus(tmp_path, cli):
    corpus = tmp_path / "heldout"
    subprocess.run([sys.executable, str(ROOT / "corpora" / "generate.py"), "corpus", str(corpus), "--split",
                    "heldout", "--docs", "4", "--start-seed", "5000"], check=True, capture_output=True)
    code, out, err = cli("eval", corpus, "--json", tmp_path / "eval.json")
    assert code == 0, err
    result = json.loads((tmp_path / "eval.json").read_text())
    assert result["documents"] == 4 and result["overall"]["truth"] > 50
    for group in result["groups"].values():
        assert group["recall"] >= group["target_recall"]
    assert result["neutral_sentences"]["rate"] >= result["neutral_sentences"]["target"]
    assert "precision" in out and "recall" in out


def test_corpus_is_reproducible_and_splits_differ(tmp_path):
    def make(where, split, seed):
        subprocess.run([sys.executable, str(ROOT / "corpora" / "generate.py"), "corpus", str(where), "--split",
                        split, "--docs", "2", "--start-seed", str(seed)], check=True, capture_output=True)
        return {p.name: json.loads(p.read_text())["items"] for p in where.glob("*.truth.json")}

    assert make(tmp_path / "a", "train", 3) == make(tmp_path / "b", "train", 3)
    train = {i["text"] for items in make(tmp_path / "c", "train", 3).values() for i in items if i["category"] == "person_name"}
    held = {i["text"] for items in make(tmp_path / "d", "heldout", 3).values() for i in items if i["category"] == "person_name"}
    assert not train & held  # held-out names are never seen in train


def test_a_redacted_surname_is_found_in_the_plural_too(detector):
    """"The Causbys" names the family of the Mr Causby redacted elsewhere."""
    text = "PC John Causby reported the incident. Later the Causbys moved away; the JONESES stayed. PC Ann Jones."
    found = [f.text for f in detector.find_in_text(text)]
    assert "Causbys" in found and "JONESES" in found
    assert not [f for f in detector.find_in_text("Dr Amy Wood spoke. The woods were quiet.") if f.text == "woods"]


def test_role_mailboxes_are_flagged_not_redacted(tmp_path, redact):
    """An organisation's mailbox (foi@, press.office@, no-reply@, an ".mbx."
    address) is not personal data: it is flagged for review and stays; a
    person's address beside it, a grouped one and one that only contains a
    role word ("jhall@press.org", "press12@") are redacted."""
    doc = pymupdf.open()
    page = doc.new_page()
    lines = ["Requests to foi@northshire.police.uk or press.office@met.police.uk.",
             "Automatic mail from no-reply@gov.uk and hq.mbx.records@mail.mil.",
             "Officer: j.smith12@city.police.example, {gal,brendan}@mozilla.com.",
             "Also jhall@press.org and press12@westvale.org."]
    for i, line in enumerate(lines):
        page.insert_text((72, 72 + 20 * i), line, fontsize=10)
    src = tmp_path / "mailboxes.pdf"
    doc.save(src)
    result = redact(src)
    roles = {"foi@northshire.police.uk", "press.office@met.police.uk", "no-reply@gov.uk", "hq.mbx.records@mail.mil"}
    people = {"j.smith12@city.police.example", "{gal,brendan}@mozilla.com", "jhall@press.org", "press12@westvale.org"}
    assert {f.text for f in result.flagged if f.category == "email"} == roles
    assert {f.text for f in result.findings if f.category == "email"} == people
    text = pymupdf.open(result.output)[0].get_text()
    assert all(r in text for r in roles) and not any(p in text for p in people)


def test_a_surname_with_its_particle_is_spread_in_capitals_and_not(rules_only):
    """"KEANO VAN WIJK" in a log in capitals is "Van Wijk" and "van Wijk"
    elsewhere, and "Keano van Wijk" is "VAN WIJK" in a log: the particle goes
    with the surname (it stayed, "VAN [redacted]")."""
    text = "CALLER KEANO VAN WIJK TEL 07700 900123. Later VAN WIJK left. Van Wijk too, and van Wijk."
    found = [f.text for f in rules_only.find_in_text(text) if f.category == "person_name"]
    assert found == ["KEANO VAN WIJK", "VAN WIJK", "Van Wijk", "van Wijk"]
    found = [f.text for f in rules_only.find_in_text("Keano van Wijk called. Later VAN WIJK left.")
             if f.category == "person_name"]
    assert found == ["Keano van Wijk", "VAN WIJK"]


def test_a_surname_that_is_a_frequent_word_is_not_taken_in_another_names_words(rules_only, redact, tmp_path):
    """"Malcolm White" is redacted, and "White" alone elsewhere, but not the
    "White" of "The White Paper" nor of "a White Paper" (held-out ranges
    320,000 and 330,000); "the Whites" and "the White family" are the
    family. The release verifies."""
    text = ("I saw a man I now know to be Malcolm White walk towards the shop. The White Paper on policing "
            "was published. White left. A White Paper. The Whites' house. The White family moved.")
    found = [f.text for f in rules_only.find_in_text(text) if f.category == "person_name"]
    assert found == ["Malcolm White", "White", "Whites", "White"]
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "I saw a man I now know to be Malcolm White walk towards the shop.", fontsize=10)
    page.insert_text((72, 120), "The White Paper on policing was published. White left.", fontsize=10)
    doc.save(tmp_path / "statement.pdf")
    result = redact(tmp_path / "statement.pdf")
    assert "The White Paper on policing was published." in pymupdf.open(result.output)[0].get_text()


@pytest.mark.parametrize("text, names", [
    ("[09:17] Ravinder Sandhu: yeah no worries\n[09:18] Mo Iqbal: ok", {"Ravinder Sandhu", "Mo Iqbal"}),
    ("Ravinder Sandhu 09:17\nyeah no worries\nChloe O'Brien, 27/11/2026 14:02\nsee you there",
     {"Ravinder Sandhu", "Chloe O'Brien"}),
    ("09:17 Action Required: review\n[10:15] New Street: closed\nNorth Yorkshire 10:15", set()),
    ("[10:02] Sandeep Gill (Sgt, Response): on my way", {"Sandeep Gill"}),
    ("Cheers\nDan", {"Dan"}),
    ("Thanks for that.\nTeam meeting at 3.\nCheers\nTeam", set()),
])
def test_a_chats_speakers_and_an_informal_sign_off_are_names(rules_only, text, names):
    """A chat or message export names its speaker at each line (helper 35:
    none of eight were found); "Cheers" signs off as "Regards" does.
    ("Thanks, Gareth" is left to the first name's spreading: a one-word
    name found is looked for everywhere.)"""
    assert {f.text for f in rules_only.find_in_text(text) if f.category == "person_name"} == names


def test_a_frequent_surname_that_is_no_everyday_word_is_spread_as_written(rules_only):
    """"Gates" of "Sgt Malcolm Gates" is looked for as a name is written
    (Gates, GATES), never "gates" in prose: an earlier change to the surname
    forms matched it in any case."""
    text = "Sgt Malcolm Gates attended. The gates were shut. GATES left. Gates said so."
    found = [f.text for f in rules_only.find_in_text(text) if f.category == "person_name"]
    assert found == ["Malcolm Gates", "GATES", "Gates"]


def test_a_surname_that_is_an_everyday_word_is_tried_before_a_first_name_alone(rules_only):
    """"Steamboat Bill" and "Bill Gates" both named: "should this Bill pass"
    is the first one's surname (it counts there), not the second one's first
    name alone (which needs a person's words around it). A form whose
    context fails takes the place from the others, so the order matters:
    it was left readable, and verification refused the book."""
    from linekit import pdf_pages

    pages = pdf_pages(["so that should this Bill pass, it will", "the Bill now depending", "The Bill Paper was out"])
    found = [f.text for f in rules_only.find_in_pages(pages, known_names={"Steamboat Bill", "Bill Gates"})]
    assert found == ["Bill", "Bill"]


def test_a_dutch_name_with_van_het(rules_only):
    """"DI Fay van het Heerenveen" (held-out range 340,000: "Fay" alone was
    taken, and the collar number beside the name was missed)."""
    found = {f.text for f in rules_only.find_in_text("Cordon DI Fay van het Heerenveen 9949 mobile")
             if f.category == "person_name"}
    assert found == {"Fay van het Heerenveen"}


def test_a_surname_that_is_an_everyday_word_is_no_one_inside_another_name(rules_only):
    """Seeds "William Fox", "White" (a one-word name: "White v. Samsung")
    and "Elizabeth Young" (helper 37, on a 352-page book): not "The White
    House", "a White Paper", "Ernst & Young"; still "contact Fox," and
    "Later Fox said". ("Twentieth Century Fox" is taken: a capitalised word
    before a surname is as often a rank, a greeting or a heading's word.)"""
    from linekit import pdf_pages

    lines = ["They told Else to contact Fox, the parent company.", "Twentieth Century Fox, Universal Studios",
             "Later Fox said no.", "As Cap Gemini Ernst & Young put it", "In a White Paper the White House said.",
             "White said so. Then White left."]
    pages = pdf_pages(lines)
    found = [(f.text, pages[0].text[:f.start].split()[-1]) for f in
             rules_only.find_in_pages(pages, known_names={"William Fox", "White", "Elizabeth Young"})]
    assert found == [("Fox", "contact"), ("Fox", "Century"), ("Fox", "Later"), ("White", "said."), ("White", "Then")]
