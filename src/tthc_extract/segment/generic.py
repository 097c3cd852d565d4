"""Non-task tables (statistics appendices) kept as title, header and data rows.

Given the table pieces that are not task tables, return one :class:`GenericTable` per logical
table: layout tables (issuer | motto, "Nơi nhận" | signature) left out, pieces of one table over
several pages stitched (same column count, only page furniture between them, a repeated header
dropped), the header read over its rows with multi-level names joined by " / " ("Số TTHC / Cấp
tỉnh"), the column-number row ("1 2 3 ...") dropped, data rows kept (the total row too) and the
numeric columns recorded. :func:`numeric_frame` types those columns as numbers. Patterns live in
grammars/generic.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex as re

from tthc_extract import grammars
from tthc_extract.model.document import Document, Paragraph, Table, TableRow
from tthc_extract.model.plan import GenericTable, RowProvenance
from tthc_extract.segment.header import is_column_number_texts
from tthc_extract.text.normalize import one_line

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# A header is at most this many rows deep.
_MAX_HEADER_ROWS = 3


@dataclass(frozen=True)
class _Grammar:
    """The compiled patterns of grammars/generic.toml."""

    min_cols: int
    layout_cols: int
    layout_rows: int
    layout_words: Any
    vietnamese: Any
    decimal_point: Any
    placeholders: frozenset[str]
    codes: Any
    title_skip: Any
    appendix: Any
    title_chars: int
    furniture: Any
    max_gap: int


@grammars.cache
def grammar() -> _Grammar:
    """Return the compiled generic-table grammar (built once per process)."""
    g = grammars.load("generic")
    return _Grammar(
        min_cols=int(g["layout"]["min_cols"]),
        layout_cols=int(g["layout"]["max_cols"]),
        layout_rows=int(g["layout"]["max_rows"]),
        layout_words=re.compile(g["layout"]["words"]),
        vietnamese=re.compile(g["numbers"]["vietnamese"]),
        decimal_point=re.compile(g["numbers"]["decimal_point"]),
        placeholders=frozenset(g["numbers"]["placeholders"]),
        codes=re.compile(g["numbers"]["codes"]),
        title_skip=re.compile(g["title"]["skip"], re.IGNORECASE),
        appendix=re.compile(g["title"]["appendix"], re.IGNORECASE),
        title_chars=int(g["title"]["max_chars"]),
        furniture=re.compile(g["stitch"]["furniture"], re.IGNORECASE),
        max_gap=int(g["stitch"]["max_gap"]),
    )


# ---------------------------------------------------------------------------------------------
# Cells


def parse_number(text: str) -> float | None:
    """Given a cell, return its number ("1.234" -> 1234, "12,5" -> 12.5, "85%" -> 85), else None."""
    g = grammar()
    t = one_line(text).replace(" ", "")
    if g.codes.match(t):
        return None
    m = g.vietnamese.match(t)
    if m is not None:
        whole = m["int"].replace(".", "")
    else:
        m = g.decimal_point.match(t)
        if m is None:
            return None
        whole = m["int"]
    value = float(f"{whole}.{m['frac']}" if m["frac"] else whole)
    return -value if m["sign"] == "-" else value


def has_fraction(text: str) -> bool:
    """Return True when a number is printed with a decimal part ("99,0", "12.5"): a Float column."""
    g = grammar()
    t = one_line(text).replace(" ", "")
    m = g.vietnamese.match(t)
    return bool(m["frac"]) if m is not None else g.decimal_point.match(t) is not None


def is_placeholder(text: str) -> bool:
    """Return True for a cell meaning "none" in a numeric column ("-", "x", "…")."""
    return one_line(text) in grammar().placeholders


def row_texts(row: TableRow, n_cols: int) -> list[str]:
    """Return a row's cell texts per grid column, each on one line."""
    return [one_line(t) for t in row.texts(n_cols)]


# ---------------------------------------------------------------------------------------------
# Header


def is_layout(piece: Table) -> bool:
    """Return True for a page-layout table (issuer | motto, recipients | signature), not a table."""
    g = grammar()
    if piece.n_cols < g.min_cols:
        return True
    if piece.n_cols <= g.layout_cols and len(piece.rows) <= g.layout_rows:
        return True
    return any(g.layout_words.search(c.text) for r in piece.rows for c in r.cells)


def _has_number(texts: list[str]) -> bool:
    """Return True when any cell of a row is a number (headers hold none)."""
    return any(parse_number(t) is not None for t in texts if t)


def _continues_header(above: TableRow, row: TableRow, n_cols: int) -> bool:
    """Return True when ``row`` is a lower header row under ``above`` (a multi-level header)."""
    texts = row_texts(row, n_cols)
    if not any(texts) or _has_number(texts) or is_column_number_texts(texts):
        return False
    if row.is_header or any(c.merged_from_above for c in row.cells):
        return True
    if any(c.col_span > 1 and c.text.strip() for c in above.cells):
        return True
    top = row_texts(above, n_cols)
    # text-export style: the top row leaves blanks over a group's children, the lower row
    # leaves blanks under the cells that span both rows
    under_blank = any(t and not a for t, a in zip(texts, top, strict=True))
    blank_under = any(a and not t for t, a in zip(texts, top, strict=True))
    return under_blank and blank_under


