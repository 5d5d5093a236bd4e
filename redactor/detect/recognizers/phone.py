"""Telephone numbers in every written form, via ``phonenumbers``."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import phonenumbers

from redactor.detect.context import LINE_BREAK
from redactor.detect.recognizers.base import Recognizer, Span


class PhoneRecognizer(Recognizer):
    """Anything ``phonenumbers`` reads as a possible number of the rule's
    region (length only: a range the metadata does not know yet is still a
    shape; the ``uk_phone`` validator weighs the metadata).

    The matcher runs twice: on the text with its line breaks (numbers in
    table cells are not glued to the next cell's digits) and with line
    breaks read as spaces (numbers broken over two lines). Overlap
    resolution keeps the longest. A rule may take only some types of number
    (``number_types``: an organisation's freephone and 03 numbers) or all
    but some (``skip_types``), as the metadata types them."""

    shape = "telephone number (phonenumbers)"

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        only, skip = set(self.rule.number_types), set(self.rule.skip_types)
        for start, end, kind in _matches(text, self.rule.region):
            if (only and kind not in only) or kind in skip:
                continue
            yield start, end


#: white space that typesetters put between a number's groups (thin, narrow no-break, figure, en
#: spaces...): a space to the matcher
_SPACES = {c: " " for c in (0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x202F,
                           0x205F, 0x3000)}


@functools.lru_cache(maxsize=8)
def _matches(text: str, region: str) -> tuple[tuple[int, int, str], ...]:
    """Every number of 9 digits or more in ``text`` (both variants: line
    breaks kept, and read as spaces), with its type: the phone rules of a
    region share one pass of the matcher over a text."""
    seen: set[Span] = set()
    out = []
    text = text.translate(_SPACES)  # (the matcher reads a space and a no-break space only: one for one)
    for variant in (text.replace(LINE_BREAK, "\n"), text.replace(LINE_BREAK, " ")):
        for m in phonenumbers.PhoneNumberMatcher(variant, region, leniency=phonenumbers.Leniency.POSSIBLE):
            if sum(ch.isdigit() for ch in m.raw_string) >= 9 and (m.start, m.end) not in seen:
                seen.add((m.start, m.end))
                out.append((m.start, m.end, number_type(m.number)))
    return tuple(out)


_TYPES = {v: k.lower() for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper()}


def number_type(number: phonenumbers.PhoneNumber) -> str:
    """What the metadata says the number is ("mobile", "toll_free", "uan",
    ...; "unknown" for a range it does not know)."""
    return _TYPES.get(phonenumbers.number_type(number), "unknown")
