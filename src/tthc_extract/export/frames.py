"""Plans -> flat pandas DataFrames and Arrow tables (the Parquet contract of :mod:`tthc_extract.model.columns`).

Each :class:`Plan` gives its own records in the contract's columns; these functions put the
records of many plans into one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from tthc_extract.model.columns import (
    AGENCIES_SCHEMA,
    DOCUMENTS_SCHEMA,
    PROSE_SCHEMA,
    ROWS_SCHEMA,
    to_frame,
)
from tthc_extract.model.plan import Plan


def document_records(plans: Iterable[Plan]) -> list[dict[str, Any]]:
    """Return one dict per plan with the documents.parquet columns."""
    return [p.document_record() for p in plans]


def row_records(plans: Iterable[Plan]) -> list[dict[str, Any]]:
    """Return one dict per task row with the rows.parquet columns."""
    return [r for p in plans for r in p.row_records()]


def prose_records(plans: Iterable[Plan]) -> list[dict[str, Any]]:
    """Return one dict per prose task with the prose_tasks.parquet columns."""
    return [t for p in plans for t in p.prose_records()]


def agency_records(plans: Iterable[Plan]) -> list[dict[str, Any]]:
    """Return one dict per row x agency x role with the agencies.parquet columns."""
    return [a for p in plans for a in p.agency_records()]


def rows_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """Return the rows of ``plans`` as a DataFrame (rows.parquet columns)."""
    return to_frame(row_records(plans), ROWS_SCHEMA)


def documents_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """Return the document metadata of ``plans`` as a DataFrame (documents.parquet columns)."""
    return to_frame(document_records(plans), DOCUMENTS_SCHEMA)


def agencies_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """Return the agencies of ``plans`` as a DataFrame (agencies.parquet columns)."""
    return to_frame(agency_records(plans), AGENCIES_SCHEMA)


def prose_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """Return the prose tasks of ``plans`` as a DataFrame (prose_tasks.parquet columns)."""
    return to_frame(prose_records(plans), PROSE_SCHEMA)
