"""Office, e-mail and image test inputs, generated here (python-docx,
python-pptx, openpyxl, the standard library, extract-msg's OLE writer,
PyMuPDF and Pillow). Every file holds personal data that the rules find
without NER (a rank before a name, phones, e-mail addresses, postcodes), in
the body, a table, a header and footer, a comment, tracked changes, speaker
notes, a hidden slide and a hidden sheet, and a control sentence that must
stay readable."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pymupdf

CONTROL = "The budget planning sentence stays readable."
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx(path: Path, *, company: str = "Northshire Constabulary") -> Path:
    import docx as python_docx
    from docx.oxml import parse_xml

    d = python_docx.Document()
    d.core_properties.author = "Gareth Whitfield"
    d.core_properties.last_modified_by = "Priya Okafor"
    d.core_properties.title = "Minutes of the tasking meeting"
    d.sections[0].header.paragraphs[0].text = "Prepared by PS Sarah Brennan"
    d.sections[0].footer.paragraphs[0].text = "Queries: 07700 900123"
    d.add_paragraph("The meeting was chaired by Inspector Tom Kowalski.")
    d.add_paragraph(CONTROL)
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Officer", "E-mail"
    t.cell(1, 0).text, t.cell(1, 1).text = "PC Helen Hargreaves", "helen.hargreaves@police.example"
    p = d.add_paragraph("Attendees: ")
    p._p.append(parse_xml(f'<w:del {W_NS} w:id="101" w:author="Priya Okafor" w:date="2026-01-01T10:00:00Z">'
                          '<w:r><w:delText>DC Daniel Lindqvist, </w:delText></w:r></w:del>'))
    p._p.append(parse_xml(f'<w:ins {W_NS} w:id="102" w:author="Priya Okafor" w:date="2026-01-01T10:00:00Z">'
                          '<w:r><w:t>PC Grace Mensah</w:t></w:r></w:ins>'))
    run = d.add_paragraph("Actions were agreed.").runs[0]
    d.add_comment(run, text="Check this with DS Owen Doyle, 07700 900456", author="Ruth Ashworth", initials="RA")
    hidden = d.add_paragraph().add_run("Informant handled by DC Chloe Fairbanks")
    hidden.font.hidden = True
    d.save(path)
    _set_app_property(path, "Company", company)
    return path


def _set_app_property(path: Path, name: str, value: str) -> None:
    with zipfile.ZipFile(path) as z:
        entries = {i.filename: z.read(i.filename) for i in z.infolist()}
    app = entries["docProps/app.xml"].decode()
    app = app.replace(f"<{name}/>", f"<{name}>{value}</{name}>")
    entries["docProps/app.xml"] = app.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name_, data in entries.items():
            z.writestr(name_, data)


def pptx(path: Path) -> Path:
    import pptx as python_pptx

    p = python_pptx.Presentation()
    p.core_properties.author = "Gareth Whitfield"
    s1 = p.slides.add_slide(p.slide_layouts[1])
    s1.shapes.title.text = "Operation briefing"
    s1.placeholders[1].text = f"Silver: Inspector Tom Kowalski\n{CONTROL}"
    s1.notes_slide.notes_text_frame.text = "Do not mention DS Owen Doyle; his mobile is 07700 900456"
    s2 = p.slides.add_slide(p.slide_layouts[1])
    s2.shapes.title.text = "Hidden slide"
    s2.placeholders[1].text = "Source handler: DC Chloe Fairbanks"
    s2._element.set("show", "0")
    p.save(path)
    return path


def xlsx(path: Path) -> Path:
    import openpyxl
    from openpyxl.comments import Comment

    wb = openpyxl.Workbook()
    wb.properties.creator = "Gareth Whitfield"
    ws = wb.active
    ws.title = "Rota"
    ws.append(["Officer", "Phone", "Note"])
    ws.append(["PC Helen Hargreaves", "07700 900789", CONTROL])
    ws.append(["PC Grace Mensah", "07700 900321", "hidden row"])
    ws.row_dimensions[3].hidden = True
    ws["A1"].comment = Comment("Rota agreed with DS Owen Doyle", "Ruth Ashworth")
    hidden = wb.create_sheet("Informants")
    hidden.append(["Handler", "DC Chloe Fairbanks"])
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def pdf(path: Path, text: str) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    y = 72
    for line in text.splitlines():
        page.insert_text((72, y), line, fontsize=11)
        y += 16
    doc.save(path)
    return path


def eml(path: Path, attachments: list[Path], body: str | None = None, html: str | None = None) -> Path:
    msg = EmailMessage()
    msg["From"] = "PS Sarah Brennan <sarah.brennan@police.example>"
    msg["To"] = "FOI team <foi@police.example>"
    msg["Subject"] = "Tasking minutes"
    msg["Date"] = "Mon, 05 Jan 2026 09:30:00 +0000"
    msg.set_content(body or f"Please see the minutes. PC Grace Mensah will attend.\n{CONTROL}\n")
    if html:
        msg.add_alternative(html, subtype="html")
    for a in attachments:
        maintype, subtype = {".pdf": ("application", "pdf"), ".eml": ("message", "rfc822")}.get(
            a.suffix, ("application", "octet-stream"))
        if maintype == "message":
            import email

            msg.add_attachment(email.message_from_bytes(a.read_bytes(), policy=email.policy.default))
        else:
            msg.add_attachment(a.read_bytes(), maintype=maintype, subtype=subtype, filename=a.name)
    path.write_bytes(bytes(msg))
    return path


def msg(path: Path, attachment: tuple[str, bytes] | None = None, rtf_body: bytes | None = None) -> Path:
    """A minimal Outlook message, written with extract-msg's own OLE writer:
    the property streams extract-msg reads (subject, sender, recipients,
    body) and, optionally, one attachment; ``rtf_body``: the body kept only
    as compressed RTF."""
    from extract_msg.ole_writer import OleWriter

    def u(text: str) -> bytes:
        return text.encode("utf-16-le")

    def props(entries: list[tuple[int, int]], header: bytes) -> bytes:
        out = bytearray(header)
        for tag, size in entries:  # variable-length properties: tag, flags, size, reserved
            out += tag.to_bytes(4, "little") + (6).to_bytes(4, "little") + size.to_bytes(4, "little") + bytes(4)
        return bytes(out)

    streams = {
        "0037001F": u("Tasking minutes"),
        "0C1A001F": u("PS Sarah Brennan"),
        "0C1F001F": u("sarah.brennan@police.example"),
        "0E04001F": u("FOI team"),
        "1000001F": u(f"PC Grace Mensah will attend. Call 07700 900654.\r\n{CONTROL}"),
        "001A001F": u("IPM.Note"),
    }
    if rtf_body is not None:
        import compressed_rtf

        del streams["1000001F"]
        streams["10090102"] = compressed_rtf.compress(rtf_body, compressed=True)
    w = OleWriter()
    for tag, data in streams.items():
        w.addEntry(f"__substg1.0_{tag}", data)
    w.addEntry("__nameid_version1.0", storage=True)
    for tag in ("00020102", "00030102", "00040102"):
        w.addEntry(f"__nameid_version1.0/__substg1.0_{tag}", b"")
    count = 1 if attachment else 0
    w.addEntry("__properties_version1.0",
               props([(int(t, 16), len(d) + 2) for t, d in streams.items()],
                     bytes(8) + (1).to_bytes(4, "little") + count.to_bytes(4, "little")
                     + (1).to_bytes(4, "little") + count.to_bytes(4, "little") + bytes(8)))
    w.addEntry("__recip_version1.0_#00000000", storage=True)
    w.addEntry("__recip_version1.0_#00000000/__substg1.0_3001001F", u("FOI team"))
    w.addEntry("__recip_version1.0_#00000000/__substg1.0_39FE001F", u("foi@police.example"))
    w.addEntry("__recip_version1.0_#00000000/__properties_version1.0",
               bytes(8) + (0x0C150003).to_bytes(4, "little") + (6).to_bytes(4, "little") + (1).to_bytes(8, "little"))
    if attachment:
        name, data = attachment
        base = "__attach_version1.0_#00000000"
        w.addEntry(base, storage=True)
        w.addEntry(f"{base}/__substg1.0_37010102", data)
        w.addEntry(f"{base}/__substg1.0_3707001F", u(name))
        w.addEntry(f"{base}/__substg1.0_3704001F", u(name))
        w.addEntry(f"{base}/__properties_version1.0",
                   bytes(8) + (0x37050003).to_bytes(4, "little") + (6).to_bytes(4, "little")
                   + (1).to_bytes(8, "little"))
    w.write(str(path))
    return path


def image_of_text(path: Path, text: str, dpi: int = 200, frames: list[tuple[str, int]] | None = None) -> Path:
    """A PNG/JPEG, or a multi-page TIFF (``frames``: (text, dpi) per page)."""
    from PIL import Image

    def render(t: str, d: int) -> Image.Image:
        doc = pymupdf.open()
        page = doc.new_page(width=400, height=120)
        page.insert_text((20, 60), t, fontsize=16)
        pix = page.get_pixmap(dpi=d)
        return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)

    if frames:
        images = [render(t, d) for t, d in frames]
        images[0].save(path, format="TIFF", save_all=True, append_images=images[1:], dpi=(frames[0][1],) * 2,
                       compression="tiff_deflate")
        return path
    img = render(text, dpi)
    img.save(path, dpi=(dpi, dpi))
    return path


def zip_bomb_docx(path: Path, inflated: int = 300 * 1024**2) -> Path:
    """A .docx whose document part inflates to hundreds of MiB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b" " * (1 << 20)
            for _ in range(inflated >> 20):
                f.write(chunk)
    path.write_bytes(buf.getvalue())
    return path


