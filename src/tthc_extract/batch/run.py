"""The batch driver behind ``tthc-extract extract``: plan, run, stream to disk, finalise.

For each input the driver hashes the file and asks the manifest whether its output is up to date
(same content, same tool); the others become Tasks, pulled by the executor as workers free up.
Each Outcome is written as it arrives (the JSON, the document's Parquet parts, its manifest entry),
so memory does not grow with the corpus. At the end — also after Ctrl-C or SIGTERM, which stop
the submission of new documents and end the running ones, their worker processes and the
Tesseract and LibreOffice processes these started gone within about a second (executor.py) —
the partitions that changed are rebuilt, the flat tables rewritten, errors.jsonl and the
manifest saved. A second Ctrl-C interrupts that at once (what finished is still in the manifest). Only one batch may write
to an output folder at a time (a lock file); a batch killed outright leaves whole files only, and
its temporary files are swept by the next run.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Literal

from tthc_extract.batch.executor import (
    DEFAULT_MAX_TASKS_PER_CHILD,
    Executor,
    ExecutorError,
    default_jobs,
    make_executor,
)
from tthc_extract.batch.manifest import Entry, Manifest, sha256_file, tool_stamp
from tthc_extract.batch.sink import STATE_DIR, DatasetSink
from tthc_extract.batch.work import Outcome, Task
from tthc_extract.export.writers import atomic_write_bytes, json_path_for
from tthc_extract.limits import Limits
from tthc_extract.names import json_bytes
from tthc_extract.settings import ExtractSettings, default_ocr_workers

# Seconds between two saves of the manifest while a batch runs.
CHECKPOINT_SECONDS = 5.0
ERRORS_NAME = "errors.jsonl"
# Free space an output folder must have before a batch starts: a document's JSON and Parquet parts
# take some 100 KB to 1 MB, so less than this cannot hold even a few (a folder filling up later is
# still reported in one line, see _write_error).
MIN_FREE_BYTES = 4 * 1024 * 1024
# Free inodes (files) it must have, where the file system counts them: each document makes a few.
MIN_FREE_INODES = 64
# errno values that say the output folder cannot take more writes (full, read-only, quota, no right).
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES, errno.EPERM}

Status = Literal["extracted", "unchanged", "failed"]
Stat = tuple[int, int, int]  # an input's size, modification time and when it was hashed (ns)
OnDone = Callable[[str, Status, "str | None"], None]


class BatchError(Exception):
    """The batch cannot start or go on (the output folder is busy, read-only or full; a bad option)."""


@dataclass
class BatchOptions:
    """How a batch runs; the defaults are those of the command line.

    ``settings`` are what the documents are read with (an ExtractSettings, or a dict resolved as
    ExtractSettings.resolve does); they travel to the workers with each task. ``jobs`` (when not
    0) and ``timeout`` (when not None; 0: no limit) override the settings' ``jobs`` and
    ``document_timeout``; after construction they hold the values in force (``timeout`` None: no
    limit), and the settings' ``ocr_workers``, when unset, is the CPUs shared by the local workers.
    """

    jobs: int = 0
    timeout: float | None = None
    force: bool = False
    parquet: bool = True
    executor: str = "local"
    scheduler: str | None = None
    max_tasks_per_child: int = DEFAULT_MAX_TASKS_PER_CHILD
    settings: ExtractSettings = field(default_factory=ExtractSettings.resolve)

    def __post_init__(self) -> None:
        s = ExtractSettings.resolve(self.settings)
        given: dict[str, Any] = {}
        if self.jobs:
            given["jobs"] = self.jobs
        if self.timeout is not None:
            given["document_timeout"] = self.timeout
        s = s.merged(given, "batch options") if given else s
        jobs = s.jobs or default_jobs()
        if s.ocr_workers is None and self.scheduler is None:  # this machine's CPUs, shared by its workers
            s = s.merged({"ocr_workers": default_ocr_workers(os.cpu_count() or 1, jobs)})
        self.settings, self.jobs, self.timeout = s, jobs, s.document_timeout or None

    @property
    def limits(self) -> Limits:
        """Return the limits on one document (the settings')."""
        return self.settings.limits


@dataclass
class BatchSummary:
    """What a batch did."""

    files: int = 0
    extracted: int = 0
    unchanged: int = 0
    failed: int = 0
    cancelled: int = 0
    rows: int = 0
    warn_rows: int = 0
    partial: int = 0  # extracted (or unchanged) plans whose status is "partial"
    no_plan: int = 0  # ... whose status is "failure": opened, but no task rows or prose tasks read
    seconds: float = 0.0
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)
    peak_rss: int = 0  # the largest peak resident memory a worker reported (bytes, its own rusage)


