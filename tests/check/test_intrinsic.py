"""Intrinsic checks on the real readings of the three samples, and on damaged copies of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tthc_extract.check.config import Thresholds
from tthc_extract.check.evaluate import intrinsic_failures
from tthc_extract.check.intrinsic import intrinsic_checks
from tthc_extract.model.plan import Plan
from tthc_extract.model.warnings import warn
from tthc_extract.pipeline import extract

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NAMES = ("000_ddb247df984a7d22", "001_62a13cda74406132", "002_c4b107cd9cf43351")


def _w(code: str, message: str, page: int | None = None) -> dict[str, Any]:
    """A warning as the JSON holds it."""
    return warn(code, message, page).model_dump()


def _as_v1(plan: dict[str, Any]) -> dict[str, Any]:
    """Return a plan JSON as schema 1.0 wrote it: warnings as their message strings, no errors_by_stage."""
    old = copy.deepcopy(plan)
    old["schema_version"] = "1.0"
    del old["errors_by_stage"]
    for item in [old, *old["rows"], *old["prose_tasks"]]:
        item["warnings"] = [w["message"] for w in item["warnings"]]
    return old


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    """The extractor's JSON of each sample text."""
    return {name: extract(SAMPLES / f"{name}.txt").to_json_dict() for name in NAMES}


def test_sample_000_section_iii_printed_twice(plans: dict[str, dict[str, Any]]) -> None:
    found = intrinsic_checks(plans["000_ddb247df984a7d22"])
    assert ("section_duplicate", "section III appears 2 times (I, II, III, III, IV, V); its STT restart at 1 after 8") in [
        (i.kind, i.message) for i in found.numbering
    ]


def test_sample_001_skips_stt_37(plans: dict[str, dict[str, Any]]) -> None:
    found = intrinsic_checks(plans["001_62a13cda74406132"])
    assert ("gap", "STT 36 (section VII) → 38 (section VIII): 37 missing") in [
        (i.kind, i.message) for i in found.numbering
    ]


def test_sample_002_has_no_false_alarm(plans: dict[str, dict[str, Any]]) -> None:
    found = intrinsic_checks(plans["002_c4b107cd9cf43351"])
    assert (found.rows, found.has_tasks) == (37, True)
    assert found.finding_lines() == []
    assert intrinsic_failures(found, Thresholds()) == []


@pytest.mark.parametrize("name", NAMES)
def test_samples_are_complete_and_valid(plans: dict[str, dict[str, Any]], name: str) -> None:
    """Every sample row has a task, an agency and an understood deadline; the JSON is valid."""
    found = intrinsic_checks(plans[name])
    assert (found.without_task, found.without_agency, found.without_deadline) == ([], [], [])
    assert (found.schema_errors, found.unmapped_columns, found.low_confidence) == ([], [], [])


def test_damaged_reading_is_reported(plans: dict[str, dict[str, Any]]) -> None:
    plan = copy.deepcopy(plans["002_c4b107cd9cf43351"])
    rows = plan["rows"]
    rows[0]["lead_agencies"] = rows[0]["support_agencies"] = []
    rows[1]["deadline"] = {"kind": "unknown", "start": None, "end": None, "dates": []}
    rows[2]["task"] = ""
    rows[3]["deadline"]["kind"] = "soon"  # not a deadline kind: a schema error
    rows[4]["warnings"] = [_w("ocr_low_confidence", "low OCR confidence (0.41): check against the source")]
    # found by its code, not by its text: a row whose message merely mentions it is not counted
    rows[5]["warnings"] = [_w("row_without_stt", "low OCR confidence")]
    del rows[6]  # STT 7 of section I, the last one: no gap inside the section
    del rows[8]  # STT 3 of section II (after the deletion above): 2 → 4
    plan["warnings"] = [_w("unmapped_columns", "table 0: unmapped columns: Ghi chú"),
                        _w("agencies_not_in_registry", "agencies not in the registry (no agency_id): unmapped columns")]
    found = intrinsic_checks(plan)
    assert [label.split(" (")[0] for label in found.without_agency] == ["STT 1"]
    assert [label.split(" (")[0] for label in found.without_deadline] == ["STT 2"]
    assert [label.split(" (")[0] for label in found.without_task] == ["STT 3"]
    assert [label.split(" (")[0] for label in found.low_confidence] == ["STT 5"]
    assert [(i.kind, i.message) for i in found.numbering] == [("gap", "section II: STT 2 → 4: 3 missing")]
    assert found.unmapped_columns == ["table 0: unmapped columns: Ghi chú"]
    assert len(found.schema_errors) == 1 and found.schema_errors[0].startswith("rows.3.deadline.kind:")
    assert intrinsic_failures(found, Thresholds()) == [
        "1 row(s) without task > 0 (max_rows_without_task)",
        "1 row(s) without agency > 0 (max_rows_without_agency)",
        "1 row(s) without understood deadline > 0 (max_rows_without_deadline)",
        "1 numbering issue(s) > 0 (max_numbering_issues)",
        "1 table(s) with unmapped columns > 0 (max_unmapped_columns)",
        "1 schema error(s) > 0 (max_schema_errors)",
    ]
    # one low-confidence row in 35 is under the default share of 0.1; a stricter setting fails
    strict = Thresholds(max_low_confidence_share=0.02)
    assert intrinsic_failures(found, strict)[-1] == "low-confidence OCR rows 0.029 > 0.020 (max_low_confidence_share)"


