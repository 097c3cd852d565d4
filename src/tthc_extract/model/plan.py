"""The output contract: a :class:`Plan` per document, with its metadata and task rows.

Field names here are a contract with users (JSON files, Parquet columns, JSON Schema in
``schemas/``): change them only on purpose and regenerate the schemas (``make schemas``).
In the Parquet records a file name that is not UTF-8 is shown escaped (names.shown); the JSON keeps it.

Warnings are typed (:mod:`tthc_extract.model.warnings`): ``{code, stage, message, page}`` in the JSON,
and in the flat tables a ``warnings`` column of their messages beside a ``warning_codes`` column of
their codes (same order). Schema 2.0 introduced them; a 1.0 JSON (warnings as strings) still reads
(:func:`upgrade_plan_json`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, Field, ValidationError, computed_field, model_validator

from tthc_extract.model import notebook
from tthc_extract.model.columns import AGENCIES_SCHEMA, DOCUMENTS_SCHEMA, PROSE_SCHEMA, ROWS_SCHEMA, to_frame
from tthc_extract.model.document import BBox
from tthc_extract.model.warnings import Warning, codes, messages, typed_v1
from tthc_extract.names import shown

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SCHEMA_VERSION = "2.0"
# Versions this tool reads: 1.0 is upgraded on reading (its warnings were strings).
READABLE_VERSIONS: tuple[str, ...] = ("1.0", SCHEMA_VERSION)
Status = Literal["success", "partial", "failure"]

DeadlineKind = Literal[
    "date", "month", "quarter", "half_year", "year", "recurring", "multiple", "event", "unknown"
]
Role = Literal["lead", "support"]
# Kinds whose dates are a deadline a chart or a filter may use ("Thường xuyên" or "Năm 2022" is
# given an end date too, the 31st of December, which is no deadline to count overdue tasks by).
DATED_KINDS: frozenset[str] = frozenset({"date", "month", "quarter", "half_year", "multiple"})
assert DATED_KINDS <= set(get_args(DeadlineKind))


class Agency(BaseModel):
    """One agency named in a row: as written (minus role words), and the body it is.

    ``canonical`` is the registry's name of the body (grammars/agencies/bodies.toml) when the name
    is of a known body, else the name with abbreviations expanded; ``agency_id`` (a stable slug),
    ``agency_type`` and ``agency_level`` are the body's, None for a name of no known body.
    """

    name: str
    canonical: str
    role: Role = "lead"
    agency_id: str | None = None
    agency_type: str | None = None
    agency_level: str | None = None


class Deadline(BaseModel):
    """A parsed deadline; dates resolved against the plan year where the text gives none."""

    kind: DeadlineKind = "unknown"
    start: dt.date | None = None
    end: dt.date | None = None
    dates: list[dt.date] = Field(default_factory=list)


class PageBox(BaseModel):
    """The region of one page a row or task was read from.

    The box is in PDF points with the origin at the top-left of the page, as in the document
    model; for a scanned page or an image the pixels were converted to points of the page, whose
    size is given so that the box can be laid on a picture of the page at any resolution
    (``x_px = x0 / page_width * image_width``).
    """

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    page_width: float | None = None
    page_height: float | None = None


def page_boxes(parts: Iterable[tuple[int, BBox]]) -> list[PageBox]:
    """Given (page, box) pieces of one row or task, return one box per page enclosing its pieces."""
    by_page: dict[int, list[BBox]] = {}
    for page, b in parts:
        by_page.setdefault(page, []).append(b)
    out = []
    for page, bs in sorted(by_page.items()):
        box = BBox.enclosing(bs)
        assert box is not None  # every page listed has at least one piece
        out.append(PageBox(page=page, x0=round(box.x0, 2), top=round(box.top, 2),
                           x1=round(box.x1, 2), bottom=round(box.bottom, 2)))
    return out


class RowProvenance(BaseModel):
    """Where a row came from, so a doubtful value can be checked against the source.

    PDF and image inputs give ``boxes``: per page the row spans, the region of its cells (or the
    task's paragraphs). Text, HTML and Word inputs have no geometry and give ``lines`` instead
    (line numbers of a text file, block indexes of a Word document, source lines of HTML).
    """

    file: str
    pages: list[int] = Field(default_factory=list)
    table: int | None = None
    source_rows: list[int] = Field(default_factory=list)
    lines: list[int] = Field(default_factory=list)
    boxes: list[PageBox] = Field(default_factory=list)


class TaskRow(BaseModel):
    """One deliverable line of a task table (see GOLD_SPEC: rows, sub-rows, continuations)."""

    row_id: str
    section: str | None = None
    section_title: str | None = None
    stt: str | None = None
    task: str = ""
    result: str | None = None
    agencies_raw: str | None = None
    lead_agencies: list[Agency] = Field(default_factory=list)
    support_agencies: list[Agency] = Field(default_factory=list)
    deadline_raw: str | None = None
    deadline: Deadline = Field(default_factory=Deadline)
    note: str | None = None  # the "Ghi chú" cell
    budget: str | None = None  # the "Kinh phí" / "Nguồn kinh phí" cell
    # Any other column's cell by its printed title ("Kết quả dự kiến", "Hình thức thực hiện", ...).
    other_columns: dict[str, str] = Field(default_factory=dict)
    spans_pages: bool = False
    is_subrow: bool = False
    confidence: float | None = None
    provenance: RowProvenance
    warnings: list[Warning] = Field(default_factory=list)

    def __repr__(self) -> str:
        return notebook.row_repr(self)

    def _repr_html_(self) -> str:
        """The notebook view: the row's fields beside the crop of its source (when the PDF is at hand)."""
        return notebook.row_html(self)


class LegalBasis(BaseModel):
    """A document cited in the preamble ("Căn cứ ...")."""

    number: str
    type: str | None = None
    date: dt.date | None = None


class DocumentMeta(BaseModel):
    """Metadata of the outer decision (or plan) document."""

    doc_type: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    province: str | None = None
    place: str | None = None
    issue_date: dt.date | None = None
    signer: str | None = None
    title: str | None = None
    plan_year: int | None = None
    plan_period: str | None = None  # "2021-2025" when the title names a period (plan_year is its first year)
    legal_bases: list[LegalBasis] = Field(default_factory=list)


class Section(BaseModel):
    """A section row of the task table ("I", "II.1", ...) with its title."""

    number: str
    title: str = ""


class ProseTask(BaseModel):
    """A task written as a numbered paragraph instead of a table row."""

    section: str | None = None
    number: str | None = None  # None for a bulleted item ("- Rà soát ...; Đơn vị thực hiện: ...")
    task: str = ""
    text: str = ""
    lead_agencies: list[Agency] = Field(default_factory=list)
    support_agencies: list[Agency] = Field(default_factory=list)
    deadline_raw: str | None = None
    deadline: Deadline = Field(default_factory=Deadline)
    provenance: RowProvenance
    warnings: list[Warning] = Field(default_factory=list)


class GenericTable(BaseModel):
    """A non-task table (e.g. a statistics appendix) kept as header + data rows."""

    title: str | None = None
    header: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    numeric_columns: list[int] = Field(default_factory=list)
    provenance: RowProvenance


def _who_when(lead: list[Agency], support: list[Agency], deadline: Deadline) -> dict[str, Any]:
    """Return the agency and deadline columns shared by task rows and prose tasks."""
    return {
        "lead_agencies": [a.name for a in lead], "support_agencies": [a.name for a in support],
        "lead_canonical": [a.canonical for a in lead], "support_canonical": [a.canonical for a in support],
        "lead_ids": [a.agency_id for a in lead], "support_ids": [a.agency_id for a in support],
        "deadline_kind": deadline.kind, "deadline_dated": deadline.kind in DATED_KINDS, "deadline_start": deadline.start, "deadline_end": deadline.end,
        "deadline_dates": list(deadline.dates),
    }


def upgrade_plan_json(data: Any) -> Any:
    """Return a plan JSON of an older schema this tool reads in the current shape; other data as it is.

    Schema 1.0 wrote warnings as strings: they are typed from their texts (warnings.v1_warning,
    which raises ValueError for a text it does not know) and the version becomes the current one.
    """
    if not isinstance(data, dict) or data.get("schema_version") != "1.0":
        return data
    out = {**data, "schema_version": SCHEMA_VERSION, "warnings": typed_v1(data.get("warnings", []))}
    for key in ("rows", "prose_tasks"):
        items = out.get(key)
        if isinstance(items, list):
            out[key] = [{**it, "warnings": typed_v1(it.get("warnings", []), f"{key}.{i}.warnings")}
                        if isinstance(it, dict) else it for i, it in enumerate(items)]
    return out


class Plan(BaseModel):
    """Everything extracted from one document.

    ``status`` (set by :meth:`settle_status`): ``success`` when no warning is of error severity,
    ``partial`` when rows or tasks were read but a stage reported an error (a page left unread),
    ``failure`` when the document was opened but nothing of a plan was read (no task table or
    prose task, or a stage raised). ``errors_by_stage`` lists the messages of the plan's errors by
    the stage that reported them (as docling's ConversionResult lists its ErrorItems).
    """

    schema_version: str = SCHEMA_VERSION
    source: str
    file: str
    format: str
    status: Status = "success"
    document: DocumentMeta = Field(default_factory=DocumentMeta)
    sections: list[Section] = Field(default_factory=list)
    rows: list[TaskRow] = Field(default_factory=list)
    prose_tasks: list[ProseTask] = Field(default_factory=list)
    tables: list[GenericTable] = Field(default_factory=list)
    pages: int = 0
    warnings: list[Warning] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        return upgrade_plan_json(data)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def errors_by_stage(self) -> dict[str, list[str]]:
        """The messages of the plan's warnings of error severity, by stage (row and task warnings are
        about a value, never of error severity)."""
        out: dict[str, list[str]] = {}
        for w in self.warnings:
            if w.severity == "error":
                out.setdefault(w.stage, []).append(w.message)
        return out

    def settle_status(self) -> Status:
        """Set and return ``status`` from what was read and the warnings' severities (class docstring)."""
        if not (self.rows or self.prose_tasks):
            self.status = "failure"
        elif any(w.severity == "error" for w in self.warnings):
            self.status = "partial"
        else:
            self.status = "success"
        return self.status

    def __repr__(self) -> str:
        return notebook.plan_repr(self)

    def _repr_html_(self) -> str:
        """The notebook view: metadata, counts, warnings and the first rows beside their crops."""
        return notebook.plan_html(self)

    def set_file(self, file: str) -> None:
        """Name the input ``file`` in the plan and in the provenance of all its rows, tasks and tables."""
        self.file = file
        provs = [x.provenance for x in self.rows] + [x.provenance for x in self.prose_tasks]
        for prov in provs + [x.provenance for x in self.tables]:
            prov.file = file

    def document_record(self) -> dict[str, Any]:
        """Return the plan's row of documents.parquet, as a dict of its columns."""
        d = self.document
        return {
            "file": shown(self.file), "source": shown(self.source), "format": self.format, "status": self.status,
            "doc_type": d.doc_type, "doc_number": d.doc_number, "issuer": d.issuer,
            "province": d.province, "place": d.place, "issue_date": d.issue_date,
            "signer": d.signer, "title": d.title, "plan_year": d.plan_year,
            "legal_bases": [lb.number for lb in d.legal_bases], "pages": self.pages,
            "n_rows": len(self.rows), "n_sections": len(self.sections),
            "warnings": messages(self.warnings), "warning_codes": codes(self.warnings),
        }

    def row_records(self) -> list[dict[str, Any]]:
        """Return one dict per task row with the rows.parquet columns."""
        d = self.document
        return [{
            "file": shown(self.file), "row_id": shown(r.row_id), "province": d.province, "plan_year": d.plan_year,
            "doc_number": d.doc_number, "section": r.section, "section_title": r.section_title,
            "stt": r.stt, "task": r.task, "result": r.result, "agencies_raw": r.agencies_raw,
            **_who_when(r.lead_agencies, r.support_agencies, r.deadline),
            "deadline_raw": r.deadline_raw, "note": r.note, "budget": r.budget,
            "other_columns": list(r.other_columns.items()), "spans_pages": r.spans_pages,
            "is_subrow": r.is_subrow, "confidence": r.confidence,
            "pages": list(r.provenance.pages), "table": r.provenance.table,
            "source_rows": list(r.provenance.source_rows), "lines": list(r.provenance.lines),
            "boxes": [b.model_dump() for b in r.provenance.boxes],
            "warnings": messages(r.warnings), "warning_codes": codes(r.warnings),
        } for r in self.rows]

    def prose_records(self) -> list[dict[str, Any]]:
        """Return one dict per prose task with the prose_tasks.parquet columns."""
        d = self.document
        return [{
            "file": shown(self.file), "province": d.province, "plan_year": d.plan_year,
            "doc_number": d.doc_number, "section": t.section, "number": t.number,
            "task": t.task, "text": t.text,
            **_who_when(t.lead_agencies, t.support_agencies, t.deadline),
            "deadline_raw": t.deadline_raw, "pages": list(t.provenance.pages),
            "lines": list(t.provenance.lines), "boxes": [b.model_dump() for b in t.provenance.boxes],
            "warnings": messages(t.warnings), "warning_codes": codes(t.warnings),
        } for t in self.prose_tasks]

    def agency_records(self) -> list[dict[str, Any]]:
        """Return one dict per task row x agency x role with the agencies.parquet columns."""
        d = self.document
        return [{
            "file": shown(self.file), "row_id": shown(r.row_id), "province": d.province,
            "plan_year": d.plan_year, "role": role, "position": i,
            "name": a.name, "canonical": a.canonical, "agency_id": a.agency_id,
            "agency_type": a.agency_type, "agency_level": a.agency_level,
        } for r in self.rows
            for role, ags in (("lead", r.lead_agencies), ("support", r.support_agencies))
            for i, a in enumerate(ags)]

    def rows_frame(self) -> pd.DataFrame:
        """Return the task rows as a flat pandas DataFrame (the rows.parquet columns)."""
        return to_frame(self.row_records(), ROWS_SCHEMA)

    def documents_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame of the document metadata (the documents.parquet columns)."""
        return to_frame([self.document_record()], DOCUMENTS_SCHEMA)

    def agencies_frame(self) -> pd.DataFrame:
        """Return one row per task row x agency x role (the agencies.parquet columns)."""
        return to_frame(self.agency_records(), AGENCIES_SCHEMA)

    def prose_frame(self) -> pd.DataFrame:
        """Return the prose tasks as a DataFrame (the prose_tasks.parquet columns)."""
        return to_frame(self.prose_records(), PROSE_SCHEMA)

    def to_json_dict(self) -> dict[str, Any]:
        """Return the JSON-ready dict written to ``<file>.json``."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json_bytes(cls, data: bytes) -> Plan:
        """Return the Plan of a ``<file>.json``; raise pydantic's ValidationError when it is none.

        Pydantic's JSON parser refuses the lone-surrogate escapes (``\\udcff``) that keep a file name
        that is not UTF-8 as given (names.json_bytes); Python's json reads them, so such a file is
        parsed by json and then validated.
        """
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            if exc.errors()[0]["type"] != "json_invalid":
                raise
            try:
                parsed = json.loads(data)
            except ValueError:
                raise exc from None
            return cls.model_validate(parsed)
