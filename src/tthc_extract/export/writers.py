"""Write Plans to disk: one JSON per document and the Parquet tables, always atomically.

A file is written to a temporary name in the same folder and renamed into place, so a batch that
is stopped midway never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tthc_extract.model.plan import Plan

# mkstemp creates 0600 files; outputs are ordinary data files (and may be committed as expected files).
_FILE_MODE = 0o644


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)


def plan_json(plan: Plan) -> str:
    """Return the pretty-printed JSON text of a plan (UTF-8, not ASCII-escaped)."""
    return json.dumps(plan.to_json_dict(), ensure_ascii=False, indent=1) + "\n"


def json_path_for(input_path: Path, outdir: Path, root: Path | None) -> Path:
    """Return where the JSON of ``input_path`` goes: OUTDIR/<sub-folders>/<full file name>.json."""
    rel: Path
    if root is not None:
        try:
            rel = input_path.resolve().relative_to(root.resolve())
        except ValueError:
            rel = Path(input_path.name)
    else:
        rel = Path(input_path.name)
    return outdir / rel.parent / f"{rel.name}.json"


def write_json(plan: Plan, path: Path) -> None:
    """Write one plan's JSON atomically."""
    atomic_write_bytes(path, plan_json(plan).encode("utf-8"))


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it into place, else delete it.

    For writers that open the file themselves (Parquet, Arrow IPC). The temporary name starts
    with a dot, so dataset readers (pyarrow, pandas, Spark, DuckDB) never list it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_parquet_writer(path: Path, schema: pa.Schema) -> Iterator[pq.ParquetWriter]:
    """Yield a ParquetWriter that streams row groups to ``path``, which appears only when complete."""
    with atomic_target(path) as tmp:
        writer = pq.ParquetWriter(tmp, schema)
        try:
            yield writer
        finally:
            writer.close()


def write_parquet_table(table: pa.Table, path: Path) -> None:
    """Write an Arrow table to Parquet atomically."""
    with atomic_target(path) as tmp:
        pq.write_table(table, tmp)
