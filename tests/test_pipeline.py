"""The library API: extract, extract_many, frames, graceful degradation and bad inputs."""

from pathlib import Path

import pandas as pd
import pytest

from tests.errors import assert_one_line_error
from tthc_extract import extract, extract_many

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "002_c4b107cd9cf43351.txt"


def test_extract_returns_plan_with_provenance() -> None:
    plan = extract(SAMPLE)
    assert plan.document.province == "Tiền Giang" and len(plan.rows) == 37
    r = plan.rows[0]
    assert r.provenance.file == str(SAMPLE) and r.provenance.pages == [1] and r.provenance.source_rows
    assert r.row_id == "002_c4b107cd9cf43351.txt#1"
    assert r.provenance.lines and not r.provenance.boxes  # a text file has lines, no geometry


def test_pdf_rows_carry_a_box_on_each_page_they_span() -> None:
    plan = extract(SAMPLE.with_suffix(".std.pdf"))
    assert plan.rows
    for r in plan.rows:
        assert [b.page for b in r.provenance.boxes] == r.provenance.pages, r.row_id
        for b in r.provenance.boxes:
            assert b.page_width and b.page_height
            assert 0 <= b.x0 < b.x1 <= b.page_width and 0 <= b.top < b.bottom <= b.page_height, r.row_id


def test_frames() -> None:
    plan = extract(SAMPLE)
    rows = plan.rows_frame()
    assert isinstance(rows, pd.DataFrame) and len(rows) == 37
    assert list(rows["lead_agencies"][0]) == ["Văn phòng Ủy ban nhân dân tỉnh"]
    assert rows["deadline_end"][0] == pd.Timestamp(2022, 1, 31) and rows["deadline_end"].dt.year.min() == 2022
    docs = plan.documents_frame()
    assert docs.loc[0, "doc_number"] == "45/QĐ-UBND" and docs.loc[0, "n_rows"] == 37
    ags = plan.agencies_frame()
    assert set(ags["role"]) == {"lead", "support"}


def test_text_without_task_table_degrades_gracefully(tmp_path: Path) -> None:
    p = tmp_path / "cv.txt"
    p.write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\n\nSố: 12/UBND-KSTT\n\nHà Giang, ngày 03 tháng 3 năm 2023\n\n"
        "CÔNG VĂN\nVề việc rà soát thủ tục hành chính\n\nKính gửi: Các sở, ban, ngành.\n",
        encoding="utf-8",
    )
    plan = extract(p)
    assert plan.rows == []
    assert [(w.code, w.stage) for w in plan.warnings] == [("plan_year_inferred", "metadata"), ("no_task_table", "segment")]
    assert plan.status == "failure"  # opened, but nothing of a plan read
    assert plan.errors_by_stage == {"segment": ["no task table found (no header with task/agency/deadline columns)"]}
    assert plan.document.doc_number == "12/UBND-KSTT" and plan.document.province == "Hà Giang"
    assert str(plan.document.issue_date) == "2023-03-03"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.pdf", b"", "empty file"),
        ("fake.pdf", b"hello, not a pdf", "not a PDF"),
        ("fake.docx", b"hello, not a zip", "not a Word"),
        ("missing.txt", None, "file not found"),
        ("budget.xlsx", b"PK\x03\x04 a workbook", "an Excel workbook, not a plan document"),
    ],
)
def test_bad_inputs_raise_one_line_errors(tmp_path: Path, name: str, content: bytes | None, reason: str) -> None:
    p = tmp_path / name
    if content is not None:
        p.write_bytes(content)
    assert_one_line_error(extract, p, reason)


def test_extract_many_goes_on_after_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    results = list(extract_many([bad, SAMPLE]))
    assert [r.ok for r in results] == [False, True]
    assert results[0].error and results[0].error.startswith(str(bad))


def test_extract_many_takes_one_path_or_a_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    copy = tmp_path / "sub" / SAMPLE.name
    copy.write_bytes(SAMPLE.read_bytes())
    (tmp_path / "notes.xlsx").write_bytes(b"PK\x03\x04")
    one = list(extract_many(str(copy)))
    assert [(r.path, r.ok) for r in one] == [(str(copy), True)]
    folder = list(extract_many(tmp_path))
    assert [(Path(r.path).name, r.ok) for r in folder] == [(SAMPLE.name, True)]
    assert folder[0].plan is not None and folder[0].plan.rows == one[0].plan.rows  # type: ignore[union-attr]
