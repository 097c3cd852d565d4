"""Text and HTML-fragment exports (.txt, .md, .html) -> the intermediate document model.

Exports of plan decisions come in several table styles, all handled here:

* tab-separated rows, one row per line, cells possibly holding HTML fragments (``<p>``, ``<ul>``,
  ``<li>``, ``<i>``) and markdown emphasis;
* one cell per line: each cell a tab-indented line, a blank line between rows, a merged section
  row repeated once per column;
* ``|``-separated rows (markdown style, with or without outer pipes; ``|---|`` rules skipped);
  inside such a table a one-cell line ("| I. TITLE |", a section row) spans the table. A row
  with fewer cells than the header lost the cells merged with the row above (portal exports);
  the segmenter decides which columns those were (segment/realign.py).

A run of table lines without a blank line is one table piece. Exports lose page boundaries, so a
new piece (a header row repeated after a gap) is taken to start a new page; so is the header row
repeated inside a run (one-cell-per-line rows are separated by blank lines anyway, and a printed
page's header may follow its last row directly). Lines that are only a page number or a stray OCR
mark ("2", "w/", "✓") are dropped.
"""

from __future__ import annotations

from pathlib import Path

import regex as re

from tthc_extract.errors import ExtractError
from tthc_extract.limits import LimitError, active
from tthc_extract.model.document import Cell, Document, Page, Paragraph, Prov, Table, TableRow
from tthc_extract.text.normalize import clean_text

