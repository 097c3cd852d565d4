"""Tests for tthc_extract.ocr.cells: empty and misread cells get a second, batched reading."""

from __future__ import annotations

import cv2
import numpy as np

from tthc_extract.ocr.cells import cells_to_reread, lost_text_cuts, read_lost_text, reread_cells
from tthc_extract.ocr.grid import find_grids
from tthc_extract.ocr.tesseract import OcrWord

from .conftest import draw_words, needs_font


def test_lone_numbers_missed_by_the_page_reading_are_read_again() -> None:
    font = needs_font("DejaVuSerif.ttf")
    img = draw_words([(150, 320, "1"), (150, 620, "2"), (450, 270, "Kiểm soát")], (1200, 800), font, 40)
    for y in (100, 250, 500, 750):
        cv2.line(img, (100, y), (1100, y), 0, 3)
    for x in (100, 300, 1100):
        cv2.line(img, (x, 100), (x, 750), 0, 3)
    grids, rules, _ = find_grids(img, 300)
    clean = img.copy()
    clean[cv2.dilate(rules, np.ones((5, 5), np.uint8)) > 0] = 255
    page_words = [OcrWord("Kiểm", 0.96, 450, 275, 90, 40, (1, 1, 1), 45, 310.0, 40.0),
                  OcrWord("soát", 0.96, 560, 275, 80, 40, (1, 1, 1), 45, 310.0, 40.0)]
    cuts = cells_to_reread(clean, grids, page_words, 300)
    assert len(cuts) == 2 and all(c.glyphs for c in cuts)  # the two number cells, not the text cell
    words = reread_cells(clean, grids, page_words, 300)
    assert [w.text for w in words] == ["Kiểm", "soát", "1", "2"]
    one = words[2]
    assert 100 < one.left < 300 and 250 < one.top < 500  # placed back in its cell, page pixels


def test_text_the_page_reading_skipped_outside_tables_is_read() -> None:
    # a table without vertical rules: its row number is nowhere in the page reading, so the
    # layout could not see its column; the ink no word covers is cut out and read
    font = needs_font("DejaVuSerif.ttf")
    img = draw_words([(150, 320, "1"), (450, 310, "Kiểm soát")], (1200, 800), font, 40)
    page_words = [OcrWord("Kiểm", 0.96, 450, 315, 90, 40, (1, 1, 1), 45, 350.0, 40.0),
                  OcrWord("soát", 0.96, 560, 315, 80, 40, (1, 1, 1), 45, 350.0, 40.0)]
    cuts = lost_text_cuts(img, [], page_words, 300)
    assert [(c.glyphs, c.x0 < 160 < c.x1) for c in cuts] == [(True, True)]
    words = read_lost_text(img, [], page_words, 300)
    assert [w.text for w in words] == ["Kiểm", "soát", "1"]
    assert 100 < words[2].left < 200 and 300 < words[2].top < 380  # placed back, page pixels
    # inside a ruled table the cell re-read does it instead: nothing is cut there
    for y in (100, 750):
        cv2.line(img, (100, y), (1100, y), 0, 3)
    for x in (100, 300, 1100):
        cv2.line(img, (x, 100), (x, 750), 0, 3)
    grids, _rules, _ = find_grids(img, 300)
    assert grids and lost_text_cuts(img, grids, page_words, 300) == []
