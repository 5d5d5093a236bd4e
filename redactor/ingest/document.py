"""Open an input PDF safely, or fail with one line naming the file and the problem.

The input file is read once into memory and never written. Every later step
works on an in-memory PyMuPDF document (the *working copy*) in which all
optional-content layers are switched on, so that text in hidden layers is
extracted and redacted like any other text.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pymupdf

from redactor.errors import InputError

#: Private marker put on hidden optional-content groups in the working copy,
#: so the sanitiser can remove their content after redaction.
HIDDEN_OCG_MARK = "RedactorHiddenLayer"

DEFAULT_MAX_PAGES = 10_000
DEFAULT_MAX_BYTES = 2 * 1024**3

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


@dataclass
class Limits:
    """Guards against pathological inputs."""

    max_pages: int = DEFAULT_MAX_PAGES
    max_bytes: int = DEFAULT_MAX_BYTES
    allow_repaired: bool = False


@dataclass
class Document:
    """An opened input: its bytes, hash and a PyMuPDF working copy."""

    path: Path
    data: bytes
    sha256: str
    doc: pymupdf.Document
    hidden_layers: list[str] = field(default_factory=list)
    #: annotations and form fields turned into page content: {"annotations": n, "form fields": n}
    flattened: dict[str, int] = field(default_factory=dict)
    #: for an input converted to PDF (Office, e-mail, image): where the PDF
    #: came from, for the log, plan and schedule (redactor.ingest.convert)
    origin: dict | None = None

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
        head = data[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise InputError(f"not a PDF (no %PDF- header; it starts with '{head}'); redactor also reads Word, "
                         "PowerPoint, Excel, e-mails and images by their file extension (see the README)", p)
    return data


def read_input_bytes(path: str | Path, limits: Limits | None = None) -> bytes:
    """Read any input file, checking that it exists, is not empty and not too large."""
    limits = limits or Limits()
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", p)
    if not p.is_file():
        raise InputError("not a regular file", p)
    size = p.stat().st_size
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


def open_pdf(
    path: str | Path,
    password: str | None = None,
    limits: Limits | None = None,
) -> Document:
    """Open ``path`` and return a :class:`Document` with its working copy."""
    limits = limits or Limits()
    p = Path(path)
    return open_pdf_bytes(read_input(p, limits), p, password, limits)


def open_pdf_bytes(data: bytes, p: Path, password: str | None = None, limits: Limits | None = None) -> Document:
    """A :class:`Document` for PDF bytes already in memory (a converted input)."""
    limits = limits or Limits()
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as e:  # MuPDF raises FileDataError / RuntimeError subclasses
        raise InputError(f"damaged PDF that cannot be opened ({_short(e)})", p) from None
    if doc.needs_pass:
        if password is None:
            raise InputError("encrypted PDF: give its password with --password", p)
        if not doc.authenticate(password):
            raise InputError("encrypted PDF: the password given was not accepted", p)
    if doc.is_repaired and not limits.allow_repaired:
        raise InputError(
            "damaged PDF (its cross-reference table is broken or the file is "
            "truncated); repair it and check it, or pass --allow-repaired",
            p,
        )
    _check_structure(data, p, password, limits)
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
    hidden = _show_all_layers(doc)
    flattened = flatten_annotations(doc, p)
    return Document(path=p, data=data, sha256=sha256_bytes(data), doc=doc, hidden_layers=hidden,
                    flattened=flattened)


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
            doc.bake(annots=True, widgets=True)
        except Exception as e:
            raise InputError(f"its annotations or form fields cannot be flattened ({_short(e)})", p) from None
    return {k: v for k, v in counts.items() if v}


#: Annotations that do not draw on the page themselves (a popup's note, a link area).
_NOT_SHOWN = {pymupdf.PDF_ANNOT_POPUP, pymupdf.PDF_ANNOT_LINK}


def _check_structure(data: bytes, p: Path, password: str | None, limits: Limits) -> None:
    """A second, independent parser (qpdf) must also read the file."""
    try:
        with pikepdf.open(io.BytesIO(data), password=password or "") as pdf:
            warnings = pdf.get_warnings()
            _ = len(pdf.pages)
    except pikepdf.PasswordError:
        raise InputError("encrypted PDF: the password given was not accepted", p) from None
    except Exception as e:
        raise InputError(f"damaged PDF ({_short(e)})", p) from None
    if warnings and not limits.allow_repaired:
        damaged = [w for w in warnings if "reconstruct" in w or "damaged" in w or "xref" in w.lower()]
        if damaged:
            raise InputError(
                "damaged PDF (its cross-reference table is broken or the file is "
                "truncated); repair it and check it, or pass --allow-repaired",
                p,
            )


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
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:200]


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
