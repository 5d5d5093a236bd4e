"""A reading of tables with each cell under its column's header.

A briefing's resources table gives the words that say what a value is once,
in its header row, and the values below, one per cell::

    Role      Call sign   Officer          Channel
    Bronze    TANGO 21    PC 4471 Hughes   TG 451
    Support   Kilo 7      PC Dan Reed      TG 451

Every reader reads the cells row by row or column by column, so a rule that
needs "call sign" before a value finds the first one at best. This reading
is each body cell as a line of its own with its column's header before it
("Call sign: TANGO 21", "Call sign: Kilo 7"): the rules find what the
header says the cell holds. The colon keeps a header and a cell from
reading as one name ("Jakarta: Rupia"), and a blank line between cells
keeps a name from running on into the next header ("Hughes⏎Talkgroup").
A cell wrapped over two lines or
more is read as one ("Officer: PC 4471 Hughes"). Where the rows suggested
something else at the same place ("PC Dan Reed 452" read as a shoulder
number under the header "Talkgroup"), the header wins
(:func:`redactor.detect.union.merge`). The header's characters stand at the cell's left edge
with no width, so a box never covers the header; a finding made of header
words alone has no box and is dropped.

A table is told by geometry alone (rows of cells split by wide gaps, a
header row of short cells, perhaps over two lines or more set close, with
no row of the same columns right above it, body rows whose cells fall into
its columns); ruling lines are not needed. Only horizontal text is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from redactor.text.page import Glyph, PageText

SOURCE = "columns"
#: a gap between two glyphs of a line this many ems wide splits it into cells
CELL_GAP = 1.5
#: a header cell is a label: this many words at most
HEADER_WORDS = 5
HEADER_CHARS = 40
#: rows further apart than this many ems (baseline to baseline) end a table
ROW_GAP = 3.2
#: a row this close (ems) under the last, with nothing in the column that row starts in, holds its cells' next lines
WRAP_GAP = 1.6
#: a row of labels this close (ems) under the header row is the header's next line ("Call" over "sign")
HEADER_LINE_GAP = 1.4
#: a row whose every cell holds more words than this is prose in columns
PROSE_WORDS = 6


@dataclass
class _Cell:
    start: int  #: character range in the primary reading
    end: int
    x0: float
    x1: float
    y: float  #: vertical middle
    size: float

    def text(self, page: PageText) -> str:
        return page.text[self.start:self.end]


def read_columns(page: PageText) -> PageText | None:
    """The reading of ``page``'s tables (None if it has none)."""
    rows = _rows(_cells(page))
    text: list[str] = []
    glyphs: list[Glyph | None] = []
    k = 0
    while k < len(rows):
        labels, used, taken, records = _table(rows, k, page)
        if not records:
            k += 1
            continue
        for record in records:
            for col in sorted(record):
                label = labels[col] + (" " if labels[col].endswith(":") else ": ")
                for n, cell in enumerate(record[col]):  # a cell's lines, one after the other
                    stand_in = _no_width(page.glyphs[cell.start])
                    if n:
                        text.append(" ")
                        glyphs.append(stand_in)
                    else:
                        text.append(label)
                        glyphs.extend([stand_in] * len(label))
                    text.append(cell.text(page))
                    glyphs.extend(page.glyphs[cell.start:cell.end])
                text.append("\n\n")  # a blank line: no name or context runs from one cell into the next
                glyphs.extend((None, None))
        k += used + taken
    if not text:
        return None
    return PageText(index=page.index, text="".join(text), glyphs=glyphs, page_rect=page.page_rect,
                    lines=page.lines, hidden_counts=page.hidden_counts, images=[], source=SOURCE)


def _no_width(g: Glyph) -> Glyph:
    """A glyph at ``g``'s left edge with no width: what it stands for is
    read, never boxed."""
    return Glyph((g.bbox[0], g.bbox[1], g.bbox[0], g.bbox[3]), g.line, g.size, True)


def _cells(page: PageText) -> list[_Cell]:
    """Each line of the page split where a gap of CELL_GAP ems or more lies
    between two inked characters (horizontal lines only). A page's glyphs
    are always packed (:class:`PageText` packs them)."""
    out: list[_Cell] = []
    text, glyphs = page.text, page.glyphs
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        inked = glyphs.inked_across(text, start, end)
        start = end + 1
        if not inked:
            continue
        first = 0
        for k in range(1, len(inked)):
            if inked[k][1] - inked[k - 1][3] >= CELL_GAP * max(inked[k][5], 1.0):
                out.append(_cell(inked[first:k]))
                first = k
        out.append(_cell(inked[first:]))
    return out


