"""One entry point for every input that is not a PDF: :func:`open_input`.

A file becomes one or more :class:`Prepared` documents, each an
intermediate PDF that the ordinary pipeline redacts, with where it came
from (``origin``: the original file and its SHA-256, the part of an
e-mail, the converter and its version, the intermediate PDF's SHA-256, the
hidden content found and what was done with it). The release is always a
PDF; the log and schedule name the original.
"""

from __future__ import annotations

import codecs

from dataclasses import dataclass, field
from pathlib import Path

from redactor.errors import InputError
from redactor.ingest.convert import containers, office_hidden, ooxml_form, render
from redactor.ingest.convert.kinds import (CALC, EMAIL, IMAGES, IMPRESS, OFFICE, SUPPORTED, TEXT,  # noqa: F401
                                           WRITER, ConvertOptions, needs_conversion)
from redactor.ingest.convert.office_hidden import HiddenItem
from redactor.ingest.document import Document, Limits, open_pdf_bytes, sha256_bytes

#: family -> (OOXML suffix, LibreOffice filter writing it, PDF export filter)
FAMILY = {"docx": (".docx", "MS Word 2007 XML", "writer_pdf_Export"),
          "pptx": (".pptx", "Impress MS PowerPoint 2007 XML", "impress_pdf_Export"),
          "xlsx": (".xlsx", "Calc MS Excel 2007 XML", "calc_pdf_Export")}
WHAT = {"docx": "Word document", "pptx": "PowerPoint file", "xlsx": "Excel file"}


