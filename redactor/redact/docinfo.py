"""What a release says about itself: its title, language and how a viewer
shows it (PDF/UA asks for all three).

Every other piece of metadata is dropped by the sanitiser, the original's
title included (nobody reviews it, and it often names people): the title is
the release's file name. The language is the original's, else British
English.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary, Name

DEFAULT_LANG = "en-GB"


def describe(pdf: pikepdf.Pdf, title: str, lang: str | None) -> None:
    root = pdf.Root
    if not isinstance(root.get("/Lang"), pikepdf.String) or not str(root.Lang).strip():
        root.Lang = pikepdf.String(lang or DEFAULT_LANG)
    prefs = root.get("/ViewerPreferences")
    if not isinstance(prefs, Dictionary):
        prefs = Dictionary()
        root.ViewerPreferences = prefs
    prefs.DisplayDocTitle = True
    pdf.docinfo = pdf.make_indirect(Dictionary(Title=pikepdf.String(title)))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title