def _cell(inked: list[tuple]) -> _Cell:
    """A cell of ``(index, x0, y0, x1, y1, size)`` glyphs."""
    return _Cell(inked[0][0], inked[-1][0] + 1, min(g[1] for g in inked), max(g[3] for g in inked),
                 sum((g[2] + g[4]) / 2 for g in inked) / len(inked), max(g[5] for g in inked))


def _rows(cells: list[_Cell]) -> list[list[_Cell]]:
    """Cells side by side (middles within half a line of each other), top
    to bottom, each row left to right."""
    rows: list[list[_Cell]] = []
    for c in sorted(cells, key=lambda c: c.y):
        if rows and abs(c.y - rows[-1][0].y) <= 0.5 * max(c.size, rows[-1][0].size):
            rows[-1].append(c)
        else:
            rows.append([c])
    return [sorted(r, key=lambda c: c.x0) for r in rows]


def _table(rows: list[list[_Cell]], k: int, page: PageText):
    """If row ``k`` heads a table: each column's label, how many rows the
    header takes, how many the body, and the body's rows, each its cells'
    lines by column (a cell wrapped over lines set close is one cell);
    else no rows."""
    header = rows[k]
    if len(header) < 2 or any(not _label(c.text(page)) for c in header) or _overlap(header):
        return [], 1, 0, []
    bounds = _bounds(header)
    if k and _fits(rows[k - 1], header, bounds):
        return [], 1, 0, []  # a row of the table above it: a header is a table's first row
    labels = [c.text(page) for c in header]
    used, last = 1, header
    for row in rows[k + 1:]:  # a header of two lines or more: its next lines set close under it, only
        cols = [_column(c, bounds) for c in row]  # some of its columns wrapped (a full row is the first record)
        if (row[0].y - last[0].y > HEADER_LINE_GAP * max(c.size for c in row + last) or None in cols
                or len(row) >= len(header)
                or len(set(cols)) < len(cols) or any(not _label(c.text(page), more=True) for c in row)):
            break
        for col, c in zip(cols, row):
            labels[col] += " " + c.text(page)
        used, last = used + 1, row
    records: list[dict[int, list[_Cell]]] = []  # each body row: its cells' lines by column
    taken = 0
    for row in rows[k + used:]:
        size = max(c.size for c in row + last)
        gap = row[0].y - last[0].y
        if gap > ROW_GAP * size:
            break
        cols = [_column(c, bounds) for c in row]
        if None in cols or len(set(cols)) < len(cols):
            break
        # set close under a row, and nothing in the column the row starts in: the next lines of its cells
        if not (records and gap <= WRAP_GAP * size and min(records[-1]) not in cols):
            if len(row) < 2:
                break  # one cell, not set close: the text after the table
            if min(len(c.text(page).split()) for c in row) > PROSE_WORDS:
                break  # every cell a line of prose: columns of text side by side, not a table
            records.append({})
        for col, c in zip(cols, row):
            records[-1].setdefault(col, []).append(c)
        taken += 1
        last = row
    return labels, used, taken, records


def _fits(row: list[_Cell], below: list[_Cell], bounds: list[float]) -> bool:
    """Whether ``row``, right above ``below``, is a row of the same table:
    two cells or more, each in a column of its own."""
    if len(row) < 2 or below[0].y - row[0].y > ROW_GAP * max(c.size for c in row + below):
        return False
    cols = [_column(c, bounds) for c in row]
    return None not in cols and len(set(cols)) == len(cols)


def _label(text: str, more: bool = False) -> bool:
    """A header cell: a few words, starting as a label does (not in lower
    case: the last words of a sentence in a column of prose; ``more``: the
    next line of a label may), not ending a sentence ("Shoulder no." and
    "Tel." do end so)."""
    words = text.split()
    if not 0 < len(words) <= HEADER_WORDS or len(text) > HEADER_CHARS or not any(ch.isalpha() for ch in text):
        return False
    if (text[0].islower() and not more) or (text[-1] in ".,;" and len(words[-1]) > 4):
        return False
    return True


def _overlap(row: list[_Cell]) -> bool:
    return any(a.x1 > b.x0 for a, b in zip(row, row[1:]))


def _bounds(header: list[_Cell]) -> list[float]:
    """Where each column starts: halfway between one header cell's end and
    the next one's start (the first column starts anywhere)."""
    return [float("-inf")] + [(a.x1 + b.x0) / 2 for a, b in zip(header, header[1:])]


def _column(cell: _Cell, bounds: list[float]) -> int | None:
    """The column a cell starts in; None if it runs into the next one."""
    col = max(j for j, b in enumerate(bounds) if cell.x0 >= b)
    if col + 1 < len(bounds) and cell.x1 - bounds[col + 1] > 0.5 * (cell.x1 - cell.x0):
        return None
    return col
