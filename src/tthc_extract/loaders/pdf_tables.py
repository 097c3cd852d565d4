"""Tables of a born-digital PDF page: ruled grids (lattice), and text-aligned ones (stream).

The lattice finder is pdfplumber's (``page.find_tables``), called once per page with settings that
also close a table cut by a page break without a bottom rule. Its cells are mapped onto a grid made
of the table's distinct x and y edges, so a cell covering several grid columns gets ``col_span`` and
one covering several grid rows is repeated in each (``row_span`` / ``merged_from_above``). Text is
assigned in one pass: every word of the page goes to the cell holding its centre.

Where a table has only horizontal rules, or no rules at all, the stream finder looks for columns of
white space that run through every line of the region (ignoring lines such as section titles that
span the whole width) and cuts rows at the rules, or at lines that start a new first-column entry.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from tthc_extract.layout.grid import Grid, grid_from_cells, rows_from_spans
from tthc_extract.layout.paragraphs import join_lines
from tthc_extract.layout.words import Line, group_lines
from tthc_extract.model.document import BBox, Table
from tthc_extract.settings import current

# pdfplumber lattice settings: ruling lines only; rules drawn as separate pieces are snapped and
# joined within the ``tables.rule_tolerance`` setting (LATTICE_TOLERANCES).
LATTICE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "edge_min_length": 3,
}
LATTICE_TOLERANCES = ("snap_tolerance", "join_tolerance", "intersection_tolerance")
SHADE_MIN = 3.0  # points: a filled box wider and taller than this is shading, not a rule
MIN_RULE_LENGTH = 10.0  # shorter vertical edges are glyph parts or decorations, not table rules


def _horizontal_near(hs: list[dict[str, Any]], tops: list[float], x: float, y: float) -> bool:
    """Return whether a horizontal edge passes through (x, y), within the edge tolerance."""
    i = bisect_left(tops, y - 3.0)
    while i < len(hs) and tops[i] <= y + 3.0:
        h = hs[i]
        if h["x0"] - 3.0 <= x <= h["x1"] + 3.0:
            return True
        i += 1
    return False


def closing_rules(edges: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Given a page's edges, return horizontal lines that close tables left open by a page break.

    A table cut by a page break is sometimes drawn without its bottom (or, on the next page, top)
    rule: its column rules then end in the air. Where two or more vertical rules end at the same
    height with no horizontal rule there, return a line joining their ends.
    """
    hs = sorted((e for e in edges if e["orientation"] == "h" and e["x1"] - e["x0"] >= MIN_RULE_LENGTH),
                key=lambda e: e["top"])  # (a rule drawn as a thin box has short ends: not rules)
    tops = [float(h["top"]) for h in hs]
    dangling: dict[str, list[tuple[float, float]]] = {"top": [], "bottom": []}
    for v in edges:
        if v["orientation"] != "v" or v["bottom"] - v["top"] < MIN_RULE_LENGTH:
            continue
        x = float(v["x0"])
        for end in ("top", "bottom"):
            y = float(v[end])
            if not _horizontal_near(hs, tops, x, y):
                dangling[end].append((y, x))
    rules: list[dict[str, Any]] = []
    for end, ends in dangling.items():
        ends.sort()
        i = 0
        while i < len(ends):
            j = i
            while j + 1 < len(ends) and ends[j + 1][0] - ends[i][0] <= 3.0:
                j += 1
            if j > i:
                group = ends[i:j + 1]
                y = max(g[0] for g in group) if end == "bottom" else min(g[0] for g in group)
                x0, x1 = min(g[1] for g in group), max(g[1] for g in group)
                if x1 - x0 > MIN_RULE_LENGTH:
                    rules.append({"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y,
                                  "width": x1 - x0, "height": 0.0, "closing": end})
            i = j + 1
    return rules


def is_shading(obj: dict[str, Any]) -> bool:
    """Return whether a page object is a filled box without an outline, wider and taller than a
    rule: a shaded cell or row, whose edges are not ruling lines (a browser's thin filled boxes
    that draw borders are thinner than this)."""
    return (obj.get("object_type") == "rect" and bool(obj.get("fill")) and not obj.get("stroke")
            and float(obj["width"]) > SHADE_MIN and float(obj["height"]) > SHADE_MIN)


