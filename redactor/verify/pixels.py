"""What a person sees, for pages whose text layer may lie (or that draw
text as curves).

A font's /ToUnicode can map the glyphs it draws to other letters: the page
shows a name that no text view reads. Pages that use such a font (its
/ToUnicode disagrees with the glyph names of its encoding), a Type3 font
(its glyphs are drawings) or glyphs with no Unicode mapping at all are
rendered by PDFium (not the engine detection used) and read by Tesseract;
a redacted text read there, even with a few wrong letters, is a problem.

This check is written apart from :mod:`redactor.text.fonts`: it parses the
/ToUnicode maps its own way.
"""

from __future__ import annotations

import collections
import io
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pikepdf
from fontTools import agl
from fontTools.encodings.StandardEncoding import StandardEncoding

from redactor.text.ocr import tesseract

DPI = 300
MAX_DEPTH = 8
_UNMAPPED = re.compile("[\ufffd\ue000-\uf8ff]")


def check_pixels(data: bytes, needles, password: str | None = None, texts: list[str] | None = None,
                 also: dict[int, str] | None = None) -> list[str]:
    """``texts``: PDFium's text of each page, if already read. ``also``:
    other pages to read from their pixels (0-based page -> why: text drawn
    as curves, :mod:`redactor.pdf.curves`)."""
    if not needles:
        return []
    import pypdfium2 as pdfium

    judged: dict[tuple[int, int], str | None] = {}  # a font's verdict, by object, for all the pages that use it
    with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
        pages = {i: why for i, page in enumerate(pdf.pages) if (why := _page_reason(page, pdf, judged))}
    for i, why in (also or {}).items():
        pages.setdefault(i, why)
    problems = []
    doc = pdfium.PdfDocument(data, password=password)
    try:
        for i in range(len(doc)):
            if i not in pages:
                if texts is not None and i < len(texts):
                    text = texts[i]
                else:
                    tp = doc[i].get_textpage()
                    text = tp.get_text_range()
                    tp.close()
                unmapped = len(_UNMAPPED.findall(text))
                if unmapped >= 3:
                    pages[i] = f"{unmapped} glyphs with no Unicode mapping"
        for i, text in _ocr_pages(doc, sorted(pages)):
            why = pages[i]
            if isinstance(text, (tesseract.OcrUnavailable, tesseract.OcrFailed)):
                problems.append(f"page {i + 1} must be checked by OCR ({why}) but {text}")
                continue
            for hit in needles.fuzzy_in(text):
                problems.append(f"page {i + 1}: redacted text {hit!r} is visible on the rendered page "
                                f"(read by OCR; {why})")
    finally:
        doc.close()
    return problems


def _ocr_pages(doc, numbers: list[int]) -> Iterator[tuple[int, str | Exception]]:
    """Each page's text as Tesseract reads its rendering, upright and (where
    its orientation check says text is turned) turned, in page order; or the
    Tesseract error. The reading and the orientation check of a page run as
    two processes side by side, and as many pages at once as
    :func:`tesseract.jobs` allows (PDFium renders here, in this thread only)."""
    jobs = tesseract.jobs()
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="redactor-verify-ocr") if jobs > 1 else None
    pending: collections.deque = collections.deque()

    def start(fn, *args, **kw) -> Future:
        if pool is not None:
            return pool.submit(fn, *args, **kw)
        done: Future = Future()
        try:
            done.set_result(fn(*args, **kw))
        except Exception as e:  # noqa: BLE001 - given back by result(), as from the pool
            done.set_exception(e)
        return done

    def finish() -> tuple[int, str | Exception]:
        i, read, turned = pending.popleft()
        try:
            texts = [" ".join(word.text for word in read.result())]
            turn, _conf = turned.result()
            if turn:
                texts.append(" ".join(word.text for word in tesseract.ocr_image(_pgm(doc[i], turn), dpi=DPI)))
        except (tesseract.OcrUnavailable, tesseract.OcrFailed) as e:
            return i, e
        return i, "\n".join(texts)

    try:
        for i in numbers:
            pgm = _pgm(doc[i])
            pending.append((i, start(tesseract.ocr_image, pgm, dpi=DPI), start(tesseract.orientation, pgm)))
            if 2 * len(pending) >= max(2, jobs):  # two processes a page
                yield finish()
        while pending:
            yield finish()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _pgm(page, rotation: int = 0) -> bytes:
    """The page rendered by PDFium, grey, at DPI, as PNM (Leptonica reads it whatever the file is called)."""
    bitmap = page.render(scale=DPI / 72, grayscale=True, rotation=rotation)
    w, h, stride = bitmap.width, bitmap.height, bitmap.stride
    buf = bytes(bitmap.buffer)
    rows = b"".join(buf[y * stride:y * stride + w] for y in range(h)) if stride != w else buf[: w * h]
    return f"P5\n{w} {h}\n255\n".encode() + rows


# --- which pages ------------------------------------------------------------------

