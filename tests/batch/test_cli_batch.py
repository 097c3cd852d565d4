"""`tthc-extract extract` options of the batch: --jobs, --force, re-runs, --no-parquet then Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from tthc_extract.batch import read_table
from tthc_extract.cli import app

from .corpus import small_corpus

runner = CliRunner()


def _extract(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["extract", *args, "-q"])
    return res.exit_code, res.stdout


def test_rerun_reports_unchanged_and_force_redoes(tmp_path: Path) -> None:
    src, out = small_corpus(tmp_path / "in"), str(tmp_path / "out")
    assert _extract(str(src), "-o", out, "-j", "2")[1].startswith("3 file(s): 3 extracted, 0 failed; 129 rows")
    code, text = _extract(str(src), "-o", out, "-j", "2")
    assert code == 0 and text.startswith("3 file(s): 0 extracted, 0 failed, 3 unchanged; 129 rows")
    code, text = _extract(str(src), "-o", out, "-j", "1", "--force")
    assert code == 0 and text.startswith("3 file(s): 3 extracted, 0 failed; 129 rows")


def test_no_parquet_then_parquet_completes_the_dataset(tmp_path: Path) -> None:
    src, out = small_corpus(tmp_path / "in"), tmp_path / "out"
    assert _extract(str(src), "-o", str(out), "--no-parquet")[0] == 0
    assert (out / "a.txt.json").is_file() and not list(out.glob("*.parquet"))
    code, text = _extract(str(src), "-o", str(out))
    assert code == 0 and text.startswith("3 file(s): 3 extracted")  # no parts yet: extracted again
    assert pq.read_table(out / "rows.parquet").num_rows == read_table(out, "rows").num_rows == 129
