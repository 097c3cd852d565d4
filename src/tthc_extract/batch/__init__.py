"""Corpus-scale extraction: parallel workers, incremental re-runs, a partitioned Parquet dataset.

``run_batch(inputs, outdir, BatchOptions(jobs=4))`` is what ``tthc-extract extract`` runs;
``read_table(outdir, "rows")`` reads the partitioned dataset back as one Arrow table.
"""

from __future__ import annotations

from tthc_extract.batch.run import BatchError, BatchOptions, BatchSummary, run_batch
from tthc_extract.batch.sink import PARTITIONING, read_table

__all__ = ["PARTITIONING", "BatchError", "BatchOptions", "BatchSummary", "read_table", "run_batch"]
