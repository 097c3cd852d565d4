"""Intrinsic checks on the real readings of the three samples, and on damaged copies of them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tthc_extract.check.config import Thresholds
from tthc_extract.check.evaluate import intrinsic_failures
from tthc_extract.check.intrinsic import intrinsic_checks
from tthc_extract.pipeline import extract

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NAMES = ("000_ddb247df984a7d22", "001_62a13cda74406132", "002_c4b107cd9cf43351")


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
    rows[4]["warnings"] = ["low OCR confidence (0.41): check against the source"]
    del rows[6]  # STT 7 of section I, the last one: no gap inside the section
    del rows[8]  # STT 3 of section II (after the deletion above): 2 → 4
    plan["warnings"] = ["table 0: unmapped columns: Ghi chú"]
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
    plan = {"source": "x.pdf", "file": "x.pdf", "format": "pdf", "status": "partial", "rows": []}
    found = intrinsic_checks(plan)
    assert found.finding_lines() == [
        "no task table (and no prose tasks) found",
        "extraction status is 'partial' (pages that need OCR were not read)",
    ]
    assert intrinsic_failures(found, Thresholds()) == [
        "no task table found (require_task_table)", "extraction partial (allow_partial)",
    ]
    assert intrinsic_failures(found, Thresholds(require_task_table=False, allow_partial=True)) == []
