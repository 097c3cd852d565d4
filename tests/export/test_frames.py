"""The pandas frames of a plan: Python lists, datetime64 dates, nullable integers, categorical kinds."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from tthc_extract.export.frames import documents_frame, row_records, rows_frame
from tthc_extract.model.columns import ROWS_SCHEMA, to_arrow
from tthc_extract.model.document import BBox
from tthc_extract.model.plan import (
    Agency,
    Deadline,
    DocumentMeta,
    PageBox,
    Plan,
    RowProvenance,
    TaskRow,
    page_boxes,
)
from tthc_extract.model.warnings import warn


def _plan(year: int | None) -> Plan:
    row = TaskRow(
        row_id="p.txt#1", stt="1", task="Rà soát TTHC",
        lead_agencies=[Agency(name="Sở Tư pháp", canonical="Sở Tư pháp", role="lead")],
        deadline_raw="Quý I/2022",
        deadline=Deadline(kind="quarter", start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31)),
        provenance=RowProvenance(file="in/p.txt", pages=[1, 2], table=0, source_rows=[3]),
    )
    return Plan(source="p.txt", file="in/p.txt", format="text", document=DocumentMeta(plan_year=year), rows=[row])


def test_rows_frame_types() -> None:
    df = rows_frame([_plan(2022), _plan(None)])
    assert df["lead_agencies"].tolist() == [["Sở Tư pháp"], ["Sở Tư pháp"]]
    assert type(df["pages"][0]) is list and df["pages"][0] == [1, 2] and df["deadline_dates"][0] == []
    assert str(df["deadline_end"].dtype) == "datetime64[ns]" and df["deadline_end"].dt.month.tolist() == [3, 3]
    assert df["deadline_end"][0] == pd.Timestamp(2022, 3, 31)
    assert df["deadline_kind"].dtype == "category" and "recurring" in df["deadline_kind"].cat.categories
    assert df["deadline_dated"].tolist() == [True, True]
    assert str(df["plan_year"].dtype) == "Int32" and df["plan_year"][0] == 2022 and df["plan_year"][1] is pd.NA
    assert str(df["table"].dtype) == "Int32"
    json.dumps(df.drop(columns=["deadline_start", "deadline_end"]).to_dict("records"))  # no NumPy arrays left


def test_documents_frame_counts_are_integers() -> None:
    df = documents_frame([_plan(None)])
    assert str(df["n_rows"].dtype) == "Int32" and df.loc[0, "n_rows"] == 1
    assert df.loc[0, "legal_bases"] == [] and df.loc[0, "warnings"] == [] and df.loc[0, "warning_codes"] == []
    assert str(df["issue_date"].dtype) == "datetime64[ns]" and df["issue_date"].isna().all()


def test_warnings_are_messages_beside_their_codes() -> None:
    """The flat tables carry a warning's message in ``warnings`` and its code, same place, in ``warning_codes``."""
    plan = _plan(2022)
    plan.rows[0].warnings = [warn("row_without_stt", "row without STT but with its own task"),
                             warn("no_agency", "no agency")]
    plan.warnings = [warn("agencies_not_in_registry", "agencies not in the registry (no agency_id): Văn phòng")]
    row = rows_frame([plan]).loc[0]
    assert (row["warnings"], row["warning_codes"]) == (
        ["row without STT but with its own task", "no agency"], ["row_without_stt", "no_agency"])
    doc = documents_frame([plan]).loc[0]
    assert (doc["warnings"], doc["warning_codes"]) == (
        ["agencies not in the registry (no agency_id): Văn phòng"], ["agencies_not_in_registry"])


def test_undated_kinds_are_flagged() -> None:
    plan = _plan(2022)
    plan.rows[0].deadline = Deadline(kind="recurring", end=dt.date(2022, 12, 31))  # "Thường xuyên"
    df = rows_frame([plan])
    assert df["deadline_dated"].tolist() == [False] and df["deadline_end"].notna().all()


def test_row_boxes_reach_the_rows_table() -> None:
    plan = _plan(2022)
    plan.rows[0].provenance.boxes = [PageBox(page=2, x0=10, top=20, x1=300, bottom=80, page_width=595.3,
                                             page_height=841.89)]
    table = to_arrow(row_records([plan]), ROWS_SCHEMA)
    got = table.column("boxes").to_pylist()[0]
    assert got == [{"page": 2, "x0": 10.0, "top": 20.0, "x1": 300.0, "bottom": 80.0,
                    "page_width": 595.3, "page_height": 841.89}]
    assert table.column("lines").to_pylist() == [[]]


def test_page_boxes_one_enclosing_box_per_page() -> None:
    parts = [(3, BBox(x0=50, top=700, x1=500, bottom=760)), (2, BBox(x0=60, top=100, x1=400, bottom=120)),
             (3, BBox(x0=40, top=760, x1=520, bottom=800.123))]
    got = page_boxes(parts)
    assert [(b.page, b.x0, b.top, b.x1, b.bottom) for b in got] == [(2, 60, 100, 400, 120), (3, 40, 700, 520, 800.12)]
    assert page_boxes([]) == []
