"""Synthetic police documents with ground truth, for demos, tests, eval and
benchmarks.

Two kinds: **briefing** slide decks (landscape slides, tables, bullet
lists, a wrapped paragraph) and narrative **report**s (A4 pages of prose).
Every sensitive span is marked while the text is composed, so the ground
truth (page, text, category, exemption, character offsets in the .txt) is
exact. Sentences that must stay whole are recorded too.

Everything is invented: phones come from Ofcom drama ranges, e-mail domains
end in .example, postcodes are well-formed but random.

Splits: ``train`` is what rules may be tuned on; ``heldout`` uses other
seeds, other names and streets, and phrasings train never contains.

    python corpora/generate.py sample corpora/sample-briefing.pdf
    python corpora/generate.py corpus OUTDIR --split heldout --docs 40
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

EXEMPTION = {
    **{c: "S40(2)" for c in (
        "person_name", "shoulder_number", "phone", "email", "postcode", "address", "date_of_birth", "ni_number",
        "nhs_number", "passport_number", "driving_licence", "vrm", "pnc_number", "custody_number", "bank_details",
        "ip_address", "warrant_number")},
    **{c: "S31(1)(a)" for c in (
        "call_sign", "radio_channel", "rendezvous_point", "location", "tactical_asset", "covert_method",
        "intelligence_grading", "reference_number", "operation_name")},
    **{c: "S24(1)" for c in ("ct_capability", "protective_security", "vulnerability", "ct_operation")},
}
STRUCTURED = ("phone", "email", "postcode", "ni_number", "nhs_number", "vrm")

# Name pools: train and heldout draw from disjoint halves.
FIRST = ["Sarah", "James", "Priya", "Tom", "Aisha", "Mark", "Helen", "Daniel", "Grace", "Owen", "Ruth", "Kwame",
         "Chloe", "Imran", "Bethany", "Marcus", "Fatima", "Liam", "Joanna", "Tariq", "Eleanor", "Connor", "Nadia",
         "Stuart", "Amelia", "Rhys", "Yasmin", "Gareth", "Leah", "Samuel", "Zainab", "Patrick", "Rebecca", "Ade",
         "Siobhan", "Viktor", "Hannah", "Callum", "Mei", "Bernard", "Olivia", "Dominic", "Precious", "Hugo",
         "Caroline", "Ravi", "Megan", "Frederick"]
LAST = ["Whitfield", "Okafor", "Brennan", "Kowalski", "Hargreaves", "Patel", "Lindqvist", "Mensah", "Doyle",
        "Ashworth", "Fairbanks", "Nakamura", "Thornton", "Adeyemi", "Gallagher", "Novak", "Pemberton", "Chaudhry",
        "Rowntree", "Osei", "McAllister", "Harrington", "Bianchi", "Sutcliffe", "Kaur", "Delaney", "Winterbottom",
        "Abubakar", "Fitzgerald", "Henderson", "Szabo", "Lockwood", "O'Sullivan", "Dimitrov", "Blackwood",
        "Achterberg", "Marsden", "Oyelaran", "Prendergast", "Castellano", "Holloway", "Nwachukwu", "Greenhalgh",
        "Baptiste", "Ellwood", "Sandoval", "Whitcombe", "Quarshie"]
STREETS = ["Acacia", "Beaconsfield", "Coldharbour", "Denmark", "Elmwood", "Fernhead", "Gladstone", "Hazelmere",
           "Ivydale", "Jubilee", "Kingsdown", "Larkhall", "Maryland", "Northcote", "Orchard", "Priory", "Queensbury",
           "Ravensworth", "Sandringham", "Tollington", "Upperton", "Victoria", "Wellesley", "Yeldham"]
STREET_TYPES = ["Road", "Street", "Avenue", "Lane", "Close", "Gardens", "Crescent", "Grove", "Terrace", "Way"]
TOWNS = ["London", "Croydon", "Romford", "Harrow", "Ilford", "Sutton", "Enfield", "Bromley", "Hounslow", "Barnet"]
BOROUGHS = ["Camden", "Islington", "Lambeth", "Southwark", "Hackney", "Lewisham", "Brent", "Ealing", "Newham"]
OPERATIONS = ["Harrier", "Nightjar", "Kestrel", "Merlin", "Osprey", "Lapwing", "Plover", "Curlew", "Bittern"]
ROLES = ["Silver", "Bronze Entry", "Bronze Search", "Arrest team", "Exhibits", "Intel cell", "Method of entry",
         "Custody liaison"]
RANKS = ["PC", "PS", "DC", "DS", "Insp", "DI", "DCI", "Sgt"]
PHONE_FORMS = [
    lambda r: f"07700 900{r.randint(0, 999):03d}",
    lambda r: f"020 7946 0{r.randint(0, 999):03d}",
    lambda r: f"+44 7700 900{r.randint(0, 999):03d}",
    lambda r: f"0113 496 0{r.randint(0, 999):03d}",
    lambda r: f"(0161) 496 0{r.randint(0, 999):03d}",
    lambda r: f"07700900{r.randint(0, 999):03d}",
]
# Phrasings: train sees the first two thirds of each list; heldout sees all.
T_CONTACT = [
    "For queries contact {who} on {phone} or {email}.",
    "Questions to {who}, tel {phone}, email {email}.",
    "{who} is the point of contact: {phone} / {email}.",
    "Out of hours, {who} can be reached on {phone} ({email}).",
    "Reach {who} by phone ({phone}) or at {email} before the briefing.",
    "Any issues, ring {who} on {phone}; written updates to {email}.",
]
T_SUBJECT = [
    "Subject {name}, DOB {dob}, lives at {address} {postcode}.",
    "The nominal is {name} (born {dob}) of {address} {postcode}.",
    "{mr} {name}, date of birth {dob}, resides at {address} {postcode}.",
    "Main subject: {name}, d.o.b. {dob}, home address {address} {postcode}.",
    "Suspect {name} (DOB {dob}) is believed to be at {address} {postcode}.",
    "Intelligence places {name}, born {dob}, at {address} {postcode}.",
]
T_LATER = [
    "{surname} was last seen driving a grey Ford Focus, registration {vrm}.",
    "{surname}'s vehicle, VRM {vrm}, is flagged on ANPR.",
    "Intelligence suggests {initial}. {surname} uses the vehicle {vrm}.",
    "{SURNAME} has previously used the car {vrm}.",
    "{surname} was stopped in vehicle registration {vrm} last month.",
    "Enquiries link {initial} {surname} to the van {vrm}.",
]
NEUTRAL = [
    "The public threat level remains SUBSTANTIAL, which is published and is not exempt.",
    "Section 40(2) of the Freedom of Information Act applies to personal data.",
    "See paragraph 4.2 of the search policy before entry.",
    "All officers must read the risk assessment before deployment.",
    "Body worn video is to be switched on at the point of entry.",
    "Exhibits are to be booked in before the end of the tour of duty.",
    "The briefing will be repeated for the late turn.",
    "Any use of force must be recorded on the use of force form.",
    "Officers from {borough} and {borough2} will support the operation.",
    "Operation {op} started on 14/03/2025 at 06:30.",
    "Refer to section 3.1 of the operational order for welfare arrangements.",
    "The debrief will be held at 16:00 in the main briefing room.",
    "Community impact is assessed as low for {borough}.",
    "The Police Reform Act 2002 sets out the powers of PCSOs.",
]


@dataclass
class Span:
    start: int
    end: int
    category: str


@dataclass
class Page:
    lines: list[str] = field(default_factory=list)  # plain text lines
    spans: list[list[Span]] = field(default_factory=list)
    neutral: list[str] = field(default_factory=list)
    paragraph: tuple[str, list[Span]] | None = None  # wrapped text block


_MARK = re.compile(r"\u27e6([a-z_0-9]+)\|(.*?)\u27e7")


def S(category: str, text: str) -> str:
    """Mark ``text`` as sensitive of ``category``."""
    return f"\u27e6{category}|{text}\u27e7"


def unmark(s: str) -> tuple[str, list[Span]]:
    out, spans, pos = [], [], 0
    length = 0
    for m in _MARK.finditer(s):
        out.append(s[pos:m.start()])
        length += m.start() - pos
        spans.append(Span(length, length + len(m.group(2)), m.group(1)))
        out.append(m.group(2))
        length += len(m.group(2))
        pos = m.end()
    out.append(s[pos:])
    return "".join(out), spans


class Composer:
    def __init__(self, rng: random.Random, split: str):
        self.r = rng
        self.split = split
        half = split == "heldout"
        self.first = FIRST[len(FIRST) // 2:] if half else FIRST[: len(FIRST) // 2]
        self.last = LAST[len(LAST) // 2:] if half else LAST[: len(LAST) // 2]
        self.streets = STREETS[len(STREETS) // 2:] if half else STREETS[: len(STREETS) // 2]

    def t(self, templates: list[str]) -> str:
        usable = templates if self.split == "heldout" else templates[: max(1, 2 * len(templates) // 3)]
        return self.r.choice(usable)

    def person(self) -> dict:
        r = self.r
        first, last = r.choice(self.first), r.choice(self.last)
        return {"first": first, "last": last, "name": f"{first} {last}", "rank": r.choice(RANKS),
                "shoulder": f"{r.randint(100, 9999)}{r.choice(['AB', 'CD', 'KX', 'MS', 'TX', 'EK'])}",
                "phone": r.choice(PHONE_FORMS)(r),
                "email": f"{first.lower()}.{last.lower().replace(chr(39), '')}@met.police.example"}

    def postcode(self) -> str:
        r = self.r
        area = r.choice(["N", "E", "SE", "SW", "NW", "W", "CR", "RM", "HA", "IG", "SM", "EN", "BR", "TW"])
        inward = "ABDEFGHJLNPQRSTUWXYZ"
        return f"{area}{r.randint(1, 19)} {r.randint(1, 9)}{r.choice(inward)}{r.choice(inward)}"

    def address(self) -> str:
        return f"{self.r.randint(1, 240)} {self.r.choice(self.streets)} {self.r.choice(STREET_TYPES)}, {self.r.choice(TOWNS)}"

    def dob(self) -> str:
        r = self.r
        d, m, y = r.randint(1, 28), r.randint(1, 12), r.randint(1958, 2004)
        return r.choice([f"{d:02d}/{m:02d}/{y}", f"{d} {['Jan', 'Feb', 'March', 'April', 'May', 'June', 'July', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'][m - 1]} {y}"])

    def vrm(self) -> str:
        r = self.r
        letters = "ABCDEFGHJKLMNOPRSTUVWXY"
        age = r.choice([r.randint(2, 29), r.randint(51, 79)])
        return f"{r.choice(letters)}{r.choice(letters)}{age:02d} {''.join(r.choice('ABCDEFGHJKLMNOPRSTUVWXYZ') for _ in range(3))}"

    def ni(self) -> str:
        r = self.r
        while True:  # HMRC never issues these prefixes
            prefix = r.choice("ACEHJLMNPRSTWXYZ") + r.choice("ABCEHJKLMNPRSTWXYZ")
            if prefix not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
                break
        return f"{prefix} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.choice('ABCD')}"

    def nhs(self) -> str:
        while True:
            digits = [self.r.randint(0, 9) for _ in range(9)]
            check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
            if check == 11:
                check = 0
            if check != 10:
                s = "".join(map(str, digits)) + str(check)
                return f"{s[:3]} {s[3:6]} {s[6:]}"

    def neutral(self) -> str:
        b1, b2 = self.r.sample(BOROUGHS, 2)
        return self.r.choice(NEUTRAL).format(borough=b1, borough2=b2, op=self.r.choice(OPERATIONS))


def _page(*lines: str, neutral: list[str] = ()) -> Page:
    p = Page()
    for line in lines:
        plain, spans = unmark(line)
        p.lines.append(plain)
        p.spans.append(spans)
    p.neutral = list(neutral)
    return p


def briefing(c: Composer) -> tuple[str, list[Page]]:
    r = c.r
    people = [c.person() for _ in range(r.randint(4, 6))]
    op = r.choice(OPERATIONS)
    lead = people[0]
    pages = []
    n1, n2 = c.neutral(), c.neutral()
    pages.append(_page(
        f"Operation {op} - Briefing",
        f"Briefing officer: {lead['rank']} {S('person_name', lead['name'])}",
        c.t(T_CONTACT).format(who=f"{lead['rank']} {S('person_name', lead['name'])}",
                              phone=S("phone", lead["phone"]), email=S("email", lead["email"])),
        n1, n2, neutral=[n1, n2]))
    rows = ["Role | Officer | Shoulder no. | Mobile"]
    for person, role in zip(people, r.sample(ROLES, len(people))):
        rows.append(f"{role} | {person['rank']} {S('person_name', person['name'])} | "
                    f"PC {S('shoulder_number', person['shoulder'])} | {S('phone', person['phone'])}")
    pages.append(_page("Command structure and contacts", *rows))
    subj = c.person()
    vrm, dob = c.vrm(), c.dob()
    initial = subj["first"][0]
    later = c.t(T_LATER).format(surname=S("person_name", subj["last"]), SURNAME=S("person_name", subj["last"].upper()),
                                initial=initial, vrm=S("vrm", vrm))
    later = later.replace(f"{initial}. \u27e6person_name|", f"\u27e6person_name|{initial}. ").replace(
        f"{initial} \u27e6person_name|", f"\u27e6person_name|{initial} ")
    grade = f"{r.choice('ABCDE')}{r.randint(1, 5)}{r.choice(['', ' 2', ' 4'])}".strip()
    n3 = c.neutral()
    pages.append(_page(
        "Intelligence",
        c.t(T_SUBJECT).format(name=S("person_name", subj["name"]), mr=r.choice(["Mr", "Mrs", "Ms"]),
                              dob=S("date_of_birth", dob), address=S("address", c.address()),
                              postcode=S("postcode", c.postcode())),
        later,
        f"Intelligence graded {S('intelligence_grading', grade)}, CRIMINT ref {S('reference_number', str(r.randint(100000, 999999)))}.",
        n3, neutral=[n3]))
    cs = [f"{r.choice(['MP', 'TX', 'BX', 'KD'])}{r.randint(10, 99)}" for _ in range(3)]
    assets = r.choice(["2 x ARV", "three ARVs", "TSG carriers x 3", "dog unit", "NPAS", "two drones", "1 x PSU"])
    n4 = c.neutral()
    pages.append(_page(
        "Resources and communications",
        f"Call signs: {S('call_sign', cs[0])}, {S('call_sign', cs[1])} and {S('call_sign', cs[2])}",
        f"Radio: talkgroup {S('radio_channel', str(r.randint(100, 999)))} for the entry phase",
        f"RVP: {S('rendezvous_point', r.choice(['Rear car park of the leisure centre', 'Tesco car park, ' + r.choice(c.streets) + ' Road', 'Junction of ' + r.choice(c.streets) + ' Street and the High Street']))}",
        f"Grid reference {S('location', 'TQ ' + str(r.randint(10000, 99999)) + ' ' + str(r.randint(10000, 99999)))}",
        f"Assets: {S('tactical_asset', assets)} on standby.",
        f"{r.choice(['A', 'One'])} {S('covert_method', r.choice(['surveillance team', 'CHIS', 'technical deployment', 'unmarked vehicle']))} is deployed on the address.",
        n4, neutral=[n4]))
    if r.random() < 0.5:
        n5 = c.neutral()
        pages.append(_page(
            "Counter terrorism considerations",
            f"{S('ct_capability', r.choice(['SO15', 'Counter Terrorism Command', 'CTSFO']))} will be informed of any finds.",
            f"The site has {S('protective_security', r.choice(['hostile vehicle mitigation', 'vehicle security barriers', 'a search regime']))} in place.",
            f"{S('vulnerability', r.choice(['Blind spot at the rear service gate', 'Vulnerability at the north entrance after 22:00', 'Gap in CCTV coverage on the east side']))}.",
            n5, neutral=[n5]))
    welfare = c.person()
    para = (f"Welfare concerns go to {welfare['rank']} {S('person_name', welfare['name'])} (mobile "
            f"{S('phone', welfare['phone'])}) or, out of hours, to the duty officer on "
            f"{S('phone', r.choice(PHONE_FORMS)(r))}. {S('person_name', welfare['last'])} will also attend the debrief.")
    p = _page("Risk assessment and welfare", c.neutral())
    p.neutral = list(p.lines[1:])
    p.paragraph = unmark(para)
    pages.append(p)
    return "briefing", pages


def report(c: Composer) -> tuple[str, list[Page]]:
    r = c.r
    oic, victim, witness = c.person(), c.person(), c.person()
    ni, nhs, passport = c.ni(), c.nhs(), f"{r.randint(100000000, 999999999)}"
    sort_code = f"{r.randint(10, 99)}-{r.randint(10, 99)}-{r.randint(10, 99)}"
    account = f"{r.randint(10000000, 99999999)}"
    cad = f"{r.randint(1000, 9999)}/{r.randint(1, 28)}{r.choice(['Jan', 'Feb', 'Mar', 'Apr'])}"
    crime = f"{r.randint(1000000, 9999999)}/25"
    ip = f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    n = [c.neutral() for _ in range(4)]
    p1 = _page(
        f"Crime report - {r.choice(BOROUGHS)}",
        f"Officer in charge: {oic['rank']} {S('person_name', oic['name'])}, shoulder number {S('shoulder_number', oic['shoulder'])}.",
        f"Crime reference {S('reference_number', crime)}; CAD {S('reference_number', cad)}.",
        f"Victim: {S('person_name', victim['name'])}, DOB {S('date_of_birth', c.dob())}.",
        f"Address: {S('address', c.address())}, {S('postcode', c.postcode())}.",
        f"National Insurance number {S('ni_number', ni)}; NHS number {S('nhs_number', nhs)}.",
        f"Passport number {S('passport_number', passport)}.",
        n[0], n[1], neutral=[n[0], n[1]])
    p2 = _page(
        "Statement summary",
        f"The victim reported that money was taken from account {S('bank_details', account)}, sort code {S('bank_details', sort_code)}.",
        f"The transfer came from IP address {S('ip_address', ip)}.",
        f"Witness {S('person_name', witness['name'])} can be contacted on {S('phone', witness['phone'])}.",
        f"{S('person_name', victim['last'])} was visibly upset according to {S('person_name', witness['last'].upper())}.",
        f"{S('person_name', victim['first'][0] + '. ' + victim['last'])} has been offered victim support.",
        n[2], n[3], neutral=[n[2], n[3]])
    return "report", [p1, p2]


KINDS = {"briefing": briefing, "report": report}


def render(pages: list[Page], kind: str, out_pdf: Path, title: str) -> dict:
    """Write the PDF and the .txt; return the ground truth."""
    doc = pymupdf.open()
    w, h = (720, 405) if kind == "briefing" else (595, 842)
    items, neutral, txt_parts, offset = [], [], [], 0
    for no, p in enumerate(pages, start=1):
        page = doc.new_page(width=w, height=h)
        if kind == "briefing":
            page.draw_rect(pymupdf.Rect(0, 0, w, 48), color=None, fill=(0.0, 0.19, 0.42))
        y = 32
        page_text = []
        for i, (line, spans) in enumerate(zip(p.lines, p.spans)):
            if i == 0:
                page.insert_text((24, y), line, fontname="hebo", fontsize=18 if kind == "briefing" else 16,
                                 color=(1, 1, 1) if kind == "briefing" else (0, 0, 0))
                y += 42
            elif " | " in line:  # a table row
                for cell, x in zip(line.split(" | "), (24, 180, 390, 540)):
                    page.insert_text((x, y), cell, fontname="helv", fontsize=10)
                page.draw_line((24, y + 6), (w - 24, y + 6), color=(0.8, 0.8, 0.8), width=0.5)
                y += 22
            else:
                page.insert_text((24, y), line, fontname="helv", fontsize=11 if kind == "briefing" else 10)
                y += 24 if kind == "briefing" else 18
            base = offset + len("\n".join(page_text)) + (1 if page_text else 0)
            for s in spans:
                items.append({"page": no, "text": line[s.start:s.end], "category": s.category,
                              "exemption": EXEMPTION[s.category], "start": base + s.start, "end": base + s.end})
            page_text.append(line)
        if p.paragraph:
            para, spans = p.paragraph
            page.insert_textbox(pymupdf.Rect(24, y, w * 0.6, h - 30), para, fontname="helv", fontsize=12)
            base = offset + len("\n".join(page_text)) + 1
            for s in spans:
                items.append({"page": no, "text": para[s.start:s.end], "category": s.category,
                              "exemption": EXEMPTION[s.category], "start": base + s.start,
                              "end": base + s.end})
            page_text.append(para)
        page.insert_text((w - 40, h - 14), str(no), fontname="helv", fontsize=7)
        for sentence in p.neutral:
            neutral.append({"page": no, "text": sentence})
        block = "\n".join(page_text)
        txt_parts.append(block)
        offset += len(block) + 2  # pages are joined by "\n\f"
    doc.set_metadata({"title": title, "creator": "redactor corpora/generate.py"})
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out_pdf, garbage=3, deflate=True)
    text = "\n\f".join(txt_parts)
    out_pdf.with_suffix(".txt").write_text(text, encoding="utf-8")
    return {"document": out_pdf.name, "kind": kind, "pages": len(pages), "items": items, "neutral": neutral}


def build(out_pdf: Path, kind: str = "briefing", seed: int = 7, split: str = "train") -> dict:
    rng = random.Random(f"{split}:{seed}")
    c = Composer(rng, split)
    kind, pages = KINDS[kind](c)
    truth = render(pages, kind, out_pdf, title=f"Synthetic {kind} {split} {seed}")
    truth.update({"seed": seed, "split": split})
    out_pdf.with_suffix(".truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth


def corpus(out_dir: Path, split: str, docs: int, start_seed: int = 0) -> list[dict]:
    truths = []
    for i in range(docs):
        kind = "briefing" if i % 2 == 0 else "report"
        truths.append(build(out_dir / f"{split}-{kind}-{start_seed + i:04d}.pdf", kind, start_seed + i, split))
    return truths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="one briefing (what `make demo` redacts)")
    s.add_argument("output", type=Path)
    s.add_argument("--seed", type=int, default=7)
    c = sub.add_parser("corpus", help="a folder of briefings and reports with ground truth")
    c.add_argument("out_dir", type=Path)
    c.add_argument("--split", choices=("train", "heldout"), default="train")
    c.add_argument("--docs", type=int, default=20)
    c.add_argument("--start-seed", type=int, default=0)
    args = ap.parse_args()
    if args.cmd == "sample":
        truth = build(args.output, "briefing", args.seed, "train")
        print(f"wrote {args.output} and {args.output.with_suffix('.truth.json')} ({len(truth['items'])} sensitive items)")
    else:
        truths = corpus(args.out_dir, args.split, args.docs, args.start_seed)
        print(f"wrote {len(truths)} documents ({sum(t['pages'] for t in truths)} pages) to {args.out_dir}")


if __name__ == "__main__":
    main()
