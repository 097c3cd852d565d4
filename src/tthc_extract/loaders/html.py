"""Whole HTML documents (saved web pages, Word/LibreOffice HTML exports) -> the document model.

Read as a browser lays the page out, so that a table comes out exactly as the Word loader gives
the same table:

* text flows: runs of white space (source line breaks included) are one space; a line break is
  only where a block ends (``<p>``, ``<div>``, ``<li>``, ...) or at ``<br>``; ``&nbsp;``, Word's
  ``<o:p>`` and comments (``<!--[if gte mso 9]>``) add nothing;
* ``rowspan``/``colspan`` place cells on a grid; a cell merged over several rows appears in each
  of them (``row_span`` on the first, ``merged_from_above`` on the others), a spanning section
  row is one cell of ``col_span`` n. Malformed spans are read as browsers read them: leading
  digits count, anything else is 1 ("abc" -> 1, "2px" -> 2), 0 rows means "to the end";
* a page's chrome (menus, breadcrumbs, related-document lists, footers: grammars/html.toml) is
  left out, and so is whatever the page prints before the document's header block;
* MHTML (``.mhtml``/``.mht`` "Save as single file") is unpacked to its HTML part first.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import lxml.html
import regex as re

from tthc_extract import grammars
from tthc_extract.limits import LimitError, active
from tthc_extract.model.document import Cell, Document, Page, Paragraph, Prov, Table, TableRow
from tthc_extract.model.warnings import warn
from tthc_extract.text.normalize import clean_text

# Elements that end a line of text (a block box in a browser's layout).
_BLOCK = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td",
    "th", "table", "tbody", "thead", "tfoot", "caption", "blockquote", "center", "section",
    "article", "main", "pre", "address", "figure", "figcaption", "hr", "body", "html",
})
# Block elements that hold a paragraph of text (not only other blocks).
_PARA = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "address", "caption"})
# Browser limits for spans (HTML standard: colspan <= 1000, rowspan <= 65534).
_MAX_COLSPAN = 1000
_MAX_ROWSPAN = 65534
# A table holding a nested table of at least this many rows lays a page out: its cells are read
# as parts of the page, not as cells.
_LAYOUT_NESTED_ROWS = 3
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_SPACE = re.compile(r"[ \t\r\n\f]+")
_DIGITS = re.compile(r"^\s*\+?(\d+)")


@dataclass(frozen=True)
class _Chrome:
    tags: frozenset[str]
    words: frozenset[str]
    joined: tuple[str, ...]
    motto: re.Pattern[str]
    max_issuer_line: int


@grammars.cache
def _chrome() -> _Chrome:
    """Return the compiled chrome grammar (grammars/html.toml)."""
    g = grammars.load("html")
    return _Chrome(
        tags=frozenset(g["chrome"]["tags"]),
        words=frozenset(g["chrome"]["words"]),
        joined=tuple(g["chrome"]["joined"]),
        motto=re.compile(g["start"]["motto"]),
        max_issuer_line=int(g["start"]["max_issuer_line"]),
    )


def _tag(el: Any) -> str:
    """Return an element's local tag name in lower case ("" for comments and instructions)."""
    if not isinstance(el.tag, str):
        return ""
    return el.tag.rsplit("}", 1)[-1].lower()


def is_chrome_attr(value: str) -> bool:
    """Return True when a class or id value names site furniture (grammars/html.toml [chrome])."""
    ch = _chrome()
    low = value.lower()
    if any(w in ch.words for w in re.split(r"[\s_-]+", low) if w):
        return True
    flat = re.sub(r"[\s_-]+", "", low)
    return any(j in flat for j in ch.joined)


def _is_chrome(el: Any) -> bool:
    """Return True for an element of the page's chrome (left out with everything inside it)."""
    t = _tag(el)
    if not t:
        return True  # comments, processing instructions
    if t in _chrome().tags:
        return True
    return any(is_chrome_attr(el.get(a) or "") for a in ("class", "id"))


def span_value(value: str | None, *, rows: bool) -> int:
    """Return a ``colspan``/``rowspan`` as a browser reads it (HTML standard's integer rules).

    Leading digits count ("2px" -> 2); no digits, or a value out of range, gives 1; a rowspan of
    0 means "to the end of the table", returned as 0.
    """
    m = _DIGITS.match(value or "")
    if not m:
        return 1
    n = int(m.group(1))
    if rows:
        return min(n, _MAX_ROWSPAN)
    return min(n, _MAX_COLSPAN) if n >= 1 else 1


