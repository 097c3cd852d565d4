"""Turn the words Tesseract read on a page into the document model: table pieces and paragraphs.

Words whose centre falls in a grid cell become that cell's text (lines grouped, wraps joined the
way the typed-PDF loader does it, see :mod:`tthc_extract.loaders.pdf_text`); the cell's confidence
is the mean of its words' confidences. The other words are laid out as paragraphs with the same
two-column block logic as typed PDFs. Geometry is kept: every box is converted from pixels of the
upright image back to points on the original page (origin top-left).
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import regex as re

from tthc_extract.layout.grid import Grid, GridCell, rows_from_spans
from tthc_extract.layout.paragraphs import join_lines, layout_blocks
from tthc_extract.layout.stream import stream_grids
from tthc_extract.layout.words import Line, Word, group_lines
from tthc_extract.model.document import BBox, Block, Table
from tthc_extract.ocr.grid import PixelGrid
from tthc_extract.ocr.tesseract import OcrWord

# Word boxes are rebuilt the way a PDF draws glyph boxes (the typed-PDF layout rules expect that):
# from the line's baseline up by the font's ascent and down by its descent (Times-like metrics),
# with the font size taken from Tesseract's per-line estimate ``x_size`` (about 0.95 em).
X_SIZE_TO_EM = 1.05
ASCENT = 0.89
DESCENT = 0.22
SAME_SIZE = 0.15  # line sizes within this share of the page's median are taken to be that size
# Tesseract's words are words: two of them on one line are always joined by a space, so they are
# kept at least this many font sizes apart (the layout joins closer pieces without one).
MIN_WORD_GAP = 0.15
BAND_SLACK = 0.5  # a line's baseline may sit this share of its ink's height below the ink (no descenders)
MAX_PADDING_PT = 10.0
# A column-number row ("(1) | (2) | ... | (6)" under a header): short cells, at least this share
# of them read as their own column's number; the others are misreads of theirs ("q)", "G)", "@)").
NUMBER_ROW_SHARE = 0.5
NUMBER_ROW_MAX_CHARS = 5
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?$")
# Tesseract does not tell bold from regular; the table reader needs it to tell an unruled header
# from the body under it. A word is bold when its strokes (the mean distance of its ink pixels to
# the background) are this many times as thick as the page's median word's: on the probe scans
# bold header words measure 1.37-1.60 px at 200 dpi, regular body words 1.07-1.26 (median ~1.15).
BOLD_STROKE = 1.15  # (the median word of a line decides for the whole line)
INK_LEVEL = 140  # grey level below which a pixel is ink
# Rules are painted white before the page is read, so a word made of rule strokes only is noise
# Tesseract read in a white gap ("_" between a row number and its task), not text; left in, it
# would bridge two columns of a table without vertical rules.
RULE_MARKS = frozenset("_|")


@dataclass
class PageFrame:
    """How pixels of the upright page image map to points on the original page."""

    scale: float  # points per pixel
    inverse: np.ndarray  # 2x3 affine: upright image pixels -> original image pixels

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Return the original-page point (in points) of an upright-image pixel."""
        m = self.inverse
        ox = m[0, 0] * x + m[0, 1] * y + m[0, 2]
        oy = m[1, 0] * x + m[1, 1] * y + m[1, 2]
        return ox * self.scale, oy * self.scale

    def bbox(self, x0: float, y0: float, x1: float, y1: float) -> BBox:
        """Return the original-page box (points) of an upright-image pixel box (same size, moved;
        width and height swapped when the page was read turned by 90 degrees)."""
        cx, cy = self.point((x0 + x1) / 2, (y0 + y1) / 2)
        hw, hh = (x1 - x0) * self.scale / 2, (y1 - y0) * self.scale / 2
        if abs(self.inverse[0, 1]) > abs(self.inverse[0, 0]):  # the page was read turned sideways
            hw, hh = hh, hw
        return BBox(x0=round(cx - hw, 2), top=round(cy - hh, 2), x1=round(cx + hw, 2), bottom=round(cy + hh, 2))


@dataclass(slots=True)
class PlacedWord:
    """An OCR word converted for layout: the layout word (points, upright page), its confidence,
    and the centre of its ink (pixels), which decides the cell it belongs to."""

    word: Word
    conf: float
    cx: float
    cy: float


