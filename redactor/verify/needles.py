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

from redactor.detect.lexicon import is_common_word, is_word_first, zipf  # the word lists, not detection's reading of the page

#: Redacted texts shorter than this (letters and digits) are checked under
#: their boxes only, not searched for across the file.
MIN_SEARCH_CHARS = 4
MIN_SQUEEZED = 6
#: letters a text needs before it is also matched with punctuation squeezed out
MIN_LOOSE_LETTERS = 6
MIN_SURNAME = 4
#: a piece of a squeezed match written at least this often is an ordinary word (Zipf scale)
ORDINARY_ZIPF = 3.0
NAME_CATEGORIES = frozenset({"person_name"})


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


_NOT_ALNUM = re.compile(r"[\W_]+")


def _alnum(s: str) -> str:
    return _NOT_ALNUM.sub("", s)


def _bounded(hay: str, start: int, end: int) -> bool:
    """No letter, digit or underscore right before ``start`` or at ``end``."""
    return (start == 0 or not (hay[start - 1].isalnum() or hay[start - 1] == "_")) and (
        end == len(hay) or not (hay[end].isalnum() or hay[end] == "_"))


def _spread_out(hay: str, needle: str, squeezed: str, gap: str) -> bool:
    """Does ``squeezed`` (``needle`` with its spaces, or everything but its
    letters and digits, taken out) occur in ``hay`` with ``gap`` between
    its characters, beginning where a word begins and ending where one ends,
    not after a line-break hyphen? ("j o h n s m i t h", "smeth urst",
    "jonathan.smethurst@", "Checked-by-Rachel-Turner"; not "heston" in "the
    Stone", nor "daguerre" in "daguerreotypes", nor "nesson" in "busi- ness
    on".) A match split where the needle's own words are not, into ordinary
    words of two letters or more only, is no leak either ("ness on" at the
    top of a page whose "busi-" ends the one before; a name split so, "Les
    sig", is missed by this search, while "L e s s i g" is not). Only asked
    once the squeezed needle is found."""
    own, at = set(), 0
    for word in re.split(r"[\W_]+", needle):
        at += len(word)
        own.add(at)
    body = gap.join(re.escape(ch) for ch in squeezed)
    for m in re.finditer(rf"(?<!\w)(?<!\w- )(?=({body})(?!\w))", hay):
        pieces = [p for p in re.split(r"[\W_]+", m.group(1)) if p]
        ends = {sum(len(p) for p in pieces[:k + 1]) for k in range(len(pieces))}
        if ends <= own or not all(len(p) >= 2 and zipf(p) >= ORDINARY_ZIPF for p in pieces):
            return True
    return False


def _as_a_name(text: str, surname: str, upper: str) -> bool:
    """``surname`` (or ``upper``) stands as a word of its own in ``text``,
    not as part of a hyphenated one ("Bristol-Myers": detection does not
    take a name there either), nor, for a surname that is an everyday word
    first, where the words around it make it another name's (see
    :func:`_a_name_there`: "The White Paper", "Ernst & Young"; no one, and
    redaction leaves it)."""
    body = f"{re.escape(surname)}|{re.escape(upper)}"
    return any(_a_name_there(text, m.start(), m.end(), surname)
               for m in re.finditer(rf"(?<!\w)(?<!\w-)(?:{body})(?!\w)(?!-\w)", text))


_NEXT_CAPITALISED = re.compile(r"\s+([A-Z][a-z]+)\b")
#: an ampersand before ("Ernst & Young"; "Ernst&Young" in a reading of the glyphs joined with no spaces)
_AMPERSAND_BEFORE = re.compile(r"&\s*\Z")


def _a_name_there(text: str, start: int, end: int, surname: str) -> bool:
    """A surname's match at ``text[start:end]`` may be the person: always,
    unless the surname is an everyday word first ("White", not "Smith") and
    the words around it make it part of something else's name (a
    capitalised ordinary word after it, or an ampersand before it: "The
    White Paper", "Ernst & Young")."""
    if not is_word_first(surname):
        return True
    nxt = _NEXT_CAPITALISED.match(text, end)
    if nxt and is_common_word(nxt.group(1)):
        return False
    return _AMPERSAND_BEFORE.search(text, max(0, start - 4), start) is None


