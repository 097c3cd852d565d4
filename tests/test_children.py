"""Child processes: killed on time-out and stop with their process group, dead with their parent."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tthc_extract import children

from . import procs
from .procs import needs_proc


def _pid_in(path: Path, within: float = 30.0) -> int:
    """Wait until a process has written its pid to ``path``; return it."""
    deadline = time.monotonic() + within
    while not path.is_file() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"nothing wrote {path}"
        time.sleep(0.02)
    return int(path.read_text())


def _proc(pid: int) -> procs.Proc:
    p = procs.table().get(pid)
    assert p is not None, pid
    return p


def test_run_gives_exit_status_and_output() -> None:
    res = children.run(["sh", "-c", "cat; echo err >&2; exit 3"], input=b"in\n")
    assert (res.returncode, res.stdout, res.stderr) == (3, b"in\n", b"err\n")
    assert children._LIVE == {}


@needs_proc
def test_timeout_kills_the_whole_session(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    script = f"sleep 30 & echo $! > {marker}; wait"
    t0 = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        children.run(["sh", "-c", script], timeout=1.0, new_session=True)
    assert time.monotonic() - t0 < 10
    grandchild = _pid_in(marker)  # the shell's own child: in the session, not a child of this process
    deadline = time.monotonic() + 2.0
    while (p := procs.table().get(grandchild)) is not None and p.state != "Z":
        assert time.monotonic() < deadline, f"{p} still running"
        time.sleep(0.02)


def test_stop_all_kills_running_children_and_refuses_new(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(children, "_stopping", False)  # restored after the test
    results: list[int] = []
    t = threading.Thread(target=lambda: results.append(children.run(["sleep", "30"], new_session=True).returncode))
    t.start()
    deadline = time.monotonic() + 30
    while not children._LIVE:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    children.stop_all()
    t.join(5)
    assert not t.is_alive() and results == [-signal.SIGKILL]
    with pytest.raises(children.StoppedError):
        children.run(["true"])


def test_stop_all_removes_scratch_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(children, "_stopping", False)  # restored after the test
    with children.scratch("tthc-test-") as kept:
        (kept / "f").write_bytes(b"x")
    assert not kept.exists()  # removed on the way out
    with children.scratch("tthc-test-") as folder:
        (folder / "sub").mkdir()
        children.stop_all()  # a stopped worker leaves at once after this, never leaving the block
        assert not folder.exists()
    assert children._SCRATCH == set()


@needs_proc
@pytest.mark.skipif(children._PRCTL is None, reason="needs Linux prctl")
def test_child_dies_with_the_thread_that_started_it(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    code = ("import sys; from tthc_extract import children; "
            f"children.run(['sh', '-c', 'echo $$ > {marker}; exec sleep 30'])")
    parent = subprocess.Popen([sys.executable, "-c", code])
    seen: list[procs.Proc] = []
    try:
        child = _proc(_pid_in(marker))
        seen.append(child)
        assert child.ppid == parent.pid
        parent.kill()
        parent.wait()
        assert not procs.wait_gone([child], 2.0)
    finally:
        procs.kill_all(seen + procs.descendants(parent.pid))
        if parent.poll() is None:
            parent.kill()
            parent.wait()


@needs_proc
def test_kill_left_ends_what_a_killed_parent_left(tmp_path: Path) -> None:
    child_pid, go, grandchild_pid = tmp_path / "child", tmp_path / "go", tmp_path / "grandchild"
    # the parent starts a child in a session of its own, which starts a grandchild after the
    # snapshot: LibreOffice's shape (oosplash forks soffice.bin)
    inner = (f"echo $$ > {child_pid}; while [ ! -e {go} ]; do sleep 0.05; done; "
             f"sleep 30 & echo $! > {grandchild_pid}; wait")
    parent = subprocess.Popen(["sh", "-c", f"setsid sh -c '{inner}' & wait"])
    seen: list[procs.Proc] = []
    try:
        child = _proc(_pid_in(child_pid))
        seen.append(child)
        snap = children.snapshot([parent.pid])
        assert (child.pid, child.start) in snap.procs and (child.pid, child.pid) in snap.groups
        go.touch()
        grandchild = _proc(_pid_in(grandchild_pid))
        seen.append(grandchild)
        parent.kill()
        parent.wait()
        time.sleep(0.2)
        assert procs.running([child, grandchild]) == [child, grandchild]  # orphaned, still running
        assert children.kill_left(snap) >= 2
        assert not procs.wait_gone([child, grandchild], 2.0)
    finally:
        procs.kill_all(seen + procs.descendants(parent.pid))
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    assert children.kill_left(children.snapshot([])) == 0
