"""Rows of pipe text that lost the cells merged with the row above (segment/realign.py)."""

import json
from pathlib import Path

import pytest

from tthc_extract import extract
from tthc_extract.loaders.text import parse_text
from tthc_extract.model.document import Paragraph, Table
from tthc_extract.segment.tables import find_task_tables

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vanished_merges"
FILES = sorted(FIXTURES.glob("*.txt"))


def _reading(row: dict) -> tuple:
    names = [a["name"] if isinstance(a, dict) else a for a in row.get("lead_agencies", row.get("lead", []))]
    support = [a["name"] if isinstance(a, dict) else a for a in row.get("support_agencies", row.get("support", []))]
    d = row["deadline"]
    return (row["section"], row["stt"], row["task"], row["result"], names, support, row["deadline_raw"],
            d["kind"], d["start"], d["end"], row.get("note_column", row.get("note")) or None)


def test_fixtures_present() -> None:
    assert len(FILES) == 2


@pytest.mark.parametrize("doc", FILES, ids=[p.name for p in FILES])
def test_vanished_merges_read_by_content(doc: Path) -> None:
    expected = json.loads((FIXTURES / f"{doc.name}.expected.json").read_text(encoding="utf-8"))
    actual = extract(doc).to_json_dict()
    assert actual["sections"] == expected["sections"]
    assert [_reading(r) for r in actual["rows"]] == [_reading(r) for r in expected["rows"]]


HEADER = "| STT | Nhiệm vụ | Sản phẩm | Cơ quan thực hiện | Thời hạn |\n"


def _rows(body: str) -> list[dict[str, str]]:
    tables, _ = find_task_tables(parse_text(HEADER + body, "x.txt"))
    return [r.cells for r in tables[0].rows]


def test_last_cell_missing_takes_the_deadline_from_above() -> None:
    rows = _rows("| 1 | Lập kế hoạch | Kế hoạch | Sở Nội vụ | Quý I |\n"
                 "| 2 | Tổng hợp số liệu | Báo cáo số liệu | Sở Tài chính |\n")
    assert rows[1] == {"stt": "2", "task": "Tổng hợp số liệu", "result": "Báo cáo số liệu",
                       "agency": "Sở Tài chính", "deadline": "Quý I"}


def test_first_cells_missing_make_a_sub_row() -> None:
    rows = _rows("| 1 | Lập kế hoạch | Kế hoạch | Sở Nội vụ | Quý I |\n"
                 "| Báo cáo giữa kỳ | Sở Tài chính | Tháng 7 |\n")
    assert rows[1] == {"stt": "", "task": "", "result": "Báo cáo giữa kỳ", "agency": "Sở Tài chính",
                       "deadline": "Tháng 7"}


def test_middle_cell_missing_takes_the_agency_from_above() -> None:
    rows = _rows("| 1 | Lập kế hoạch | Kế hoạch | Sở Nội vụ | Quý I |\n"
                 "| 2 | Tổng hợp số liệu | Báo cáo số liệu | Trước ngày 30/6 |\n")
    assert rows[1]["agency"] == "Sở Nội vụ"
    assert rows[1]["deadline"] == "Trước ngày 30/6"


def test_complete_and_section_rows_are_left_alone() -> None:
    rows = _rows("| II | Kiểm tra |\n| 3 | Kiểm tra | Biên bản | Sở Nội vụ | Quý IV |\n")
    assert rows[0]["stt"] == "II" and rows[0]["task"] == "Kiểm tra" and rows[0]["deadline"] == ""
    assert rows[1]["result"] == "Biên bản"


def test_one_cell_pipe_line_spans_the_table_only_inside_one() -> None:
    doc = parse_text("| Mục lục |\n\n" + HEADER + "| I. KIỂM TRA |\n| 1 | Kiểm tra | Biên bản | Sở Nội vụ | Quý IV |\n",
                     "x.txt")
    assert isinstance(doc.blocks[0], Paragraph)
    table = doc.blocks[1]
    assert isinstance(table, Table)
    assert [(c.text, c.col_span) for c in table.rows[1].cells] == [("I. KIỂM TRA", 5)]