def _check_output_folder(outdir: Path) -> None:
    """Create ``outdir`` and make sure it takes writes and has room; raise BatchError in one line when not.

    Checked before anything is written, so a read-only mount, a folder without write permission,
    a path through a file or a full disk is one ``error:`` line, not a traceback midway.
    """
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".tthc-probe.", suffix=".tmp", dir=outdir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BatchError(f"{outdir}: cannot write to the output folder ({exc.strerror or exc})") from None
    try:
        fs = os.statvfs(outdir)
    except (OSError, AttributeError):  # pragma: no cover - not POSIX: nothing to ask
        return
    free = fs.f_bavail * fs.f_frsize
    if free < MIN_FREE_BYTES:
        raise BatchError(f"{outdir}: the output folder's disk is full ({free // 1024} KB free, "
                         f"{MIN_FREE_BYTES // (1024 * 1024)} MB needed at least)")
    if fs.f_files and fs.f_favail < MIN_FREE_INODES:
        raise BatchError(f"{outdir}: the output folder's disk is full (room for {fs.f_favail} more files, "
                         f"{MIN_FREE_INODES} needed at least)")


def _write_error(outdir: Path, exc: OSError, done: int) -> BatchError:
    """Return the one-line BatchError for outputs that could no longer be written midway."""
    return BatchError(f"{outdir}: cannot write outputs any more ({exc.strerror or exc}); {done} document(s) "
                      "finished before are kept; make room and run the same command again to do the rest")


