"""Hold one document's check results against its thresholds: the verdict and the failure lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tthc_extract.check.compare import ROW_FIELDS, Comparison, compare_plans
from tthc_extract.check.config import Thresholds
from tthc_extract.check.intrinsic import Intrinsic, intrinsic_checks
from tthc_extract.check.runner import Run

STATUS_ORDER = {"error": 0, "fail": 1, "pass": 2}  # worst first


@dataclass
class DocReport:
    """Everything the check found for one document, ready for any output format."""

    path: str
    status: str  # "pass" | "fail" | "error"
    seconds: float = 0.0
    reused: bool = False
    error: str | None = None
    expected: str | None = None  # the expected file compared with, if any
    comparison: Comparison | None = None
    intrinsic: Intrinsic | None = None
    failures: list[str] = field(default_factory=list)  # thresholds not held, one line each

    def details(self) -> list[str]:
        """Return the lines explaining the verdict: the diff, else the intrinsic findings."""
        if self.comparison is not None:
            return self.comparison.diff_lines()
        if self.intrinsic is not None and self.status != "pass":
            return self.intrinsic.finding_lines()
        return []

    def score(self) -> float:
        """Return one number for ordering, 1.0 when perfect: F1 x mean field accuracy x document accuracy."""
        c = self.comparison
        if c is None:
            return 1.0
        scored = [v for v in c.fields.values() if v is not None]
        return c.f1 * (sum(scored) / len(scored) if scored else 1.0) * c.document_accuracy

    def sort_key(self) -> tuple[int, float, int, str]:
        """Return the order of the summary table: errors, then failures, the worst first."""
        findings = len(self.details())
        return STATUS_ORDER[self.status], self.score(), -findings, self.path


def _below(what: str, value: float, minimum: float, key: str) -> str | None:
    return f"{what} {value:.3f} < {minimum:.3f} ({key})" if value < minimum else None


def _over(what: str, count: int, maximum: int, key: str) -> str | None:
    return f"{count} {what} > {maximum} ({key})" if count > maximum else None


def comparison_failures(c: Comparison, th: Thresholds) -> list[str]:
    """Return the comparison thresholds a document does not hold."""
    checks = [
        _below("row precision", c.precision, th.min_precision, "min_precision"),
        _below("row recall", c.recall, th.min_recall, "min_recall"),
        _below("row F1", c.f1, th.min_f1, "min_f1"),
        _below("document accuracy", c.document_accuracy, th.min_document_accuracy, "min_document_accuracy"),
    ]
    for name in ROW_FIELDS:
        acc = c.fields.get(name)
        if acc is not None:
            key = f"fields.{name}" if name in th.fields else "min_field_accuracy"
            checks.append(_below(f"{name} accuracy", acc, th.field_min(name), key))
    if c.prose is not None:
        checks.append(_below("prose task F1", c.prose.f1, th.min_prose_f1, "min_prose_f1"))
    if c.table_cell_accuracy is not None:
        checks.append(_below(
            "table cell accuracy", c.table_cell_accuracy, th.min_table_cell_accuracy, "min_table_cell_accuracy"
        ))
    return [m for m in checks if m]


def intrinsic_failures(i: Intrinsic, th: Thresholds) -> list[str]:
    """Return the intrinsic thresholds a document does not hold."""
    checks = [
        "no task table found (require_task_table)" if th.require_task_table and not i.has_tasks else None,
        f"extraction {i.status} (allow_partial)" if i.status != "success" and not th.allow_partial else None,
        _over("row(s) without task", len(i.without_task), th.max_rows_without_task, "max_rows_without_task"),
        _over("row(s) without agency", len(i.without_agency), th.max_rows_without_agency, "max_rows_without_agency"),
        _over(
            "row(s) without understood deadline", len(i.without_deadline),
            th.max_rows_without_deadline, "max_rows_without_deadline",
        ),
        _over("numbering issue(s)", len(i.numbering), th.max_numbering_issues, "max_numbering_issues"),
        _over("table(s) with unmapped columns", len(i.unmapped_columns), th.max_unmapped_columns, "max_unmapped_columns"),
        _over("schema error(s)", len(i.schema_errors), th.max_schema_errors, "max_schema_errors"),
    ]
    if i.low_confidence_share > th.max_low_confidence_share:
        checks.append(
            f"low-confidence OCR rows {i.low_confidence_share:.3f} > {th.max_low_confidence_share:.3f} "
            "(max_low_confidence_share)"
        )
    return [m for m in checks if m]


def evaluate(
    run: Run, th: Thresholds, expected: Mapping[str, Any] | None = None, expected_path: str | None = None,
    expected_wanted: bool = False,
) -> DocReport:
    """Return the report of one extracted document.

    With ``expected`` the document is compared with it; when an expected file was wanted but none
    exists, ``require_expected`` decides between a failure and the intrinsic checks.
    """
    base = DocReport(path=str(run.path), status="error", seconds=run.seconds, reused=run.reused)
    if run.plan is None:
        base.error = run.error or "cannot read"
        return base
    base.intrinsic = intrinsic_checks(run.plan)
    if expected is not None:
        base.expected = expected_path
        base.comparison = compare_plans(expected, run.plan)
        base.failures = comparison_failures(base.comparison, th)
    elif expected_wanted and th.require_expected:
        base.failures = [f"no expected file {expected_path} (create it with --update-expected) (require_expected)"]
    else:
        base.failures = intrinsic_failures(base.intrinsic, th)
    base.status = "fail" if base.failures else "pass"
    return base
