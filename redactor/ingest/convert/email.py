"""E-mails: ``.eml`` with the standard library, Outlook ``.msg`` with
``extract-msg``.

An e-mail becomes a :class:`Mail`: its header block (From, To, Cc, Date,
Subject), its body (plain text, or HTML laid out without fetching anything:
:mod:`redactor.ingest.convert.render`) and its attachments, each of which
:mod:`redactor.ingest.convert.inputs` turns into a further document of the
same bundle (e-mails attached to e-mails included, to a depth limit).

A MIME tree the parser had to guess at (a multipart with no boundary, a
boundary that never starts, a part that contradicts its own headers) is
refused rather than rendered wrongly.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import html
import mimetypes
from dataclasses import dataclass, field
from email import errors as mail_errors
from email.message import EmailMessage

from redactor.errors import InputError
from redactor.ingest.convert.render import clean_html, text_to_html

HEADERS = ("From", "To", "Cc", "Date", "Subject")
ADDRESS_HEADERS = ("From", "To", "Cc")
MAX_PARTS = 500
#: Defects after which the MIME tree cannot be trusted.
FATAL_DEFECTS = (mail_errors.NoBoundaryInMultipartDefect, mail_errors.StartBoundaryNotFoundDefect,
                 mail_errors.MultipartInvariantViolationDefect, mail_errors.CloseBoundaryNotFoundDefect,
                 mail_errors.InvalidMultipartContentTransferEncodingDefect)


@dataclass
class Attachment:
    filename: str  #: as the e-mail names it (internal: it may hold personal data)
    suffix: str  #: ".docx", ".eml"... ("" when unknown)
    data: bytes = b""
    message: object | None = None  #: an embedded Outlook message (extract-msg), instead of bytes


@dataclass
class Mail:
    headers: list[tuple[str, str]]
    text: str | None = None
    html: str | None = None
    more: list[str] = field(default_factory=list)  #: other text parts shown inline, as HTML, after the body
    attachments: list[Attachment] = field(default_factory=list)

    def to_html(self, title: str) -> str:
        e = html.escape
        # one address a line: a name is not broken between lines, nor from its address
        rows = "".join(f"<tr><th>{e(k)}:</th><td>"
                       + ("<br>".join(e(a) for a in _addresses(v)) if k in ADDRESS_HEADERS else e(v))
                       + "</td></tr>" for k, v in self.headers if v)
        if self.attachments:
            names = "<br>".join(f"{i}. {e(a.filename or '(no name)')}" for i, a in enumerate(self.attachments, 1))
            rows += f"<tr><th>Attachments</th><td>{names}</td></tr>"
        body = clean_html(_body_of(self.html)) if self.html else text_to_html(self.text or "")
        body += "".join(f"<hr>{more}" for more in self.more)
        return f"<h1>{e(title)}</h1><table>{rows}</table><hr>{body}"


def _body_of(markup: str) -> str:
    lower = markup.lower()
    start = lower.find("<body")
    if start != -1:
        start = lower.find(">", start) + 1
        end = lower.rfind("</body")
        return markup[start:end if end > start else len(markup)]
    return markup


def suffix_for(filename: str, content_type: str) -> str:
    dot = filename.rfind(".")
    if dot > 0:
        return filename[dot:].lower()
    if content_type == "message/rfc822":
        return ".eml"
    return (mimetypes.guess_extension(content_type) or "").lower()


# --- .eml ------------------------------------------------------------------------

def read_eml(data: bytes, name: str) -> Mail:
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception as e:  # the parser is lenient; this is a bug-class failure
        raise InputError(f"malformed e-mail ({type(e).__name__}: {e})", name) from None
    if not any(msg.get(h) for h in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version")):
        raise InputError("not an e-mail (no From, To, Subject, Date or MIME-Version header)", name)
    parts = 0
    for part in msg.walk():
        parts += 1
        if parts > MAX_PARTS:
            raise InputError(f"refused: the e-mail has more than {MAX_PARTS} MIME parts", name)
        bad = [d for d in part.defects if isinstance(d, FATAL_DEFECTS)]
        if bad:
            raise InputError(f"malformed MIME structure ({type(bad[0]).__name__}: "
                             f"{str(bad[0]) or bad[0].__doc__ or ''})".strip(), name)
    mail = Mail(headers=[(h, _header(msg, h)) for h in HEADERS])
    try:
        body = msg.get_body(preferencelist=("html", "plain"))
        if body is not None:
            content = _content(body)
            if body.get_content_subtype() == "html":
                mail.html = content
            else:
                mail.text = content
        attached = _attached(msg, body)
        mail.more = _other_bodies(msg, body, {id(p) for p in attached})
        for part in attached:
            ctype = part.get_content_type()
            filename = part.get_filename() or ""
            if ctype == "message/rfc822":
                inner = part.get_payload(0) if part.is_multipart() else None
                raw = inner.as_bytes(policy=email.policy.default) if inner is not None else part.get_payload(decode=True) or b""
                mail.attachments.append(Attachment(filename or "attached e-mail.eml", ".eml", raw))
                continue
            payload = part.get_payload(decode=True)
            if payload is None:
                continue
            mail.attachments.append(Attachment(filename, suffix_for(filename, ctype), payload))
    except InputError:
        raise
    except Exception as e:
        raise InputError(f"malformed MIME structure ({type(e).__name__}: {e})", name) from None
    return mail


def _content(part) -> str:
    """A text part's text; in a charset Python does not know ("x-unknown-8bit"),
    its bytes read as UTF-8 or Windows-1252, as mail clients fall back (it
    refused the whole e-mail)."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        from redactor.ingest.convert.inputs import decode_text

        return decode_text(part.get_payload(decode=True) or b"")