@contextlib.contextmanager
def _output_lock(outdir: Path) -> Iterator[None]:
    """Hold OUTDIR/.tthc/lock for the batch; raise BatchError when another batch holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    path = outdir / STATE_DIR / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError(f"{outdir}: another extract is writing to this folder") from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _stop_on_signals(extra: Callable[[], bool] | None) -> Iterator[Callable[[], bool]]:
    """Yield a stop flag raised by SIGINT / SIGTERM (or ``extra``); a second Ctrl-C interrupts at once."""
    flag = threading.Event()

    def stop() -> bool:
        return flag.is_set() or (extra is not None and extra())

    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        flag.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in old:
        signal.signal(s, handler)
    try:
        yield stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _sweep_temporaries(outdir: Path) -> int:
    """Delete the temporary files a killed batch left (dot-named ``*.tmp``); return how many."""
    n = 0
    for p in outdir.rglob(".*.tmp"):
        if p.is_file():
            p.unlink(missing_ok=True)
            n += 1
    return n


class _Batch:
    """The state of one run: manifest, sink, counters; writes each Outcome as it arrives."""

    def __init__(self, outdir: Path, opts: BatchOptions, on_done: OnDone | None,
                 on_start: Callable[[str], None] | None = None) -> None:
        self.on_start = on_start
        self.outdir = outdir
        self.opts = opts
        self.on_done = on_done
        self.manifest = Manifest.load(outdir)
        self.sink = DatasetSink(outdir)
        self.stamp = tool_stamp(opts.settings)
        self.summary = BatchSummary()
        self.pending: dict[str, tuple[Path, str, Stat]] = {}  # key -> (input, sha256, stat) of tasks sent
        self.seen: dict[str, Path] = {}
        # Errors of this run that are no document's: inputs skipped because another has the same
        # output, command-line items that named no file (an empty folder, a glob matching nothing).
        self.run_errors: list[dict[str, str]] = []
        self.last_save = time.monotonic()

    def _done(self, path: str, status: Status, error: str | None = None) -> None:
        if self.on_done is not None:
            self.on_done(path, status, error)

    def _count_status(self, plan_status: str) -> None:
        """Count a read plan that is not a full success, for the summary line."""
        if plan_status == "partial":
            self.summary.partial += 1
        elif plan_status == "failure":
            self.summary.no_plan += 1

    def tasks(self, inputs: Sequence[tuple[Path, Path | None]], stop: Callable[[], bool]) -> Iterator[Task]:
        """Yield a Task per input whose output is not up to date; count the others as unchanged."""
        for path, root in inputs:
            if stop():
                return
            key = json_path_for(path, self.outdir, root).relative_to(self.outdir).as_posix()
            if key in self.seen:
                self.summary.failed += 1
                msg = (f"{path}: not extracted: its output {key} is also that of {self.seen[key]} (same file "
                       "name; give the folder that holds both, so that sub-folders keep them apart)")
                self.run_errors.append({"file": str(path), "error": msg})
                self._done(str(path), "failed", msg)
                continue
            self.seen[key] = path
            sha, stat = self._sha256(path, key)
            if not self.opts.force and sha and self._up_to_date(key, sha):
                e = self.manifest.entries[key]
                if (e.size, e.mtime_ns) != stat[:2]:  # touched, same content: remember the new stat
                    e.size, e.mtime_ns, e.hashed_ns = stat
                    self.manifest.changed = True
                self.summary.unchanged += 1
                self.summary.rows += e.n_rows
                self.summary.warn_rows += e.n_warn
                self._count_status(e.plan_status)
                self._done(str(path), "unchanged")
                continue
            self.pending[key] = (path, sha, stat)
            if self.on_start is not None:  # handed to a worker now: the file being read
                self.on_start(str(path))
            yield Task(str(path), key, self.opts.settings)

    def problems(self, records: Sequence[dict[str, str]]) -> None:
        """Count command-line items that named no file as failed: reported, and kept in errors.jsonl."""
        for r in records:
            self.summary.files += 1
            self.summary.failed += 1
            self.run_errors.append({"file": r["file"], "error": r["error"]})
            self._done(r["file"], "failed", r["error"])

    def forget_gone(self) -> None:
        """Drop failures of earlier runs whose input no longer exists; note documents kept from earlier runs.

        A failure has no output, so its record only matters while the file is there to be fixed;
        the outputs of a document not among this run's inputs stay (one dataset over all runs).
        """
        m = self.manifest
        others = {k: e for k, e in m.entries.items() if k not in self.seen}
        for key, e in others.items():
            if e.status != "ok" and not Path(e.input).exists():
                del m.entries[key]
                m.changed = True
        kept = sum(1 for e in others.values() if e.status == "ok")
        if kept:
            self.summary.notes.append(
                f"{self.outdir} also holds {kept} document(s) of earlier runs that are not among these "
                f"inputs (listed in {m.path.name}); delete the folder to start a fresh dataset"
            )

    def _sha256(self, path: Path, key: str) -> tuple[str, Stat]:
        """Return the input's SHA-256 ("" when unreadable) and its (size, mtime_ns, hashed_ns)."""
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode) or st.st_size > self.opts.limits.max_input_bytes:
                return "", (-1, -1, 0)  # never opened here (a FIFO would block): the worker refuses it
            known = None if self.opts.force else self.manifest.known_sha256(key, st.st_size, st.st_mtime_ns)
            if known is not None:
                return known, (st.st_size, st.st_mtime_ns, self.manifest.entries[key].hashed_ns)
            hashed_ns = time.time_ns()
            return sha256_file(path), (st.st_size, st.st_mtime_ns, hashed_ns)
        except OSError:
            return "", (-1, -1, 0)  # the extraction reports why the file cannot be read

    def _up_to_date(self, key: str, sha: str) -> bool:
        """Return whether the outputs of ``key`` were made from this content by this tool and exist."""
        if not self.manifest.is_current(key, sha, self.stamp) or not (self.outdir / key).is_file():
            return False
        return not self.opts.parquet or self.sink.has(key)

    def store(self, o: Outcome) -> None:
        """Write one Outcome: JSON and parts (or remove stale ones), manifest entry, counters."""
        path, sha, (size, mtime_ns, hashed_ns) = self.pending.pop(o.key)
        self.summary.peak_rss = max(self.summary.peak_rss, o.peak_rss)
        version, fingerprint = self.stamp
        json_path = self.outdir / o.key
        if o.ok and o.json_text is not None and o.tables is not None:
            atomic_write_bytes(json_path, o.json_text.encode("utf-8"))
            if self.opts.parquet:
                self.sink.put(o.key, o.tables)
                self.sink.put_generic(o.source, o.generic)
            else:
                self.sink.drop(o.key)
            entry = Entry(str(path), sha, version, fingerprint, "ok", None, o.province, o.plan_year,
                          o.n_rows, o.n_warn, round(o.seconds, 3), size, mtime_ns, hashed_ns, o.plan_status)
            self.summary.extracted += 1
            self.summary.rows += o.n_rows
            self.summary.warn_rows += o.n_warn
            self._count_status(o.plan_status)
            self._done(str(path), "extracted")
        else:
            json_path.unlink(missing_ok=True)
            self.sink.drop(o.key)
            self.sink.drop_generic(path.name)
            entry = Entry(str(path), sha, version, fingerprint, "failed", o.error, seconds=round(o.seconds, 3),
                          size=size, mtime_ns=mtime_ns, hashed_ns=hashed_ns)
            self.summary.failed += 1
            self._done(str(path), "failed", o.error)
        self.manifest.record(o.key, entry)
        if time.monotonic() - self.last_save > CHECKPOINT_SECONDS:
            self.manifest.save()
            self.last_save = time.monotonic()

    def finalise(self) -> None:
        """Rebuild what changed in the Parquet dataset; write errors.jsonl and the manifest."""
        m = self.manifest
        if self.opts.parquet:
            orphans = self.sink.orphans(m)
            if m.dirty or orphans or self.sink.flat_missing():
                for key in self.sink.rebuild(m, m.dirty):
                    del m.entries[key]
                    self.summary.notes.append(f"{key}: its Parquet parts are missing; extract it again")
                self.sink.remove_orphans(m)
                self.sink.write_flat(m)
                m.dirty.clear()
                m.changed = True
        errors_path = self.outdir / ERRORS_NAME
        if m.changed or self.run_errors or not m.path.is_file() or not errors_path.is_file():
            # Always written, empty when nothing failed: a reader need not test that it exists.
            failed = [{"file": e.input, "error": e.error or ""} for e in m.failed()] + self.run_errors
            atomic_write_bytes(errors_path, b"".join(json_bytes(r) + b"\n" for r in failed))
            m.save()


