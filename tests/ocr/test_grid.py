"""Tests for tthc_extract.ocr.grid: table grids from ruling lines, merged cells, letter stems."""

from __future__ import annotations

import cv2
import numpy as np

from tthc_extract.ocr.grid import components, find_grids
from tthc_extract.ocr.raster import PageImage, estimate_skew, remove_ink, rotate

from .conftest import draw_words, needs_font


def _upright(page: PageImage) -> np.ndarray:
    """Return a fixture page cleaned and deskewed, as the loader prepares it."""
    gray = remove_ink(page.bgr)
    return rotate(gray, estimate_skew(gray, page.dpi))[0]


def _drawn_table() -> np.ndarray:
    """Return a 3 x 3 ruled table (300 dpi) whose middle column merges rows 2 and 3, and whose
    first row is one cell across all columns."""
    img = np.full((900, 1500), 255, np.uint8)
    xs, ys = [100, 400, 1000, 1400], [100, 250, 500, 750]
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), 0, 3)
    for x in xs:
        cv2.line(img, (x, ys[1] if x not in (xs[0], xs[-1]) else ys[0]), (x, ys[-1]), 0, 3)
    cv2.line(img, (xs[2], ys[1]), (xs[-1], ys[1]), 0, 3)
    img[ys[2] - 2:ys[2] + 3, xs[1] + 3:xs[2] - 2] = 255  # rows 2-3 merged in the middle column
    return img


def test_fixture_table_has_five_columns_merged_rows_and_section_rows(scan_pages: list[PageImage]) -> None:
    grids, rules, _ = find_grids(_upright(scan_pages[0]), 200)
    assert len(grids) == 1
    g = grids[0]
    assert len(g.xs) - 1 == 5
    spans = {(c.r1 - c.r0, c.c1 - c.c0) for c in g.cells}
    assert (1, 5) in spans  # section rows "I. ...", "II. ..." span the whole table
    merged = [c for c in g.cells if c.r1 - c.r0 == 3]
    assert {c.c0 for c in merged} == {0, 1}  # STT and task merged over 3 sub-rows, twice
    assert len(merged) == 4
    assert g.closed_top and g.closed_bottom
    assert rules.any()


def test_drawn_table_grid_and_merges() -> None:
    grids, _, _ = find_grids(_drawn_table(), 300)
    (g,) = grids
    assert len(g.xs) - 1 == 3 and len(g.ys) - 1 == 3
    cells = {(c.r0, c.r1, c.c0, c.c1) for c in g.cells}
    assert (0, 1, 0, 3) in cells  # the spanning first row
    assert (1, 3, 1, 2) in cells  # merged over two rows
    assert {(1, 2, 0, 1), (2, 3, 0, 1), (1, 2, 2, 3), (2, 3, 2, 3)} <= cells


def test_open_bottom_is_closed_and_reported() -> None:
    img = _drawn_table()
    img[745:760, :] = 255  # the last rule is cut off, as at a page break
    (g,) = find_grids(img, 300)[0]
    assert len(g.ys) - 1 == 3
    assert not g.closed_bottom and g.closed_top


def test_underlined_bold_text_is_no_table() -> None:
    font = needs_font("DejaVuSerif-Bold.ttf")
    img = draw_words([(40, 20, "Độc lập - Tự do - Hạnh phúc")], (1200, 140), font, 56)
    cv2.line(img, (40, 100), (1100, 100), 0, 3)
    assert find_grids(img, 300)[0] == []


def test_components_match_opencv_stats() -> None:
    """components() gives OpenCV's labels and per-label stats (x, y, w, h, area), for blobs that
    touch the image's edges, nest in others' holes and meet only diagonally, in both connectivities."""
    rng = np.random.default_rng(7)
    img = ((rng.random((120, 97)) > 0.7) * 255).astype(np.uint8)
    cv2.rectangle(img, (10, 10), (60, 60), 255, 2)
    img[30:40, 30:40] = 255
    img[0, :] = 255
    img[:, -1] = 255
    for mask in (img, 255 - img, np.zeros((5, 7), np.uint8)):
        for connectivity in (4, 8):
            n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=connectivity)
            n2, labels2, stats2 = components(mask, connectivity)
            assert n2 == n
            assert np.array_equal(labels2, labels)
            assert np.array_equal(stats2[1:], stats[1:])
            assert not stats2[0].any()
