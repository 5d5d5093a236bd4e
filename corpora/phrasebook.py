"""The test phrasebook: an independent corpus of police-style documents with
ground truth, used only to *measure* detection, never to tune it.

It is written apart from ``corpora/generate.py`` (the train phrasebook) and
shares nothing with it: not a template, not a list. Names, streets and towns
come from Faker (names from fifteen Latin-script locales, streets of every
type from its British locale), not from the name tables redactor's lexicon
uses. The genres are the ones real disclosures hold: free-text prose,
tables with the label in a header row, values with their label after them,
lists, e-mail threads with signatures, meeting minutes, witness statements,
CAD and incident logs in capitals, and intelligence reports.

Each document also carries control sentences (section numbers, rows of
figures, form references, product and organisation names, dates and times)
that must survive redaction whole.

Seeds: 0-49,999 may be used to check the generator itself (that its truth
is right). Held-out seeds are spent once looked at: 50,000-50,059,
60,000-60,059 and 70,000-70,059 were the first three held-out runs (their
figures are in the README, and changes came after each); ``make eval``
reports on 80,000-80,059. Use a new range for the next clean measurement.

    python corpora/phrasebook.py corpus OUTDIR --docs 60 --start-seed 80000
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import pymupdf
from faker import Faker

HELDOUT_FROM = 80_000
LOCALES = ["en_GB", "en_GB", "en_GB", "en_IE", "en_IN", "pl_PL", "tr_TR", "de_DE", "fr_FR", "it_IT", "pt_PT",
           "ro_RO", "yo_NG", "ig_NG", "nl_NL", "lt_LT", "es_ES", "hu_HU"]
S40 = ("person_name", "shoulder_number", "phone", "email", "postcode", "address", "date_of_birth", "ni_number",
       "nhs_number", "passport_number", "vrm", "bank_details", "ip_address")
S31 = ("call_sign", "radio_channel", "rendezvous_point", "location", "tactical_asset", "covert_method",
       "intelligence_grading", "reference_number")
S24 = ("ct_capability", "protective_security", "vulnerability")
EXEMPTION = {**{c: "S40(2)" for c in S40}, **{c: "S31(1)(a)" for c in S31}, **{c: "S24(1)" for c in S24}}

_TAG = re.compile(r"\[\[([a-z_]+)(\*?)\|(.*?)\]\]", re.S)


def tag(category: str, text: str, checksummed: bool = False) -> str:
    """Mark ``text`` as a truth item (``*``: a checksummed identifier)."""
    return f"[[{category}{'*' if checksummed else ''}|{text}]]"


def untag(s: str) -> tuple[str, list[dict]]:
    items = []

    def keep(m: re.Match) -> str:
        items.append({"category": m.group(1), "text": m.group(3), "checksummed": bool(m.group(2))})
        return m.group(3)

    return _TAG.sub(keep, s), items


class World:
    """Everything random about one document."""

    def __init__(self, seed: int):
        self.r = random.Random(f"phrasebook:{seed}")
        self.fakers = {loc: Faker(loc) for loc in sorted(set(LOCALES))}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 31 + i)
        self.gb = self.fakers["en_GB"]

    def pick(self, seq):
        return self.r.choice(seq)

    def person(self) -> dict:
        f = self.fakers[self.pick(LOCALES)]
        first, last = f.first_name(), f.last_name()
        first = first.split()[0]
        local = re.sub(r"[^a-z.]", "", (first + "." + last).lower().encode("ascii", "ignore").decode()) or "officer"
        return {"first": first, "last": last, "full": f"{first} {last}",
                "email": f"{local[:1]}.{local.split('.')[-1] or 'x'}{self.r.randint(1, 99)}@{self.pick(['northshire', 'westvale', 'city'])}.police.example".replace("..", "."),
                "collar": self.collar(), "phone": self.mobile(), "rank": self.pick(
                    ["PC", "PS", "DC", "DS", "Sgt", "Insp", "DI", "DCI", "Detective Constable", "Sergeant", "Inspector"])}

    def collar(self) -> str:
        return self.pick([f"{self.r.randint(100, 9999)}{self.pick(['NR', 'WV', 'CT', 'HX', 'BD'])}",
                          f"{self.r.randint(1000, 9999)}"])

    def mobile(self) -> str:
        n = f"07{self.r.randint(100, 999)}{self.r.randint(100000, 999999)}"
        return self.pick([f"{n[:5]} {n[5:]}", f"{n[:5]} {n[5:8]} {n[8:]}", n, f"+44 {n[1:5]} {n[5:]}",
                          f"+44 (0){n[1:5]} {n[5:]}"])

    def landline(self) -> str:
        area = self.pick(["0113", "0114", "0115", "0116", "0117", "0118", "0121", "0131", "0141", "0151", "0161", "0191"])
        return self.pick([f"{area} {self.r.randint(200, 999)} {self.r.randint(1000, 9999)}",
                          f"({area}) {self.r.randint(200, 999)} {self.r.randint(1000, 9999)}",
                          f"020 {self.r.randint(3000, 8999)} {self.r.randint(1000, 9999)}"])

    def postcode(self) -> str:
        while True:
            pc = self.gb.postcode()
            if re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}", pc) and pc[0] not in "QVX":
                return pc

    def street(self) -> str:
        return f"{self.r.randint(1, 320)} {self.gb.street_name()}"

    def town(self) -> str:
        return self.gb.city()

    def dob(self) -> str:
        d = self.gb.date_of_birth(minimum_age=16, maximum_age=80)
        return self.pick([d.strftime("%d/%m/%Y"), d.strftime("%d.%m.%y"), f"{d.day} {d.strftime('%B %Y')}",
                          d.strftime("%d-%m-%Y")])

    def plate(self) -> str:
        letters = "ABCDEFGHJKLMNOPRSTUVWXY"
        age = self.pick([self.r.randint(2, 25), self.r.randint(51, 75), self.r.randint(26, 29), self.r.randint(76, 80)])
        tail = "".join(self.pick("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        return self.pick([f"{self.pick(letters)}{self.pick(letters)}{age:02d} {tail}",
                          f"{self.pick(letters)}{self.pick(letters)}{age:02d}{tail}"])

    def ni(self) -> str:
        first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
        while True:
            p = self.pick(first) + self.pick(second)
            if p not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
                break
        d = [self.r.randint(0, 9) for _ in range(6)]
        s = self.pick("ABCD")
        return self.pick([f"{p}{''.join(map(str, d))}{s}", f"{p} {d[0]}{d[1]} {d[2]}{d[3]} {d[4]}{d[5]} {s}"])

    def nhs(self) -> str:
        while True:
            d = [self.r.randint(0, 9) for _ in range(9)]
            c = (11 - sum(x * w for x, w in zip(d, range(10, 1, -1))) % 11) % 11
            if c != 10:
                s = "".join(map(str, d)) + str(c)
                return self.pick([f"{s[:3]} {s[3:6]} {s[6:]}", s, f"{s[:3]}-{s[3:6]}-{s[6:]}"])

    def card(self) -> str:
        while True:
            d = [4] + [self.r.randint(0, 9) for _ in range(14)]
            total = 0
            for i, x in enumerate(reversed(d)):
                x = x * 2 if i % 2 == 0 else x
                total += x - 9 if x > 9 else x
            c = (10 - total % 10) % 10
            s = "".join(map(str, d)) + str(c)
            return " ".join(s[i:i + 4] for i in range(0, 16, 4))

    def ip(self) -> str:
        return f"{self.r.randint(32, 223)}.{self.r.randint(0, 255)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}"

    def talkgroup(self) -> str:
        return self.pick([f"{self.pick(['NS', 'WV', 'OPS', 'CT'])}-{self.pick(['TAC', 'OPS', 'EVT'])}-{self.r.randint(1, 19)}",
                          f"{self.pick(['NS', 'WV'])}-{self.r.randint(10, 99)}-{self.pick('ABC')}",
                          str(self.r.randint(200, 899))])

    def callsign(self) -> str:
        return f"{self.pick(['NR', 'WV', 'Z', 'K', 'HX'])}{self.r.randint(10, 99)}"

    def grid(self) -> str:
        return f"{self.pick(['SE', 'SK', 'SJ', 'TQ', 'ST', 'NZ'])} {self.r.randint(1000, 9999)} {self.r.randint(1000, 9999)}"

    def ref(self) -> str:
        return f"{self.pick(['NS', 'WV'])}/{self.r.randint(10000, 99999)}/{self.r.randint(20, 25)}"


# --- control sentences: must stay whole ---------------------------------------------------

CONTROLS = [
    "Requirements are set out in clause 6.4.3.11 and annex 2.1.0.4 of the standard.",
    "Totals for the quarter were 1 234 567 890 against a budget of 1 300 000 000.",
    "Readings 18-19-20-21-22 were taken at the start of each shift.",
    "Complete form SA100 and quote reference 2024 0012 3341 on every page.",
    "The analysis was run in a Jupyter Notebook using the Nesting Algorithm.",
    "Referrals go to the Care Service and the Youth Offending Team.",
    "Press the Submit Button when the Balance has been checked.",
    "The Work Programme and the Licence Review were discussed.",
    "The Kimmeridge Clay and the Portland Stone crop out near the coast.",
    "The national threat level is SUBSTANTIAL, which is published information.",
    "Version 2.3.1.7 of the system was installed on 14 March.",
    "The meeting closed at 16:45 and will reconvene at 09:30 on Tuesday.",
    "Section 40(2) and section 31(1)(a) of the Act were considered.",
    "Page 3 of 12 sets out the financial summary for 2023/24.",
    "The White Paper on policing was published by the Home Office.",
    "Training will be delivered at the Learning and Development Centre.",
    "Officers should complete the online Diversity and Inclusion module.",
    "Figures rose by 12.5 per cent on the previous year.",
]


def controls(w: World, n: int) -> list[str]:
    return w.r.sample(CONTROLS, n)


# --- genres: each returns (title, blocks); a block is ("p", text) or ("t", rows) --------

def prose_report(w: World):
    a, b, s = w.person(), w.person(), w.person()
    plate = w.plate()
    c = controls(w, 2)
    text = [
        ("p", f"On the evening in question {tag('person_name', a['full'])} telephoned to say that a man known to her "
              f"only as {tag('person_name', s['first'])} had been at the door. Enquiries with the neighbour, "
              f"{tag('person_name', b['full'])}, established that the man drove a silver hatchback, index "
              f"{tag('vrm', plate)}. {c[0]}"),
        ("p", f"{tag('person_name', b['last'])} said the vehicle had been there twice before. The reporting officer, "
              f"DC {tag('person_name', w.person()['full'])}, can be reached on "
              f"{tag('phone', w.landline())}. {c[1]}"),
        ("p", f"Home address: {tag('address', w.street())}, {w.town()} {tag('postcode', w.postcode())}."),
    ]
    return "Occurrence summary", text, c


def contact_table(w: World):
    people = [w.person() for _ in range(w.r.randint(3, 5))]
    rows = [["Role", "Name", "Collar no.", "Mobile"]]
    for p, role in zip(people, w.r.sample(["Scene manager", "Cordon", "Search adviser", "Exhibits", "Family liaison",
                                           "Log keeper"], len(people))):
        rows.append([role, f"{p['rank']} {tag('person_name', p['full'])}", tag("shoulder_number", p["collar"]),
                     tag("phone", p["phone"])])
    c = controls(w, 2)
    return "Deployment", [("t", rows), ("p", c[0]), ("p", c[1])], c


def label_after(w: World):
    p, q = w.person(), w.person()
    c = controls(w, 1)
    blocks = [
        ("p", f"{tag('person_name', p['full'])} (duty inspector) - {tag('phone', p['phone'])} (mobile)"),
        ("p", f"{tag('email', p['email'])} (work e-mail)"),
        ("p", f"{tag('vrm', w.plate())} (VRM of the vehicle seen leaving)"),
        ("p", f"{tag('person_name', q['full'])}, {q['rank']} {tag('shoulder_number', q['collar'])}, was the first "
              f"officer on scene."),
        ("p", c[0]),
    ]
    return "Contacts", blocks, c


def people_list(w: World):
    officers = [w.person() for _ in range(3)]
    kids = [w.person()["first"] for _ in range(3)]
    parent = w.person()
    c = controls(w, 1)
    blocks = [("p", "Officers attending:")]
    for o in officers:
        blocks.append(("p", f"- {o['rank']} {tag('person_name', o['full'])} ({tag('shoulder_number', o['collar'])})"))
    blocks.append(("p", f"The occupant, {tag('person_name', parent['full'])}, lives there with her children, "
                        f"{tag('person_name', kids[0])}, {tag('person_name', kids[1])} and "
                        f"{tag('person_name', kids[2])}. {c[0]}"))
    return "Attendance", blocks, c


def email_thread(w: World):
    a, b = w.person(), w.person()
    c = controls(w, 2)
    blocks = [
        ("p", f"From: {tag('person_name', a['full'])} <{tag('email', a['email'])}>"),
        ("p", f"To: {tag('person_name', b['full'])} <{tag('email', b['email'])}>"),
        ("p", "Subject: RE: tonight's plan"),
        ("p", f"Thanks - the RVP is {tag('rendezvous_point', 'the rear yard of the fire station')}; units to use "
              f"talkgroup {tag('radio_channel', w.talkgroup())}. {c[0]}"),
        ("p", f"Regards, {tag('person_name', a['first'])}"),
        ("p", f"{a['rank']} {tag('person_name', a['full'])} | Mob: {tag('phone', a['phone'])} | "
              f"Desk: {tag('phone', w.landline())}"),
        ("p", f"-----Original message----- {c[1]}"),
    ]
    return "E-mail", blocks, c


def minutes(w: World):
    chair, sec, other = w.person(), w.person(), w.person()
    c = controls(w, 2)
    initials = chair["first"][0] + chair["last"][0]
    blocks = [
        ("p", f"Present: {tag('person_name', chair['full'])} (Chair), {sec['rank']} {tag('person_name', sec['full'])}, "
              f"Mrs {tag('person_name', other['full'])}"),
        ("p", f"1. Minutes of the last meeting were agreed. {c[0]}"),
        ("p", f"2. {tag('person_name', other['last'])} reported that {tag('covert_method', 'test purchase')} "
              f"activity had been paused. {c[1]}"),
        ("p", f"Action: {initials} to brief {tag('ct_capability', 'Counter Terrorism Policing')} on the "
              f"{tag('protective_security', 'search regime')}."),
    ]
    return "Minutes of the tasking meeting", blocks, c


def witness_statement(w: World):
    p = w.person()
    c = controls(w, 1)
    blocks = [
        ("t", [["Statement of", tag("person_name", p["full"])],
               ["Date of birth", tag("date_of_birth", w.dob())],
               ["Address", f"{tag('address', w.street())}, {w.town()}"],
               ["Postcode", tag("postcode", w.postcode())],
               ["Home telephone", tag("phone", w.landline())],
               ["Mobile", tag("phone", w.mobile())],
               ["NI number", tag("ni_number", w.ni(), checksummed=True)]]),
        ("p", f"I am the above named person. On the night in question I saw a man I now know to be "
              f"{tag('person_name', w.person()['full'])} walk towards the shop. {c[0]}"),
    ]
    return "Witness statement (CJ Act 1967, s.9)", blocks, c


def cad_log(w: World):
    caller = w.person()
    t = w.r.randint(10, 23)
    c = controls(w, 1)
    blocks = [
        ("p", f"CAD {tag('reference_number', str(w.r.randint(1000, 9999)))} {t}:{w.r.randint(10, 59)} "
              f"CALLER {tag('person_name', caller['full'].upper())} TEL {tag('phone', caller['phone'])}"),
        ("p", f"LOC {tag('address', w.street().upper())} {tag('postcode', w.postcode())}"),
        ("p", f"{t}:{w.r.randint(10, 59)} UNITS {tag('call_sign', w.callsign())} AND {tag('call_sign', w.callsign())} "
              f"ASSIGNED. TG {tag('radio_channel', w.talkgroup())}"),
        ("p", f"{t}:{w.r.randint(10, 59)} {tag('tactical_asset', 'ARV')} REQUESTED. GRID {tag('location', w.grid())}"),
        ("p", c[0]),
    ]
    return "Incident log", blocks, c


def intel_report(w: World):
    s = w.person()
    c = controls(w, 2)
    blocks = [
        ("p", f"Intelligence report {tag('reference_number', w.ref())}. Source evaluation and intelligence "
              f"assessment: graded {tag('intelligence_grading', w.pick(['B2', 'C3', 'A1', 'B3']))}."),
        ("p", f"Subject {tag('person_name', s['full'])} (DOB {tag('date_of_birth', w.dob())}) is said to keep "
              f"cash at the address and to pay with card {tag('bank_details', w.card(), checksummed=True)}. "
              f"{c[0]}"),
        ("p", f"Logins to the account came from {tag('ip_address', w.ip())}. NHS no. "
              f"{tag('nhs_number', w.nhs(), checksummed=True)} was given at the walk-in centre. {c[1]}"),
        ("p", f"{tag('vulnerability', 'The rear fire exit is not covered by CCTV')}."),
    ]
    return "Intelligence report", blocks, c


GENRES = [prose_report, contact_table, label_after, people_list, email_thread, minutes, witness_statement, cad_log,
          intel_report]


def render(blocks_by_page: list[tuple[str, list, list[str]]], out_pdf: Path, seed: int) -> dict:
    """One A4 page per genre. Text is set in the Droid Sans Fallback font
    that ships inside PyMuPDF, which has the Latin letters of every locale
    ("Ž", "ğ", "ă")."""
    doc = pymupdf.open()
    font = pymupdf.Font("cjk")
    items, neutral = [], []
    for no, (title, blocks, ctrl) in enumerate(blocks_by_page, start=1):
        page = doc.new_page(width=595, height=842)
        page.insert_text((50, 60), title, fontname="tibo", fontsize=14)
        tw = pymupdf.TextWriter(page.rect)
        y = 90.0
        for kind, content in blocks:
            if kind == "p":
                plain, found = untag(content)
                left = tw.fill_textbox(pymupdf.Rect(50, y, 545, 800), plain, font=font, fontsize=10)
                if left:
                    raise ValueError(f"text does not fit on page {no} of seed {seed}")
                y = tw.last_point.y + 16
                items += [{**i, "page": no} for i in found]
            else:
                # columns as wide as their longest cell (cells never run into each other)
                widths = [max(font.text_length(untag(row[j])[0], 8.5) for row in content) + 12
                          for j in range(len(content[0]))]
                lefts = [50 + sum(widths[:j]) for j in range(len(widths))]
                for row in content:
                    for j, cell in enumerate(row):
                        plain, found = untag(cell)
                        tw.append((lefts[j], y + 10), plain, font=font, fontsize=8.5)
                        items += [{**i, "page": no} for i in found]
                    page.draw_line((50, y + 14), (545, y + 14), color=(0.6, 0.6, 0.6), width=0.4)
                    y += 18
                y += 8
        tw.write_text(page)
        neutral += [{"page": no, "text": s} for s in ctrl]
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    doc.set_metadata({"title": f"Test phrasebook {seed}", "creator": "redactor corpora/phrasebook.py"})
    doc.save(out_pdf, garbage=3, deflate=True)
    for item in items:
        item["exemption"] = EXEMPTION[item["category"]]
    return {"document": out_pdf.name, "pages": len(blocks_by_page), "items": items, "neutral": neutral,
            "seed": seed, "generator": "phrasebook"}


def build(out_pdf: Path, seed: int) -> dict:
    w = World(seed)
    genres = w.r.sample(GENRES, w.r.randint(3, 5))
    truth = render([g(w) for g in genres], out_pdf, seed)
    out_pdf.with_suffix(".truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
    return truth


def corpus(out_dir: Path, docs: int, start_seed: int = HELDOUT_FROM) -> list[dict]:
    return [build(out_dir / f"phrasebook-{start_seed + i:06d}.pdf", start_seed + i) for i in range(docs)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus", help="a folder of documents with ground truth")
    c.add_argument("out_dir", type=Path)
    c.add_argument("--docs", type=int, default=60)
    c.add_argument("--start-seed", type=int, default=HELDOUT_FROM)
    args = ap.parse_args()
    truths = corpus(args.out_dir, args.docs, args.start_seed)
    print(f"wrote {len(truths)} documents ({sum(t['pages'] for t in truths)} pages, "
          f"{sum(len(t['items']) for t in truths)} sensitive items) to {args.out_dir}")


if __name__ == "__main__":
    main()