def flow_text(el: Any) -> str:
    """Return the text of an element as a browser lays it out: blocks and ``<br>`` on lines."""
    parts: list[str] = []
    _flow(el, parts, top=True)
    return clean_text("".join(parts))


def _flow(el: Any, parts: list[str], top: bool = False) -> None:
    t = _tag(el)
    if not top and (not t or (t in _chrome().tags)):
        return
    block = t in _BLOCK
    if block:
        parts.append("\n")
    if t == "li":
        parts.append("- ")
    if t == "br":
        parts.append("\n")
    elif el.text:
        parts.append(_SPACE.sub(" ", el.text) if t != "pre" else el.text)
    for child in el:
        _flow(child, parts)
        if child.tail:
            parts.append(_SPACE.sub(" ", child.tail))
    if block:
        parts.append("\n")


@dataclass
class _Placed:
    r0: int
    c0: int
    rows: int
    cols: int
    text: str
    header: bool


def _rows_of(table: Any) -> list[Any]:
    """Return a table's own ``<tr>`` elements in document order (not those of nested tables)."""
    out = []
    for child in table:
        t = _tag(child)
        if t == "tr":
            out.append(child)
        elif t in ("thead", "tbody", "tfoot"):
            out.extend(c for c in child if _tag(c) == "tr")
    return out


def _cells_of(tr: Any) -> list[Any]:
    return [c for c in tr if _tag(c) in ("td", "th")]


def _table(el: Any, index: int, source: str = "") -> Table:
    """Return a Table for an HTML ``<table>``: cells placed on the grid their spans make."""
    trs = _rows_of(el)
    n_rows = len(trs)
    # A cell spans at most as many columns as the widest row has cells: a hostile colspan
    # (999999999, or the browser's 1000 in every cell) cannot blow the grid up past the table.
    widest = max((len(_cells_of(tr)) for tr in trs), default=1)
    limit = active().max_table_cells
    grid = 0  # grid positions the spans cover so far (what the placement costs)
    taken: set[tuple[int, int]] = set()
    placed: list[_Placed] = []
    header_rows: set[int] = set()
    for r, tr in enumerate(trs):
        parent = tr.getparent()
        if parent is not None and _tag(parent) == "thead":
            header_rows.add(r)
        col = 0
        for td in _cells_of(tr):
            while (r, col) in taken:
                col += 1
            cs = min(span_value(td.get("colspan"), rows=False), widest)
            rs = span_value(td.get("rowspan"), rows=True)
            rs = n_rows - r if rs == 0 else max(1, min(rs, n_rows - r))
            grid += rs * cs
            if grid > limit:
                raise LimitError(source, f"table {index + 1}: its cells and spans cover more than "
                                         f"the limit of {limit} grid cells per table (max_table_cells)")
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, col + dc))
            placed.append(_Placed(r, col, rs, cs, flow_text(td), _tag(td) == "th"))
            col += cs
    by_row: list[list[Cell]] = [[] for _ in range(n_rows)]
    th_rows: dict[int, list[bool]] = {}
    for p in placed:
        for dr in range(p.rows):
            first = dr == 0
            by_row[p.r0 + dr].append(Cell(
                text=p.text, col=p.c0, col_span=p.cols, row_span=p.rows if first else 1,
                merged_from_above=not first, prov=Prov(line=p.r0 + dr + 1),
            ))
        th_rows.setdefault(p.r0, []).append(p.header)
    rows: list[TableRow] = []
    for r, cells in enumerate(by_row):
        cells.sort(key=lambda c: c.col)
        is_header = r in header_rows or (bool(th_rows.get(r)) and all(th_rows[r]))
        rows.append(TableRow(cells=cells, is_header=is_header, prov=Prov(line=r + 1)))
    n_cols = max((c.col + c.col_span for row in rows for c in row.cells), default=0)
    return Table(index=index, rows=rows, n_cols=n_cols, method="html")


def _lays_out_page(table: Any) -> bool:
    """Return True for a table that holds a real table inside a cell (a page-layout table)."""
    for nested in table.iterdescendants():
        if _tag(nested) == "table" and len(_rows_of(nested)) >= _LAYOUT_NESTED_ROWS:
            return True
    return False


