"""CLI conventions: --version, python -m, -v/--log-file, show --format, extract --json, exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tthc_extract import __version__
from tthc_extract.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "002_c4b107cd9cf43351.txt"
runner = CliRunner()


def test_version_option_and_python_m() -> None:
    assert runner.invoke(app, ["--version"]).stdout.strip() == __version__
    res = subprocess.run([sys.executable, "-m", "tthc_extract", "--version"], capture_output=True, text=True,
                         check=True)
    assert res.stdout.strip() == __version__


def test_help_lists_the_commands_and_nothing_else() -> None:
    """The --version callback once showed up as a command of its own ("-version")."""
    import typer.main

    names = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert names == ["check", "debug", "extract", "review", "schema", "settings", "show", "version"]


def test_verbose_logs_why_tables_were_found_into_the_log_file(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    res = runner.invoke(app, ["-v", "--log-file", str(log), "show", "-f", "json", str(SAMPLE)])
    assert res.exit_code == 0, res.output
    text = log.read_text(encoding="utf-8")
    assert "task table 1 found at piece 0" in text and "37 task row(s)" in text


def test_show_formats() -> None:
    plan = json.loads(runner.invoke(app, ["show", "-f", "json", str(SAMPLE)]).stdout)
    assert len(plan["rows"]) == 37
    table = list(csv.DictReader(io.StringIO(runner.invoke(app, ["show", "-f", "csv", str(SAMPLE)]).stdout)))
    assert [r["task"] for r in table] == [r["task"] for r in plan["rows"]]
    md = runner.invoke(app, ["show", "-f", "markdown", str(SAMPLE)]).stdout.splitlines()
    assert md[0].startswith("| section | stt | task") and len(md) == 2 + 37
    assert runner.invoke(app, ["show", "-f", "xml", str(SAMPLE)]).exit_code == 2


def test_show_of_a_non_plan_exits_1(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Danh sách cán bộ tham dự hội nghị.\nKhông có bảng nào.\n", encoding="utf-8")
    res = runner.invoke(app, ["show", str(note)])
    assert res.exit_code == 1 and "not a plan document" in res.output


def test_extract_json_summary_and_empty_errors_file(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLE, src / "a.txt")
    res = runner.invoke(app, ["extract", str(src), "-o", str(tmp_path / "o"), "-q", "--json", "--no-parquet"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert (summary["files"], summary["extracted"], summary["failed"], summary["rows"]) == (1, 1, 0, 37)
    assert (tmp_path / "o" / "errors.jsonl").read_text() == ""  # always written, empty when all went well
