"""Table grids of a page image, from its ruling lines (OpenCV morphology).

The algorithm, one small function per step: ``line_masks`` (binarise, then open with a long thin
kernel: what survives a horizontal kernel longer than any letter is a horizontal rule, likewise
vertically) → ``table_regions`` (connected line structures that hold both kinds of rule) →
``region_cells`` (the white areas the rules enclose, after closing the region's outer frame so a
table cut by the page edge still has a last row) → ``cells_to_grid`` (distinct cell edges become
the grid's columns and rows; a cell covering several of them is merged across columns or rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from tthc_extract.layout.grid import GridCell, place_boxes

H_RULE_IN = 0.25  # a horizontal run at least this long (inches) is a rule, not a letter stroke
V_RULE_IN = 0.15  # the same for vertical runs (row heights are larger, letter stems smaller)
LONG_V_RULE_IN = 0.4  # a vertical run this long is a rule even if no horizontal rule meets it
TOUCH_IN = 0.03  # a vertical rule's end is this close to a horizontal rule when they meet
GAP_IN = 0.03  # breaks in a scanned rule up to this long are bridged
MIN_TABLE_W_IN = 1.0  # a line structure smaller than this is not a table
MIN_TABLE_H_IN = 0.2
MIN_CELL_IN = 0.06  # white areas thinner than this are slivers between double rules
EDGE_TOL_IN = 0.04  # cell edges closer than this are one grid line
CLOSED_SHARE = 0.6  # a frame side is a real rule when the mask covers this share of it
THRESH_BLOCK_IN = 0.15  # adaptive threshold window
THRESH_C = 15


@dataclass
class PixelGrid:
    """A table found on a page image: grid lines in pixels and the cells laid on them (the one
    :class:`~tthc_extract.layout.grid.GridCell`, its box in this grid's pixels)."""

    xs: list[float]
    ys: list[float]
    cells: list[GridCell] = field(default_factory=list)
    closed_top: bool = True  # False when no rule runs along the table's top (cut by the page)
    closed_bottom: bool = True
    method: str = "lattice"  # how it was found: "lattice" (a grid of rules) or layout.stream's name

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Return the table's box (x0, y0, x1, y1)."""
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


def _px(inches: float, dpi: float, minimum: int = 1) -> int:
    """Return a length in inches as whole pixels at ``dpi`` (at least ``minimum``)."""
    return max(minimum, round(inches * dpi))


def components(mask: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray]:
    """Given a 0/non-0 mask, return what ``cv2.connectedComponentsWithStats`` does (label count,
    int32 labels, x/y/w/h/area per label), except that the background's row of stats is zeros.

    The same labels, with the stats taken from the mask's horizontal runs (one run is one label's)
    instead of from every pixel: OpenCV's stats cost 3-5 times the labelling itself on a page.
    """
    n, labels = cv2.connectedComponents(mask, connectivity=connectivity, ltype=cv2.CV_32S)
    h, w = mask.shape
    stats = np.zeros((n, 5), np.int32)
    framed = cv2.copyMakeBorder(cv2.threshold(mask, 0, 255, cv2.THRESH_BINARY)[1], 0, 0, 1, 1, cv2.BORDER_CONSTANT, value=0)
    starts = cv2.findNonZero(cv2.compare(framed[:, 1:], framed[:, :-1], cv2.CMP_GT))
    if starts is None:
        return n, labels, stats
    ends = cv2.findNonZero(cv2.compare(framed[:, 1:], framed[:, :-1], cv2.CMP_LT))
    starts, ends = starts.reshape(-1, 2), ends.reshape(-1, 2)
    xs, ys = starts[:, 0], starts[:, 1]
    xe = ends[:, 0]  # the first x after each run (runs and ends come in the same order)
    lab = labels[ys, xs]
    left, top = np.full(n, w, np.int32), np.full(n, h, np.int32)
    right, bottom = np.zeros(n, np.int32), np.zeros(n, np.int32)
    np.minimum.at(left, lab, xs)
    np.maximum.at(right, lab, xe)
    np.minimum.at(top, lab, ys)
    np.maximum.at(bottom, lab, ys)
    stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3] = left, top, right - left, bottom + 1 - top
    stats[:, 4] = np.bincount(lab, weights=xe - xs, minlength=n)
    stats[0] = 0
    return n, labels, stats


def binarize(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Given a grey page, return its ink as 255 on 0 (adaptive threshold: uneven scan backgrounds)."""
    block = _px(THRESH_BLOCK_IN, dpi, 3) | 1
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, THRESH_C)


def line_masks(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Given a page's ink mask, return (horizontal rules, vertical rules) masks."""
    gap = _px(GAP_IN, dpi)
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (_px(H_RULE_IN, dpi), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, _px(V_RULE_IN, dpi)))
    # Open first (only long runs survive), then bridge small breaks between the surviving pieces:
    # closing first would fuse the letters of a bold line of text into a "rule".
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, hk)
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, vk)
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap + 1, 1)))
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap + 1)))
    return horiz, keep_ruled_verticals(vert, horiz, dpi)


def _meets(horiz: np.ndarray, rows: range, x: int, w: int, t: int) -> bool:
    """Return whether a horizontal rule comes within ``t`` pixels of the given rows of columns
    [x, x + w): the window of the mask grown by ``t``, instead of growing the whole mask."""
    if not rows or w <= 0:
        return False
    return bool(horiz[max(rows[0] - t, 0):rows[-1] + t + 1, max(x - t, 0):x + w + t].any())


