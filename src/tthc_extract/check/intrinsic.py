"""Checks of one extracted plan that need no expected file: is the reading plausible and complete?

A task table was found; every row has a task, an agency and a deadline that was understood; STT
and section numbers run in order; no task-table column went unmapped; the JSON is valid against
the :class:`Plan` model; rows read by OCR with low confidence are counted. The row and plan
warnings read here are the ones the pipeline writes (see ``tthc_extract.pipeline``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tthc_extract.check.compare import row_label
from tthc_extract.check.numbering import NumberingIssue, numbering_issues
from tthc_extract.model.plan import SCHEMA_VERSION, Plan

UNMAPPED_WARNING = "unmapped columns"  # plan warning of a task table with unknown column titles
LOW_OCR_WARNING = "low OCR confidence"  # row warning of a row OCR read with low confidence


@dataclass
class Intrinsic:
    """What the intrinsic checks found in one plan (row labels say which rows)."""

    rows: int
    has_tasks: bool
    status: str
    without_task: list[str] = field(default_factory=list)
    without_agency: list[str] = field(default_factory=list)
    without_deadline: list[str] = field(default_factory=list)
    numbering: list[NumberingIssue] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    schema_errors: list[str] = field(default_factory=list)
    low_confidence: list[str] = field(default_factory=list)

    @property
    def low_confidence_share(self) -> float:
        """Return the share of rows with a low OCR confidence warning."""
        return len(self.low_confidence) / self.rows if self.rows else 0.0

    def finding_lines(self) -> list[str]:
        """Return one readable line per finding (empty when the plan looks complete)."""
        out = [] if self.has_tasks else ["no task table (and no prose tasks) found"]
        if self.status != "success":
            out.append(f"extraction status is {self.status!r} (pages that need OCR were not read)")
        for what, labels in (
            ("without task", self.without_task),
            ("without agency", self.without_agency),
            ("without understood deadline", self.without_deadline),
            ("with low OCR confidence", self.low_confidence),
        ):
            out += [f"row {what}: {label}" for label in labels]
        out += [f"numbering: {i.message}" for i in self.numbering]
        out += [f"unmapped columns: {w}" for w in self.unmapped_columns]
        out += [f"schema: {e}" for e in self.schema_errors]
        return out


def schema_errors(plan: Mapping[str, Any]) -> list[str]:
    """Return the validation errors of a plan JSON against the Plan model ("rows.3.task: ...")."""
    errors = []
    try:
        Plan.model_validate(plan)
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    version = plan.get("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        errors.append(f"schema_version: {version!r}, this tool writes {SCHEMA_VERSION!r}")
    return errors


def _has_agency(row: Mapping[str, Any]) -> bool:
    return bool(row.get("lead_agencies") or row.get("support_agencies") or row.get("lead") or row.get("support"))


def _deadline_kind(row: Mapping[str, Any]) -> str:
    d = row.get("deadline")
    return (d.get("kind") if isinstance(d, Mapping) else None) or "unknown"


def _labels(rows: Sequence[Mapping[str, Any]], wanted: Sequence[Mapping[str, Any]]) -> list[str]:
    return [row_label(r, rows) for r in wanted]


def intrinsic_checks(plan: Mapping[str, Any]) -> Intrinsic:
    """Given a plan JSON (as the extractor writes it), return what the intrinsic checks find."""
    rows: list[Mapping[str, Any]] = list(plan.get("rows") or [])
    warnings = [str(w) for w in plan.get("warnings") or []]
    return Intrinsic(
        rows=len(rows),
        has_tasks=bool(rows or plan.get("prose_tasks")),
        status=str(plan.get("status") or "success"),
        without_task=_labels(rows, [r for r in rows if not str(r.get("task") or "").strip()]),
        without_agency=_labels(rows, [r for r in rows if not _has_agency(r)]),
        without_deadline=_labels(rows, [r for r in rows if _deadline_kind(r) == "unknown"]),
        numbering=numbering_issues(rows, list(plan.get("sections") or [])),
        unmapped_columns=[w for w in warnings if UNMAPPED_WARNING in w],
        schema_errors=schema_errors(plan),
        low_confidence=_labels(
            rows, [r for r in rows if any(LOW_OCR_WARNING in str(w) for w in r.get("warnings") or [])]
        ),
    )
