"""Verification reads each text once for all redacted texts (one search per
form of the text), and finds exactly what a search per redacted text finds:
whole words, the text with its spaces squeezed out, with its punctuation
squeezed out, surnames as names are written, needles that overlap or begin
at the same place. Checked against a plain search per needle, and on a PDF
built here whose streams hold each form."""

from __future__ import annotations

import itertools
import random

import pikepdf
import pytest
from pdfkit import make_pdf, neighbour_op

from redactor.verify.checks import Redaction, verify_file
from redactor.detect.lexicon import is_common_word, is_word_first, zipf
from redactor.verify.needles import ORDINARY_ZIPF, Needles, _alnum, _norm


def _whole_words(hay: str, needle: str) -> bool:
    start = hay.find(needle)
    while start >= 0:
        end = start + len(needle)
        if (start == 0 or not (hay[start - 1].isalnum() or hay[start - 1] == "_")) and (
                end == len(hay) or not (hay[end].isalnum() or hay[end] == "_")):
            return True
        start = hay.find(needle, start + 1)
    return False


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _spread_words(hay: str, needle: str, squeezed: str, gap) -> bool:
    """``squeezed`` in ``hay`` with characters ``gap`` accepts between its
    own (one at most when ``gap`` says so), from a word's start to a word's
    end (the end of a word hyphenated at a line break begins none), unless
    split where ``needle``'s words are not into ordinary words of two
    letters or more only: tried at every place a word begins."""
    words = "".join(ch if ch.isalnum() else " " for ch in needle).split()
    own = {sum(len(w) for w in words[:k + 1]) for k in range(len(words))}
    for i in range(len(hay)):
        if i and _word(hay[i - 1]) or (hay[max(0, i - 3):i].endswith("- ") and i >= 3 and _word(hay[i - 3])):
            continue
        j = 0
        for k, ch in enumerate(squeezed):
            skipped = 0
            while k and i + j < len(hay) and hay[i + j] != ch and gap(hay[i + j], skipped):
                j, skipped = j + 1, skipped + 1
            if i + j >= len(hay) or hay[i + j] != ch:
                break
            j += 1
        else:
            if i + j == len(hay) or not _word(hay[i + j]):
                pieces = "".join(ch if ch.isalnum() else " " for ch in hay[i:i + j]).split()
                ends = {sum(len(w) for w in pieces[:k + 1]) for k in range(len(pieces))}
                if ends <= own or not all(len(w) >= 2 and zipf(w) >= ORDINARY_ZIPF for w in pieces):
                    return True
    return False


def _name_words(text: str, needle: str, surname: str) -> bool:
    """A whole word that is no part of a hyphenated one, nor, for a surname
    that is a word first, followed by a capitalised ordinary word."""
    start = text.find(needle)
    while start >= 0:
        end = start + len(needle)
        if _whole_words(text[max(0, start - 1):end + 1], needle) and not (
                start >= 2 and text[start - 1] == "-" and _word(text[start - 2])) and not (
                end + 1 < len(text) and text[end] == "-" and _word(text[end + 1])) and not (
                is_word_first(surname) and (_capitalised_word_after(text, end) or _inside_before(text, start))):
            return True
        start = text.find(needle, start + 1)
    return False


def _inside_before(text: str, start: int) -> bool:
    """An ampersand (white space after it or not) just before ``start`` (within 4 characters)."""
    return text[max(0, start - 4):start].rstrip().endswith("&")


def _capitalised_word_after(text: str, end: int) -> bool:
    rest = text[end:]
    word = rest.lstrip()
    if len(word) == len(rest) or not word[:1].isascii() or not word[:1].isupper():
        return False
    n = 1
    while n < len(word) and word[n].isascii() and word[n].islower():
        n += 1
    if n == 1 or (n < len(word) and (word[n].isalnum() or word[n] == "_")):
        return False
    return is_common_word(word[:n])


def per_needle(needles: Needles, text: str, loose: bool = True) -> list[str]:
    """The search as it should be: every needle looked for on its own."""
    if not needles.all or not text:
        return []
    hay = _norm(text)
    squeezed = hay.replace(" ", "")
    hits = [t for t in needles.texts if t in hay and _whole_words(hay, t)]
    hits += [t for t, s in needles.squeezed.items() if t not in hits and s in squeezed
             and _spread_words(hay, t, s, lambda ch, n: ch == " " and n == 0)]
    if loose and needles.loose:
        al = _alnum(hay)
        hits += [t for t, s in needles.loose.items() if t not in hits and s in al
                 and _spread_words(hay, t, s, lambda ch, n: not ch.isalnum())]
    for s in needles.surnames:
        if _name_words(text, s, s) or _name_words(text, s.upper(), s):
            hits.append(s.casefold())
    return hits


