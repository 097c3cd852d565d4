"""An output folder that cannot be written (read-only, a path through a file, full) is one `error:` line."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tthc_extract.batch import BatchError, BatchOptions, run_batch
from tthc_extract.batch import run as run_module
from tthc_extract.batch.manifest import Manifest
from tthc_extract.inputs import expand_inputs

from .conditions import cli, good_plans, read_only


def _one_error_line(res_lines: list[str], *fragments: str) -> None:
    assert len(res_lines) == 1, res_lines
    assert res_lines[0].startswith("error: ")
    for f in fragments:
        assert f in res_lines[0]


def test_read_only_output_folder_is_one_error_line_and_nothing_is_written(tmp_path: Path) -> None:
    src, out = good_plans(tmp_path / "in"), tmp_path / "ro"
    with read_only(out):
        for target in (out, out / "new"):  # the folder itself, and a folder to be made inside it
            res = cli("extract", str(src), "-o", str(target), "-q")
            assert res.code == 2 and res.stdout == ""
            _one_error_line(res.lines(), f"{target}: cannot write to the output folder (")
    assert list(out.iterdir()) == []


def test_output_path_through_a_file_is_one_error_line(tmp_path: Path) -> None:
    src = good_plans(tmp_path / "in")
    res = cli("extract", str(src), "-o", str(src / "a.txt" / "out"), "-q")
    assert res.code == 2
    _one_error_line(res.lines(), "cannot write to the output folder (Not a directory)")


def test_full_disk_is_refused_before_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = good_plans(tmp_path / "in"), tmp_path / "out"
    real = os.statvfs(tmp_path)

    class Full:
        f_frsize, f_bavail, f_files, f_favail = real.f_frsize, (1024 * 1024) // real.f_frsize, 1000, 1000

    monkeypatch.setattr(run_module.os, "statvfs", lambda p: Full)
    with pytest.raises(BatchError, match=r"disk is full \(1024 KB free, 4 MB needed at least\)"):
        run_batch(expand_inputs([str(src)]), out, BatchOptions(jobs=1))
    Full.f_bavail, Full.f_favail = real.f_bavail, 3
    with pytest.raises(BatchError, match=r"disk is full \(room for 3 more files, 64 needed at least\)"):
        run_batch(expand_inputs([str(src)]), out, BatchOptions(jobs=1))
    assert [p.name for p in out.iterdir()] == []


def test_disk_full_midway_keeps_what_finished_in_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = good_plans(tmp_path / "in"), tmp_path / "out"
    real_write = run_module.atomic_write_bytes
    written: list[Path] = []

    def fill_up(path: Path, data: bytes) -> None:
        if written:  # the second document's JSON no longer fits
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        written.append(path)
        real_write(path, data)

    monkeypatch.setattr(run_module, "atomic_write_bytes", fill_up)
    with pytest.raises(BatchError) as info:
        run_batch(expand_inputs([str(src)]), out, BatchOptions(jobs=1, parquet=False))
    assert "\n" not in str(info.value)
    assert str(info.value) == (f"{out}: cannot write outputs any more (No space left on device); 1 document(s) "
                               "finished before are kept; make room and run the same command again to do the rest")
    assert written[0].is_file()
    assert list(Manifest.load(out).entries) == [written[0].name]  # the next run does only the other one
