"""Validators that rules name in their ``validators`` list.

Each takes the matched text and says whether it is a real instance of the
identifier. There are two kinds, and they weigh differently:

* **checksum** validators (NHS mod 11, IBAN mod 97, Luhn, the NI prefixes
  HMRC never issues): a failure proves the number is not that identifier,
  so the candidate is dropped;
* **evidence** validators (telephone number-range metadata, the age
  identifiers of number plates issued so far, a written trunk prefix, an
  IPv4 address that is not a section number, an e-mail address that is not
  a role mailbox): a document is not obliged to
  follow the metadata of the year a library was built, so a pass raises the
  score and a failure lowers it, and context can still carry the match;
* **bonus** validators (the shape of a UK mobile number): a pass raises the
  score, a failure says nothing.

Library implementations are used where they exist (``python-stdnum``,
``phonenumbers``).
"""

from __future__ import annotations

import datetime
import functools
import importlib
from collections.abc import Callable
from typing import Literal

import phonenumbers
import regex

Validator = Callable[[str], bool]
Kind = Literal["checksum", "evidence", "bonus"]

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


@functools.lru_cache(maxsize=None)
def _module(name: str):
    """A python-stdnum module, imported when a rule first asks for it: stdnum
    brings ssl and pydoc with it, which a file with no such number need not
    load (start-up, issue 14)."""
    return importlib.import_module(name)


def _stdnum(name: str) -> Validator:
    def check(text: str) -> bool:
        from stdnum.exceptions import ValidationError

        try:
            _module(name).validate(text)
        except ValidationError:
            return False
        return True

    return check


def uk_phone(text: str) -> bool:
    """A UK number in a range the metadata knows, or an Ofcom drama range."""
    try:
        num = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(num):
        return True
    national = str(num.national_number)
    return num.country_code == 44 and national.startswith(_DRAMA_PREFIXES) and len(national) in (9, 10)


def trunk_prefix(text: str) -> bool:
    """Written as a telephone number is written in the UK: with the trunk
    prefix 0, or in international form (+44, 0044): "1 234 567 890" in a
    table row is not."""
    t = text.lstrip("( ")
    return t.startswith(("0", "+"))


def uk_mobile_shape(text: str) -> bool:
    """Eleven digits starting 07 (or +44 7): the shape of a UK mobile number,
    which little else has."""
    digits = _digits(text)
    if digits.startswith("44"):
        digits = "0" + digits[2:].lstrip("0") if digits[2:3] == "0" else "0" + digits[2:]
    return len(digits) == 11 and digits.startswith("07")


def luhn_card(text: str) -> bool:
    digits = _digits(text)
    return 13 <= len(digits) <= 19 and _module("stdnum.luhn").is_valid(digits)


_NI_NEVER = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def ni_prefix(text: str) -> bool:
    """HMRC's prefix rules: first letter not D, F, I, Q, U, V; second not
    D, F, I, O, Q, U, V; BG, GB, NK, KN, TN, NT, ZZ never issued."""
    letters = "".join(ch for ch in text if ch.isalpha()).upper()
    if len(letters) < 3:
        return False
    a, b = letters[0], letters[1]
    return a not in "DFIQUV" and b not in "DFIOQUV" and a + b not in _NI_NEVER and letters[-1] in "ABCD"


_PLATE = regex.compile(r"^[A-Z]{2}(\d{2})\s?[A-Z]{3}$")


def vrm_issued(text: str, today: datetime.date | None = None) -> bool:
    """A current-format plate whose age identifier has been issued by
    ``today``: March of year YY gives YY, September gives YY + 50 (from 02
    in September 2001). A plate from the future is not impossible (a
    document may be newer than this check), so this is evidence only."""
    m = _PLATE.match(text.strip().upper())
    if not m:
        return False
    age = int(m.group(1))
    today = today or datetime.date.today()
    yy = today.year % 100
    latest_march = yy if today.month >= 3 else yy - 1
    latest_sept = yy + 50 if today.month >= 9 else yy + 49
    if 2 <= age <= 49:
        return age <= latest_march
    if 51 <= age <= 99:
        return age <= latest_sept
    return False


def plate_letters(text: str) -> bool:
    """The random letters of a plate, not a word written in capitals
    ("NR11 AND", "TX44 FOR")."""
    from redactor.detect import lexicon

    tail = text.strip()[-3:]
    return not (tail.isalpha() and lexicon.zipf(tail) >= 4.5)


def ipv4_not_section(text: str) -> bool:
    """An IPv4 address rather than a section or version number: at least
    one part above 31 ("6.4.3.11" and "1.2.3.4" look like numbering)."""
    parts = text.strip().split(".")
    try:
        return len(parts) == 4 and any(int(p) > 31 for p in parts)
    except ValueError:
        return False


