"""Ctrl-C and kill -9 in the middle of `tthc-extract extract`: whole files only, the next run finishes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tthc_extract.batch import read_table
from tthc_extract.batch.manifest import Manifest
from tthc_extract.batch.work import FAULTS_ENV

from .corpus import QB, QN, TG, copy_sample, temporaries

GOOD = 4


def _command(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "tthc_extract.cli", "extract", str(src), "-o", str(out), "-q", "-j", "2",
            "--timeout", "120"]


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, Path]:
    """Start a batch whose first document hangs while the others finish; return it, input, output."""
    src, out = tmp_path / "in", tmp_path / "out"
    copy_sample(src / "0_hang.txt", f"{TG}.txt")
    for i in range(GOOD):
        copy_sample(src / f"d{i}.txt", f"{(QB, QN, TG)[i % 3]}.txt")
    env = {**os.environ, FAULTS_ENV: "hang=0_hang"}
    proc = subprocess.Popen(_command(src, out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    return proc, src, out


def _rerun(src: Path, out: Path) -> str:
    """Run the same command again, without the fault; return its summary line."""
    env = {k: v for k, v in os.environ.items() if k != FAULTS_ENV}
    res = subprocess.run(_command(src, out), env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


def _wait_for_json(out: Path, n: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(list(out.glob("d*.txt.json"))) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.05)


def _finish(out: Path) -> None:
    """Check the whole dataset is there after the batch was run again."""
    assert read_table(out, "documents").num_rows == GOOD + 1
    assert not temporaries(out) and not (out / ".tthc" / "running").exists()


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_writes_what_finished_and_stops(tmp_path: Path, how: str) -> None:
    proc, src, out = _start(tmp_path)
    try:
        _wait_for_json(out, GOOD, proc)
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        else:
            os.kill(proc.pid, signal.SIGTERM)  # what a job scheduler does: the driver only
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "interrupted: 1 document(s) not done" in stderr
    assert f"{GOOD + 1} file(s): {GOOD} extracted, 0 failed" in stdout
    m = Manifest.load(out)
    assert sorted(m.entries) == [f"d{i}.txt.json" for i in range(GOOD)] and not m.dirty
    assert read_table(out, "documents").num_rows == GOOD
    assert pq.read_table(out / "rows.parquet").num_rows == sum(e.n_rows for e in m.entries.values())
    assert (out / "errors.jsonl").read_text() == "" and not (out / "0_hang.txt.json").exists()
    assert not temporaries(out)
    assert _rerun(src, out).startswith(f"{GOOD + 1} file(s): 1 extracted, 0 failed, {GOOD} unchanged")
    _finish(out)


def test_kill_9_leaves_only_whole_files(tmp_path: Path) -> None:
    proc, src, out = _start(tmp_path)
    try:
        _wait_for_json(out, 2, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    for f in out.rglob("*"):
        if f.name.startswith(".") or not f.is_file():
            continue
        if f.suffix == ".json":
            json.loads(f.read_text(encoding="utf-8"))
        elif f.suffix == ".parquet":
            pq.read_table(f)
        elif f.suffix == ".arrow":
            with pa.OSFile(str(f), "rb") as fh:
                pa.ipc.open_file(fh).read_all()
    assert _rerun(src, out).startswith(f"{GOOD + 1} file(s): ")
    _finish(out)