#: how many leading characters :class:`_Finder` files its words under
_HEAD = 4

#: Bytes that ``str.split`` takes for white space once read as latin-1
#: (what ``_norm`` collapses and the squeezed search drops), and the zero
#: byte (a view of the bytes drops those too).
_GAPS = bytes([0, 9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0x85, 0xA0])
_LOWER = bytes.maketrans(bytes(range(65, 91)), bytes(range(97, 123)))
#: What an anchor is made of: ASCII letters and digits. Read as latin-1 and
#: case-folded, only "A"-"Z", themselves and "ß" ("ss") give these.
_ANCHOR = re.compile(r"[a-z0-9]+")
MIN_ANCHOR = 4


class _Finder:
    """Which of a fixed set of words occur in a text, in one pass over it.

    One regular expression holds every word, as a trie (words sharing a
    beginning share its branch, so the engine tries each position of the
    text once against all words). Every position where some word begins is
    visited (the search resumes one character after each match, so words
    that overlap or begin at the same place are all seen); there, each word
    filed under the text's next characters is compared exactly, with the
    whole-word test where asked. The answer is the set of words a separate
    ``word in text`` (or whole-word search) per word would give."""

    def __init__(self, words):
        self.words = sorted({w for w in words if w})
        self.heads: dict[str, list[str]] = {}
        self.short: list[str] = []
        for w in self.words:
            if len(w) >= _HEAD:
                self.heads.setdefault(w[:_HEAD], []).append(w)
            else:
                self.short.append(w)
        self.pattern = re.compile(_trie(self.words)) if self.words else None

    def found(self, hay: str, whole: bool = False) -> set[str]:
        out: set[str] = set()
        if self.pattern is None or not hay:
            return out
        left = len(self.words)
        search = self.pattern.search
        pos = 0
        while left:
            m = search(hay, pos)
            if m is None:
                break
            start = m.start()
            candidates = self.heads.get(hay[start:start + _HEAD], ())
            if self.short:
                candidates = [*candidates, *self.short]
            for w in candidates:
                if w not in out and hay.startswith(w, start) and (
                        not whole or _bounded(hay, start, start + len(w))):
                    out.add(w)
                    left -= 1
            pos = start + 1
        return out


#: what :func:`_bytes_test` gives when some needle has no anchor: any bytes may hold one
_ANY = object()


def _bytes_test(forms: list[str]):
    """The pattern :meth:`Needles.may_be_in_bytes` searches for (bytes):
    every form's anchor; _ANY if some form has none."""
    anchors = set()
    for form in forms:
        runs = _ANCHOR.findall(form.casefold().replace(" ", ""))
        best = max(runs, key=len, default="")
        if len(best) < MIN_ANCHOR:
            return _ANY
        anchors.add(best)
    return re.compile(_trie(sorted(anchors)).encode("ascii")) if anchors else _ANY


def _trie(words: list[str]) -> str:
    """A regular expression matching any of ``words`` (no anchors), with
    shared beginnings factored out: ``ab(?:c|d)``."""
    tree: dict = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _branch(tree)


