"""Word, PowerPoint and Excel in, a verified PDF out: data redacted, hidden
content listed (plan, log, schedule) and, by default, rendered for review;
control text kept. Real LibreOffice, one warm converter per test process."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest

import officekit as k
from redactor.account.log import check_log, read_log
from redactor.errors import InputError, PlanError
from redactor.ingest.convert import ConvertOptions, libreoffice
from redactor.pipeline import RunOptions, apply_plan, redact_pdf, scan
from redactor.review.plan import load_plan
from redactor.verify.checks import Redaction, verify_file

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")

DOCX_SECRETS = ["Tom Kowalski", "Helen Hargreaves", "helen.hargreaves@police.example", "Sarah Brennan",
                "07700 900123", "Daniel Lindqvist", "Grace Mensah", "Owen Doyle", "07700 900456", "Chloe Fairbanks",
                "Gareth Whitfield", "Priya Okafor", "Ruth Ashworth"]


@pytest.fixture(scope="session")
def office():
    """This process's warm LibreOffice, shared by every test; nothing of it
    is left running afterwards."""
    lo = libreoffice.shared()
    yield lo
    pids = lo.pids()
    libreoffice.close_all()
    assert not [p for p in pids if Path(f"/proc/{p}").exists() and _state(p) != "Z"]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except OSError:
        return "gone"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _readable(pdf: Path) -> str:
    """What an independent extractor (poppler) reads, white space collapsed."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def _redact(src: Path, tmp_path: Path, detector, policy: str = "render"):
    before = _sha(src)
    out = tmp_path / "release" / (src.stem + ".pdf")
    out.parent.mkdir(exist_ok=True)
    result = redact_pdf(src, out, detector, RunOptions(convert=ConvertOptions(hidden_content=policy)))
    assert _sha(src) == before, "the input changed"
    return result, out


def _verified(result) -> None:
    assert check_log(result.log).ok
    _, entries = read_log(result.log)
    report = verify_file(result.output, [Redaction(e["page"], e["rects"], e["text"], e["exemption"]) for e in entries])
    assert report.ok, report.problems


def test_docx_redacted_with_hidden_content_rendered_and_listed(tmp_path, detector, office):
    src = k.docx(tmp_path / "minutes.docx")
    result, out = _redact(src, tmp_path, detector)
    text = _readable(out)
    assert k.CONTROL in text and "Actions were agreed." in text
    for secret in DOCX_SECRETS:
        assert secret not in text, secret
    assert "Hidden content of minutes.docx" in text and "Northshire Constabulary" in text  # properties listed
    _verified(result)

    header, entries = read_log(result.log)
    source = header["source"]
    assert header["document"] == "minutes.docx" and source["file"] == "minutes.docx"
    assert header["input_sha256"] == source["sha256"] == _sha(src)
    assert source["converter"].startswith("LibreOffice 7") or source["converter"].startswith("LibreOffice")
    assert len(source["intermediate_pdf_sha256"]) == 64 and source["hidden_content_policy"] == "render"
    kinds = {i["kind"] for i in source["hidden_content"]}
    assert {"tracked_insertion", "tracked_deletion", "comment", "hidden_text", "header_footer",
            "document_property"} <= kinds
    # the tracked deletion that held a name: listed, and its name redacted where it is drawn
    deletion = next(i for i in source["hidden_content"] if i["kind"] == "tracked_deletion")
    assert "Daniel Lindqvist" in deletion["text"] and "struck through" in deletion["treatment"]
    pages = {e["page"] for e in entries if e["text"] == "Daniel Lindqvist"}
    assert pages == {1, 2}  # in place on page 1, and on the added page
    assert all(e["document"] == "minutes.docx" for e in entries)

    rows = list(csv.DictReader(result.schedule.with_name("minutes.schedule.sources.csv").open()))
    assert {r["hidden_content"] for r in rows} >= {"tracked deletion", "comment", "hidden text"}
    assert {r["hidden_content_policy"] for r in rows} == {"render"}
    sources_text = result.schedule.with_name("minutes.schedule.sources.csv").read_text()
    assert "Lindqvist" not in sources_text and "Ruth" not in sources_text  # the schedule holds no content
    html = result.schedule.with_suffix(".html").read_text()
    assert "hidden content" in html.lower() and ">render<" in html
    assert "minutes.docx" in result.schedule.read_text()


