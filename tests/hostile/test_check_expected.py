"""`check --expected` with expected files that are valid JSON of another shape: unreadable (exit 2), no crash."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from tthc_extract.cli import app

from .conditions import good_plans

runner = CliRunner()


def test_expected_files_of_the_wrong_shape_are_unreadable_and_the_others_still_compared(tmp_path: Path) -> None:
    src, exp = good_plans(tmp_path / "in"), tmp_path / "expected"
    shutil.copy(src / "a.txt", src / "c.txt")
    assert runner.invoke(app, ["check", str(src), "--expected", str(exp), "--update-expected"]).exit_code == 0
    shapes = {"a.txt": "[1, 2, 3]", "b.txt": '{"rows": "x"}', "c.txt": None}
    for name, text in shapes.items():
        if text is not None:
            (exp / f"{name}.json").write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["check", str(src), "--expected", str(exp)], env={"COLUMNS": "300"})
    assert res.exit_code == 2, res.output  # documented: an unreadable expected file exits 2
    out = res.stdout.splitlines()
    assert (f"  unreadable: expected file {exp / 'a.txt.json'} cannot be read (not an expected file: "
            "Input should be a JSON object)") in out
    assert (f"  unreadable: expected file {exp / 'b.txt.json'} cannot be read (not an expected file: "
            "rows: Input should be a JSON list)") in out
    assert "3 document(s): 1 passed, 0 failed, 2 unreadable" in res.stdout
