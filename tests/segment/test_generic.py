"""Generic (non-task) tables: headers over two rows, column-number rows, totals, numbers, stitching."""

from __future__ import annotations

from pathlib import Path

import pytest

from tthc_extract import grammars
from tthc_extract.loaders import load
from tthc_extract.model.document import Cell, Document, Paragraph, Table, TableRow
from tthc_extract.segment.generic import (
    generic_tables,
    grammar,
    header_depth,
    is_layout,
    numeric_frame,
    parse_number,
    title_row,
)
from tthc_extract.segment.header import is_column_number_texts
from tthc_extract.segment.tables import find_task_tables

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "generic"
G = grammars.load("generic")

HEADER = ["STT", "Đơn vị", "Số TTHC / Cấp tỉnh", "Số TTHC / Cấp huyện", "Số TTHC / Cấp xã", "Tỷ lệ trực tuyến (%)"]


def _row(*texts: str) -> TableRow:
    return TableRow(cells=[Cell(text=t, col=i) for i, t in enumerate(texts)])


def _table(index: int, rows: list[TableRow], page: int = 1) -> Table:
    return Table(index=index, rows=rows, n_cols=max(len(r.cells) for r in rows), page=page)


# ---------------------------------------------------------------------------------------------
# Grammar examples


@pytest.mark.parametrize("case", G["numbers"]["examples"])
def test_number_examples(case: dict) -> None:
    assert parse_number(case["text"]) == case["value"]


@pytest.mark.parametrize("text", G["numbers"]["examples_not"])
def test_number_non_examples(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text", G["numbers"]["examples_codes"])
def test_code_examples_are_no_numbers(text: str) -> None:
    assert grammar().codes.match(text) and parse_number(text) is None


@pytest.mark.parametrize("text", G["numbers"]["examples_not_codes"])
def test_code_non_examples(text: str) -> None:
    assert not grammar().codes.match(text)


@pytest.mark.parametrize("text", G["title"]["examples_appendix"])
def test_appendix_heading_examples(text: str) -> None:
    assert grammar().appendix.match(text)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["1", "2", "3", "4", "5", "6"], True),
        (["A", "B", "1", "2", "3=1+2"], True),
        (["(1)", "(2)", "(3)", "(4)=(2)+(3)"], True),
        (["1", "Sở Tư pháp", "28", "12"], False),
        (["3", "1", "2", "4"], False),
    ],
)
def test_column_number_rows(texts: list[str], expected: bool) -> None:
    assert is_column_number_texts(texts) is expected


@pytest.mark.parametrize("text", G["title"]["examples_skip"])
def test_title_skip_examples(text: str) -> None:
    assert grammar().title_skip.match(text)


@pytest.mark.parametrize("text", G["stitch"]["examples_furniture"])
def test_furniture_examples(text: str) -> None:
    assert grammar().furniture.match(text)


@pytest.mark.parametrize("text", G["layout"]["examples_words"])
def test_layout_word_examples(text: str) -> None:
    assert grammar().layout_words.search(text)


