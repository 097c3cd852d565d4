"""Checks of one extracted plan that need no expected file: is the reading plausible and complete?

A task table was found; every row has a task, an agency and a deadline that was understood; STT
and section numbers run in order; no task-table column went unmapped; the JSON is valid against
the :class:`Plan` model; rows read by OCR with low confidence are counted. Warnings are found by
their codes (``tthc_extract.model.warnings.CODES``). A plan of schema 1.0, whose warnings were
strings, is read as the tool reads it (``model.plan.upgrade_plan_json``); one whose warnings
cannot be typed gets a schema error saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tthc_extract.check.compare import row_label
from tthc_extract.check.numbering import NumberingIssue, numbering_issues
from tthc_extract.model.plan import READABLE_VERSIONS, SCHEMA_VERSION, Plan, upgrade_plan_json
from tthc_extract.model.warnings import CODES

UNMAPPED_CODE = "unmapped_columns"  # plan warning of a task table with unknown column titles
LOW_OCR_CODE = "ocr_low_confidence"  # row warning of a row OCR read with low confidence


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
    errors_by_stage: dict[str, list[str]] = field(default_factory=dict)

    @property
    def low_confidence_share(self) -> float:
        """Return the share of rows with a low OCR confidence warning."""
        return len(self.low_confidence) / self.rows if self.rows else 0.0

    def finding_lines(self) -> list[str]:
        """Return one readable line per finding (empty when the plan looks complete)."""
        out = [] if self.has_tasks else ["no task table (and no prose tasks) found"]
        if self.status != "success":
            why = "; ".join(f"{stage}: {m}" for stage, ms in self.errors_by_stage.items() for m in ms)
            out.append(f"extraction status is {self.status!r}" + (f" ({why})" if why else ""))
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
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"] for e in exc.errors()]
    version = plan.get("schema_version")
    if version is not None and version not in READABLE_VERSIONS:
        errors.append(f"schema_version: {version!r}, this tool writes {SCHEMA_VERSION!r} and reads "
                      + ", ".join(repr(v) for v in READABLE_VERSIONS))
    return errors


def _typed(plan: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return ``plan`` with its warnings typed when it is of schema 1.0 (else as it is, also when
    they cannot be typed: schema_errors says why)."""
    try:
        out = upgrade_plan_json(dict(plan))
    except ValueError:
        return plan
    return out if isinstance(out, Mapping) else plan


def _codes(item: Mapping[str, Any]) -> list[str]:
    """Return the codes of an item's warnings (a plan's, a row's)."""
    return [str(w.get("code")) for w in item.get("warnings") or [] if isinstance(w, Mapping)]


def _messages(plan: Mapping[str, Any], code: str) -> list[str]:
    return [str(w.get("message")) for w in plan.get("warnings") or [] if isinstance(w, Mapping) and w.get("code") == code]


def _errors_by_stage(plan: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return the messages of the plan's warnings whose code is of error severity, by stage."""
    out: dict[str, list[str]] = {}
    for w in plan.get("warnings") or []:
        info = CODES.get(str(w.get("code"))) if isinstance(w, Mapping) else None
        if info is not None and info.severity == "error":
            out.setdefault(info.stage, []).append(str(w.get("message")))
    return out


def _has_agency(row: Mapping[str, Any]) -> bool:
    return bool(row.get("lead_agencies") or row.get("support_agencies") or row.get("lead") or row.get("support"))


def _deadline_kind(row: Mapping[str, Any]) -> str:
    d = row.get("deadline")
    return (d.get("kind") if isinstance(d, Mapping) else None) or "unknown"


def _labels(rows: Sequence[Mapping[str, Any]], wanted: Sequence[Mapping[str, Any]]) -> list[str]:
    return [row_label(r, rows) for r in wanted]


def intrinsic_checks(plan: Mapping[str, Any]) -> Intrinsic:
    """Given a plan JSON (as the extractor writes it), return what the intrinsic checks find."""
    errors = schema_errors(plan)
    plan = _typed(plan)
    rows: list[Mapping[str, Any]] = list(plan.get("rows") or [])
    return Intrinsic(
        rows=len(rows),
        has_tasks=bool(rows or plan.get("prose_tasks")),
        status=str(plan.get("status") or "success"),
        without_task=_labels(rows, [r for r in rows if not str(r.get("task") or "").strip()]),
        without_agency=_labels(rows, [r for r in rows if not _has_agency(r)]),
        without_deadline=_labels(rows, [r for r in rows if _deadline_kind(r) == "unknown"]),
        numbering=numbering_issues(rows, list(plan.get("sections") or [])),
        unmapped_columns=_messages(plan, UNMAPPED_CODE),
        schema_errors=errors,
        low_confidence=_labels(rows, [r for r in rows if LOW_OCR_CODE in _codes(r)]),
        errors_by_stage=_errors_by_stage(plan),
    )
