"""The flat form of the output contract: the Arrow schemas of the Parquet tables, and records -> tables.

Column names and types are a contract: lists are Arrow ``list<string>``, dates ``date32``, the
row's other columns a ``map<string, string>`` (printed title -> cell text).
``ROWS_SCHEMA``, ``DOCUMENTS_SCHEMA``, ``PROSE_SCHEMA`` and ``AGENCIES_SCHEMA`` are the single
source of truth; tests check the written files against them. :class:`~tthc_extract.model.plan.Plan`
gives its records in these columns; :mod:`tthc_extract.export` writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DOCUMENTS_SCHEMA = pa.schema([
    ("file", pa.string()),
    ("source", pa.string()),
    ("format", pa.string()),
    ("status", pa.string()),
    ("doc_type", pa.string()),
    ("doc_number", pa.string()),
    ("issuer", pa.string()),
    ("province", pa.string()),
    ("place", pa.string()),
    ("issue_date", pa.date32()),
    ("signer", pa.string()),
    ("title", pa.string()),
    ("plan_year", pa.int32()),
    ("legal_bases", pa.list_(pa.string())),
    ("pages", pa.int32()),
    ("n_rows", pa.int32()),
    ("n_sections", pa.int32()),
    ("warnings", pa.list_(pa.string())),  # the messages of the warnings
    ("warning_codes", pa.list_(pa.string())),  # their codes, in the same order (model.warnings.CODES)
])

# Columns shared by task rows and prose tasks: who (agencies by role) and when (the deadline).
_WHO_WHEN = [
    ("lead_agencies", pa.list_(pa.string())),
    ("support_agencies", pa.list_(pa.string())),
    ("lead_canonical", pa.list_(pa.string())),
    ("support_canonical", pa.list_(pa.string())),
    ("lead_ids", pa.list_(pa.string())),  # agency_id per lead agency (null: a body not in the registry)
    ("support_ids", pa.list_(pa.string())),
    ("deadline_raw", pa.string()),
    ("deadline_kind", pa.string()),
    ("deadline_dated", pa.bool_()),  # the kind has a real deadline date (model.plan.DATED_KINDS)
    ("deadline_start", pa.date32()),
    ("deadline_end", pa.date32()),
    ("deadline_dates", pa.list_(pa.date32())),
]

# Where a row or task is on its pages (PDF and image inputs): one box per page, in points, with
# the page size (see model.plan.PageBox).
_BOXES = ("boxes", pa.list_(pa.struct([
    ("page", pa.int32()), ("x0", pa.float64()), ("top", pa.float64()), ("x1", pa.float64()),
    ("bottom", pa.float64()), ("page_width", pa.float64()), ("page_height", pa.float64()),
])))

ROWS_SCHEMA = pa.schema([
    ("file", pa.string()),
    ("row_id", pa.string()),
    ("province", pa.string()),
    ("plan_year", pa.int32()),
    ("doc_number", pa.string()),
    ("section", pa.string()),
    ("section_title", pa.string()),
    ("stt", pa.string()),
    ("task", pa.string()),
    ("result", pa.string()),
    ("agencies_raw", pa.string()),
    *_WHO_WHEN,
    ("note", pa.string()),
    ("budget", pa.string()),
    ("other_columns", pa.map_(pa.string(), pa.string())),
    ("spans_pages", pa.bool_()),
    ("is_subrow", pa.bool_()),
    ("confidence", pa.float64()),
    ("pages", pa.list_(pa.int32())),
    ("table", pa.int32()),
    ("source_rows", pa.list_(pa.int32())),
    ("lines", pa.list_(pa.int32())),
    _BOXES,
    ("warnings", pa.list_(pa.string())),  # the messages of the warnings
    ("warning_codes", pa.list_(pa.string())),  # their codes, in the same order (model.warnings.CODES)
])

PROSE_SCHEMA = pa.schema([
    ("file", pa.string()),
    ("province", pa.string()),
    ("plan_year", pa.int32()),
    ("doc_number", pa.string()),
    ("section", pa.string()),
    ("number", pa.string()),
    ("task", pa.string()),
    ("text", pa.string()),
    *_WHO_WHEN,
    ("pages", pa.list_(pa.int32())),
    ("lines", pa.list_(pa.int32())),
    _BOXES,
    ("warnings", pa.list_(pa.string())),  # the messages of the warnings
    ("warning_codes", pa.list_(pa.string())),  # their codes, in the same order (model.warnings.CODES)
])

AGENCIES_SCHEMA = pa.schema([
    ("file", pa.string()),
    ("row_id", pa.string()),
    ("province", pa.string()),
    ("plan_year", pa.int32()),
    ("role", pa.string()),
    ("position", pa.int32()),
    ("name", pa.string()),
    ("canonical", pa.string()),
    ("agency_id", pa.string()),
    ("agency_type", pa.string()),
    ("agency_level", pa.string()),
])


def to_arrow(records: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Return an Arrow table of ``records`` with exactly ``schema`` (empty tables keep it)."""
    return pa.Table.from_pylist(records, schema=schema)


# Columns a frame gives as pandas categoricals, with every category (so that value_counts and
# charts show the kinds a corpus lacks, and two frames concatenate to one categorical).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "deadline_kind": ("date", "month", "quarter", "half_year", "year", "recurring", "multiple", "event", "unknown"),
}


def to_frame(records: list[dict[str, Any]], schema: pa.Schema) -> pd.DataFrame:
    """Return ``records`` as a DataFrame a notebook can use as is.

    Lists are Python lists (not NumPy arrays: ``==``, ``json.dumps`` and ``to_dict`` behave),
    date columns ``datetime64`` (``.dt`` works; a missing date is ``NaT``; the dates inside a
    list column stay ``datetime.date``), integer columns pandas' nullable ``Int32``, so that a
    document without a plan year does not turn the column into floats, and the deadline kind a
    categorical of all the kinds.
    """
    import pandas as pd  # here, not at the top: pandas costs every `import tthc_extract` a quarter second

    table = to_arrow(records, schema)
    df = table.to_pandas(types_mapper={pa.int32(): pd.Int32Dtype()}.get, date_as_object=False)
    for f in schema:
        if f.name in CATEGORIES:
            df[f.name] = pd.Categorical(df[f.name], categories=CATEGORIES[f.name])
        elif pa.types.is_date(f.type):
            df[f.name] = df[f.name].astype("datetime64[ns]")
        elif pa.types.is_list(f.type):
            df[f.name] = pd.Series(table.column(f.name).to_pylist(), index=df.index, dtype=object)
        elif pa.types.is_map(f.type):  # a map column as Python dicts, not lists of pairs
            df[f.name] = pd.Series([dict(v) for v in table.column(f.name).to_pylist()], index=df.index, dtype=object)
    return df