def test_docx_drop_policy_leaves_hidden_content_out_and_says_so(tmp_path, detector, office):
    src = k.docx(tmp_path / "minutes.docx")
    result, out = _redact(src, tmp_path, detector, "drop")
    text = _readable(out)
    assert k.CONTROL in text
    for gone in ("Lindqvist", "Chloe", "Owen Doyle", "Ruth", "Hidden content of"):
        assert gone not in text, gone
    assert "Grace Mensah" not in text and "Attendees: PC" in text  # the insertion is accepted (and redacted)
    header, _ = read_log(result.log)
    items = header["source"]["hidden_content"]
    assert {i["treatment"] for i in items if i["kind"] == "tracked_deletion"} == {"dropped (the change was accepted)"}
    rows = list(csv.DictReader(result.schedule.with_name("minutes.schedule.sources.csv").open()))
    assert {r["hidden_content_policy"] for r in rows} == {"drop"}


def test_refuse_policy_refuses_a_file_with_hidden_content(tmp_path, detector, office):
    src = k.docx(tmp_path / "minutes.docx")
    with pytest.raises(InputError, match=r"minutes.docx: refused: it holds hidden content \(.*tracked deletion"):
        _redact(src, tmp_path, detector, "refuse")
    assert not (tmp_path / "release" / "minutes.pdf").exists()


def test_pptx_hidden_slide_and_speaker_notes_are_rendered_and_redacted(tmp_path, detector, office):
    src = k.pptx(tmp_path / "briefing.pptx")
    result, out = _redact(src, tmp_path, detector)
    text = _readable(out)
    assert k.CONTROL.split()[0] in text and "Hidden slide" in text and "Source handler: DC" in text
    for secret in ("Tom Kowalski", "Chloe Fairbanks", "Owen Doyle", "07700 900456", "Gareth Whitfield"):
        assert secret not in text, secret
    header, _ = read_log(result.log)
    kinds = [i["kind"] for i in header["source"]["hidden_content"]]
    assert "hidden_slide" in kinds and "speaker_notes" in kinds
    notes = next(i for i in header["source"]["hidden_content"] if i["kind"] == "speaker_notes")
    assert notes["where"] == "slide 1" and "Owen Doyle" in notes["text"]
    _verified(result)


def test_xlsx_hidden_sheet_rows_and_comment_are_rendered_and_redacted(tmp_path, detector, office):
    src = k.xlsx(tmp_path / "rota.xlsx")
    result, out = _redact(src, tmp_path, detector)
    text = _readable(out)
    assert "budget planning sentence" in text and "hidden row" in text and "Handler" in text
    for secret in ("Helen Hargreaves", "07700 900789", "Grace Mensah", "07700 900321", "Chloe Fairbanks",
                   "Owen Doyle", "Ruth Ashworth"):
        assert secret not in text, secret
    header, _ = read_log(result.log)
    by_kind = {i["kind"]: i for i in header["source"]["hidden_content"]}
    assert by_kind["hidden_sheet"]["where"] == "sheet 'Informants'"
    assert by_kind["hidden_rows"]["text"] == "rows 3"
    assert by_kind["comment"]["author"] == "Ruth Ashworth"
    _verified(result)


