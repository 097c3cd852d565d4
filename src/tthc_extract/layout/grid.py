"""Table-grid helpers shared by the loaders that find grids geometrically (typed PDF, OCR).

Given cell rectangles, the grid is the clustered x and y edges; given cells placed on that grid
(row/column ranges), the rows of the document model follow the merge conventions of
:mod:`tthc_extract.model.document`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tthc_extract.layout.words import Word
from tthc_extract.model.document import BBox, Cell, Prov, TableRow
from tthc_extract.settings import current


class Span(Protocol):
    """A cell placed on a grid: rows r0..r1-1, columns c0..c1-1."""

    r0: int
    r1: int
    c0: int
    c1: int


def cluster_values(values: Sequence[float], tol: float | None = None) -> list[float]:
    """Given coordinates, return them sorted with near-equal ones (within ``tol``, by default the
    ``tables.edge_tolerance`` setting) averaged."""
    if tol is None:
        tol = current().tables.edge_tolerance
    out: list[float] = []
    group: list[float] = []
    for v in sorted(values):
        if group and v - group[-1] > tol:
            out.append(sum(group) / len(group))
            group = []
        group.append(v)
    if group:
        out.append(sum(group) / len(group))
    return out


def nearest_edge(edges: Sequence[float], v: float) -> int:
    """Given sorted edges, return the index of the one nearest to ``v``."""
    i = bisect_left(edges, v)
    if i == 0:
        return 0
    if i == len(edges):
        return len(edges) - 1
    return i if edges[i] - v < v - edges[i - 1] else i - 1


def place_boxes(
    boxes: Sequence[tuple[float, float, float, float]], tol: float
) -> tuple[list[float], list[float], list[tuple[int, int, int, int, int]]]:
    """Given cell boxes (x0, top, x1, bottom), return the grid they tile and where each lies.

    Returns the clustered x and y edges and, per box that covers at least one grid cell,
    (r0, r1, c0, c1, index of the box).
    """
    xs = cluster_values([b[0] for b in boxes] + [b[2] for b in boxes], tol)
    ys = cluster_values([b[1] for b in boxes] + [b[3] for b in boxes], tol)
    placed = []
    for k, b in enumerate(boxes):
        c0, c1 = nearest_edge(xs, b[0]), nearest_edge(xs, b[2])
        r0, r1 = nearest_edge(ys, b[1]), nearest_edge(ys, b[3])
        if c1 > c0 and r1 > r0:
            placed.append((r0, r1, c0, c1, k))
    return xs, ys, placed


def rows_from_spans(
    n_rows: int,
    spans: Sequence[Span],
    texts: Sequence[str],
    page: int,
    cell_bbox: Callable[[int], BBox],
    row_bbox: Callable[[int], BBox],
    confidences: Sequence[float | None] | None = None,
) -> list[TableRow]:
    """Given cells placed on a grid of ``n_rows`` rows, return the model's rows.

    A cell spanning several rows appears in each with the same text: ``row_span`` on the first,
    ``merged_from_above`` on the others. A grid row where no cell starts (a sliver between
    misaligned edges) is dropped.
    """
    by_row: list[list[int]] = [[] for _ in range(n_rows)]
    for k, c in enumerate(spans):
        for r in range(c.r0, c.r1):
            by_row[r].append(k)
    rows: list[TableRow] = []
    for r, ks in enumerate(by_row):
        if not any(spans[k].r0 == r for k in ks):
            continue
        cells: list[Cell] = []
        for k in sorted(ks, key=lambda k: spans[k].c0):
            c = spans[k]
            first = c.r0 == r
            cells.append(Cell(
                text=texts[k], col=c.c0, col_span=c.c1 - c.c0, row_span=(c.r1 - c.r0) if first else 1,
                merged_from_above=not first, prov=Prov(page=page, bbox=cell_bbox(k)),
                confidence=confidences[k] if confidences is not None else None,
            ))
        rows.append(TableRow(cells=cells, prov=Prov(page=page, bbox=row_bbox(r))))
    return rows


def mark_page_split(row: TableRow) -> None:
    """Flag the first body row of a piece that opens a page: no entry in its first column."""
    first = row.cell_at(0)
    if (first is None or not first.text.strip()) and any(c.text.strip() for c in row.cells):
        row.split_from_previous_page = True


@dataclass(slots=True)
class GridCell:
    """A cell placed on the grid: rows r0..r1-1 and columns c0..c1-1, with its box."""

    r0: int
    r1: int
    c0: int
    c1: int
    bbox: tuple[float, float, float, float]
    words: list[Word] = field(default_factory=list)


@dataclass
class Grid:
    """A table found on a page: grid lines (x and y edges) and the cells laid on them."""

    xs: list[float]
    ys: list[float]
    cells: list[GridCell]
    method: str
    closed_bottom: bool = True  # False when the last row had no rule under it (cut by the page)
    closed_top: bool = True  # False when the first row had no rule above it
    # text-aligned tables: per inner column boundary, the white stretch (x0, x1) the body's words
    # leave around it and the header gap it lies in, kept for the table's next page
    white: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """Return the table's box (x0, top, x1, bottom)."""
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def contains(self, x: float, y: float) -> bool:
        """Return whether a point lies inside the table's box."""
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]


def grid_from_cells(boxes: Sequence[tuple[float, float, float, float]], method: str) -> Grid | None:
    """Given cell boxes of one table, return the grid they tile, or None if it is degenerate."""
    xs, ys, placed = place_boxes(boxes, current().tables.edge_tolerance)
    if len(xs) < 2 or len(ys) < 2:
        return None
    cells = [GridCell(r0, r1, c0, c1, tuple(float(v) for v in boxes[k]))  # type: ignore[arg-type]
             for r0, r1, c0, c1, k in placed]
    if not cells:
        return None
    return Grid(xs=xs, ys=ys, cells=cells, method=method)


def assign_words(grids: Sequence[Grid], words: Sequence[Word]) -> list[Word]:
    """Put each word into the grid cell holding its centre; return the words left outside tables."""
    owners: list[list[list[int]]] = []
    for g in grids:
        m = [[-1] * (len(g.xs) - 1) for _ in range(len(g.ys) - 1)]
        for k, c in enumerate(g.cells):
            for r in range(c.r0, c.r1):
                for col in range(c.c0, c.c1):
                    m[r][col] = k
        owners.append(m)
    rest: list[Word] = []
    for w in words:
        cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
        for g, m in zip(grids, owners, strict=True):
            if not g.contains(cx, cy):
                continue
            r = min(max(bisect_right(g.ys, cy) - 1, 0), len(g.ys) - 2)
            col = min(max(bisect_right(g.xs, cx) - 1, 0), len(g.xs) - 2)
            k = m[r][col]
            if k >= 0:
                g.cells[k].words.append(w)
                break
        else:
            rest.append(w)
    return rest
