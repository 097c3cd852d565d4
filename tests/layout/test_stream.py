"""The table recogniser for tables that are not fully ruled (layout.stream), on hand-made pages."""

from __future__ import annotations

from typing import Any

from tthc_extract.layout.grid import assign_words
from tthc_extract.layout.stream import stream_grids
from tthc_extract.layout.words import Word

PAGE_WIDTH = 600.0


def _words(y: float, *spec: tuple[str, float, float], bold: bool = False) -> list[Word]:
    return [Word(t, a, b, y, y + 10, 10.0, bold) for t, a, b in spec]


def _rule(y: float, x0: float = 50.0, x1: float = 550.0) -> dict[str, Any]:
    return {"orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y}


def _page() -> tuple[list[dict[str, Any]], list[Word]]:
    """A table ruled by horizontal lines only: STT | task | result | deadline, header ruled above
    and below, a section row across the table, task 1 (STT and task centred / top-aligned) over
    two sub-rows parted by a rule drawn under the result and deadline columns only."""
    words = _words(105, ("STT", 55, 75), ("Nhiệm", 150, 180), ("vụ", 183, 195), ("Kết", 330, 350),
                   ("quả", 353, 373), ("Thời", 470, 495), ("hạn", 498, 515), bold=True)
    words += _words(125, ("I.", 55, 62), ("Cải", 65, 80), ("cách", 83, 110), ("thủ", 113, 130),
                    ("tục", 133, 150), ("hành", 153, 180), ("chính", 183, 215), ("cấp", 218, 240),
                    ("tỉnh", 243, 265), ("năm", 268, 290), ("nay", 293, 315), ("và", 318, 330),
                    ("tới", 333, 350), bold=True)
    # task text justified up to x=268, the result column's text starts at x=276
    words += _words(145, ("Rà", 90, 105), ("soát", 108, 135), ("quy", 140, 160), ("định", 165, 190),
                    ("thủ", 195, 215), ("tục", 220, 240), ("đã", 245, 268), ("Báo", 276, 300),
                    ("cáo", 303, 325), ("Quý", 480, 500), ("I", 503, 507))
    words += _words(158, ("1", 62, 67), ("công", 90, 115), ("bố", 118, 130))
    words += _words(175, ("Danh", 276, 300), ("mục", 303, 325), ("Quý", 480, 500), ("II", 503, 510))
    words += _words(195, ("2", 62, 67), ("Kiểm", 90, 115), ("tra", 118, 135), ("Kế", 276, 290),
                    ("hoạch", 293, 320), ("Năm", 480, 500), ("2024", 503, 525))
    edges = [_rule(100), _rule(118), _rule(138), _rule(170, 270, 550), _rule(190), _rule(210)]
    return edges, words


def test_rules_under_some_columns_merge_the_others() -> None:
    edges, words = _page()
    (grid,) = stream_grids(edges, PAGE_WIDTH, words, [])
    assert grid.method == "hrules" and len(grid.xs) == 5
    # columns from the header's cells, each boundary where the body's text leaves white
    assert 75 < grid.xs[1] < 90 and 268 < grid.xs[2] < 276 and 373 < grid.xs[3] < 470
    assert assign_words([grid], words) == []
    cells = {(c.r0, c.c0): c for c in grid.cells}
    texts = {k: " ".join(w.text for w in c.words) for k, c in cells.items()}
    assert texts[(1, 0)].startswith("I. Cải cách") and cells[(1, 0)].c1 >= 3  # the section row spans
    # STT "1" and its task cover both sub-rows (the rule at y=170 leaves them uncut) ...
    assert (cells[(2, 0)].r1, cells[(2, 1)].r1) == (4, 4)
    assert texts[(2, 0)] == "1" and texts[(2, 1)] == "Rà soát quy định thủ tục đã công bố"
    # ... while the result and deadline cells are cut there into the two sub-rows
    assert (texts[(2, 2)], texts[(3, 2)]) == ("Báo cáo", "Danh mục")
    assert (texts[(2, 3)], texts[(3, 3)]) == ("Quý I", "Quý II")
    assert texts[(4, 0)] == "2" and texts[(4, 3)] == "Năm 2024"


def test_a_continuation_page_keeps_the_columns_and_reads_its_cut_row() -> None:
    edges, words = _page()
    (first,) = stream_grids(edges, PAGE_WIDTH, words, [])
    # next page: the repeated header, one ruled row, then a row the page break cuts (no rule under it)
    nxt = _words(105, ("STT", 55, 75), ("Nhiệm", 150, 180), ("vụ", 183, 195), ("Kết", 330, 350),
                 ("quả", 353, 373), ("Thời", 470, 495), ("hạn", 498, 515), bold=True)
    nxt += _words(125, ("3", 62, 67), ("Tập", 90, 110), ("huấn", 113, 140), ("Hội", 276, 295),
                  ("nghị", 298, 320), ("Quý", 480, 500), ("III", 503, 512))
    nxt += _words(145, ("4", 62, 67), ("Báo", 90, 110), ("cáo", 113, 135), ("Báo", 276, 295),
                  ("cáo", 298, 320), ("Hằng", 480, 505), ("quý", 508, 525))
    nxt += _words(165, ("5", 62, 67), ("Sơ", 90, 105), ("kết", 108, 125), ("Hằng", 480, 505), ("năm", 508, 525))
    rules = [_rule(100), _rule(118), _rule(138), _rule(158)]
    (grid,) = stream_grids(rules, PAGE_WIDTH, nxt, [], [first])
    assert grid.xs == first.xs and not grid.closed_bottom
    assert grid.ys[:4] == [100, 118, 138, 158] and len(grid.ys) == 5 and grid.ys[-1] > 175


def test_an_unruled_header_stops_at_a_bold_section_title_set_tight_under_it() -> None:
    # a scanned shaded table: no rules at all, header and section title both bold, 4 pt apart
    words = _words(100, ("STT", 55, 75), ("Nhiệm", 150, 180), ("vụ", 183, 195), ("Kết", 330, 350),
                   ("quả", 353, 373), ("Thời", 470, 495), ("hạn", 498, 515), bold=True)
    words += _words(114, ("I", 62, 66), ("Cải", 90, 105), ("cách", 108, 130), ("thủ", 133, 150),
                    ("tục", 153, 170), ("hành", 173, 200), ("chính", 203, 235), ("cấp", 238, 260),
                    ("tỉnh", 263, 285), ("năm", 288, 310), ("nay", 313, 335), bold=True)
    for k, y in enumerate((140, 170, 200), start=1):
        words += _words(y, (str(k), 62, 67), ("Rà", 90, 105), ("soát", 108, 135), ("Báo", 330, 350),
                        ("cáo", 353, 373), ("Quý", 480, 500), ("I", 503, 507))
    (grid,) = stream_grids([], PAGE_WIDTH, words, [])
    assert len(grid.xs) == 5  # the header's four titles give the columns: the title is not one
    assign_words([grid], words)
    rows = {}
    for c in grid.cells:
        rows.setdefault(c.r0, []).append(" ".join(w.text for w in c.words))
    assert rows[0] == ["STT", "Nhiệm vụ", "Kết quả", "Thời hạn"]
    assert any(t.startswith("Cải cách") for t in rows[1])
