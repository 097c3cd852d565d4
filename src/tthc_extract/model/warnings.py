"""Typed warnings: every warning a reading stage leaves on a document, a row or a task has a code.

:data:`CODES` is the one list of codes: per code the stage that makes it, its severity and what it
means (README's table of warning codes is generated from it, and a test fails when src/ uses a code
that is not listed or a listed code is used nowhere). A :class:`Warning` carries its code, its stage,
the human-readable message (the text the tool always wrote) and the page it is about, if any.

Severities decide a plan's status (``Plan.settle_status``): ``info`` says how something was read
(a repair or a choice the reading spec makes), ``warning`` marks a value a reviewer should look at,
``error`` says a stage could not do its work (a page left unread, a stage that raised): the plan is
then ``partial``, or ``failure`` when nothing of a plan could be read.

Plans written with schema version 1.0 carried warnings as bare strings; :func:`v1_warning` gives
them their codes back from the message texts of that version (``CodeInfo.v1``), so old outputs
still read (``model.plan.upgrade_plan_json``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

Stage = Literal["load", "ocr", "segment", "metadata", "fields"]
Severity = Literal["info", "warning", "error"]
STAGES: tuple[str, ...] = get_args(Stage)


@dataclass(frozen=True)
class CodeInfo:
    """What one warning code is: its stage, its severity, its meaning, how schema 1.0 wrote it."""

    stage: Stage
    severity: Severity
    meaning: str
    v1: str | None = None  # a regular expression matching the code's 1.0 message (None: a newer code)


CODES: dict[str, CodeInfo] = {
    # -- load: reading the file into pages, paragraphs and table pieces --
    "page_needs_ocr": CodeInfo(
        "load", "error", "A PDF page has no usable text layer (none, or its text turned sideways) and was not "
        "read by OCR: its rows are missing.", r"^page \d+ .*: needs OCR$"),
    "page_text_garbled": CodeInfo(
        "load", "info", "A PDF page's text layer is garbage (a broken font encoding): the page was read by OCR "
        "instead.", r"^page \d+ has a garbage text layer"),
    "docx_no_text": CodeInfo("load", "error", "The Word document has no text.", r"^the Word document has no text$"),
    "html_preamble_dropped": CodeInfo(
        "load", "info", "A saved web page: the blocks before the document's header block (site menus, "
        "banners) were left out.", r"^saved page: "),
    # -- ocr: scanned pages and images --
    "ocr_page_downscaled": CodeInfo(
        "ocr", "warning", "A page was rendered below its usual resolution to stay within the pixel limit "
        "(max_page_pixels); OCR may read it less well.", r"^page \d+ rendered at \d+ dpi instead of"),
    "ocr_low_confidence": CodeInfo(
        "ocr", "warning", "OCR read the row's cells with a confidence below the review threshold: check the "
        "row against the source.", r"^low OCR confidence"),
    # -- segment: task tables, rows, sections, prose --
    "no_task_table": CodeInfo(
        "segment", "error", "No task table (no header with task, agency and deadline columns) and no prose "
        "tasks were found.", r"^no task table found"),
    "unmapped_columns": CodeInfo(
        "segment", "warning", "A task table has columns of unknown title; their cells are kept in "
        "other_columns.", r"unmapped columns"),
    "cells_missing_in_export": CodeInfo(
        "segment", "info", "A row of the export has fewer cells than the header: the missing ones were merged "
        "with the row above and are copied from it.", r"^cells missing from the export"),
    "cells_copied_from_above": CodeInfo(
        "segment", "info", "Empty cells of a sub-row or continuation were merged with the row above in the "
        "source: their value is copied from it.", r"copied from the row above$"),
    "cells_merged_above": CodeInfo(
        "segment", "info", "The source shows the cells merged with the row above: the sub-row takes their "
        "value.", r"cell merged with the row above in the source$"),
    "agency_list_split": CodeInfo(
        "segment", "info", "An agency list the export split over two rows is used whole for both.",
        r"^agency list split over two rows"),
    "section_renumbered": CodeInfo(
        "segment", "warning", "A section number OCR misread was renumbered from its neighbours.",
        r"^section number read as"),
    "section_one_as_row": CodeInfo(
        "segment", "info", "Section I printed as '1' and carrying its own cells is kept as a row without "
        "STT.", r"^section I printed as '1'"),
    "section_line_cells_to_previous": CodeInfo(
        "segment", "info", "The previous task's result, agency and deadline were printed on the following "
        "section line and read from there.", r"read from the following section line$"),
    "section_line_kept_as_row": CodeInfo(
        "segment", "info", "A section line that also carries result, agency or deadline cells is kept as a "
        "row.", r"^section line also carries"),
    "continued_in_next_row": CodeInfo(
        "segment", "info", "A row cut by a page break goes on inside the next page's numbered row: the "
        "continuation was moved back.", r"^continued on the next page inside"),
    "continuation_row": CodeInfo(
        "segment", "info", "A '(tiếp theo)' row takes the STT and task of the task it continues.",
        r"^'\(tiếp theo\)' row"),
    "row_without_stt": CodeInfo(
        "segment", "warning", "A row without STT but with its own task.", r"^row without STT"),
    "segment_failed": CodeInfo(
        "segment", "error", "Segmenting raised an internal error: the plan holds nothing of the document "
        "but what was read before."),
    # -- metadata: the outer decision's number, issuer, dates, plan year --
    "plan_year_inferred": CodeInfo(
        "metadata", "warning", "No year in the title or purpose: the plan year is the issue date's.",
        r"inferred from the issue date"),
    "metadata_failed": CodeInfo(
        "metadata", "error", "Reading the document metadata raised an internal error."),
    # -- fields: agencies and deadlines of a task --
    "deadline_not_understood": CodeInfo(
        "fields", "warning", "A deadline text was read but not understood (kind 'unknown').",
        r"^deadline not understood$"),
    "no_agency": CodeInfo("fields", "warning", "No lead or support agency was read for the task.", r"^no agency$"),
    "agencies_not_in_registry": CodeInfo(
        "fields", "info", "Agencies whose names are of no body of the registry (they get no agency_id).",
        r"^agencies not in the registry"),
    "fields_failed": CodeInfo(
        "fields", "error", "Reading the agencies or deadlines raised an internal error."),
}
assert all(c.stage in STAGES for c in CODES.values())


# The name shadows Python's builtin ``Warning`` in the modules that import it; none of them needs that.
class Warning(BaseModel):
    """One thing a reading stage wants a reader to know: a code of :data:`CODES` and its message.

    ``page`` is the page the warning is about for warnings about one page (load, OCR); a row's or
    a task's warnings leave it None (the row's provenance has its pages).
    """

    code: str = Field(json_schema_extra={"enum": list(CODES)})
    stage: Stage
    message: str
    page: int | None = None

    @field_validator("code")
    @classmethod
    def _known(cls, code: str) -> str:
        if code not in CODES:
            raise ValueError(f"unknown warning code {code!r}")
        return code

    @model_validator(mode="after")
    def _stage_of_code(self) -> Warning:
        if self.stage != CODES[self.code].stage:
            raise ValueError(f"warning {self.code!r} is of stage {CODES[self.code].stage!r}, not {self.stage!r}")
        return self

    @property
    def severity(self) -> Severity:
        """Return the code's severity (see the module docstring)."""
        return CODES[self.code].severity


