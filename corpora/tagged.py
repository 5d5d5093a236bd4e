"""A small tagged PDF (a structure tree, one paragraph per line) with
personal data, for the accessibility tests and `make a11y-report`.
Everything is invented.

    python corpora/tagged.py briefing.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

LINES = [
    "Contact PC Alice Smith today about the case.",
    "The meeting is in the main hall at noon.",
]
PAGE2 = ["Annex: the rota for the week.", "Nothing else to add here."]


def build(path, pages=(LINES, PAGE2), title="Briefing for PC Alice Smith"):
    """A small tagged PDF: /Document > /P per line, one MCID per line."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))
    tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    doc = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree, K=Array()))
    tree.K = Array([doc])
    nums = Array()
    for n, lines in enumerate(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[n]
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        ops, parents = [], Array()
        for m, line in enumerate(lines):
            y = 780 - 24 * m
            ops.append(f"/P <</MCID {m}>> BDC BT /F1 11 Tf 72 {y} Td ({line}) Tj ET EMC")
            p = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, P=doc, Pg=page.obj, K=m))
            doc.K.append(p)
            parents.append(p)
        page.Contents = pdf.make_stream("\n".join(ops).encode())
        page.obj.StructParents = n
        nums.append(n)
        nums.append(parents)
    tree.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    tree.ParentTreeNextKey = len(pages)
    pdf.Root.StructTreeRoot = tree
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.Lang = pikepdf.String("en-GB")
    pdf.docinfo.Title = title
    pdf.save(path)
    return Path(path)



if __name__ == "__main__":
    build(Path(sys.argv[1]))
