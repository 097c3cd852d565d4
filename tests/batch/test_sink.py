"""Partition folder names, the null marker, and dataset reading with pyarrow and pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from tthc_extract.batch.sink import NULL_PARTITION, PARTITIONING, escape_value, file_schema, partition_dir


def test_escape_value_follows_hive_and_keeps_vietnamese() -> None:
    assert escape_value("Tiền Giang") == "Tiền Giang"
    assert escape_value("Bà Rịa - Vũng Tàu") == "Bà Rịa - Vũng Tàu"
    assert escape_value("A/B=C:50%") == "A%2FB%3DC%3A50%25"
    assert escape_value(2022) == "2022"
    assert escape_value(None) == escape_value("") == NULL_PARTITION


def test_escaped_and_null_values_read_back(tmp_path: Path) -> None:
    parts = [("A/B=C", 2022), ("Hà Nội", None), (None, 2023)]
    for i, part in enumerate(parts):
        folder = partition_dir(tmp_path, "documents", part)
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"n": [i]}), folder / "part-0.parquet")
    got = ds.dataset(tmp_path / "documents", partitioning=PARTITIONING).to_table().sort_by("n")
    assert list(zip(got["province"].to_pylist(), got["plan_year"].to_pylist(), strict=True)) == parts
    df = pd.read_parquet(tmp_path / "documents", partitioning=PARTITIONING)
    assert sorted(df["plan_year"].dropna().tolist()) == [2022, 2023]


def test_partition_files_leave_out_the_partition_columns() -> None:
    assert "province" not in file_schema("rows").names and "plan_year" not in file_schema("rows").names
    assert file_schema("rows").names[:2] == ["file", "row_id"]
