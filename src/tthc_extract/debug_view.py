"""What the table readers saw on each page, for a user whose plan reads badly (``tthc-extract debug``).

:func:`debug` reads a paginated file (PDF, typed or scanned, or an image) the way ``extract`` does
and returns, per page, the intermediates that decide its rows: the ruling lines the table finders
saw, each table piece with its column boundaries and cells, and the rows the segmenter kept (a
logical row drawn over the grid rows it was read from). :func:`tthc_extract.debug_draw.render`
draws them on the page image, one PNG per page, as pdfplumber's ``debug_tablefinder`` does.
All coordinates are PDF points on the original page (origin top-left).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tthc_extract.errors import ExtractError
from tthc_extract.loaders import detect_kind, load
from tthc_extract.model.document import BBox, Document, Table
from tthc_extract.model.plan import Plan
from tthc_extract.pipeline import SettingsArg, plan_from_document
from tthc_extract.segment.rows import assemble
from tthc_extract.segment.tables import find_task_tables
from tthc_extract.settings import ExtractSettings, using

Box = tuple[float, float, float, float]  # (x0, top, x1, bottom) in points
PAGINATED = ("pdf", "image")  # kinds of input that have pages to draw


@dataclass
class DebugCell:
    """A cell of a table piece: its box, place on the grid and text."""

    bbox: Box
    row: int
    col: int
    col_span: int
    row_span: int
    text: str


@dataclass
class DebugTable:
    """A table piece as found on its page: how, where, its column boundaries and its cells."""

    index: int
    page: int
    method: str
    bbox: Box
    columns: list[float]  # x of every column boundary, the table's left and right edges included
    cells: list[DebugCell]
    n_rows: int
    header_rows: list[int]  # rows marked as a (repeated) header


@dataclass
class KeptRow:
    """A row of the output on one page: its number in the plan and the box of its grid rows there."""

    number: int
    stt: str | None
    section: str | None
    task: str
    page: int
    bbox: Box
    sources: list[tuple[int, int]]  # (table piece, row index) read into it on this page


@dataclass
class DebugPage:
    """One page's intermediates."""

    number: int
    width: float
    height: float
    rules: list[Box] = field(default_factory=list)
    tables: list[DebugTable] = field(default_factory=list)
    kept: list[KeptRow] = field(default_factory=list)


@dataclass
class DebugReport:
    """Every page's intermediates, with the document model and the plan they were read into."""

    source: str
    kind: str
    pages: list[DebugPage]
    document: Document
    plan: Plan

    def page(self, number: int) -> DebugPage:
        """Return the page with this 1-based number (KeyError when the file has none)."""
        for p in self.pages:
            if p.number == number:
                return p
        raise KeyError(f"page {number} out of range (1-{len(self.pages)})")


def _box(b: BBox | None) -> Box | None:
    return None if b is None else (b.x0, b.top, b.x1, b.bottom)


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def column_boundaries(table: Table) -> list[float]:
    """Return the x of a piece's column boundaries: per grid column, where its cells start (the
    median of their left edges, cells are drawn from the grid), and the table's right edge."""
    starts: dict[int, list[float]] = {}
    right: list[float] = []
    for row in table.rows:
        for c in row.cells:
            if c.prov is None or c.prov.bbox is None:
                continue
            starts.setdefault(c.col, []).append(c.prov.bbox.x0)
            if c.col + c.col_span == table.n_cols:
                right.append(c.prov.bbox.x1)
    xs = [sorted(v)[len(v) // 2] for _, v in sorted(starts.items())]
    if right:
        xs.append(sorted(right)[len(right) // 2])
    return xs


def _table(t: Table) -> DebugTable:
    cells = [DebugCell(box, r, c.col, c.col_span, c.row_span, c.text)
             for r, row in enumerate(t.rows) for c in row.cells
             if not c.merged_from_above and (box := _box(c.prov.bbox if c.prov else None)) is not None]
    bbox = _box(t.bbox) or (_union([c.bbox for c in cells]) if cells else (0.0, 0.0, 0.0, 0.0))
    return DebugTable(index=t.index, page=t.page, method=t.method or "", bbox=bbox, columns=column_boundaries(t),
                      cells=cells, n_rows=len(t.rows), header_rows=[i for i, r in enumerate(t.rows) if r.is_header])


def kept_rows(doc: Document) -> list[KeptRow]:
    """Return the rows the segmenter kept, one entry per row and page: the plan's numbering, and
    the union of the boxes of the grid rows it was read from on that page."""
    tables = doc.tables()
    out: list[KeptRow] = []
    n = 0
    for tt in find_task_tables(doc)[0]:
        rows, _ = assemble(tt.rows, tt.cmap.split_agencies, tt.cmap.has_start)
        for r in rows:
            n += 1
            by_page: dict[int, tuple[list[Box], list[tuple[int, int]]]] = {}
            for t, i in r.sources:
                row = tables[t].rows[i] if t < len(tables) and i < len(tables[t].rows) else None
                box = _box(row.prov.bbox) if row is not None and row.prov is not None else None
                if row is None or box is None:
                    continue
                boxes, srcs = by_page.setdefault(row.prov.page if row.prov else tables[t].page, ([], []))
                boxes.append(box)
                srcs.append((t, i))
            for page, (boxes, srcs) in sorted(by_page.items()):
                out.append(KeptRow(n, r.stt, r.section, " ".join(r.get("task").split()), page, _union(boxes), srcs))
    return out


def report_of(doc: Document, kind: str, file: str | None = None) -> DebugReport:
    """Return the debug report of a loaded document (its plan read the way ``extract`` reads it)."""
    pages = [DebugPage(p.number, p.width or 0.0, p.height or 0.0, rules=list(p.rules)) for p in doc.pages]
    by_no = {p.number: p for p in pages}
    for t in doc.tables():
        if t.page in by_no:
            by_no[t.page].tables.append(_table(t))
    for k in kept_rows(doc):
        if k.page in by_no:
            by_no[k.page].kept.append(k)
    return DebugReport(source=file or doc.source, kind=kind, pages=pages, document=doc,
                       plan=plan_from_document(doc, file))


def debug(path: str | os.PathLike[str], settings: SettingsArg = None) -> DebugReport:
    """Return what the table readers saw on every page of a PDF or image file (see the module),
    read with ``settings`` (as for :func:`tthc_extract.extract`).

    Raises ExtractError for a file that cannot be read, or that has no pages to draw (a .docx or
    a text file: their tables are not laid out on pages).
    """
    p = Path(path)
    kind = detect_kind(p)
    if kind not in PAGINATED:
        raise ExtractError(str(p), "debug draws the pages of PDF and image files; this file has no pages")
    with using(ExtractSettings.resolve(settings)):
        return report_of(load(p), kind, str(p))