def _attached(msg: EmailMessage, body) -> list:
    """Every part a person opening the e-mail sees beside its text, at any
    depth: attachments, and pictures and files inside the body's parts (an
    image shown in the HTML body, in a multipart/related: the standard
    library's ``iter_attachments`` looks only one level down, and such a
    picture, a name in it, was dropped without a word). An attached e-mail
    is one part; its own parts are its business."""
    out = []

    def walk(part) -> None:
        if part is not msg and part.get_content_type() == "message/rfc822":
            out.append(part)
        elif part.is_multipart():
            for k in part.get_payload():
                walk(k)
        elif part is not body and (part.get_content_disposition() == "attachment"
                                   or part.get_content_type() not in ("text/plain", "text/html")):
            out.append(part)

    walk(msg)
    return out


def _other_bodies(msg: EmailMessage, body, attached: set[int]) -> list[str]:
    """Text parts shown inline that are neither the body nor another form of
    it, nor attachments, as HTML (a multipart/mixed of a text/plain and a
    text/html part: the parser's body is the HTML one, and the plain one was
    dropped without a word)."""
    out: list[str] = []

    def holds(part, target) -> bool:
        return part is target or (part.is_multipart() and part.get_content_type() != "message/rfc822"
                                  and any(holds(k, target) for k in part.get_payload()))

    def walk(part) -> None:
        if id(part) in attached or part.get_content_type() == "message/rfc822":
            return
        if part.is_multipart():
            kids = part.get_payload()
            if part.get_content_type() == "multipart/alternative":
                if any(holds(k, body) for k in kids):
                    return  # the body's other forms
                texts = [k for k in kids if not k.is_multipart() and k.get_content_maintype() == "text"]
                kids = sorted(texts, key=lambda k: k.get_content_subtype() != "html")[:1]
            for k in kids:
                walk(k)
            return
        if (part is body or part.get_content_type() not in ("text/plain", "text/html")
                or part.get_content_disposition() == "attachment"):
            return
        content = _content(part)
        out.append(clean_html(_body_of(content)) if part.get_content_subtype() == "html" else text_to_html(content))

    walk(msg)
    return out


def _header(msg: EmailMessage, name: str) -> str:
    """The header as written (encoded words decoded): not as the address
    parser reads it, which drops what it cannot parse ("Cc: Rosalind
    Achterberg; Zoe Okonkwo" kept only the first name, in quotes)."""
    raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    if raw is None:
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in raw):  # 8-bit bytes the parser kept as they came: UTF-8, or not
        from redactor.ingest.convert.inputs import decode_text

        raw = decode_text(raw.encode("ascii", "surrogateescape"))
    try:
        value = str(email.header.make_header(email.header.decode_header(raw)))
    except Exception:  # a charset Python does not know: each part decoded as a text file's bytes are
        value = _decoded_parts(raw)
    return " ".join(value.split())


