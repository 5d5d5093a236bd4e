"""Scans and pictures of text, end to end with the real Tesseract: what is
read, what is redacted, what OCR of the output can still read, and pages
that cannot be read."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpora"))

import generate  # noqa: E402
import scan  # noqa: E402

from redactor.redact import speech  # noqa: E402
from redactor.errors import ExitCode  # noqa: E402
from redactor.text.ocr import tesseract  # noqa: E402
from redactor.verify.ocr import fuzzy_found  # noqa: E402

pytestmark = pytest.mark.skipif(tesseract.binary() is None, reason="needs Tesseract (make test installs it)")


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


def _ocr_pages(pdf: Path, dpi: int = 200) -> list[str]:
    """What Tesseract reads on each rendered page of ``pdf`` (a person's view),
    segmenting the page two ways (automatic, and as one block of lines: on a
    skewed scan the first may interleave neighbouring lines): a leak in
    either counts, and so does a sentence read whole in either."""
    out = []
    for page in pymupdf.open(pdf):
        png = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY).tobytes("png")
        out.append("\n".join(" ".join(w.text for w in tesseract.ocr_image(png, dpi=dpi, psm=psm)) for psm in (3, 6)))
    return out


def _first_pages(src: Path, dst: Path, n: int) -> Path:
    doc = pymupdf.open(src)
    doc.select(list(range(n)))
    doc.save(dst)
    return dst


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """A born-digital briefing (its first three slides) and a scan of it:
    image only, 200 dpi, skewed 2 degrees."""
    tmp = tmp_path_factory.mktemp("deck")
    full = tmp / "full.pdf"
    truth = generate.build(full, "briefing", 11, "train")
    born = _first_pages(full, tmp / "born.pdf", 3)
    scanned = tmp / "scanned.pdf"
    scan.scan_pdf(born, scanned, scan.Scanner(dpi=200, skew=2.0))
    return born, scanned, [t for t in truth["neutral"] if t["page"] <= 3]


@pytest.fixture(scope="module")
def redacted_deck(deck, tmp_path_factory, detector):
    """The deck and its scan, each redacted once for the tests below."""
    from redactor.pipeline import redact_pdf

    born, scanned, _ = deck
    tmp = tmp_path_factory.mktemp("redacted")
    before = scanned.read_bytes()
    a = redact_pdf(born, tmp / "born.out.pdf", detector)
    b = redact_pdf(scanned, tmp / "scan.out.pdf", detector)
    assert scanned.read_bytes() == before, "the input file changed"
    return a, b


def test_scanned_deck_redacts_like_its_born_digital_original(deck, redacted_deck):
    born, scanned, neutral = deck
    assert not pymupdf.open(scanned)[0].get_text().strip(), "the scan must hold no text of its own"
    a, b = redacted_deck
    assert not b.unreadable
    want = {(f.page, f.category, _norm(f.text)) for f in a.findings if f.category != "photograph"}
    got = [(f.page, f.category, _norm(f.text)) for f in b.findings]
    assert all(f.source == "ocr" for f in b.findings)
    assert not [f for f in b.findings if f.category == "photograph"], "a scanned page is not a photograph"
    def same(w, g):  # one misread character in six is allowed; short texts must match exactly
        if sum(ch.isalnum() for ch in w) < 4:
            return w == g
        return fuzzy_found(w, g) and abs(len(g) - len(w)) <= 2

    missing = [w for w in want if not any(g[:2] == w[:2] and same(w[2], g[2]) for g in got)]
    assert not missing, f"found in the born-digital deck but not in its scan: {missing}"
    assert len(got) <= len(want) + 1
    # what a person (OCR of the rendered output) can read
    read = _ocr_pages(b.output)
    leaks = [f.text for f in b.findings if sum(ch.isalnum() for ch in f.text) >= 4 and
             fuzzy_found(f.text, read[f.page - 1])]
    assert not leaks, f"OCR still reads {leaks}"
    kept = [s["text"] for s in neutral if fuzzy_found(s["text"], read[s["page"] - 1])]
    assert len(kept) == len(neutral), f"control sentences lost: {[s['text'] for s in neutral if s['text'] not in kept]}"


def test_redacted_scan_keeps_its_image_and_carries_a_searchable_layer_without_the_redacted(deck, redacted_deck):
    _, scanned, neutral = deck
    _, b = redacted_deck
    out = pymupdf.open(b.output)
    assert all(len(p.get_images()) == 1 for p in out)
    layer = [p.get_text() for p in out]
    assert any(fuzzy_found(s["text"], layer[s["page"] - 1]) for s in neutral), "the layer is not searchable"
    for f in b.findings:
        if sum(ch.isalnum() for ch in f.text) >= 4:
            assert _norm(f.text) not in _norm(layer[f.page - 1])
    raw = out.tobytes()
    assert b"3 Tr" in raw or b"3 Tr" in b"".join(out[i].read_contents() for i in range(len(out)))
    header = json.loads(b.log.read_text().splitlines()[0])
    assert header["ocr"]["pages_read"] == [1, 2, 3] and header["ocr"]["text_layer_words"] > 20



def _options(**ocr):
    from redactor.pipeline import RunOptions
    from redactor.text.ocr.select import OcrOptions

    return RunOptions(ocr=OcrOptions(**ocr))


def _screenshot(lines: list[str]) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=330, height=20 + 16 * len(lines))
    for i, line in enumerate(lines):
        page.insert_text((10, 20 + 16 * i), line, fontname="cour", fontsize=11)
    return page.get_pixmap(matrix=pymupdf.Matrix(1.5, 1.5), alpha=False).tobytes("png")


def test_phone_number_in_a_screenshot_on_a_born_digital_slide(tmp_path, redact):
    shot = _screenshot(["CAD 4711/14Mar  LOG", "09:14 Caller rang tel 07700 900123", "09:30 Units released"])
    src = tmp_path / "slide.pdf"
    doc = pymupdf.open()
    page = doc.new_page(width=720, height=405)
    page.insert_text((24, 40), "Incident review: the duty inspector signed off the log.", fontname="helv", fontsize=12)
    rect = pymupdf.Rect(24, 80, 24 + 330 * 1.2, 80 + 68 * 1.2)
    page.insert_image(rect, stream=shot)
    doc.save(src)
    result = redact(src)
    phones = [f for f in result.findings if f.category == "phone"]
    assert {f.category for f in result.findings} <= {"phone", "reference_number"}
    assert len(phones) == 1 and phones[0].source == "ocr" and "07700 900123" in phones[0].text
    out = pymupdf.open(result.output)
    assert "Incident review: the duty inspector signed off the log." in out[0].get_text()
    info = out[0].get_image_info(xrefs=True)[0]
    after = np.frombuffer(pymupdf.Pixmap(out, info["xref"]).samples, dtype=np.uint8)
    before = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1)
    from redactor.redact.pixels import pixel_mask

    w, h = Image.open(io.BytesIO(shot)).size
    boxes = [pymupdf.Rect(r) for e in result.entries for r in e.rects]
    mask = pixel_mask(w, h, pymupdf.Matrix(info["transform"]), boxes)
    mask3 = np.repeat(mask.reshape(-1), 3)
    assert mask.any() and (after[mask3] == 0).all(), "the number's pixels are still there"
    assert (after[~mask3] == before[~mask3]).all(), "pixels outside the box changed"
    read = " ".join(w.text for w in tesseract.ocr_image(pymupdf.Pixmap(out, info["xref"]).tobytes("png")))
    assert not fuzzy_found("07700 900123", read) and not fuzzy_found("07700900123", read)
    assert fuzzy_found("Units released", read) and fuzzy_found("Caller rang", read)
    layer = " ".join(out[0].get_text().split())
    assert "Units released" in layer and "900123" not in layer  # the picture's words, searchable, less the box's
    plain = redact(src, out=tmp_path / "nolayer.pdf", options=_options(layer=False))
    read = speech.PHRASE.sub("", pymupdf.open(plain.output)[0].get_text())  # what each box says aloud is no layer
    words = [x for x in read.split() if not x.startswith(("S40", "S31"))]
    assert " ".join(words) == "Incident review: the duty inspector signed off the log.", "--no-ocr-layer wrote a layer"


def test_a_line_of_text_that_fills_its_picture_is_read(tmp_path, redact):
    """A phone number as a picture 9.9 pt tall, its digits touching its top
    and bottom: too short to be read (10 pt), and Tesseract reads nothing of
    a line with no margin round it; released readable, 'nothing found'."""
    art = pymupdf.open()
    sheet = art.new_page(width=200, height=24)
    sheet.insert_text((2, 19), "07700 900123", fontname="helv", fontsize=24)
    shot = sheet.get_pixmap(matrix=pymupdf.Matrix(4, 4), clip=pymupdf.Rect(0, 1, 150, 24), alpha=False)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 120), "Contact him on mobile", fontsize=11)
    page.insert_image(pymupdf.Rect(200, 111, 200 + 150 * 9.9 / 23, 120.9), stream=shot.tobytes("png"))
    doc.save(tmp_path / "thin.pdf")
    result = redact(tmp_path / "thin.pdf")
    assert [f.category for f in result.findings] == ["phone"] and result.findings[0].source == "ocr"
    seen = pymupdf.open(result.output)[0].get_pixmap(dpi=200).tobytes("png")
    read = " ".join(w.text for w in tesseract.ocr_image(seen))
    assert "Contact him" in read and not fuzzy_found("07700 900123", read)


def _scribble_pdf(path: Path) -> Path:
    """A one-page 'scan' of scribbles (handwriting-like strokes): nothing to read."""
    rng = np.random.default_rng(3)
    img = Image.new("L", (850, 1100), 255)
    from PIL import ImageDraw

    d = ImageDraw.Draw(img)
    for row in range(8):
        y = 120 + row * 110
        pts = [(80 + i * 14, y + int(rng.integers(-25, 25))) for i in range(48)]
        d.line(pts, fill=30, width=3)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_image(page.rect, stream=buf.getvalue())
    doc.save(path)
    return path


def test_unreadable_page_is_reported_with_its_exit_code(tmp_path, cli):
    src = _scribble_pdf(tmp_path / "scribbles.pdf")
    code, out, err = cli("redact", src, "-o", tmp_path / "o.pdf", "--no-nlp")
    assert code == ExitCode.UNREADABLE == 7, err
    assert "page 1 could not be read: review by eye" in err
    assert (tmp_path / "o.pdf").exists()
    from redactor.account.log import default_log_path

    header = json.loads(default_log_path(tmp_path / "o.pdf").read_text().splitlines()[0])
    assert header["pages_unreadable"][0]["page"] == 1
    assert "page_unreadable" in (tmp_path / "o.schedule.csv").read_text()
    code, out, err = cli("redact", src, "-o", tmp_path / "o2.pdf", "--no-nlp", "--accept-unreadable")
    assert code == 0, err
    code, out, err = cli("scan", src, "--plan", tmp_path / "plan.json", "--no-nlp")
    assert code == 0
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["version"] == 2
    assert plan["documents"][0]["unreadable"][0]["message"].startswith("page 1 could not be read: review by eye")


def test_a_scan_with_ocr_turned_off_or_tesseract_missing_is_never_a_quiet_pass(deck, tmp_path, cli):
    _, scanned, _ = deck
    code, out, err = cli("redact", scanned, "-o", tmp_path / "never.pdf", "--no-nlp", "--ocr", "never")
    assert code == 7 and "OCR is turned off" in err
    exe = shutil.which("redactor", path=str(Path(sys.executable).parent))
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path),
           "REDACTOR_TESSERACT": "tesseract-not-installed"}
    p = subprocess.run([exe, "redact", str(scanned), "-o", str(tmp_path / "none.pdf"), "--no-nlp"],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 7, p.stderr
    assert "Tesseract OCR is not installed" in p.stderr
    assert "0 redactions" in p.stdout  # nothing could be found; it says so and why


def test_bad_pictures_give_one_line_and_leave_the_input_alone(tmp_path, cli):
    import pikepdf
    import zlib
    from pikepdf import Array, Dictionary, Name

    def pdf_with(name, **image):
        pdf = pikepdf.new()
        data = image.pop("data", b"\x00" * 16)
        img = pdf.make_stream(data, Type=Name.XObject, Subtype=Name.Image, **image)
        content = b"q 500 0 0 700 50 50 cm /Im0 Do Q\n"
        pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 612, 792]),
                                                 Resources=Dictionary(XObject=Dictionary(Im0=img)),
                                                 Contents=pdf.make_stream(content))))
        path = tmp_path / name
        pdf.save(path)
        return path

    bomb = pdf_with("bomb.pdf", Width=50_000, Height=50_000, BitsPerComponent=8, ColorSpace=Name.DeviceGray,
                    Filter=Name.FlateDecode, data=zlib.compress(bytes(10_000)))
    before = bomb.read_bytes()
    code, out, err = cli("redact", bomb, "-o", tmp_path / "b.pdf", "--no-nlp")
    assert code == ExitCode.INPUT and len(err.strip().splitlines()) == 1, err
    # refused as the file is opened (the safety caps), before OCR ever sees it
    assert "50000 x 50000 pixels" in err and bomb.read_bytes() == before
    corrupt = pdf_with("corrupt.pdf", Width=600, Height=800, BitsPerComponent=8, ColorSpace=Name.DeviceGray,
                       Filter=Name.DCTDecode, data=b"\xff\xd8 not a jpeg at all" * 50)
    code, out, err = cli("redact", corrupt, "-o", tmp_path / "c.pdf", "--no-nlp")
    assert code == ExitCode.UNREADABLE and "page 1 could not be read" in err, err
    zero = pdf_with("zero.pdf", Width=0, Height=0, BitsPerComponent=8, ColorSpace=Name.DeviceGray)
    code, out, err = cli("redact", zero, "-o", tmp_path / "z.pdf", "--no-nlp")
    assert code in (0, ExitCode.INPUT, ExitCode.UNREADABLE) and "Traceback" not in err
    assert code != ExitCode.INPUT or len(err.strip().splitlines()) == 1  # refused: one line
    nocs = pdf_with("nocs.pdf", Width=600, Height=800, BitsPerComponent=8, data=bytes(480_000))
    code, out, err = cli("redact", nocs, "-o", tmp_path / "n.pdf", "--no-nlp")
    assert code in (ExitCode.INPUT, ExitCode.UNREADABLE) and "Traceback" not in err and err.strip(), err


def test_hundreds_of_tiny_images_neither_hang_nor_crash(tmp_path, redact):
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((72, 60), "Call 07700 900123 for the duty desk.", fontsize=11)
    icon = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 6, 6), False)
    icon.set_rect(icon.irect, (200, 30, 30))
    data = icon.tobytes("png")
    for i in range(400):
        x, y = 40 + (i % 40) * 13, 100 + (i // 40) * 13
        page.insert_image(pymupdf.Rect(x, y, x + 6, y + 6), stream=data)
    doc.save(tmp_path / "icons.pdf")
    result = redact(tmp_path / "icons.pdf")
    assert [f.category for f in result.findings] == ["phone"] and not result.unreadable


def test_plan_carries_ocr_findings_and_unreadable_pages_through_review_and_apply(deck, tmp_path, cli):
    _, scanned, _ = deck
    scribbles = _scribble_pdf(tmp_path / "scribbles.pdf")
    code, out, err = cli("scan", scanned, scribbles, "--plan", tmp_path / "plan.json", "--no-nlp",
                         "--accept-above", "0.5")
    assert code == 0, err
    plan = json.loads((tmp_path / "plan.json").read_text())
    deck_doc, scribble_doc = plan["documents"]
    assert deck_doc["findings"] and all(f["source"] == "ocr" for f in deck_doc["findings"])
    assert not deck_doc.get("unreadable") and scribble_doc["unreadable"][0]["page"] == 1
    code, out, err = cli("report", tmp_path / "plan.json", "-o", tmp_path / "report.html")
    assert code == 0, err
    html = (tmp_path / "report.html").read_text()
    first = deck_doc["findings"][0]
    assert f'data-id="{first["id"]}"' in html and "(read by OCR)" in html
    assert "page 1 could not be read: review by eye" in html
    assert [f["category"] for f in scribble_doc["findings"]] == ["photograph"]  # nothing read: a picture
    scribble_doc["findings"][0]["status"] = "rejected"
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    code, out, err = cli("apply", scribbles, "--plan", tmp_path / "plan.json", "-o", tmp_path / "s.pdf")
    assert code == 7, err
    scribble_doc["unreadable"][0].update(status="reviewed", reviewer="A. Officer")
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    code, out, err = cli("apply", scribbles, "--plan", tmp_path / "plan.json", "-o", tmp_path / "s.pdf")
    assert code == 0, err
    code, out, err = cli("apply", scanned, "--plan", tmp_path / "plan.json", "-o", tmp_path / "d.pdf")
    assert code == 0, err
    from redactor.account.log import default_log_path

    code, out, err = cli("verify", tmp_path / "d.pdf", "--log", default_log_path(tmp_path / "d.pdf"))
    assert code == 0, err
    v1 = {**plan, "version": 1, "documents": [{k: v for k, v in d.items() if k != "unreadable"} for d in plan["documents"]]}
    for d in v1["documents"]:
        for f in d["findings"]:
            f.pop("source", None)
    (tmp_path / "v1.json").write_text(json.dumps(v1))
    code, out, err = cli("apply", scribbles, "--plan", tmp_path / "v1.json", "-o", tmp_path / "s1.pdf")
    assert code == 7, err  # a version 1 plan has no review of unreadable pages: they are reported again


def test_batch_counts_files_with_unreadable_pages_apart(tmp_path, cli):
    src = tmp_path / "archive"
    src.mkdir()
    _scribble_pdf(src / "scribbles.pdf")
    generate.build(src / "report.pdf", "report", 5, "train")
    (src / "report.txt").unlink()  # the ground truth's text: batch would release it as a PDF too
    code, out, err = cli("batch", src, "-o", tmp_path / "out", "--workers", "1", "--no-nlp", "--quiet")
    assert code == 7, err
    assert "done 2" in out and "unreadable pages in 1" in out
    records = [json.loads(x) for x in (tmp_path / "out.NOT-FOR-RELEASE" / "manifest.jsonl").read_text().splitlines()]
    assert [r["input"] for r in records if r.get("unreadable")] == ["scribbles.pdf"]


def test_verification_catches_a_picture_only_covered_by_a_box(tmp_path):
    """A black box drawn over a screenshot, its pixels untouched: the
    picture check must fail it (the text checks cannot see pixels)."""
    from redactor.verify.checks import Redaction, verify_file

    shot = _screenshot(["CAD 4711/14Mar  LOG", "09:14 Caller rang tel 07700 900123", "09:30 Units released"])
    doc = pymupdf.open()
    page = doc.new_page(width=720, height=405)
    rect = pymupdf.Rect(24, 80, 24 + 330 * 1.2, 80 + 68 * 1.2)
    page.insert_image(rect, stream=shot)
    words = " ".join(w.text for w in tesseract.ocr_image(shot))
    assert "07700" in words
    # the number sits on the second line, right half: cover it, and a bit short on the right
    box = pymupdf.Rect(rect.x0 + rect.width * 0.55, rect.y0 + rect.height * 0.36, rect.x0 + rect.width * 0.93,
                       rect.y0 + rect.height * 0.6)
    page.draw_rect(box, color=None, fill=(0, 0, 0))
    doc.save(tmp_path / "fake.pdf")
    report = verify_file(tmp_path / "fake.pdf", [Redaction(1, [tuple(box)], "07700 900123", "S40(2)")])
    assert any("were not blanked" in p for p in report.problems), report.problems
    assert any("can still be read (OCR)" in p for p in report.problems), report.problems


def test_pages_fed_sideways_or_upside_down_are_read_upright(tmp_path):
    from redactor.text.mupdf import extract_document
    from redactor.text.ocr.document import read_document

    src = tmp_path / "report.pdf"
    truth = generate.build(src, "report", 21, "train")
    doc = pymupdf.open(src)
    doc.select([0, 0])
    doc.save(tmp_path / "twice.pdf")
    scanned = tmp_path / "turned.pdf"
    scan.scan_pdf(tmp_path / "twice.pdf", scanned, scan.Scanner(dpi=200, skew=-1.0, turn={1: 90, 2: 180}))
    doc = pymupdf.open(scanned)
    assert doc[0].rect.width > doc[0].rect.height  # fed sideways: a landscape page
    result = read_document(doc, extract_document(doc))
    assert not result.unreadable and [p.number for p in result.pages] == [1, 2]
    wanted = [i["text"] for i in truth["items"] if i["page"] == 1 and i["category"] in ("ni_number", "nhs_number")]
    for page in result.pages:
        for text in wanted:
            assert fuzzy_found(text, page.text), (text, page.text[:300])


def test_a_picture_drawn_on_several_pages_is_read_once_and_found_on_each(tmp_path, detector):
    from redactor.text.mupdf import extract_document
    from redactor.text.ocr import select
    from redactor.text.ocr.document import read_document

    shot = _screenshot(["Duty desk log", "10:02 Caller on 07700 900456 asked for an update"])
    doc = pymupdf.open()
    for _ in range(2):
        page = doc.new_page(width=720, height=405)
        page.insert_image(pymupdf.Rect(24, 80, 420, 150), stream=shot)
    doc.save(tmp_path / "twice.pdf")
    doc = pymupdf.open(tmp_path / "twice.pdf")
    native = extract_document(doc)
    units, _ = select.plan(doc, native, select.OcrOptions())
    assert len(units) == 1 and len(next(iter(units.values())).uses) == 2
    result = read_document(doc, native)
    found = detector.find_in_pages(native + result.pages)
    assert sorted((f.page, f.category) for f in found if f.category == "phone") == [(1, "phone"), (2, "phone")]


def test_a_very_fine_large_picture_is_read_scaled_down_and_its_words_land_where_they_show(tmp_path, monkeypatch):
    """A drawing scanned far finer than it shows (real files: 113 megapixels
    at 2,900 dpi, 25 s of Tesseract) is read at FINE_DPI or READ_PIXELS,
    whichever is larger; its words come back to the same place on the page."""
    from redactor.text.mupdf import extract_document
    from redactor.text.ocr import reading, select

    art = pymupdf.open()
    sheet = art.new_page(width=480, height=240)
    sheet.insert_text((20, 120), "Caller on 07700 900456 at the gate", fontname="helv", fontsize=20)
    picture = sheet.get_pixmap(matrix=pymupdf.Matrix(5, 5), colorspace=pymupdf.csGRAY, alpha=False).tobytes("png")
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    shown = pymupdf.Rect(72, 100, 72 + 216, 100 + 108)  # 2400 px over 3 inches: 800 dpi
    page.insert_image(shown, stream=picture)
    doc.save(tmp_path / "fine.pdf")
    doc = pymupdf.open(tmp_path / "fine.pdf")
    units, _ = select.plan(doc, extract_document(doc), select.OcrOptions())
    assert len(units) == 1

    def where(readings):
        (r,) = readings.values()
        words = {w.text: pymupdf.Rect(w.box) * back for w, back in r.words}
        return r, words

    whole, before = where(reading.read_units(doc, units, select.OcrOptions()))
    assert whole.size == (2400, 1200)
    monkeypatch.setattr(reading, "READ_PIXELS", 720_000)  # 1200 x 600: 600 dpi is larger
    scaled, after = where(reading.read_units(doc, units, select.OcrOptions()))
    assert scaled.size == (1800, 900), "read at 600 dpi"
    assert {"Caller", "07700", "900456", "gate"} <= set(after)
    placed = pymupdf.Matrix(shown.width, 0, 0, shown.height, shown.x0, shown.y0)
    for word in ("07700", "900456"):
        a, b = before[word] * placed, after[word] * placed
        assert a in shown + (-1, -1, 1, 1) and abs(a.x0 - b.x0) < 1.5 and abs(a.x1 - b.x1) < 1.5
        assert abs(a.y0 - b.y0) < 1.5 and abs(a.y1 - b.y1) < 1.5


def test_pictures_are_read_by_several_tesseract_processes_at_once_with_the_same_words(tmp_path, monkeypatch):
    """With jobs > 1, groups of pictures go to Tesseract processes running
    side by side (threads wait on them; MuPDF makes the pictures in this
    thread only): each picture's words are those one process reads."""
    import threading

    from redactor.text.mupdf import extract_document
    from redactor.text.ocr import reading, select

    doc = pymupdf.open()
    for i, line in enumerate(["Caller on 07700 900456", "Gate code 4417 at noon", "PC Amy Clarke on duty"]):
        page = doc.new_page(width=720, height=405)
        page.insert_image(pymupdf.Rect(24, 80, 420, 150), stream=_screenshot([f"Log {i + 1}", line]))
    doc.save(tmp_path / "three.pdf")
    doc = pymupdf.open(tmp_path / "three.pdf")
    units, _ = select.plan(doc, extract_document(doc), select.OcrOptions())
    assert len(units) == 3
    threads = []
    real = tesseract._exec
    monkeypatch.setattr(tesseract, "_exec", lambda *a: threads.append(threading.current_thread().name) or real(*a))

    def words(jobs):
        threads.clear()
        got = reading.read_units(doc, units, select.OcrOptions(jobs=jobs), batch=1)
        return {k: [w.text for w, _ in r.words] for k, r in got.items()}, set(threads)

    alone, ran_on = words(1)
    assert ran_on == {threading.current_thread().name}
    together, ran_on = words(3)
    assert together == alone and list(together) == list(units)
    assert all(name.startswith("redactor-ocr") for name in ran_on), ran_on
    assert any("07700" in w for w in alone[list(units)[0]])


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_drawn_upside_down_is_read_upright_with_or_without_a_cpu_to_spare(monkeypatch, jobs):
    """A page read from its rendering (its fonts cannot be trusted) that
    reads poorly is read again turned as the orientation check says; with
    a CPU to spare that check starts beside the first reading."""
    from redactor.text import rendered

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for k, line in enumerate(["Statement taken from the witness at the station", "Caller on 07700 900456 at noon",
                              "Officer in the case PC Amy Clarke", "Reviewed by the duty sergeant"] * 3):
        page.insert_text((60, 120 + 40 * k), line, fontsize=16, morph=(pymupdf.Point(297.5, 421), pymupdf.Matrix(180)))
    monkeypatch.setattr(tesseract, "_jobs", jobs)
    words, _to_page = rendered.read_words(page, dpi=150)
    assert "07700" in [w.text for w in words]


@pytest.mark.parametrize("word, following, mended", [
    ("ps", "3344", "PS"), ("Pc", "4521", "PC"), ("dci", "12HX", "DCI"), ("sgt", "4521,", "Sgt"),
    ("ps", "and", "ps"), ("pc", "Alan", "pc"), ("PS", "3344", "PS"), ("lnsp", "", "Insp"),
])
def test_a_rank_read_in_the_wrong_case_before_a_shoulder_number_is_mended(word, following, mended):
    """Tesseract read "PS 3344 Omar Farouk" on a picture turned 5 degrees as
    "ps 3344 Omar Farouk": no rank, so neither the number nor the name was
    found (exit 0, both readable; helper 31). One character for one."""
    from redactor.text.ocr.reading import corrected

    assert corrected(word, following) == mended


@pytest.mark.parametrize("angle", [8, 15, -20])
def test_a_picture_of_text_photographed_askew_is_read_level(tmp_path, redact, angle):
    """Labels photographed 8 to 22 degrees askew were read as nothing: exit 0
    with the names legible in the picture (helper 31). Such a picture is laid
    level and read again, and its words land where they show."""
    doc = pymupdf.open()
    label = doc.new_page(width=420, height=60)
    label.insert_text((10, 38), "PS 3344 Omar Farouk 07700 900321", fontsize=22)
    pix = label.get_pixmap(dpi=200)
    picture = Image.frombytes("RGB", (pix.width, pix.height), pix.samples).convert("L")
    picture = picture.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    picture.save(buf, "PNG")
    out = pymupdf.open()
    page = out.new_page()
    page.insert_text((72, 60), "Scanned labels from the exhibits store; this line stays.", fontsize=10)
    page.insert_image(pymupdf.Rect(72, 100, 472, 100 + 400 * picture.height / picture.width), stream=buf.getvalue())
    src = tmp_path / "askew.pdf"
    out.save(src)
    result = redact(src)
    found = {f.text for f in result.findings if f.source == "ocr"}
    assert "Omar Farouk" in found and "07700 900321" in found, found
    shown = result.output.with_suffix(".png")
    pymupdf.open(result.output)[0].get_pixmap(dpi=200).save(shown)
    level = Image.open(shown).convert("L").rotate(angle, expand=True, fillcolor=255)
    level.save(shown)
    seen = subprocess.run(["tesseract", str(shown), "-"], capture_output=True, text=True).stdout
    assert "Farouk" not in seen and "900321" not in seen, seen


def test_a_picture_drawn_tiny_is_read_from_its_pixels(tmp_path, redact):
    """A 1400 x 200 pixel picture of a name drawn 30 x 4 pt: nobody reads it
    on the page, anyone reads it taken out of the file. It was never read,
    exit 0, verify passed (helper 33)."""
    doc = pymupdf.open()
    label = doc.new_page(width=420, height=60)
    label.insert_text((10, 38), "PC Reginald Umberfield 07700 900882", fontsize=20)
    pix = label.get_pixmap(dpi=240)
    buf = io.BytesIO()
    Image.frombytes("RGB", (pix.width, pix.height), pix.samples).save(buf, "PNG")
    out = pymupdf.open()
    page = out.new_page()
    page.insert_text((72, 60), "Signature logo follows; this line stays.", fontsize=10)
    page.insert_image(pymupdf.Rect(72, 80, 102, 84.3), stream=buf.getvalue())
    src = tmp_path / "tiny.pdf"
    out.save(src)
    result = redact(src)
    assert {"Reginald Umberfield", "07700 900882"} <= {f.text for f in result.findings if f.source == "ocr"}
    released = pymupdf.open(result.output)
    xref = released[0].get_images()[0][0]
    pymupdf.Pixmap(released, xref).save(tmp_path / "taken-out.png")
    seen = subprocess.run(["tesseract", str(tmp_path / "taken-out.png"), "-"], capture_output=True, text=True).stdout
    assert "Umberfield" not in seen and "900882" not in seen, seen
