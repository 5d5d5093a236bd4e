"""What a release says about itself: its title, language and how a viewer
shows it (PDF/UA asks for all three).

Every other piece of metadata is dropped by the sanitiser, the original's
title included (nobody reviews it, and it often names people): the title is
the document's name as the redaction schedule publishes it, or "Redacted
document" when that name holds redacted text. The language is the original's, else British
English.
"""

from __future__ import annotations

import html

import pikepdf
from pikepdf import Dictionary, Name

DEFAULT_LANG = "en-GB"
#: The title when the document's name holds redacted text.
FALLBACK_TITLE = "Redacted document"


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
    root.Metadata = pdf.make_stream(_XMP.format(title=escape(title)).encode("utf-8"),
                                    Type=Name.Metadata, Subtype=Name.XML)


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as XML entities: ``xml.sax.saxutils.escape``,
    without importing urllib and http.client with it (start-up)."""
    return html.escape(text, quote=False)


#: A fixed XMP packet with the title alone (no tool, no dates: the same input gives the same bytes).
_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""

