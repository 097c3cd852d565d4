"""The command line: extract a batch (with a bad file), show, schema."""

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from tthc_extract.cli import app
from tthc_extract.export.frames import AGENCIES_SCHEMA, DOCUMENTS_SCHEMA, ROWS_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _corpus(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    shutil.copy(ROOT / "samples" / "002_c4b107cd9cf43351.txt", src / "a.txt")
    shutil.copy(ROOT / "samples" / "000_ddb247df984a7d22.txt", src / "sub" / "b.txt")
    (src / "sub" / "broken.pdf").write_bytes(b"%PDF-1.7\n broken")
    return src


def test_extract_batch_writes_outputs_and_reports_bad_file(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    res = runner.invoke(app, ["extract", str(src), "-o", str(out), "-q"])
    assert res.exit_code == 1  # one file failed
    assert "3 file(s): 2 extracted, 1 failed; 83 rows" in res.stdout
    assert (out / "a.txt.json").exists() and (out / "sub" / "b.txt.json").exists()
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    assert len(errors) == 1 and errors[0]["file"].endswith("broken.pdf")
    assert errors[0]["error"].startswith(str(src / "sub" / "broken.pdf"))
    rows = pq.read_table(out / "rows.parquet")
    assert rows.schema.equals(ROWS_SCHEMA) and rows.num_rows == 83
    assert pq.read_table(out / "documents.parquet").schema.equals(DOCUMENTS_SCHEMA)
    assert pq.read_table(out / "agencies.parquet").schema.equals(AGENCIES_SCHEMA)
    assert not list(out.rglob("*.tmp"))


def test_extract_success_exit_zero_and_glob(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    res = runner.invoke(app, ["extract", str(src / "*.txt"), "-o", str(tmp_path / "o"), "-q", "--no-parquet"])
    assert res.exit_code == 0, res.stdout
    assert (tmp_path / "o" / "a.txt.json").exists()


def test_show_prints_rows(tmp_path: Path) -> None:
    res = runner.invoke(app, ["show", str(ROOT / "samples" / "002_c4b107cd9cf43351.txt")], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    assert "45/QĐ-UBND" in res.stdout and "37 rows" in res.stdout and "Văn phòng" in res.stdout


def test_schema_command_prints_plan_schema() -> None:
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0
    schema = json.loads(res.stdout)
    assert "rows" in schema["properties"] and "document" in schema["properties"]


def test_no_inputs_is_usage_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["extract", str(tmp_path / "nothing*.pdf"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2
