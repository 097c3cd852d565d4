"""One Parquet file per generic table: ``OUTDIR/tables/<source file name>.<n>.parquet``.

A generic table's columns differ from table to table, so each gets its own file, written from
:func:`tthc_extract.segment.generic.numeric_frame` (numeric columns typed Int64 / Float64, the
others text). The file's Arrow schema metadata carries where it came from: source, table number,
title, header, pages. Files are written atomically, like every other output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from tthc_extract.export.writers import write_parquet_table
from tthc_extract.model.plan import GenericTable, Plan
from tthc_extract.names import fit_name, shown
from tthc_extract.segment.generic import numeric_frame

TABLES_DIR = "tables"
# Room kept after the stem of a table file for ``.<n>.parquet``.
_TABLE_SUFFIX_ROOM = len(".9999.parquet")


def table_stem(source: str) -> str:
    """Return the name the table files of ``source`` start with: its file name, shortened when too long."""
    return fit_name(Path(source).name, reserve=_TABLE_SUFFIX_ROOM)


def table_path(outdir: Path, source: str, n: int) -> Path:
    """Return where generic table ``n`` (from 1) of ``source`` goes: OUTDIR/tables/<source>.<n>.parquet."""
    return outdir / TABLES_DIR / f"{table_stem(source)}.{n}.parquet"


def table_arrow(table: GenericTable, source: str, n: int) -> pa.Table:
    """Return the Arrow table of one generic table, with its provenance in the schema metadata."""
    arrow = pa.Table.from_pandas(numeric_frame(table), preserve_index=False)
    schema = pa.schema(
        [f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in arrow.schema],
        metadata=arrow.schema.metadata,
    )
    arrow = arrow.cast(schema)
    meta = {
        "source": shown(source),
        "table": str(n),
        "title": table.title or "",
        "header": json.dumps(table.header, ensure_ascii=False),
        "pages": json.dumps(table.provenance.pages),
    }
    old = arrow.schema.metadata or {}
    return arrow.replace_schema_metadata({**old, **{k: v.encode("utf-8") for k, v in meta.items()}})


def write_generic_tables(plan: Plan, outdir: Path) -> list[Path]:
    """Write each generic table of a plan to its own Parquet file; return the paths written."""
    paths = []
    for n, table in enumerate(plan.tables, start=1):
        path = table_path(outdir, plan.source, n)
        write_parquet_table(table_arrow(table, plan.source, n), path)
        paths.append(path)
    return paths
