"""What verification looks for: the redacted texts, and the surnames of
redacted names.

A redacted text is matched as a whole word (case-insensitive), and for
longer ones also with the white space squeezed out (text split into
positioned glyphs loses its spaces) or with everything but letters and
digits squeezed out (``jonathan.smethurst@``). A redacted person's surname
alone is matched as a whole word written as a name is written (Smethurst,
SMETHURST), unless a reviewer chose to keep that text somewhere or it is an
ordinary English word ("Commons", "Love": redaction does not take those
alone, the full name is still looked for); so is a
redacted text detection marked as one to match only as written (a surname
that is also an ordinary word, "White": "white" in prose is not a leak).
:meth:`Needles.fuzzy_in` allows a few wrong letters, for OCR.
"""

from __future__ import annotations

import re

import regex

from redactor.detect.lexicon import is_common_word  # the word list, not detection's reading of the page

#: Redacted texts shorter than this (letters and digits) are checked under
#: their boxes only, not searched for across the file.
MIN_SEARCH_CHARS = 4
MIN_SQUEEZED = 6
#: letters a text needs before it is also matched with punctuation squeezed out
MIN_LOOSE_LETTERS = 6
MIN_SURNAME = 4
NAME_CATEGORIES = frozenset({"person_name"})


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


_NOT_ALNUM = re.compile(r"[\W_]+")


def _alnum(s: str) -> str:
    return _NOT_ALNUM.sub("", s)


def _whole_words(hay: str, needle: str) -> bool:
    """``needle`` in ``hay`` with no letter or digit right before or after it."""
    start = hay.find(needle)
    while start >= 0:
        end = start + len(needle)
        if (start == 0 or not (hay[start - 1].isalnum() or hay[start - 1] == "_")) and (
                end == len(hay) or not (hay[end].isalnum() or hay[end] == "_")):
            return True
        start = hay.find(needle, start + 1)
    return False


class Needles:
    def __init__(self, texts, names=(), kept=(), as_written=()):
        """``as_written``: redacted texts matched only as they were written
        (or in capitals): a surname that is also an ordinary word ("White")
        is not looked for as "white" in prose."""
        kept_norm = {_norm(k) for k in kept if k}
        written = {" ".join(t.split()) for t in as_written if sum(ch.isalnum() for ch in t) >= MIN_SEARCH_CHARS}
        written = {w for w in written if _norm(w) not in kept_norm}
        self.texts = sorted({_norm(t) for t in texts if sum(ch.isalnum() for ch in t) >= MIN_SEARCH_CHARS}
                            - kept_norm - {_norm(w) for w in written})

        self.squeezed = {t: t.replace(" ", "") for t in self.texts if len(t.replace(" ", "")) >= MIN_SQUEEZED}
        self.loose = {t: _alnum(t) for t in self.texts if sum(ch.isalpha() for ch in t) >= MIN_LOOSE_LETTERS}
        surnames = set()
        for name in names:
            tokens = [t.strip(".,;:'’") for t in (name or "").split()]
            tokens = [t for t in tokens if t]
            if len(tokens) >= 2 and len(tokens[-1]) >= MIN_SURNAME and tokens[-1][:1].isupper():
                s = tokens[-1]
                # a surname that is an ordinary word ("Commons", "Love") alone is not the
                # person: redaction does not take it alone, so it is no leak alone either
                if _norm(s) not in kept_norm and _norm(s) not in self.texts and not is_common_word(s):
                    surnames.add(s)
        self.surnames = sorted(surnames | written)

        self.all = self.texts + [s.casefold() for s in self.surnames]

    def __bool__(self) -> bool:
        return bool(self.all)

    def found_in(self, text: str, loose: bool = True) -> list[str]:
        """The needles readable in ``text``. ``loose``: also with punctuation
        squeezed out (not for raw stream bytes, where numbers abound)."""
        if not self.all or not text:
            return []
        hay = _norm(text)
        squeezed = hay.replace(" ", "")
        hits = [t for t in self.texts if t in hay and _whole_words(hay, t)]
        hits += [t for t, s in self.squeezed.items() if t not in hits and s in squeezed]
        if loose and self.loose:
            al = _alnum(hay)
            hits += [t for t, s in self.loose.items() if t not in hits and s in al]
        for s in self.surnames:
            if _whole_words(text, s) or _whole_words(text, s.upper()):
                hits.append(s.casefold())
        return hits

    def fuzzy_in(self, text: str) -> list[str]:
        """Needles read with a few wrong letters (one per eight), as OCR
        does; surnames as names are written (capitalised or in capitals)."""
        hay = _norm(text)
        flat = " ".join(text.split())
        hits = []
        for t in self.texts:
            if regex.search(_fuzzy(r"\s*".join(regex.escape(w) for w in t.split()), len(t)), hay, regex.BESTMATCH):
                hits.append(t)
        for s in self.surnames:
            body = regex.escape(s[0]) + "(?i:" + regex.escape(s[1:]) + ")"
            if regex.search(_fuzzy(body, len(s)), flat, regex.BESTMATCH):
                hits.append(s.casefold())
        return hits


def _fuzzy(body: str, length: int) -> str:
    errors = length // 8
    return r"(?<!\w)(?:" + body + ")" + (f"{{e<={errors}}}" if errors else "") + r"(?!\w)"