def to_layout_words(words: Sequence[OcrWord], scale: float) -> list[PlacedWord]:
    """Given OCR words (pixels), return layout words in points with font-like boxes and sizes.

    Line sizes close to the page's median are snapped to it: OCR estimates vary by a point from
    line to line, and the paragraph logic reads a size change as a new paragraph.
    """
    if not words:
        return []
    median = statistics.median(w.x_size for w in words if w.x_size > 0) if any(w.x_size > 0 for w in words) else 0.0
    out: list[PlacedWord] = []
    for w in words:
        px = w.x_size if w.x_size > 0 else float(w.height)
        if median and abs(px - median) <= SAME_SIZE * median:
            px = median
        em = px * X_SIZE_TO_EM
        mid = (w.top + w.bottom) / 2
        base = w.baseline if w.baseline else float(w.bottom)
        if not base - ASCENT * em <= mid <= base:  # a line baseline that misses this word
            base = float(w.bottom)
        top, bottom = base - ASCENT * em, base + DESCENT * em
        out.append(PlacedWord(Word(w.text, w.left * scale, w.right * scale, top * scale, bottom * scale,
                                   round(em * scale, 1), False), w.conf, (w.left + w.right) / 2, mid))
    _keep_apart(words, out)
    return out


def stroke_widths(gray: np.ndarray, words: Sequence[OcrWord]) -> list[float]:
    """Return each word's stroke thickness: the mean distance (pixels) of its ink to the page
    (the box's edge counts as page: the box is framed by one pixel of it)."""
    out: list[float] = []
    grey8 = gray.dtype == np.uint8  # then "< INK_LEVEL" is "<= INK_LEVEL - 1", which cv2.threshold does faster
    for w in words:
        crop = gray[max(w.top, 0):w.bottom, max(w.left, 0):w.right]
        if crop.size == 0:
            out.append(0.0)
            continue
        inside = (cv2.threshold(crop, INK_LEVEL - 1, 1, cv2.THRESH_BINARY_INV)[1] if grey8
                  else (crop < INK_LEVEL).astype(np.uint8))
        if not cv2.countNonZero(inside):
            out.append(0.0)
            continue
        ink = cv2.copyMakeBorder(inside, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        dist = cv2.distanceTransform(ink, cv2.DIST_L2, 3)[ink > 0]
        # ndarray.mean's own arithmetic (a float32 sum over an intp count), without its overhead
        out.append(float(dist.dtype.type(np.add.reduce(dist) / np.intp(dist.size))))
    return out


def text_grids(gray: np.ndarray, words: Sequence[OcrWord], rules: Sequence[tuple[float, float, float]],
               lattice: Sequence[PixelGrid], scale: float) -> list[PixelGrid]:
    """Return a page's tables that are not a grid of rules (horizontal rules only, header rules
    only, none), found by the typed-PDF reader's recogniser (:func:`layout.stream.stream_grids`).

    The OCR words outside the ruled tables and the horizontal rules (pixels) are converted to
    points, as a typed PDF gives them, the words' weight judged from their strokes; the grids found
    come back in pixels, for the cell re-read.
    """
    taken = [Grid(xs=[x * scale for x in g.xs], ys=[y * scale for y in g.ys], cells=[], method=g.method)
             for g in lattice]
    placed = to_layout_words(words, scale)
    strokes = stroke_widths(gray, words)
    typical = statistics.median(strokes) if strokes else 0.0
    by_line: dict[tuple[int, int, int], list[int]] = {}
    for i, w in enumerate(words):
        by_line.setdefault(w.line_key, []).append(i)
    groups = list(by_line.values())
    bands = _line_bands([[words[i] for i in idx] for idx in groups])
    for idx, (top, bottom) in zip(groups, bands, strict=True):  # one weight per OCR line (a short word's
        bold = statistics.median(strokes[i] for i in idx) >= BOLD_STROKE * typical  # strokes: a poor sample)
        for i in idx:
            placed[i].word.bold = bold
            # the ink's own height for finding the table; one band per line for parting its rows
            placed[i].word.top, placed[i].word.bottom = words[i].top * scale, words[i].bottom * scale
            placed[i].word.band = (top * scale, bottom * scale)
    outside = [pw.word for pw, w in zip(placed, words, strict=True) if not set(w.text) <= RULE_MARKS
               and not any(g.box[0] <= pw.cx <= g.box[2] and g.box[1] <= pw.cy <= g.box[3] for g in lattice)]
    edges = [{"orientation": "h", "top": y * scale, "x0": x0 * scale, "x1": x1 * scale} for y, x0, x1 in rules]
    out: list[PixelGrid] = []
    for g in stream_grids(edges, gray.shape[1] * scale, outside, taken):
        cells = [GridCell(c.r0, c.r1, c.c0, c.c1, (round(c.bbox[0] / scale), round(c.bbox[1] / scale),
                                                  round(c.bbox[2] / scale), round(c.bbox[3] / scale)))
                 for c in g.cells]
        out.append(PixelGrid(xs=[x / scale for x in g.xs], ys=[y / scale for y in g.ys], cells=cells,
                             closed_top=g.closed_top, closed_bottom=g.closed_bottom, method=g.method))
    return out


def _line_bands(lines: Sequence[Sequence[OcrWord]]) -> list[tuple[float, float]]:
    """Return the top and bottom (pixels) that stand for each OCR line's words when rows are parted.

    The white bands between lines are what parts unruled rows, so every line of a page gets a band
    of one height around its baseline, as a typed PDF's font boxes are: the ink's own extent varies
    with the letters (a line "TTHC năm 2023." has no descenders and no stacked tone marks, so its
    gap to the line above looked like a row break), and a box rebuilt from each line's size estimate
    may overlap the next line's. The band reaches as far above and below the baseline as the page's
    lines' ink does in the median. A line without a baseline that fits its ink keeps its ink's extent.
    """
    inks = [(float(min(w.top for w in ln)), float(max(w.bottom for w in ln))) for ln in lines]
    bases: list[float | None] = []
    for ln, (top, bottom) in zip(lines, inks, strict=True):
        b = sorted(w.baseline for w in ln if w.baseline)
        base = b[len(b) // 2] if b else None
        bases.append(base if base is not None and top < base <= bottom + (bottom - top) * BAND_SLACK else None)
    ups = [base - top for base, (top, _) in zip(bases, inks, strict=True) if base is not None]
    downs = [max(bottom - base, 0.0) for base, (_, bottom) in zip(bases, inks, strict=True) if base is not None]
    if not ups:
        return inks
    up, down = statistics.median(ups), statistics.median(downs)
    return [ink if base is None else (base - up, base + down) for base, ink in zip(bases, inks, strict=True)]


def _keep_apart(words: Sequence[OcrWord], placed: Sequence[PlacedWord]) -> None:
    """Move the facing edges of neighbouring words of one OCR line apart to MIN_WORD_GAP."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w, pw in zip(words, placed, strict=True):
        lines.setdefault(w.line_key, []).append(pw.word)
    for ws in lines.values():
        ws.sort(key=lambda w: w.x0)
        for a, b in zip(ws, ws[1:], strict=False):
            gap = MIN_WORD_GAP * max(a.size, b.size)
            if b.x0 - a.x1 < gap and b.x0 > a.x0:
                mid = (a.x1 + b.x0) / 2
                a.x1 = max(a.x0 + 0.1, min(a.x1, mid - gap / 2))
                b.x0 = min(b.x1 - 0.1, max(b.x0, mid + gap / 2))


def _owner_map(grid: PixelGrid) -> list[list[int]]:
    """Return, per grid row and column, the index of the cell covering it (-1 for none)."""
    m = [[-1] * (len(grid.xs) - 1) for _ in range(len(grid.ys) - 1)]
    for k, c in enumerate(grid.cells):
        for r in range(c.r0, c.r1):
            for col in range(c.c0, c.c1):
                m[r][col] = k
    return m


def assign_to_cells(grids: Sequence[PixelGrid],
                    words: Sequence[PlacedWord]) -> tuple[list[list[list[PlacedWord]]], list[PlacedWord]]:
    """Put each word into the grid cell holding its centre; return per-grid cell words and the rest."""
    per_grid: list[list[list[PlacedWord]]] = [[[] for _ in g.cells] for g in grids]
    owners = [_owner_map(g) for g in grids]
    rest: list[PlacedWord] = []
    for pw in words:
        cx, cy = pw.cx, pw.cy
        for gi, g in enumerate(grids):
            if not (g.xs[0] <= cx <= g.xs[-1] and g.ys[0] <= cy <= g.ys[-1]):
                continue
            r = min(max(bisect_right(g.ys, cy) - 1, 0), len(g.ys) - 2)
            col = min(max(bisect_right(g.xs, cx) - 1, 0), len(g.xs) - 2)
            k = owners[gi][r][col]
            if k >= 0:
                per_grid[gi][k].append(pw)
                break
        else:
            rest.append(pw)
    return per_grid, rest


def cell_text(words: Sequence[PlacedWord], box_pt: tuple[float, float, float, float], pad: float) -> str:
    """Given a cell's words and its inner box in points, return its text (wraps joined)."""
    if not words:
        return ""
    lines: list[Line] = group_lines(pw.word for pw in words)
    return join_lines(lines, box_pt[0] + pad, box_pt[2] - pad)


def _padding(grid: PixelGrid, cells: Sequence[Sequence[PlacedWord]], scale: float) -> float:
    """Return the table's inner cell padding (points): the smallest gap from a cell edge to its text."""
    gaps = [min(pw.word.x0 for pw in ws) - c.bbox[0] * scale for c, ws in zip(grid.cells, cells, strict=True) if ws]
    return min(max(min(gaps, default=2.0), 0.0), MAX_PADDING_PT)


def fix_number_rows(grid: PixelGrid, texts: list[str]) -> None:
    """Rewrite misread cells of column-number rows to their column's number (in place).

    In a row of one-column cells that all hold a short token, where at least NUMBER_ROW_SHARE of
    them read as their own column's number ("(2)" in column 2), the others are that too: bold
    digits in brackets are among Tesseract's worst misreads ("(1)" -> "q)", "(5)" -> "G)").
    """
    rows: dict[int, list[int]] = {}
    for k, c in enumerate(grid.cells):
        rows.setdefault(c.r0, []).append(k)
    n_cols = len(grid.xs) - 1
    for ks in rows.values():
        cells = [grid.cells[k] for k in ks]
        if n_cols < 3 or len(ks) != n_cols or any(c.r1 - c.r0 != 1 or c.c1 - c.c0 != 1 for c in cells):
            continue
        toks = [texts[k].strip() for k in ks]
        if any(not t or len(t) > NUMBER_ROW_MAX_CHARS or " " in t for t in toks):
            continue
        hits = [(c, m) for c, t in zip(cells, toks, strict=True) if (m := _COLUMN_NUMBER.match(t))
                and int(m.group(1)) == c.c0 + 1]
        if len(hits) < max(2, NUMBER_ROW_SHARE * n_cols):
            continue
        brackets = sum(1 for _, m in hits if m.group(0).startswith("(")) * 2 >= len(hits)
        for k, c in zip(ks, cells, strict=True):
            texts[k] = f"({c.c0 + 1})" if brackets else str(c.c0 + 1)


def grid_to_table(grid: PixelGrid, cells: Sequence[Sequence[PlacedWord]], page_no: int,
                  frame: PageFrame) -> Table:
    """Given a grid and its cells' words, return the table piece (merge conventions of the model)."""
    s = frame.scale
    pad = _padding(grid, cells, s)
    texts: list[str] = []
    confs: list[float | None] = []
    for c, ws in zip(grid.cells, cells, strict=True):
        x0, y0, x1, y1 = c.bbox
        texts.append(cell_text(ws, (x0 * s, y0 * s, x1 * s, y1 * s), pad))
        confs.append(round(sum(pw.conf for pw in ws) / len(ws), 3) if ws else None)
    fix_number_rows(grid, texts)
    rows = rows_from_spans(len(grid.ys) - 1, grid.cells, texts, page_no, lambda k: frame.bbox(*grid.cells[k].bbox),
                           lambda r: frame.bbox(grid.xs[0], grid.ys[r], grid.xs[-1], grid.ys[r + 1]), confs)
    return Table(rows=rows, n_cols=len(grid.xs) - 1, page=page_no, method=f"ocr-{grid.method}",
                 bbox=frame.bbox(*grid.box))


def page_blocks(grids: Sequence[PixelGrid], words: Sequence[OcrWord], page_no: int,
                frame: PageFrame) -> tuple[list[Block], list[tuple[Table, PixelGrid]]]:
    """Given a page's grids and OCR words, return its paragraphs and table pieces in reading
    order, and each table piece with the grid it was read from."""
    placed = to_layout_words(words, frame.scale)
    per_grid, rest = assign_to_cells(grids, placed)
    items: list[tuple[float, list[Block]]] = []
    for top, paras in layout_blocks(group_lines(pw.word for pw in rest), page_no):
        for p in paras:
            if p.prov is not None and p.prov.bbox is not None:
                b = p.prov.bbox
                p.prov.bbox = frame.bbox(b.x0 / frame.scale, b.top / frame.scale,
                                         b.x1 / frame.scale, b.bottom / frame.scale)
        items.append((top, list(paras)))
    pieces: list[tuple[Table, PixelGrid]] = []
    for g, cells in zip(grids, per_grid, strict=True):
        if any(cells):
            table = grid_to_table(g, cells, page_no, frame)
            pieces.append((table, g))
            items.append((g.ys[0] * frame.scale, [table]))
    items.sort(key=lambda t: t[0])
    return [b for _, blocks in items for b in blocks], pieces
