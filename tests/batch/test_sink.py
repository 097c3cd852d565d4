"""The partitioned dataset: slug folders, and plain reads by pandas, DuckDB and Polars of any corpus."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from tests.batch.corpus import TG, copy_sample
from tthc_extract.batch import BatchOptions, read_table, run_batch
from tthc_extract.batch.sink import PARTITION_KEY, file_schema, partition_file, partition_value
from tthc_extract.inputs import expand_inputs
from tthc_extract.model.columns import ROWS_SCHEMA


def test_partition_values_are_ascii_slugs_never_null() -> None:
    assert partition_value("Tiền Giang") == partition_value("TIỀN GIANG") == "tien-giang"
    assert partition_value("Bà Rịa - Vũng Tàu") == "ba-ria-vung-tau"
    assert partition_value("Đắk Lắk") == "dak-lak"
    assert partition_value("A/B=C:50%") == "a-b-c-50"
    assert partition_value(None) == partition_value("") == partition_value("—") == "unknown"
    out = Path("/o")
    assert partition_file(out, "rows", ("Quảng Ngãi", 2022)) == out / "rows" / "province_slug=quang-ngai" / "part-2022.parquet"
    assert partition_file(out, "rows", (None, None)) == out / "rows" / "province_slug=unknown" / "part-unknown.parquet"


def test_partition_files_hold_every_column() -> None:
    assert file_schema("rows") == ROWS_SCHEMA  # province (as written) and plan_year keep their types


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A dataset of a plan with province and year and one with neither (in a sub-folder)."""
    tmp = tmp_path_factory.mktemp("ds")
    src, out = tmp / "in", tmp / "out"
    copy_sample(src / "a.txt", f"{TG}.txt")
    copy_sample(src / "sub" / "none.txt", "no_metadata.txt")
    s = run_batch(expand_inputs([str(src)]), out, BatchOptions(jobs=1))
    assert s.extracted == 2
    return src, out


def test_pandas_reads_the_folder_plainly(dataset: tuple[Path, Path]) -> None:
    _, out = dataset
    want = read_table(out, "rows")
    df = pd.read_parquet(out / "rows")  # raised "Cannot yet unify dictionaries with nulls" before
    assert len(df) == want.num_rows
    assert set(df[PARTITION_KEY].astype(str)) == {"tien-giang", "unknown"}
    assert set(df["province"].dropna()) == {"Tiền Giang"} and df["province"].isna().any()
    assert set(df["file"]) == {"a.txt", "sub/none.txt"}  # relative to the input folder, on any machine
    docs = pd.read_parquet(out / "documents")
    assert sorted(docs["file"]) == ["a.txt", "sub/none.txt"] and docs["plan_year"].isna().sum() == 1
    agencies = pd.read_parquet(out / "agencies")
    assert len(agencies) == read_table(out, "agencies").num_rows and agencies["agency_id"].notna().any()


def test_duckdb_reads_the_folder(dataset: tuple[Path, Path]) -> None:
    duckdb = pytest.importorskip("duckdb")
    _, out = dataset
    glob = str(out / "rows" / "**" / "*.parquet")
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
    types = dict(zip(rel.columns, map(str, rel.types), strict=True))
    assert types[PARTITION_KEY] == "VARCHAR" and types["plan_year"] == "INTEGER" and types["deadline_end"] == "DATE"
    n, unknown = duckdb.sql(
        f"SELECT count(*), count(*) FILTER (WHERE {PARTITION_KEY} = 'unknown' AND province IS NULL) "
        f"FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()[0]
    assert n == read_table(out, "rows").num_rows and unknown > 0


def test_polars_reads_the_folder(dataset: tuple[Path, Path]) -> None:
    pl = pytest.importorskip("polars")
    _, out = dataset
    df = pl.read_parquet(out / "rows", hive_partitioning=True)
    assert df.height == read_table(out, "rows").num_rows
    assert df.schema[PARTITION_KEY] == pl.String and df.schema["plan_year"] == pl.Int32
    assert df.schema["deadline_end"] == pl.Date and df.schema["deadline_dated"] == pl.Boolean
    assert set(df[PARTITION_KEY].unique()) == {"tien-giang", "unknown"}


def test_partition_types_do_not_depend_on_the_data(tmp_path: Path) -> None:
    # one province only, with a year: the partition column is still a string everywhere
    src, out = tmp_path / "in", tmp_path / "out"
    copy_sample(src / "a.txt", f"{TG}.txt")
    run_batch(expand_inputs([str(src)]), out, BatchOptions(jobs=1))
    df = pd.read_parquet(out / "rows")
    assert set(df[PARTITION_KEY].astype(str)) == {"tien-giang"}
    assert pa.types.is_integer(read_table(out, "rows").schema.field("plan_year").type)
