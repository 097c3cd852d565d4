"""Comparison with expected plans: row matching, scores and the readable diff, on small plans."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tthc_extract.check.compare import compare_plans, match_rows, norm, norm_agency, set_f1


def agency(name: str, role: str = "lead") -> dict[str, str]:
    return {"name": name, "canonical": name, "role": role}


def row(stt: str, task: str, result: str, lead: list[str], kind: str, end: str | None, raw: str,
        support: list[str] | None = None, section: str = "I") -> dict[str, Any]:
    return {
        "section": section, "stt": stt, "task": task, "result": result,
        "lead_agencies": [agency(a) for a in lead],
        "support_agencies": [agency(a, "support") for a in support or []],
        "deadline_raw": raw, "deadline": {"kind": kind, "start": None, "end": end, "dates": []},
    }


PLAN: dict[str, Any] = {
    "document": {
        "doc_type": "Quyết định", "doc_number": "37/QĐ-UBND", "issuer": "UBND tỉnh Quảng Bình",
        "province": "Quảng Bình", "issue_date": "2022-04-07", "signer": "Trần Thắng", "plan_year": 2022,
        "legal_bases": [{"number": "63/2010/NĐ-CP"}, {"number": "92/2017/NĐ-CP"}],
    },
    "rows": [
        row("1", "Xây dựng Kế hoạch kiểm soát TTHC năm 2022", "Kế hoạch được ban hành",
            ["Văn phòng UBND tỉnh"], "quarter", "2022-03-31", "Quý I/2022"),
        row("2", "Rà soát, đánh giá quy định TTHC", "Phương án đơn giản hóa",
            ["Sở Tư pháp"], "year", "2022-12-31", "Năm 2022", support=["Sở Nội vụ"]),
        row("3", "Công bố, công khai TTHC trên Cổng Dịch vụ công", "Quyết định công bố",
            ["Sở TT&TT"], "recurring", "2022-12-31", "Thường xuyên"),
    ],
}


def test_norm_unifies_spelling_and_markup() -> None:
    assert norm("  **Đơn giản hoá**  TTHC; ") == norm("Đơn giản hóa TTHC") == "đơn giản hóa tthc"
    assert norm(None) == ""


def test_agency_abbreviations_compare_equal() -> None:
    """Abbreviations expand through the agency grammar, as the scorer's abbreviation list does."""
    assert norm_agency("UBND tỉnh") == norm_agency("Ủy ban nhân dân tỉnh")
    assert set_f1([norm_agency("Văn phòng UBND tỉnh")], [norm_agency("Văn phòng Ủy ban nhân dân tỉnh")]) == 1.0
    assert set_f1(["a"], []) == 0.0
    assert set_f1([], []) == 1.0


def test_identical_plans_score_perfectly() -> None:
    c = compare_plans(PLAN, copy.deepcopy(PLAN))
    assert (c.expected_rows, c.actual_rows, c.matched) == (3, 3, 3)
    assert (c.precision, c.recall, c.f1, c.document_accuracy) == (1.0, 1.0, 1.0, 1.0)
    assert set(c.fields.values()) == {1.0}
    assert c.diff_lines() == []


def test_a_row_missing_from_the_expected_file_is_an_extra_row() -> None:
    expected = copy.deepcopy(PLAN)
    del expected["rows"][1]
    c = compare_plans(expected, PLAN)
    assert (c.matched, c.precision, c.recall) == (2, pytest.approx(2 / 3), 1.0)
    assert c.diff_lines() == ['+ extra row STT 2 (section I) "Rà soát, đánh giá quy định TTHC"']


def test_a_row_not_extracted_is_missing() -> None:
    actual = copy.deepcopy(PLAN)
    del actual["rows"][0]
    c = compare_plans(PLAN, actual)
    assert (c.precision, c.recall, c.f1) == (1.0, pytest.approx(2 / 3), pytest.approx(0.8))
    assert c.diff_lines() == ['- missing row STT 1 (section I) "Xây dựng Kế hoạch kiểm soát TTHC năm 2022"']


