"""Find the task table(s) of a document and stitch their page pieces into grid rows.

Given the document's table pieces, return for each logical task table the column map and its
data rows (header repeats and column-number rows dropped), each row as field -> text with the
flags the row assembler needs (page top, merged cells, spanning cell, provenance).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tthc_extract.model.document import BBox, Document, Paragraph, Table, TableRow
from tthc_extract.model.warnings import Warning
from tthc_extract.segment.header import ColumnMap, is_column_number_row, map_header, same_header
from tthc_extract.segment.realign import realign_short_rows

# Paragraphs between two pieces of one table may only be page furniture (page numbers, running
# headers): a paragraph longer than this many characters ends the table.
_MAX_GAP_TEXT = 80

# Table-finding methods that see merged cells: in their tables an empty cell is really empty,
# while text exports lose merges (an empty cell under a merged one looks blank).
MERGE_AWARE_METHODS = frozenset({"docx", "html", "lattice", "hrules", "ocr-lattice", "ocr-hrules"})
# Text exports whose rows drop the cells merged with the row above (segment/realign.py).
TEXT_METHODS = frozenset({"pipe", "tsv"})

log = logging.getLogger(__name__)


@dataclass
class GridRow:
    """One data row of a task table, with texts keyed by field."""

    cells: dict[str, str]
    merged: set[str] = field(default_factory=set)
    page: int = 1
    table: int = 0
    index: int = 0
    line: int | None = None
    page_top: bool = False
    hint_split: bool = False
    spanning: bool = False
    confidence: float | None = None
    n_cells: int = 0
    merges_known: bool = False
    # Texts of the columns kept beside the row (notes, budget, unknown titles), by grid column.
    extras: dict[int, str] = field(default_factory=dict)
    bbox: BBox | None = None  # the row's region on its page (None for sources without geometry)
    # The text of every grid column; and, for a text-export row with fewer cells than the header
    # (its merged cells lost), its cells in order until segment/realign.py places them.
    columns: list[str] = field(default_factory=list)
    short: list[str] | None = None
    notes: list[Warning] = field(default_factory=list)  # what was done to the row, for its warnings


@dataclass
class TaskTable:
    """A logical task table: its column map, its data rows and the piece indexes it came from."""

    cmap: ColumnMap
    rows: list[GridRow]
    pieces: list[int]
    n_cols: int
    unmapped_titles: list[str] = field(default_factory=list)


def _grid_row(row: TableRow, cmap: ColumnMap, piece: Table, r_index: int, page_top: bool) -> GridRow:
    """Return the GridRow for a table row under column map ``cmap``."""
    n_cols = piece.n_cols
    texts = row.texts(n_cols)
    cells: dict[str, str] = {}
    merged: set[str] = set()
    for f, col in cmap.columns.items():
        if col < n_cols:
            cells[f] = texts[col]
            c = row.cell_at(col)
            if c is not None and c.merged_from_above:
                merged.add(f)
    extras = {col: texts[col] for col in cmap.extra_columns() if col < n_cols}
    non_empty = [c for c in row.cells if c.text.strip()]
    spanning = len(non_empty) == 1 and non_empty[0].col_span >= max(2, n_cols - 1)
    confs = [c.confidence for c in row.cells if c.confidence is not None and c.text.strip()]
    return GridRow(
        cells=cells,
        merged=merged,
        page=(row.prov.page if row.prov else piece.page),
        table=piece.index,
        index=r_index,
        line=(row.prov.line if row.prov else None),
        page_top=page_top,
        hint_split=row.split_from_previous_page,
        spanning=spanning,
        confidence=min(confs) if confs else None,
        n_cells=len(non_empty),
        merges_known=piece.method in MERGE_AWARE_METHODS,
        extras=extras,
        bbox=_row_bbox(row),
        columns=texts,
        short=_short_cells(row, piece),
    )


def _short_cells(row: TableRow, piece: Table) -> list[str] | None:
    """Return the cells of a text-export row narrower than its table, else None.

    Only text exports lose merged cells this way (merge-aware sources repeat or mark them); a
    one-cell row is a spanning row, not a short one.
    """
    width = sum(max(1, c.col_span) for c in row.cells)
    if piece.method not in TEXT_METHODS or len(row.cells) < 2 or width >= piece.n_cols:
        return None
    return [c.text for c in row.cells]


def _row_bbox(row: TableRow) -> BBox | None:
    """Return the region of a table row: its own box, else the box enclosing its cells' boxes."""
    if row.prov is not None and row.prov.bbox is not None:
        return row.prov.bbox
    return BBox.enclosing(c.prov.bbox for c in row.cells if c.prov is not None and c.prov.bbox is not None)