def test_xlsx_cells_outside_a_print_area_are_released_too(tmp_path, detector, office):
    """Excel shows every cell; LibreOffice prints only the print area. The
    cells outside it were left out of the release without a word."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rota"
    ws.append(["Officer", "Shift", "Note"])
    ws.append(["Team A", "Early", k.CONTROL])
    ws["F1"] = "Escalation contact"
    ws["F2"] = "PC Helen Hargreaves 07700 900789"
    ws["A9"] = "Overtime agreed for the whole team"
    ws["H3"] = "The committee agreed to repaint the station fence in green before winter arrives this year"
    ws.print_area = "A1:C3"
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # one page: with every cell, unreadably small
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    for row in range(12, 400):
        ws.cell(row=row, column=30, value=f"filler {row}")
    src = tmp_path / "rota.xlsx"
    wb.save(src)
    result, out = _redact(src, tmp_path, detector)
    text = _readable(out)
    assert k.CONTROL in text and "Escalation contact" in text and "Overtime agreed" in text, text
    assert "winter arrives this year" in text  # a long cell wraps whole: its row is as tall as it needs
    sizes = sorted(s["size"] for page in pymupdf.open(out) for b in page.get_text("dict")["blocks"]
                   for line in b.get("lines", ()) for s in line["spans"] if "filler" in s["text"])
    assert sizes and sizes[len(sizes) // 2] >= 6, sizes[:5]  # not squeezed onto one page
    assert "Hargreaves" not in text and "07700 900789" not in text
    header, _ = read_log(result.log)
    area = next(i for i in header["source"]["hidden_content"] if i["kind"] == "print_area")
    assert area["where"] == "sheet 'Rota'" and "$A$1:$C$3" in area["text"] and "every cell" in area["treatment"]
    _verified(result)


def test_a_scan_of_a_docx_applies_later_on_the_pdf_it_was_made_on(tmp_path, detector, office):
    src = k.docx(tmp_path / "minutes.docx")
    options = RunOptions(convert=ConvertOptions())
    plan = scan([src], detector, options, accept_above=0.0)
    plan_path = tmp_path / "plan.json"
    plan.save(plan_path)
    kept = list((tmp_path / "plan.converted").glob("*.pdf"))
    assert len(kept) == 1
    saved = load_plan(plan_path)
    conv = saved.documents[0].converted
    assert conv.intermediate == f"plan.converted/{kept[0].name}" and conv.intermediate_pdf_sha256 == _sha(kept[0])
    assert {h["kind"] for h in conv.hidden_content} >= {"tracked_deletion", "comment"}

    out = tmp_path / "minutes.pdf"
    from redactor.redact.apply import ApplyOptions

    # boxes as wide as their text (--keep-layout), so they can be compared with the plan's
    result = apply_plan(src, saved, out, RunOptions(convert=ConvertOptions(),
                                                    apply=ApplyOptions(glyph_width_defence=False)))
    boxes = {f.id: f.rects for f in saved.documents[0].findings}
    _, entries = read_log(result.log)
    drawn = {e["id"]: e["rects"] for e in entries if e["id"] in boxes}
    assert set(drawn) == set(boxes)
    for i, rects in boxes.items():  # the plan's boxes, on the same layout (drawn boxes are padded sideways)
        for got, want in zip(drawn[i], rects, strict=True):
            assert all(abs(a - b) <= 0.6 for a, b in zip(got, want)), (got, want)
    assert "Daniel Lindqvist" not in _readable(out) and k.CONTROL in _readable(out)

    from redactor.review.report import build
    assert build(saved, plan_path, tmp_path / "report.html") > 0

    kept[0].write_bytes(kept[0].read_bytes() + b"\n%changed")
    with pytest.raises(PlanError, match="has changed since the scan"):
        apply_plan(src, load_plan(plan_path), tmp_path / "again.pdf", options)
    kept[0].unlink()
    with pytest.raises(PlanError, match="is missing"):
        apply_plan(src, load_plan(plan_path), tmp_path / "again.pdf", options)


def test_cli_redacts_a_docx_to_a_pdf_and_leaves_no_converter_running(tmp_path, cli):
    k.docx(tmp_path / "minutes.docx")
    (tmp_path / "release").mkdir()
    code, stdout, stderr = cli("redact", "minutes.docx", "-o", "release/minutes.pdf", "--no-nlp")
    assert code == 0, stderr
    assert "converted from .docx by LibreOffice" in stdout and "hidden content (render)" in stdout
    assert (tmp_path / "release" / "minutes.pdf").read_bytes().startswith(b"%PDF-")
    assert not _converters_of(tmp_path)
    code, _, stderr = cli("redact", "minutes.docx", "-o", "release/m2.pdf", "--no-nlp", "--hidden-content", "refuse")
    assert code == 3 and stderr.count("\n") == 1 and stderr.startswith("redactor: minutes.docx: refused")


def _converters_of(home: Path) -> list[str]:
    """soffice processes whose environment points at ``home`` (the CLI's HOME)."""
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "soffice" in cmd and _state(int(proc.name)) != "Z":
                try:
                    env = (proc / "environ").read_bytes()
                except OSError:
                    continue
                if str(home).encode() in env:
                    out.append(cmd)
    return out


@pytest.fixture
def http_server():
    server = k.RecordingServer()
    yield server
    server.close()


@pytest.mark.parametrize("isolated", [True, False], ids=["network-namespace", "links-cut"])
def test_linked_images_are_not_fetched(tmp_path, http_server, isolated):
    """A .docx that links (not embeds) an image on a server: LibreOffice
    fetches such links whatever its settings say; here it never asks, both
    with no network at all and (where unshare is missing) because the link
    is cut before rendering. The link is listed."""
    from redactor.ingest.convert import open_input

    if isolated and not libreoffice.network_jail():
        pytest.skip("unshare cannot make a network namespace here")
    src = k.link_external_image(k.docx(tmp_path / "linked.docx"), http_server.url + "/secret.png")
    with libreoffice.LibreOffice(isolate_network=isolated) as lo:
        parts = open_input(src, converter=lo)
    assert http_server.requests == []
    links = [i for i in parts[0].hidden if i.kind == "external_link"]
    assert links and links[0].text.endswith("/secret.png") and "never fetched" in links[0].treatment


def test_html_input_fetches_nothing(tmp_path, detector, http_server):
    page = tmp_path / "page.html"
    page.write_text(f'<html><head><link rel="stylesheet" href="{http_server.url}/s.css">'
                    f'<script src="{http_server.url}/x.js"></script></head><body><p>Call DS Owen Doyle.</p>'
                    f'<img src="{http_server.url}/tracker.png"><p style="background:url({http_server.url}/b.png)">'
                    f'{k.CONTROL}</p></body></html>')
    result, out = _redact(page, tmp_path, detector)
    assert http_server.requests == []
    text = _readable(out)
    assert k.CONTROL in text and "Owen Doyle" not in text


def test_legacy_and_odf_formats_are_normalised_then_inspected(tmp_path, detector, office):
    """.odt (made by LibreOffice from the .docx) keeps its tracked changes
    and comments through the normalisation to .docx."""
    src = k.docx(tmp_path / "minutes.docx")
    odt = tmp_path / "minutes.odt"
    odt.write_bytes(office.convert(src.read_bytes(), ".docx", "writer8", out_suffix=".odt"))
    result, out = _redact(odt, tmp_path, detector)
    header, _ = read_log(result.log)
    kinds = {i["kind"] for i in header["source"]["hidden_content"]}
    assert {"tracked_deletion", "tracked_insertion", "comment"} <= kinds
    assert any("written as .docx" in n for n in header["source"]["notes"])
    text = _readable(out)
    assert "Daniel Lindqvist" not in text and k.CONTROL in text


def test_csv_and_text_inputs(tmp_path, detector, office):
    (tmp_path / "list.csv").write_text(f"name,phone\nPC Grace Mensah,07700 900321\n{k.CONTROL},x\n")
    (tmp_path / "note.txt").write_text(f"Call DS Owen Doyle on 07700 900456.\n{k.CONTROL}\n")
    for name in ("list.csv", "note.txt"):
        result, out = _redact(tmp_path / name, tmp_path, detector)
        text = _readable(out)
        assert k.CONTROL in text and "07700 900" not in text
        assert json.loads(result.log.read_text().splitlines()[0])["source"]["format"] == Path(name).suffix


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "cp1252"])
def test_a_text_file_in_any_common_encoding_is_read(tmp_path, detector, encoding):
    """Notepad's "Unicode" (UTF-16 with its mark) was read as cp1252: "ÿþS",
    its words gone, "nothing found"."""
    (tmp_path / "note.txt").write_bytes(f"Call DS Owen Doyle on 07700 900456. Café.\n{k.CONTROL}\n".encode(encoding))
    result, out = _redact(tmp_path / "note.txt", tmp_path, detector)
    text = _readable(out)
    assert k.CONTROL in text and "Café" in text and "07700 900" not in text and "Doyle" not in text


