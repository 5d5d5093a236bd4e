"""Open an input PDF safely, or fail with one line naming the file and the problem.

The input file is read once into memory and never written. Every later step
works on an in-memory PyMuPDF document (the *working copy*) in which all
optional-content layers are switched on, so that text in hidden layers is
extracted and redacted like any other text.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pymupdf

from redactor.errors import InputError
from redactor.ingest import caps
from redactor.ingest.guard import current_input, library_errors
from redactor.memory import give_back

#: Private marker put on hidden optional-content groups in the working copy,
#: so the sanitiser can remove their content after redaction.
HIDDEN_OCG_MARK = "RedactorHiddenLayer"

from redactor.ingest.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES  # noqa: E402  (apart: --help shows them)

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


@dataclass
class Limits:
    """Guards against pathological inputs."""

    max_pages: int = DEFAULT_MAX_PAGES
    max_bytes: int = DEFAULT_MAX_BYTES
    allow_repaired: bool = False
    caps: caps.Caps = caps.DEFAULT_CAPS


@dataclass
class Document:
    """An opened input: its bytes, hash and a PyMuPDF working copy."""

    path: Path
    data: bytes  #: the input's bytes (b"" once the working copy is read from its own: refresh)
    sha256: str
    doc: pymupdf.Document
    hidden_layers: list[str] = field(default_factory=list)
    #: annotations and form fields turned into page content: {"annotations": n, "form fields": n}
    flattened: dict[str, int] = field(default_factory=dict)
    #: for an input converted to PDF (Office, e-mail, image): where the PDF
    #: came from, for the log, plan and schedule (redactor.ingest.convert)
    origin: dict | None = None
    #: what was repaired or lost in reading a damaged file (see open_pdf)
    repairs: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return self.doc.page_count

    @property
    def display_name(self) -> str:
        """How the log and schedule name the document: the original file
        (for a part of an e-mail, the e-mail and which part)."""
        return (self.origin or {}).get("name") or self.path.name


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_input(path: str | Path, limits: Limits | None = None) -> bytes:
    """Read a file that claims to be a PDF, checking the cheap things first."""
    p = Path(path)
    data = read_input_bytes(p, limits)
    if b"%PDF-" not in data[:1024]:
        # (what it looks like, never what it says: the message goes to logs and manifests beside a release)
        raise InputError(f"not a PDF (no %PDF- header; it looks like {_looks_like(data)}); redactor also reads Word, "
                         "PowerPoint, Excel, e-mails and images by their file extension (see the README)", p)
    return data


#: the first bytes of kinds of file that are sometimes named .pdf
_SIGNATURES = ((b"PK\x03\x04", "a ZIP archive (a Word, PowerPoint or Excel file?)"),
               (b"\xd0\xcf\x11\xe0", "an older Office or Outlook file"), (b"{\\rtf", "an RTF document"),
               (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"II*\x00", "a TIFF image"),
               (b"MM\x00*", "a TIFF image"), (b"GIF8", "a GIF image"), (b"%!PS", "a PostScript file"))


def _looks_like(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:1] == b"<":
        return "HTML or XML"
    text = head.decode("utf-8", errors="ignore")  # (a character cut at the end is no sign of binary)
    return "plain text" if all(c.isprintable() or c.isspace() for c in text) else "binary data of another kind"


def read_input_bytes(path: str | Path, limits: Limits | None = None) -> bytes:
    """Read any input file, checking that it exists, is not empty and not too large."""
    limits = limits or Limits()
    p = Path(path)
    size = file_kind_problem(p)
    if size == 0:
        raise InputError("empty file (0 bytes)", p)
    if size > limits.max_bytes:
        raise InputError(
            f"file is too large ({size / 1024**2:.0f} MiB; the limit is "
            f"{limits.max_bytes / 1024**2:.0f} MiB, see --max-bytes)",
            p,
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot be read: {e.strerror or e}", p) from None
    return data


def file_kind_problem(p: Path) -> int:
    """The size of the regular file ``p``, or InputError saying what it is instead."""
    try:
        st = os.stat(p)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InputError("a symbolic link that loops (it leads nowhere)", p) from None
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            raise InputError("broken symbolic link" if os.path.islink(p) else "no such file", p) from None
        raise InputError(f"cannot be read: {e.strerror or e}", p) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("a folder, not a file", p)
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise InputError(f"not a regular file ({kind})", p)
    return st.st_size


def open_pdf(
    path: str | Path,
    password: str | None = None,
    limits: Limits | None = None,
) -> Document:
    """Open ``path`` and return a :class:`Document` with its working copy.

    The file is read by two parsers (MuPDF, which does the work, and qpdf,
    which checks it under the :mod:`~redactor.ingest.caps`), and the
    repair policy decides whether a damaged file is processed:

    * over a cap, or a loop in what a page draws: refused (exit 3);
    * a broken cross-reference table, with every page and every stream
      read the same by both parsers: **repaired and processed**; the repair
      is recorded in :attr:`Document.repairs` (the log header, and a
      warning on the terminal);
    * pages or objects missing, the two parsers disagreeing, or a stream
      that does not decompress: refused, unless ``allow_repaired``, in which
      case what can be read is processed, each damaged stream is replaced by
      what MuPDF could decode of it (so the output holds only what was
      checked), and every loss is recorded in :attr:`Document.repairs`.
    """
    limits = limits or Limits()
    caps.install(limits.caps)
    p = Path(path)
    current_input.set(p)
    data = read_input(p, limits)
    with library_errors(p):
        return _open_checked(p, data, password, limits)


def _open_checked(p: Path, data: bytes, password: str | None, limits: Limits) -> Document:
    repairs: list[str] = []
    doc = _open_mupdf(data, p, password)
    if doc is None:  # MuPDF cannot open it: qpdf may rebuild it
        if not limits.allow_repaired:
            raise InputError("damaged PDF that cannot be opened; pass --allow-repaired to let qpdf rebuild it "
                             "(check the output: parts may be missing)", p)
        data = _qpdf_rebuild(data, p, password)
        doc = _open_mupdf(data, p, password)
        if doc is None:
            raise InputError("damaged PDF that cannot be opened, even after qpdf rebuilt it", p)
        password = None  # qpdf wrote it decrypted
        repairs.append("the file could not be opened as it was; qpdf rebuilt it and the rebuilt file was processed")
    if doc.xref_length() > limits.caps.max_objects:
        raise InputError(f"the PDF has {doc.xref_length()} objects, more than the limit of {limits.caps.max_objects}", p)
    try:
        found = _check_structure(data, p, password, limits)
    except InputError as e:
        if not (limits.allow_repaired and e.problem.startswith("damaged PDF (")):
            raise
        # qpdf cannot read it but MuPDF can: check MuPDF's rewrite instead
        try:
            data = doc.tobytes(garbage=1)
        except Exception:  # noqa: BLE001
            raise e from None
        doc = _open_mupdf(data, p, None)
        if doc is None:
            raise e from None
        password = None
        found = _check_structure(data, p, None, limits)
        repairs.append(f"qpdf could not read the file ({e.problem.removeprefix('damaged PDF (').rstrip(')')}); "
                       "MuPDF's reading of it was rewritten, checked and processed")
    give_back()  # (qpdf's reading is closed: issue 14)
    try:
        pages = doc.page_count
    except Exception as e:
        raise InputError(f"damaged PDF: its page tree cannot be read ({_short(e)})", p) from None
    if pages == 0:
        raise InputError("the PDF has no pages", p)
    if pages > limits.max_pages:
        raise InputError(
            f"the PDF has {pages} pages, more than the limit of {limits.max_pages} (see --max-pages)",
            p,
        )
    # Layers first: interpreting a page (the syntax check in the repair
    # policy) makes MuPDF cache the layer states.
    hidden = _show_all_layers(doc)
    repairs += _repair_policy(doc, found, pages, p, limits)
    flattened = flatten_annotations(doc, p)
    return Document(path=p, data=data, sha256=sha256_bytes(data), doc=doc, hidden_layers=hidden, repairs=repairs,
                    flattened=flattened)


def refresh(doc: Document, data: bytes | None = None) -> None:
    """Open the working copy afresh from its own bytes (``data``, if the
    caller has them: ``doc.doc.tobytes()``): the same pages, every change
    made to it kept, without what MuPDF kept of every page it has read
    (some 5 KiB a page) nor the input's bytes, which the first working
    copy was read from (memory flat in pages, issue 14)."""
    fresh = pymupdf.open(stream=data if data is not None else doc.doc.tobytes(), filetype="pdf")
    if fresh.needs_pass or fresh.page_count != doc.doc.page_count:  # (never seen: then keep the one we have)
        fresh.close()
        return
    old, doc.doc = doc.doc, fresh
    old.close()
    doc.data = b""  # (nothing else reads them)


def open_pdf_bytes(data: bytes, p: Path, password: str | None = None, limits: Limits | None = None) -> Document:
    """A :class:`Document` for PDF bytes already in memory (a converted input),
    read under the same caps and repair policy as a file."""
    limits = limits or Limits()
    caps.install(limits.caps)
    current_input.set(p)
    with library_errors(p):
        return _open_checked(p, data, password, limits)


def flatten_annotations(doc: pymupdf.Document, p: Path) -> dict[str, int]:
    """Make what annotations and form fields show part of the page content in
    the working copy, so that it is read, redacted and kept like any text.

    Their interactive layer (and what it does not show: a note's text, a
    field's name) is then removed by the sanitiser."""
    counts = {"annotations": 0, "form fields": 0}
    for page in doc:
        counts["form fields"] += sum(1 for _ in page.widgets())
        counts["annotations"] += sum(1 for a in page.annots() if a.type[0] not in _NOT_SHOWN)
    if counts["annotations"] or counts["form fields"]:
        try:
            if counts["form fields"] and _needs_appearances(doc):
                # the form asks viewers to draw its fields from their values (a
                # stored appearance may be empty): draw them so before baking
                for page in doc:
                    for widget in page.widgets():
                        widget.update()
            doc.bake(annots=True, widgets=True)
        except Exception as e:
            raise InputError(f"its annotations or form fields cannot be flattened ({_short(e)})", p) from None
    return {k: v for k, v in counts.items() if v}


def _needs_appearances(doc: pymupdf.Document) -> bool:
    kind, value = doc.xref_get_key(doc.pdf_catalog(), "AcroForm/NeedAppearances")
    return kind == "bool" and value == "true"


#: Annotations that do not draw on the page themselves (a popup's note, a link area).
_NOT_SHOWN = {pymupdf.PDF_ANNOT_POPUP, pymupdf.PDF_ANNOT_LINK}


def _open_mupdf(data: bytes, p: Path, password: str | None) -> pymupdf.Document | None:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception:  # MuPDF raises FileDataError / RuntimeError subclasses
        return None
    if doc.needs_pass:
        if password is None:
            raise InputError("encrypted PDF: give its password with --password", p)
        if not doc.authenticate(password):
            raise InputError("encrypted PDF: the password given was not accepted", p)
    return doc


def _qpdf_rebuild(data: bytes, p: Path, password: str | None) -> bytes:
    try:
        with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
            buf = io.BytesIO()
            pdf.save(buf)
            return buf.getvalue()
    except pikepdf.PasswordError:
        raise InputError("encrypted PDF: the password given was not accepted", p) from None
    except Exception as e:
        raise InputError(f"damaged PDF that cannot be opened or rebuilt ({_short(e)})", p) from None


def _check_structure(data: bytes, p: Path, password: str | None, limits: Limits) -> caps.Inspection:
    """A second, independent parser (qpdf) must also read the file, within the caps."""
    hits = caps.limit_hits()
    try:
        with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
            found = caps.inspect(pdf, limits.caps, hits)
            found.content_pages = _content_pages(pdf, found)
    except pikepdf.PasswordError:
        raise InputError("encrypted PDF: the password given was not accepted", p) from None
    except InputError:
        raise
    except Exception as e:
        if caps.limit_hits() > hits:
            raise InputError(f"the PDF exceeds a safety limit ({_short(e)})", p) from None
        raise InputError(f"damaged PDF ({_short(e)})", p) from None
    if found.problems:
        more = f" (and {len(found.problems) - 1} more)" if len(found.problems) > 1 else ""
        raise InputError(f"refused: {found.problems[0]}{more}", p)
    return found


def _content_pages(pdf: pikepdf.Pdf, found: caps.Inspection) -> dict[int, int]:
    """Object number of each content stream -> its (first) page; pages with
    /Contents entries that are not streams go to ``found.odd_contents``."""
    out: dict[int, int] = {}
    for n, page in enumerate(pdf.pages, start=1):
        contents = page.obj.get("/Contents")
        for c in contents if isinstance(contents, pikepdf.Array) else [contents]:
            if isinstance(c, pikepdf.Stream):
                out.setdefault(c.objgen[0], n)
            elif c is not None:
                found.odd_contents.add(n)
    return out


_REBUILT = ("damaged", "reconstruct", "xref", "startxref", "cross-reference")


def _repair_policy(doc: pymupdf.Document, found: caps.Inspection, pages: int, p: Path, limits: Limits) -> list[str]:
    """What was repaired, or InputError if the repair may have lost content
    and ``allow_repaired`` is not set (see :func:`open_pdf`)."""
    rebuilt = doc.is_repaired or any(any(w in x.lower() for w in _REBUILT) for x in found.warnings)
    losses: list[str] = []
    if found.pages != pages:
        losses.append(f"MuPDF reads {pages} page(s) and qpdf {found.pages}")
    declared = _declared_pages(doc)
    if declared is not None and declared != pages:
        losses.append(f"the file declares {declared} page(s); {pages} could be read")
    if rebuilt:
        empty = sorted(set(_pages_without_content(doc)) | found.odd_contents)
        if empty:
            losses.append(f"page(s) {_list(empty)} lost all or part of their content")
        missing = _missing_objects(doc)
        if missing:
            losses.append(f"{len(missing)} object(s) it refers to are missing (object {_list(missing)})")
        lost = [w for w in found.warnings if any(k in w for k in _LOST)]
        if lost:
            losses.append(f"qpdf could not recover everything ({lost[0]})")
    for num, what in sorted(found.damaged_streams.items()):
        where = f"page {found.content_pages[num]}'s content" if num in found.content_pages else "a stream"
        losses.append(f"object {num} ({where}) cannot be decompressed ({what})")
    for where, name in found.bad_fonts:
        losses.append(f"{where}: font resource {name} is not a font")
    syntax = _content_syntax_errors(doc)
    for num, token in sorted(found.file_syntax.items()):
        page = found.content_pages.get(num)
        if page is not None:
            syntax.setdefault(page, f"'{token}' inside its content stream (object {num}), where readers stop "
                                    "at different places")
        else:
            losses.append(f"Form XObject {num} has '{token}' inside its content: readers stop at different places")
    for number, what in syntax.items():
        losses.append(f"page {number}'s content has syntax errors ({what}): other readers may show text "
                      "MuPDF does not")
    repairs = []
    if losses:
        if not limits.allow_repaired:
            more = f"; and {len(losses) - 1} more" if len(losses) > 1 else ""
            raise InputError(f"damaged PDF: {losses[0]}{more}. Pass --allow-repaired to process what can be read "
                             "(the output will lack what is lost)", p)
        repairs += [f"damaged input processed with --allow-repaired: {x}" for x in losses]
        for num in found.damaged_streams:
            _keep_decodable(doc, num)
        for where, name in found.bad_fonts:
            if where.startswith("page "):
                _drop_key(doc, doc.page_xref(int(where.split()[1]) - 1), "Resources/Font/" + name.lstrip("/"))
        for number in syntax:
            _rewrite_as_read(doc, number)
        dropped = _drop_lost_pages(doc)
        if dropped:
            repairs.append(f"page(s) {_list(dropped)} of the input could not be recovered and are not in the output "
                           f"({doc.page_count} page(s) are)")
    if rebuilt and not losses:
        repairs.append(f"cross-reference table rebuilt (the file was damaged or truncated); all {pages} page(s) "
                       "and every stream were read by both MuPDF and qpdf")
    return repairs


#: qpdf's words for a part of a damaged file it could not recover
_LOST = ("unable to recover", "treating stream as empty", "treating object as null", "error decoding")
_REF = re.compile(r"(?<![\d.])(\d+) (\d+) R\b")


def _missing_objects(doc: pymupdf.Document, limit: int = 200_000) -> list[int]:
    """Objects referred to that a rebuilt file no longer has."""
    n = doc.xref_length()
    missing: set[int] = set()
    for x in range(1, min(n, limit)):
        try:
            text = doc.xref_object(x, compressed=True)
        except Exception:  # noqa: BLE001
            continue
        for ref in _REF.findall(text):
            r = int(ref[0])
            if r >= n or r <= 0:
                missing.add(r)
            elif r not in missing:
                try:
                    if doc.xref_object(r, compressed=True) == "null" and not doc.xref_is_stream(r):
                        missing.add(r)
                except Exception:  # noqa: BLE001
                    missing.add(r)
    return sorted(missing)


def _declared_pages(doc: pymupdf.Document) -> int | None:
    try:
        kind, value = doc.xref_get_key(doc.pdf_catalog(), "Pages/Count")
        return int(value) if kind == "int" else None
    except Exception:  # noqa: BLE001
        return None


def _pages_without_content(doc: pymupdf.Document) -> list[int]:
    out = []
    for i in range(doc.page_count):
        try:
            kind, value = doc.xref_get_key(doc.page_xref(i), "Contents")
        except Exception:  # noqa: BLE001 - the page object itself is lost
            out.append(i + 1)
            continue
        if kind == "null":
            out.append(i + 1)
        elif kind == "array" and "R" not in value:
            out.append(i + 1)
    return out


def _drop_lost_pages(doc: pymupdf.Document) -> list[int]:
    """Remove pages whose page object is lost (what a writer would drop
    anyway), so the page count said and logged is the output's."""
    lost = []
    for i in range(doc.page_count):
        try:
            ok = doc.xref_get_key(doc.page_xref(i), "Type")[1] == "/Page"
        except Exception:  # noqa: BLE001
            ok = False
        if not ok:
            lost.append(i + 1)
    if lost and len(lost) < doc.page_count:
        doc.delete_pages([n - 1 for n in lost])
    return lost if len(lost) < doc.page_count else []


#: MuPDF's words for content it could not parse (where its reading may stop
#: short of another reader's); colour space or ICC complaints are not these
_CONTENT_SYNTAX = ("syntax error in content stream", "syntax error in array", "syntax error in dict",
                   "unknown keyword", "not closed before end", "unbalanced")


def _content_syntax_errors(doc: pymupdf.Document) -> dict[int, str]:
    """Pages whose content MuPDF cannot parse cleanly (page -> first error):
    where MuPDF gives up, a more tolerant reader (poppler, say) reads on.
    File syntax (``endstream``, ``endobj``) inside a content stream as MuPDF
    reads it is one such case: MuPDF stops there, silently."""
    out: dict[int, str] = {}
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    for page in doc:
        try:
            for xref in page.get_contents():
                m = caps.FILE_SYNTAX.search(doc.xref_stream(xref) or b"")
                if m:
                    out[page.number + 1] = (f"'{m.group(0).decode('latin-1')}' inside its content stream "
                                            f"(object {xref}), where readers stop at different places")
                    break
        except Exception:  # noqa: BLE001 - a stream MuPDF cannot read: the interpretation below says so
            pass
        if page.number + 1 in out:
            continue
        try:
            page.get_bboxlog()
        except Exception as e:  # noqa: BLE001
            out[page.number + 1] = _short(e)
            continue
        errors = [w for w in pymupdf.TOOLS.mupdf_warnings(reset=True).splitlines()
                  if any(k in w for k in _CONTENT_SYNTAX)]
        if errors:
            out[page.number + 1] = errors[0].removeprefix("syntax error: ")
    return out


def _rewrite_as_read(doc: pymupdf.Document, number: int) -> None:
    """Rewrite a page's content as MuPDF parsed it, so the output holds only
    what was read (and checked)."""
    try:
        doc[number - 1].clean_contents(sanitize=True)
    except Exception:  # noqa: BLE001 - leave it; verification still reads the output
        pass


def _drop_key(doc: pymupdf.Document, xref: int, key: str) -> None:
    try:
        doc.xref_set_key(xref, key, "null")
    except Exception:  # noqa: BLE001
        pass


def _keep_decodable(doc: pymupdf.Document, xref: int) -> None:
    """Replace a damaged stream with what MuPDF decodes of it, so the output
    carries exactly what was read and checked."""
    try:
        data = doc.xref_stream(xref) or b""
    except Exception:  # noqa: BLE001
        data = b""
    try:
        doc.update_stream(xref, data)
    except Exception:  # noqa: BLE001 - not a stream in MuPDF's view: leave it to the sanitiser
        pass


def _list(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:10])) + (" ..." if len(numbers) > 10 else "")