_STRAY = re.compile(r"^\W{0,2}[\p{L}\d]{0,2}\W{0,2}$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HTML_DOC = re.compile(r"(?is)<\s*(html|body|table|tr)\b")


def read_limited(path: Path) -> bytes:
    """Return the bytes of a text file, read line by line up to the text-line limit.

    Streaming stops at the limit (a 200 MB text file is not read whole to learn it is too long);
    going past it is a LimitError naming the file and the limit.
    """
    limit = active().max_text_lines
    chunks: list[bytes] = []
    with path.open("rb") as fh:
        for n, line in enumerate(fh, start=1):
            if n > limit:
                raise LimitError(str(path), f"more than {limit} lines, over the text-file limit (max_text_lines)")
            chunks.append(line)
    return b"".join(chunks)


def read_text_file(path: Path, data: bytes | None = None) -> str:
    """Return the file's text, trying UTF-8 (with BOM), then UTF-16, then cp1258."""
    data = read_limited(path) if data is None else data
    if not data.strip():
        raise ExtractError(str(path), "empty file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError(str(path), "binary file, not a text export (unsupported format)")
    for enc in ("utf-8-sig", "utf-16", "cp1258"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ExtractError(str(path), "cannot decode text (not UTF-8, UTF-16 or Windows-1258)")


def _is_stray(line: str) -> bool:
    """Return True for a lone page number or OCR mark ("2", "43", "w/", "u", "✓")."""
    s = line.strip()
    return bool(s) and len(s) <= 4 and bool(_STRAY.match(s))


def _split_row(line: str) -> list[str] | None:
    """Return the cells of a tab- or pipe-separated table line, or None for a plain line."""
    raw = line.rstrip("\r\n")
    if "\t" in raw.strip(" ") or (raw.count("\t") >= 1 and not raw.startswith("\t")):
        return raw.split("\t")
    if raw.count("|") >= 2 and not _PIPE_RULE.match(raw):
        s = raw.strip()
        if s.startswith("|"):
            s = s[1:]
        if s.endswith("|"):
            s = s[:-1]
        return s.split("|")
    return None


def _is_spanning_line(line: str, cells: list[str], b: _Builder) -> bool:
    """Return True for a one-cell pipe line inside a running pipe table: "| I. TITLE |".

    Portals export a row whose single cell spans the table (a section title) as one cell between
    two pipes; outside a table such a line stays a paragraph.
    """
    s = line.strip()
    return (
        len(cells) == 1 and bool(cells[0].strip()) and b.method == "pipe" and bool(b.rows)
        and s.startswith("|") and s.endswith("|")
    )


def _is_cell_line(line: str) -> bool:
    """Return True for a one-cell-per-line table line: tab-indented, no other tab."""
    return line.startswith("\t") and "\t" not in line[1:]


def _make_row(texts: list[str], page: int, line_no: int) -> TableRow:
    """Return a TableRow of cleaned cells; a row of one repeated value becomes one spanning cell."""
    cleaned = [clean_text(t) for t in texts]
    prov = Prov(page=page, line=line_no)
    non_empty = [t for t in cleaned if t]
    if len(cleaned) > 1 and len(non_empty) == len(cleaned) and len(set(cleaned)) == 1:
        # A merged (section) row exported once per column.
        return TableRow(cells=[Cell(text=cleaned[0], col=0, col_span=len(cleaned), prov=prov)], prov=prov)
    return TableRow(cells=[Cell(text=t, col=i, prov=prov) for i, t in enumerate(cleaned)], prov=prov)


def _row_texts(row: TableRow) -> list[str]:
    """Return a row's cell texts, trailing empty cells dropped (for comparing header repeats)."""
    texts = [c.text.strip() for c in row.cells]
    while texts and not texts[-1]:
        texts.pop()
    return texts


class _Builder:
    """Accumulates blocks while scanning lines; tracks the (guessed) page number."""

    def __init__(self) -> None:
        self.blocks: list[Paragraph | Table] = []
        self.page = 1
        self.para: list[str] = []
        self.para_line = 0
        self.rows: list[TableRow] = []
        self.method = ""

    def add_row(self, row: TableRow) -> None:
        """Add a table row; the piece's first (header) row seen again starts a new piece (page)."""
        if len(self.rows) > 1 and _row_texts(row) == _row_texts(self.rows[0]) and any(_row_texts(row)):
            self.flush_table()
        self.rows.append(row)

    def flush_para(self) -> None:
        lines = [ln for ln in self.para if ln.strip()]
        self.para = []
        if not lines:
            return
        if len(lines) == 1 and _is_stray(lines[0]):
            return
        text = clean_text("\n".join(lines))
        if text:
            self.blocks.append(Paragraph(text=text, prov=Prov(page=self.page, line=self.para_line)))

    def flush_table(self) -> None:
        if not self.rows:
            return
        n_cols = max(sum(c.col_span for c in r.cells) for r in self.rows)
        if self.method == "pipe":
            for r in self.rows:
                if len(r.cells) == 1 and r.cells[0].text:
                    r.cells[0].col_span = n_cols  # "| I. TITLE |": one cell across the table
        # A table seen after an earlier table piece is taken to start a new page of the print.
        if any(isinstance(b, Table) for b in self.blocks):
            self.page += 1
            for r in self.rows:
                if r.prov:
                    r.prov.page = self.page
                for c in r.cells:
                    if c.prov:
                        c.prov.page = self.page
        index = sum(1 for b in self.blocks if isinstance(b, Table))
        self.blocks.append(
            Table(index=index, rows=self.rows, n_cols=n_cols, page=self.page, method=self.method)
        )
        self.rows = []


def parse_text(text: str, source: str) -> Document:
    """Return the Document for the text of an export (see the module docstring for the styles)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    b = _Builder()
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if _is_cell_line(line):
            # One cell per line: gather blocks of tab-indented lines separated by blank lines.
            b.flush_para()
            block: list[str] = []
            start = i
            while i < n and (_is_cell_line(lines[i]) or not lines[i].strip()):
                if _is_cell_line(lines[i]):
                    if not block:
                        start = i
                    block.append(lines[i][1:])
                elif block:
                    _add_cells_row(b, block, start)
                    block = []
                i += 1
            if block:
                _add_cells_row(b, block, start)
            b.flush_table()
            continue
        if b.rows and _PIPE_RULE.match(line) and line.strip():
            i += 1  # the |---|---| rule under a pipe table's header
            continue
        cells = _split_row(line)
        if cells is not None and (len(cells) >= 2 or _is_spanning_line(line, cells, b)):
            b.flush_para()
            b.method = "pipe" if "\t" not in line else "tsv"
            b.add_row(_make_row(cells, b.page, i + 1))
            i += 1
            continue
        if b.rows:
            b.flush_table()
        if not line.strip():
            b.flush_para()
        else:
            if not b.para:
                b.para_line = i + 1
            b.para.append(line)
        i += 1
    b.flush_para()
    b.flush_table()
    _pad_cells_tables(b.blocks)
    pages = [Page(number=p) for p in range(1, b.page + 1)]
    return Document(source=source, format="text", pages=pages, blocks=b.blocks)


def _add_cells_row(b: _Builder, block: list[str], start: int) -> None:
    """Add one row of a one-cell-per-line table, skipping rows whose cells are all blank."""
    if any(c.strip() for c in block):
        b.method = "cells"
        b.add_row(_make_row(block, b.page, start + 1))


def _pad_cells_tables(blocks: list[Paragraph | Table]) -> None:
    """Give every row of a one-cell-per-line table the table's width (short blocks are rare)."""
    for blk in blocks:
        if isinstance(blk, Table) and blk.method == "cells":
            # (a pipe or tab row keeps its printed width: a short one lost its merged cells)
            for r in blk.rows:
                width = sum(c.col_span for c in r.cells)
                for k in range(width, blk.n_cols):
                    r.cells.append(Cell(text="", col=k, prov=r.prov))


def load_text(path: Path) -> Document:
    """Return the Document of a text/markdown/HTML export file."""
    from tthc_extract.loaders.html import mhtml_html, parse_html

    data = read_limited(path)
    page = mhtml_html(data)
    if page is not None:
        return parse_html(page, str(path))
    text = read_text_file(path, data)
    if _HTML_DOC.search(text[:20000]) and "<td" in text.lower():
        return parse_html(text, str(path))
    return parse_text(text, str(path))