def test_a_word_broken_by_the_layout_is_still_found(tmp_path, detector, office):
    """LibreOffice breaks a long e-mail address inside a narrow table cell
    where no rule looks ("...@poli" / "ce.example"); the file's own text has
    it whole, and it is found and redacted on the page."""
    import docx

    d = docx.Document()
    t = d.add_table(rows=1, cols=4)
    t.cell(0, 0).text = "Contact"
    t.cell(0, 3).text = "helen.hargreaves.longname@northshire-police.example"
    d.add_paragraph(k.CONTROL)
    d.save(tmp_path / "narrow.docx")
    result, out = _redact(tmp_path / "narrow.docx", tmp_path, detector)
    page = " ".join(out.read_bytes() and _readable(out).split())
    assert "northshire" not in page and "hargreaves" not in page and k.CONTROL in page
    assert any(f.rule.endswith(".source-text") for f in result.findings)


@pytest.mark.parametrize("make, export, suffix, kinds", [
    (k.docx, "MS Word 97", ".doc", {"tracked_deletion", "comment", "hidden_text"}),
    (k.pptx, "MS PowerPoint 97", ".ppt", {"hidden_slide", "speaker_notes"}),
    (k.xlsx, "MS Excel 97", ".xls", {"hidden_sheet", "hidden_rows", "comment"}),
])
def test_binary_office_formats_keep_their_hidden_content(tmp_path, office, make, export, suffix, kinds):
    from redactor.ingest.convert import open_input

    src = make(tmp_path / ("made" + {".doc": ".docx", ".ppt": ".pptx", ".xls": ".xlsx"}[suffix]))
    legacy = tmp_path / f"legacy{suffix}"
    legacy.write_bytes(office.convert(src.read_bytes(), src.suffix, export, out_suffix=suffix))
    [part] = open_input(legacy, converter=office)
    assert kinds <= {i.kind for i in part.hidden}
    assert "Fairbanks" in k.pdf_text(part.pdf)  # hidden text, slide or sheet: shown for review


