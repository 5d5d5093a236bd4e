"""Person names from the spaCy pipeline, kept only when they read as names.

spaCy's small English model labels many things PERSON that are not people:
slide furniture, UI words ("Button"), products ("Jupyter Notebook"),
organisations ("Care Service"), courts given in their own language ("Sąd
Rejonowy"), prisons, formations. An entity is kept when:

* it has enough name words once rank and title prefixes (and a rank after
  it: "Kosoko, Insp 7866BD") are stripped;
* no word is in the rule's ``exclude`` list, every word is capitalised and
  made of letters;
* its last word is not an ordinary English word ("Algorithm", "Notebook",
  "Service", "Prison"; :mod:`redactor.detect.lexicon`), unless its first
  word is a known first name;
* no two words are frequent words of another language that no name
  table knows ("Katholieke Universiteit Leuven": an organisation, a place);
* it is not the whole of a bracket after an institution's name ("Court (Sąd
  Rejonowy)"): a translation or an acronym, not a person;
* it does not run over a line break (a slide title into the next line), nor
  end in a word cut by one ("Copyright Arbitra-").
"""

from __future__ import annotations

from collections.abc import Iterator

from redactor.detect import lexicon
from redactor.detect.context import LINE_BREAK
from redactor.detect.recognizers.base import Recognizer, Span

_APOSTROPHES = "'’-"


class NerRecognizer(Recognizer):
    shape = "spaCy entity"

    def __init__(self, rule):
        super().__init__(rule)
        self.exclude = {w.casefold() for w in rule.exclude}
        self.prefixes = {w.casefold().rstrip(".") for w in rule.strip_prefixes}
        self.shape = f"spaCy entity {'/'.join(rule.labels)}"

    def spans(self, text: str, doc=None) -> Iterator[Span]:
        if doc is None:
            return
        for ent in doc.ents:
            if ent.label_ not in self.rule.labels:
                continue
            span = self.clean(text, ent)
            if span is not None:
                yield span

    def clean(self, text: str, ent) -> Span | None:
        tokens = [t for t in ent if not t.is_punct or t.text in _APOSTROPHES or t.text.endswith(".")]
        while tokens and tokens[0].text.casefold().rstrip(".") in self.prefixes:
            tokens = tokens[1:]
        while tokens and (tokens[-1].text in ("'s", "’s", "'", "’")
                          or tokens[-1].text.casefold().rstrip(".") in self.prefixes):
            tokens = tokens[:-1]  # a possessive, or a rank after the name ("Olansile Kosoko, Insp 7866BD")
        words = [t for t in tokens if t.text not in _APOSTROPHES and not _initial(t.text)]
        if len(words) < self.rule.min_tokens or not tokens:
            return None
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        if LINE_BREAK in text[start:end] or text[end - 1] in "-\u00ad\u2010":
            return None  # (a word cut at the end of a line: "Copyright Arbitra-" / "tion Royalty Panel")
        for t in words:
            bare = t.text.replace("'", "").replace("’", "").replace("-", "")
            if t.text.casefold() in self.exclude or not t.text[:1].isupper() or not bare.isalpha():
                return None
        if lexicon.is_common_word(words[-1].text) and not lexicon.is_first_name(words[0].text):
            return None
        if all(lexicon.is_common_word(t.text) for t in words):
            return None
        # "Katholieke Universiteit Leuven"; one such word is not enough: a first name or a surname is
        # frequent in its own language too ("Fábio" in Portuguese, "Edun" in Finnish)
        # (the other languages' lists, hundreds of MiB, are read only when two words could be foreign)
        unknown = [t.text for t in words if lexicon.may_be_foreign(t.text)]
        if len(unknown) >= 2 and sum(lexicon.is_foreign_word(w) for w in unknown) >= 2:
            return None
        if _bracketed_after_institution(text, start, end):
            return None
        return start, end


def _initial(token: str) -> bool:
    return len(token) <= 3 and token.endswith(".") and token[:1].isupper()


def _bracketed_after_institution(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40):start].rstrip()
    after = text[end:end + 3].lstrip()
    if not before.endswith("(") or not after.startswith(")"):
        return False
    words = before[:-1].split()
    return bool(words) and words[-1][:1].isupper() and lexicon.is_common_word(words[-1].strip(",.;:"))
