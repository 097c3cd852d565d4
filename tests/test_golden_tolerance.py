"""The OCR golden comparison: tolerant on free text and confidences, exact on structure."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests import golden
from tthc_extract.model.warnings import warn

ROW = {"stt": "1", "section": "II", "task": "Rà soát, đánh giá thủ tục hành chính thuộc phạm vi quản lý của tỉnh",
       "confidence": 0.91, "deadline": {"kind": "quarter", "start": "2024-07-01", "end": "2024-09-30"},
       "lead_agencies": [{"name": "Sở Tư pháp"}], "warnings": []}


def _warning(code: str, message: str) -> dict[str, Any]:
    return warn(code, message).model_dump()


def _with(**change: Any) -> dict[str, Any]:
    row = json.loads(json.dumps(ROW))
    row.update(change)
    return {"rows": [row]}


@pytest.fixture()
def golden_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(golden, "GOLDEN_DIR", tmp_path)
    (tmp_path / "g.json").write_text(golden._text({"rows": [ROW]}), encoding="utf-8")
    return "g.json"


@pytest.mark.parametrize("change", [
    {"confidence": 0.95},  # within 0.05
    {"task": "Rà soát, đánh giá thủ tục hành chính thuộc phạm vi quản lý của tinh"},  # one mark: similarity > 0.98
    # the low-confidence warning follows the confidence
    {"confidence": 0.87, "warnings": [_warning("ocr_low_confidence", "low OCR confidence (0.87): check against the source")]},
])
def test_what_ocr_may_vary_passes(golden_file: str, change: dict[str, Any]) -> None:
    golden.assert_golden(golden_file, _with(**change), ocr=True)


@pytest.mark.parametrize("change, where", [
    ({"confidence": 0.80}, "confidence"),
    ({"task": "Rà soát thủ tục hành chính"}, "text similarity"),
    ({"section": "I"}, "'II' expected"),
    ({"stt": "2"}, "'1' expected"),
    ({"deadline": {"kind": "month", "start": "2024-07-01", "end": "2024-09-30"}}, "'quarter' expected"),
    ({"lead_agencies": [{"name": "Sở Tư phap"}]}, "'Sở Tư pháp' expected"),
    ({"lead_agencies": []}, "1 items expected, 0 got"),
    ({"warnings": [_warning("deadline_not_understood", "deadline not understood")]}, "0 items expected, 1 got"),
    # a low-confidence warning is passed over by its code, not by its text
    ({"warnings": [_warning("no_agency", "low OCR confidence (0.87): check against the source")]},
     "0 items expected, 1 got"),
])
def test_structure_must_match_exactly(golden_file: str, change: dict[str, Any], where: str) -> None:
    with pytest.raises(AssertionError, match=where):
        golden.assert_golden(golden_file, _with(**change), ocr=True)


def test_typed_outputs_stay_exact(golden_file: str) -> None:
    with pytest.raises(AssertionError, match="differs from its golden file"):
        golden.assert_golden(golden_file, _with(confidence=0.92))
