"""E-mails: the message and each attachment become documents of one bundle,
one release each and one schedule; names found in the e-mail are looked
for in its attachments. .eml with the standard library, .msg with
extract-msg (a message generated with its own OLE writer)."""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest

import officekit as k
from redactor.account.log import read_log
from redactor.errors import InputError
from redactor.ingest.convert import ConvertOptions, open_input
from redactor.ingest.convert.email import read_eml, read_msg
from redactor.pipeline import RunOptions, redact_pdf

needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def _readable(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


@needs_office
def test_an_eml_with_a_docx_and_a_pdf_gives_three_releases_and_one_schedule(tmp_path, detector):
    # the PDF names Grace Mensah without a rank: only the e-mail's "PC Grace Mensah" finds her there
    attached_pdf = k.pdf(tmp_path / "statement.pdf", f"Grace Mensah called about the rota.\n{k.CONTROL}")
    mail = k.eml(tmp_path / "tasking.eml", [k.docx(tmp_path / "minutes.docx"), attached_pdf])
    before = hashlib.sha256(mail.read_bytes()).hexdigest()
    out = tmp_path / "release" / "tasking.pdf"
    out.parent.mkdir()
    result = redact_pdf(mail, out, detector, RunOptions())
    assert hashlib.sha256(mail.read_bytes()).hexdigest() == before
    outputs = sorted(p.name for p in out.parent.glob("*.pdf"))
    assert outputs == ["tasking.attachment-1.pdf", "tasking.attachment-2.pdf", "tasking.pdf"]
    assert [r.output.name for r in [result, *result.parts]] == ["tasking.pdf", "tasking.attachment-1.pdf",
                                                                "tasking.attachment-2.pdf"]
    body, docx_text, pdf_text = (_readable(out.parent / n) for n in
                                 ("tasking.pdf", "tasking.attachment-1.pdf", "tasking.attachment-2.pdf"))
    assert "Tasking minutes" in body and "Sarah Brennan" not in body and "sarah.brennan@" not in body
    assert "minutes.docx" in body  # the attachments are listed in the header block
    assert "Grace Mensah" not in pdf_text and "called about the rota" in pdf_text and k.CONTROL in pdf_text
    assert "Daniel Lindqvist" not in docx_text and k.CONTROL in docx_text
    # one schedule for the bundle, naming the e-mail and each part
    schedules = sorted(p.name for p in out.parent.glob("*.schedule.csv"))
    assert schedules == ["tasking.schedule.csv"]
    documents = {r["document"] for r in csv.DictReader((out.parent / "tasking.schedule.csv").open())}
    assert documents == {"tasking.eml", "tasking.eml, attachment 1 (.docx)", "tasking.eml, attachment 2 (.pdf)"}
    sources = (out.parent / "tasking.schedule.sources.csv").read_text()
    assert "tracked deletion" in sources and "minutes.docx" not in sources  # no attachment names in the schedule
    header, _ = read_log(result.parts[0].log)
    assert header["source"]["part"] == "attachment 1" and header["source"]["attachment_filename"] == "minutes.docx"
    assert header["input_sha256"] == before


def test_msg_reader_on_a_generated_outlook_message(tmp_path):
    attached = k.pdf(tmp_path / "note.pdf", "Call DS Owen Doyle.")
    msg = k.msg(tmp_path / "mail.msg", ("note.pdf", attached.read_bytes()))
    mail = read_msg(msg.read_bytes(), "mail.msg")
    headers = dict(mail.headers)
    assert headers["Subject"] == "Tasking minutes" and "Sarah Brennan" in headers["From"]
    assert "PC Grace Mensah will attend" in mail.text
    assert [(a.filename, a.suffix, a.data) for a in mail.attachments] == [("note.pdf", ".pdf", attached.read_bytes())]


def test_msg_is_redacted_with_its_attachment(tmp_path, detector):
    attached = k.pdf(tmp_path / "note.pdf", f"Grace Mensah rang.\n{k.CONTROL}")
    msg = k.msg(tmp_path / "mail.msg", ("note.pdf", attached.read_bytes()))
    out = tmp_path / "mail.pdf"
    result = redact_pdf(msg, out, detector, RunOptions())
    assert [r.output.name for r in [result, *result.parts]] == ["mail.pdf", "mail.attachment-1.pdf"]
    body = _readable(out)
    assert "Grace Mensah" not in body and "07700 900654" not in body and k.CONTROL in body
    assert "Grace Mensah" not in _readable(tmp_path / "mail.attachment-1.pdf")


def test_html_body_is_laid_out_without_fetching_anything(tmp_path, detector):
    server = k.RecordingServer()
    try:
        html = (f'<html><body><p>Call <b>DS Owen Doyle</b>.</p><img src="{server.url}/pixel.gif">'
                f'<p>{k.CONTROL}</p><iframe src="{server.url}/frame"></iframe></body></html>')
        mail = k.eml(tmp_path / "html.eml", [], html=html)
        parts = open_input(mail)
        assert server.requests == []
    finally:
        server.close()
    text = k.pdf_text(parts[0].pdf)
    assert "Owen Doyle" in text and k.CONTROL in text and "[image not shown]" in text


def test_every_recipient_is_shown_and_redacted(tmp_path, detector):
    """Recipients separated by semicolons (the parser kept the first, in
    quotes, and dropped the rest) and long To: lists (names wrapped away from
    their addresses went out readable): one address a line, all redacted."""
    long = ["Alasdair Quennell-Hart", "Bronwyn Featherstonehaugh", "Imogen Wetherall-Price", "Percival Ashcombe-Lyle",
            "Ottoline Gathercole", "Marguerite Oyelaran-Beck"]
    raw = ("From: control@example.org\r\nTo: " + ", ".join(f"{n} <{n.split()[0].lower()}.{i}@example.org>"
                                                          for i, n in enumerate(long))
           + "\r\nCc: Rosalind Achterberg; Zoe Okonkwo; Sanjay Volkov\r\nSubject: Rota\r\n"
           "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nPlease see the list.\r\n")
    src = tmp_path / "rota.eml"
    src.write_bytes(raw.encode())
    assert "Zoe Okonkwo; Sanjay Volkov" in " ".join(k.pdf_text(open_input(src)[0].pdf).split())
    result = redact_pdf(src, tmp_path / "rota.pdf", detector, RunOptions())
    text = _readable(result.output)
    names = long + ["Rosalind Achterberg", "Zoe Okonkwo", "Sanjay Volkov"]
    assert not [w for n in names for w in n.split() if w in text], text
    assert text.count("[Redacted: section 40(2)]") >= len(names)


def test_a_plain_part_beside_an_html_part_is_shown_too(tmp_path, detector):
    """multipart/mixed of a text/plain and a text/html part: the parser's body
    is the HTML one, and the plain one, with a name in it, was dropped
    without a word; a multipart/alternative still shows one of its forms."""
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    m = MIMEMultipart()
    m["From"], m["To"], m["Subject"] = "control@example.org", "foi@example.org", "Two bodies"
    m.attach(MIMEText("Plain body: DS Owen Doyle arrested the suspect at 10:00.\n"))
    m.attach(MIMEText("<html><body><p>HTML part: follow-up note.</p></body></html>", "html"))
    alt = MIMEMultipart("alternative")
    alt.attach(MIMEText("Third part, plain form.\n"))
    alt.attach(MIMEText("<p>Third part, HTML form.</p>", "html"))
    m.attach(alt)
    src = tmp_path / "two.eml"
    src.write_bytes(m.as_bytes())
    text = " ".join(k.pdf_text(open_input(src)[0].pdf).split())
    assert "Plain body: DS Owen Doyle" in text and "HTML part: follow-up note." in text
    assert "Third part, HTML form." in text and "Third part, plain form." not in text
    result = redact_pdf(src, tmp_path / "two.pdf", detector, RunOptions())
    out = _readable(result.output)
    assert "Doyle" not in out and "HTML part: follow-up note." in out


def test_a_picture_in_the_html_body_is_a_document_of_the_bundle(tmp_path, detector):
    """An image inside multipart/related (shown in the HTML body) is two
    levels down: the standard library's iter_attachments never sees it, and
    it was neither released nor listed. It is an attachment like the others:
    named in the header block, converted, read by OCR and redacted."""
    from email.message import EmailMessage

    picture = k.image_of_text(tmp_path / "pic.png", "DS Owen Doyle 07700 900321")
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "control@example.org", "foi@example.org", "Duty roster for March"
    m.set_content("The rota is in the picture.")
    m.add_alternative('<p>The rota is in the picture: <img src="cid:rota1"></p>', subtype="html")
    m.get_payload()[1].add_related(picture.read_bytes(), "image", "png", cid="<rota1>", filename="rota.png")
    src = tmp_path / "rota.eml"
    src.write_bytes(bytes(m))
    mail = read_eml(src.read_bytes(), src.name)
    assert [(a.filename, a.suffix) for a in mail.attachments] == [("rota.png", ".png")]
    result = redact_pdf(src, tmp_path / "rota.pdf", detector, RunOptions())
    assert len(result.parts) == 1 and "rota.png" in _readable(result.output)
    part = result.parts[0].output
    assert part.exists() and any("07700 900321" in f.text for f in result.parts[0].findings)
    assert "07700" not in k.pdf_text(part) and "Doyle" not in _readable(part)


def test_a_damaged_picture_withholds_itself_not_the_whole_email(tmp_path, cli):
    """A truncated signature logo refused the whole e-mail (exit 3, nothing
    released): it is withheld and listed, as a type redactor does not read is."""
    from email.message import EmailMessage

    picture = k.image_of_text(tmp_path / "pic.png", "Logo").read_bytes()
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "control@example.org", "foi@example.org", "Duty roster for March"
    m.set_content("DS Owen Doyle will attend.")
    m.add_attachment(picture[: len(picture) // 3], maintype="image", subtype="png", filename="logo.png")
    src = tmp_path / "mail.eml"
    src.write_bytes(bytes(m))
    code, out, err = cli("redact", src, "-o", tmp_path / "mail.pdf", "--no-nlp")
    assert code == 0 and "attachment 1 (.png): not converted" in out, out + err
    assert "Doyle" not in _readable(tmp_path / "mail.pdf") and "will attend" in _readable(tmp_path / "mail.pdf")
    assert "not converted" in (tmp_path / "mail.schedule.sources.csv").read_text()


def test_a_body_in_an_unknown_charset_is_read_not_refused(tmp_path):
    """Content-Type: text/plain; charset=x-unknown-8bit refused the whole
    e-mail (LookupError): its bytes are read as UTF-8, else Windows-1252."""
    raw = (b"From: control@example.org\r\nTo: foi@example.org\r\nSubject: Notes\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=x-unknown-8bit\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           b"DS Owen Doyle met Ren\xe9e at the caf\xe9.\r\n")
    mail = read_eml(raw, "notes.eml")
    assert "DS Owen Doyle met Ren\u00e9e at the caf\u00e9." in mail.text


def test_a_header_in_an_unknown_charset_is_read_not_shown_as_written():
    """An encoded word in a charset Python does not know was shown as written
    ("=?x-unknown?q?PC_Barnabas_Quillfeather?="): the name in it was never
    read as one, and stayed in the release (helper 33)."""
    raw = (b"From: =?x-unknown?q?PC_Barnabas_Quillfeather?= <b.q@example.org>\r\nTo: foi@example.org\r\n"
           b"Subject: =?x-unknown?q?DC_Cressida_Vantongeren?= notes\r\n\r\nSee below.\r\n")
    headers = dict(read_eml(raw, "notes.eml").headers)
    assert headers["From"] == "PC Barnabas Quillfeather <b.q@example.org>"
    assert headers["Subject"] == "DC Cressida Vantongeren notes"


def test_a_msg_whose_body_is_kept_as_rtf_only_releases_it(tmp_path):
    """Outlook may keep a body only as compressed RTF: the message was
    released with no body and no word (helper 33). The RTF goes as a
    document of the bundle (LibreOffice reads it)."""
    from redactor.ingest.convert.email import read_msg

    rtf = rb"{\rtf1\ansi\deff0{\fonttbl{\f0 Arial;}}\f0 PC Bartholomew Quenby, mobile 07700 900742.\par}"
    path = k.msg(tmp_path / "rtf.msg", rtf_body=rtf)
    mail = read_msg(path.read_bytes(), "rtf.msg")
    assert "kept as RTF only" in (mail.text or "")
    body = [a for a in mail.attachments if a.filename == "message body.rtf"]
    assert body and body[0].suffix == ".rtf" and b"Bartholomew Quenby" in body[0].data


def test_a_long_run_without_spaces_is_wrapped_not_cut(tmp_path):
    """MuPDF's layout does not break a run of characters with no space: the
    tail of a long link (SafeLinks' holds the recipient's address) was cut
    at the page's edge, lost with no word (helper 33)."""
    from redactor.ingest.convert.render import html_to_pdf

    link = ("https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.org%2Fa&data=05%7C01%7C"
            "magnus.pemberton%40westshire.police.uk%7C1234567890abcdef%7CTAILEND")
    raw = (b"From: control@example.org\r\nTo: foi@example.org\r\nSubject: Link\r\n\r\nSee " + link.encode()
           + b" and " + b"x" * 200 + b"END2.\r\n")
    mail = read_eml(raw, "link.eml")
    text = "".join(p.get_text() for p in pymupdf.open("pdf", html_to_pdf(mail.to_html("link.eml"))))
    assert "TAILEND" in text and "END2" in text
    assert "magnus.pemberton%40westshire.police.uk" in text  # an address is never split


def test_what_a_mail_client_shows_is_released(tmp_path, detector):
    """A <noscript> block and a form's text are shown by a mail client (no
    script runs there): they were dropped with their words. A calendar
    invitation and a contact card are text: they were withheld."""
    from email.message import EmailMessage

    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "control@example.org", "foi@example.org", "Court"
    m.set_content("See the invitation.")
    m.add_alternative("<p>Body.</p><noscript><p>Shown without scripts: DS Owen Doyle.</p></noscript>"
                      "<form><p>Please confirm attendance of PC Grace Mensah at court.</p></form>", subtype="html")
    m.add_attachment(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Court listing\r\nORGANIZER:mailto:x@example.org\r\n"
                     b"DESCRIPTION:Hearing with DC Ruth Ashworth\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                     maintype="text", subtype="calendar", filename="invite.ics")
    src = tmp_path / "court.eml"
    src.write_bytes(bytes(m))
    result = redact_pdf(src, tmp_path / "court.pdf", detector, RunOptions())
    body = _readable(result.output)
    assert "Shown without scripts" in body and "Please confirm attendance of PC" in body
    assert "Doyle" not in body and "Mensah" not in body
    assert len(result.parts) == 1 and "Court listing" in _readable(result.parts[0].output)
    assert "Ashworth" not in _readable(result.parts[0].output)


def test_headers_in_8_bit_are_read_as_utf_8_or_cp1252():
    raw = (b"From: Zo\xc3\xab Okonkwo <zoe@example.org>\r\nCc: Ren\xe9e Dubois\r\nSubject: Caf\xc3\xa9 rota\r\n"
           b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nHello.\r\n")
    headers = dict(read_eml(raw, "8bit.eml").headers)
    assert (headers["From"], headers["Cc"], headers["Subject"]) == (
        "Zoë Okonkwo <zoe@example.org>", "Renée Dubois", "Café rota")


def test_attached_emails_recurse_to_a_depth_limit(tmp_path):
    inner = k.eml(tmp_path / "inner.eml", [k.pdf(tmp_path / "a.pdf", "inner attachment")])
    middle = k.eml(tmp_path / "middle.eml", [inner])
    outer = k.eml(tmp_path / "outer.eml", [middle, _file(tmp_path / "tools.zip", b"PK\x05\x06" + bytes(18))])
    parts = open_input(outer, ConvertOptions(max_depth=3))
    assert [p.part for p in parts] == [None, "attachment 1", "attachment 1.1", "attachment 1.1.1"]
    assert "unsupported" in " ".join(parts[0].notes) and "attachment 2 (.zip)" in " ".join(parts[0].notes)
    shallow = open_input(outer, ConvertOptions(max_depth=1))
    assert [p.part for p in shallow] == [None, "attachment 1"]
    assert any("nested deeper than 1" in n for n in shallow[1].notes)


def _file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("raw, problem", [
    (b"From: a@b.example\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\nno boundary at all\n",
     "malformed MIME structure"),
    (b"From: a@b.example\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
     b"text but the boundary never starts\n", "malformed MIME structure"),
    (b"\x00\x01\x02 just bytes, not an e-mail", "not an e-mail"),
])
def test_a_malformed_eml_is_refused_with_one_line(tmp_path, raw, problem):
    with pytest.raises(InputError, match=problem) as err:
        read_eml(raw, "bad.eml")
    assert "\n" not in str(err.value) and str(err.value).startswith("bad.eml: ")


def test_cli_malformed_eml_exits_3_naming_the_file(tmp_path, cli):
    (tmp_path / "bad.eml").write_bytes(b"From: a@b.example\nMIME-Version: 1.0\n"
                                       b"Content-Type: multipart/mixed\n\nbody\n")
    code, _, stderr = cli("redact", "bad.eml", "-o", "bad.pdf", "--no-nlp")
    assert code == 3 and stderr.startswith("redactor: bad.eml: malformed MIME") and stderr.count("\n") == 1
    assert not (tmp_path / "bad.pdf").exists()


def test_eml_round_trip_keeps_attached_message_bytes(tmp_path):
    inner = k.eml(tmp_path / "inner.eml", [])
    outer = k.eml(tmp_path / "outer.eml", [inner])
    mail = read_eml(outer.read_bytes(), "outer.eml")
    assert mail.attachments[0].suffix == ".eml"
    again = email.message_from_bytes(mail.attachments[0].data, policy=email.policy.default)
    assert again["Subject"] == "Tasking minutes"


@needs_office
def test_a_scanned_eml_applies_as_a_bundle_with_one_combined_schedule(tmp_path, detector):
    from redactor.pipeline import apply_bundle, scan
    from redactor.review.plan import load_plan

    mail = k.eml(tmp_path / "tasking.eml", [k.docx(tmp_path / "minutes.docx"),
                                           k.pdf(tmp_path / "s.pdf", "Grace Mensah rang.")])
    plan = scan([mail], detector, RunOptions(), accept_above=0.0)
    plan.save(tmp_path / "plan.json")
    saved = load_plan(tmp_path / "plan.json")
    assert [d.converted.part for d in saved.documents] == [None, "attachment 1", "attachment 2"]
    assert len(list((tmp_path / "plan.converted").glob("*.pdf"))) == 3
    out = tmp_path / "release"
    out.mkdir()
    results = apply_bundle(saved, tmp_path / "plan.json", out, RunOptions())
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "tasking.redacted.attachment-1.pdf", "tasking.redacted.attachment-2.pdf", "tasking.redacted.pdf"]
    assert [r.name for r in results] == ["tasking.eml", "tasking.eml, attachment 1 (.docx)",
                                         "tasking.eml, attachment 2 (.pdf)"]
    assert "Grace Mensah" not in _readable(out / "tasking.redacted.attachment-2.pdf")


def test_alt_text_drawings_fallbacks_and_hidden_parts_of_an_html_body_are_released():
    """What a mail client shows was dropped with its words (helper 33): a
    picture's alt text (only "[image not shown]"), a drawing's text (inline
    SVG), an object's fallback, and a part hidden by the "hidden" attribute
    or by a style written after a "/" (hidden text is shown, as in Office
    files). Text that merely says "hidden" stays as it is."""
    from redactor.ingest.convert.render import clean_html

    body = clean_html('<p>The hidden camera was found.</p><img src="https://x.example/p.png" alt="Photo of PC Ann Lee">'
                      '<svg width="9"><text x="1">Call DS Rhian Jones</text></svg>'
                      '<object data="x.swf"><param name="a" value="b">Fallback: PC Tom Baker</object>'
                      '<div hidden>Hidden: DC Sue Day</div><p/style="display:none">Styled: PC Kay Orr</p>')
    for shown in ("The hidden camera was found.", "[image not shown: Photo of PC Ann Lee]",
                  "[drawing: Call DS Rhian Jones]", "Fallback: PC Tom Baker", "<div>Hidden: DC Sue Day</div>",
                  "<p>Styled: PC Kay Orr</p>"):
        assert shown in body, (shown, body)
    assert "<param" not in body and "x.swf" not in body and "<svg" not in body


def test_a_wide_table_is_laid_out_on_a_page_wide_enough():
    """MuPDF's layout cut a table wider than the page at its edge: the last
    columns of an HTML attachment were lost with no word (helper 33). The
    page is made as wide as the body needs."""
    from redactor.ingest.convert.render import clean_html, html_to_pdf

    cells = "".join(f"<td>Heading{i}</td>" for i in range(14)) + "<td>LASTCOLUMN Outcome: no further action</td>"
    pdf = pymupdf.open("pdf", html_to_pdf(clean_html(f"<p>Intro.</p><table><tr>{cells}</tr></table>")))
    text = " ".join(p.get_text() for p in pdf)
    assert "Heading13" in text and "LASTCOLUMN" in text
    assert pymupdf.open("pdf", html_to_pdf("<p>A short note.</p>"))[0].rect.width == pymupdf.paper_rect("a4").width
