"""Tests of the deadline parser: grammar examples, GOLD_SPEC examples, every gold value, edge cases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tthc_extract import grammars
from tthc_extract.fields.deadline import find_due_phrases, parse_deadline, scan
from tthc_extract.text.normalize import strip_marks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "deadlines"


def _d(text: str | None) -> dt.date | None:
    """Return the date of an ISO string (None stays None)."""
    return dt.date.fromisoformat(text) if text else None


def _load(name: str) -> list[dict[str, Any]]:
    """Return the ``cases`` of a fixture file."""
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        cases: list[dict[str, Any]] = json.load(fh)["cases"]
    return cases


# (raw, plan_year, kind, start, end, dates) - the brief's and GOLD_SPEC's examples plus edge cases.
CASES: list[tuple[str | None, int | None, str, str | None, str | None, list[str]]] = [
    # date
    ("Trước 30/4/2022", 2022, "date", None, "2022-04-30", []),
    ("Hoàn thành trước ngày 30/9/2022", 2022, "date", None, "2022-09-30", []),
    ("trước ngày 15/01/2023", 2022, "date", None, "2023-01-15", []),
    ("Trước ngày 15/01/2023", 2022, "date", None, "2023-01-15", []),
    ("chậm nhất ngày 15/12/2022", 2022, "date", None, "2022-12-15", []),
    ("ngày 30 tháng 4 năm 2022", 2021, "date", None, "2022-04-30", []),
    ("Ngày 5 tháng 9", 2023, "date", None, "2023-09-05", []),
    ("30/4", 2022, "date", None, "2022-04-30", []),
    ("30-4-2022", None, "date", None, "2022-04-30", []),
    ("05/9/2022", 2022, "date", None, "2022-09-05", []),
    ("31/12/22", None, "date", None, "2022-12-31", []),
    ("trước ngày 30/ 9/2022", 2022, "date", None, "2022-09-30", []),
    ("Từ 01/3/2022 đến 30/6/2022", 2022, "date", "2022-03-01", "2022-06-30", []),
    ("Năm 2022: trước 30/6/2022", 2022, "date", None, "2022-06-30", []),
    ("Trước 30/6/2022 theo Kế hoạch số 15/KH-UBND ngày 10/01/2022", 2022, "date", None, "2022-06-30", []),
    # month
    ("Tháng 02", 2022, "month", "2022-02-01", "2022-02-28", []),
    ("Tháng 01/2022", 2021, "month", "2022-01-01", "2022-01-31", []),
    ("tháng 3 năm 2022", 2022, "month", "2022-03-01", "2022-03-31", []),
    ("Tháng 01/2022 (Cấp xã: 02/2022)", 2022, "month", "2022-01-01", "2022-01-31", []),
    ("thang 5", 2022, "month", "2022-05-01", "2022-05-31", []),
    ("Tháng 3 - tháng 4/2022", 2022, "month", "2022-03-01", "2022-04-30", []),
    ("12/2022", None, "month", "2022-12-01", "2022-12-31", []),
    # quarter
    ("Quý I", 2022, "quarter", "2022-01-01", "2022-03-31", []),
    ("Quý I/2022", 2021, "quarter", "2022-01-01", "2022-03-31", []),
    ("Quý I năm 2022", 2022, "quarter", "2022-01-01", "2022-03-31", []),
    ("quý 2", 2022, "quarter", "2022-04-01", "2022-06-30", []),
    ("Quý IV", 2022, "quarter", "2022-10-01", "2022-12-31", []),
    ("Quý I và Quý II năm 2022", 2022, "quarter", "2022-01-01", "2022-06-30", []),
    ("Quý II - III/2023", 2022, "quarter", "2023-04-01", "2023-09-30", []),
    ("Quý IV/2022 - Quý I/2023", 2022, "quarter", "2022-10-01", "2023-03-31", []),
    ("Quy I", 2022, "quarter", "2022-01-01", "2022-03-31", []),
    ("Qúy II/2022", 2022, "quarter", "2022-04-01", "2022-06-30", []),
    ("QUÝ III", 2022, "quarter", "2022-07-01", "2022-09-30", []),
    ("Quý Il", 2022, "quarter", "2022-04-01", "2022-06-30", []),
    ("Quý 1V", 2022, "quarter", "2022-10-01", "2022-12-31", []),
    ("Quý |V", 2022, "quarter", "2022-10-01", "2022-12-31", []),
    ("Quý 111/2022", 2022, "quarter", "2022-07-01", "2022-09-30", []),
    # half year
    ("6 tháng đầu năm", 2022, "half_year", "2022-01-01", "2022-06-30", []),
    ("6 tháng cuối năm 2022", 2021, "half_year", "2022-07-01", "2022-12-31", []),
    ("Sáu tháng đầu năm 2023", 2022, "half_year", "2023-01-01", "2023-06-30", []),
    # year
    ("Năm 2022", 2022, "year", "2022-01-01", "2022-12-31", []),
    ("Trong năm 2022", 2021, "year", "2022-01-01", "2022-12-31", []),
    ("Năm 2022 và theo lộ trình của các Bộ, ngành", 2022, "year", "2022-01-01", "2022-12-31", []),
    ("cả năm", 2022, "year", "2022-01-01", "2022-12-31", []),
    ("Trong năm", 2023, "year", "2023-01-01", "2023-12-31", []),
    ("Năm 2022 - 2023", 2022, "year", "2022-01-01", "2023-12-31", []),
    ("2024", None, "year", "2024-01-01", "2024-12-31", []),
    # recurring
    ("Thường xuyên", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Thường xuyên trong năm", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Thuong xuyen", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Hàng quý", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Hàng Quý", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Hàng quý/năm", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("hằng tháng", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Định kỳ 06 tháng và cuối năm", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Định kỳ hoặc đột xuất", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Định kỳ theo quy định", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    (
        "- Định kỳ 3 tháng/lần. - Đợt xuất theo thời điểm yêu cầu.",
        2022,
        "recurring",
        "2022-01-01",
        "2022-12-31",
        [],
    ),
    ("Thường xuyên Quý I", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    ("Thường xuyên", None, "recurring", None, None, []),
    # multiple
    (
        "Tháng 3,6,9,12/2023",
        2022,
        "multiple",
        None,
        "2023-12-31",
        ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"],
    ),
    ("Quý II Quý I", 2022, "multiple", None, "2022-06-30", ["2022-06-30", "2022-03-31"]),
    ("Quý I và Quý III", 2022, "multiple", None, "2022-09-30", ["2022-03-31", "2022-09-30"]),
    (
        "- Sở, ban, ngành hoàn thành trước 31/3/2022 - UBND cấp huyện hoàn thành trước 30/6/2022"
        " - UBND cấp xã hoàn thành trước ngày 30/9/2022",
        2022,
        "multiple",
        None,
        "2022-09-30",
        ["2022-03-31", "2022-06-30", "2022-09-30"],
    ),
    ("Tháng 12/2022 và tháng 01/2023", 2022, "multiple", None, "2023-01-31", ["2022-12-31", "2023-01-31"]),
    ("Quý II\nQuý I", None, "multiple", None, None, []),
    # event
    ("Theo kế hoạch", 2022, "event", None, None, []),
    ("Theo Kế hoạch kiểm tra", 2022, "event", None, None, []),
    ("Khi có phát sinh", 2022, "event", None, None, []),
    ("Khi có văn bản yêu cầu", 2022, "event", None, None, []),
    ("Theo hướng dẫn của Văn phòng Chính phủ", 2022, "event", None, None, []),
    ("Theo thư mời của Văn phòng Chính phủ", 2022, "event", None, None, []),
    ("Theo chế độ báo cáo định kỳ", 2022, "event", None, None, []),
    ("Theo Phụ lục kèm theo Kế hoạch này", 2022, "event", None, None, []),
    ("trước ngày được kiểm tra", 2022, "event", None, None, []),
    ("chậm nhất trước 10 ngày tính đến ngày kiểm tra", 2022, "event", None, None, []),
    ("Trong 05 ngày làm việc kể từ ngày nhận được văn bản", 2022, "event", None, None, []),
    ("Đột xuất", 2022, "event", None, None, []),
    ("Theo Quyết định số 12/QĐ-UBND", 2022, "event", None, None, []),
    # unknown and garbage
    (None, 2022, "unknown", None, None, []),
    ("", 2022, "unknown", None, None, []),
    ("   ", 2022, "unknown", None, None, []),
    ("-", 2022, "unknown", None, None, []),
    ("w/ ✓ u", 2022, "unknown", None, None, []),
    ("Tiếp tục thực hiện", 2022, "unknown", None, None, []),
    ("Tháng 13/2022", 2022, "unknown", None, None, []),
    ("Quý V", 2022, "unknown", None, None, []),
    # leap years, impossible dates, no plan year
    ("Tháng 02", 2024, "month", "2024-02-01", "2024-02-29", []),
    ("Tháng 2/2028", None, "month", "2028-02-01", "2028-02-29", []),
    ("Tháng 2/2100", 2022, "month", "2022-02-01", "2022-02-28", []),  # 2100 is no year (19xx/20xx only)
    ("Trước 29/2", 2024, "date", None, "2024-02-29", []),
    ("Trước 29/2", 2023, "unknown", None, None, []),
    ("Trước 29/2", None, "date", None, None, []),
    ("31/4/2022", 2022, "unknown", None, None, []),
    ("Quý I", None, "quarter", None, None, []),
    ("Tháng 02", None, "month", None, None, []),
    ("6 tháng đầu năm", None, "half_year", None, None, []),
    ("Trước 30/4/2022", None, "date", None, "2022-04-30", []),
    # markup and spacing from exports
    ("<p>Quý   II/2022</p>", 2022, "quarter", "2022-04-01", "2022-06-30", []),
    ("**Trước 30/6/2022**", 2022, "date", None, "2022-06-30", []),
    ("Thường\nxuyên", 2022, "recurring", "2022-01-01", "2022-12-31", []),
    # forms of the second unseen round (tests/fixtures/unseen u15-u22)
    ("30/6/2024", 2024, "date", None, "2024-06-30", []),
    ("Đến 31/12/2024", 2024, "date", None, "2024-12-31", []),
    ("Chậm nhất ngày 15/11/2024", 2024, "date", None, "2024-11-15", []),
    ("Từ ngày 01/3/2024 đến ngày 30/4/2024", 2024, "date", "2024-03-01", "2024-04-30", []),
    ("Trong tháng 10/2024", 2024, "month", "2024-10-01", "2024-10-31", []),
    ("Quý I, II năm 2024", 2024, "quarter", "2024-01-01", "2024-06-30", []),
    ("Quý II, Quý III/2024", 2024, "quarter", "2024-04-01", "2024-09-30", []),
    ("Cả năm", 2024, "year", "2024-01-01", "2024-12-31", []),
    ("Hằng năm", 2024, "recurring", "2024-01-01", "2024-12-31", []),
    ("Trước ngày 20 hằng tháng", 2023, "recurring", "2023-01-01", "2023-12-31", []),
    ("Sau khi có hướng dẫn của Bộ", 2024, "event", None, None, []),
    ("Theo tiến độ", 2024, "event", None, None, []),
    ("Theo tiến độ của Trung ương", 2024, "event", None, None, []),
]


@pytest.mark.parametrize(("raw", "plan_year", "kind", "start", "end", "dates"), CASES)
def test_parse_deadline_examples(
    raw: str | None, plan_year: int | None, kind: str, start: str | None, end: str | None, dates: list[str]
) -> None:
    got = parse_deadline(raw, plan_year)
    assert (got.kind, got.start, got.end, got.dates) == (kind, _d(start), _d(end), [_d(x) for x in dates])


GOLD = _load("gold_deadlines.json")


@pytest.mark.parametrize("case", GOLD, ids=[repr(c["raw"])[:60] for c in GOLD])
def test_parse_deadline_gold(case: dict[str, Any]) -> None:
    assert parse_deadline(case["raw"], case["plan_year"]).model_dump(mode="json") == case["deadline"]


def test_gold_table_is_complete() -> None:
    kinds = {c["deadline"]["kind"] for c in GOLD}
    assert len(GOLD) == 42
    assert kinds == {"date", "month", "quarter", "year", "recurring", "multiple", "event", "unknown"}


@pytest.mark.parametrize(
    ("raw", "annual", "start", "end"),
    [
        ("Thường xuyên", False, None, None),
        ("Hàng quý", False, None, None),
        ("Thường xuyên trong năm", False, "2022-01-01", "2022-12-31"),
        ("Thường xuyên trong năm 2023", False, "2023-01-01", "2023-12-31"),
        ("Hàng quý", True, "2022-01-01", "2022-12-31"),
    ],
)
def test_recurring_bounds_follow_annual(raw: str, annual: bool, start: str | None, end: str | None) -> None:
    got = parse_deadline(raw, 2022, annual=annual)
    assert (got.kind, got.start, got.end) == ("recurring", _d(start), _d(end))


def _token_entries() -> list[tuple[str, str, str]]:
    """Return (rule name, kind, example) for every example of every grammar token."""
    raw = grammars.load("deadlines")
    return [(t["name"], t["kind"], ex) for t in raw["tokens"] for ex in t["examples"]]


@pytest.mark.parametrize(("name", "kind", "example"), _token_entries())
def test_grammar_examples_match_their_token(name: str, kind: str, example: str) -> None:
    folded = strip_marks(example)
    tokens = scan(folded, 2022)
    assert tokens, example
    first = tokens[0]
    assert (first.rule, first.start) == (name, 0)
    if kind != "event":  # event openers are prefixes ("Theo kế hoạch ..."); values are read whole
        assert first.end == len(folded)


def test_every_token_has_examples() -> None:
    raw = grammars.load("deadlines")
    assert all(t.get("examples") for t in raw["tokens"])


def test_strip_marks_keeps_length_and_regex_escapes() -> None:
    assert strip_marks("Quý Đột xuất") == "Quy Dot xuat"  # case kept: matching is case-insensitive
    assert strip_marks(r"\D\S Ưu") == r"\D\S Uu"
    text = "Thường xuyên trong năm"
    assert len(strip_marks(text)) == len(text)


PROSE = _load("prose_tasks.json")


@pytest.mark.parametrize("case", PROSE, ids=[c["source"] for c in PROSE])
def test_find_due_phrases_gold_prose(case: dict[str, Any]) -> None:
    assert find_due_phrases(case["text"]) == case["phrases"]


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        (
            "Các cơ quan hoàn thành trước ngày 30/4/2017 và báo cáo UBND tỉnh.",
            ["hoàn thành trước ngày 30/4/2017"],
        ),
        ("Gửi báo cáo trước ngày 30/11/2022 để tổng hợp.", ["trước ngày 30/11/2022"]),
        ("Xây dựng kế hoạch. Thời gian thực hiện: Quý II/2022.", ["Thời gian thực hiện: Quý II/2022"]),
        (
            "Thời gian thực hiện: Thường xuyên; cơ quan chủ trì: Sở Tư pháp",
            ["Thời gian thực hiện: Thường xuyên"],
        ),
        (
            "Thông báo chậm nhất trước 10 ngày tính đến ngày kiểm tra.",
            ["chậm nhất trước 10 ngày tính đến ngày kiểm tra"],
        ),
        (
            "Kiểm tra trong thời gian 02 ngày, chậm nhất là ngày 15 tháng 12 năm 2022.",
            ["chậm nhất là ngày 15 tháng 12 năm 2022"],
        ),
        (
            "Trình UBND tỉnh trước 30/6/2022; báo cáo kết quả trước ngày 15/12/2022.",
            ["trước 30/6/2022", "trước ngày 15/12/2022"],
        ),
        ("Căn cứ Quyết định số 37/QĐ-UBND ngày 07/4/2022 của UBND tỉnh về Kế hoạch năm 2022.", []),
        ("Kiểm tra tại mỗi đơn vị trong 02 ngày.", []),
        ("Các sở báo cáo kết quả trước ngày 15/12 hằng năm.", ["trước ngày 15/12 hằng năm"]),
        ("Các sở thường xuyên cập nhật dữ liệu.", []),
        # a recurring adverb that ends its clause is the task's due time; "hằng quý" anywhere is
        ("Sở Y tế kiểm tra việc niêm yết; việc này làm thường xuyên.", ["thường xuyên"]),
        ("Sở Xây dựng duy trì thường xuyên trong năm 2024.", ["thường xuyên trong năm 2024"]),
        ("Sở Công Thương đăng tin hằng quý trên trang điện tử.", ["hằng quý"]),
        ("Đài tỉnh phát sóng chuyên mục theo định kỳ hằng tháng.", ["theo định kỳ hằng tháng"]),
        # an event in a sentence: "khi có ..." up to the clause end, but not "sau khi ..."
        ("Sở Nội vụ cập nhật danh mục khi có văn bản mới; báo cáo UBND tỉnh.", ["khi có văn bản mới"]),
        ("Sửa quy trình sau khi có văn bản mới.", []),
        # a year token that opens with "trong" needs no other lead-in
        ("Phấn đấu đạt 80% hồ sơ trực tuyến trong năm 2024.", ["trong năm 2024"]),
        ("", []),
    ],
)
def test_find_due_phrases_examples(text: str, phrases: list[str]) -> None:
    assert find_due_phrases(text) == phrases


def test_due_phrases_parse_back() -> None:
    text = "Tổ chức tự kiểm tra và gửi báo cáo (theo nội dung Kế hoạch năm 2022) trước ngày 30/11/2022 để tổng hợp."
    (phrase,) = find_due_phrases(text)
    got = parse_deadline(phrase, 2022)
    assert (got.kind, got.end) == ("date", dt.date(2022, 11, 30))


@pytest.mark.parametrize(
    ("raw", "kind", "end"),
    [
        ("Trước ngày 15 của tháng cuối quý", "recurring", "2024-12-31"),
        ("Theo Chương trình xây dựng văn bản năm 2024", "event", None),
        ("Theo đề án được duyệt", "event", None),
        ("Năm 2024 và theo lộ trình của các Bộ, ngành", "year", "2024-12-31"),
    ],
)
def test_unseen_layout_phrases(raw: str, kind: str, end: str | None) -> None:
    d = parse_deadline(raw, 2024)
    assert d.kind == kind and (str(d.end) if d.end else None) == end


@pytest.mark.parametrize("example", grammars.load("deadlines")["event"]["fallback_examples"])
def test_fallback_openers_read_as_event(example: str) -> None:
    got = parse_deadline(example, 2024)
    assert (got.kind, got.start, got.end) == ("event", None, None)


def test_within_a_period_is_not_a_fallback_event() -> None:
    assert parse_deadline("Trong thời gian 6 tháng đầu năm", 2024).kind == "half_year"
