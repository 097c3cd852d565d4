"""`tthc-extract check` end to end over the samples: pass, then damaged expected files and inputs."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from tthc_extract.check.command import check

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NAMES = ("000_ddb247df984a7d22", "001_62a13cda74406132", "002_c4b107cd9cf43351")
runner = CliRunner()


def _app() -> typer.Typer:
    """Return the real CLI when it registers `check`, else a small app that does."""
    from tthc_extract.cli import app

    if any(c.name == "check" for c in app.registered_commands):
        return app
    own = typer.Typer()
    own.command("check")(check)

    @own.callback()
    def main() -> None:
        """Stand-in for the real CLI until cli.py registers `check`."""

    return own


def run(*args: str) -> Result:
    return runner.invoke(_app(), ["check", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with corpus/ (the three sample texts), expected/ and the work folder, made once."""
    base = tmp_path_factory.mktemp("template")
    (base / "corpus").mkdir()
    for name in NAMES:
        shutil.copyfile(SAMPLES / f"{name}.txt", base / "corpus" / f"{name}.txt")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(base)
        res = run("corpus", "--expected", "expected", "--update-expected")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "created expected/000_ddb247df984a7d22.txt.json (46 rows)",
        "created expected/001_62a13cda74406132.txt.json (46 rows)",
        "created expected/002_c4b107cd9cf43351.txt.json (37 rows)",
        "expected files in expected: 3 created, 0 updated, 0 unchanged",
    ]
    return base


