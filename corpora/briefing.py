"""Generate a synthetic police operational briefing (a slide deck) as a PDF,
with a ground-truth JSON of every sensitive item and its exemption.

All people, numbers and addresses are invented: phone numbers come from
Ofcom's drama ranges, e-mail domains end in .example.

    python corpora/briefing.py corpora/sample-briefing.pdf [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import pymupdf

W, H = 720, 405  # 16:9 slides, points
FIRST = ["Sarah", "James", "Priya", "Tom", "Aisha", "Mark", "Helen", "Daniel", "Grace", "Owen", "Ruth", "Kwame"]
LAST = ["Whitfield", "Okafor", "Brennan", "Kowalski", "Hargreaves", "Patel", "Lindqvist", "Mensah", "Doyle",
        "Ashworth", "Fairbanks", "Nakamura"]
RANKS = ["PC", "PS", "DC", "DS", "Insp", "DI"]
BOROUGH = ["AB", "CD", "EF", "KX", "MS", "TX"]


def _people(rng: random.Random, n: int) -> list[dict]:
    firsts, lasts = rng.sample(FIRST, n), rng.sample(LAST, n)
    people = []
    for i in range(n):
        rank = RANKS[i % len(RANKS)]
        people.append({
            "rank": rank,
            "name": f"{firsts[i]} {lasts[i]}",
            "shoulder": f"{rng.randint(100, 999)}{rng.choice(BOROUGH)}" if rank in ("PC", "PS", "DC", "DS") else None,
            "phone": f"07700 900{rng.randint(0, 999):03d}",
            "email": f"{firsts[i].lower()}.{lasts[i].lower()}@met.police.example",
        })
    return people


def build(out: Path, seed: int = 7) -> dict:
    rng = random.Random(seed)
    people = _people(rng, 6)
    call_signs = [f"{rng.choice(['MP', 'TX', 'BX'])}{rng.randint(10, 99)}" for _ in range(3)]
    talkgroup = f"TG {rng.randint(100, 999)}"
    truth: list[dict] = []

    def want(text: str, category: str, exemption: str, page: int) -> None:
        truth.append({"page": page, "text": text, "category": category, "exemption": exemption})

    doc = pymupdf.open()

    def slide(title: str) -> pymupdf.Page:
        page = doc.new_page(width=W, height=H)
        page.draw_rect(pymupdf.Rect(0, 0, W, 48), color=None, fill=(0.0, 0.19, 0.42))
        page.insert_text((24, 32), title, fontname="hebo", fontsize=20, color=(1, 1, 1))
        page.insert_text((24, H - 14), "OFFICIAL-SENSITIVE  |  Operational briefing  |  Not for onward circulation",
                         fontname="helv", fontsize=7, color=(0.35, 0.35, 0.35))
        page.insert_text((W - 40, H - 14), str(page.number + 1), fontname="helv", fontsize=7)
        return page

    # 1: title
    p = slide("Operation Harrier - Briefing")
    lead = people[4]
    p.insert_text((24, 110), "Pre-deployment briefing, 06:30, Central West BCU", fontname="helv", fontsize=16)
    p.insert_text((24, 150), f"Briefing officer: {lead['rank']} {lead['name']}", fontname="helv", fontsize=14)
    want(lead["name"], "person_name", "S40(2)", 1)
    p.insert_text((24, 175), f"Tel: {lead['phone']}   Email: {lead['email']}", fontname="helv", fontsize=14)
    want(lead["phone"], "phone", "S40(2)", 1)
    want(lead["email"], "email", "S40(2)", 1)
    p.insert_text((24, 230), "Purpose: execute a search warrant and arrest two named suspects.", fontname="helv",
                  fontsize=13)

    # 2: command and contacts (a table)
    p = slide("Command structure and contacts")
    y = 80
    for label, x in (("Role", 24), ("Officer", 150), ("Shoulder no.", 330), ("Mobile", 430), ("E-mail", 540)):
        p.insert_text((x, y), label, fontname="hebo", fontsize=10)
    roles = ["Silver", "Bronze Entry", "Bronze Search", "Arrest team", "Exhibits", "Intel cell"]
    for person, role in zip(people, roles):
        y += 24
        p.draw_line((24, y - 16), (W - 24, y - 16), color=(0.8, 0.8, 0.8), width=0.5)
        p.insert_text((24, y), role, fontname="helv", fontsize=10)
        p.insert_text((150, y), f"{person['rank']} {person['name']}", fontname="helv", fontsize=10)
        want(person["name"], "person_name", "S40(2)", 2)
        if person["shoulder"]:
            p.insert_text((330, y), f"{person['rank']} {person['shoulder']}", fontname="helv", fontsize=10)
            want(person["shoulder"], "shoulder_number", "S40(2)", 2)
        p.insert_text((430, y), person["phone"], fontname="helv", fontsize=10)
        want(person["phone"], "phone", "S40(2)", 2)
        p.insert_textbox(pymupdf.Rect(540, y - 10, W - 10, y + 4), person["email"], fontname="helv", fontsize=7)
        want(person["email"], "email", "S40(2)", 2)

    # 3: resources and comms
    p = slide("Resources and communications")
    lines = [
        f"Call signs: {call_signs[0]}, {call_signs[1]} and {call_signs[2]}",
        f"Radio: talkgroup {talkgroup.split()[1]} for the entry phase; Channel 4 for cordons",
        "Entry team to muster at the rear car park; briefing notes to be returned afterwards.",
        f"Contact the Bronze Search, {people[2]['rank']} {people[2]['name']}, on {people[2]['phone']}",
        "if anything is found that needs a specialist search adviser.",
    ]
    for i, text in enumerate(lines):
        p.insert_text((24, 90 + 28 * i), text, fontname="helv", fontsize=13)
    for cs in call_signs:
        want(cs, "call_sign", "S31(1)(a)", 3)
    want(talkgroup.split()[1], "radio_channel", "S31(1)(a)", 3)
    want("4", "radio_channel", "S31(1)(a)", 3)
    want(people[2]["name"], "person_name", "S40(2)", 3)
    want(people[2]["phone"], "phone", "S40(2)", 3)

    # 4: a paragraph that wraps, so items break over lines
    p = slide("Risk assessment and welfare")
    para = (
        "All officers must read the risk assessment before deployment. Welfare concerns go to "
        f"{people[5]['rank']} {people[5]['name']} (mobile {people[5]['phone']}) or, out of hours, to the duty "
        f"officer on 020 7946 0{rng.randint(100, 999)}. The public threat level remains SUBSTANTIAL, which is "
        "published and is not exempt."
    )
    p.insert_textbox(pymupdf.Rect(24, 70, 420, 300), para, fontname="helv", fontsize=13)
    want(people[5]["name"], "person_name", "S40(2)", 4)
    want(people[5]["phone"], "phone", "S40(2)", 4)
    duty = para.split("duty officer on ")[1].split(".")[0]
    want(duty, "phone", "S40(2)", 4)

    doc.set_metadata({"title": "Operation Harrier briefing", "author": f"{lead['name']}",
                      "subject": "Operational briefing", "creator": "redactor corpora/briefing.py"})
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out, garbage=3, deflate=True)
    truth_doc = {"document": out.name, "seed": seed, "items": truth,
                 "keep": ["Operation Harrier", "SUBSTANTIAL", "Central West BCU", "risk assessment"]}
    out.with_suffix(".truth.json").write_text(json.dumps(truth_doc, indent=2) + "\n", encoding="utf-8")
    return truth_doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    truth = build(args.output, args.seed)
    print(f"wrote {args.output} and {args.output.with_suffix('.truth.json')} ({len(truth['items'])} sensitive items)")


if __name__ == "__main__":
    main()
