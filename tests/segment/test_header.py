"""Column mapping by header meaning: synonyms, any order, split agency columns, two-level headers."""

import pytest

from tthc_extract import grammars
from tthc_extract.model.document import Cell, TableRow
from tthc_extract.segment.header import (
    _column_number_cell,
    field_of_title,
    is_column_number_row,
    is_column_number_texts,
    map_header,
)


def _row(*texts: str) -> TableRow:
    return TableRow(cells=[Cell(text=t, col=i) for i, t in enumerate(texts)])


@pytest.mark.parametrize(
    ("title", "field"),
    [
        ("STT", "stt"), ("Số TT", "stt"), ("TT", "stt"),
        ("Nhiệm vụ", "task"), ("Nội dung công việc", "task"), ("Nội dung nhiệm vụ", "task"),
        ("Kết quả", "result"), ("Sản phẩm", "result"), ("Dự kiến sản phẩm", "result"),
        ("Kết quả công việc", "result"),
        ("Cơ quan thực hiện", "agency"), ("Cơ quan, đơn vị thực hiện", "agency"),
        ("Cơ quan chủ trì", "lead"), ("Đơn vị chủ trì", "lead"), ("Cơ quan chủ trì thực hiện", "lead"),
        ("Cơ quan phối hợp", "support"), ("Đơn vị phối hợp", "support"),
        ("Thời hạn", "deadline"), ("Thời gian thực hiện", "deadline"),
        ("Thời gian hoàn thành", "deadline"), ("Tiến độ thực hiện", "deadline"),
        ("Ghi chú", "note"),
        ("Thoi gian thuc hien", "deadline"),  # OCR lost the accents
        ("Văn phòng UBND tỉnh", None), ("Quý I năm 2022", None), ("", None),
    ],
)
def test_field_of_title(title: str, field: str | None) -> None:
    assert field_of_title(title) == field


def test_map_header_any_order_split_agencies() -> None:
    cmap = map_header(_row("TT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành", "Sản phẩm"), 6)
    assert cmap is not None
    assert cmap.columns == {"stt": 0, "task": 1, "lead": 2, "support": 3, "deadline": 4, "result": 5}
    assert cmap.split_agencies and cmap.unmapped == []


def test_map_header_reports_unknown_columns() -> None:
    cmap = map_header(_row("STT", "Nhiệm vụ", "Tỷ lệ giải ngân", "Thời hạn"), 4)
    assert cmap is not None and cmap.unmapped == [2]
    # A known column that is not extracted ("Kinh phí") is not reported.
    cmap = map_header(_row("STT", "Nhiệm vụ", "Kinh phí (triệu đồng)", "Thời hạn"), 4)
    assert cmap is not None and cmap.unmapped == [] and cmap.columns["budget"] == 2


def test_role_words_in_titles_decide_agency_columns() -> None:
    cmap = map_header(_row("TT", "Nhiệm vụ", "Cơ quan, đơn vị chủ trì", "Cơ quan, đơn vị phối hợp", "Thời hạn"), 5)
    assert cmap is not None and cmap.columns["lead"] == 2 and cmap.columns["support"] == 3
    cmap = map_header(_row("TT", "Nhiệm vụ", "Cơ quan chủ trì, phối hợp", "Thời hạn"), 4)
    assert cmap is not None and cmap.columns["agency"] == 2 and not cmap.split_agencies


def test_two_level_time_header_takes_the_completion_column() -> None:
    top = TableRow(cells=[Cell(text="STT", col=0), Cell(text="Nhiệm vụ", col=1), Cell(text="Cơ quan thực hiện", col=2),
                          Cell(text="Thời gian thực hiện", col=3, col_span=2)])
    sub = _row("", "", "", "Bắt đầu", "Hoàn thành")
    cmap = map_header(top, 5, sub)
    assert cmap is not None and cmap.header_rows == 2
    assert cmap.columns["deadline"] == 4 and cmap.columns["start"] == 3


def test_two_level_header() -> None:
    top = TableRow(cells=[Cell(text="STT", col=0), Cell(text="Nhiệm vụ", col=1),
                          Cell(text="Cơ quan thực hiện", col=2, col_span=2), Cell(text="Thời hạn", col=4)])
    sub = _row("", "", "Chủ trì", "Phối hợp", "")
    cmap = map_header(top, 5, sub)
    assert cmap is not None and cmap.header_rows == 2
    assert cmap.columns == {"stt": 0, "task": 1, "lead": 2, "support": 3, "deadline": 4}


def test_data_row_is_not_a_header() -> None:
    assert map_header(_row("1", "Rà soát TTHC", "Văn bản", "Sở Tư pháp", "Quý I"), 5) is None


def test_column_number_row() -> None:
    assert is_column_number_row(_row("1", "2", "3", "4", "5"), 5)
    assert is_column_number_row(_row("(1)", "(2)", "(3)", "(4)"), 4)
    assert not is_column_number_row(_row("1", "Rà soát", "", "", ""), 5)

    assert is_column_number_row(_row("1", "2", "3=1+2", "4"), 4)  # the one detector of generic tables too
    assert is_column_number_texts(["1", "2", "3", "4"]) and not is_column_number_texts(["2", "1", "3"])


@pytest.mark.parametrize("text", grammars.load("generic")["column_numbers"]["examples"])
def test_column_number_cell_examples(text: str) -> None:
    assert _column_number_cell().match(text)


@pytest.mark.parametrize("text", grammars.load("generic")["column_numbers"]["examples_not"])
def test_column_number_cell_non_examples(text: str) -> None:
    assert not _column_number_cell().match(text)