def warn(code: str, message: str, page: int | None = None) -> Warning:
    """Return the warning ``code`` (a key of :data:`CODES`, which gives its stage) with ``message``."""
    return Warning(code=code, stage=CODES[code].stage, message=message, page=page)


def codes(warnings: Iterable[Warning]) -> list[str]:
    """Return the codes of ``warnings``, in order."""
    return [w.code for w in warnings]


def messages(warnings: Iterable[Warning]) -> list[str]:
    """Return the messages of ``warnings``, in order."""
    return [w.message for w in warnings]


def codes_table() -> str:
    """Return the Markdown table of the codes (README's table of warning codes is this text)."""
    lines = ["| code | stage | severity | meaning |", "|---|---|---|---|"]
    lines += [f"| `{code}` | {c.stage} | {c.severity} | {c.meaning} |" for code, c in CODES.items()]
    return "\n".join(lines) + "\n"


# -- schema 1.0 --------------------------------------------------------------------------------

_V1 = [(code, re.compile(c.v1)) for code, c in CODES.items() if c.v1]
_PAGE_V1 = re.compile(r"^page (\d+) ")


def v1_warning(message: str) -> Warning:
    """Return the typed warning of a schema-1.0 warning string; raise ValueError when none matches."""
    code = next((code for code, pat in _V1 if pat.search(message)), None)
    if code is None:
        raise ValueError(f"schema 1.0 warning not recognised: {message!r} (extract the document again)")
    m = _PAGE_V1.match(message) if CODES[code].stage in ("load", "ocr") else None
    return warn(code, message, page=int(m.group(1)) if m else None)


def typed_v1(items: Any, where: str = "warnings") -> Any:
    """Return a schema-1.0 list of warning strings as typed warnings (dicts); other values unchanged.

    A string no code knows raises ValueError naming its place (``where``: "rows.3.warnings").
    """
    if not isinstance(items, list):
        return items
    out = []
    for i, w in enumerate(items):
        try:
            out.append(v1_warning(w).model_dump() if isinstance(w, str) else w)
        except ValueError as exc:
            raise ValueError(f"{where}.{i}: {exc}") from None
    return out
