"""Pages redactor makes itself, with MuPDF's HTML layout (``pymupdf.Story``):
plain text, e-mail header blocks and bodies, and the pages that list a
document's hidden content.

MuPDF's layout engine has no network access: an HTML body that points at
remote images or style sheets is laid out without them. Scripts, styles,
frames and forms are removed before layout, and images other than inline
``data:`` ones are dropped.
"""

from __future__ import annotations

import html
import io
import re

import pymupdf

A4 = pymupdf.paper_rect("a4")
MARGIN = 56
#: Monospace: MuPDF's proportional fonts make ligatures ("Griffin" would be
#: extracted as "Gri\ufb03n" and escape detection); its monospace font has none.
CSS = ("*{font-family:monospace}body{font-size:9.5pt;line-height:1.3}"
       "h1{font-size:14pt;margin:0 0 6pt 0}h2{font-size:11pt;margin:10pt 0 4pt 0}"
       "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2pt 4pt;vertical-align:top;text-align:left}"
       "pre{font-family:monospace;font-size:9pt;white-space:pre-wrap}.note{color:#444;font-size:9pt}")

_DROP_BLOCKS = re.compile(r"<(script|style|iframe|frame|frameset|embed|template|math|head)\b.*?</\1\s*>",
                          re.I | re.S)
#: what a mail client shows of these is their content (no script runs there: a <noscript> block is shown;
#: a form's labels and texts are text; an object that is not run shows its fallback): the tags go, the
#: content stays
_UNWRAP = re.compile(r"</?(?:noscript|form|object)\b[^>]*>", re.I)
_DROP_TAGS = re.compile(r"<(?:script|style|iframe|frame|object|embed|link|meta|base|input|button|select|textarea|param)"
                        r"\b[^>]*>", re.I)
#: a drawing in the body: what it says is its text (its <text> elements)
_SVG = re.compile(r"<svg\b.*?</svg\s*>", re.I | re.S)
_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text\s*>", re.I | re.S)
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_DATA_SRC = re.compile(r"""\ssrc\s*=\s*["']?data:""", re.I)
_ALT = re.compile(r"""[\s/]alt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
#: (the "/" too: "<p/style=...>" is read as an attribute by browsers and MuPDF; "hidden" hides what a
#: mail client, whose own styles it is, shows: hidden text is shown, as in Office files)
_ATTR_URL = re.compile(r"""[\s/](?:(?:background|style|face|class|on\w+)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)"""
                       r"""|hidden\b(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)""", re.I)


def clean_html(markup: str) -> str:
    """An HTML body with nothing that could fetch or run anything."""
    markup = _DROP_BLOCKS.sub("", markup)
    markup = _SVG.sub(_svg_text, markup)
    markup = _UNWRAP.sub("", markup)
    markup = _DROP_TAGS.sub("", markup)
    markup = _IMG.sub(_img, markup)
    return _TAG.sub(lambda m: _ATTR_URL.sub("", m.group()), markup)  # (in tags only: "the hidden camera" stays)


def _svg_text(m: re.Match) -> str:
    """A drawing's words (it was dropped whole, and its words with it)."""
    words = " ".join(" ".join(re.sub(r"<[^>]*>", " ", t).split()) for t in _SVG_TEXT.findall(m.group()))
    return f"[drawing: {words}]" if words else "[drawing]"


def _img(m: re.Match) -> str:
    """A picture in the body: one in the message stays; one to fetch is not
    shown, and what a mail client shows instead is its alt text."""
    if _DATA_SRC.search(m.group()):
        return m.group()
    alt = _ALT.search(m.group())
    text = next((g for g in alt.groups() if g), "") if alt else ""
    return f"[image not shown: {text}]" if text.strip() else "[image not shown]"


#: the widest page a body is laid out on (points: about four A4 pages side by side)
MAX_WIDTH = 2400


def html_to_pdf(body: str, page: pymupdf.Rect = A4) -> bytes:
    """Lay out ``body`` (HTML) on as many pages as it needs; return the PDF.
    Pages are as wide as the body's widest part needs (up to MAX_WIDTH):
    MuPDF's layout cuts what goes past the edge, and a wide table's last
    columns were lost with no word (helper 33)."""
    # the narrowest the body can be laid out (its widest table, its longest word): placed in a rect
    # 1 pt wide, it fills that much
    _, filled = pymupdf.Story(html=body, user_css=CSS).place(pymupdf.Rect(0, 0, 1, 1e7))
    need = min(MAX_WIDTH, filled[2] + 2 * MARGIN + 1)
    if need > page.width:
        page = pymupdf.Rect(0, 0, need, page.height)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    story = pymupdf.Story(html=body, user_css=CSS)
    where = page + (MARGIN, MARGIN, -MARGIN, -MARGIN)
    more = True
    pages = 0
    while more:
        dev = writer.begin_page(page)
        more, _ = story.place(where)
        story.draw(dev)
        writer.end_page()
        pages += 1
        if pages > 5000:  # pragma: no cover - a layout that never ends
            break
    writer.close()
    return buf.getvalue()


def text_to_html(text: str) -> str:
    return f"<pre>{html.escape(breakable(text))}</pre>"


#: a run of this many characters with no space is given places to break, at most CHUNK apart (a line
#: of the layout holds about 88)
LONG_TOKEN, CHUNK = 60, 70
_LONG = re.compile(r"\S{%d,}" % LONG_TOKEN)
_BREAK_AFTER = re.compile(r"(?<=[/?&=;,|])|(?<=%7C)|(?<=%2F)", re.IGNORECASE)


def breakable(text: str) -> str:
    """``text`` with a zero-width space where a long run of characters
    without a space may break: after a link's separators, and at least
    every :data:`CHUNK` characters. MuPDF's layout does not break such a run, and cut
    what went past the page's edge: the tail of a long link (SafeLinks'
    held the recipient's address) was lost with no word (helper 33). An
    e-mail address is never that long: none is split by this."""
    def split(m: re.Match) -> str:
        pieces = []
        for part in _BREAK_AFTER.split(m.group()):
            pieces += [part[i:i + CHUNK] for i in range(0, len(part), CHUNK)] or [part]
        return "\u200b".join(p for p in pieces if p)

    return _LONG.sub(split, text)


def hidden_content_html(display: str, items: list, policy: str) -> str:
    """The added pages: every comment, tracked change, speaker note,
    hidden text and document property, as text a reviewer reads and the
    detector searches."""
    from redactor.ingest.convert.office_hidden import KINDS

    e = html.escape
    shown = [i for i in items if i.kind in ADDED_PAGE_KINDS]
    out = [f"<h1>Hidden content of {e(display)}</h1>",
           f"<p class=note>Added by redactor (--hidden-content {e(policy)}): content the document holds that a "
           "reader of its pages would not see. It is part of the document and was reviewed with it.</p>"]
    for kind in ADDED_PAGE_KINDS:
        group = [i for i in shown if i.kind == kind]
        if not group:
            continue
        out.append(f"<h2>{e(KINDS[kind].capitalize())} ({len(group)})</h2><table>")
        for i in group:
            who = f"{e(i.author)}: " if i.author else ""
            out.append(f"<tr><td>{e(i.where)}</td><td>{who}{e(i.text)}</td></tr>")
        out.append("</table>")
    return "".join(out)


#: What the added pages list (the rest is shown in place, or not text).
ADDED_PAGE_KINDS = ("comment", "tracked_deletion", "tracked_insertion", "hidden_text", "speaker_notes",
                    "document_property", "external_link", "hidden_shape", "off_slide_shape", "hidden_cells",
                    "dropdown_list", "named_value", "header_footer")