@dataclass
class _Walker:
    """Walks the page body in order, emitting paragraphs and tables."""

    source: str = ""
    blocks: list[Paragraph | Table] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    inline_line: int | None = None

    def flush(self) -> None:
        text = clean_text("".join(self.inline))
        self.inline = []
        if text:
            self.blocks.append(Paragraph(text=text, prov=Prov(line=self.inline_line)))
        self.inline_line = None

    def add_inline(self, text: str, line: int | None) -> None:
        if text and self.inline_line is None and text.strip():
            self.inline_line = line
        self.inline.append(text)

    def walk(self, el: Any) -> None:
        """Emit the content of container ``el`` (its text, children and their tails)."""
        if el.text:
            self.add_inline(_SPACE.sub(" ", el.text), el.sourceline)
        for child in el:
            self.child(child)
            if child.tail:
                self.add_inline(_SPACE.sub(" ", child.tail), child.sourceline)

    def child(self, el: Any) -> None:
        if _is_chrome(el):
            return
        t = _tag(el)
        if t == "table":
            self.flush()
            if _lays_out_page(el):
                for tr in _rows_of(el):
                    for td in _cells_of(tr):
                        self.walk(td)
                        self.flush()
                return
            index = sum(isinstance(b, Table) for b in self.blocks)
            self.blocks.append(_table(el, index, self.source))
            return
        if t == "br":
            self.add_inline("\n", el.sourceline)
            return
        has_blocks = any(_tag(d) in _BLOCK for d in el.iterdescendants())
        if t in _PARA and not any(_tag(d) == "table" for d in el.iterdescendants()):
            self.flush()
            text = flow_text(el)
            if text:
                self.blocks.append(Paragraph(text=text, prov=Prov(line=el.sourceline)))
            return
        if t in _BLOCK or has_blocks:
            self.flush()
            self.walk(el)
            self.flush()
            return
        # An inline element (span, b, a, font, o:p ...): its text goes on the current line.
        self.add_inline(_inline_text(el), el.sourceline)


def _inline_text(el: Any) -> str:
    parts: list[str] = []
    _flow(el, parts, top=True)
    return "".join(parts)


def _block_text(b: Paragraph | Table) -> str:
    if isinstance(b, Paragraph):
        return b.text
    return "\n".join(c.text for r in b.rows for c in r.cells)


def _drop_before_document(blocks: list[Paragraph | Table]) -> tuple[list[Paragraph | Table], int]:
    """Return the blocks from the document's header block on, and how many were dropped.

    A saved page prints its own title, summary table and lists first; the document opens with
    the national motto, maybe after the issuer's short lines ("ỦY BAN NHÂN DÂN", "Số: ...").
    """
    ch = _chrome()
    start = next((i for i, b in enumerate(blocks) if ch.motto.search(_block_text(b))), None)
    if not start:
        return blocks, 0
    while start > 0:
        prev = blocks[start - 1]
        if not isinstance(prev, Paragraph):
            break
        lines = [ln.strip() for ln in prev.text.split("\n") if ln.strip()]
        if not all(len(ln) <= ch.max_issuer_line and (ln.isupper() or ln.startswith("Số") or not re.search(r"\p{L}", ln))
                   for ln in lines):
            break
        start -= 1
    kept = blocks[start:]
    tables = 0
    for b in kept:
        if isinstance(b, Table):
            b.index = tables
            tables += 1
    return kept, start


def mhtml_html(data: bytes) -> str | None:
    """Return the HTML part of an MHTML file ("Save as single file"), or None when it is not one."""
    head = data[:4096].lower()
    if b"mime-version:" not in head or b"multipart/" not in head:
        return None
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/html" and isinstance(part, EmailMessage):
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            charset = part.get_content_charset() or _meta_charset(payload) or "utf-8"
            try:
                return payload.decode(charset, errors="replace")
            except LookupError:
                return payload.decode("utf-8", errors="replace")
    return None


def _meta_charset(payload: bytes) -> str | None:
    m = re.search(rb"(?i)<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", payload[:4096])
    return m.group(1).decode("ascii") if m else None


def parse_html(text: str, source: str) -> Document:
    """Return the Document of an HTML page: paragraphs and tables in document order."""
    text = _XML_DECL.sub("", text, count=1)
    root = lxml.html.document_fromstring(text) if text.strip() else lxml.html.fromstring("<p></p>")
    body = next((e for e in root.iter() if _tag(e) == "body"), root)
    w = _Walker(source)
    w.walk(body)
    w.flush()
    blocks, dropped = _drop_before_document(w.blocks)
    warnings = [warn("html_preamble_dropped", f"saved page: {dropped} block(s) before the document's header block "
                     "left out")] if dropped else []
    return Document(source=source, format="html", pages=[Page(number=1)], blocks=blocks, warnings=warnings)


