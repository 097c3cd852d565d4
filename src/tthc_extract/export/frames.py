"""Plans -> flat pandas DataFrames and Arrow tables (the Parquet contract).

Column names and types are a contract: lists are Arrow ``list<string>``, dates ``date32``, the
row's other columns a ``map<string, string>`` (printed title -> cell text).
``ROWS_SCHEMA``, ``DOCUMENTS_SCHEMA`` and ``AGENCIES_SCHEMA`` are the single source of truth;
tests check the written files against them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow as pa

from tthc_extract.model.plan import Agency, Deadline, Plan

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
    ("warnings", pa.list_(pa.string())),
])

# Columns shared by task rows and prose tasks: who (agencies by role) and when (the deadline).
_WHO_WHEN = [
    ("lead_agencies", pa.list_(pa.string())),
    ("support_agencies", pa.list_(pa.string())),
    ("lead_canonical", pa.list_(pa.string())),
    ("support_canonical", pa.list_(pa.string())),
    ("deadline_raw", pa.string()),
    ("deadline_kind", pa.string()),
    ("deadline_start", pa.date32()),
    ("deadline_end", pa.date32()),
    ("deadline_dates", pa.list_(pa.date32())),
]

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
    ("warnings", pa.list_(pa.string())),
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
    ("warnings", pa.list_(pa.string())),
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
])


def _who_when(lead: list[Agency], support: list[Agency], deadline: Deadline) -> dict[str, Any]:
    """Return the agency and deadline columns shared by rows and prose tasks."""
    return {
        "lead_agencies": [a.name for a in lead], "support_agencies": [a.name for a in support],
        "lead_canonical": [a.canonical for a in lead], "support_canonical": [a.canonical for a in support],
        "deadline_kind": deadline.kind, "deadline_start": deadline.start, "deadline_end": deadline.end,
        "deadline_dates": list(deadline.dates),
    }


def document_records(plans: Iterable[Plan]) -> list[dict[str, Any]]:
    """Return one dict per plan with the documents.parquet columns."""
    out = []
    for p in plans:
        d = p.document
        out.append({
            "file": p.file, "source": p.source, "format": p.format, "status": p.status,
            "doc_type": d.doc_type, "doc_number": d.doc_number, "issuer": d.issuer,
            "province": d.province, "place": d.place, "issue_date": d.issue_date,
            "signer": d.signer, "title": d.title, "plan_year": d.plan_year,
            "legal_bases": [lb.number for lb in d.legal_bases], "pages": p.pages,
            "n_rows": len(p.rows), "n_sections": len(p.sections), "warnings": list(p.warnings),
        })
    return out


def row_records(plans: Iterable[Plan]) -> list[dict[str, Any]]:
    """Return one dict per task row with the rows.parquet columns."""
    out = []
    for p in plans:
        d = p.document
        for r in p.rows:
            out.append({
                "file": p.file, "row_id": r.row_id, "province": d.province, "plan_year": d.plan_year,
                "doc_number": d.doc_number, "section": r.section, "section_title": r.section_title,
                "stt": r.stt, "task": r.task, "result": r.result, "agencies_raw": r.agencies_raw,
                **_who_when(r.lead_agencies, r.support_agencies, r.deadline),
                "deadline_raw": r.deadline_raw, "note": r.note, "budget": r.budget,
                "other_columns": list(r.other_columns.items()), "spans_pages": r.spans_pages,
                "is_subrow": r.is_subrow, "confidence": r.confidence,
                "pages": list(r.provenance.pages), "table": r.provenance.table,
                "source_rows": list(r.provenance.source_rows), "warnings": list(r.warnings),
            })
    return out


def prose_records(plans: Iterable[Plan]) -> list[dict[str, Any]]:
    """Return one dict per prose task with the prose_tasks.parquet columns."""
    out = []
    for p in plans:
        d = p.document
        for t in p.prose_tasks:
            out.append({
                "file": p.file, "province": d.province, "plan_year": d.plan_year,
                "doc_number": d.doc_number, "section": t.section, "number": t.number,
                "task": t.task, "text": t.text,
                **_who_when(t.lead_agencies, t.support_agencies, t.deadline),
                "deadline_raw": t.deadline_raw, "pages": list(t.provenance.pages),
                "lines": list(t.provenance.lines), "warnings": list(t.warnings),
            })
    return out


def agency_records(plans: Iterable[Plan]) -> list[dict[str, Any]]:
    """Return one dict per row x agency x role with the agencies.parquet columns."""
    out = []
    for p in plans:
        d = p.document
        for r in p.rows:
            for role, ags in (("lead", r.lead_agencies), ("support", r.support_agencies)):
                for i, a in enumerate(ags):
                    out.append({
                        "file": p.file, "row_id": r.row_id, "province": d.province,
                        "plan_year": d.plan_year, "role": role, "position": i,
                        "name": a.name, "canonical": a.canonical,
                    })
    return out


def to_arrow(records: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Return an Arrow table of ``records`` with exactly ``schema`` (empty tables keep it)."""
    return pa.Table.from_pylist(records, schema=schema)


def _frame(records: list[dict[str, Any]], schema: pa.Schema) -> pd.DataFrame:
    """Return ``records`` as a DataFrame a notebook can use as is.

    Lists are Python lists (not NumPy arrays: ``==``, ``json.dumps`` and ``to_dict`` behave),
    dates ``datetime.date`` objects, and integer columns pandas' nullable ``Int32``, so that a
    document without a plan year does not turn the column into floats.
    """
    table = to_arrow(records, schema)
    df = table.to_pandas(types_mapper={pa.int32(): pd.Int32Dtype()}.get)
    for f in schema:
        if pa.types.is_list(f.type):
            df[f.name] = pd.Series(table.column(f.name).to_pylist(), index=df.index, dtype=object)
        elif pa.types.is_map(f.type):  # a map column as Python dicts, not lists of pairs
            df[f.name] = pd.Series([dict(v) for v in table.column(f.name).to_pylist()], index=df.index, dtype=object)
    return df


def rows_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """Return the rows of ``plans`` as a DataFrame (rows.parquet columns)."""
    return _frame(row_records(plans), ROWS_SCHEMA)


def documents_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """Return the document metadata of ``plans`` as a DataFrame (documents.parquet columns)."""
    return _frame(document_records(plans), DOCUMENTS_SCHEMA)


def agencies_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """Return the agencies of ``plans`` as a DataFrame (agencies.parquet columns)."""
    return _frame(agency_records(plans), AGENCIES_SCHEMA)


def prose_frame(plans: Iterable[Plan]) -> pd.DataFrame:
    """Return the prose tasks of ``plans`` as a DataFrame (prose_tasks.parquet columns)."""
    return _frame(prose_records(plans), PROSE_SCHEMA)