def keep_ruled_verticals(vert: np.ndarray, horiz: np.ndarray, dpi: float) -> np.ndarray:
    """Given vertical and horizontal rule masks, return the verticals that are table rules.

    A short vertical run is a rule only when horizontal rules meet it at both ends (it spans a
    row); otherwise it is a letter stem (bold "l", "p", "Đ" over an underline) and is dropped.
    """
    n, labels, stats = components(vert)
    if n <= 1:
        return vert
    t = _px(TOUCH_IN, dpi, 2)
    rows = range(vert.shape[0])
    out = cv2.threshold(vert, 0, 255, cv2.THRESH_BINARY)[1]
    for i in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if h >= LONG_V_RULE_IN * dpi:
            continue
        if _meets(horiz, rows[y:y + t], x, w, t) and _meets(horiz, rows[y + h - t:y + h], x, w, t):
            continue
        box = out[y:y + h, x:x + w]
        box[labels[y:y + h, x:x + w] == i] = 0
    return out


def table_regions(horiz: np.ndarray, vert: np.ndarray, dpi: float) -> list[tuple[int, int, int, int, np.ndarray]]:
    """Given the rule masks, return (x, y, w, h, rules-mask crop) of each structure shaped like a table.

    A table's rules are connected and include both horizontal and vertical ones.
    """
    joined = cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8))
    n, labels, stats = components(joined)
    out: list[tuple[int, int, int, int, np.ndarray]] = []
    for i in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if w < MIN_TABLE_W_IN * dpi or h < MIN_TABLE_H_IN * dpi:
            continue
        own = labels[y:y + h, x:x + w] == i
        hv = horiz[y:y + h, x:x + w] > 0
        vv = vert[y:y + h, x:x + w] > 0
        if not (hv & own).any() or not (vv & own).any():
            continue
        crop = ((hv | vv) & own).astype(np.uint8) * 255
        out.append((x, y, w, h, crop))
    return out


def _side_closed(crop: np.ndarray, row: slice) -> bool:
    """Return whether a horizontal rule covers most of the given rows band of a region crop."""
    band = crop[row, :].max(axis=0) if crop[row, :].size else np.zeros(0)
    return bool(band.size) and float((band > 0).mean()) >= CLOSED_SHARE


def region_cells(crop: np.ndarray, dpi: float) -> tuple[list[tuple[int, int, int, int]], bool, bool]:
    """Given a table region's rules (crop), return its cell boxes and whether top/bottom are ruled.

    The crop's outer frame is drawn first, so rows left open by a page break still close.
    """
    h, w = crop.shape
    t = _px(0.02, dpi, 2)
    closed_top = _side_closed(crop, slice(0, t + 1))
    closed_bottom = _side_closed(crop, slice(max(0, h - t - 1), h))
    framed = crop.copy()
    cv2.rectangle(framed, (0, 0), (w - 1, h - 1), 255, thickness=2)
    framed = cv2.dilate(framed, np.ones((3, 3), np.uint8))
    n, _labels, stats = components(255 - framed, connectivity=4)
    min_cell = MIN_CELL_IN * dpi
    boxes: list[tuple[int, int, int, int]] = []
    for i in range(1, n):
        x, y, cw, ch, area = (int(v) for v in stats[i])
        if cw < min_cell or ch < min_cell or area < 0.6 * cw * ch:
            continue
        boxes.append((x, y, x + cw, y + ch))
    return boxes, closed_top, closed_bottom


def cells_to_grid(boxes: list[tuple[int, int, int, int]], dpi: float) -> PixelGrid | None:
    """Given cell boxes of one table, return the grid they tile, or None if it is no table.

    Neighbouring cells are separated by a rule, so a cell's left edge and its neighbour's right
    edge differ by the rule's width: both cluster into one grid line.
    """
    tol = EDGE_TOL_IN * dpi
    xs, ys, placed = place_boxes([tuple(float(v) for v in b) for b in boxes], tol)  # type: ignore[misc]
    if len(xs) < 3 or len(ys) < 2:  # one column is a frame around text, not a table
        return None
    cells = [GridCell(r0, r1, c0, c1, boxes[k]) for r0, r1, c0, c1, k in placed]
    if len(cells) < 2:
        return None
    return PixelGrid(xs=xs, ys=ys, cells=sorted(cells, key=lambda c: (c.r0, c.c0)))


def horizontal_rules(horiz: np.ndarray) -> list[tuple[float, float, float]]:
    """Given the horizontal rules mask, return each rule as (y of its middle, x0, x1) in pixels,
    top to bottom: what the text-aligned table reader (:mod:`tthc_extract.layout.stream`) takes
    from a scan where a typed PDF gives it drawn edges."""
    n, _labels, stats = components(horiz)
    rules = [(float(y) + (h - 1) / 2, float(x), float(x + w)) for x, y, w, h, _a in
             (tuple(int(v) for v in stats[i]) for i in range(1, n))]
    return sorted(rules)


def find_grids(gray: np.ndarray, dpi: float) -> tuple[list[PixelGrid], np.ndarray, list[tuple[float, float, float]]]:
    """Given a clean, upright grey page, return its ruled table grids, the mask of their rules and
    the page's horizontal rules (y, x0, x1).

    The mask (rules of the tables plus long horizontal rules anywhere) is what to paint white
    before OCR so that rules are not read as "|" or "_".
    """
    ink = binarize(gray, dpi)
    horiz, vert = line_masks(ink, dpi)
    erase = horiz.copy()
    grids: list[PixelGrid] = []
    for x, y, w, h, crop in table_regions(horiz, vert, dpi):
        boxes, closed_top, closed_bottom = region_cells(crop, dpi)
        grid = cells_to_grid([(a + x, b + y, c + x, d + y) for a, b, c, d in boxes], dpi)
        if grid is None:
            continue
        grid.closed_top, grid.closed_bottom = closed_top, closed_bottom
        grids.append(grid)
        erase[y:y + h, x:x + w] |= crop
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids, erase, horizontal_rules(horiz)