def test_layout_tables() -> None:
    motto = _table(0, [_row("ỦY BAN NHÂN DÂN TỈNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), _row("Số: 12/KH-UBND", "")])
    box = _table(1, [_row("Ghi chú")] * 5)
    counts = _table(2, [_row("Đơn vị", "Số TTHC")] + [_row(f"Sở {i}", str(i)) for i in range(5)])
    signers = _table(3, [_row("Nơi nhận:\n- Như trên;", "KT. GIÁM ĐỐC"), *[_row("", "") for _ in range(3)]])
    assert is_layout(motto) and is_layout(box) and is_layout(signers) and not is_layout(counts)


# ---------------------------------------------------------------------------------------------
# A statistics appendix in a text export: two-level header, column numbers, total, two pages


def _stats() -> list:
    doc = load(FIXTURES / "stats_two_pages.txt")
    _, others = find_task_tables(doc)
    return generic_tables(others, doc, "stats_two_pages.txt")


def test_task_table_is_not_a_generic_table_and_pages_are_stitched() -> None:
    tables = _stats()
    assert len(tables) == 1
    assert tables[0].provenance.pages == [2, 3]


def test_two_level_header_names_and_title() -> None:
    t = _stats()[0]
    assert t.header == HEADER
    assert t.title == "THỐNG KÊ SỐ LƯỢNG THỦ TỤC HÀNH CHÍNH THEO CƠ QUAN"


def test_column_number_rows_and_repeated_header_dropped_total_kept() -> None:
    t = _stats()[0]
    assert t.rows == [
        ["1", "Sở Giáo dục và Đào tạo", "28", "12", "3", "85,5"],
        ["2", "Sở Tư pháp", "1.234", "45", "20", "-"],
        ["3", "Sở Nội vụ", "15", "0", "0", "100"],
        ["", "Tổng cộng", "1.277", "57", "23", ""],
    ]


def test_numeric_columns_typed() -> None:
    t = _stats()[0]
    assert t.numeric_columns == [0, 2, 3, 4, 5]
    frame = numeric_frame(t)
    assert list(frame.columns) == HEADER
    assert [str(d) for d in frame.dtypes] == ["Int64", "string", "Int64", "Int64", "Int64", "Float64"]
    tinh = frame["Số TTHC / Cấp tỉnh"]
    assert tinh.tolist() == [28, 1234, 15, 1277]
    assert tinh.iloc[:3].sum() == tinh.iloc[3]  # the total row is kept and adds up
    assert frame["Tỷ lệ trực tuyến (%)"].isna().tolist() == [False, True, False, True]
    assert frame["Tỷ lệ trực tuyến (%)"].iloc[0] == 85.5


# ---------------------------------------------------------------------------------------------
# A Word appendix: merged header cells, a layout table, a "5=4/3" column-number row


def _docx(path: Path) -> Path:
    from docx import Document as Docx

    d = Docx()
    layout = d.add_table(rows=2, cols=2)
    for (r, c), text in {
        (0, 0): "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG",
        (0, 1): "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        (1, 0): "Số: 12/KH-UBND",
        (1, 1): "Bắc Giang, ngày 10 tháng 01 năm 2023",
    }.items():
        layout.cell(r, c).text = text
    d.add_paragraph("Phụ lục II")
    d.add_paragraph("SỐ LIỆU TIẾP NHẬN HỒ SƠ NĂM 2022")
    d.add_paragraph("Đơn vị tính: hồ sơ")
    rows = [
        ["STT", "Đơn vị", "Số hồ sơ", "", ""],
        ["", "", "Tiếp nhận", "Đúng hạn", "Tỷ lệ (%)"],
        ["1", "2", "3", "4", "5=4/3"],
        ["1", "Sở Tư pháp", "1.200", "1.188", "99,0"],
        ["2", "Sở Nội vụ", "300", "297", "99,0"],
        ["Tổng cộng", "", "1.500", "1.485", "99,0"],
    ]
    t = d.add_table(rows=len(rows), cols=5)
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            if text:
                t.cell(i, j).text = text
    t.cell(0, 0).merge(t.cell(1, 0))
    t.cell(0, 1).merge(t.cell(1, 1))
    t.cell(0, 2).merge(t.cell(0, 4))
    t.cell(5, 0).merge(t.cell(5, 1))
    d.save(str(path))
    return path


def test_docx_appendix(tmp_path: Path) -> None:
    doc = load(_docx(tmp_path / "appendix.docx"))
    _, others = find_task_tables(doc)
    tables = generic_tables(others, doc, "appendix.docx")
    assert len(tables) == 1  # the issuer | motto block is layout
    t = tables[0]
    assert t.title == "SỐ LIỆU TIẾP NHẬN HỒ SƠ NĂM 2022"
    assert t.header == ["STT", "Đơn vị", "Số hồ sơ / Tiếp nhận", "Số hồ sơ / Đúng hạn", "Số hồ sơ / Tỷ lệ (%)"]
    assert [r[:3] for r in t.rows] == [["1", "Sở Tư pháp", "1.200"], ["2", "Sở Nội vụ", "300"], ["Tổng cộng", "", "1.500"]]
    assert t.numeric_columns == [2, 3, 4]
    frame = numeric_frame(t)
    assert str(frame["Số hồ sơ / Tỷ lệ (%)"].dtype) == "Float64"
    assert frame["Số hồ sơ / Tiếp nhận"].tolist() == [1200, 300, 1500]


# ---------------------------------------------------------------------------------------------
# Stitching


def test_two_tables_with_a_title_between_are_not_stitched() -> None:
    a = _table(0, [_row("Đơn vị", "Số TTHC", "Ghi chú"), _row("Sở Tư pháp", "12", ""), _row("Sở Nội vụ", "3", "")])
    b = _table(1, [_row("Lĩnh vực", "Số TTHC", "Ghi chú"), _row("Hộ tịch", "20", ""), _row("Chứng thực", "7", "")])
    doc = Document(source="x", format="docx", blocks=[a, Paragraph(text="Phụ lục II: Thống kê theo lĩnh vực"), b])
    tables = generic_tables([a, b], doc, "x")
    assert [t.header[0] for t in tables] == ["Đơn vị", "Lĩnh vực"]
    assert tables[1].title == "Phụ lục II: Thống kê theo lĩnh vực"


def test_piece_without_header_continues_the_table() -> None:
    a = _table(0, [_row("Đơn vị", "Số TTHC", "Ghi chú"), _row("Sở Tư pháp", "12", "")], page=4)
    b = _table(1, [_row("Sở Nội vụ", "3", ""), _row("Tổng cộng", "15", "")], page=5)
    doc = Document(source="x", format="pdf", blocks=[a, Paragraph(text="5"), b])
    (t,) = generic_tables([a, b], doc, "x")
    assert t.rows == [["Sở Tư pháp", "12", ""], ["Sở Nội vụ", "3", ""], ["Tổng cộng", "15", ""]]
    assert t.numeric_columns == [1] and t.provenance.pages == [4, 5]


# ---------------------------------------------------------------------------------------------
# Titles and deep headers (the unseen prose plans' appendices, tests/fixtures/prose/unseen)


def _merged(*texts: str) -> TableRow:
    """A row whose cells span the blanks after them (as a Word file merges them)."""
    cells, col = [], 0
    for i, t in enumerate(texts):
        if t or i == 0:
            span = 1
            while i + span < len(texts) and not texts[i + span]:
                span += 1
            cells.append(Cell(text=t, col=col, col_span=span))
        col += 1
    return TableRow(cells=[c for c in cells if c.text or c.col == 0])


def test_title_cell_over_a_three_level_header_with_column_numbers() -> None:
    rows = [
        _merged("BIỂU TỔNG HỢP NĂM 2024", "", "", "", ""),
        _row("STT", "Đơn vị", "Hồ sơ", "", ""),
        _row("", "", "Trực tuyến", "", "Trực tiếp"),
        _row("", "", "Toàn trình", "Một phần", ""),
        _row("(1)", "(2)", "(3)", "(4)", "(5)"),
        _row("1", "Sở Tư pháp", "1.234", "", "85,5%"),
        _row("", "Tổng số", "1.234", "", "85,5%"),
    ]
    table = _table(0, rows)
    assert title_row(table) == "BIỂU TỔNG HỢP NĂM 2024"
    assert header_depth(table, 1) == 3
    doc = Document(source="x.docx", format="docx", blocks=[table])
    (t,) = generic_tables([table], doc, "x.docx")
    assert t.title == "BIỂU TỔNG HỢP NĂM 2024"
    assert t.header == ["STT", "Đơn vị", "Hồ sơ / Trực tuyến / Toàn trình", "Hồ sơ / Trực tuyến / Một phần",
                        "Hồ sơ / Trực tiếp"]
    assert t.rows == [["1", "Sở Tư pháp", "1.234", "", "85,5%"], ["", "Tổng số", "1.234", "", "85,5%"]]
    assert t.numeric_columns == [0, 2, 4]


def test_a_first_row_with_two_cells_is_no_title() -> None:
    table = _table(0, [_row("STT", "Đơn vị", ""), _row("1", "Sở Tư pháp", "3"), _row("2", "Sở Nội vụ", "4")])
    assert title_row(table) is None


def test_capital_title_over_two_lines_is_joined_without_the_appendix_heading() -> None:
    table = _table(0, [_row("STT", "Mã số TTHC", "Tên"), _row("1", "1.009994", "Cấp phép"), _row("2", "2.000720", "Đăng ký")])
    doc = Document(source="x.pdf", format="pdf", blocks=[
        Paragraph(text="PHỤ LỤC II"), Paragraph(text="TỔNG HỢP SỐ LƯỢNG THỦ TỤC HÀNH CHÍNH THUỘC THẨM"),
        Paragraph(text="QUYỀN GIẢI QUYẾT"), Paragraph(text="(Kèm theo Kế hoạch số 1/KH-UBND)"), table])
    (t,) = generic_tables([table], doc, "x.pdf")
    assert t.title == "TỔNG HỢP SỐ LƯỢNG THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT"
    assert t.numeric_columns == [0]  # TTHC codes are no numbers