def test_one_search_finds_what_a_search_per_needle_finds():
    rnd = random.Random(14)
    letters = list("abcdeSMITHsmith ") + ["ß", "İ", "_", ".", "-", "@", "\n", "\x00", "é", "1", "2", "ﬁ", "Σ", "ς"]

    def word(n):
        return "".join(rnd.choice(letters) for _ in range(n))

    compared = found = 0
    for _ in range(400):
        base = [word(rnd.randint(2, 12)) for _ in range(rnd.randint(1, 10))]
        # needles that overlap, share a beginning or hold one another
        texts = base + [a + " " + b for a, b in itertools.pairwise(base)][:3] + [b[:rnd.randint(1, len(b))] for b in base[:3]]
        names = [rnd.choice(["John ", "Ann "]) + w.strip().capitalize() for w in base[:4]] + ["Mary Smith"]
        needles = Needles(texts, names, base[:1] if rnd.random() < 0.3 else [], [w.title() for w in base[4:6]])
        for _ in range(10):
            parts = [rnd.choice(texts + names + [word(5)]) for _ in range(rnd.randint(0, 8))]
            text = "".join(rnd.choice(["", " ", "\n", "x", "_", ".", "  "]) + p for p in parts)
            if rnd.random() < 0.5:
                text = text.upper() if rnd.random() < 0.5 else text.lower()
            for loose in (True, False):
                expected = per_needle(needles, text, loose)
                assert needles.found_in(text, loose) == expected, (text, texts, names)
                compared += 1
                found += bool(expected)
    assert found > compared // 3  # the comparison is not only of empty answers


def test_needles_that_overlap_or_begin_together_are_all_found():
    needles = Needles(["John Smith", "Smith Jones", "John Smithson", "Jo Smithers"])
    text = "met john smith jones and john smithson"
    assert needles.found_in(text) == per_needle(needles, text)
    assert set(needles.found_in(text)) == {"john smith", "smith jones", "john smithson"}
    # a word boundary failing at the first place a needle occurs, not at the second
    assert needles.found_in("xjohn smithy; john smith.") == ["john smith"]


NAME = "Jonathan Smethurst"
EMAIL = "jonathan.smethurst@example.org"


def _stream_texts() -> dict[str, bytes]:
    return {
        "whole words": b"% note: Jonathan  SMETHURST was here",
        "spaces squeezed out": b"[(Jonathan)(Smethurst)] TJ JonathanSmethurst",
        "punctuation squeezed out": b"mail jonathan-smethurst-example-org now",
        "surname alone, as a name is written": b"ask SMETHURST",
        "UTF-16": "to Jonathan Smethurst".encode("utf-16-be"),
    }


def test_each_form_in_a_stream_is_found(tmp_path):
    """Streams no page draws, each holding one form of a redacted text: the
    walk of every decoded stream names each of them."""
    streams = _stream_texts()
    made = {}

    def setup(pdf):
        for what, body in streams.items():
            made[what] = pdf.make_stream(body)
        pdf.Root.Undrawn = pikepdf.Array(list(made.values()))

    src = make_pdf(tmp_path / "planted.pdf", [neighbour_op()], setup=setup)
    with pikepdf.open(src) as pdf:
        objects = {what: obj.objgen[0] for what, obj in zip(streams, pdf.Root.Undrawn)}
    checks = [Redaction(page=1, rects=[], text=NAME, exemption="s40(2)", kind="covered", category="person_name"),
              Redaction(page=1, rects=[], text=EMAIL, exemption="s40(2)", kind="covered", category="email")]
    problems = verify_file(src, checks).problems
    for what, num in objects.items():
        assert any(f"object {num}" in p for p in problems), f"{what}: not found in object {num}"
    whole = [p for p in problems if f"object {objects['whole words']}" in p]
    assert any("'jonathan smethurst'" in p for p in whole)
    assert any("'smethurst'" in p for p in problems if f"object {objects['surname alone, as a name is written']}" in p)


