"""The text-export loader: every table style of the samples, strays dropped, paragraphs kept."""

from pathlib import Path

import pytest

from tthc_extract.errors import ExtractError
from tthc_extract.loaders.text import load_text, parse_text
from tthc_extract.model.document import Table

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_tsv_with_html_cells() -> None:
    doc = load_text(SAMPLES / "000_ddb247df984a7d22.txt")
    tables = doc.tables()
    assert len(tables) == 9  # one piece per printed page
    assert all(t.n_cols == 5 and t.method == "tsv" for t in tables)
    assert [t.page for t in tables] == list(range(1, 10))
    header = tables[0].rows[0].texts(5)
    assert header == ["STT", "Nhiệm vụ", "Kết quả công việc", "Cơ quan thực hiện", "Thời hạn"]
    # HTML fragments become plain text with line breaks; <i> dropped.
    cell = tables[2].rows[1].texts(5)[1]
    assert cell.startswith("Đổi mới mô hình") and "<" not in cell and cell.endswith("(tiếp theo).")


def test_stray_marks_and_page_numbers_dropped() -> None:
    doc = load_text(SAMPLES / "000_ddb247df984a7d22.txt")
    texts = {p.text for p in doc.paragraphs()}
    for stray in ("2", "w/", "u", "w", "43", "✓"):
        assert stray not in texts
    assert any(t.startswith("Căn cứ Nghị định số 63/2010/NĐ-CP") for t in texts)


def test_one_cell_per_line_with_repeated_section_row() -> None:
    doc = load_text(SAMPLES / "002_c4b107cd9cf43351.txt")
    (table,) = doc.tables()
    assert table.method == "cells" and table.n_cols == 6
    section = table.rows[1]
    assert len(section.cells) == 1 and section.cells[0].col_span == 6
    assert section.cells[0].text == "I. XÂY DỰNG VÀ BAN HÀNH VĂN BẢN CHỈ ĐẠO ĐIỀU HÀNH"
    assert table.rows[3].texts(6)[5] == "Quý I/2022"  # "Qúy" unified


def test_pipe_tables() -> None:
    text = "Kế hoạch\n\n| STT | Nhiệm vụ | Thời hạn |\n|---|---|---|\n| 1 | Rà soát | Quý I |\n| 2 | Báo cáo | Tháng 3 |\n"
    doc = parse_text(text, "x.md")
    (table,) = doc.tables()
    assert table.method == "pipe"
    assert [r.texts(3) for r in table.rows] == [
        ["STT", "Nhiệm vụ", "Thời hạn"], ["1", "Rà soát", "Quý I"], ["2", "Báo cáo", "Tháng 3"]
    ]


def test_paragraph_only_text_has_no_tables() -> None:
    doc = parse_text("QUYẾT ĐỊNH\nVề việc abc\n\nĐiều 1. Nội dung.\n", "p.txt")
    assert not any(isinstance(b, Table) for b in doc.blocks)
    assert doc.paragraphs()[0].text == "QUYẾT ĐỊNH\nVề việc abc"


@pytest.mark.parametrize("content", [b"", b"   \n\n"])
def test_empty_file_is_an_error(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    with pytest.raises(ExtractError, match=r"empty\.txt: empty file"):
        load_text(p)


def test_binary_file_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "blob.txt"
    p.write_bytes(b"\x00\x01\x02binary\x00" * 50)
    with pytest.raises(ExtractError, match="binary file"):
        load_text(p)


def test_header_repeated_inside_a_cells_run_starts_a_new_page() -> None:
    header = "\tSTT\n\tNhiệm vụ\n\tThời hạn\n\n"
    text = header + "\t1\n\tRà soát\n\tQuý I\n\n" + header + "\t \n\tquy định\n\t \n\n\t2\n\tBáo cáo\n\tQuý II\n"
    doc = parse_text(text, "c.txt")
    tables = doc.tables()
    assert [t.page for t in tables] == [1, 2]
    assert [r.texts(3) for r in tables[1].rows] == [["STT", "Nhiệm vụ", "Thời hạn"], ["", "quy định", ""], ["2", "Báo cáo", "Quý II"]]


def test_header_repeated_inside_a_pipe_run_starts_a_new_page() -> None:
    text = "| STT | Nhiệm vụ |\n|---|---|\n| 1 | Rà soát |\n| STT | Nhiệm vụ |\n|---|---|\n| 2 | Báo cáo |\n"
    tables = parse_text(text, "p.md").tables()
    assert [(t.page, len(t.rows)) for t in tables] == [(1, 2), (2, 2)]
