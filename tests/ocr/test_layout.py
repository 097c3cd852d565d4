"""Tests for tthc_extract.ocr.layout: tables without a grid of rules found in a scan by the
typed-PDF reader's recogniser, the words' weight judged from their strokes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tthc_extract.ocr.layout import stroke_widths, text_grids
from tthc_extract.ocr.tesseract import OcrWord

from .conftest import needs_font

DPI = 300
PX = 50  # letter size in pixels (12 pt at 300 dpi)


def _page(rows: list[tuple[int, list[tuple[int, str]]]], bold_rows: set[int], regular: Path,
          bold: Path) -> tuple[np.ndarray, list[OcrWord]]:
    """Draw rows of (y, [(x, text)]) words on a white page; return it and the words as Tesseract
    would report them (one line per cell line)."""
    img = Image.new("L", (2400, 1400), 255)
    d = ImageDraw.Draw(img)
    words: list[OcrWord] = []
    for r, (y, cells) in enumerate(rows):
        f = ImageFont.truetype(str(bold if r in bold_rows else regular), PX)
        for c, (x, text) in enumerate(cells):
            cx = x
            for token in text.split():
                x0, y0, x1, y1 = d.textbbox((cx, y), token, font=f)
                d.text((cx, y), token, fill=0, font=f)
                words.append(OcrWord(token, 0.95, x0, y0, x1 - x0, y1 - y0, (r, c, 0), PX, float(y1), PX * 0.95))
                cx = x1 + PX // 3
    return np.asarray(img).copy(), words


def test_a_scanned_table_ruled_by_horizontal_lines_only_is_read_as_a_grid() -> None:
    regular, bold = needs_font("DejaVuSerif.ttf"), needs_font("DejaVuSerif-Bold.ttf")
    cols = (200, 500, 1500)
    rows = [(260, [(200, "STT"), (500, "Task"), (1500, "Agency")]),
            (420, [(200, "1"), (500, "Review the rules"), (1500, "Office")]),
            (560, [(200, "2"), (500, "Publish the list"), (1500, "Justice")]),
            (700, [(200, "3"), (500, "Report yearly"), (1500, "Office")])]
    gray, words = _page([(y, list(zip(cols, (t for _, t in cells), strict=True))) for y, cells in rows],
                        {0}, regular, bold)
    strokes = stroke_widths(gray, words)
    assert min(strokes[:3]) > 1.15 * max(strokes[3:])  # the bold header's strokes are thicker
    rules = [(float(y), 150.0, 2200.0) for y in (220, 360, 500, 640, 800)]
    (grid,) = text_grids(gray, words, rules, [], 72.0 / DPI)
    assert grid.method == "hrules"
    assert len(grid.xs) - 1 == 3 and len(grid.ys) - 1 == 4
    assert grid.xs[1] < 500 < grid.xs[2] < 1500  # column edges in the white between the columns
    assert all(c.c1 - c.c0 == 1 and c.r1 - c.r0 == 1 for c in grid.cells)  # one cell per row and column
    assert all(grid.xs[0] - 2 <= c.bbox[0] and c.bbox[2] <= grid.xs[-1] + 2 for c in grid.cells)  # pixels


def test_a_scanned_table_without_rules_is_read_from_its_bold_header_and_alignment() -> None:
    regular, bold = needs_font("DejaVuSerif.ttf"), needs_font("DejaVuSerif-Bold.ttf")
    rows = [(260, [(200, "STT"), (500, "Task"), (1500, "Agency")]),
            (400, [(220, "1"), (500, "Review the rules"), (1500, "Office")]),
            (520, [(220, "2"), (500, "Publish the list"), (1500, "Justice")]),
            (640, [(220, "3"), (500, "Report yearly"), (1500, "Office")])]
    gray, words = _page(rows, {0}, regular, bold)
    (grid,) = text_grids(gray, words, [], [], 72.0 / DPI)
    assert grid.method == "stream"
    assert len(grid.xs) - 1 == 3 and len(grid.ys) - 1 == 4


def _ocr(text: str, top: int, bottom: int, baseline: float, line: int, left: int = 100) -> OcrWord:
    return OcrWord(text, 0.9, left, top, 200, bottom - top, (1, 1, line), bottom - top, baseline, 30.0)


def test_every_line_gets_one_band_height_around_its_baseline() -> None:
    """A line without descenders or stacked tone marks ("TTHC năm 2023.") has less ink than its
    neighbours; its band must not: the gap above it is the cell's leading, not a row break."""
    from tthc_extract.ocr.layout import _line_bands

    lines = [[_ocr("Ban hành Kế hoạch rà soát,", 100, 140, 132.0, 1)],  # tone marks above, 'g' below
             [_ocr("đánh giá quy định,", 142, 182, 174.0, 2)],
             [_ocr("TTHC năm 2023.", 190, 216, 216.0, 3)],  # caps and a breve: less ink, same leading
             [_ocr("lạc", 240, 250, 400.0, 4)]]  # a baseline that misses the ink: the ink is kept
    bands = _line_bands(lines)
    ink_gaps = [190 - 182, 142 - 140]
    assert ink_gaps[0] > 3 * ink_gaps[1]  # by ink, the third line looks like a new row
    assert len({round(b - t, 3) for t, b in bands[:3]}) == 1  # one height for every fitting line
    gaps = [round(b[0] - a[1], 3) for a, b in zip(bands[:2], bands[1:3], strict=True)]
    assert gaps[0] == gaps[1] > 0  # by band, the leading is the same
    assert bands[3] == (240.0, 250.0)
