"""Helpers shared by the batch tests: small corpora copied from samples/, dataset readers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tthc_extract.batch.sink import TABLES

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
FIXTURES = ROOT / "tests" / "fixtures" / "batch"
QB, QN, TG = "000_ddb247df984a7d22", "001_62a13cda74406132", "002_c4b107cd9cf43351"  # Quảng Bình, Quảng Ngãi, Tiền Giang

# Sort keys that make a table's row order canonical.
SORT_KEYS = {
    "documents": ["file"],
    "rows": ["row_id"],
    "prose_tasks": ["file", "number", "task"],
    "agencies": ["row_id", "role", "position"],
}


def copy_sample(dst: Path, sample: str) -> Path:
    """Copy ``samples/<sample>`` (or ``tests/fixtures/batch/<sample>``) to ``dst``; return ``dst``."""
    src = SAMPLES / sample if (SAMPLES / sample).is_file() else FIXTURES / sample
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, dst)
    return dst


def small_corpus(root: Path) -> Path:
    """Return a folder of three documents, one per province, one in a sub-folder and one Word file."""
    copy_sample(root / "a.txt", f"{TG}.txt")
    copy_sample(root / "sub" / "b.txt", f"{QB}.txt")
    copy_sample(root / "sub" / "c.docx", f"{QN}.std.docx")
    return root


def canonical(table: pa.Table, name: str) -> pa.Table:
    """Return ``table`` sorted by its table's keys."""
    return table.sort_by([(k, "ascending") for k in SORT_KEYS[name]])


def flat(outdir: Path, name: str) -> pa.Table:
    """Return the flat table OUTDIR/<name>.parquet, sorted."""
    return canonical(pq.read_table(outdir / f"{name}.parquet"), name)


def all_flat(outdir: Path) -> dict[str, pa.Table]:
    """Return every flat table of ``outdir``, sorted."""
    return {name: flat(outdir, name) for name in TABLES}


def temporaries(outdir: Path) -> list[Path]:
    """Return the temporary files left in ``outdir``."""
    return sorted(outdir.rglob("*.tmp"))