def run_batch(
    inputs: Sequence[tuple[Path, Path | None] | str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    opts: BatchOptions | None = None,
    on_done: OnDone | None = None,
    stop: Callable[[], bool] | None = None,
    executor: Executor | None = None,
    problems: Sequence[dict[str, str]] = (),
    on_start: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Extract ``inputs`` into ``outdir``; return what was done.

    ``inputs`` are (file, root) pairs as inputs.expand_inputs returns them (the output of
    ROOT/sub/plan.pdf is OUTDIR/sub/plan.pdf.json), or plain paths (output OUTDIR/plan.pdf.json).

    ``problems`` are ``{"file", "error"}`` records of command-line items that named no file
    (inputs.InputSet.problems): each counts as a failed file and goes to errors.jsonl.
    ``on_done(path, status, error)`` is called once per input as it is settled, ``on_start(path)``
    when a document is handed to a worker. The batch stops
    early, keeping what finished, on SIGINT / SIGTERM (in the main thread) or when ``stop()``.
    Raises BatchError when another batch is writing to ``outdir``, when it cannot be written
    (read-only, no permission, full) or stops taking writes midway.
    """
    opts = opts or BatchOptions()
    outdir = Path(outdir)
    pairs = [x if isinstance(x, tuple) else (Path(x), None) for x in inputs]
    t0 = time.perf_counter()
    _check_output_folder(outdir)
    with _output_lock(outdir), _stop_on_signals(stop) as stopped:
        running = outdir / STATE_DIR / "running"
        if running.exists():
            _sweep_temporaries(outdir)
        running.touch()
        batch = _Batch(outdir, opts, on_done, on_start)
        batch.summary.files = len(pairs)
        batch.problems(problems)
        ex: Executor | None = executor
        own = executor is None
        try:
            tasks = batch.tasks(pairs, stopped)
            first = next(tasks, None)
            if first is not None:
                if ex is None:
                    try:
                        ex = make_executor(opts.executor, opts.jobs, opts.timeout, opts.scheduler,
                                           opts.max_tasks_per_child, opts.limits)
                    except ExecutorError as exc:
                        raise BatchError(str(exc)) from None
                for outcome in ex.map_unordered(_chain(first, tasks), stopped):
                    batch.store(outcome)
            if ex is not None and own:
                ex.close()
            batch.summary.interrupted = stopped()
            batch.summary.cancelled = len(batch.pending)
            if not batch.summary.interrupted:
                batch.forget_gone()
            batch.finalise()
        except OSError as exc:
            if exc.errno not in _WRITE_ERRNOS:
                raise
            with contextlib.suppress(OSError):  # keep what finished if there is still room for the manifest
                batch.manifest.save()
            raise _write_error(outdir, exc, batch.summary.extracted) from None
        except BaseException:
            batch.manifest.save()  # keep what finished; the dirty partitions are rebuilt next time
            raise
        finally:
            if ex is not None and own:
                ex.close()
        running.unlink(missing_ok=True)
    batch.summary.seconds = time.perf_counter() - t0
    return batch.summary


def _chain(first: Task, rest: Iterator[Task]) -> Iterator[Task]:
    yield first
    yield from rest


def read_errors(outdir: Path) -> list[dict[str, str]]:
    """Return the records of OUTDIR/errors.jsonl (empty when there is none)."""
    path = outdir / ERRORS_NAME
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