def _branch(node: dict) -> str:
    parts = []
    end = False
    for ch in sorted(node):
        if ch == "":
            end = True
            continue
        child = node[ch]
        chain = [ch]
        while len(child) == 1 and "" not in child:  # a run with no branching: one literal
            (nxt, child), = child.items()
            chain.append(nxt)
        parts.append(re.escape("".join(chain)) + _branch(child))
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    if end:  # a word ends here and longer ones go on
        return "(?:" + body + ")?"
    return body


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
        self._texts = _Finder(self.texts)
        self._squeezed = _Finder(self.squeezed.values())
        self._loose = _Finder(self.loose.values())
        self._upper = [(s, s.upper()) for s in self.surnames]
        self._surnames = _Finder(self.surnames + [up for _, up in self._upper])

        self._bytes = None  # made when first asked (most files have no image)

    def __bool__(self) -> bool:
        return bool(self.all)

    def may_be_in_bytes(self, raw: bytes) -> bool:
        """False only if :meth:`found_in` with ``loose=False`` finds nothing
        in ``raw`` read as latin-1, nor with its zero bytes dropped: a test
        made in C over megabytes of pixels (verification reads images'
        decoded bytes), before the text is case-folded and searched.

        Each needle's anchor (its longest run of ASCII letters and digits,
        spaces taken out) must then lie in ``raw`` case-folded as latin-1
        case-folds it ("ß" to "ss", "A"-"Z" to "a"-"z"; no other latin-1
        character folds to one of these) with white space and zero bytes
        dropped: a match of the needle, whole or squeezed, or of a surname
        as written, holds its anchor as such a run of bytes. Any needle
        with no anchor of MIN_ANCHOR characters: True."""
        if not self.all:
            return False
        if self._bytes is None:
            self._bytes = _bytes_test(self.texts + self.surnames)
        if self._bytes is _ANY:
            return True
        return self._bytes.search(raw.replace(b"\xdf", b"ss").translate(_LOWER, _GAPS)) is not None

    def found_in(self, text: str, loose: bool = True) -> list[str]:
        """The needles readable in ``text``. ``loose``: also with punctuation
        squeezed out (not for raw stream bytes, where numbers abound).

        Each form of the text is read once for all needles (one search per
        form, :class:`_Finder`), not once per needle: a decoded stream of a
        large file is megabytes long and a file has hundreds of needles."""
        if not self.all or not text:
            return []
        hay = _norm(text)
        whole = self._texts.found(hay, whole=True)
        hits = [t for t in self.texts if t in whole] if whole else []
        squeezed = self._squeezed.found(hay.replace(" ", ""))
        if squeezed:
            hits += [t for t, s in self.squeezed.items() if t not in hits and s in squeezed
                     and _spread_out(hay, t, s, " ?")]
        if loose and self.loose:
            al = self._loose.found(_alnum(hay))
            if al:
                hits += [t for t, s in self.loose.items() if t not in hits and s in al
                         and _spread_out(hay, t, s, r"[\W_]*")]
        written = self._surnames.found(text, whole=True)
        if written:
            hits += [s.casefold() for s, up in self._upper
                     if (s in written or up in written) and _as_a_name(text, s, up)]
        return hits

    def fuzzy_in(self, text: str) -> list[str]:
        """Needles read with a few wrong letters (one per eight), as OCR
        does; surnames as names are written (capitalised or in capitals)."""
        hay = _norm(text)
        flat = " ".join(text.split())
        hits = []
        for t in self.texts:
            pieces = _pieces(t.split(), len(t) // 8)
            if pieces is not None and not any(p in hay for p in pieces):
                continue  # no match can exist: the search with errors allowed is skipped, not its answer changed
            if regex.search(_fuzzy(r"\s*".join(regex.escape(w) for w in t.split()), len(t)), hay, regex.BESTMATCH):
                hits.append(t)
        for s in self.surnames:
            pattern = _fuzzy(regex.escape(s[0]) + "(?i:" + regex.escape(s[1:]) + ")", len(s))
            if is_word_first(s):  # each match is weighed by the words around it (see _a_name_there)
                hit = any(_a_name_there(flat, m.start(), m.end(), s) for m in regex.finditer(pattern, flat))
            else:
                hit = regex.search(pattern, flat, regex.BESTMATCH) is not None
            if hit:
                hits.append(s.casefold())
        return hits


def _pieces(words: list[str], errors: int) -> list[str] | None:
    """``errors + 1`` pieces of ``words``, disjoint, none across a space:
    a match with at most ``errors`` wrong, missing or extra letters leaves
    at least one of them whole (each error falls in one piece at most), so
    a text that holds none of them as written holds no match, and the
    search with errors allowed (seconds for a long text with ten errors
    allowed, on every page OCR reads) need not run. None: the words are
    too short to cut into that many pieces."""
    parts = [w for w in words if w]
    need = errors + 1
    while len(parts) < need:
        i = max(range(len(parts)), key=lambda k: len(parts[k]))
        w = parts[i]
        if len(w) < 2:
            return None
        parts[i:i + 1] = [w[:len(w) // 2], w[len(w) // 2:]]
    return sorted(parts, key=len, reverse=True)[:need]


def _fuzzy(body: str, length: int) -> str:
    errors = length // 8
    return r"(?<!\w)(?:" + body + ")" + (f"{{e<={errors}}}" if errors else "") + r"(?!\w)"
