"""Processes as Linux's /proc shows them, for the tests that check a stop leaves none running.

Read here independently of tthc_extract.children, which the tests check.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")


@dataclass(frozen=True)
class Proc:
    """One process: its id, parent, state letter (Z: zombie), command name and start time."""

    pid: int
    ppid: int
    state: str
    comm: str
    start: int


def _read(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()
    return Proc(pid, int(fields[1]), fields[0], comm, int(fields[19]))


def table() -> dict[int, Proc]:
    """Return every process of the machine by pid."""
    procs = (_read(int(d.name)) for d in Path("/proc").iterdir() if d.name.isdigit())
    return {p.pid: p for p in procs if p is not None}


def descendants(root: int) -> list[Proc]:
    """Return the processes under ``root`` (children, their children ...), not ``root`` itself."""
    kids: dict[int, list[Proc]] = {}
    for p in table().values():
        kids.setdefault(p.ppid, []).append(p)
    found: list[Proc] = []
    todo = [root]
    while todo:
        for p in kids.get(todo.pop(), []):
            found.append(p)
            todo.append(p.pid)
    return found


def running(procs: Iterable[Proc]) -> list[Proc]:
    """Return those of ``procs`` still running: same pid and start time, not a zombie."""
    left = []
    for p in procs:
        now = _read(p.pid)
        if now is not None and now.start == p.start and now.state != "Z":
            left.append(p)
    return left


def wait_gone(procs: Iterable[Proc], seconds: float) -> list[Proc]:
    """Wait until none of ``procs`` runs, at most ``seconds``; return those still running then."""
    procs = list(procs)
    deadline = time.monotonic() + seconds
    while True:
        left = running(procs)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.02)


def cmdline(pid: int) -> str:
    """Return the command line of ``pid`` with spaces between its arguments ("" when it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def kill_all(procs: Iterable[Proc]) -> None:
    """SIGKILL those of ``procs`` still running (a failed test's leftovers)."""
    for p in running(procs):
        try:
            os.kill(p.pid, signal.SIGKILL)
        except OSError:
            pass
