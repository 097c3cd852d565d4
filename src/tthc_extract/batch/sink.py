"""The Parquet dataset of a batch: per-document parts, Hive partitions, and the flat tables.

Layout under OUTDIR (each table is documents, rows, prose_tasks or agencies)::

    <table>/province_slug=<slug>/part-<year>.parquet   the dataset engines read as one table
    <table>.parquet                                      the same rows in one flat file
    .tthc/parts/<xx>/<hash>.<table>.arrow               one document's rows (Arrow IPC)
    tables/<source file name>.<n>.parquet                one generic table (export/tables.py)

A finished document's tables go to its parts at once, so nothing piles up in memory. At the end
of a run each partition file that gained, lost or changed a document is rewritten from the parts
of the documents the manifest places in it, one file at a time; the flat files are then streamed
from the partition files. Every file appears through a temporary name and a rename (dot-prefixed,
which dataset readers skip), so a reader never sees a half-written file.

The one partition column is ``province_slug``, in the folder names (the Hive convention): the
province as plain ASCII ("quang-ngai"), ``unknown`` for a document without one. It is never null
and never looks like a number, so every reader gives it one type (a string, or pandas'
categorical of strings), and plain ``pd.read_parquet("OUT/rows")`` works on any corpus (a null
partition value makes pandas raise "Cannot yet unify dictionaries with nulls"). The files hold
every column, ``province`` (the name as written) and ``plan_year`` with their own types, so the
year, which is in the file names only to keep one file per (province, year), is not a partition
column whose type would depend on the data.
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
from tthc_extract.text.normalize import slug

TABLES = tuple(TABLE_SCHEMAS)
PARTITION_KEY = "province_slug"
PARTITION_SCHEMA = pa.schema([(PARTITION_KEY, pa.string())])
PARTITIONING = ds.partitioning(PARTITION_SCHEMA, flavor="hive")
UNKNOWN = "unknown"  # the slug of a missing province, and the year of a file of documents without one
PART_GLOB = "part-*.parquet"
STATE_DIR = ".tthc"
# Rows gathered before a row group is written when a partition or flat file is rebuilt.
ROW_GROUP_ROWS = 65_536


def file_schema(table: str) -> pa.Schema:
    """Return the schema of a partition file of ``table``: all its columns (the folder adds province_slug)."""
    return TABLE_SCHEMAS[table]


def partition_value(province: str | None) -> str:
    """Return the ``province_slug`` folder value of a province ("Quảng Ngãi" -> "quang-ngai")."""
    return slug(province, UNKNOWN)


def partition_file(outdir: Path, table: str, partition: Partition) -> Path:
    """Return the file holding one (province, plan year) partition of ``table``."""
    province, year = partition
    return outdir / table / f"{PARTITION_KEY}={partition_value(province)}" / f"part-{year if year is not None else UNKNOWN}.parquet"


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
        """Rewrite the files of ``partitions`` of every table from the parts; return member keys with no parts.

        Provinces written differently ("Tiền Giang", "TIỀN GIANG") share a slug, so a file holds the
        documents of every partition that maps to it.
        """
        missing: list[str] = []
        members: dict[Path, list[str]] = {}
        for part, keys in sorted(manifest.by_partition().items(), key=lambda kv: _sort_key(kv[0])):
            members.setdefault(partition_file(self.outdir, "documents", part), []).extend(keys)
        wanted = sorted({partition_file(self.outdir, "documents", p) for p in partitions})
        for doc_file in wanted:
            keys = members.get(doc_file, [])
            lost = [k for k in keys if not self.has(k)]
            missing.extend(lost)
            keys = [k for k in keys if k not in lost]
            rel = doc_file.relative_to(self.outdir / "documents")
            for name in TABLES:
                path = self.outdir / name / rel
                if not keys:
                    self._remove_file(path)
                    continue
                with atomic_parquet_writer(path, file_schema(name)) as writer:
                    for chunk in _chunks(self._read_part(k, name) for k in keys):
                        writer.write_table(chunk)
        return missing

    def _remove_file(self, path: Path) -> None:
        """Delete a partition file and its province folder when that is left empty."""
        path.unlink(missing_ok=True)
        parent = path.parent
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()

    def orphans(self, manifest: Manifest) -> list[Path]:
        """Return partition files on disk that hold no document of the manifest.

        Folders of the layout before province_slug (``province=<name>/plan_year=<year>/``, written
        by older versions) are listed too: a reader of the folder would mix them in.
        """
        wanted = {partition_file(self.outdir, name, p) for p in manifest.partitions() for name in TABLES}
        found = [f for name in TABLES for f in (self.outdir / name).glob(f"{PARTITION_KEY}=*/{PART_GLOB}")]
        legacy = [d for name in TABLES for d in (self.outdir / name).glob("province=*") if d.is_dir()]
        return sorted(f for f in found if f not in wanted) + sorted(legacy)

    def remove_orphans(self, manifest: Manifest) -> int:
        """Delete the partition files no document of the manifest belongs to; return how many."""
        found = self.orphans(manifest)
        for f in found:
            if f.is_dir():
                shutil.rmtree(f, ignore_errors=True)
            else:
                self._remove_file(f)
        return len(found)

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
        """Yield the partition files of ``table`` batch by batch (each file once)."""
        schema = TABLE_SCHEMAS[table]
        seen: set[Path] = set()
        for part in parts:
            path = partition_file(self.outdir, table, part)
            if path in seen or not path.is_file():
                continue
            seen.add(path)
            with pq.ParquetFile(path) as pf:
                for batch in pf.iter_batches(ROW_GROUP_ROWS):
                    yield pa.Table.from_batches([batch]).select(schema.names).cast(schema)


def read_table(outdir: str | os.PathLike[str], table: str) -> pa.Table:
    """Return the partitioned ``table`` of ``outdir`` as one Arrow table with the flat schema."""
    if table not in TABLE_SCHEMAS:
        raise ValueError(f"unknown table {table!r} (one of: {', '.join(TABLE_SCHEMAS)})")
    dataset = ds.dataset(Path(outdir) / table, format="parquet", partitioning=PARTITIONING)
    return dataset.to_table().select(TABLE_SCHEMAS[table].names).cast(TABLE_SCHEMAS[table])