def title_row(piece: Table) -> str | None:
    """Return the text of a title printed in the table's first row (one cell over the whole width).

    "BIỂU TỔNG HỢP KẾT QUẢ SỐ HÓA HỒ SƠ NĂM 2024" merged over all columns (a text export leaves
    the other cells blank) above the header: a title, not a header level.
    """
    if len(piece.rows) < 3 or piece.n_cols < 3:
        return None
    texts = row_texts(piece.rows[0], piece.n_cols)
    filled = [t for t in texts if t]
    if len(filled) != 1 or not texts[0] or parse_number(texts[0]) is not None:
        return None
    below = [t for t in row_texts(piece.rows[1], piece.n_cols) if t]
    return texts[0] if len(below) >= 2 else None


def header_depth(piece: Table, start: int = 0) -> int:
    """Return how many rows from row ``start`` of a piece form its header (0 when it starts with data).

    The rows above a column-number row ("1 2 3 ...", at most ``_MAX_HEADER_ROWS`` down) are the
    header; else the header goes on while a row reads as a lower level of the row above.
    """
    rows = piece.rows[start:]
    if not rows or _has_number(row_texts(rows[0], piece.n_cols)):
        return 0
    for k in range(1, min(_MAX_HEADER_ROWS, len(rows) - 1) + 1):
        texts = row_texts(rows[k], piece.n_cols)
        if is_column_number_texts(texts):
            return k
        if _has_number(texts):
            break
    depth = 1
    while depth < min(_MAX_HEADER_ROWS, len(rows)):
        if not _continues_header(rows[depth - 1], rows[depth], piece.n_cols):
            break
        depth += 1
    return depth


def _filled(rows: list[TableRow], n_cols: int) -> list[list[str]]:
    """Return header texts per row and column, a group title repeated over its children's columns.

    A cell spanning columns covers them; in a text export a blank top cell whose left neighbour
    has children below (and which has a child itself) belongs to that neighbour's group, the
    levels filled from the bottom up (a three-level header).
    """
    grid = []
    for row in rows:
        line = []
        for c in range(n_cols):
            cell = row.cell_at(c)
            line.append(one_line(cell.text) if cell is not None else "")
        grid.append(line)
    for h in reversed(range(len(grid) - 1)):  # lowest level first: a filled row tells the one above
        below = grid[h + 1]
        for c in range(1, n_cols):
            if grid[h][c] or not below[c]:
                continue
            left = next((k for k in range(c - 1, -1, -1) if grid[h][k]), None)
            if left is not None and below[left] and all(below[k] for k in range(left, c + 1)):
                grid[h][c] = grid[h][left]
    return grid


def header_names(rows: list[TableRow], n_cols: int) -> list[str]:
    """Given the header rows, return the leaf column names, levels joined with " / "."""
    grid = _filled(rows, n_cols)
    names = []
    for c in range(n_cols):
        parts: list[str] = []
        for line in grid:
            if line[c] and (not parts or parts[-1] != line[c]):
                parts.append(line[c])
        names.append(" / ".join(parts))
    return names


# ---------------------------------------------------------------------------------------------
# Pieces to tables


def _gap_is_furniture(blocks: list[Paragraph | Table]) -> bool:
    """Return True when the blocks between two pieces are only page furniture."""
    g = grammar()
    if len(blocks) > g.max_gap:
        return False
    return all(isinstance(b, Paragraph) and g.furniture.match(one_line(b.text)) for b in blocks)


def stitch(pieces: list[Table], doc: Document) -> list[list[Table]]:
    """Given the non-task pieces, return the groups of pieces that form one table each (in order)."""
    pos = {id(b): i for i, b in enumerate(doc.blocks)}
    groups: list[list[Table]] = []
    for piece in pieces:
        if is_layout(piece):
            continue
        if groups and _same_table(groups[-1], piece, doc.blocks, pos):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return groups


def _same_table(group: list[Table], piece: Table, blocks: list[Paragraph | Table], pos: dict[int, int]) -> bool:
    """Return True when ``piece`` is the next page's part of the table in ``group``."""
    last = group[-1]
    a, b = pos.get(id(last), -1), pos.get(id(piece), -1)
    if piece.n_cols != last.n_cols or not 0 <= a < b:
        return False
    return _gap_is_furniture(blocks[a + 1 : b]) and _continues(group[0], piece)


def _continues(first: Table, piece: Table) -> bool:
    """Return True when ``piece`` goes on with the table opened by ``first`` (header repeated or none)."""
    if not piece.rows:
        return False
    top = row_texts(piece.rows[0], piece.n_cols)
    if first.rows and top == row_texts(first.rows[0], first.n_cols):
        return True
    return header_depth(piece) == 0 or is_column_number_texts(top)


