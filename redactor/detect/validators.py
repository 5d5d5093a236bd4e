"""Checksum and format validators that rules name in their ``validators`` list.

Each validator takes the matched text and returns True when it is a real
instance of the identifier. Library implementations are used where they exist
(``python-stdnum``, ``phonenumbers``).
"""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
from stdnum import iban, luhn
from stdnum.exceptions import ValidationError
from stdnum.gb import nhs

Validator = Callable[[str], bool]

#: Ofcom's ranges reserved for drama: fictional, but they look real in a
#: document and must still be redacted (phonenumbers rejects them as invalid).
_DRAMA_PREFIXES = (
    "7700900",  # 07700 900000-900999
    "1632960",  # 01632 960000-960999
    "2079460",  # 020 7946 0000-0999
    "1134960", "1144960", "1154960", "1164960", "1174960", "1184960",
    "1214960", "1314960", "1414960", "1514960", "1614960", "1914980",
    "2896496", "2920180", "3069990", "8081570", "9098790",
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _stdnum(module) -> Validator:
    def check(text: str) -> bool:
        try:
            module.validate(text)
        except ValidationError:
            return False
        return True

    return check


def uk_phone(text: str) -> bool:
    """A UK number that is valid, or in an Ofcom drama range."""
    try:
        num = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(num):
        return True
    national = str(num.national_number)
    return num.country_code == 44 and national.startswith(_DRAMA_PREFIXES) and len(national) in (9, 10)


def luhn_card(text: str) -> bool:
    digits = _digits(text)
    return 13 <= len(digits) <= 19 and luhn.is_valid(digits)


VALIDATORS: dict[str, Validator] = {
    "uk_phone": uk_phone,
    "nhs_number": _stdnum(nhs),
    "iban": _stdnum(iban),
    "luhn": luhn_card,
}


def get(name: str) -> Validator:
    return VALIDATORS[name]
