"""The Parquet dataset of a batch: per-document parts, Hive partitions, and the flat tables.

Layout under OUTDIR (each table is documents, rows, prose_tasks or agencies)::

    <table>/province=<P>/plan_year=<Y>/part-0.parquet   the dataset engines read as one table
    <table>.parquet                                      the same rows in one flat file
    .tthc/parts/<xx>/<hash>.<table>.arrow               one document's rows (Arrow IPC)
    tables/<source file name>.<n>.parquet                one generic table (export/tables.py)

A finished document's tables go to its parts at once, so nothing piles up in memory. At the end
of a run each partition that gained, lost or changed a document is rewritten from the parts of
the documents the manifest places in it, one partition at a time; the flat files are then streamed
from the partitions. Every file appears through a temporary name and a rename (dot-prefixed, which
dataset readers skip), so a reader never sees a half-written file.

The partition columns live in the directory names, not in the files (the Hive convention): a
missing province or plan year is ``__HIVE_DEFAULT_PARTITION__``, read back as null. Values are
escaped as Spark does (``%XX`` for ``/ = % :`` and the like, other characters as they are), which
pyarrow, pandas and DuckDB decode too. pandas' own ``read_parquet(folder)`` cannot read a null
partition yet (pandas-dev/pandas#55400): pass ``partitioning=PARTITIONING`` or use
:func:`read_table`.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from tthc_extract.batch.manifest import Manifest, Partition
from tthc_extract.batch.work import TABLE_SCHEMAS
from tthc_extract.export.tables import TABLES_DIR, table_path, table_stem
from tthc_extract.export.writers import atomic_parquet_writer, atomic_target, write_parquet_table
from tthc_extract.names import name_bytes

TABLES = tuple(TABLE_SCHEMAS)
PARTITION_COLUMNS = ("province", "plan_year")
PARTITION_SCHEMA = pa.schema([("province", pa.string()), ("plan_year", pa.int32())])
PARTITIONING = ds.partitioning(PARTITION_SCHEMA, flavor="hive")
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
PART_FILE = "part-0.parquet"
STATE_DIR = ".tthc"
# Rows gathered before a row group is written when a partition or flat file is rebuilt.
ROW_GROUP_ROWS = 65_536
# Characters Spark escapes in partition directory names (ExternalCatalogUtils.charToEscape).
_ESCAPED = set('"#%\'*/:=?\\\x7f{[]^') | {chr(c) for c in range(1, 32)}


def file_schema(table: str) -> pa.Schema:
    """Return the schema of a partition file of ``table``: its columns less the partition columns."""
    schema = TABLE_SCHEMAS[table]
    for name in PARTITION_COLUMNS:
        schema = schema.remove(schema.get_field_index(name))
    return schema


def escape_value(value: str | int | None) -> str:
    """Return a partition value as a directory name segment (Hive/Spark escaping; null marker)."""
    if value is None or value == "":
        return NULL_PARTITION
    return "".join(f"%{ord(ch):02X}" if ch in _ESCAPED else ch for ch in str(value))


def partition_dir(outdir: Path, table: str, partition: Partition) -> Path:
    """Return the folder of one partition of ``table``."""
    province, year = partition
    return outdir / table / f"province={escape_value(province)}" / f"plan_year={escape_value(year)}"


def _sort_key(p: Partition) -> tuple[bool, str, bool, int]:
    return (p[0] is None, p[0] or "", p[1] is None, p[1] or 0)


def _chunks(tables: Iterable[pa.Table], rows: int = ROW_GROUP_ROWS) -> Iterator[pa.Table]:
    """Given small tables, yield them concatenated into tables of about ``rows`` rows."""
    buf: list[pa.Table] = []
    n = 0
    for t in tables:
        buf.append(t)
        n += t.num_rows
        if n >= rows:
            yield pa.concat_tables(buf)
            buf, n = [], 0
    if buf:
        yield pa.concat_tables(buf)


class DatasetSink:
    """Writes the per-document parts and rebuilds the partitioned and flat Parquet tables."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.parts = outdir / STATE_DIR / "parts"

    def part_path(self, key: str, table: str) -> Path:
        """Return where one document's ``table`` part is kept."""
        h = hashlib.sha256(name_bytes(key)).hexdigest()[:24]
        return self.parts / h[:2] / f"{h}.{table}.arrow"

    def put(self, key: str, tables: dict[str, pa.Table]) -> None:
        """Store one document's tables as its parts."""
        for name in TABLES:
            with atomic_target(self.part_path(key, name)) as tmp, pa.OSFile(str(tmp), "wb") as sink:
                with pa.ipc.new_file(sink, TABLE_SCHEMAS[name]) as writer:
                    writer.write_table(tables[name])

    def has(self, key: str) -> bool:
        """Return whether every part of ``key`` is there."""
        return all(self.part_path(key, name).is_file() for name in TABLES)

    def drop(self, key: str) -> None:
        """Delete the parts of ``key``."""
        for name in TABLES:
            self.part_path(key, name).unlink(missing_ok=True)

    def put_generic(self, source: str, tables: list[pa.Table]) -> None:
        """Write a document's generic tables to OUTDIR/tables/ and delete those it no longer has."""
        for n, t in enumerate(tables, start=1):
            write_parquet_table(t, table_path(self.outdir, source, n))
        self.drop_generic(source, keep=len(tables))

    def drop_generic(self, source: str, keep: int = 0) -> None:
        """Delete the generic table files of ``source`` numbered above ``keep``."""
        name = table_stem(source)
        for f in (self.outdir / TABLES_DIR).glob(f"{glob.escape(name)}.*.parquet"):
            n = f.name[len(name) + 1: -len(".parquet")]
            if n.isdigit() and int(n) > keep:
                f.unlink(missing_ok=True)

    def _read_part(self, key: str, table: str) -> pa.Table:
        with pa.OSFile(str(self.part_path(key, table)), "rb") as src:
            return pa.ipc.open_file(src).read_all().select(file_schema(table).names)

    def rebuild(self, manifest: Manifest, partitions: Iterable[Partition]) -> list[str]:
        """Rewrite ``partitions`` of every table from the parts; return member keys with no parts."""
        missing: list[str] = []
        members = manifest.by_partition()
        for part in sorted(set(partitions), key=_sort_key):
            keys = members.get(part, [])
            lost = [k for k in keys if not self.has(k)]
            missing.extend(lost)
            keys = [k for k in keys if k not in lost]
            for name in TABLES:
                folder = partition_dir(self.outdir, name, part)
                if not keys:
                    self._remove_partition(folder)
                    continue
                with atomic_parquet_writer(folder / PART_FILE, file_schema(name)) as writer:
                    for chunk in _chunks(self._read_part(k, name) for k in keys):
                        writer.write_table(chunk)
        return missing

    def _remove_partition(self, folder: Path) -> None:
        """Delete a partition folder and its province folder when that is left empty."""
        shutil.rmtree(folder, ignore_errors=True)
        parent = folder.parent
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()

    def orphans(self, manifest: Manifest) -> list[Path]:
        """Return partition folders on disk that hold no document of the manifest."""
        wanted = {partition_dir(self.outdir, name, p) for p in manifest.partitions() for name in TABLES}
        found = [d for name in TABLES for d in (self.outdir / name).glob("province=*/plan_year=*") if d.is_dir()]
        return sorted(d for d in found if d not in wanted)

    def remove_orphans(self, manifest: Manifest) -> int:
        """Delete the partition folders no document of the manifest belongs to; return how many."""
        dirs = self.orphans(manifest)
        for d in dirs:
            self._remove_partition(d)
        return len(dirs)

    def flat_missing(self) -> bool:
        """Return whether one of the flat tables is missing."""
        return not all((self.outdir / f"{name}.parquet").is_file() for name in TABLES)

    def write_flat(self, manifest: Manifest) -> dict[str, int]:
        """Stream every partition into OUTDIR/<table>.parquet; return the row count of each table."""
        counts: dict[str, int] = {}
        parts = sorted(manifest.partitions(), key=_sort_key)
        for name in TABLES:
            n = 0
            with atomic_parquet_writer(self.outdir / f"{name}.parquet", TABLE_SCHEMAS[name]) as writer:
                for chunk in _chunks(self._flat_pieces(name, parts)):
                    writer.write_table(chunk)
                    n += chunk.num_rows
            counts[name] = n
        return counts

    def _flat_pieces(self, table: str, parts: list[Partition]) -> Iterator[pa.Table]:
        """Yield the partitions' files of ``table`` batch by batch, partition columns put back."""
        for part in parts:
            path = partition_dir(self.outdir, table, part) / PART_FILE
            if not path.is_file():
                continue
            with pq.ParquetFile(path) as pf:
                for batch in pf.iter_batches(ROW_GROUP_ROWS):
                    yield _with_partition(pa.Table.from_batches([batch]), part, TABLE_SCHEMAS[table])


def _with_partition(t: pa.Table, part: Partition, schema: pa.Schema) -> pa.Table:
    """Return ``t`` with its partition's columns put back, in ``schema``'s column order."""
    n = t.num_rows
    t = t.append_column("province", pa.array([part[0]] * n, pa.string()))
    t = t.append_column("plan_year", pa.array([part[1]] * n, pa.int32()))
    return t.select(schema.names).cast(schema)


def read_table(outdir: str | os.PathLike[str], table: str) -> pa.Table:
    """Return the partitioned ``table`` of ``outdir`` as one Arrow table with the flat schema."""
    if table not in TABLE_SCHEMAS:
        raise ValueError(f"unknown table {table!r} (one of: {', '.join(TABLE_SCHEMAS)})")
    dataset = ds.dataset(Path(outdir) / table, format="parquet", partitioning=PARTITIONING)
    return dataset.to_table().select(TABLE_SCHEMAS[table].names).cast(TABLE_SCHEMAS[table])