@pytest.fixture
def work(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the template, as the current folder."""
    dest = tmp_path / "repo"
    shutil.copytree(template, dest)
    monkeypatch.chdir(dest)
    return dest


def edit_json(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def damage(work: Path) -> None:
    """Delete a row from one expected file, change a deadline in another, add an unreadable PDF."""
    def delete_row(d: dict[str, Any]) -> None:
        assert (d["rows"][9]["section"], d["rows"][9]["stt"]) == ("III", "2")
        del d["rows"][9]

    def change_deadline(d: dict[str, Any]) -> None:
        row = d["rows"][5]
        assert (row["stt"], row["deadline_raw"], row["deadline"]["kind"]) == ("6", "Thường xuyên", "recurring")
        row["deadline_raw"] = "Trước 30/6/2022"
        row["deadline"] = {"kind": "date", "start": None, "end": "2022-06-30", "dates": []}

    edit_json(work / "expected" / "000_ddb247df984a7d22.txt.json", delete_row)
    edit_json(work / "expected" / "002_c4b107cd9cf43351.txt.json", change_deadline)
    (work / "corpus" / "003_unreadable.pdf").write_bytes(b"")


DIFF_000 = '+ extra row STT 2 (section III) "Rà soát, chuẩn hóa nội dung TTHC đã công bố, công khai."'
DIFF_002 = (
    '~ changed row STT 6 (section I) "Tổng hợp, trình Chủ tịch Ủy ban nhân dân tỉnh phê duyệt cán…": '
    'deadline_raw: "Trước 30/6/2022" → "Thường xuyên"; deadline_kind: "date" → "recurring"; '
    'deadline_end: "2022-06-30" → "2022-12-31"'
)


def test_samples_pass_against_their_expected_files(work: Path) -> None:
    res = run("corpus", "--expected", "expected")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["STATUS", "DOCUMENT", "ROWS", "P", "R", "F1", "WORST", "FIELD", "DOC", "ISSUES", "TIME"]
    assert [ln.split()[:6] for ln in lines[1:4]] == [
        ["PASS", f"corpus/{n}.txt", rows, "1.000", "1.000", "1.000"]
        for n, rows in zip(NAMES, ("46/46", "46/46", "37/37"), strict=True)
    ]
    assert lines[-1].startswith("3 document(s): 3 passed, 0 failed, 0 unreadable (3 reused) in ")


def test_outputs_are_reused_only_while_up_to_date(work: Path) -> None:
    assert "(3 reused)" in run("corpus", "--expected", "expected").output
    with (work / "corpus" / "002_c4b107cd9cf43351.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert "(2 reused)" in run("corpus", "--expected", "expected").output
    assert "(0 reused)" in run("corpus", "--expected", "expected", "--no-reuse").output
    meta = json.loads((work / ".tthc-check" / "002_c4b107cd9cf43351.txt.meta.json").read_text(encoding="utf-8"))
    assert sorted(meta) == ["fingerprint", "input", "input_sha256", "version"]


def test_damaged_expected_files_and_unreadable_input(work: Path) -> None:
    damage(work)
    res = run("corpus", "--expected", "expected")
    assert res.exit_code == 2, res.output  # an unreadable input outranks failed thresholds
    lines = res.output.splitlines()
    assert [ln.split()[:2] for ln in lines[1:5]] == [
        ["ERROR", "corpus/003_unreadable.pdf"],
        ["FAIL", "corpus/000_ddb247df984a7d22.txt"],
        ["FAIL", "corpus/002_c4b107cd9cf43351.txt"],
        ["PASS", "corpus/001_62a13cda74406132.txt"],
    ]
    assert "  unreadable: corpus/003_unreadable.pdf: empty file" in lines
    assert f"    {DIFF_000}" in lines
    assert f"    {DIFF_002}" in lines
    assert "  threshold: row precision 0.978 < 1.000 (min_precision)" in lines
    assert "  threshold: deadline_end accuracy 0.973 < 1.000 (min_field_accuracy)" in lines
    assert lines[-1].startswith("4 document(s): 1 passed, 2 failed, 1 unreadable")
    # without the unreadable file the failed thresholds give 1
    (work / "corpus" / "003_unreadable.pdf").unlink()
    assert run("corpus", "--expected", "expected").exit_code == 1


def test_junit_report(work: Path) -> None:
    damage(work)
    res = run("corpus", "--expected", "expected", "--format", "junit", "--output", "report.xml")
    assert res.exit_code == 2
    assert "FAIL    corpus/000_ddb247df984a7d22.txt" in res.output  # the table still goes to stdout
    suite = ET.parse(work / "report.xml").getroot()
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "2", "1")
    cases = {c.get("name", ""): c for c in suite.iter("testcase")}
    assert sorted(cases) == sorted(
        [f"corpus/{n}.txt" for n in NAMES] + ["corpus/003_unreadable.pdf"]
    )
    error = cases["corpus/003_unreadable.pdf"].find("error")
    assert error is not None and error.get("message") == "corpus/003_unreadable.pdf: empty file"
    failure = cases["corpus/000_ddb247df984a7d22.txt"].find("failure")
    assert failure is not None and failure.text is not None
    assert DIFF_000 in failure.text.splitlines()
    assert "row precision 0.978 < 1.000 (min_precision)" in (failure.get("message") or "")
    failure = cases["corpus/002_c4b107cd9cf43351.txt"].find("failure")
    assert failure is not None and failure.text is not None and DIFF_002 in failure.text.splitlines()
    assert {c.get("classname") for c in cases.values()} == {"tthc-extract.check.corpus"}
    passed = cases["corpus/001_62a13cda74406132.txt"]
    assert passed.find("failure") is None and passed.find("error") is None


def test_json_and_github_reports(work: Path) -> None:
    damage(work)
    data = json.loads(run("corpus", "--expected", "expected", "--format", "json").output)
    assert {k: data["summary"][k] for k in ("documents", "passed", "failed", "errors")} == {
        "documents": 4, "passed": 1, "failed": 2, "errors": 1,
    }
    doc = {d["path"]: d for d in data["documents"]}["corpus/000_ddb247df984a7d22.txt"]
    assert (doc["status"], doc["diff"], doc["comparison"]["matched"]) == ("fail", [DIFF_000], 45)
    gh = run("corpus", "--expected", "expected", "--format", "github").output.splitlines()
    errors = [ln for ln in gh if ln.startswith("::error ")]
    assert errors[0] == (
        "::error file=corpus/003_unreadable.pdf,title=tthc-extract check%3A unreadable::"
        "corpus/003_unreadable.pdf: empty file"
    )
    assert errors[1].startswith("::error file=corpus/000_ddb247df984a7d22.txt,title=tthc-extract check%3A failed::")
    assert errors[1].endswith("%0A" + DIFF_000)
    assert len(errors) == 3
    assert errors[2].startswith("::error file=corpus/002_c4b107cd9cf43351.txt,") and errors[2].endswith(DIFF_002)
    assert gh[len(errors)].startswith("::notice title=tthc-extract check::4 document(s): 1 passed, 2 failed")


def test_update_expected_prints_what_changed(work: Path) -> None:
    damage(work)
    (work / "corpus" / "003_unreadable.pdf").unlink()
    res = run("corpus", "--expected", "expected", "--update-expected")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "updated expected/000_ddb247df984a7d22.txt.json: 1 change(s)",
        f"  {DIFF_000}",
        "updated expected/002_c4b107cd9cf43351.txt.json: 1 change(s)",
        f"  {DIFF_002}",
        "expected files in expected: 0 created, 2 updated, 1 unchanged",
    ]
    assert run("corpus", "--expected", "expected").exit_code == 0


def test_intrinsic_checks_without_expected_files(work: Path) -> None:
    res = run("corpus")
    assert res.exit_code == 1  # the printed plans 000 and 001 really have numbering faults
    out = res.output
    assert "    numbering: section III appears 2 times (I, II, III, III, IV, V); its STT restart at 1 after 8" in out
    assert "    numbering: STT 36 (section VII) → 38 (section VIII): 37 missing" in out
    assert "PASS    corpus/002_c4b107cd9cf43351.txt  37" in out
    assert "FAIL corpus/002" not in out
    # a per-file allowance in pyproject.toml accepts plan 000's known fault
    (work / "pyproject.toml").write_text(
        '[tool.tthc-extract.check.files."000_*"]\nmax_numbering_issues = 1\n', encoding="utf-8"
    )
    res = run("corpus/000_ddb247df984a7d22.txt", "corpus/002_c4b107cd9cf43351.txt")
    assert res.exit_code == 0, res.output
    assert "settings: " in res.output and "pyproject.toml [tool.tthc-extract.check]" in res.output


def test_missing_expected_file(work: Path) -> None:
    (work / "expected" / "001_62a13cda74406132.txt.json").unlink()
    res = run("corpus", "--expected", "expected")
    assert res.exit_code == 1
    assert (
        "  threshold: no expected file expected/001_62a13cda74406132.txt.json "
        "(create it with --update-expected) (require_expected)"
    ) in res.output.splitlines()
    # with require_expected=false such a document gets the intrinsic checks (001 skips STT 37)
    res = run("corpus", "--expected", "expected", "--threshold", "require_expected=false")
    assert "  threshold: " in res.output and "max_numbering_issues" in res.output


def test_unreadable_expected_file_is_an_error(work: Path) -> None:
    (work / "expected" / "002_c4b107cd9cf43351.txt.json").write_text("{not json", encoding="utf-8")
    res = run("corpus", "--expected", "expected")
    assert res.exit_code == 2
    assert "  unreadable: expected file expected/002_c4b107cd9cf43351.txt.json cannot be read" in res.output


@pytest.mark.parametrize(("args", "message"), [
    (["corpus", "--format", "xml"], "unknown --format 'xml'"),
    (["corpus", "--update-expected"], "--update-expected needs --expected DIR"),
    (["corpus", "--expected", "nowhere"], "expected folder nowhere not found"),
    (["corpus", "--threshold", "min_f1=2"], "min_f1 must be between 0 and 1"),
    (["corpus", "--config", "missing.toml"], "missing.toml: cannot read"),
    (["empty-folder"], "empty-folder: folder holds no plan documents (no files)"),
    (["corpus", "corpus/*.docx"], "corpus/*.docx: no file matches this pattern"),
])
def test_usage_errors_exit_2(work: Path, args: list[str], message: str) -> None:
    (work / "empty-folder").mkdir()
    res = run(*args)
    assert res.exit_code == 2
    assert message in res.output
