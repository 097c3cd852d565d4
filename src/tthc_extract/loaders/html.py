"""Whole HTML documents (saved web pages of a decision) -> the intermediate document model."""

from __future__ import annotations

import lxml.html

from tthc_extract.model.document import Cell, Document, Page, Paragraph, Prov, Table, TableRow
from tthc_extract.text.normalize import clean_text

_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br"}


def _cell_text(el: lxml.html.HtmlElement) -> str:
    """Return an element's text with paragraph/list boundaries kept as line breaks."""
    parts: list[str] = []
    for node in el.iter():
        if node.tag in _BLOCK_TAGS:
            parts.append("\n")
        if node.tag == "li":
            parts.append("- ")
        if node.text and node.tag not in ("script", "style"):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return clean_text("".join(parts))


def _table(el: lxml.html.HtmlElement, index: int) -> Table:
    """Return a Table for an HTML <table>, resolving rowspan/colspan to the model's conventions."""
    rows: list[TableRow] = []
    pending: dict[int, tuple[str, int]] = {}  # col -> (text, rows still covered)
    for r_i, tr in enumerate(el.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
        cells: list[Cell] = []
        col = 0
        for td in tr.xpath("./td|./th"):
            while col in pending:
                text, left = pending[col]
                cells.append(Cell(text=text, col=col, merged_from_above=True, prov=Prov(line=r_i + 1)))
                if left > 1:
                    pending[col] = (text, left - 1)
                else:
                    del pending[col]
                col += 1
            span = int(td.get("colspan", "1") or 1)
            rspan = int(td.get("rowspan", "1") or 1)
            text = _cell_text(td)
            cells.append(Cell(text=text, col=col, col_span=span, row_span=rspan, prov=Prov(line=r_i + 1)))
            if rspan > 1:
                pending[col] = (text, rspan - 1)
            col += span
        for c in sorted(k for k in pending if k >= col):
            text, left = pending[c]
            cells.append(Cell(text=text, col=c, merged_from_above=True, prov=Prov(line=r_i + 1)))
            if left > 1:
                pending[c] = (text, left - 1)
            else:
                pending.pop(c)
        is_header = bool(tr.xpath("./th")) or tr.getparent().tag == "thead"
        rows.append(TableRow(cells=cells, is_header=is_header, prov=Prov(line=r_i + 1)))
    n_cols = max((max((c.col + c.col_span for c in r.cells), default=0) for r in rows), default=0)
    return Table(index=index, rows=rows, n_cols=n_cols, method="html")


def parse_html(text: str, source: str) -> Document:
    """Return the Document of an HTML page: paragraphs and tables in document order."""
    root = lxml.html.fromstring(text)
    blocks: list[Paragraph | Table] = []
    seen_tables: set[int] = set()
    for el in root.iter():
        if el.tag == "table":
            if any(id(a) in seen_tables for a in el.iterancestors("table")):
                continue
            seen_tables.add(id(el))
            blocks.append(_table(el, sum(isinstance(b, Table) for b in blocks)))
        elif el.tag in ("p", "h1", "h2", "h3", "h4", "div") and not list(el.iterancestors("table")):
            if el.tag == "div" and el.xpath("./p|./div|./table"):
                continue
            t = _cell_text(el)
            if t:
                blocks.append(Paragraph(text=t))
    return Document(source=source, format="html", pages=[Page(number=1)], blocks=blocks)
