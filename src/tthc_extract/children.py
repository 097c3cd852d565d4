"""Child processes (Tesseract, LibreOffice) that end when the batch stops, whatever state it is in.

A batch stopped by Ctrl-C or SIGTERM ends its worker processes, and the programs they run must
end with them: a Tesseract left running holds a core for seconds, a LibreOffice (in a session of
its own, so that a time-out can kill its whole group) for minutes. Three mechanisms, each for a
case the others miss:

* :func:`run` starts every child with the Linux parent-death signal (``PR_SET_PDEATHSIG``:
  SIGKILL when the thread that started it dies), so a child never outlives its worker, even one
  killed outright. It does not reach grandchildren: LibreOffice's ``soffice.bin`` is forked by
  its launcher ``oosplash`` and keeps running when ``oosplash`` dies.
* :func:`run` keeps the children running in a registry; :func:`stop_all` (the worker's SIGTERM
  handler, or its watch on the driver) kills them, a child in its own session with its whole
  process group, grandchildren included, refuses new ones and removes the :func:`scratch`
  folders (LibreOffice's profile and output).
* :func:`snapshot` and :func:`kill_left` (Linux ``/proc``): the driver records the processes
  under a worker before ending it and kills those left afterwards, with their process groups,
  for a worker that had to be killed before its handler could run.

Where there is no ``prctl`` or ``/proc`` (not Linux) those two do nothing and the registry alone
ends children.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

PR_SET_PDEATHSIG = 1  # linux/prctl.h


class StoppedError(RuntimeError):
    """No new child process is started: this process is being stopped (:func:`stop_all`)."""


def _load_prctl() -> Callable[..., int] | None:
    """Return libc's ``prctl`` on Linux, else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a Linux libc always has it
        return None
    return fn


_PRCTL = _load_prctl()
# The children started by :func:`run` and not yet waited for: id -> (process, leads its own group).
# Plain dict operations (atomic under the GIL), no lock: a signal handler reads it.
_LIVE: dict[int, tuple[subprocess.Popen[bytes], bool]] = {}
# The temporary folders of :func:`scratch` in use, removed by :func:`stop_all`.
_SCRATCH: set[str] = set()
_stopping = False


def _in_child(parent: int) -> Callable[[], None]:
    """Return the function a new child runs before ``exec``: die with ``parent``, or now if it is gone."""
    prctl = _PRCTL

    def setup() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return setup


def _kill(proc: subprocess.Popen[bytes], own_group: bool) -> None:
    """Kill a child that has not been waited for; with its process group when it leads one."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(OSError):
        if own_group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            os.kill(proc.pid, signal.SIGKILL)


def run(
    cmd: Sequence[str], *, input: bytes | None = None, env: dict[str, str] | None = None,
    timeout: float | None = None, new_session: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` to its end, output captured (bytes), as :func:`subprocess.run` does; return its result.

    The child dies with the thread that starts it and is registered while it runs (see the
    module's docstring). ``new_session`` starts it in a session and process group of its own,
    killed as a whole on time-out or stop. Raises TimeoutExpired after killing it past
    ``timeout``, OSError when it cannot start, StoppedError after :func:`stop_all`.
    """
    if _stopping:
        raise StoppedError(f"{cmd[0]} not started: stopping")
    proc = subprocess.Popen(list(cmd), stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=new_session,
                            preexec_fn=_in_child(os.getpid()) if _PRCTL is not None else None)
    with proc:
        _LIVE[id(proc)] = (proc, new_session)
        try:
            if _stopping:  # stop_all ran while this one was starting
                _kill(proc, new_session)
            try:
                out, err = proc.communicate(input, timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(proc, new_session)
                proc.communicate()
                raise
            except BaseException:  # SystemExit from the stop handler, KeyboardInterrupt
                _kill(proc, new_session)
                proc.wait()
                raise
        finally:
            _LIVE.pop(id(proc), None)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@contextlib.contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """Yield a new temporary folder for a child's files; removed afterwards, or by :func:`stop_all`.

    A process stopped by :func:`stop_all` leaves at once (``os._exit``: no ``with`` block is
    unwound), so the folders in use are removed there.
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        _SCRATCH.add(tmp)
        try:
            yield Path(tmp)
        finally:
            _SCRATCH.discard(tmp)


def stop_all() -> None:
    """Kill every child :func:`run` started that is still running, start no more, remove the scratch folders.

    Called from a signal handler or a watching thread, just before the process leaves.
    """
    global _stopping
    _stopping = True
    for proc, own_group in list(_LIVE.values()):
        _kill(proc, own_group)
    for folder in list(_SCRATCH):
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Proc:
    """A process as ``/proc/PID/stat`` shows it: ids, group, session and start time (clock ticks)."""

    pid: int
    ppid: int
    pgid: int
    sid: int
    start: int


def processes() -> list[Proc]:
    """Return the processes of this machine from ``/proc`` (none where there is no /proc)."""
    out: list[Proc] = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return out
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:  # ended meanwhile
            continue
        # "pid (comm) state ppid pgrp session ... starttime(22nd)": comm may hold spaces and ')'
        fields = stat[stat.rfind(")") + 2:].split()
        try:
            out.append(Proc(int(name), int(fields[1]), int(fields[2]), int(fields[3]), int(fields[19])))
        except (IndexError, ValueError):  # pragma: no cover - a format this code does not know
            continue
    return out


@dataclass(frozen=True)
class Snapshot:
    """The processes found under some parents, and the process groups of their own they lead."""

    procs: frozenset[tuple[int, int]]  # (pid, start time)
    groups: frozenset[tuple[int, int]]  # (pgid, sid) other than the caller's


def snapshot(parents: Iterable[int]) -> Snapshot:
    """Return the descendants of ``parents`` (not the parents), to kill what is left of them later."""
    todo = list(parents)
    table = processes() if todo else []
    kids: dict[int, list[Proc]] = {}
    for p in table:
        kids.setdefault(p.ppid, []).append(p)
    found: list[Proc] = []
    while todo:
        for p in kids.get(todo.pop(), []):
            found.append(p)
            todo.append(p.pid)
    own = os.getpgrp()
    return Snapshot(frozenset((p.pid, p.start) for p in found),
                    frozenset((p.pgid, p.sid) for p in found if p.pgid != own))


def kill_left(snap: Snapshot) -> int:
    """Kill (SIGKILL) the processes of ``snap`` still running and every member of its groups; return how many.

    A process is taken for the recorded one only with the same start time (its pid may have been
    reused); a group's members include those started after the snapshot (``soffice.bin``).
    """
    if not snap.procs:
        return 0
    n = 0
    for p in processes():
        if (p.pid, p.start) in snap.procs or (p.pgid, p.sid) in snap.groups:
            with contextlib.suppress(OSError):
                os.kill(p.pid, signal.SIGKILL)
                n += 1
    return n
