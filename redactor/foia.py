"""Exemption codes as an FOI officer cites them, checked against the Act.

A code is ``S`` + a section of Part II of the Freedom of Information Act
2000 (as amended, including the Data Protection Act 2018's changes to
section 40) + its subsection and, where the section has them, paragraph and
sub-paragraph: ``S40(2)``, ``S31(1)(a)``, ``S30(2)(a)(iii)``, ``S37(1)(ac)``.
:func:`problem` says what is wrong with a code, so ``S40(9)`` (section 40
has no subsection 9) is refused rather than printed on a box.
"""

from __future__ import annotations

import re

ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")

#: section -> subsection -> paragraphs ("" = none; a tuple = these; ANY = any letter)
ANY = "any"
SECTIONS: dict[str, dict[str, object]] = {
    "21": {"1": "", "2": ("a", "b"), "3": ""},
    "22": {"1": ("a", "b", "c"), "2": ""},
    "22A": {"1": ("a", "b"), "2": ""},
    "23": {"1": "", "2": "", "3": ANY, "4": "", "5": ""},
    "24": {"1": "", "2": "", "3": "", "4": ""},
    "26": {"1": ("a", "b"), "2": "", "3": ""},
    "27": {"1": ("a", "b", "c", "d"), "2": "", "3": "", "4": ("a", "b"), "5": ("a", "b", "c", "d")},
    "28": {"1": "", "2": ("a", "b", "c", "d"), "3": ""},
    "29": {"1": ("a", "b"), "2": ""},
    "30": {"1": ("a", "b", "c"), "2": ("a", "b"), "3": "", "4": "", "5": "", "6": ""},
    "31": {"1": tuple("abcdefghi"), "2": tuple("abcdefghij"), "3": ""},
    "32": {"1": ("a", "b", "c"), "2": ("a", "b"), "3": "", "4": ""},
    "33": {"1": ("a", "b"), "2": "", "3": ""},
    "34": {"1": "", "2": "", "3": "", "4": ""},
    "35": {"1": ("a", "b", "c", "d"), "2": "", "3": "", "4": "", "5": ""},
    "36": {"1": ("a", "b"), "2": ("a", "b", "c"), "3": "", "4": "", "5": "", "6": "", "7": ""},
    "37": {"1": ("a", "aa", "ab", "ac", "ad", "b"), "2": ""},
    "38": {"1": ("a", "b"), "2": ""},
    "39": {"1": ("a", "b"), "1A": "", "2": "", "3": ""},
    "40": {"1": "", "2": ("a", "b"), "3A": ("a", "b"), "3B": "", "4A": ("a", "b"), "5A": "", "5B": ANY, "6": "",
           "7": ""},
    "41": {"1": ("a", "b"), "2": ""},
    "42": {"1": "", "2": ""},
    "43": {"1": "", "2": "", "3": ""},
    "44": {"1": ("a", "b", "c"), "2": ""},
}
#: paragraphs with sub-paragraphs (i), (ii)...: section, subsection, paragraph
SUBPARAGRAPHS = {("30", "1", "a"): 2, ("30", "2", "a"): 4, ("36", "2", "a"): 3, ("36", "2", "b"): 2}

SHAPE = re.compile(r"^S(\d+[A-Z]?)((?:\([0-9A-Za-z]+\))+)$")


def problem(code: str) -> str | None:
    """None if ``code`` is a valid exemption code, else what is wrong."""
    if not isinstance(code, str):
        return "an exemption code must be text"
    m = SHAPE.match(code)
    if not m:
        return f"'{code}' is not an exemption code like S40(2), S31(1)(a) or S24(1)"
    section, parts = m.group(1), re.findall(r"\(([0-9A-Za-z]+)\)", m.group(2))
    subsections = SECTIONS.get(section)
    if subsections is None:
        return (f"'{code}': section {section} of the Freedom of Information Act 2000 is not an exemption "
                f"(Part II is sections 21 to 44)")
    sub = parts[0]
    if sub not in subsections:
        return f"'{code}': section {section} has no subsection ({sub}) (it has {_list(subsections)})"
    if len(parts) == 1:
        return None
    paragraphs = subsections[sub]
    para = parts[1]
    if paragraphs == "" or (paragraphs != ANY and para not in paragraphs) or not para.islower():
        return f"'{code}': section {section}({sub}) has no paragraph ({para})"
    if len(parts) == 2:
        return None
    count = SUBPARAGRAPHS.get((section, sub, para), 0)
    if len(parts) > 3 or parts[2] not in ROMAN[:count]:
        return f"'{code}': section {section}({sub})({para}) has no sub-paragraph ({parts[2]})"
    return None


def is_exemption(code: str) -> bool:
    return problem(code) is None


def _list(subsections: dict) -> str:
    return ", ".join(f"({s})" for s in subsections)
