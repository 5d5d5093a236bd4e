"""A sample Word document for `make demo`: minutes with personal data in
the body, a table, the header and footer, a comment, a tracked insertion
and a tracked deletion, and document properties. Everything is invented.

    python corpora/minutes.py corpora/sample-minutes.docx
"""

from __future__ import annotations

import sys
from pathlib import Path

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def build(path: Path) -> Path:
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    d.core_properties.author = "Gareth Whitfield"
    d.core_properties.last_modified_by = "Priya Okafor"
    d.core_properties.title = "Tasking meeting minutes"
    d.sections[0].header.paragraphs[0].text = "OFFICIAL - prepared by PS Sarah Brennan"
    d.sections[0].footer.paragraphs[0].text = "Queries to the FOI team: foi@police.example, 07700 900123"
    d.add_heading("Tasking meeting, 5 January 2026", 1)
    d.add_paragraph("The meeting was chaired by Inspector Tom Kowalski.")
    d.add_paragraph("The budget for the next quarter was agreed without change.")
    t = d.add_table(rows=3, cols=3)
    for row, cells in enumerate([("Officer", "Role", "Contact"),
                                 ("PC Helen Hargreaves", "Bronze", "helen.hargreaves@police.example"),
                                 ("DS Owen Doyle", "Intelligence", "07700 900456")]):
        for col, value in enumerate(cells):
            t.cell(row, col).text = value
    p = d.add_paragraph("Attendees also included ")
    p._p.append(parse_xml(f'<w:del {W} w:id="101" w:author="Priya Okafor" w:date="2026-01-05T10:00:00Z">'
                          '<w:r><w:delText>DC Daniel Lindqvist and </w:delText></w:r></w:del>'))
    p._p.append(parse_xml(f'<w:ins {W} w:id="102" w:author="Priya Okafor" w:date="2026-01-05T10:00:00Z">'
                          '<w:r><w:t>PC Grace Mensah</w:t></w:r></w:ins>'))
    run = d.add_paragraph("Actions were agreed and will be reviewed next month.").runs[0]
    d.add_comment(run, text="Confirm the dates with DS Owen Doyle", author="Ruth Ashworth", initials="RA")
    d.save(path)
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1])))
