"""Second look at table cells the full-page OCR got wrong: left empty, or read as garbage.

Tesseract's page layout analysis drops or misreads isolated short text (the row number "1" in
the middle of a tall merged STT cell), and now and then joins a line of one cell with a line of
the next cell at another height, or two tight lines of one cell into one (its word boxes are
then two lines tall), which it then reads as garbage. Such cells are cut out around their ink
and stacked into strip images, each read with one Tesseract call: cells holding a few glyphs
(row numbers) in one strip read as a uniform block (``--psm 6``, which keeps lone glyphs), cells
of text in another read with layout analysis (``--psm 4``: a uniform block would misread the
short lines next to long ones). A page thus costs at most three calls, mostly one or two. A
re-read replaces the first reading only when it is more confident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from tthc_extract.layout.grid import GridCell
from tthc_extract.ocr.grid import PixelGrid
from tthc_extract.ocr.numerals import ONE_STEM
from tthc_extract.ocr.tesseract import OcrWord, run_tesseract

INSET_IN = 0.03  # the cell's box is shrunk by this much so rule remnants stay out
MIN_GLYPH_H_IN = 0.05  # ink blobs shorter than this are specks, not characters
MARGIN_IN = 0.03  # page background kept around the ink (a glyph's faint edges and serifs)
GAP_IN = 0.2  # white space between two cut-outs in the strip
INK_LEVEL = 140  # grey level below which a pixel is ink
GARBAGE_CONF = 0.5  # a cell whose words average less than this is read again,
GARBAGE_WORD_CONF = 0.3  # ... or that has a word below this (about 1 word in 400 on the scans),
TALL_WORD = 1.35  # ... or a word this many times taller than its line's font size estimate:
# two lines read as one (words measure at most 1.11 on the corpus scans, merged ones 1.55-2.2),
SHORT_TEXT = 3  # ... or that holds at most this many characters
SHORT_CONF = 0.8  # ... with a word read with less than this confidence (a lone "T" under "ST"
# of a wrapped "STT" header comes out as "1" at 0.65 in a page read, as "T" in a glyph strip).
GLYPHS_IN = 0.6  # ink boxes no larger than this (inches, both ways) go to the glyph strip
STRIP_LINE_KEY = 10_000  # line keys of strip words start here (apart from the page's own)
# Text the page read skipped outside ruled tables (the lone row numbers and short titles of a
# table without vertical rules, whose columns the layout can then not see): ink blobs of a letter's
# height, up to LOST_MAX_H_IN tall, whose centre no word box covers, are grouped into pieces of
# text (blobs up to LOST_GAP_IN apart on one line) and read in the strips. A reading is kept when
# surer than LOST_MIN_CONF, or when it is a lone stem (a row number "1", checked from the pixels).
LOST_MAX_H_IN = 0.25
LOST_GAP_IN = 0.06
LOST_MIN_CONF = 0.5


@dataclass
class _Cut:
    """A piece of the page to read again: its box, the words it replaces, its place in the strip."""

    x0: int
    y0: int
    x1: int
    y1: int
    old: list[int] = field(default_factory=list)  # indexes of the page words it replaces
    strip_top: int = 0
    glyphs: bool = True  # a small ink box (a row number, a short header), not lines of text
    lost: bool = False  # the cell holds a glyph no word covers (a line Tesseract skipped)


def _pixels(c: GridCell) -> tuple[int, int, int, int]:
    """Return a cell's box (pixels, on a scanned page's grid) as whole pixels."""
    x0, y0, x1, y1 = (round(v) for v in c.bbox)
    return x0, y0, x1, y1


def _inner(c: GridCell, dpi: float) -> tuple[int, int, int, int] | None:
    """Return a cell's box shrunk by the inset, or None when nothing is left."""
    inset = max(1, round(INSET_IN * dpi))
    x0, y0, x1, y1 = _pixels(c)
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    return (x0, y0, x1, y1) if x1 - x0 >= 4 and y1 - y0 >= 4 else None


def _ink_box(gray: np.ndarray, box: tuple[int, int, int, int], dpi: float) -> _Cut | None:
    """Return the box around the character-sized ink inside ``box`` (with a margin), or None."""
    x0, y0, x1, y1 = box
    ink = (gray[y0:y1, x0:x1] < INK_LEVEL).astype(np.uint8)
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h_min = MIN_GLYPH_H_IN * dpi
    keep = [stats[i] for i in range(1, n) if stats[i][3] >= h_min]
    if not keep:
        return None
    m = round(MARGIN_IN * dpi)
    bx0 = max(min(int(s[0]) for s in keep) - m, 0)
    by0 = max(min(int(s[1]) for s in keep) - m, 0)
    bx1 = min(max(int(s[0] + s[2]) for s in keep) + m, x1 - x0)
    by1 = min(max(int(s[1] + s[3]) for s in keep) + m, y1 - y0)
    return _Cut(x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)


def _boxes(words: Sequence[OcrWord]) -> np.ndarray:
    """Return the words' boxes, one (left, top, right, bottom) row per word, as floats."""
    return np.array([(w.left, w.top, w.right, w.bottom) for w in words], dtype=np.float64).reshape(-1, 4)