def _data_rows(piece: Table, header: list[list[str]], start: int) -> list[list[str]]:
    """Return a piece's data rows from row ``start``: header repeats and the column-number row dropped."""
    tops = [row_texts(r, piece.n_cols) for r in piece.rows[: len(header)]]
    if start == 0 and header and tops == header:
        start = len(header)  # the header printed again at the top of a new page
    rows: list[list[str]] = []
    for i in range(start, len(piece.rows)):
        texts = row_texts(piece.rows[i], piece.n_cols)
        if not any(texts) or texts in header:
            continue
        if not rows and is_column_number_texts(texts):
            continue
        rows.append(texts)
    return rows


def numeric_columns(rows: list[list[str]]) -> list[int]:
    """Return the columns whose every filled cell is a number (or a "-" placeholder), one at least."""
    out = []
    for c in range(max((len(r) for r in rows), default=0)):
        cells = [r[c] for r in rows if c < len(r) and r[c]]
        values = [parse_number(t) for t in cells if not is_placeholder(t)]
        if values and all(v is not None for v in values):
            out.append(c)
    return out


def table_title(piece: Table, doc: Document) -> str | None:
    """Return the title of a table: the nearest paragraph before it that is not a note, if short."""
    g = grammar()
    at = next((i for i, b in enumerate(doc.blocks) if b is piece), None)
    if at is None:
        return None
    before = doc.blocks[max(0, at - 6) : at]
    for i in range(len(before) - 1, -1, -1):
        blk = before[i]
        if isinstance(blk, Table):
            return None
        text = one_line(blk.text)
        if not text or g.title_skip.match(text):
            continue
        # A title in capitals printed over several lines is joined back.
        while text.isupper() and i > 0 and isinstance(prev := before[i - 1], Paragraph):
            above = one_line(prev.text)
            if not above.isupper() or g.appendix.match(above) or len(above) + len(text) >= g.title_chars:
                break
            text, i = f"{above} {text}", i - 1
        return text if len(text) <= g.title_chars else None
    return None


def generic_table(group: list[Table], doc: Document, file: str) -> GenericTable | None:
    """Return the GenericTable of one group of pieces, or None when it holds no data row."""
    first = group[0]
    title = title_row(first)
    top = 1 if title is not None else 0
    depth = header_depth(first, top)
    header_rows = first.rows[top : top + depth]
    header = [row_texts(r, first.n_cols) for r in header_rows]
    rows = _data_rows(first, header, top + depth)
    for piece in group[1:]:
        rows += _data_rows(piece, header, 0)
    if not rows:
        return None
    return GenericTable(
        title=title if title is not None else table_title(first, doc),
        header=header_names(header_rows, first.n_cols) if header_rows else [""] * first.n_cols,
        rows=rows,
        numeric_columns=numeric_columns(rows),
        provenance=RowProvenance(file=file, pages=sorted({p.page for p in group}), table=first.index),
    )


def generic_tables(pieces: list[Table], doc: Document, file: str) -> list[GenericTable]:
    """Return the non-task tables of a document (GOLD_SPEC "Generic table"), in order."""
    out = []
    for group in stitch(pieces, doc):
        table = generic_table(group, doc, file)
        if table is not None:
            out.append(table)
    return out


# ---------------------------------------------------------------------------------------------
# Typed frame


def _unique(names: list[str]) -> list[str]:
    """Return column names made unique and non-empty ("" -> "col3", a repeat -> "name (2)")."""
    out: list[str] = []
    for i, n in enumerate(names):
        name = n or f"col{i + 1}"
        base, k = name, 2
        while name in out:
            name, k = f"{base} ({k})", k + 1
        out.append(name)
    return out


def column_cells(t: GenericTable, c: int) -> list[str]:
    """Return the cells of column ``c`` of a generic table ("" where a row is short)."""
    return [r[c] if c < len(r) else "" for r in t.rows]


def numeric_frame(t: GenericTable) -> pd.DataFrame:
    """Return a generic table as a DataFrame: numeric columns typed (Int64 / Float64), others text."""
    import pandas as pd

    width = max([len(t.header), *(len(r) for r in t.rows)])
    names = _unique([*t.header, *[""] * (width - len(t.header))])
    padded = [[*r, *[""] * (width - len(r))] for r in t.rows]
    frame = pd.DataFrame(padded, columns=names, dtype="string")
    for c in t.numeric_columns:
        if c >= width:
            continue
        cells = column_cells(t, c)
        values = [None if is_placeholder(v) or not v else parse_number(v) for v in cells]
        whole = not any(has_fraction(v) for v in cells) and all(v is None or v.is_integer() for v in values)
        frame[names[c]] = pd.array(
            [None if v is None else (int(v) if whole else v) for v in values],
            dtype="Int64" if whole else "Float64",
        )
    return frame
