"""Command-line inputs: folders, globs and files; what names nothing; duplicates; dot-folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tthc_extract.inputs import collect_inputs, expand_inputs


def _touch(p: Path, text: str = "x") -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_folder_walk_skips_dot_folders_and_counts_other_types(tmp_path: Path) -> None:
    a = _touch(tmp_path / "in" / "a.pdf")
    b = _touch(tmp_path / "in" / "sub" / "kế hoạch số 1.docx")
    _touch(tmp_path / "in" / ".venv" / "lib" / "LICENSE.txt")
    _touch(tmp_path / "in" / ".hidden.txt")
    _touch(tmp_path / "in" / "book.xlsx")
    _touch(tmp_path / "in" / "sub" / "data.XLSX")
    _touch(tmp_path / "in" / "notes.zip")
    readme = _touch(tmp_path / "in" / "README.md")
    found = collect_inputs([str(tmp_path / "in")])
    assert found.files == [(a, tmp_path / "in"), (b, tmp_path / "in")]
    assert found.problems == []
    assert dict(found.skipped) == {".xlsx": 2, ".md": 1, ".zip": 1}
    assert found.skipped_note() == ("4 file(s) in the folders are not plan documents and were left out "
                                    "(.xlsx: 2, .md: 1, .zip: 1); name a file to try it anyway")
    assert collect_inputs([str(readme)]).files == [(readme, None)]  # named, it is read


def test_items_naming_nothing_are_problems_naming_the_item(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _touch(tmp_path / "only-xlsx" / "t.xlsx")
    items = [str(tmp_path / "empty"), str(tmp_path / "only-xlsx"), str(tmp_path / "none" / "*.pdf")]
    found = collect_inputs(items)
    assert found.files == []
    assert [p["error"] for p in found.problems] == [
        f"{items[0]}: folder holds no plan documents (no files)",
        f"{items[1]}: folder holds no plan documents (only files of other types (1))",
        f"{items[2]}: no file matches this pattern",
    ]
    assert [p["file"] for p in found.problems] == items


def test_a_missing_or_foreign_file_named_explicitly_is_kept(tmp_path: Path) -> None:
    xlsx = _touch(tmp_path / "t.xlsx")
    found = collect_inputs([str(tmp_path / "missing.pdf"), str(xlsx)])
    assert found.files == [(tmp_path / "missing.pdf", None), (xlsx, None)] and not found.problems


def test_same_file_twice_is_kept_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _touch(tmp_path / "in" / "a.txt")
    monkeypatch.chdir(tmp_path)
    files = expand_inputs(["in/*.txt", "in/a.txt", str(a), f"in{os.sep}.{os.sep}a.txt"])
    assert files == [(Path("in/a.txt"), Path("in"))]
