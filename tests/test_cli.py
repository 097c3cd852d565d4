"""The command line: extract a batch (with a bad file), show, schema."""

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from tthc_extract.cli import app
from tthc_extract.model.columns import AGENCIES_SCHEMA, DOCUMENTS_SCHEMA, ROWS_SCHEMA

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


def test_summary_counts_documents_read_without_a_plan(tmp_path: Path) -> None:
    """A file that opens but holds no plan is extracted (its JSON says status "failure"), and the
    summary says so, in the line and in --json, also when it is unchanged on the next run."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ROOT / "samples" / "002_c4b107cd9cf43351.txt", src / "a.txt")
    (src / "letter.txt").write_text("Kính gửi anh Nam,\nHẹn gặp lại vào thứ Hai tuần sau.\n", encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(app, ["extract", str(src), "-o", str(out), "--no-parquet"])
    assert res.exit_code == 0, res.stdout
    assert "2 file(s): 2 extracted, 0 failed, 1 with no plan read;" in res.stdout
    assert json.loads((out / "letter.txt.json").read_text("utf-8"))["status"] == "failure"
    again = runner.invoke(app, ["extract", str(src), "-o", str(out), "--no-parquet", "--json"])
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert (summary["unchanged"], summary["no_plan"], summary["partial"]) == (2, 1, 0)


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


def test_bad_inputs_each_get_one_named_error_line_and_the_batch_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "a folder with a long name to go past eighty columns" / "thư mục"
    src.mkdir(parents=True)
    shutil.copy(ROOT / "samples" / "002_c4b107cd9cf43351.txt", src / "kế hoạch 1.txt")
    (src / "empty.pdf").write_bytes(b"")
    (src / "table.xlsx").write_bytes(b"PK\x03\x04 not read from a folder")
    (tmp_path / "empty-folder").mkdir()
    out = tmp_path / "out" / "nested"
    args = [str(src), str(tmp_path / "empty-folder"), str(tmp_path / "nothing" / "*.pdf"),
            str(tmp_path / "missing.pdf"), "-o", str(out), "-q", "-j", "1"]
    res = runner.invoke(app, ["extract", *args])
    assert res.exit_code == 1
    assert (out / "kế hoạch 1.txt.json").is_file()
    errors = {e["file"]: e["error"] for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())}
    assert errors == {
        str(src / "empty.pdf"): f"{src / 'empty.pdf'}: empty file",
        str(tmp_path / "empty-folder"): f"{tmp_path / 'empty-folder'}: folder holds no plan documents (no files)",
        str(tmp_path / "nothing" / "*.pdf"): f"{tmp_path / 'nothing' / '*.pdf'}: no file matches this pattern",
        str(tmp_path / "missing.pdf"): f"{tmp_path / 'missing.pdf'}: file not found",
    }
    lines = res.stderr.splitlines()  # one line per error, never wrapped at the terminal width
    assert sorted(x for x in lines if x.startswith("error: ")) == sorted(f"error: {e}" for e in errors.values())
    assert "note: 1 file(s) in the folders are not plan documents and were left out (.xlsx: 1); " \
           "name a file to try it anyway" in lines
    assert res.stdout.startswith("5 file(s): 1 extracted, 4 failed; 37 rows") and len(res.stdout.splitlines()) == 1


def test_nothing_found_names_the_items(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["extract", str(tmp_path / "empty"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [f"error: {tmp_path / 'empty'}: folder holds no plan documents (no files)",
                                       "error: no input files found"]


def test_show_unreadable_json_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text('{"format": 1, "documents": {}}', encoding="utf-8")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    for name, reason in [
        ("missing.json", "file not found"),
        ("other.json", "not a document JSON written by `tthc-extract extract` (source: Field required)"),
        ("bad.json", "not a document JSON written by `tthc-extract extract` (Invalid JSON: key must be a "
                     "string at line 1 column 2)"),
    ]:
        res = runner.invoke(app, ["show", str(tmp_path / name)])
        assert res.exit_code == 1
        assert res.stderr == f"error: {tmp_path / name}: {reason}\n"


def test_show_round_trips_an_extracted_json(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    runner.invoke(app, ["extract", str(src / "a.txt"), "-o", str(tmp_path / "o"), "-q", "--no-parquet"])
    res = runner.invoke(app, ["show", str(tmp_path / "o" / "a.txt.json")], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "45/QĐ-UBND" in res.stdout and "37 rows" in res.stdout


def test_show_reads_a_schema_1_0_json_with_its_warnings_typed(tmp_path: Path) -> None:
    """An output of schema 1.0 (warnings as strings) still shows; its warnings get their codes."""
    res = runner.invoke(app, ["show", "-f", "json", str(ROOT / "samples" / "002_c4b107cd9cf43351.txt")])
    new = json.loads(res.stdout)
    old = dict(new, schema_version="1.0", warnings=[w["message"] for w in new["warnings"]])
    del old["errors_by_stage"]
    (tmp_path / "old.json").write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(app, ["show", "-f", "json", str(tmp_path / "old.json")])
    assert res.exit_code == 0 and json.loads(res.stdout) == new
    res = runner.invoke(app, ["show", str(tmp_path / "old.json")], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    assert res.stdout.rstrip().endswith("warning: agencies not in the registry (no agency_id): Báo Ấp Bắc "
                                        "[agencies_not_in_registry]")
