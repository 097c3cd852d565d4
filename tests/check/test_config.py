"""Check settings: defaults, pyproject.toml, --config files, per-file globs and --threshold."""

from __future__ import annotations

from pathlib import Path

import pytest

from tthc_extract.check.config import ConfigError, Thresholds, known_keys, load_config, parse_override

PYPROJECT = """
[project]
name = "my-corpus"

[tool.tthc-extract.check]
min_f1 = 0.95
max_numbering_issues = 0

[tool.tthc-extract.check.fields]
deadline_end = 0.9

[tool.tthc-extract.check.files."corpus/001_*"]
max_numbering_issues = 1  # the printed plan skips STT 37
"""


def test_defaults_without_settings(tmp_path: Path) -> None:
    cfg = load_config(cwd=tmp_path)
    assert cfg.source == "defaults"
    th = cfg.for_file("corpus/a.pdf")
    assert th == Thresholds()
    assert (th.min_f1, th.max_numbering_issues, th.require_expected, th.field_min("task")) == (1.0, 0, True, 1.0)


def test_pyproject_table_per_file_globs_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    cfg = load_config(overrides=["min_recall=0.5", "fields.lead=0.8"], cwd=tmp_path)
    assert cfg.source.endswith("pyproject.toml [tool.tthc-extract.check] + --threshold")
    other = cfg.for_file("corpus/000_x.txt")
    assert (other.min_f1, other.min_recall, other.max_numbering_issues) == (0.95, 0.5, 0)
    assert (other.field_min("deadline_end"), other.field_min("lead"), other.field_min("task")) == (0.9, 0.8, 1.0)
    assert cfg.for_file("corpus/001_62a13cda74406132.txt").max_numbering_issues == 1
    # a glob also matches the bare file name; the command line wins over a per-file table
    cfg2 = load_config(overrides=["max_numbering_issues=3"], cwd=tmp_path)
    assert cfg2.for_file("corpus/001_y.txt").max_numbering_issues == 3


def test_config_file_with_top_level_keys(tmp_path: Path) -> None:
    path = tmp_path / "check.toml"
    path.write_text('min_f1 = 0.9\nrequire_expected = false\n[files."*.pdf"]\nmax_low_confidence_share = 0.3\n')
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")  # ignored: --config wins
    cfg = load_config(path, cwd=tmp_path)
    assert cfg.source == str(path)
    th = cfg.for_file("scan.pdf")
    assert (th.min_f1, th.require_expected, th.max_low_confidence_share, th.field_min("deadline_end")) == (
        0.9, False, 0.3, 1.0,
    )
    assert cfg.for_file("a.docx").max_low_confidence_share == 0.1


@pytest.mark.parametrize(("item", "want"), [
    ("min_f1=0.97", ("min_f1", 0.97)),
    ("min_f1 = 1", ("min_f1", 1.0)),
    ("max_rows_without_agency=2", ("max_rows_without_agency", 2)),
    ("require_expected=false", ("require_expected", False)),
    ("fields.deadline_kind=0.5", ("fields.deadline_kind", 0.5)),
])
def test_parse_override(item: str, want: tuple[str, object]) -> None:
    assert parse_override(item) == want


@pytest.mark.parametrize(("item", "message"), [
    ("min_f1", "--threshold wants KEY=VALUE"),
    ("min_fi=0.9", "unknown check setting 'min_fi'"),
    ("min_f1=1.5", "min_f1 must be between 0 and 1"),
    ("min_f1=high", "cannot read value 'high'"),
    ("max_numbering_issues=1.5", "must be a whole number >= 0"),
    ("max_numbering_issues=-1", "must be a whole number >= 0"),
    ("require_task_table=1", "must be true or false"),
    ("fields.colour=0.5", "unknown row field 'colour'"),
])
def test_bad_overrides_are_usage_errors(item: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_override(item)


def test_bad_files_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("min_f1 = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad.write_text("[tool.tthc-extract.check]\nmin_f1 = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="min_f1 must be a number"):
        load_config(bad)
    bad.write_text("[tool.tthc-extract.check.fields]\ncolour = 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml: unknown row field 'colour'"):
        load_config(bad)


def test_a_pyproject_without_the_table_has_no_settings(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text('[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n', encoding="utf-8")
    assert load_config(path).for_file("a.pdf") == Thresholds()


def test_every_key_is_documented() -> None:
    """docs/ci.md lists every setting (a new threshold needs its line there)."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "ci.md").read_text(encoding="utf-8")
    assert [k for k in known_keys() if not k.startswith("fields.") and f"`{k}`" not in doc] == []
