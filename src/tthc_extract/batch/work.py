"""The per-document function every executor runs: one file in, one picklable Outcome out.

The worker does all the CPU work (extraction, JSON text, Arrow tables) so that the driver only
writes files. It never writes anything itself: on a cluster the workers need to read the inputs,
not to reach the output folder. The settings travel with each Task (pickled), so a worker on
another machine reads with the driver's settings, whatever its environment.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa

from tthc_extract.export.frames import agency_records, document_records, prose_records, row_records
from tthc_extract.export.tables import table_arrow
from tthc_extract.export.writers import plan_json
from tthc_extract.limits import memory_message
from tthc_extract.logs import configure_from_env
from tthc_extract.model.columns import AGENCIES_SCHEMA, DOCUMENTS_SCHEMA, PROSE_SCHEMA, ROWS_SCHEMA, to_arrow
from tthc_extract.model.plan import Plan
from tthc_extract.pipeline import extract_one
from tthc_extract.settings import ExtractSettings

# Test-only fault injection: "hang=NEEDLE,exit=NEEDLE,segv=NEEDLE,raise=NEEDLE,alloc=NEEDLE" makes a
# file whose name contains NEEDLE sleep for an hour, leave through os._exit, crash with SIGSEGV,
# raise an unexpected exception, or take 64 GB of memory. Unset in production.
FAULTS_ENV = "TTHC_TEST_FAULTS"

# The tables of the Parquet dataset, each with its schema (model/columns.py) and its records.
TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "documents": DOCUMENTS_SCHEMA,
    "rows": ROWS_SCHEMA,
    "prose_tasks": PROSE_SCHEMA,
    "agencies": AGENCIES_SCHEMA,
}
_RECORDS: dict[str, Callable[[list[Plan]], list[dict[str, Any]]]] = {
    "documents": document_records,
    "rows": row_records,
    "prose_tasks": prose_records,
    "agencies": agency_records,
}


@dataclass(frozen=True)
class Task:
    """One document to extract: its input path, its key (the output JSON's path in OUTDIR) and the
    settings to read it with (None: the defaults with the worker's environment variables)."""

    path: str
    key: str
    settings: ExtractSettings | None = None


@dataclass
class Outcome:
    """What came of one Task: the plan's JSON text and Arrow tables, or an error line.

    ``tables`` holds the document's share of each dataset table; ``generic`` its generic tables
    (statistics appendices), one Arrow table each, as export/tables.py writes them.
    """

    key: str
    path: str
    json_text: str | None = None
    tables: dict[str, pa.Table] | None = None
    generic: list[pa.Table] = field(default_factory=list)
    source: str = ""
    province: str | None = None
    plan_year: int | None = None
    n_rows: int = 0
    n_warn: int = 0
    plan_status: str = "success"  # Plan.status: success, partial or failure (nothing of a plan read)
    error: str | None = None
    seconds: float = 0.0
    peak_rss: int = 0  # the worker's peak resident memory so far, bytes (its own rusage)
    replace_worker: bool = False  # the memory ran out: the worker leaves after sending this

    @property
    def ok(self) -> bool:
        """True when the document was extracted."""
        return self.error is None and self.json_text is not None

    @classmethod
    def failure(cls, task: Task, reason: str, seconds: float = 0.0) -> Outcome:
        """Return the failed Outcome of ``task``; the error line starts with the path, like ExtractError."""
        return cls(key=task.key, path=task.path, error=f"{task.path}: {reason}", seconds=seconds)


def _test_fault(path: str) -> None:
    """Misbehave as FAULTS_ENV asks for this file name (tests only; does nothing when unset)."""
    spec = os.environ.get(FAULTS_ENV)
    if not spec:
        return
    name = Path(path).name
    for item in spec.split(","):
        kind, _, needle = item.partition("=")
        if not needle or needle not in name:
            continue
        if kind == "hang":
            time.sleep(3600)
        elif kind == "exit":
            os._exit(70)
        elif kind == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif kind == "raise":
            raise RuntimeError("test fault")
        elif kind == "alloc":  # take memory until the OS refuses it (the worker's memory limit)
            hog = [bytearray(64 * 1024 * 1024) for _ in range(1024)]
            del hog


def process(task: Task) -> Outcome:
    """Given a Task, return its Outcome; never raises for a bad document."""
    t0 = time.perf_counter()
    configure_from_env()
    _test_fault(task.path)
    res = extract_one(task.path, task.settings)
    if res.plan is None:
        return Outcome(key=task.key, path=task.path, error=res.error, seconds=time.perf_counter() - t0,
                       replace_worker=res.out_of_memory)
    try:
        return _exported(task, res.plan, t0)
    except MemoryError:
        out = Outcome.failure(task, memory_message(), time.perf_counter() - t0)
        out.replace_worker = True
        return out


def relative_input(task: Task) -> str:
    """Return the input's path relative to its input root: the key's folders and the file's own name.

    The key is that path with ".json" added, but with a too-long name shortened (names.fit_name),
    so the name is taken from the input path itself.
    """
    folder = PurePosixPath(task.key).parent
    name = Path(task.path).name
    return name if folder == PurePosixPath(".") else f"{folder}/{name}"


def _exported(task: Task, plan: Plan, t0: float) -> Outcome:
    """Return the Outcome of an extracted plan: its JSON text and Arrow tables."""
    # A dataset is shared and moved: the absolute path of the machine that read it means nothing
    # elsewhere, while "2022/qd-123.pdf" under the input folder is the same everywhere.
    plan.set_file(relative_input(task))
    return Outcome(
        key=task.key,
        path=task.path,
        json_text=plan_json(plan),
        tables={name: to_arrow(_RECORDS[name]([plan]), schema) for name, schema in TABLE_SCHEMAS.items()},
        generic=[table_arrow(t, plan.source, n) for n, t in enumerate(plan.tables, start=1)],
        source=plan.source,
        province=plan.document.province,
        plan_year=plan.document.plan_year,
        n_rows=len(plan.rows),
        n_warn=sum(1 for r in plan.rows if r.warnings),
        plan_status=plan.status,
        seconds=time.perf_counter() - t0,
    )