def million_rows_xlsx(path: Path) -> Path:
    """A small .xlsx whose sheet says it has a row 1,048,576."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "PC Grace Mensah"
    wb.active["A1048576"] = "last"
    wb.save(path)
    return path


def long_docx(path: Path, paragraphs: int = 20000) -> Path:
    """Long enough that converting it takes LibreOffice many seconds."""
    import docx as python_docx

    d = python_docx.Document()
    for i in range(paragraphs):
        d.add_paragraph(f"Paragraph {i}: nothing of interest happened at the meeting on this day.")
    d.save(path)
    return path


def pdf_text(path_or_bytes) -> str:
    doc = pymupdf.open(path_or_bytes) if isinstance(path_or_bytes, (str, Path)) else pymupdf.open("pdf", path_or_bytes)
    return " ".join(" ".join(page.get_text().split()) for page in doc)


def link_external_image(path: Path, url: str) -> Path:
    """Add a picture that is linked (r:link), not embedded, to a .docx."""
    rel = (f'<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
           f'Target="{url}" TargetMode="External"/>')
    drawing = (
        '<w:p><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="952500" cy="952500"/>'
        '<wp:docPr id="10" name="Linked picture"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr>'
        '<pic:cNvPr id="10" name="secret.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="rIdExt1"/>'
        '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
    with zipfile.ZipFile(path) as z:
        entries = {i.filename: z.read(i.filename) for i in z.infolist()}
    rels = entries["word/_rels/document.xml.rels"].decode()
    entries["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    body = entries["word/document.xml"].decode()
    entries["word/document.xml"] = body.replace("<w:body>", "<w:body>" + drawing, 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


class RecordingServer:
    """A web server on the loopback interface that records every request
    (for the tests that prove nothing is fetched)."""

    def __init__(self):
        import http.server
        import threading

        requests = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(PNG_1PX)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
