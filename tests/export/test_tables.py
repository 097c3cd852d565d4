"""One Parquet file per generic table, typed columns and provenance metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from tthc_extract.export.tables import table_path, write_generic_tables
from tthc_extract.model.plan import GenericTable, Plan, RowProvenance


def _plan() -> Plan:
    t1 = GenericTable(
        title="THỐNG KÊ SỐ LƯỢNG TTHC",
        header=["STT", "Đơn vị", "Số TTHC / Cấp tỉnh", "Tỷ lệ (%)"],
        rows=[["1", "Sở Tư pháp", "1.234", "85,5"], ["", "Tổng cộng", "1.234", "-"]],
        numeric_columns=[0, 2, 3],
        provenance=RowProvenance(file="in/plan.docx", pages=[7, 8], table=3),
    )
    t2 = GenericTable(header=["Lĩnh vực", "Số TTHC"], rows=[["Hộ tịch", "20"]], numeric_columns=[1],
                      provenance=RowProvenance(file="in/plan.docx", pages=[9]))
    return Plan(source="plan.docx", file="in/plan.docx", format="docx", tables=[t1, t2])


def test_one_parquet_file_per_table(tmp_path: Path) -> None:
    paths = write_generic_tables(_plan(), tmp_path)
    assert paths == [tmp_path / "tables" / "plan.docx.1.parquet", tmp_path / "tables" / "plan.docx.2.parquet"]
    assert table_path(tmp_path, "sub/plan.docx", 2) == paths[1]
    t = pq.read_table(paths[0])
    assert t.column_names == ["STT", "Đơn vị", "Số TTHC / Cấp tỉnh", "Tỷ lệ (%)"]
    assert [str(f.type) for f in t.schema] == ["int64", "string", "int64", "double"]
    assert t.column("Số TTHC / Cấp tỉnh").to_pylist() == [1234, 1234]
    assert t.column("Tỷ lệ (%)").to_pylist() == [85.5, None]
    meta = {k.decode(): v.decode() for k, v in t.schema.metadata.items()}
    assert meta["title"] == "THỐNG KÊ SỐ LƯỢNG TTHC" and meta["source"] == "plan.docx"
    assert json.loads(meta["pages"]) == [7, 8] and json.loads(meta["header"])[2] == "Số TTHC / Cấp tỉnh"


def test_no_tables_no_files(tmp_path: Path) -> None:
    assert write_generic_tables(Plan(source="a.txt", file="a.txt", format="text"), tmp_path) == []
    assert not (tmp_path / "tables").exists()
