"""Write Plans to disk: one JSON per document and the Parquet tables, always atomically.

A file is written to a temporary name in the same folder and renamed into place, so a batch that
is stopped midway never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tthc_extract.model.plan import Plan
from tthc_extract.names import fit_name, json_bytes, temp_prefix

# What mkstemp appends to the prefix: 8 random characters, then the suffix.
_TEMP_TAIL = len("XXXXXXXX.tmp")
# mkstemp creates 0600 files; outputs are ordinary data files (and may be committed as expected files).
_FILE_MODE = 0o644


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)


def plan_json(plan: Plan) -> str:
    """Return the pretty-printed JSON text of a plan (not ASCII-escaped; a non-UTF-8 file name escaped)."""
    return json_bytes(plan.to_json_dict(), indent=1).decode("utf-8") + "\n"


def json_path_for(input_path: Path, outdir: Path, root: Path | None) -> Path:
    """Return where the JSON of ``input_path`` goes: OUTDIR/<sub-folders>/<full file name>.json.

    A name too long for the file system with ``.json`` added is shortened (names.fit_name).
    """
    rel: Path
    if root is not None:
        try:
            rel = input_path.resolve().relative_to(root.resolve())
        except ValueError:
            rel = Path(input_path.name)
    else:
        rel = Path(input_path.name)
    return outdir / rel.parent / fit_name(rel.name, ".json")


def write_json(plan: Plan, path: Path) -> None:
    """Write one plan's JSON atomically."""
    atomic_write_bytes(path, plan_json(plan).encode("utf-8"))


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it into place, else delete it.

    For writers that open the file themselves (Parquet, Arrow IPC). The temporary name starts
    with a dot, so dataset readers (pyarrow, pandas, Spark, DuckDB) never list it; beside a long
    name it is a hash of the name, so that it fits the file system too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name, _TEMP_TAIL), suffix=".tmp", dir=path.parent)
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
    """Yield a ParquetWriter that streams row groups to ``path``, which appears only when complete.

    The file is opened by Python, not by pyarrow, which cannot open a name that is not UTF-8.
    """
    with atomic_target(path) as tmp, tmp.open("wb") as fh:
        writer = pq.ParquetWriter(fh, schema)
        try:
            yield writer
        finally:
            writer.close()


def write_parquet_table(table: pa.Table, path: Path) -> None:
    """Write an Arrow table to Parquet atomically."""
    with atomic_target(path) as tmp, tmp.open("wb") as fh:
        pq.write_table(table, fh)