def test_no_task_table_and_partial_extraction() -> None:
    plan = {"source": "x.pdf", "file": "x.pdf", "format": "pdf", "status": "partial", "rows": [],
            "warnings": [_w("page_needs_ocr", "page 2 has no text layer: needs OCR", 2)]}
    found = intrinsic_checks(plan)
    assert found.errors_by_stage == {"load": ["page 2 has no text layer: needs OCR"]}
    assert found.finding_lines() == [
        "no task table (and no prose tasks) found",
        "extraction status is 'partial' (load: page 2 has no text layer: needs OCR)",
    ]
    assert intrinsic_failures(found, Thresholds()) == [
        "no task table found (require_task_table)", "extraction partial (allow_partial)",
    ]
    assert intrinsic_failures(found, Thresholds(require_task_table=False, allow_partial=True)) == []


@pytest.mark.parametrize("name", NAMES)
def test_schema_1_0_plans_read_as_the_current_ones(plans: dict[str, dict[str, Any]], name: str) -> None:
    """An output of schema 1.0 (warnings as strings) gets its warnings' codes back from their texts."""
    old = _as_v1(plans[name])
    assert old["warnings"] and all(isinstance(w, str) for w in old["warnings"])
    assert intrinsic_checks(old) == intrinsic_checks(plans[name])
    assert Plan.model_validate(old).to_json_dict() == plans[name]


def test_damaged_schema_1_0_reading_is_found_by_its_texts(plans: dict[str, dict[str, Any]]) -> None:
    old = _as_v1(plans["002_c4b107cd9cf43351"])
    old["rows"][4]["warnings"] = ["low OCR confidence (0.41): check against the source"]
    old["warnings"] = ["page 3 has no text layer: needs OCR", "table 0: unmapped columns: Ghi chú"]
    old["status"] = "partial"
    found = intrinsic_checks(old)
    assert [label.split(" (")[0] for label in found.low_confidence] == ["STT 5"]
    assert found.unmapped_columns == ["table 0: unmapped columns: Ghi chú"]
    assert found.errors_by_stage == {"load": ["page 3 has no text layer: needs OCR"]}
    assert found.schema_errors == []
    assert Plan.model_validate(old).warnings[0].page == 3


def test_unknown_schema_1_0_warning_and_unknown_version_are_schema_errors(plans: dict[str, dict[str, Any]]) -> None:
    old = _as_v1(plans["002_c4b107cd9cf43351"])
    old["rows"][2]["warnings"] = ["no agency", "something this tool never wrote"]
    assert intrinsic_checks(old).schema_errors == [
        "Value error, rows.2.warnings.1: schema 1.0 warning not recognised: 'something this tool never wrote' "
        "(extract the document again)"]
    newer = {**plans["002_c4b107cd9cf43351"], "schema_version": "3.0"}
    assert intrinsic_checks(newer).schema_errors == [
        "schema_version: '3.0', this tool writes '2.0' and reads '1.0', '2.0'"]