def _rewritten(src: Path, dst: Path, edit) -> Path:
    """``src`` with every XML part's bytes passed through ``edit(name, data)``."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith((".xml", ".rels")):
                data = edit(item.filename, data)
            zout.writestr(item.filename, data)
    return dst


def test_a_docx_written_with_other_prefixes_has_its_hidden_content_dropped_as_the_schedule_says(
        tmp_path, detector, office):
    """A tool that re-serialises the XML writes ``ns0:`` for ``w:``: the
    tracked deletion the schedule said was dropped was published (helper 30)."""
    import re

    def ns0(name, data):
        if name != "word/document.xml":
            return data
        return re.sub(rb"(?<=[<\s/])w:", b"ns0:", data).replace(b"xmlns:w=", b"xmlns:ns0=")

    src = _rewritten(k.docx(tmp_path / "plain.docx"), tmp_path / "minutes.docx", ns0)
    result, out = _redact(src, tmp_path, detector, "drop")
    text = _readable(out)
    assert k.CONTROL in text
    for gone in ("Lindqvist", "Chloe", "Fairbanks"):
        assert gone not in text, gone
    assert "Attendees: PC" in text  # the deletion ("DC Daniel Lindqvist, ") accepted, not struck through
    header, _ = read_log(result.log)
    assert "tracked_deletion" in {i["kind"] for i in header["source"]["hidden_content"]}


def test_a_strict_open_xml_docx_is_inspected_and_refused_under_refuse(tmp_path, detector, office):
    """Word's Strict Open XML: the same parts under ISO namespaces. Nothing
    was found hidden, so `refuse` passed it, and its comment was lost."""
    strict = ((b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
               b"http://purl.oclc.org/ooxml/wordprocessingml/main"),
              (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
               b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
              (b"http://schemas.openxmlformats.org/drawingml/2006/main", b"http://purl.oclc.org/ooxml/drawingml/main"))

    def iso(name, data):
        if name.startswith("docProps") or name == "[Content_Types].xml":
            return data
        for a, b in strict:
            data = data.replace(a, b)
        return data

    src = _rewritten(k.docx(tmp_path / "plain.docx"), tmp_path / "minutes.docx", iso)
    with pytest.raises(InputError, match=r"minutes.docx: refused: it holds hidden content \(.*comment"):
        _redact(src, tmp_path, detector, "refuse")


def test_pptx_hidden_shapes_and_shapes_off_the_slide_are_shown_or_listed(tmp_path, detector, office):
    """A shape hidden in the selection pane and a text box parked off the
    slide were left out of the release with no word, and `refuse` passed the
    file (helper 30)."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Operation Harbour briefing"

    def box(text, x, y):
        shape = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(8), Inches(0.6))
        shape.text_frame.text = text
        return shape

    box(k.CONTROL, 0.5, 1.5)
    box("Armed support with PS Owen Doyle at Mill Lane depot", 0.5, 3.5)._element.nvSpPr.cNvPr.set("hidden", "1")
    box("Second team with DC Chloe Fairbanks at the bus garage", 10.5, 5.0)  # off the 10-inch slide
    src = tmp_path / "deck.pptx"
    prs.save(src)
    result, out = _redact(src, tmp_path, detector)
    text = _readable(out)
    assert k.CONTROL in text and "Mill Lane depot" in text and "bus garage" in text
    assert "Owen Doyle" not in text and "Chloe Fairbanks" not in text
    header, _ = read_log(result.log)
    kinds = {i["kind"] for i in header["source"]["hidden_content"]}
    assert {"hidden_shape", "off_slide_shape"} <= kinds
    with pytest.raises(InputError, match=r"refused: it holds hidden content \(.*hidden shape"):
        _redact(src, tmp_path, detector, "refuse")


