"""`extract --format xlsx,csv`: the workbook and the CSVs hold what the JSON holds, typed as Excel wants."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from tthc_extract.batch.work import TABLE_SCHEMAS
from tthc_extract.cli import app
from tthc_extract.export.headings import HEADINGS, heading
from tthc_extract.export.sheets import flat_value
from tthc_extract.model.plan import Plan

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-document dataset (a sample plan and a plan with a statistics appendix) in xlsx and csv."""
    src = tmp_path_factory.mktemp("in")
    shutil.copy(ROOT / "samples" / "002_c4b107cd9cf43351.txt", src / "a.txt")
    shutil.copy(FIX / "batch" / "stats_table.txt", src / "stats.txt")
    outdir = tmp_path_factory.mktemp("out")
    res = CliRunner().invoke(app, ["extract", str(src), "-o", str(outdir), "-q", "--format", "xlsx,csv"])
    assert res.exit_code == 0, res.output
    return outdir


def _plans(out: Path) -> list[Plan]:
    return [Plan.model_validate_json((out / n).read_bytes()) for n in ("a.txt.json", "stats.txt.json")]


def test_workbook_sheets_types_and_counts_match_the_json(out: Path) -> None:
    plans = _plans(out)
    assert not list(out.glob("*.parquet"))  # --format without parquet writes none
    wb = openpyxl.load_workbook(out / "tthc.xlsx")
    stats = plans[1].tables
    assert len(stats) == 1
    assert wb.sheetnames[:4] == ["Documents", "Tasks", "Agencies", "Prose tasks"]
    assert len(wb.sheetnames) == 4 + len(stats)
    tasks = wb["Tasks"]
    assert tasks.freeze_panes == "A2" and tasks.auto_filter.ref.startswith("A1:")
    head = [c.value for c in tasks[1]]
    assert head[:2] == ["Tệp", "Mã dòng"] and "Nhiệm vụ" in head and "Hạn hoàn thành" in head
    assert tasks.max_row - 1 == sum(len(p.rows) for p in plans)
    assert tasks.cell(2, head.index("Nhiệm vụ") + 1).alignment.wrap_text
    # dates are Excel dates; lists are joined with "; "
    rows = [r for p in plans for r in p.rows]
    end_col = head.index("Hạn hoàn thành") + 1
    for i, r in enumerate(rows, start=2):
        cell = tasks.cell(i, end_col)
        assert (cell.value.date() if cell.value else None) == r.deadline.end
        if r.deadline.end:
            assert cell.is_date and cell.number_format == "DD/MM/YYYY"
    lead_col = head.index("Cơ quan chủ trì") + 1
    assert [tasks.cell(i, lead_col).value for i in range(2, len(rows) + 2)] == [
        "; ".join(a.name for a in r.lead_agencies) or None for r in rows
    ]
    agencies = pd.read_excel(out / "tthc.xlsx", sheet_name="Agencies")
    assert len(agencies) == sum(len(r.lead_agencies) + len(r.support_agencies) for r in rows)
    docs = pd.read_excel(out / "tthc.xlsx", sheet_name="Documents")
    assert list(docs["Năm kế hoạch"]) == [p.document.plan_year for p in plans]
    assert docs["Ngày ban hành"].dtype.kind == "M"  # read back as datetimes, not text
    # the statistics sheet: its printed header, numbers as numbers
    sheet = pd.read_excel(out / "tthc.xlsx", sheet_name=wb.sheetnames[4])
    assert len(sheet) == len(stats[0].rows) and list(sheet.columns)[0] == "Tệp"
    numeric = [c for c in sheet.columns if sheet[c].dtype.kind in "if"]
    assert len(numeric) >= len(stats[0].numeric_columns) - 1


def test_csv_reads_as_excel_reads_it(out: Path) -> None:
    plans = _plans(out)
    raw = (out / "rows.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel the file is UTF-8
    text = raw.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=","))
    head, body = table[0], table[1:]
    assert head == list(TABLE_SCHEMAS["rows"].names)
    assert len(body) == sum(len(p.rows) for p in plans)
    tasks = [r.task for p in plans for r in p.rows]
    assert [b[head.index("task")] for b in body] == tasks
    assert any("ủ" in t or "ệ" in t for t in tasks)  # diacritics survive the round trip
    first = plans[0].rows[0]
    assert body[0][head.index("support_agencies")] == "; ".join(a.name for a in first.support_agencies)
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(docs["province"]) == [p.document.province or "" for p in plans]
    assert (out / "tables" / "stats.txt.1.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_every_column_has_a_vietnamese_heading() -> None:
    missing = [c for s in TABLE_SCHEMAS.values() for c in s.names if c not in HEADINGS]
    assert missing == []
    assert heading("no such column") == "no such column"


def test_flat_value_joins_lists_and_drops_missing() -> None:
    assert flat_value(["a", "b"]) == "a; b" and flat_value([]) is None
    assert flat_value({"Ghi chú": "x"}) == "Ghi chú: x"
    assert flat_value(pd.NA) is None and flat_value(pd.Timestamp("2024-03-31")) == dt.date(2024, 3, 31)
    assert flat_value("a\x07b") == "ab"
    assert json.dumps(flat_value([dt.date(2024, 1, 2)])) == '"2024-01-02"'