def inspect_file(path: str | Path, password: str | None = None, limits: Limits | None = None) -> caps.Inspection:
    """For ``verify``: read ``path`` under the caps. A file over a cap or
    that neither parser can open is refused (InputError, exit 3); damaged
    streams are returned for the caller to report."""
    limits = limits or Limits()
    caps.install(limits.caps)
    p = Path(path)
    current_input.set(p)
    data = read_input(p, limits)
    with library_errors(p):
        doc = _open_mupdf(data, p, password or "")
        if doc is None:
            raise InputError("damaged PDF that cannot be opened", p)
        found = _check_structure(data, p, password, limits)
        if doc.page_count != found.pages:
            raise InputError(f"damaged PDF: MuPDF reads {doc.page_count} page(s) and qpdf {found.pages}", p)
        return found


def _show_all_layers(doc: pymupdf.Document) -> list[str]:
    """Switch every optional-content layer on in the working copy.

    Returns the names of the layers that were hidden; their groups are marked
    with :data:`HIDDEN_OCG_MARK` so that :mod:`redactor.sanitize` can remove
    their content from the output.
    """
    cat = doc.pdf_catalog()
    kind, _ = doc.xref_get_key(cat, "OCProperties")
    if kind == "null":
        return []
    # Read the layers raw: asking MuPDF (get_ocgs) would make it cache the
    # layer states, and the change below would then have no effect.
    hidden: list[str] = []
    _, ocgs = doc.xref_get_key(cat, "OCProperties/OCGs")
    for ref in re.findall(r"(\d+) 0 R", ocgs):
        xref = int(ref)
        if _is_off_in_default_config(doc, xref):
            doc.xref_set_key(xref, HIDDEN_OCG_MARK, "true")
            name = doc.xref_get_key(xref, "Name")[1].strip("()")
            hidden.append(name or str(xref))
    # With no /OCProperties a viewer ignores optional content: everything shows.
    doc.xref_set_key(cat, "OCProperties", "null")
    return hidden


def _is_off_in_default_config(doc: pymupdf.Document, xref: int) -> bool:
    cat = doc.pdf_catalog()
    kind, base = doc.xref_get_key(cat, "OCProperties/D/BaseState")
    kind_off, off = doc.xref_get_key(cat, "OCProperties/D/OFF")
    kind_on, on = doc.xref_get_key(cat, "OCProperties/D/ON")
    ref = re.compile(rf"(?<!\d){xref} 0 R")
    if kind_off == "array" and ref.search(off):
        return True
    if base == "/OFF" and not (kind_on == "array" and ref.search(on)):
        return True
    return False


def _short(e: Exception) -> str:
    return caps.clean_warning(str(e)) or type(e).__name__


def read_text_input(path: str | Path) -> tuple[str, str]:
    """A plain-text input for ``scan``: its text and SHA-256."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", p)
    data = p.read_bytes()
    if not data:
        raise InputError("empty file (0 bytes)", p)
    try:
        return data.decode("utf-8"), sha256_bytes(data)
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (bad byte at offset {e.start})", p) from None
