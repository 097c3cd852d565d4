"""Exports of Plans: JSON and Parquet (writers, frames, tables), Excel and CSV (sheets).

``write_xlsx(plans, "plans.xlsx")`` and ``write_csv(plans, "OUTDIR")`` are what
``extract --format xlsx,csv`` writes; ``rows_frame(plans)`` and the other frames are the
Parquet tables as pandas DataFrames.
"""

from __future__ import annotations

from tthc_extract.export.frames import agencies_frame, documents_frame, prose_frame, rows_frame
from tthc_extract.export.sheets import write_csv, write_generic_csv, write_xlsx

__all__ = [
    "agencies_frame", "documents_frame", "prose_frame", "rows_frame", "write_csv", "write_generic_csv", "write_xlsx",
]