def _decoded_parts(raw: str) -> str:
    """A header's encoded words decoded with UTF-8 or cp1252 where their
    charset is unknown ("=?x-unknown?q?PC_Barnabas_Quillfeather?=" was shown
    as written: the name in it was never read as one, and stayed)."""
    from redactor.ingest.convert.inputs import decode_text

    try:
        parts = email.header.decode_header(raw)
    except Exception:  # noqa: BLE001 - not even split into words: shown as written
        return raw
    return "".join(decode_text(data) if isinstance(data, bytes) else data for data, _ in parts)


def _addresses(value: str) -> list[str]:
    """An address header's items, each with the comma or semicolon after it
    (not those inside quotes or angle brackets)."""
    out, start, quoted, depth = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "<>":
            depth = max(0, depth + (1 if ch == "<" else -1))
        elif not quoted and not depth and ch in ",;":
            out.append(value[start:i + 1].strip())
            start = i + 1
    return [a for a in out + [value[start:].strip()] if a]


# --- .msg ------------------------------------------------------------------------

def read_msg(data: bytes | None, name: str, message=None) -> Mail:
    """An Outlook message, from its bytes or (embedded) from extract-msg's object."""
    try:
        import extract_msg
        from extract_msg.enums import AttachmentType
    except ImportError:  # pragma: no cover - a runtime dependency
        raise InputError("reading .msg needs extract-msg (pip install extract-msg)", name) from None
    if message is None and not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # (extract-msg takes bytes that are no OLE file for a file name, and says so with all of them:
        # a renamed e-mail's text, personal data and all, went to the terminal)
        raise InputError("not a readable Outlook message (it is not an OLE compound file)", name)
    try:
        msg = message if message is not None else extract_msg.openMsg(data, strict=False, delayAttachments=False)
    except Exception as e:
        raise InputError(f"not a readable Outlook message ({type(e).__name__}: {str(e)[:200]})", name) from None
    try:
        mail = Mail(headers=[("From", _s(msg.sender)), ("To", _s(msg.to)), ("Cc", _s(msg.cc)),
                             ("Date", _s(msg.date)), ("Subject", _s(msg.subject))])
        # the HTML body only if the message has one (extract-msg would otherwise make one up)
        has_html = any(msg.exists(f"__substg1.0_1013{t}") for t in ("0102", "001F", "001E"))
        body_html = msg.htmlBody if has_html else None
        if body_html:
            mail.html = body_html.decode("utf-8", errors="replace") if isinstance(body_html, bytes) else body_html
        else:
            mail.text = _s(msg.body)
        rtf = None if body_html or mail.text else _rtf_body(msg)
        if rtf:  # a body kept only as (compressed) RTF was released empty: it goes as a document of its own
            mail.text = "(This message's body is kept as RTF only: it is released as the document that follows.)"
            mail.attachments.append(Attachment("message body.rtf", ".rtf", rtf))
        for att in msg.attachments:
            filename = _s(getattr(att, "getFilename", lambda: "")()) or _s(getattr(att, "longFilename", "")) \
                or _s(getattr(att, "name", ""))
            if att.type == AttachmentType.MSG:
                mail.attachments.append(Attachment(filename or "attached message.msg", ".msg", message=att.data))
            elif att.type == AttachmentType.DATA and isinstance(att.data, bytes):
                mail.attachments.append(Attachment(filename, suffix_for(filename, _s(getattr(att, "mimetype", ""))),
                                                   att.data))
            else:
                mail.attachments.append(Attachment(filename or "(unreadable attachment)", "", b""))
    except InputError:
        raise
    except Exception as e:
        raise InputError(f"damaged Outlook message ({type(e).__name__}: {e})", name) from None
    return mail


def _rtf_body(msg) -> bytes | None:
    try:
        rtf = msg.rtfBody
    except Exception:  # noqa: BLE001 - a damaged RTF stream: no body to show
        return None
    return rtf if isinstance(rtf, bytes) and rtf.strip(b"\0 \r\n") else None


def _s(value) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split()) if not isinstance(value, str) or "\n" not in value else value.strip()


def is_msg_bytes(data: bytes) -> bool:
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

