"""Executors: run the per-document function over many Tasks, yielding Outcomes as they finish.

Two engines behind one interface (:class:`Executor`):

* :class:`LocalExecutor` — a pool of worker processes on this machine. Each worker holds one task
  at a time, so memory is bounded by the number of workers; a worker is replaced after
  ``max_tasks_per_child`` documents (leaks stay bounded), when it dies (segfault, ``os._exit``)
  and when its document runs past the time limit (it is ended). Either way the document is
  reported as failed and the batch goes on.
* :class:`DaskExecutor` — the same function on a Dask distributed cluster, with a bounded number
  of tasks in flight.

Both pull tasks lazily from the iterable they are given and stop pulling as soon as ``stop()``
returns true; the tasks still running are then cancelled.

A local worker that is ended (stop, time-out) ends with everything it started, within about a
second: it gets SIGTERM, on which it kills its Tesseract and LibreOffice children (with their
process groups) and leaves; one that has not left after ``TERM_GRACE`` seconds is killed, and the
processes recorded under it before are killed too (:mod:`tthc_extract.children`). Workers and
their children also die with the driver, even one killed with ``kill -9`` (:func:`_watch_driver`),
and the children with a worker killed outright (Linux parent-death signal).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any, Protocol

from tthc_extract import children
from tthc_extract.batch.work import Outcome, Task, process
from tthc_extract.errors import exc_line
from tthc_extract.limits import Limits, active, memory_message, peak_rss_bytes, set_memory_limit, using

# Longest pause between two looks at the stop flag while documents are running.
POLL_SECONDS = 0.2
# Seconds a worker that is ended has to kill its children and leave before it is killed.
TERM_GRACE = 0.8
# Exit status of a worker ended by SIGTERM (128 + the signal, as a shell reports it).
TERM_EXIT = 128 + signal.SIGTERM
# Documents a local worker process handles before it is replaced by a fresh one.
DEFAULT_MAX_TASKS_PER_CHILD = 100
# Modules the fork server imports once, so that each new worker starts with them loaded.
PRELOAD = ["tthc_extract.batch.work", "tthc_extract.loaders.text", "tthc_extract.loaders.docx", "tthc_extract.loaders.pdf"]

StopFlag = Callable[[], bool]


def _never() -> bool:
    return False


def default_jobs() -> int:
    """Return the number of cores this process may use (the container's share, where there is one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class ExecutorError(Exception):
    """An executor cannot start (no Dask installed, scheduler unreachable, unknown name)."""


class Executor(Protocol):
    """Runs Tasks somewhere and yields their Outcomes in the order they finish."""

    def map_unordered(self, tasks: Iterable[Task], stop: StopFlag = _never) -> Iterator[Outcome]:
        """Yield one Outcome per task pulled from ``tasks``, until they run out or ``stop()``."""
        ...

    def close(self) -> None:
        """Release the workers (kill the ones still running)."""
        ...


def _context() -> BaseContext:
    """Return the multiprocessing context: a preloaded fork server where there is one, else spawn."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return mp.get_context("spawn")


def _worker_env() -> dict[str, str]:
    """Return the variables a worker sets on start (the fork server may predate the caller's): the
    log's and the tests' ones; the settings travel with each task (work.Task), not here."""
    return {k: v for k, v in os.environ.items() if k.startswith("TTHC_")}


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """End the worker: kill its children (and their groups), remove their scratch folders, leave.

    ``os._exit`` rather than SystemExit: an exception raised by a signal handler is lost when it
    lands in a ``__del__`` or a callback, and the worker would go on reading.
    """
    children.stop_all()
    os._exit(TERM_EXIT)


def _watch_driver(fd: int) -> None:
    """Wait until the driver's end of the pipe ``fd`` closes, then kill the children and leave at once.

    The driver closes it on purpose only for a worker that is leaving; otherwise the driver is
    gone (killed with ``kill -9``, crashed) and the document's result could never be delivered.
    The parent-death signal cannot do this for workers: their parent is the fork server, which
    outlives the driver as long as any worker runs.
    """
    poller = select.poll()
    poller.register(fd, select.POLLRDHUP)
    while not poller.poll():
        pass
    children.stop_all()
    os._exit(TERM_EXIT)


def _start_watch(conn: Connection) -> None:
    """Start :func:`_watch_driver` on ``conn`` in a daemon thread, where the OS can tell (Linux)."""
    if hasattr(select, "POLLRDHUP"):
        threading.Thread(target=_watch_driver, args=(conn.fileno(),), name="watch-driver", daemon=True).start()


def _worker_main(conn: Connection, env: dict[str, str], fn: Callable[[Task], Outcome], limits: Limits) -> None:
    """Serve tasks from ``conn`` until it sends None or closes; Ctrl-C is the driver's business.

    The worker ignores SIGINT (so do the Tesseract children it starts, which inherit that): a
    terminal's Ctrl-C reaches the whole process group, and a page whose Tesseract died of it
    would be read as failed. SIGTERM ends it with its children (:func:`_on_sigterm`); so does the
    driver's death (:func:`_watch_driver`).

    The worker's memory is limited by the OS (limits.set_memory_limit): a document that needs
    more fails with "memory limit N GB exceeded", and the worker leaves after reporting it (a
    process that ran out of memory may hold half-built state), so the pool starts a fresh one.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    _start_watch(conn)
    for k in [k for k in os.environ if k.startswith("TTHC_")]:
        del os.environ[k]
    os.environ.update(env)
    set_memory_limit(limits.memory_bytes)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            with using(limits):
                outcome = fn(task)
        except MemoryError:
            outcome = Outcome.failure(task, memory_message())
            outcome.replace_worker = True
        except Exception as exc:  # noqa: BLE001 - reported for this document; the worker goes on
            outcome = Outcome.failure(task, f"internal error ({exc_line(exc)})")
        outcome.peak_rss = peak_rss_bytes()
        conn.send(outcome)
        if outcome.replace_worker:
            return


def _death_reason(code: int | None) -> str:
    """Return why a worker process ended, from its exit code."""
    if code is not None and code < 0:
        try:
            return f"worker crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"worker crashed (signal {-code})"
    return f"worker crashed (exit code {code})"


@dataclass
class _Worker:
    proc: BaseProcess
    conn: Connection
    done: int = 0
    task: Task | None = None
    deadline: float = math.inf


class LocalExecutor:
    """A pool of ``jobs`` worker processes with a per-document time limit and crash recovery."""

    def __init__(
        self,
        jobs: int,
        timeout: float | None = None,
        max_tasks_per_child: int = DEFAULT_MAX_TASKS_PER_CHILD,
        fn: Callable[[Task], Outcome] = process,
        limits: Limits | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        self.limits = limits or active()
        self.timeout = timeout if timeout and timeout > 0 else None
        self.max_tasks_per_child = max(1, max_tasks_per_child)
        self.fn = fn
        self._ctx: BaseContext | None = None
        self._workers: list[_Worker] = []
        self._retired: list[BaseProcess] = []
        self._env = _worker_env()

    # -- workers -------------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        """Start one worker process."""
        if self._ctx is None:
            self._ctx = _context()
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child, self._env, self.fn, self.limits), daemon=True)  # type: ignore[attr-defined]
        proc.start()
        child.close()
        w = _Worker(proc=proc, conn=parent)
        self._workers.append(w)
        return w

    def _idle(self) -> _Worker | None:
        """Return an idle worker, starting one while there are fewer than ``jobs``."""
        for w in self._workers:
            if w.task is None:
                return w
        return self._spawn() if len(self._workers) < self.jobs else None

    def _remove(self, w: _Worker, kill: bool) -> None:
        """Take a worker out of the pool: ask it to leave, or end it (with its children) now."""
        self._workers.remove(w)
        if kill:
            _end([w.proc])
        else:
            try:
                w.conn.send(None)
            except OSError:
                pass
            self._retired.append(w.proc)
        w.conn.close()
        self._retired = [p for p in self._retired if p.is_alive()]  # is_alive() reaps the exited

    def _finish(self, w: _Worker) -> Outcome:
        """Return the Outcome a worker sent, or its failure when it died instead."""
        task = w.task
        assert task is not None
        try:
            outcome: Outcome = w.conn.recv()
        except (EOFError, OSError):
            w.proc.join()
            self._remove(w, kill=True)
            return Outcome.failure(task, _death_reason(w.proc.exitcode))
        w.task, w.deadline, w.done = None, math.inf, w.done + 1
        if w.done >= self.max_tasks_per_child or outcome.replace_worker:
            self._remove(w, kill=False)
        return outcome

    def _collect(self) -> Iterator[Outcome]:
        """Wait a little for busy workers; yield what finished, died or ran out of time."""
        busy = [w for w in self._workers if w.task is not None]
        now = time.monotonic()
        wait_for = min([POLL_SECONDS, *(w.deadline - now for w in busy)])
        ready = set(wait([x for w in busy for x in (w.conn, w.proc.sentinel)], max(0.0, wait_for)))
        now = time.monotonic()
        for w in busy:
            if w.conn in ready or w.proc.sentinel in ready:
                yield self._finish(w)
            elif now >= w.deadline and w.task is not None:
                task = w.task
                self._remove(w, kill=True)
                yield Outcome.failure(task, f"timed out after {self.timeout:g}s (worker stopped)", self.timeout or 0.0)

    # -- the interface ---------------------------------------------------------------------------

    def map_unordered(self, tasks: Iterable[Task], stop: StopFlag = _never) -> Iterator[Outcome]:
        """Yield one Outcome per task, as workers finish them; stop pulling tasks when ``stop()``."""
        it = iter(tasks)
        pending: Task | None = None
        exhausted = False
        while True:
            while not exhausted and not stop():
                if pending is None:
                    pending = next(it, None)
                    if pending is None:
                        exhausted = True
                        break
                w = self._idle()
                if w is None:
                    break
                try:
                    w.conn.send(pending)
                except OSError:  # the worker died while idle (killed from outside): replace it
                    self._remove(w, kill=True)
                    continue
                w.task = pending
                w.deadline = time.monotonic() + self.timeout if self.timeout else math.inf
                pending = None
            if stop() or not any(w.task is not None for w in self._workers):
                return
            yield from self._collect()

    def close(self) -> None:
        """End busy workers with their children, dismiss idle ones; all are gone within about a second.

        The idle workers are asked to leave and the busy ones get SIGTERM at once, so that they
        all leave together; any left after ``TERM_GRACE`` seconds is killed (:func:`_end`). The
        pool is emptied only then: a close() interrupted by a second Ctrl-C is done again.
        """
        busy = [w.proc for w in self._workers if w.task is not None]
        for w in self._workers:
            if w.task is None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        _end([w.proc for w in self._workers] + self._retired, busy)
        for w in self._workers:
            w.conn.close()
        self._workers, self._retired = [], []


def _end(procs: list[BaseProcess], terminate: list[BaseProcess] | None = None) -> None:
    """End worker processes with what they started: SIGTERM, ``TERM_GRACE`` seconds, then SIGKILL.

    ``terminate`` (default: all of ``procs``) get SIGTERM; the others were asked to leave. The
    processes found under them before are killed afterwards if still there (children.kill_left):
    a worker killed before its SIGTERM handler could run leaves LibreOffice's grandchildren.
    """
    term = procs if terminate is None else terminate
    left = children.snapshot([p.pid for p in term if p.pid is not None])
    for p in term:
        p.terminate()
    deadline = time.monotonic() + TERM_GRACE
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join()
    children.kill_left(left)


class DaskExecutor:
    """Runs the per-document function on a Dask distributed cluster (``--scheduler ADDRESS``).

    At most ``in_flight`` tasks are submitted at once (default: twice the cluster's threads), so
    the driver never holds more than that many results. Dask cannot stop a Python function that
    is running, so a task past the time limit is reported as failed and cancelled, and its
    worker thread finishes on its own. A task whose workers keep dying is reported by Dask as
    ``KilledWorker`` (after ``distributed.scheduler.allowed-failures`` retries).
    """

    def __init__(
        self, scheduler: str, timeout: float | None = None, in_flight: int | None = None,
        fn: Callable[[Task], Outcome] = process,
    ) -> None:
        from distributed import Client

        self.timeout = timeout if timeout and timeout > 0 else None
        self.fn = fn
        try:
            self.client = Client(scheduler, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
        self.cluster: Any = None  # a LocalCluster this executor started, closed with it
        threads = sum(self.client.nthreads().values()) or 1
        self.in_flight = in_flight or 2 * threads
        self._finished = threading.Event()

    def map_unordered(self, tasks: Iterable[Task], stop: StopFlag = _never) -> Iterator[Outcome]:
        """Yield one Outcome per task as the cluster finishes them; stop submitting when ``stop()``."""
        it = iter(tasks)
        running: dict[Any, tuple[Task, float]] = {}
        exhausted = False
        try:
            while True:
                while not exhausted and not stop() and len(running) < self.in_flight:
                    task = next(it, None)
                    if task is None:
                        exhausted = True
                        break
                    fut = self.client.submit(self.fn, task, pure=False)
                    fut.add_done_callback(lambda _: self._finished.set())
                    running[fut] = (task, time.monotonic() + self.timeout if self.timeout else math.inf)
                if stop() or not running:
                    return
                yield from self._collect(running)
        finally:
            if running:
                self.client.cancel(list(running))

    def _collect(self, running: dict[Any, tuple[Task, float]]) -> Iterator[Outcome]:
        """Wait a little for running futures; yield those finished, failed or past the time limit."""
        now = time.monotonic()
        self._finished.wait(max(0.0, min([POLL_SECONDS, *(d - now for _, d in running.values())])))
        self._finished.clear()
        now = time.monotonic()
        for fut, (task, deadline) in list(running.items()):
            if fut.status == "finished":
                del running[fut]
                yield fut.result()
            elif fut.status in ("error", "cancelled"):
                del running[fut]
                exc = fut.exception() if fut.status == "error" else None
                reason = exc_line(exc) if exc else "task cancelled by the cluster"
                yield Outcome.failure(task, f"worker failed ({reason})")
            elif now >= deadline:
                del running[fut]
                fut.cancel()
                yield Outcome.failure(task, f"timed out after {self.timeout:g}s (task cancelled)", self.timeout or 0.0)

    def close(self) -> None:
        """Disconnect from the cluster (which keeps running unless this executor started it)."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


def make_executor(
    kind: str, jobs: int, timeout: float | None, scheduler: str | None = None,
    max_tasks_per_child: int = DEFAULT_MAX_TASKS_PER_CHILD, limits: Limits | None = None,
) -> Executor:
    """Return the executor called ``kind`` ("local" or "dask")."""
    if kind == "local":
        return LocalExecutor(jobs, timeout, max_tasks_per_child, limits=limits)
    if kind == "dask":
        try:
            import distributed
        except ImportError:
            raise ExecutorError("the dask executor needs Dask: pip install 'tthc-extract[cluster]'") from None
        if not scheduler:  # what a Dask user expects: a cluster of this machine's processes
            cluster = distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                               dashboard_address=None)
            ex = DaskExecutor(cluster.scheduler_address, timeout)
            ex.cluster = cluster
            return ex
        return DaskExecutor(scheduler, timeout)
    raise ExecutorError(f"unknown executor {kind!r} (local, dask)")