def page_rules_seen(page: Any) -> list[tuple[float, float, float, float]]:
    """Return a page's ruling lines as the table finders see them, (x0, top, x1, bottom) in
    points: its horizontal and vertical edges at least MIN_RULE_LENGTH long (shading's edges
    included: the text-aligned reader takes them for row rules)."""
    out: list[tuple[float, float, float, float]] = []
    for e in page.edges:
        if e["orientation"] == "h" and e["x1"] - e["x0"] >= MIN_RULE_LENGTH:
            out.append((float(e["x0"]), float(e["top"]), float(e["x1"]), float(e["top"])))
        elif e["orientation"] == "v" and e["bottom"] - e["top"] >= MIN_RULE_LENGTH:
            out.append((float(e["x0"]), float(e["top"]), float(e["x0"]), float(e["bottom"])))
    return out


def lattice_grids(page: Any) -> list[Grid]:
    """Given a pdfplumber page, return its ruled tables as grids (one ``find_tables`` call).

    Shaded boxes are left out: a table with zebra rows and no rules is not a grid of ruled cells
    (the text-aligned reader takes their edges as row rules).
    """
    if any(is_shading(r) for r in page.rects):
        page = page.filter(lambda o: not is_shading(o))
    edges = page.edges
    if not edges:
        return []
    extra = closing_rules(edges)
    settings = dict(LATTICE_SETTINGS) | dict.fromkeys(LATTICE_TOLERANCES, current().tables.rule_tolerance)
    if extra:
        settings["explicit_horizontal_lines"] = [{k: v for k, v in r.items() if k != "closing"}
                                                 for r in extra]
    grids: list[Grid] = []
    for t in page.find_tables(settings):
        grid = grid_from_cells(t.cells, "lattice")
        if grid is None or len(grid.xs) < 3:  # a lone box or a one-column frame is not a table
            continue
        for r in extra:
            if r["x0"] - 3 <= grid.xs[0] and r["x1"] + 3 >= grid.xs[-1] or (
                    grid.xs[0] - 3 <= r["x0"] and r["x1"] <= grid.xs[-1] + 3):
                if r["closing"] == "bottom" and abs(r["top"] - grid.ys[-1]) <= 3:
                    grid.closed_bottom = False
                if r["closing"] == "top" and abs(r["top"] - grid.ys[0]) <= 3:
                    grid.closed_top = False
        grids.append(grid)
    return grids


def _cell_padding(grid: Grid) -> float:
    """Return the table's inner cell padding: a low percentile of the gaps between a cell's left
    edge and its text (left-aligned cells show it; one word overflowing a border does not count)."""
    gaps = sorted(g for g in (min(w.x0 for w in c.words) - c.bbox[0] for c in grid.cells if c.words)
                  if g >= 0)
    return min(gaps[len(gaps) // 10], 10.0) if gaps else 2.0


def grid_to_table(grid: Grid, page_no: int, index: int) -> Table:
    """Given a grid whose cells hold their words, return the table piece in the document model."""
    pad = _cell_padding(grid)
    texts: list[str] = []
    for c in grid.cells:
        lines: list[Line] = group_lines(c.words) if c.words else []
        texts.append(join_lines(lines, c.bbox[0] + pad, c.bbox[2] - pad))
    x0, x1 = grid.xs[0], grid.xs[-1]

    def cell_box(k: int) -> BBox:
        b = grid.cells[k].bbox
        return BBox(x0=b[0], top=b[1], x1=b[2], bottom=b[3])

    rows = rows_from_spans(len(grid.ys) - 1, grid.cells, texts, page_no, cell_box,
                           lambda r: BBox(x0=x0, top=grid.ys[r], x1=x1, bottom=grid.ys[r + 1]))
    bx0, btop, bx1, bbottom = grid.bbox
    return Table(index=index, rows=rows, n_cols=len(grid.xs) - 1, page=page_no, method=grid.method,
                 bbox=BBox(x0=bx0, top=btop, x1=bx1, bottom=bbottom))