def _gap_is_furniture(blocks: list[Paragraph | Table]) -> bool:
    """Return True when the blocks between two table pieces are only page furniture."""
    for b in blocks:
        if isinstance(b, Table):
            return False
        if len(b.text) > _MAX_GAP_TEXT:
            return False
    return len(blocks) <= 4


def find_task_tables(doc: Document) -> tuple[list[TaskTable], list[Table]]:
    """Return the task tables (stitched over pages) and the pieces that are other tables."""
    blocks = doc.blocks
    tasks: list[TaskTable] = []
    others: list[Table] = []
    current: TaskTable | None = None
    last_pos = -1
    for pos, blk in enumerate(blocks):
        if not isinstance(blk, Table):
            continue
        header_at, cmap = _find_header(blk)
        continues = (
            current is not None
            and _gap_is_furniture(blocks[last_pos + 1 : pos])
            and (cmap is not None or blk.n_cols == current.n_cols)
        )
        if cmap is not None and current is not None and continues:
            # A repeated header on a new page: same table if it maps the same fields.
            if set(cmap.columns) != set(current.cmap.columns):
                continues = False
        if continues and current is not None:
            start = header_at + current.cmap.header_rows if cmap is not None else 0
            _add_rows(current, blk, start, page_top=True)
            current.pieces.append(blk.index)
            log.debug("table piece %d continues task table %d (page %s)", blk.index, len(tasks), blk.page)
            last_pos = pos
            continue
        if cmap is not None:
            current = TaskTable(cmap=cmap, rows=[], pieces=[blk.index], n_cols=blk.n_cols)
            current.unmapped_titles = [cmap.titles[i] for i in cmap.unmapped if i < len(cmap.titles)]
            _add_rows(current, blk, header_at + cmap.header_rows, page_top=False)
            tasks.append(current)
            log.info("task table %d found at piece %d (page %s): columns %s", len(tasks), blk.index, blk.page,
                     ", ".join(f"{k}={v}" for k, v in cmap.columns.items()))
            last_pos = pos
            continue
        current = None
        log.info("table piece %d (page %s, %d x %d) is not a task table: no task-table header in its first rows",
                 blk.index, blk.page, len(blk.rows), blk.n_cols)
        others.append(blk)
    for tt in tasks:
        realign_short_rows(tt.rows, tt.cmap, tt.n_cols)
    return tasks, others


def _find_header(piece: Table) -> tuple[int, ColumnMap | None]:
    """Return (row index, column map) of the header within the first rows of a piece."""
    for i, row in enumerate(piece.rows[:4]):
        nxt = piece.rows[i + 1] if i + 1 < len(piece.rows) else None
        cmap = map_header(row, piece.n_cols, nxt)
        if cmap is not None:
            return i, cmap
    return 0, None


def _add_rows(tt: TaskTable, piece: Table, start: int, page_top: bool) -> None:
    """Append the data rows of ``piece`` from row ``start`` on, skipping repeats and numbers."""
    first = True
    for r_i in range(start, len(piece.rows)):
        row = piece.rows[r_i]
        if same_header(row, tt.cmap, piece.n_cols) or is_column_number_row(row, piece.n_cols):
            continue
        if row.is_header and first and r_i < 3:
            continue
        if not any(c.text.strip() for c in row.cells):
            continue
        tt.rows.append(_grid_row(row, tt.cmap, piece, r_i, page_top=page_top and first))
        first = False