def _centres(boxes: np.ndarray) -> np.ndarray:
    """Return the centres of :func:`_boxes`, one (x, y) row per word (as OcrWord.centred_in takes them)."""
    return np.column_stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2])


def _words_in(box: tuple[int, int, int, int], centres: np.ndarray) -> list[int]:
    """Return the indexes of the words (by their :func:`_centres`) whose centre lies in ``box``."""
    x0, y0, x1, y1 = box
    x, y = centres[:, 0], centres[:, 1]
    return np.flatnonzero((x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1)).tolist()


def _doubtful(words: Sequence[OcrWord]) -> bool:
    """Return whether a cell's words look misread (see the thresholds above)."""
    mean = _mean_conf(words)
    if mean < GARBAGE_CONF or min(w.conf for w in words) < GARBAGE_WORD_CONF:
        return True
    if any(w.x_size > 0 and w.height > TALL_WORD * w.x_size for w in words):
        return True
    return sum(len(w.text) for w in words) <= SHORT_TEXT and min(w.conf for w in words) < SHORT_CONF


def _uncovered_glyph(gray: np.ndarray, box: tuple[int, int, int, int], wb: np.ndarray, dpi: float) -> bool:
    """Return whether a cell holds a character-sized blob of ink that none of the word boxes
    ``wb`` (:func:`_boxes` of its words) covers (a short line the page read skipped: the "T" of
    a header "ST" / "T")."""
    x0, y0, x1, y1 = box
    ink = (gray[y0:y1, x0:x1] < INK_LEVEL).astype(np.uint8)
    _n, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h_min, m = MIN_GLYPH_H_IN * dpi, MARGIN_IN * dpi
    comp = stats[1:].astype(np.float64)
    comp = comp[(comp[:, 3] >= h_min) & (comp[:, 3] <= GLYPHS_IN * dpi)]
    if not len(comp):
        return False
    if not len(wb):
        return True
    cx = (x0 + comp[:, 0] + comp[:, 2] / 2)[:, None]
    cy = (y0 + comp[:, 1] + comp[:, 3] / 2)[:, None]
    covered = ((wb[:, 0] - m <= cx) & (cx <= wb[:, 2] + m) & (wb[:, 1] - m <= cy) & (cy <= wb[:, 3] + m)).any(axis=1)
    return not bool(covered.all())


def cells_to_reread(gray: np.ndarray, grids: Sequence[PixelGrid], words: Sequence[OcrWord],
                    dpi: float) -> list[_Cut]:
    """Return the cut-outs of cells that hold ink but no word, only garbage words, or a glyph
    that no word covers."""
    cuts: list[_Cut] = []
    boxes = _boxes(words)
    centres = _centres(boxes)
    for g in grids:
        for c in g.cells:
            box = _inner(c, dpi)
            if box is None:
                continue
            inside = _words_in(_pixels(c), centres)
            mine = [words[i] for i in inside]
            lost = bool(inside) and _uncovered_glyph(gray, box, boxes[inside], dpi)
            if inside and not lost and not _doubtful(mine):
                continue
            cut = _ink_box(gray, box, dpi)
            if cut is not None:
                cut.old, cut.lost = inside, lost
                cut.glyphs = max(cut.x1 - cut.x0, cut.y1 - cut.y0) <= GLYPHS_IN * dpi
                cuts.append(cut)
    return cuts


def _whiten(crop: np.ndarray) -> np.ndarray:
    """Return a cut-out with its background (its median grey) stretched to white.

    On a white strip a grey scan background would be a third level and spoil Tesseract's
    global threshold: faint digits on it are then lost.
    """
    lo, bg = float(crop.min()), float(np.median(crop))
    out = (crop.astype(np.float32) - lo) * (255.0 / max(bg - lo, 1.0))
    return np.clip(out, 0, 255).astype(np.uint8)


def _strip(gray: np.ndarray, cuts: Sequence[_Cut], dpi: float) -> np.ndarray:
    """Return the cut-outs stacked into one white image (setting each cut's ``strip_top``)."""
    gap = round(GAP_IN * dpi)
    width = max(c.x1 - c.x0 for c in cuts) + 2 * gap
    height = sum(c.y1 - c.y0 + gap for c in cuts) + gap
    strip = np.full((height, width), 255, np.uint8)
    y = gap
    for c in cuts:
        c.strip_top = y
        strip[y:y + c.y1 - c.y0, gap:gap + c.x1 - c.x0] = _whiten(gray[c.y0:c.y1, c.x0:c.x1])
        y += c.y1 - c.y0 + gap
    return strip


def _mean_conf(words: Sequence[OcrWord]) -> float:
    """Return the mean confidence of some words (0 for none)."""
    return sum(w.conf for w in words) / len(words) if words else 0.0