#: Words a role mailbox's local part is made of ("foi@", "press.office@",
#: "no-reply@"): an organisation's address, not a person's. "mbx" is the
#: marker of an organisational mailbox in US government addresses.
ROLE_WORDS = frozenset("""
    abuse accounts admin administration administrator bookings billing careers comms communications complaints
    compliance contact contactus customer customerservice customerservices data dataprotection disclosure
    disclosures dpo editor editorial enquiries enquiry events feedback finance foi foia freedomofinformation
    general hello help helpdesk hostmaster hr info information inquiries inquiry jobs legal library licensing
    mail mailbox marketing mbx media news newsroom no noreply office orders postmaster press privacy protection
    publications reception recruitment registry reply request requests sales secretariat security service
    services support team webmaster
""".split())
_LOCAL_WORDS = regex.compile(r"[\p{L}\p{N}]+")


def personal_mailbox(text: str) -> bool:
    """Not a role mailbox: false when every word of the local part is a role
    word ("foi@", "press.office@", "no-reply@", "admin@") or it is marked
    as an organisation's ("...mbx...@mail.mil"); a grouped address
    ({a,b}@) is people's."""
    local = text.replace("%40", "@").rpartition("@")[0].casefold()  # (the @ of a link's address: %40)
    if local.startswith("{"):
        return True
    words = _LOCAL_WORDS.findall(local)
    return not words or not ("mbx" in words or all(w in ROLE_WORDS for w in words))


_ORGANISATION_HANDLE = regex.compile(
    r"police|polis|constabulary|council|nhs|gov|cps|iopc|news|official|service|support|help|team|force|fire|"
    r"ambulance|trust|university|college|school", regex.IGNORECASE)
#: an officer's own account, named with the rank ("@PCJaneDoe_Met", "@InspBloggs_Police")
_RANKED_HANDLE = regex.compile(r"@(?:PCSO|PC|PS|Sgt|DC|DS|DI|DCI|Insp|Supt|ChSupt|CC|ACC|DCC)_?[A-Z]")


def personal_handle(text: str) -> bool:
    """Not an organisation's account: false when the handle names a force,
    a council, a service or a team ("@MetPoliceUK", "@NHSEngland"), unless
    a rank begins it (an officer's own: "@InspBloggs_Police")."""
    return bool(_RANKED_HANDLE.match(text)) or not _ORGANISATION_HANDLE.search(text)


def name_words(text: str) -> bool:
    """Two to four words each of which could be a name, or a first name a
    table knows ("Ravinder Sandhu", "Mo Iqbal"; not "Action Required")."""
    from redactor.detect import lexicon, names

    words = names.words_of(text)
    return 2 <= len(words) <= 4 and all(names.name_like(w) or lexicon.is_first_name(w) for w in words) \
        and names.name_like(words[-1])


def capitals_surname(text: str) -> bool:
    """A first name and a surname in capitals, either way round, as police
    writing has names ("Lee PRITCHARD", "KAMINSKI Piotr", "Aoife McGRATH"):
    the first name no ordinary word, and one a table knows or a rare word
    ("Adaeze"); the surname of three letters or more, no ordinary word, and
    a surname a table knows or a word no English text uses (not "Will
    ANPR", "Paris CCTV")."""
    from redactor.detect import lexicon, names

    words = text.split()
    if len(words) != 2:
        return False
    first, surname = (words[1], words[0]) if words[0].isupper() and not words[1].isupper() else words
    if first.casefold() in names.FIELD_LABELS or not (
            names.name_like(first) and (lexicon.is_first_name(first) or lexicon.zipf(first) < names.RARE_WORD_ZIPF)):
        return False
    bare = regex.sub(r"^(?:Mc|Mac|O['’])", "", surname)
    letters = [ch for ch in bare if ch.isalpha()]
    if len(letters) < 3 or not bare.isupper() or not names.name_like(bare.title()):
        return False
    return any(lexicon.name_share(w) > 0 for w in (bare.title(), surname.title())) or lexicon.zipf(bare) == 0


VALIDATORS: dict[str, tuple[Validator, Kind]] = {
    "uk_phone": (uk_phone, "evidence"),
    "trunk_prefix": (trunk_prefix, "evidence"),
    "uk_mobile_shape": (uk_mobile_shape, "bonus"),
    "vrm_issued": (vrm_issued, "evidence"),
    "plate_letters": (plate_letters, "evidence"),
    "ipv4_not_section": (ipv4_not_section, "evidence"),
    "personal_mailbox": (personal_mailbox, "evidence"),
    "personal_handle": (personal_handle, "evidence"),
    "nhs_number": (_stdnum("stdnum.gb.nhs"), "checksum"),
    "iban": (_stdnum("stdnum.iban"), "checksum"),
    "luhn": (luhn_card, "checksum"),
    "imei": (_stdnum("stdnum.imei"), "checksum"),
    "ni_prefix": (ni_prefix, "checksum"),
    "name_words": (name_words, "checksum"),
    "capitals_surname": (capitals_surname, "checksum"),
}


def get(name: str) -> Validator:
    return VALIDATORS[name][0]


def kind(name: str) -> Kind:
    return VALIDATORS[name][1]