def test_a_clean_stream_is_not_flagged(tmp_path):
    def setup(pdf):
        pdf.Root.Undrawn = pdf.make_stream(b"% Jonathan S. met Mr Smethursts and smethurst; the Jonathans")

    src = make_pdf(tmp_path / "clean.pdf", [neighbour_op()], setup=setup)
    checks = [Redaction(page=1, rects=[], text=NAME, exemption="s40(2)", kind="covered", category="person_name")]
    assert verify_file(src, checks).problems == []


_CMAP = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
         b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n%s\nendcmap end end\n")


def _cmap_pdf(tmp_path, body: bytes):
    def setup(pdf):
        pdf.Root.Undrawn = pdf.make_stream(_CMAP % body)

    return make_pdf(tmp_path / "cmap.pdf", [neighbour_op()], setup=setup)


def test_a_code_in_a_tounicode_map_is_not_a_redacted_number(tmp_path):
    """A font's ToUnicode map holds '<04d6> <04ff> <3041>' (U+3041 on): a
    redacted collar number 3041 is not in it (9 of 60 held-out phrasebook
    files were refused for this)."""
    src = _cmap_pdf(tmp_path, b"1 beginbfrange\n<04d6> <04ff> <3041>\nendbfrange")
    checks = [Redaction(page=1, rects=[], text="3041", exemption="s40(2)", kind="covered", category="collar_number")]
    assert verify_file(src, checks).problems == []


def test_a_name_a_tounicode_map_spells_or_carries_is_still_found(tmp_path):
    name = "Joe Bloggs".encode("utf-16-be").hex().encode()
    for body in (b"1 beginbfchar\n<0001> <" + name + b">\nendbfchar", b"% made for Joe Bloggs\n"):
        src = _cmap_pdf(tmp_path, body)
        checks = [Redaction(page=1, rects=[], text="Joe Bloggs", exemption="s40(2)", kind="covered",
                            category="person_name")]
        assert any("'joe bloggs'" in p for p in verify_file(src, checks).problems), body


def test_a_number_in_a_font_program_or_in_pdf_syntax_is_not_a_redacted_number(tmp_path):
    """A redacted collar number turns up by chance in a 3.5 MB TrueType
    program and in a CID font's widths in an object stream ('2170 [ 504 ]'):
    neither is text anyone reads. A name in a font program still counts."""
    number = [Redaction(page=1, rects=[], text="2170", exemption="s40(2)", kind="covered",
                        category="collar_number")]
    name = [Redaction(page=1, rects=[], text="Joe Bloggs", exemption="s40(2)", kind="covered",
                      category="person_name")]

    def font_program(body):
        def setup(pdf):
            pdf.Root.Undrawn = pdf.make_stream(body, Length1=len(body))
        return make_pdf(tmp_path / "font.pdf", [neighbour_op()], setup=setup)

    assert verify_file(font_program(b"\x00\x01glyf\x002170\x07\x00"), number).problems == []
    assert any("'joe bloggs'" in p for p in verify_file(font_program(b"\x00name\x00Joe Bloggs\x00"), name).problems)

    src = make_pdf(tmp_path / "plain.pdf", [neighbour_op()],
                   setup=lambda pdf: setattr(pdf.Root, "Widths", pdf.make_indirect(pikepdf.Array([2160, 2170, 504]))))
    packed = tmp_path / "objstm.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(packed, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    with pikepdf.open(packed) as pdf:
        assert any(o.get("/Type") == "/ObjStm" for o in pdf.objects if isinstance(o, pikepdf.Stream))
    assert verify_file(packed, number).problems == []