@dataclass
class Prepared:
    """One document to redact: an intermediate PDF and where it came from."""

    name: str  #: for the log and schedule: "minutes.docx", "mail.eml, attachment 1 (.docx)"
    source: Path
    source_sha256: str
    suffix: str  #: the format of this part
    pdf: bytes
    converter: str
    part: str | None = None  #: "attachment 1", "attachment 1.2"; None for the file itself
    hidden_policy: str | None = None
    hidden: list[HiddenItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  #: for the log, plan and schedule (no content)
    filename: str | None = None  #: an attachment's own file name: log and plan only (it may name a person)
    source_text: str = ""  #: the Office file's own text (unbroken by layout), for detection

    @property
    def pdf_sha256(self) -> str:
        return sha256_bytes(self.pdf)

    @property
    def output_stem(self) -> str:
        """The release's file name, without .pdf: 'minutes', 'mail.attachment-1'."""
        base = self.source.stem
        return base if not self.part else f"{base}.{self.part.replace(' ', '-')}"

    def origin(self, with_text: bool = True) -> dict:
        d = {"name": self.name, "file": self.source.name, "sha256": self.source_sha256, "format": self.suffix,
             "converter": self.converter, "intermediate_pdf_sha256": self.pdf_sha256}
        if self.part:
            d["part"] = self.part
        if self.hidden_policy:
            d["hidden_content_policy"] = self.hidden_policy
            d["hidden_content"] = [i.to_dict() if with_text else {k: v for k, v in i.to_dict().items() if k != "text"}
                                   for i in self.hidden]
        if self.notes:
            d["notes"] = list(self.notes)
        if self.filename and with_text:
            d["attachment_filename"] = self.filename
        return d

    def document(self, password: str | None = None, limits: Limits | None = None) -> Document:
        # the password is the original's; only a PDF attachment may need it
        doc = open_pdf_bytes(self.pdf, self.source, password if self.suffix == ".pdf" else None, limits)
        doc.sha256 = self.source_sha256
        doc.origin = self.origin()
        return doc


def open_input(path: str | Path, options: ConvertOptions | None = None, converter=None,
               limits: Limits | None = None) -> list[Prepared]:
    """The documents to redact for ``path``: one for most files, one per
    e-mail and attachment for an e-mail. Raises InputError naming the file."""
    from redactor.ingest.document import read_input_bytes
    from redactor.ingest.guard import current_input

    options = options or ConvertOptions()
    p = Path(path)
    current_input.set(p)  # a library failing on it while it is converted: an input error naming it, exit 3
    if options.hidden_content not in office_hidden.POLICIES:
        raise InputError(f"unknown --hidden-content '{options.hidden_content}'", p)
    data = read_input_bytes(p, limits)
    sha = sha256_bytes(data)
    try:
        return _prepare(data, p.suffix.lower(), p.name, p, sha, None, options, converter, depth=0)
    except InputError as e:  # errors name the file as the user gave it (log and schedule use its name)
        if e.path and e.path.startswith(p.name) and str(p) != p.name:
            raise type(e)(e.problem, str(p) + e.path[len(p.name):]) from None
        raise


def _prepare(data: bytes, suffix: str, display: str, source: Path, sha: str, part: str | None,
             options: ConvertOptions, converter, depth: int) -> list[Prepared]:
    def one(pdf: bytes, conv: str, **kw) -> list[Prepared]:
        return [Prepared(name=display, source=source, source_sha256=sha, suffix=suffix, pdf=pdf, converter=conv,
                         part=part, **kw)]

    if suffix == ".pdf":
        return one(data, "none (a PDF)")
    if suffix in IMAGES:
        import pymupdf

        from redactor.ingest.convert.images import cut_short, image_to_pdf

        note = cut_short(data, suffix)
        return one(image_to_pdf(data, suffix, display, options.max_pages), f"PyMuPDF {pymupdf.VersionBind} (image)",
                   notes=[note] if note else [])
    if suffix in TEXT:
        return one(_text_pdf(data, suffix, display), "redactor text layout (MuPDF)")
    if suffix in EMAIL:
        return _mail(data, suffix, display, source, sha, part, options, converter, depth)
    if suffix in OFFICE:
        pdf, conv, inventory, notes = _office(data, suffix, display, options, converter)
        policy = options.hidden_content if inventory is not None else None
        return one(pdf, conv, hidden_policy=policy, hidden=inventory.items if inventory else [], notes=notes,
                   source_text=inventory.text if inventory else "")
    raise InputError(f"unsupported file type '{suffix or '(none)'}'; redactor reads PDF and "
                     f"{' '.join(SUPPORTED)}", display)


def _text_pdf(data: bytes, suffix: str, display: str) -> bytes:
    text = decode_text(data)
    body = render.clean_html(text) if suffix in (".html", ".htm") else render.text_to_html(text)
    return render.html_to_pdf(body)


def decode_text(data: bytes) -> str:
    """A text file's characters: by its byte-order mark (UTF-8, UTF-16, UTF-32:
    Notepad's "Unicode" was read as cp1252, "ÿþS" and its words lost), else
    UTF-16 without a mark (one byte in two a zero), else UTF-8, else cp1252."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        return data.decode("utf-16-le", errors="replace")
    if len(data) >= 4 and data[0::2].count(0) > len(data) // 4:
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# --- Office -----------------------------------------------------------------------------

def _family(suffix: str) -> str:
    return "docx" if suffix in WRITER else "pptx" if suffix in IMPRESS else "xlsx"


def _office(data: bytes, suffix: str, display: str, options: ConvertOptions, converter):
    from redactor.ingest.convert import libreoffice

    lo = converter or libreoffice.shared(options.timeout)
    if suffix == ".csv":
        pdf = lo.convert(data, ".csv", "calc_pdf_Export", in_filter="Text - txt - csv (StarCalc)",
                         in_options="44,34,76,1", name=display)
        return pdf, lo.description, None, []
    family = _family(suffix)
    ooxml, export_to, pdf_filter = FAMILY[family]
    notes: list[str] = []
    if containers.ole_is_encrypted_ooxml(data) or _odf_encrypted(data):
        if not options.password:
            raise InputError(f"password-protected {WHAT[family]}: give its password with --password", display)
        if containers.is_ole(data):
            data = containers.decrypt_ooxml(data, options.password, display, WHAT[family])
        else:
            # LibreOffice writes what it decrypted encrypted again: render it, uninspected
            pdf = _convert_protected(lo, data, suffix, pdf_filter, options.password, display, WHAT[family])
            return pdf, lo.description, None, ["encrypted ODF: decrypted and rendered by LibreOffice; its hidden "
                                               "content could not be inspected"]
        notes.append("decrypted with the password given")
    elif suffix != ooxml or not containers.is_zip(data):
        if containers.is_zip(data):
            containers.read_package(data, display, WHAT[family])  # bombs are refused before LibreOffice sees them
        elif suffix == ooxml:
            raise InputError(f"damaged {WHAT[family]} (not a zip container)", display)
        data = lo.convert(data, suffix, export_to, out_suffix=ooxml, password=options.password, name=display)
        notes.append(f"read by LibreOffice and written as {ooxml} before inspection")
    pkg = _as_office_writes(containers.read_package(data, display, WHAT[family]), family, display, notes)
    inventory = office_hidden.inspect(pkg, family, display)
    prepared = office_hidden.prepare(pkg, inventory, options.hidden_content, display)
    pdf = lo.convert(prepared.to_bytes(), ooxml, pdf_filter, name=display)
    policy = "render" if options.hidden_content == "refuse" else options.hidden_content
    if policy == "render" and any(i.kind in render.ADDED_PAGE_KINDS for i in inventory.items):
        pdf = _append(pdf, render.html_to_pdf(render.hidden_content_html(display, inventory.items, policy)))
    return pdf, lo.description, inventory, notes


def _as_office_writes(pkg: containers.Package, family: str, display: str, notes: list[str]) -> containers.Package:
    """The package in the form the hidden-content inspection reads
    (:mod:`redactor.ingest.convert.ooxml_form`), or refused."""
    if ooxml_form.is_strict(pkg):
        pkg = ooxml_form.as_transitional(pkg)
        notes.append("Strict Open XML: read as transitional Open XML")
    if ooxml_form.odd_prefixes(pkg, family):
        pkg = ooxml_form.with_office_prefixes(pkg, family)
        if ooxml_form.odd_prefixes(pkg, family):
            raise InputError(f"{WHAT[family]} whose XML its hidden content cannot be read from (unusual namespace "
                             "prefixes): save it again from Office", display)
        notes.append("its XML used other namespace prefixes than Office writes: renamed before inspection")
    return pkg


def _convert_protected(lo, data, suffix, pdf_filter, password, display, what) -> bytes:
    from redactor.ingest.convert import libreoffice

    try:
        return lo.convert(data, suffix, pdf_filter, password=password, name=display)
    except libreoffice.ConversionFailed as e:
        if "timed out" in str(e) or "crashed" in str(e):
            raise
        raise InputError(f"password-protected {what}: the password given was not accepted", display) from None


def _odf_encrypted(data: bytes) -> bool:
    return containers.is_zip(data) and b"encryption-data" in data[:200_000] and b"META-INF/manifest.xml" in data


def _append(pdf: bytes, extra: bytes) -> bytes:
    import pymupdf

    with pymupdf.open("pdf", pdf) as a, pymupdf.open("pdf", extra) as b:
        a.insert_pdf(b)
        return a.tobytes(garbage=3, deflate=True)


# --- e-mail -----------------------------------------------------------------------------

def _mail(data: bytes, suffix: str, display: str, source: Path, sha: str, part: str | None,
          options: ConvertOptions, converter, depth: int, message=None) -> list[Prepared]:
    from redactor.ingest.convert import email as mail_mod

    mail = mail_mod.read_msg(data, display, message) if suffix == ".msg" else mail_mod.read_eml(data, display)
    title = f"E-mail: {display}"
    out = [Prepared(name=display, source=source, source_sha256=sha, suffix=suffix,
                    pdf=render.html_to_pdf(mail.to_html(title)), converter="redactor e-mail layout (MuPDF)",
                    part=part)]
    for i, att in enumerate(mail.attachments, start=1):
        label = f"attachment {i}" if part is None else f"{part}.{i}"
        att_display = f"{source.name}, {label} ({att.suffix or 'unknown type'})"
        if att.suffix in EMAIL and depth + 1 > options.max_depth:
            out[0].notes.append(f"{label} ({att.suffix}): not converted: e-mails nested deeper than "
                                f"{options.max_depth} levels; withheld from the release")
            continue
        if att.suffix not in SUPPORTED + (".pdf",) or (not att.data and att.message is None):
            out[0].notes.append(f"{label} ({att.suffix or 'unknown type'}): not converted: unsupported or empty; "
                                "withheld from the release")
            continue
        try:
            if att.message is not None:
                parts = _mail(b"", ".msg", att_display, source, sha, label, options, converter, depth + 1,
                              att.message)
            else:
                parts = _prepare(att.data, att.suffix, att_display, source, sha, label, options, converter,
                                 depth + 1)
        except InputError as e:
            if options.hidden_content == "refuse":
                raise
            # one damaged picture (a truncated logo) withholds itself, not the whole e-mail
            out[0].notes.append(f"{label} ({att.suffix or 'unknown type'}): not converted: {e.problem}; "
                                "withheld from the release")
            continue
        parts[0].filename = att.filename
        out += parts
    return out
