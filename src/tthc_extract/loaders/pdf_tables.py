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

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tthc_extract.loaders import grid as grid_helpers
from tthc_extract.loaders.grid import place_boxes, rows_from_spans
from tthc_extract.loaders.pdf_text import Line, Word, group_lines, join_lines
from tthc_extract.model.document import BBox, Table

# pdfplumber lattice settings: ruling lines only; snap/join rules drawn as separate pieces.
LATTICE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "edge_min_length": 3,
}
EDGE_TOL = 2.0  # points: cell edges closer than this are one grid line
MIN_RULE_LENGTH = 10.0  # shorter vertical edges are glyph parts or decorations, not table rules
STREAM_MIN_COLS = 3  # a text-aligned table needs at least this many columns
STREAM_MIN_RULE_SHARE = 0.3  # horizontal rules shorter than this share of the page width are ignored
STREAM_SEG_GAP_EMS = 1.0  # gap (in font sizes) that separates two cells on one line
STREAM_SPAN_SHARE = 0.5  # a line segment wider than this share of the region spans columns
STREAM_MIN_GAP = 3.0  # points: narrowest white-space column accepted as a column separator
STREAM_MIN_GAP_EMS = 0.5  # ... and in font sizes: wider than a word space
STREAM_WORD_GAP_EMS = 0.4  # gap (in font sizes) up to which two words are one run of text
STREAM_CROSS_SHARE = 0.15  # a white-space column may be cut by this share of the lines (spanning titles)


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

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """Return the table's box (x0, top, x1, bottom)."""
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def contains(self, x: float, y: float) -> bool:
        """Return whether a point lies inside the table's box."""
        return self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]


def cluster_values(values: Sequence[float], tol: float = EDGE_TOL) -> list[float]:
    """Given coordinates, return them sorted with near-equal ones (within ``tol``) merged."""
    return grid_helpers.cluster_values(values, tol)


def grid_from_cells(boxes: Sequence[tuple[float, float, float, float]], method: str) -> Grid | None:
    """Given cell boxes of one table, return the grid they tile, or None if it is degenerate."""
    xs, ys, placed = place_boxes(boxes, EDGE_TOL)
    if len(xs) < 2 or len(ys) < 2:
        return None
    cells = [GridCell(r0, r1, c0, c1, tuple(float(v) for v in boxes[k]))  # type: ignore[arg-type]
             for r0, r1, c0, c1, k in placed]
    if not cells:
        return None
    return Grid(xs=xs, ys=ys, cells=cells, method=method)


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


def lattice_grids(page: Any) -> list[Grid]:
    """Given a pdfplumber page, return its ruled tables as grids (one ``find_tables`` call)."""
    edges = page.edges
    if not edges:
        return []
    extra = closing_rules(edges)
    settings = dict(LATTICE_SETTINGS)
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


# ---------------------------------------------------------------- stream (text-aligned) tables


def _segments(line: Line, gap_ems: float) -> list[tuple[float, float]]:
    """Return the x-extents of a line's word runs separated by gaps wider than ``gap_ems``."""
    out: list[tuple[float, float]] = []
    for w in line.words:
        if out and w.x0 - out[-1][1] <= gap_ems * w.size:
            out[-1] = (out[-1][0], max(out[-1][1], w.x1))
        else:
            out.append((w.x0, w.x1))
    return out