@pytest.mark.parametrize("number, matrix, quiet, loud", [
    # the invisible phrase's text matrix held a redacted collar number after its decimal point
    ("3905", b"0.358 0 0 1 268.3905 724 Tm", [b"(Redacted) Tj"], [b"(PC 3905) Tj"]),
    # a kerning step of another page's TJ array held a redacted shoulder number (fresh range 140,000); an
    # integer coordinate may as well
    ("5994", b"1 0 0 1 5994 724 Tm", [b"[<0033>-5994<002f>] TJ"], [b"(PC 5994) Tj", b"% PC 5994\n(Redacted) Tj"]),
])
def test_a_numeric_operand_in_a_content_stream_is_not_a_redacted_number(tmp_path, number, matrix, quiet, loud):
    """A content stream's numbers are operands, not text: each refused 1 of 60
    held-out phrasebook files. The number shown as text, or written in a
    comment, is still found."""
    checks = [Redaction(page=1, rects=[], text=number, exemption="s40(2)", kind="covered",
                        category="shoulder_number")]

    def content(body):
        def setup(pdf):
            pdf.Root.Undrawn = pdf.make_stream(b"q BT /F1 9 Tf " + matrix + b" " + body + b" ET Q")
        return make_pdf(tmp_path / "content.pdf", [neighbour_op()], setup=setup)

    for body in quiet:
        assert verify_file(content(body), checks).problems == [], body
    for body in loud:
        assert any(f"'{number}'" in p for p in verify_file(content(body), checks).problems), body


def test_bytes_where_no_needle_can_be_are_told_before_they_are_read_as_text():
    """Verification reads images' decoded bytes as text (megabytes a page
    of a scan); a test in C first tells the windows where no redacted text
    can be found. It must never pass over one where the search would find
    one: checked on random bytes holding needles written every way the
    search reads them (any case, white space or zero bytes between letters,
    "ß" for "ss", surnames in capitals, other latin-1 letters beside)."""
    from redactor.verify.deep import _byte_texts

    rnd = random.Random(26)
    alphabet = list("abcdefghijklmnopqrstuvwxyzSMITH0123456789") + ["ß", "é", "Ü", "ss", " ", "-", "."]
    gaps = [b"", b" ", b"\n", b"\x00", b"\t", b"\x85", b"\xa0", b"\x1c"]

    def word(n):
        return "".join(rnd.choice(alphabet) for _ in range(n)).strip() or "x"

    def written(text: str) -> bytes:
        out = []
        for ch in text.encode("latin-1", "replace").decode("latin-1"):
            ch = rnd.choice([ch, ch.upper(), ch.lower()]) if len(ch.upper()) == 1 else ch
            out.append(ch.encode("latin-1", "replace") + (rnd.choice(gaps) if rnd.random() < 0.05 else b""))
        return b"".join(out).replace(b"ss", b"\xdf" if rnd.random() < 0.5 else b"ss")

    compared = found = skipped = 0
    for _ in range(300):
        texts = [word(rnd.randint(3, 14)) + rnd.choice(["", " " + word(rnd.randint(3, 8))]) for _ in range(rnd.randint(1, 6))]
        names = [rnd.choice(["John ", "Ann "]) + word(rnd.randint(4, 9)).capitalize() for _ in range(2)]
        needles = Needles(texts, names, [], [w.title() for w in texts[:1]] if rnd.random() < 0.3 else [])
        for _ in range(8):
            noise = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 400)))
            raw = bytearray(noise)
            for _ in range(rnd.randint(0, 2)):
                pick = rnd.choice(texts + names + [n.split()[-1].upper() for n in names])
                at = rnd.randint(0, len(raw))
                raw[at:at] = rnd.choice([b" ", b"\n", b"", b"\x00"]) + written(pick) + rnd.choice([b" ", b".", b""])
            raw = bytes(raw)
            hits = [h for t in _byte_texts(raw) for h in needles.found_in(t, loose=False)]
            compared += 1
            found += bool(hits)
            if not needles.may_be_in_bytes(raw):
                skipped += 1
                assert hits == [], (raw, texts, names)
    assert found > compared // 5 and skipped > compared // 5, (found, skipped, compared)  # both answers tested


def test_a_scans_pixels_are_mostly_passed_over():
    """The test is worth making: on bytes like a scan's (grey levels, mostly
    near white, some dark), the windows are told apart from text."""
    rnd = random.Random(3)
    pixels = bytes(rnd.choice([0xFF] * 12 + [0xF0, 0xE5, 0x80, 0x40, 0x10, 0x00]) for _ in range(1 << 16))
    needles = Needles(["Jonathan Smethurst", "07700 900123", "PC 4471"], ["Jonathan Smethurst"])
    assert not needles.may_be_in_bytes(pixels)
    assert needles.may_be_in_bytes(pixels[:5000] + b"SMETHURST" + pixels[5000:])
    assert needles.may_be_in_bytes(pixels[:5000] + b"0 7 7 0 0\x009 0 0 1 2 3" + pixels[5000:])
