"""A plan's status and errors_by_stage, decided from its warnings' codes (Plan.settle_status).

success: no warning of error severity; partial: rows read, but a stage reported an error (a page
left unread); failure: the document was opened but nothing of a plan was read, or a stage raised.
A file that cannot be opened still raises ExtractError.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tthc_extract import ExtractError, extract
from tthc_extract.limits import LimitError
from tthc_extract.loaders import load
from tthc_extract.model.document import Page
from tthc_extract.model.plan import Plan
from tthc_extract.model.warnings import warn
from tthc_extract.pipeline import extract_one, plan_from_document

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "002_c4b107cd9cf43351.txt"


def test_a_plan_read_whole_is_a_success() -> None:
    plan = extract(SAMPLE)
    assert (plan.status, plan.errors_by_stage) == ("success", {})
    assert [w.code for w in plan.warnings] == ["agencies_not_in_registry"]  # info: no error


def test_rows_read_with_a_page_left_unread_are_partial() -> None:
    doc = load(SAMPLE)
    doc.pages.append(Page(number=2, needs_ocr=True))
    doc.warnings.append(warn("page_needs_ocr", "page 2 has no text layer: needs OCR", page=2))
    plan = plan_from_document(doc)
    assert plan.rows and plan.status == "partial"
    assert plan.errors_by_stage == {"load": ["page 2 has no text layer: needs OCR"]}
    assert plan.to_json_dict()["errors_by_stage"] == {"load": ["page 2 has no text layer: needs OCR"]}


@pytest.mark.parametrize("step, stage", [
    ("find_task_tables", "segment"), ("read_metadata", "metadata"), ("cell_fields", "fields"),
    ("extract_prose_tasks", "segment"), ("resolve_plan", "fields"),
])
def test_a_stage_that_raises_gives_a_failure_plan(monkeypatch: pytest.MonkeyPatch, step: str, stage: str) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(f"tthc_extract.pipeline.{step}", boom)
    res = extract_one(SAMPLE)
    assert res.ok and res.plan is not None
    plan = res.plan
    message = f"the {stage} stage raised an internal error (RuntimeError: boom)"
    assert (plan.status, plan.rows, plan.prose_tasks, plan.pages) == ("failure", [], [], 1)
    assert [(w.code, w.stage, w.message) for w in plan.warnings] == [(f"{stage}_failed", stage, message)]
    assert plan.errors_by_stage == {stage: [message]}
    assert Plan.model_validate(plan.to_json_dict()) == plan


def test_a_limit_or_memory_hit_in_a_stage_is_still_the_file_s_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def limit(*args: Any, **kwargs: Any) -> Any:
        raise LimitError(str(SAMPLE), "too many rows (max_rows)")

    monkeypatch.setattr("tthc_extract.pipeline.read_metadata", limit)
    with pytest.raises(LimitError, match="too many rows"):
        extract(SAMPLE)

    def memory(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr("tthc_extract.pipeline.read_metadata", memory)
    res = extract_one(SAMPLE)
    assert not res.ok and res.out_of_memory


def test_an_opened_document_without_plan_content_is_a_failure(tmp_path: Path) -> None:
    p = tmp_path / "letter.txt"
    p.write_text("ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\n\nCÔNG VĂN\nVề việc rà soát thủ tục hành chính\n", encoding="utf-8")
    plan = extract(p)
    assert plan.status == "failure" and plan.errors_by_stage == {
        "segment": ["no task table found (no header with task/agency/deadline columns)"]}


def test_a_file_that_cannot_be_opened_still_raises(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(ExtractError):
        extract(bad)