def _read_strip(gray: np.ndarray, cuts: Sequence[_Cut], dpi: float, psm: int,
                source: str) -> list[list[OcrWord]]:
    """Read the cut-outs stacked in one strip; return the words found in each (page pixels)."""
    gap = round(GAP_IN * dpi)
    found: list[list[OcrWord]] = [[] for _ in cuts]
    for w in run_tesseract(_strip(gray, cuts, dpi), round(dpi), source, psm=psm):
        mid = (w.top + w.bottom) / 2
        for k, c in enumerate(cuts):
            if c.strip_top - gap / 2 <= mid <= c.strip_top + (c.y1 - c.y0) + gap / 2:
                dx, dy = c.x0 - gap, c.y0 - c.strip_top
                found[k].append(OcrWord(w.text, w.conf, w.left + dx, w.top + dy, w.width, w.height,
                                        (STRIP_LINE_KEY + psm * 1000 + k, *w.line_key[1:]), w.line_height,
                                        w.baseline + dy, w.x_size))
                break
    return found


def reread_cells(gray: np.ndarray, grids: Sequence[PixelGrid], words: Sequence[OcrWord], dpi: float,
                 source: str = "") -> list[OcrWord]:
    """Return the page's words with empty, short-and-doubtful and garbage cells read again."""
    cuts = cells_to_reread(gray, grids, words, dpi)
    drop: set[int] = set()
    extra: list[OcrWord] = []
    for psm, group in ((6, [c for c in cuts if c.glyphs]), (4, [c for c in cuts if not c.glyphs])):
        if not group:
            continue
        for c, new in zip(group, _read_strip(gray, group, dpi, psm, source), strict=True):
            old = [words[i] for i in c.old]
            # An unsure lone stem in an empty cell is kept: it is a row or section number whose
            # "1"/"I" the numeral check decides from the pixels.
            lone = not old and len(new) == 1 and ONE_STEM.match(new[0].text) is not None
            # A cell with a skipped glyph takes a reading that holds more, if it is sure enough.
            more = (c.lost and sum(len(w.text) for w in new) > sum(len(w.text) for w in old)
                    and _mean_conf(new) >= SHORT_CONF)
            if new and (_mean_conf(new) > _mean_conf(old) or lone or more):
                drop.update(c.old)
                extra.extend(new)
    return [w for i, w in enumerate(words) if i not in drop] + extra


def lost_text_cuts(gray: np.ndarray, grids: Sequence[PixelGrid], words: Sequence[OcrWord],
                   dpi: float) -> list[_Cut]:
    """Return cut-outs around the pieces of text outside ``grids`` that no word covers."""
    ink = (gray < INK_LEVEL).astype(np.uint8)
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h_min, h_max, m = MIN_GLYPH_H_IN * dpi, LOST_MAX_H_IN * dpi, MARGIN_IN * dpi
    boxes = np.vstack([_boxes(words) + np.array([-m, -m, m, m]),
                       np.array([g.box for g in grids], dtype=np.float64).reshape(-1, 4)])
    # a page holds thousands of glyphs and hundreds of words: test every centre against every box at once
    comp = stats[1:]
    sized = comp[(comp[:, 3] >= h_min) & (comp[:, 3] <= h_max)]
    cx = sized[:, 0] + sized[:, 2] / 2
    cy = sized[:, 1] + sized[:, 3] / 2
    inside = ((boxes[None, :, 0] <= cx[:, None]) & (cx[:, None] <= boxes[None, :, 2])
              & (boxes[None, :, 1] <= cy[:, None]) & (cy[:, None] <= boxes[None, :, 3])).any(axis=1)
    seeds = np.zeros_like(ink)
    for x, y, w, h, _area in sized[~inside].tolist():
        seeds[y:y + h, x:x + w] = 1
    if not seeds.any():
        return []
    gap = max(1, round(LOST_GAP_IN * dpi / 2))
    grown = cv2.dilate(seeds, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * gap + 1, 1)))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    cuts: list[_Cut] = []
    for i in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[i])
        cut = _ink_box(gray, (max(x, 0), max(y, 0), min(x + w, gray.shape[1]), min(y + h, gray.shape[0])), dpi)
        if cut is not None:
            cut.glyphs = max(cut.x1 - cut.x0, cut.y1 - cut.y0) <= GLYPHS_IN * dpi
            cuts.append(cut)
    return cuts


def read_lost_text(gray: np.ndarray, grids: Sequence[PixelGrid], words: Sequence[OcrWord], dpi: float,
                   source: str = "") -> list[OcrWord]:
    """Return the page's words with the text outside ``grids`` that the page read skipped added
    (see LOST_MAX_H_IN): at most two more Tesseract calls, none on a page read whole."""
    cuts = lost_text_cuts(gray, grids, words, dpi)
    extra: list[OcrWord] = []
    for psm, group in ((6, [c for c in cuts if c.glyphs]), (4, [c for c in cuts if not c.glyphs])):
        if not group:
            continue
        for new in _read_strip(gray, group, dpi, psm, source):
            if new and (_mean_conf(new) >= LOST_MIN_CONF
                        or (len(new) == 1 and ONE_STEM.match(new[0].text) is not None)):
                extra.extend(new)
    return [*words, *extra]