def _page_reason(page: pikepdf.Page, pdf: pikepdf.Pdf, judged: dict | None = None) -> str | None:
    """Why the page must be read from its pixels (None: it need not).
    ``judged``: verdicts on fonts (indirect objects) other pages use too."""
    fonts: list = []
    _fonts(page.obj.get("/Resources"), fonts, set(), 0)
    for font in fonts:
        key = font.objgen if judged is not None and font.is_indirect else None
        if key is not None and key in judged:
            why = judged[key]
        else:
            why = _font_reason(font)
            if key is not None:
                judged[key] = why
        if why:
            return why
    return None


def _fonts(res, out: list, seen: set, depth: int) -> None:
    if not isinstance(res, pikepdf.Dictionary) or depth > MAX_DEPTH:
        return
    f = res.get("/Font")
    if isinstance(f, pikepdf.Dictionary):
        for _, font in f.items():
            if isinstance(font, pikepdf.Dictionary):
                out.append(font)
                if font.get("/Subtype") == "/Type3":
                    _fonts(font.get("/Resources"), out, seen, depth + 1)
    for key in ("/XObject", "/Pattern"):
        group = res.get(key)
        if isinstance(group, pikepdf.Dictionary):
            for _, obj in group.items():
                if isinstance(obj, (pikepdf.Stream, pikepdf.Dictionary)) and obj.objgen not in seen:
                    if obj.objgen != (0, 0):
                        seen.add(obj.objgen)
                    _fonts(obj.get("/Resources"), out, seen, depth + 1)


def _font_reason(font: pikepdf.Dictionary) -> str | None:
    if font.get("/Subtype") == "/Type3":
        return "a Type3 font"
    tu = font.get("/ToUnicode")
    if not isinstance(tu, pikepdf.Stream) or font.get("/Subtype") == "/Type0":
        return None
    try:
        cmap = tu.read_bytes(pikepdf.StreamDecodeLevel.specialized)
    except pikepdf.PdfError:
        return "a font whose /ToUnicode cannot be read"
    drawn = _drawn(font)
    for code, text in _tounicode(cmap):
        name = drawn.get(code)
        if not name:
            continue
        expected = unicodedata.normalize("NFKC", agl.toUnicode(name)).casefold()
        said = unicodedata.normalize("NFKC", text).casefold().strip()
        if expected.isascii() and expected.isalnum() and said != expected and not (len(said) > 3 and expected in said):
            if not all(0xE000 <= ord(c) <= 0xF8FF for c in said) or not said:
                return f"a font whose /ToUnicode says {text!r} for the glyph {name!r}"
    return None


def _drawn(font: pikepdf.Dictionary) -> dict[int, str]:
    """code -> glyph name, from the font's encoding."""
    enc = font.get("/Encoding")
    base = enc if isinstance(enc, pikepdf.Name) else (enc.get("/BaseEncoding") if isinstance(enc, pikepdf.Dictionary) else None)
    names: dict[int, str] = {}
    if base == "/WinAnsiEncoding":
        for c in range(32, 256):
            try:
                ch = bytes([c]).decode("cp1252")
            except UnicodeDecodeError:
                continue
            names[c] = "uni%04X" % ord(ch)
    elif base in (None, "/StandardEncoding"):
        names = {c: n for c, n in enumerate(StandardEncoding) if n != ".notdef"}
    if isinstance(enc, pikepdf.Dictionary) and isinstance(enc.get("/Differences"), pikepdf.Array):
        code = 0
        for item in enc.Differences:
            if isinstance(item, pikepdf.Name):
                names[code] = str(item)[1:]
                code += 1
            elif isinstance(item, int) or hasattr(item, "__int__"):
                code = int(item)
    return names


def _tounicode(cmap: bytes):
    """(code, text) pairs of a /ToUnicode CMap's bfchar and bfrange entries."""
    text = cmap.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<\s*([0-9A-Fa-f\s]+)>\s*<\s*([0-9A-Fa-f\s]*)>", block):
            yield int(src.replace(" ", "") or "0", 16), _u16(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, rest in re.findall(r"<\s*([0-9A-Fa-f\s]+)>\s*<\s*([0-9A-Fa-f\s]+)>\s*(<[^>]*>|\[[^\]]*\])", block):
            a, b = int(lo.replace(" ", ""), 16), int(hi.replace(" ", ""), 16)
            if b < a or b - a > 255:
                continue
            if rest.startswith("["):
                for i, d in enumerate(re.findall(r"<([^>]*)>", rest)):
                    yield a + i, _u16(d)
            else:
                start = bytes.fromhex(_even(rest.strip("<>")))
                for i in range(b - a + 1):
                    if not start or start[-1] + i > 255:
                        break
                    yield a + i, (start[:-1] + bytes([start[-1] + i])).decode("utf-16-be", "replace")


def _even(h: str) -> str:
    h = re.sub(r"\s", "", h)
    return h + "0" if len(h) % 2 else h


def _u16(h: str) -> str:
    return bytes.fromhex(_even(h)).decode("utf-16-be", "replace")