def column_separators(lines: Sequence[Line], x0: float, x1: float) -> list[float]:
    """Given the lines of a region, return the x of each white-space column running through them.

    Lines with a run wider than half the region (a section title, a spanning note) are left out
    of the vote. A separator is a gap, wider than a word space, between the leftmost and rightmost
    text that no voting line covers, or only a few (a shorter title written across two columns),
    with text on two or more lines on each side of it (a gap next to one long word of one line is
    no column).
    """
    width = x1 - x0
    voters = [ln for ln in lines
              if all(b - a <= STREAM_SPAN_SHARE * width for a, b in _segments(ln, STREAM_SEG_GAP_EMS))]
    if len(voters) < 2:
        return []
    sizes = sorted(w.size for ln in voters for w in ln.words)
    min_gap = max(STREAM_MIN_GAP, STREAM_MIN_GAP_EMS * sizes[len(sizes) // 2])
    seps = _white_columns(voters, min_gap, int(STREAM_CROSS_SHARE * len(voters)))
    while seps:
        bounds = [-1e9, *seps, 1e9]
        counts = [0] * (len(bounds) - 1)
        for ln in voters:
            hit = {bisect_right(bounds, (w.x0 + w.x1) / 2) - 1 for w in ln.words}
            for k in hit:
                counts[k] += 1
        weak = min(range(len(counts)), key=counts.__getitem__)
        if counts[weak] >= 2:
            break
        seps.pop(weak - 1 if weak > 0 else 0)  # merge the lonely slot into its neighbour
    return seps


def _white_columns(lines: Sequence[Line], min_gap: float, crossing: int) -> list[float]:
    """Return an x inside each white-space column at least ``min_gap`` wide that at most
    ``crossing`` lines cut through (a section title or note written across two columns), between
    the leftmost and the rightmost text of the lines. The x is the middle of the column's widest
    stretch crossed by the fewest lines, so a lone wide header word next to it is not cut."""
    events: list[tuple[float, int]] = []
    for ln in lines:
        for w in ln.words:
            events += [(w.x0, 1), (w.x1, -1)]
    events.sort()
    # elementary intervals (x0, x1, depth) between the first and the last event
    pieces: list[tuple[float, float, int]] = []
    depth = 0
    for (x, step), (nx, _) in zip(events, events[1:], strict=False):
        depth += step
        if nx > x:
            pieces.append((x, nx, depth))
    seps: list[float] = []
    run: list[tuple[float, float, int]] = []
    for piece in [*pieces, (0.0, 0.0, crossing + 1)]:
        if piece[2] <= crossing:
            run.append(piece)
            continue
        if run and run[-1][1] - run[0][0] >= min_gap:
            low = min(d for _, _, d in run)
            best: tuple[float, float] | None = None
            cur: tuple[float, float] | None = None
            for x0, x1, d in run:
                cur = (cur[0] if cur and d == low and cur[1] == x0 else x0, x1) if d == low else None
                if cur and (best is None or cur[1] - cur[0] > best[1] - best[0]):
                    best = cur
            if best is not None:
                seps.append((best[0] + best[1]) / 2)
        run = []
    return seps


def _rule_regions(edges: Sequence[dict[str, Any]], page_width: float,
                  taken: Sequence[Grid]) -> list[tuple[float, float, float, float, list[float]]]:
    """Return regions (x0, top, x1, bottom, rule ys) bounded by stacked long horizontal rules."""
    rules = []
    for e in edges:
        if e["orientation"] != "h" or e["x1"] - e["x0"] < STREAM_MIN_RULE_SHARE * page_width:
            continue
        my = float(e["top"])
        if any(g.xs[0] - 3 <= e["x0"] and e["x1"] <= g.xs[-1] + 3 and g.ys[0] - 3 <= my <= g.ys[-1] + 3
               for g in taken):
            continue
        rules.append((my, float(e["x0"]), float(e["x1"])))
    rules.sort()
    regions: list[tuple[float, float, float, float, list[float]]] = []
    group: list[tuple[float, float, float]] = []

    def flush() -> None:
        ys = cluster_values([r[0] for r in group])
        if len(ys) >= 2:
            regions.append((min(r[1] for r in group), ys[0], max(r[2] for r in group), ys[-1], ys))

    for r in rules:
        if group:
            gx0, gx1 = min(g[1] for g in group), max(g[2] for g in group)
            overlap = min(gx1, r[2]) - max(gx0, r[1])
            if overlap < 0.7 * min(gx1 - gx0, r[2] - r[1]):
                flush()
                group = []
        group.append(r)
    if group:
        flush()
    return regions


def _text_regions(lines: Sequence[Line]) -> list[tuple[float, float, float, float, list[float]]]:
    """Return regions of consecutive lines that are cut into three or more runs by wide gaps."""
    cand = [ln for ln in lines if len(_segments(ln, STREAM_SEG_GAP_EMS)) >= STREAM_MIN_COLS]
    regions: list[tuple[float, float, float, float, list[float]]] = []
    run: list[Line] = []

    def flush() -> None:
        if len(run) >= 3:
            inside = [ln for ln in lines if run[0].top <= ln.top and ln.bottom <= run[-1].bottom]
            regions.append((min(ln.x0 for ln in inside), run[0].top - 1, max(ln.x1 for ln in inside),
                            run[-1].bottom + 1, []))

    for ln in cand:
        if run and ln.top - run[-1].bottom > 4 * ln.size:
            flush()
            run = []
        run.append(ln)
    flush()
    return regions


def _stream_rows(lines: Sequence[Line], xs: list[float], rule_ys: list[float],
                 top: float, bottom: float) -> list[float]:
    """Return the y edges of a stream table's rows: its rules, or lines opening a first-column entry."""
    if len(rule_ys) >= 4:
        return rule_ys
    ys = list(rule_ys) or [top]
    prev: Line | None = None
    for ln in lines:
        starts_first = ln.x0 < xs[1]
        gap = prev is not None and ln.top - prev.bottom > 0.5 * ln.size
        if prev is not None and (starts_first or gap) and all(abs(ln.top - 1 - y) > 2 for y in ys):
            ys.append(ln.top - 1)
        prev = ln
    ys.append(bottom)
    return cluster_values(ys)


def _stream_grid(lines: Sequence[Line], xs: list[float], ys: list[float]) -> Grid:
    """Given a region's lines and its column and row edges, return the stream grid: one cell per
    column in each row, neighbours merged where a word, or a run of words one word space apart
    (a title written across columns), straddles their edge."""
    cells: list[GridCell] = []
    for r in range(len(ys) - 1):
        joined = list(range(len(xs) - 1))  # union-find light: each column's group leader
        for ln in lines:
            if not (ys[r] <= (ln.top + ln.bottom) / 2 < ys[r + 1]):
                continue
            for x0, x1 in _segments(ln, STREAM_WORD_GAP_EMS):  # runs of words a word space apart
                a = bisect_right(xs, x0 + 0.5) - 1
                b = bisect_right(xs, x1 - 0.5) - 1
                for c in range(max(a, 0) + 1, min(b, len(xs) - 2) + 1):
                    joined[c] = joined[c - 1]
        n, start = len(xs) - 1, 0
        for c in range(1, n + 1):
            if c == n or joined[c] != joined[c - 1]:
                cells.append(GridCell(r, r + 1, start, c, (xs[start], ys[r], xs[c], ys[r + 1])))
                start = c
    return Grid(xs=xs, ys=ys, cells=cells, method="stream")


def _crosses(line: Line, xs: Sequence[float]) -> bool:
    """Return whether a word of ``line`` straddles one of the inner column edges ``xs``."""
    return any(w.x0 < x < w.x1 for w in line.words for x in xs)


def _extend_down(lines: Sequence[Line], region: list[Line], seps: list[float]) -> list[Line]:
    """Add to a text-aligned region the lines just below it that stay inside its columns."""
    out = list(region)
    k = lines.index(region[-1]) + 1 if region[-1] in lines else len(lines)
    while k < len(lines):
        ln = lines[k]
        if ln.top - out[-1].bottom > 0.8 * ln.size or _crosses(ln, seps):
            break
        out.append(ln)
        k += 1
    return out


def stream_grids(page: Any, words: Sequence[Word], taken: Sequence[Grid]) -> list[Grid]:
    """Given a page, its words outside ruled tables and those tables, return text-aligned tables."""
    lines = group_lines(words)
    if len(lines) < 3:
        return []
    regions = _rule_regions(page.edges, float(page.width), taken) + _text_regions(lines)
    grids: list[Grid] = []
    for x0, top, x1, bottom, rule_ys in regions:
        if any(g.ys[0] < bottom and top < g.ys[-1] and g.xs[0] < x1 and x0 < g.xs[-1] for g in grids):
            continue
        inside = [ln for ln in lines if top <= (ln.top + ln.bottom) / 2 <= bottom
                  and ln.x0 >= x0 - 3 and ln.x1 <= x1 + 3]
        if len(inside) < 2:
            continue
        seps = column_separators(inside, x0, x1)
        if len(seps) + 1 < STREAM_MIN_COLS:
            continue
        if not rule_ys:  # no rules: the table ends where lines stop fitting its columns
            inside = _extend_down(lines, inside, seps)
            bottom = inside[-1].bottom + 1
            x0, x1 = min(x0, min(ln.x0 for ln in inside)), max(x1, max(ln.x1 for ln in inside))
        xs = [x0 - 1, *seps, x1 + 1]
        ys = _stream_rows(inside, xs, rule_ys, top, bottom)
        if len(ys) >= 3:
            grids.append(_stream_grid(inside, xs, ys))
    return grids
