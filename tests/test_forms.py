"""Forms are flattened, not deleted: what a field shows stays on the page,
including a value a viewer draws itself because the form says
NeedAppearances (LibreOffice stores empty appearances and leaves the
drawing to the viewer)."""

from __future__ import annotations

import pikepdf
import pymupdf
import pytest

ANSWER = "Answer Kept Here"


def _form(path, need_appearances: bool):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Application form", fontsize=12)
    w = pymupdf.Widget()
    w.field_name, w.field_type = "first", pymupdf.PDF_WIDGET_TYPE_TEXT
    w.field_value, w.rect = ANSWER, pymupdf.Rect(72, 100, 300, 120)
    page.add_widget(w)
    doc.save(path)
    if need_appearances:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            annot = pdf.pages[0].Annots[0]
            annot.AP.N.write(b"/Tx BMC\nEMC\n")  # as LibreOffice writes it: the viewer draws the value
            pdf.Root.AcroForm.NeedAppearances = True
            pdf.save(path)
    return path


@pytest.mark.parametrize("need_appearances", [False, True])
def test_a_filled_in_field_keeps_its_answer_on_the_page(tmp_path, redact, need_appearances):
    src = _form(tmp_path / "form.pdf", need_appearances)
    assert ANSWER in pymupdf.open(src)[0].get_text()  # what a viewer shows
    result = redact(src)
    out = pymupdf.open(result.output)
    assert not list(out[0].widgets()), "the interactive layer is removed"
    assert ANSWER in out[0].get_text(), "the answer the form showed was lost"
