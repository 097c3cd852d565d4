"""Tables without a full grid of rules: the structure read from the words and whatever rules exist.

One recogniser for tables ruled by horizontal lines only, by header rules only, or not ruled at all.
Columns come from the header row's cells (the x-extents of its words) with each boundary put where
the body's words leave a white gap, rows from the horizontal rules where they exist and from the
lines' left column and vertical gaps where they do not. A rule drawn under only some columns cuts
only those: the cells it leaves uncut (an STT and task centred over their sub-rows) are merged, as a
ruled grid would have them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tthc_extract.layout.grid import Grid, GridCell, cluster_values
from tthc_extract.layout.words import Line, Word, group_lines
from tthc_extract.settings import current

# A text-aligned table needs at least the ``tables.min_columns`` setting's columns.
STREAM_MIN_RULE_SHARE = 0.3  # horizontal rules shorter than this share of the page width are ignored
STREAM_SEG_GAP_EMS = 1.0  # gap (in font sizes) that separates two cells on one line
STREAM_SPAN_SHARE = 0.5  # a line segment wider than this share of the region spans columns
# The narrowest white-space column accepted as a column separator: the ``tables.min_column_gap``
# setting (points) and STREAM_MIN_GAP_EMS font sizes (wider than a word space).
STREAM_MIN_GAP_EMS = 0.5
STREAM_WORD_GAP_EMS = 0.4  # gap (in font sizes) up to which two words are one run of text
STREAM_CROSS_SHARE = 0.15  # a white-space column may be cut by this share of the lines (spanning titles)
STREAM_MIN_RULE_LENGTH = 10.0  # points: shorter horizontal edges are glyph parts or decorations
STREAM_JOIN_TOL = 1.0  # points: rule pieces this close in height and end to end are one rule
STREAM_CUT_SHARE = 0.5  # a rule cuts a column when it covers this share of the column's width
STREAM_HEAD_GAP_EMS = 0.5  # an unruled header's wrapped title lines sit closer than this (font sizes)
STREAM_PAD_EMS = 0.4  # a cell's inner padding, in font sizes (Word's default 0.19 cm at 13 pt)
STREAM_ROW_GAP_LEAD = 1.6  # unruled rows: a white band this many times a cell's leading parts rows
STREAM_ROW_GAP_EMS = 0.35  # ... and at least this many font sizes tall
STREAM_NEXT_GAP_EMS = 1.0  # a line further below a table than this (font sizes) is not part of it
STREAM_TITLE_LINES = 2  # ... nor more lines than this in a row written across its columns
STREAM_CARRY_TOL = 6.0  # points: a continuation's table edges agree with the previous page's within this


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
    min_gap = max(current().tables.min_column_gap, STREAM_MIN_GAP_EMS * sizes[len(sizes) // 2])
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


Rule = tuple[float, float, float]  # a horizontal rule: (y, x0, x1)


@dataclass
class _Region:
    """Where a table may lie: its box and every horizontal rule inside it (any length)."""

    x0: float
    top: float
    x1: float
    bottom: float
    rules: list[Rule] = field(default_factory=list)


def page_rules(edges: Sequence[dict[str, Any]], taken: Sequence[Grid]) -> list[Rule]:
    """Return a page's horizontal rules, top to bottom, outside the tables already found.

    Pieces drawn end to end at one height (a browser draws each cell's border as its own thin
    box) are joined into one rule; short pieces count only once joined.
    """
    pieces = sorted((float(e["top"]), float(e["x0"]), float(e["x1"])) for e in edges if e["orientation"] == "h")
    joined: list[Rule] = []
    for y, x0, x1 in pieces:
        if joined and abs(joined[-1][0] - y) <= STREAM_JOIN_TOL and x0 <= joined[-1][2] + STREAM_JOIN_TOL:
            joined[-1] = (joined[-1][0], joined[-1][1], max(joined[-1][2], x1))
        else:
            joined.append((y, x0, x1))
    return sorted(
        (y, x0, x1) for y, x0, x1 in joined
        if x1 - x0 >= STREAM_MIN_RULE_LENGTH
        and not any(g.xs[0] - 3 <= x0 and x1 <= g.xs[-1] + 3 and g.ys[0] - 3 <= y <= g.ys[-1] + 3
                    for g in taken))


def _rule_regions(rules: Sequence[Rule], page_width: float) -> list[_Region]:
    """Return regions bounded by two or more stacked long horizontal rules, with all their rules."""
    regions: list[_Region] = []
    group: list[Rule] = []

    def flush() -> None:
        ys = cluster_values([r[0] for r in group])
        if len(ys) >= 2:
            x0, x1 = min(r[1] for r in group), max(r[2] for r in group)
            inner = [r for r in rules if x0 - 3 <= r[1] and r[2] <= x1 + 3 and ys[0] - 1 <= r[0] <= ys[-1] + 1]
            regions.append(_Region(x0, ys[0], x1, ys[-1], inner))

    for r in rules:
        if r[2] - r[1] < STREAM_MIN_RULE_SHARE * page_width:
            continue
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


def _text_regions(lines: Sequence[Line]) -> list[_Region]:
    """Return regions of consecutive lines that are cut into three or more runs by wide gaps."""
    min_cols = current().tables.min_columns
    cand = [ln for ln in lines if len(_segments(ln, STREAM_SEG_GAP_EMS)) >= min_cols]
    regions: list[_Region] = []
    run: list[Line] = []

    def flush() -> None:
        if len(run) >= 3:
            inside = [ln for ln in lines if run[0].top <= ln.top and ln.bottom <= run[-1].bottom]
            regions.append(_Region(min(ln.x0 for ln in inside), run[0].top - 1,
                                   max(ln.x1 for ln in inside), run[-1].bottom + 1))

    for ln in cand:
        if run and ln.band_top - run[-1].band_bottom > 4 * ln.size:
            flush()
            run = []
        run.append(ln)
    flush()
    return regions


def _mid(line: Line) -> float:
    """Return the vertical middle of a line."""
    return (line.top + line.bottom) / 2


def _header_lines(inside: Sequence[Line], rule_ys: Sequence[float]) -> list[Line]:
    """Return the lines of a region's header: those between its first two rules, or without rules
    the first line and the lines set tight under it in the same weight (a wrapped title), up to a
    line with a run of words wider than a column can be (a bold section title right under the
    header: a header's titles wrap inside their columns)."""
    if len(rule_ys) >= 2:
        return [ln for ln in inside if rule_ys[0] < _mid(ln) < rule_ys[1]]
    head = [inside[0]]
    bold = all(w.bold for w in inside[0].words)
    widest = STREAM_SPAN_SHARE * (max(ln.x1 for ln in inside) - min(ln.x0 for ln in inside))
    for ln in inside[1:]:
        if ln.band_top - head[-1].band_bottom > STREAM_HEAD_GAP_EMS * ln.size or all(w.bold for w in ln.words) != bold:
            break
        if any(b - a > widest for a, b in _segments(ln, STREAM_WORD_GAP_EMS)):
            break
        head.append(ln)
    return head if bold else head[:1]


def header_cells(head: Sequence[Line]) -> list[tuple[float, float]]:
    """Return the x-extents of a header's cells: its words' extents over all its lines, merged
    where less than a font size of white separates them (the words of one title)."""
    spans = sorted((w.x0, w.x1, w.size) for ln in head for w in ln.words)
    out: list[tuple[float, float]] = []
    for x0, x1, size in spans:
        if out and x0 - out[-1][1] < STREAM_SEG_GAP_EMS * size:
            out[-1] = (out[-1][0], max(out[-1][1], x1))
        else:
            out.append((x0, x1))
    return out


def _white_stretch(a: float, b: float, voters: Sequence[Line], min_width: float) -> tuple[float, float]:
    """Return the stretch between ``a`` and ``b`` crossed by the fewest words of ``voters``, the
    widest of those; stretches narrower than ``min_width`` (word spaces that happen to line up
    over a few lines) count only when there is nothing wider."""
    ivs = [(max(w.x0, a), min(w.x1, b)) for ln in voters for w in ln.words if w.x1 > a and w.x0 < b]
    points = sorted({a, b, *(p for iv in ivs for p in iv)})
    runs: list[tuple[int, float, float]] = []  # (depth, x0, x1), neighbours of one depth merged
    for p, q in zip(points, points[1:], strict=False):
        d = sum(1 for s, e in ivs if s <= (p + q) / 2 < e)
        if runs and runs[-1][0] == d:
            runs[-1] = (d, runs[-1][1], q)
        else:
            runs.append((d, p, q))
    if not runs:
        return (a, b)
    wide = [r for r in runs if r[2] - r[1] >= min_width] or runs
    best = min(wide, key=lambda r: (r[0], r[1] - r[2]))
    return (best[1], best[2])


def _cut(lo: float, hi: float, size: float) -> float:
    """Return where a column boundary goes in the white stretch ``lo``..``hi`` between two columns.

    One cell padding left of the stretch's right end (where the next column's text starts, padding
    in from its edge), but not left of the stretch's middle: the text of the column before may run
    up to its own padding, and a centred column's text starts further in.
    """
    return max((lo + hi) / 2, hi - STREAM_PAD_EMS * size)


def _is_title(line: Line, gaps: Sequence[tuple[float, float]]) -> bool:
    """Return whether a line runs, words a word space apart, across two or more of the header's
    gaps: a section title written across the table, which says nothing about its columns."""
    return any(sum(1 for a, b in gaps if x0 < a and b < x1) >= 2
               for x0, x1 in _segments(line, STREAM_WORD_GAP_EMS))


def _columns(head: Sequence[Line], inside: Sequence[Line], x0: float, x1: float,
             carry: Sequence[Grid]) -> tuple[list[float], list[tuple[float, float, float, float]]]:
    """Return the inner column boundaries of a region, with the white stretch and header gap
    each was chosen in.

    Each pair of header cells gets a boundary in the white the body's words leave between them. A
    table continued from the previous page (same left and right edges, no word of its first lines
    straddling the old boundaries) keeps the old header gaps and narrows the old white stretches
    by this page's words, so one page's short texts do not decide for the whole table. Without a
    header of three or more cells the boundaries are the white-space columns of all its lines.
    """
    body = [ln for ln in inside if ln not in head]
    sizes = sorted(w.size for ln in body or inside for w in ln.words)
    size = sizes[len(sizes) // 2]
    for g in carry:
        if (g.white and abs(g.xs[0] - x0) <= STREAM_CARRY_TOL and abs(g.xs[-1] - x1) <= STREAM_CARRY_TOL
                and not any(_crosses(ln, g.xs[1:-1]) for ln in head or inside[:1])):
            white = []
            body = [ln for ln in body if not _is_title(ln, [(a, b) for _, _, a, b in g.white])]
            for lo, hi, a, b in g.white:
                nlo, nhi = _white_stretch(a, b, body, STREAM_MIN_GAP_EMS * size)
                if max(lo, nlo) < min(hi, nhi):
                    nlo, nhi = max(lo, nlo), min(hi, nhi)
                white.append((nlo, nhi, a, b))
            return [_cut(lo, hi, size) for lo, hi, _, _ in white], white
    cells = header_cells(head)
    if len(cells) >= current().tables.min_columns:
        gaps = [(p[1], q[0]) for p, q in zip(cells, cells[1:], strict=False)]
        body = [ln for ln in body if not _is_title(ln, gaps)]
        white = [(*_white_stretch(p[1], q[0], body, STREAM_MIN_GAP_EMS * size), p[1], q[0])
                 for p, q in zip(cells, cells[1:], strict=False)]
        return [_cut(lo, hi, size) for lo, hi, _, _ in white], white
    return column_separators(inside, x0, x1), []


def _row_gaps(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """Return the white bands across all columns, between ``lines``' words, that part two rows:
    taller than the leading between the lines of one cell (a cell's padding and spacing add to
    it) and than a fixed share of the font size."""
    spans = sorted(w.band or (w.top, w.bottom) for ln in lines for w in ln.words)
    bands: list[list[float]] = []
    for t, b in spans:
        if bands and t <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], b)
        else:
            bands.append([t, b])
    gaps = [(p[1], q[0]) for p, q in zip(bands, bands[1:], strict=False)]
    if not gaps:
        return []
    sizes = sorted(w.size for ln in lines for w in ln.words)
    heights = sorted(b - a for a, b in gaps)
    least = max(STREAM_ROW_GAP_LEAD * heights[len(heights) // 4], STREAM_ROW_GAP_EMS * sizes[len(sizes) // 2])
    return [(a, b) for a, b in gaps if b - a > least]


def _stream_rows(lines: Sequence[Line], xs: list[float], top: float, bottom: float) -> list[float]:
    """Return the y edges of unruled rows: at the white bands that part rows (a centred STT or
    deadline sits inside its row's band, so it stays with the row); when no band stands out
    (rows set tight), at each line that opens a first-column entry."""
    cuts = [(a + b) / 2 for a, b in _row_gaps(lines)]
    if cuts:
        return cluster_values([top, *cuts, bottom])
    ys = [top]
    prev: Line | None = None
    for ln in lines:
        if prev is not None and ln.x0 < xs[1] and all(abs(ln.top - 1 - y) > 2 for y in ys):
            ys.append(ln.top - 1)
        prev = ln
    ys.append(bottom)
    return cluster_values(ys)


def _split_ruled(lines: Sequence[Line], xs: Sequence[float], ys: list[float]) -> list[float]:
    """Return the row edges of a ruled body with the rows no rule parts added (a table shaded on
    every other row has no edge between two unshaded ones): a white band that parts rows, with
    text in the first column of the row under it."""
    extra: list[float] = []
    gaps = _row_gaps(lines)
    for k, (a, b) in enumerate(gaps):
        if any(abs(y - (a + b) / 2) < b - a for y in ys):
            continue
        end = gaps[k + 1][0] if k + 1 < len(gaps) else float("inf")
        end = min([end, *(y for y in ys if y > b)])
        if any(b - 0.5 <= w.top < end and (w.x0 + w.x1) / 2 < xs[1] for ln in lines for w in ln.words):
            extra.append((a + b) / 2)
    return sorted(ys + extra)


def _cuts(rules: Sequence[Rule], ys: Sequence[float], xs: Sequence[float]) -> list[list[bool]]:
    """Return, for each row edge, which columns a rule at that height cuts (covers most of)."""
    out: list[list[bool]] = []
    for y in ys:
        segs = [(r[1], r[2]) for r in rules if abs(r[0] - y) <= 2.0]
        row = []
        for c in range(len(xs) - 1):
            a, b = xs[c], xs[c + 1]
            covered = sum(max(0.0, min(b, s1) - max(a, s0)) for s0, s1 in segs)
            row.append(covered >= STREAM_CUT_SHARE * (b - a))
        out.append(row)
    return out


def _build_grid(lines: Sequence[Line], xs: list[float], ys: list[float], cuts: list[list[bool]],
                method: str) -> Grid:
    """Given a region's lines, its column and row edges and which columns each row edge cuts,
    return the grid: a column's cell runs down to the next edge that cuts it (a merge over the
    rows between), and cells of one row are joined where a run of words straddles their edge."""
    n, m = len(xs) - 1, len(ys) - 1
    cuts[0] = [True] * n
    cuts[m] = [True] * n
    spans: list[dict[int, int]] = []  # per column: r0 -> r1
    for c in range(n):
        col: dict[int, int] = {}
        r0 = 0
        for r in range(1, m + 1):
            if cuts[r][c]:
                col[r0] = r
                r0 = r
        spans.append(col)
    straddle: set[tuple[int, int]] = set()  # (r0, c): the edge left of column c is crossed in the run at r0
    for ln in lines:
        r = bisect_right(ys, _mid(ln)) - 1
        if not 0 <= r < m:
            continue
        for x0, x1 in _segments(ln, STREAM_WORD_GAP_EMS):
            for c in range(1, n):
                if x0 + 0.5 < xs[c] < x1 - 0.5:
                    straddle.add((r, c))
    cells: list[GridCell] = []
    for r0 in range(m):
        c = 0
        while c < n:
            if r0 not in spans[c]:
                c += 1
                continue
            r1, start = spans[c][r0], c
            while (c + 1 < n and spans[c + 1].get(r0) == r1
                   and any((r, c + 1) in straddle for r in range(r0, r1))):
                c += 1
            cells.append(GridCell(r0, r1, start, c + 1, (xs[start], ys[r0], xs[c + 1], ys[r1])))
            c += 1
    return Grid(xs=xs, ys=ys, cells=cells, method=method)


def _stream_grid(lines: Sequence[Line], xs: list[float], ys: list[float]) -> Grid:
    """Given a region's lines and its column and row edges (every edge cutting every column),
    return the stream grid."""
    return _build_grid(lines, xs, ys, [[True] * (len(xs) - 1) for _ in ys], "stream")


def _crosses(line: Line, xs: Sequence[float]) -> bool:
    """Return whether a word of ``line`` straddles one of the inner column edges ``xs``."""
    return any(w.x0 < x < w.x1 for w in line.words for x in xs)


def _extend_down(lines: Sequence[Line], region: list[Line], seps: list[float], floor: float) -> list[Line]:
    """Add to a region the lines just below it (below its last line and ``floor``, its last rule)
    that stay inside its columns. A line or two written across the columns (a section or group
    title) are taken too when a line that fits the columns follows them closely."""
    out = list(region)
    k = lines.index(region[-1]) + 1 if region[-1] in lines else len(lines)
    while k < len(lines):
        ln = lines[k]
        if ln.band_top - max(out[-1].band_bottom, floor) > STREAM_NEXT_GAP_EMS * ln.size:
            break
        if not _crosses(ln, seps):
            out.append(ln)
            k += 1
            continue
        run = [ln]
        j = k + 1
        while j < len(lines) and len(run) <= STREAM_TITLE_LINES and _crosses(lines[j], seps) and (
                lines[j].band_top - run[-1].band_bottom <= STREAM_NEXT_GAP_EMS * lines[j].size):
            run.append(lines[j])
            j += 1
        if (j >= len(lines) or len(run) > STREAM_TITLE_LINES
                or lines[j].band_top - run[-1].band_bottom > STREAM_NEXT_GAP_EMS * lines[j].size):
            break
        out.extend(run)
        k = j
    return out


def _below(lines: Sequence[Line], region: list[Line], reg: _Region) -> list[Line]:
    """Return the lines that follow a region closely within its width (the body under a header
    ruled alone), to vote on its columns before the table's end is known."""
    out: list[Line] = []
    k = lines.index(region[-1]) + 1 if region[-1] in lines else len(lines)
    prev = max(region[-1].band_bottom, reg.bottom if reg.rules else region[-1].band_bottom)
    while k < len(lines):
        ln = lines[k]
        if ln.band_top - prev > STREAM_NEXT_GAP_EMS * ln.size or ln.x0 < reg.x0 - 3 or ln.x1 > reg.x1 + 3:
            break
        out.append(ln)
        prev = ln.band_bottom
        k += 1
    return out


def _extend_up(lines: Sequence[Line], region: list[Line]) -> list[Line]:
    """Add to an unruled region the lines set tight above its first line in the same weight: the
    upper lines of a header whose other titles are centred lower in their cells."""
    out = list(region)
    k = lines.index(region[0]) - 1 if region[0] in lines else -1
    bold = all(w.bold for w in region[0].words)
    while k >= 0:
        ln = lines[k]
        if (out[0].band_top - ln.band_bottom > STREAM_HEAD_GAP_EMS * ln.size or all(w.bold for w in ln.words) != bold
                or not bold or ln.x0 < out[0].x0 - 3 or ln.x1 > max(o.x1 for o in out) + 3):
            break
        out.insert(0, ln)
        k -= 1
    return out


def _region_grid(lines: Sequence[Line], reg: _Region, carry: Sequence[Grid]) -> Grid | None:
    """Return the table of one region, or None when its lines do not form three columns."""
    inside = [ln for ln in lines if reg.top <= _mid(ln) <= reg.bottom
              and ln.x0 >= reg.x0 - 3 and ln.x1 <= reg.x1 + 3]
    if len(inside) < (1 if reg.rules else 2):  # a header ruled alone may be one line
        return None
    rule_ys = cluster_values([r[0] for r in reg.rules])
    if not rule_ys:
        inside = _extend_up(lines, inside)
    head = _header_lines(inside, rule_ys)
    min_cols = current().tables.min_columns
    if len(header_cells(head)) < min_cols:
        head = []
    x0, x1 = reg.x0, reg.x1
    seps, white = _columns(head, inside + _below(lines, inside, reg), x0, x1, carry)
    if len(seps) + 1 < min_cols:
        return None
    grown = _extend_down(lines, inside, seps, rule_ys[-1] if rule_ys else reg.bottom)
    added = grown[len(inside):]
    if not rule_ys:  # no rules: the table ends where lines stop fitting its columns
        x0, x1 = min(x0, min(ln.x0 for ln in grown)), max(x1, max(ln.x1 for ln in grown))
        xs = [x0 - 1, *seps, x1 + 1]
        body = [ln for ln in grown if ln not in head]
        ys = [min(reg.top, grown[0].top - 1)]
        if head and body:
            ys.append((head[-1].bottom + body[0].top) / 2)
        ys = ys + _stream_rows(body, xs, ys[-1], grown[-1].bottom + 1) if body else [reg.top, grown[-1].bottom + 1]
        grid = _stream_grid(grown, xs, cluster_values(ys))
        grid.white = white
        return grid
    xs = [x0, *seps, x1]
    head_end = 1 if head else 0
    bottom = max(rule_ys[-1], grown[-1].bottom + 1)
    if len(rule_ys) - 1 - head_end >= 2:  # ruled body: a row per rule (a page-cut one below them)
        body = [ln for ln in grown if ln not in head]
        ys = _split_ruled(body, xs, list(rule_ys) + ([bottom] if added else []))
        cuts = _cuts(reg.rules, ys, xs)
        for r, y in enumerate(ys):  # a row no rule parts is parted in every column
            if y not in rule_ys:
                cuts[r] = [True] * (len(xs) - 1)
        grid = _build_grid(grown, xs, ys, cuts, "hrules")
    else:  # rules around the header only: the body's rows from its lines
        top = rule_ys[head_end]
        body = [ln for ln in grown if _mid(ln) > top]
        ys = list(rule_ys[:head_end + 1])
        if body:
            ys = cluster_values(ys + _stream_rows(body, xs, top, bottom))
        grid_cuts = _cuts(reg.rules, ys, xs)
        for r, y in enumerate(ys):  # every edge of an unruled body cuts every column
            if y > top + 0.5:
                grid_cuts[r] = [True] * (len(xs) - 1)
        grid = _build_grid(grown, xs, ys, grid_cuts, "stream")
    grid.closed_bottom = not added
    grid.white = white
    return grid


def stream_grids(edges: Sequence[dict[str, Any]], page_width: float, words: Sequence[Word],
                 taken: Sequence[Grid], carry: Sequence[Grid] = ()) -> list[Grid]:
    """Given a page's edges and width, its words outside ruled tables, those tables and the
    previous page's text-aligned tables (whose columns a continuation keeps), return the page's
    tables that are not fully ruled."""
    lines = group_lines(words)
    if len(lines) < 3:
        return []
    regions = _rule_regions(page_rules(edges, taken), page_width) + _text_regions(lines)
    grids: list[Grid] = []
    for reg in regions:
        if any(g.ys[0] < reg.bottom and reg.top < g.ys[-1] and g.xs[0] < reg.x1 and reg.x0 < g.xs[-1]
               for g in grids):
            continue
        grid = _region_grid(lines, reg, carry)
        if grid is not None and len(grid.ys) >= 3:
            grids.append(grid)
    return grids