def test_a_changed_deadline_names_the_fields_old_and_new() -> None:
    actual = copy.deepcopy(PLAN)
    actual["rows"][2]["deadline_raw"] = "Trước 30/6/2022"
    actual["rows"][2]["deadline"] = {"kind": "date", "start": None, "end": "2022-06-30", "dates": []}
    c = compare_plans(PLAN, actual)
    assert c.f1 == 1.0
    assert c.fields["deadline_kind"] == c.fields["deadline_end"] == c.fields["deadline_raw"] == pytest.approx(2 / 3)
    assert c.fields["task"] == c.fields["lead"] == 1.0
    assert c.diff_lines() == [
        '~ changed row STT 3 (section I) "Công bố, công khai TTHC trên Cổng Dịch vụ công": '
        'deadline_raw: "Thường xuyên" → "Trước 30/6/2022"; deadline_kind: "recurring" → "date"; '
        'deadline_end: "2022-12-31" → "2022-06-30"'
    ]


def test_changed_agencies_and_metadata() -> None:
    actual = copy.deepcopy(PLAN)
    actual["rows"][1]["support_agencies"] = []
    actual["document"]["signer"] = "Hồ An Phong"
    actual["document"]["legal_bases"] = [{"number": "63/2010/NĐ-CP"}, {"number": "48/2013/NĐ-CP"}]
    c = compare_plans(PLAN, actual)
    assert c.fields["support"] == pytest.approx(2 / 3)
    assert c.fields["lead"] == 1.0
    assert c.document["signer"] == 0.0 and c.document["legal_bases"] == 0.5
    assert c.document_accuracy == pytest.approx(6.5 / 8)
    assert c.diff_lines() == [
        '~ document signer: "Trần Thắng" → "Hồ An Phong"',
        '~ document legal_bases: "92/2017/NĐ-CP" → "48/2013/NĐ-CP"',
        '~ changed row STT 2 (section I) "Rà soát, đánh giá quy định TTHC": support: "Sở Nội vụ" → ∅',
    ]


def test_sub_rows_are_told_apart_by_their_result() -> None:
    base = row("1", "Triển khai cơ chế một cửa", "Báo cáo quý", ["Sở Nội vụ"], "recurring", None, "Hàng quý")
    sub = row("1", "Triển khai cơ chế một cửa", "Kiểm tra tại cơ sở", ["Sở Nội vụ"], "year", "2022-12-31", "Năm 2022")
    c = compare_plans({"rows": [base, sub]}, {"rows": [base]})
    assert c.diff_lines() == [
        '- missing row STT 1 (section I) "Triển khai cơ chế một cửa" / result "Kiểm tra tại cơ sở"'
    ]


def test_gold_format_expected_files_are_read_too() -> None:
    """A hand-written gold file lists agencies as strings under "lead" / "support"."""
    gold = copy.deepcopy(PLAN)
    for r in gold["rows"]:
        r["lead"] = [a["name"] for a in r.pop("lead_agencies")]
        r["support"] = [a["name"] for a in r.pop("support_agencies")]
    gold["document"]["legal_bases"] = ["63/2010/NĐ-CP", "92/2017/NĐ-CP"]
    c = compare_plans(gold, PLAN)
    assert (c.f1, c.document_accuracy) == (1.0, 1.0)
    assert set(c.fields.values()) == {1.0}


def test_row_matching_is_greedy_one_to_one_at_0_8() -> None:
    """Each row matches at most once, best pair first; a rewritten task falls below 0.8."""
    a = {"task": "Rà soát quy định TTHC", "result": "Báo cáo"}
    b = {"task": "Rà soát quy định TTHC năm 2022", "result": "Báo cáo"}
    c = {"task": "Tập huấn nghiệp vụ cho cán bộ", "result": "Lớp tập huấn"}
    pairs = match_rows([a, b], [b, a, c])
    assert sorted((i, j) for i, j, _ in pairs) == [(0, 1), (1, 0)]
    assert match_rows([c], [{"task": "Kiểm tra việc thực hiện", "result": "Báo cáo"}]) == []


def test_prose_tasks_and_tables_are_scored_when_expected() -> None:
    prose = [{"number": "1", "task": "Rà soát TTHC", "text": "Các sở rà soát TTHC trong năm 2022."}]
    table = [{"rows": [["1", "Sở Tư pháp", "28"], ["2", "Sở Nội vụ", "12"]]}]
    expected = {"rows": [], "prose_tasks": prose, "tables": table}
    c = compare_plans(expected, {"rows": [], "prose_tasks": [], "tables": [{"rows": [["1", "Sở Tư pháp", "29"]]}]})
    assert c.prose is not None and (c.prose.expected, c.prose.actual, c.prose.f1) == (1, 0, 0.0)
    assert c.table_cell_accuracy == pytest.approx(2 / 6)
    assert c.diff_lines() == ['- missing prose task 1 "Rà soát TTHC"']