def test_xlsx_cells_shown_as_nothing_drop_down_lists_and_named_values_are_listed(tmp_path, detector, office):
    """A value formatted ";;;" (Excel's way to hide a cell), a drop-down
    list of officers and a text kept under a name were in no page, no
    schedule, and `refuse` passed the file (helper 30)."""
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Roster"
    ws.append(["Date", "Shift", "Note"])
    ws.append(["04/03/2024", "Night", k.CONTROL])
    ws["D2"] = "Handler: DS Bryony Lake, mobile 07700 900777"
    ws["D2"].number_format = ";;;"
    dv = DataValidation(type="list", formula1='"PC 4501 Rhian Bellamy,PC 4502 Gareth Cartwright"')
    ws.add_data_validation(dv)
    dv.add("B3")
    wb.defined_names["OnCall"] = DefinedName("OnCall", attr_text='"DS Rowan Marsh 07700 900888"')
    src = tmp_path / "roster.xlsx"
    wb.save(src)
    result, out = _redact(src, tmp_path, detector)
    text = _readable(out)
    assert k.CONTROL in text and "Handler: DS" in text and "OnCall" in text
    for name in ("Lake", "Bellamy", "Cartwright", "Marsh", "900777", "900888"):
        assert name not in text, name
    header, _ = read_log(result.log)
    kinds = {i["kind"] for i in header["source"]["hidden_content"]}
    assert {"hidden_cells", "dropdown_list", "named_value"} <= kinds
    with pytest.raises(InputError, match=r"refused: it holds hidden content"):
        _redact(src, tmp_path, detector, "refuse")


def test_word_headers_no_page_uses_are_listed(tmp_path, detector, office):
    """A one-page minute with a first-page header: the default and even-page
    headers are printed on no page. They were in no page of the release
    while the schedule said "rendered in place" (helper 30)."""
    import docx as python_docx

    d = python_docx.Document()
    d.add_paragraph(k.CONTROL)
    d.settings.odd_and_even_pages_header_footer = True
    sec = d.sections[0]
    sec.different_first_page_header_footer = True
    sec.first_page_header.paragraphs[0].text = "First-page header"
    sec.header.paragraphs[0].text = "Default header: author DS Bryony Lake, 07700 900555"
    sec.even_page_header.paragraphs[0].text = "Even header: Op Harbour cover team"
    src = tmp_path / "minute.docx"
    d.save(src)
    result, out = _redact(src, tmp_path, detector)
    text = _readable(out)
    assert "Default header: author DS" in text and "Op Harbour cover team" in text and "Lake" not in text
