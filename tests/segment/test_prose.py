"""Numbered prose tasks: grammar examples, three provinces' styles and the sample 000 appendix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tthc_extract import grammars
from tthc_extract.loaders import load
from tthc_extract.model.document import Document, Paragraph, Prov
from tthc_extract.model.plan import ProseTask
from tthc_extract.segment.prose import (
    debug_prose,
    enumerator,
    extract_prose_tasks,
    grammar,
    item_deadline,
    paragraph_lines,
    section_assigns,
    section_role,
    sentences,
    split_heading,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "prose"
G = grammars.load("prose")


def _names(agencies: list) -> list[str]:
    return [a.name for a in agencies]


def _tasks(name: str, year: int) -> list[ProseTask]:
    doc = load(FIXTURES / name)
    return extract_prose_tasks(doc, year, name)


# ---------------------------------------------------------------------------------------------
# Grammar examples


@pytest.mark.parametrize("text", G["lines"]["examples_hard"])
def test_hard_break_examples(text: str) -> None:
    assert grammar().hard_break.match(text)


@pytest.mark.parametrize("text", G["lines"]["examples_soft"])
def test_soft_wrap_examples(text: str) -> None:
    assert not grammar().hard_break.match(text)


@pytest.mark.parametrize("text", G["lines"]["examples_furniture"])
def test_furniture_examples(text: str) -> None:
    assert grammar().furniture.match(text)


@pytest.mark.parametrize("text", G["parts"]["examples_opens"])
def test_part_opening_examples(text: str) -> None:
    assert grammar().opens.match(text)


@pytest.mark.parametrize("text", G["parts"]["examples_not_opens"])
def test_part_non_opening_examples(text: str) -> None:
    assert not grammar().opens.match(text)


@pytest.mark.parametrize("text", G["parts"]["examples_decision"])
def test_decision_examples(text: str) -> None:
    assert grammar().decision.match(text)


@pytest.mark.parametrize("text", G["parts"]["examples_ends"])
def test_part_end_examples(text: str) -> None:
    assert grammar().ends.match(text)


@pytest.mark.parametrize("text", G["sections"]["examples_roman"])
def test_roman_section_examples(text: str) -> None:
    m = grammar().roman.match(text)
    assert m and m["num"] in {"I", "II", "III", "IV", "V"}


@pytest.mark.parametrize("text", G["sections"]["examples_not_roman"])
def test_roman_section_non_examples(text: str) -> None:
    assert not grammar().roman.match(text)


@pytest.mark.parametrize("text", G["sections"]["examples_caps"])
def test_caps_section_examples(text: str) -> None:
    m = grammar().caps.match(text)
    assert m and (grammar().skip.search(m["title"]) or grammar().assign.search(m["title"]))


@pytest.mark.parametrize("title", G["sections"]["examples_skip"])
def test_skipped_section_examples(title: str) -> None:
    assert not section_assigns(title)


@pytest.mark.parametrize("title", G["sections"]["examples_assign"])
def test_assigning_section_examples(title: str) -> None:
    assert section_assigns(title)


@pytest.mark.parametrize("title", G["sections"]["examples_organisation"])
def test_organisation_section_examples(title: str) -> None:
    assert section_role(title) == "organisation"


@pytest.mark.parametrize("title", G["sections"]["examples_funding"])
def test_funding_section_examples(title: str) -> None:
    assert section_role(title) == "funding" and not section_assigns(title)


@pytest.mark.parametrize("title", G["sections"]["examples_not_funding"])
def test_not_funding_section_examples(title: str) -> None:
    assert section_role(title) != "funding"


@pytest.mark.parametrize("entry", G["items"]["enumerators"])
def test_enumerator_examples(entry: dict) -> None:
    for text in entry["examples"]:
        found = enumerator(text)
        assert found is not None and found[0].startswith(entry["style"]), text


@pytest.mark.parametrize("entry", G["items"]["labels"])
def test_item_label_examples(entry: dict) -> None:
    from tthc_extract.segment.prose import _read_labels

    for case in entry["examples"]:
        f = _read_labels([case["text"]])
        assert f.deadlines == case.get("deadline", f.deadlines)
        if "agency" in case or "lead" in case:
            assert _names(f.lead_labels) == case.get("agency", case.get("lead"))
        assert _names(f.support_labels) == case.get("support", _names(f.support_labels))


@pytest.mark.parametrize("text", G["due"]["examples_not_recurring"])
def test_not_recurring_examples(text: str) -> None:
    assert item_deadline([text]) == []


@pytest.mark.parametrize("text", G["items"]["examples_number"])
def test_item_number_examples(text: str) -> None:
    assert grammar().number.match(text)


@pytest.mark.parametrize("text", G["items"]["examples_not_number"])
def test_item_non_number_examples(text: str) -> None:
    assert not grammar().number.match(text)


@pytest.mark.parametrize("text", G["items"]["examples_closing"])
def test_closing_examples(text: str) -> None:
    assert grammar().closing.match(text)


@pytest.mark.parametrize("case", G["items"]["examples_sentences"])
def test_sentence_examples(case: dict) -> None:
    assert sentences(case["text"]) == case["sentences"]


@pytest.mark.parametrize("case", G["due"]["examples_recurring"] + G["due"]["examples_repeat"])
def test_due_recurrence_examples(case: dict) -> None:
    assert item_deadline([case["text"]]) == [case["phrase"]]


# ---------------------------------------------------------------------------------------------
# Pieces


def test_soft_wraps_are_joined_and_bullets_kept() -> None:
    p = Paragraph(
        text="1. Đối với đơn vị, địa phương thuộc đối tượng kiểm tra theo kế hoạch Đoàn\n"
        "kiểm tra của tỉnh:\n- Gửi báo cáo cho Đoàn kiểm tra.\n15",
        prov=Prov(page=3, line=40),
    )
    lines = paragraph_lines(p)
    assert [ln.text for ln in lines] == [
        "1. Đối với đơn vị, địa phương thuộc đối tượng kiểm tra theo kế hoạch Đoàn kiểm tra của tỉnh:",
        "- Gửi báo cáo cho Đoàn kiểm tra.",
    ]
    assert [(ln.page, ln.line) for ln in lines] == [(3, 40), (3, 42)]


@pytest.mark.parametrize(
    ("heading", "task", "rest"),
    [
        ("Cấp tỉnh: Các sở, ban, ngành rà soát.", "Cấp tỉnh", "Các sở, ban, ngành rà soát."),
        ("Đối với các sở, ban, ngành:", "Đối với các sở, ban, ngành:", ""),
        # a paragraph without a run-in title is the task whole (GOLD_SPEC: the item's heading)
        ("Tập huấn nghiệp vụ. Sở Nội vụ chủ trì.", "Tập huấn nghiệp vụ. Sở Nội vụ chủ trì.", ""),
        ("Thời gian thực hiện: Quý II/2022", "Thời gian thực hiện: Quý II/2022", ""),
        # a label's colon is no run-in title's
        ("Rà soát TTHC. Thời gian thực hiện: Quý II/2022.", "Rà soát TTHC. Thời gian thực hiện: Quý II/2022.", ""),
        ("Văn phòng UBND tỉnh: Chủ trì, phối hợp với Sở Tư pháp.", "Văn phòng UBND tỉnh", "Chủ trì, phối hợp với Sở Tư pháp."),
    ],
)
def test_split_heading(heading: str, task: str, rest: str) -> None:
    assert split_heading(heading) == (task, rest)


# ---------------------------------------------------------------------------------------------
# Three styles of prose plans (fixtures written from the patterns of the issue)

# (section, number, lead, support, deadline kind, deadline end, deadline dates)
LABEL_LINES = [
    ("II", "1", ["Sở Tư pháp"], ["Các sở, ban, ngành", "UBND cấp huyện"], "quarter", "2023-06-30", []),
    ("II", "2", ["Văn phòng UBND tỉnh"], ["Sở Thông tin và Truyền thông"], "month", "2023-06-30", []),
    ("II", "3", ["Sở Nội vụ"], ["Thanh tra tỉnh"], "recurring", "2023-12-31", []),
    ("IV", "1", ["Các sở, ban, ngành", "UBND cấp huyện"], [], "date", "2023-12-15", []),
    ("IV", "2", ["Sở Tư pháp"], [], "unknown", None, []),
]
INLINE_DUE = [
    ("II", "1", ["Sở Tư pháp"], ["Văn phòng UBND tỉnh", "các cơ quan liên quan"], "date", "2017-04-30", []),
    ("II", "2", ["Sở Thông tin và Truyền thông"], [], "quarter", "2017-09-30", []),
    ("II", "3", ["Văn phòng UBND tỉnh"], [], "month", "2017-05-31", []),
    ("II", "4", ["Đài Phát thanh - Truyền hình tỉnh", "Báo Quảng Trị"], [], "unknown", None, []),
    # GOLD_SPEC: every item of a work section is a task, with or without agency and due time
    ("II", "5", [], [], "unknown", None, []),
]
TWO_LEVELS = [
    ("II", "1", ["Các sở, ban, ngành", "UBND cấp huyện"], [], "multiple", "2022-09-30", ["2022-06-30", "2022-09-30"]),
    ("II", "2.1", ["Các sở, ban, ngành"], [], "date", "2022-03-31", []),
    ("II", "2.2", ["UBND cấp huyện"], [], "date", "2022-04-30", []),
    ("II", "3", ["Sở Nội vụ"], ["Văn phòng UBND tỉnh"], "month", "2022-11-30", []),
]

LETTERED_LABELS = [
    ("II", "1", ["Sở Tư pháp"], [], "quarter", "2022-06-30", []),
    ("II", "2", ["Văn phòng UBND tỉnh"], ["các sở, ban, ngành"], "recurring", "2022-12-31", []),
    # a) and b) each state their own agency and due time: tasks of their own (GOLD_SPEC granularity)
    ("II", "3.a", ["Sở Nội vụ"], [], "month", "2022-06-30", []),
    ("II", "3.b", ["UBND cấp huyện"], [], "month", "2022-09-30", []),
    ("II", "4", ["Các cơ quan, đơn vị"], [], "unknown", None, []),
    ("II", "5", [], ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"], "unknown", None, []),
]


@pytest.mark.parametrize(
    ("name", "year", "expected"),
    [
        ("label_lines.txt", 2023, LABEL_LINES),
        ("inline_due.txt", 2017, INLINE_DUE),
        ("two_levels.txt", 2022, TWO_LEVELS),
        ("lettered_labels.txt", 2022, LETTERED_LABELS),
    ],
)
def test_prose_styles(name: str, year: int, expected: list[tuple]) -> None:
    got = [
        (
            t.section,
            t.number,
            _names(t.lead_agencies),
            _names(t.support_agencies),
            t.deadline.kind,
            t.deadline.end.isoformat() if t.deadline.end else None,
            [d.isoformat() for d in t.deadline.dates],
        )
        for t in _tasks(name, year)
    ]
    assert got == expected


def test_labelled_lines_give_the_raw_deadline_and_body() -> None:
    t = _tasks("label_lines.txt", 2023)[0]
    assert t.task == "Rà soát, đánh giá thủ tục hành chính"
    assert t.deadline_raw == "Quý II/2023"  # GOLD_SPEC: the due text without its label
    assert t.text == (
        "- Cơ quan chủ trì: Sở Tư pháp. - Cơ quan phối hợp: Các sở, ban, ngành; UBND cấp huyện. "
        "- Thời gian thực hiện: Quý II/2023."
    )
    assert t.provenance.file == "label_lines.txt"
    assert t.provenance.lines == [26, 28, 30, 32]


def test_closing_words_and_recipients_are_not_part_of_the_last_item() -> None:
    last = _tasks("label_lines.txt", 2023)[-1]
    assert last.task == "Sở Tư pháp có trách nhiệm theo dõi, đôn đốc, tổng hợp báo cáo UBND tỉnh."
    assert last.text == ""


def test_decision_articles_are_not_tasks() -> None:
    tasks = _tasks("inline_due.txt", 2017)
    assert all(t.section == "II" for t in tasks)  # "Điều 2" items 1 and 2 are the decision's


def test_parent_without_body_gives_only_its_sub_items() -> None:
    numbers = [t.number for t in _tasks("two_levels.txt", 2022)]
    assert "2" not in numbers and numbers.count("2.1") == 1


def test_lettered_sub_items_with_their_own_labels_are_tasks() -> None:
    a, b = _tasks("lettered_labels.txt", 2022)[2:4]
    assert (a.number, a.task, a.deadline_raw) == ("3.a", "Đánh giá cấp tỉnh", "Tháng 6/2022")
    assert a.text == "- Đơn vị chủ trì: Sở Nội vụ - Thời gian: Tháng 6/2022"
    assert (b.number, b.deadline_raw) == ("3.b", "Tháng 9/2022")


def test_a_label_block_after_the_sub_items_belongs_to_the_parent() -> None:
    texts = [
        "KẾ HOẠCH",
        "II. NHIỆM VỤ",
        "2. Công bố, công khai TTHC",
        "a) Chuẩn hóa danh mục TTHC.",
        "b) Cập nhật TTHC trên Cổng Dịch vụ công.",
        "- Cơ quan thực hiện: Các sở, ban, ngành; Văn phòng UBND tỉnh theo dõi.",
        "- Thời gian: Tháng 6/2026.",
        "3. Rà soát TTHC. Thời gian thực hiện: Quý II/2026; Cơ quan thực hiện: Sở Nội vụ",
    ]
    doc = Document(source="x.docx", format="docx", blocks=[Paragraph(text=t, prov=Prov(page=1)) for t in texts])
    got = [
        (t.number, _names(t.lead_agencies), _names(t.support_agencies), t.deadline_raw)
        for t in extract_prose_tasks(doc, 2026, "x.docx")
    ]
    assert got == [
        ("2", ["Các sở, ban, ngành"], ["Văn phòng UBND tỉnh"], "Tháng 6/2026"),
        ("3", ["Sở Nội vụ"], [], "Quý II/2026"),  # two labels on one line
    ]


def test_hard_wrapped_text_keeps_its_paragraph_ends() -> None:
    p = Paragraph(
        text="1. Kiểm soát chất lượng quy định TTHC trong dự thảo văn bản quy phạm pháp\n"
        "luật\n"
        "Các cơ quan chủ trì soạn thảo văn bản quy phạm pháp luật có quy định TTHC\n"
        "thực hiện đánh giá tác động theo đúng biểu mẫu ban hành kèm theo Thông tư\n"
        "số 02/2017/TT-VPCP.",
        prov=Prov(page=1, line=1),
    )
    assert [ln.text for ln in paragraph_lines(p)] == [
        "1. Kiểm soát chất lượng quy định TTHC trong dự thảo văn bản quy phạm pháp luật",
        "Các cơ quan chủ trì soạn thảo văn bản quy phạm pháp luật có quy định TTHC thực hiện đánh giá "
        "tác động theo đúng biểu mẫu ban hành kèm theo Thông tư số 02/2017/TT-VPCP.",
    ]


def test_two_levels_raw_deadline_keeps_both_phrases() -> None:
    t = _tasks("two_levels.txt", 2022)[0]
    assert t.deadline_raw == "hoàn thành trước ngày 30/6/2022; hoàn thành trước ngày 30/9/2022"


def test_part_with_a_task_table_gives_no_prose_tasks() -> None:
    # sample 002: its plan has a task table, so its "IV. TỔ CHỨC THỰC HIỆN" items are no prose tasks
    doc = load(ROOT / "samples" / "002_c4b107cd9cf43351.txt")
    assert extract_prose_tasks(doc, 2022, "002") == []


def test_empty_document() -> None:
    assert extract_prose_tasks(Document(source="x.txt", format="text"), 2022, "x.txt") == []


# ---------------------------------------------------------------------------------------------
# Sample 000: the appendix "Phụ lục" sections II-IV against the gold


def test_sample_000_appendix_matches_gold() -> None:
    gold = json.loads((FIXTURES / "000_ddb247df984a7d22.prose_tasks.json").read_text(encoding="utf-8"))
    doc = load(ROOT / "samples" / "000_ddb247df984a7d22.txt")
    got = extract_prose_tasks(doc, gold["plan_year"], "000_ddb247df984a7d22.txt")
    assert len(got) == len(gold["prose_tasks"])
    for g, t in zip(gold["prose_tasks"], got, strict=True):
        assert (t.section, t.number, t.task) == (g["section"], g["number"], g["task"])
        assert t.text == g["text"]
        assert _names(t.lead_agencies) == g["lead"]
        assert _names(t.support_agencies) == g["support"]
        assert t.deadline_raw == g["deadline_raw"]
        assert t.deadline.model_dump(mode="json") == g["deadline"]
        assert t.provenance.pages and t.provenance.lines


def test_lettered_sections_and_parenthesised_numbers() -> None:
    texts = [
        "KẾ HOẠCH",
        "Cải cách thủ tục hành chính năm 2024",
        "A. MỤC ĐÍCH, YÊU CẦU",
        "1) Sở Tư pháp chủ trì nâng cao chất lượng, hoàn thành trước ngày 30/6/2024.",
        "B. NHIỆM VỤ CỤ THỂ",
        "1) UBND CẤP HUYỆN",
        "- Chỉ đạo UBND cấp xã niêm yết thủ tục hành chính, hoàn thành trước ngày 30/6/2024.",
        "2) Công an tỉnh phối hợp với Sở Tư pháp hướng dẫn đăng ký cư trú. Thời gian thực hiện: Quý III/2024.",
    ]
    doc = Document(
        source="x.docx",
        format="docx",
        blocks=[Paragraph(text=t, prov=Prov(page=1 + i // 4)) for i, t in enumerate(texts)],
    )
    got = [
        (t.section, t.number, t.task, _names(t.lead_agencies), _names(t.support_agencies), t.deadline.kind)
        for t in extract_prose_tasks(doc, 2024, "x.docx")
    ]
    assert got == [
        ("B", "1", "UBND CẤP HUYỆN", ["UBND CẤP HUYỆN"], [], "date"),
        (
            "B",
            "2",
            "Công an tỉnh phối hợp với Sở Tư pháp hướng dẫn đăng ký cư trú. Thời gian thực hiện: Quý III/2024.",
            ["Công an tỉnh"],
            ["Sở Tư pháp"],
            "quarter",
        ),
    ]


def test_debug_prose_says_why_items_are_left_out() -> None:
    doc = load(FIXTURES / "two_levels.txt")
    verdicts = {(r["section"], r["number"]): r["verdict"] for r in debug_prose(doc, 2022)}
    assert verdicts == {
        ("I", "1"): "section assigns no work",
        ("II", "1"): "task",
        ("II", "2"): "parent of sub-items",
        ("II", "2.1"): "task",
        ("II", "2.2"): "task",
        ("II", "3"): "task",
        ("II", "3.a"): "inside its parent",
        ("II", "3.b"): "inside its parent",
    }
    sample = load(ROOT / "samples" / "000_ddb247df984a7d22.txt")
    verdicts = {(r["section"], r["number"]): r["verdict"] for r in debug_prose(sample, 2022)}
    assert verdicts[("III", "1.3")] == "states no own agency or due time"
    assert verdicts[("III", "1")] == "parent of sub-items"


def test_end_to_end_with_the_pipeline_parts() -> None:
    # what plan_from_document will do: one find_task_tables, both extractors, one Plan JSON
    from tthc_extract.pipeline import plan_from_document
    from tthc_extract.segment.generic import generic_tables
    from tthc_extract.segment.tables import find_task_tables

    doc = load(ROOT / "samples" / "000_ddb247df984a7d22.txt")
    plan = plan_from_document(doc, "000_ddb247df984a7d22.txt")
    tasks, others = find_task_tables(doc)
    plan.prose_tasks = extract_prose_tasks(doc, plan.document.plan_year, plan.file, task_tables=tasks)
    plan.tables = generic_tables(others, doc, plan.file)
    data = plan.to_json_dict()
    assert len(data["rows"]) > 0 and data["tables"] == []
    assert [p["number"] for p in data["prose_tasks"]] == ["1", "2", "1.1", "1.2", "2", "1", "2", "3"]
    assert data["prose_tasks"][6]["deadline"] == {"kind": "date", "start": None, "end": "2022-11-30", "dates": []}


# ---------------------------------------------------------------------------------------------
# Unseen prose plans (tests/fixtures/prose/unseen, see its README): every hand-read field checked.
# check.compare scores prose tasks by deadline kind and agencies only and tables by cells, so the
# comparison of numbers, headings, lead / support, deadline end and table shape is written here.

UNSEEN = FIXTURES / "unseen"
UNSEEN_FILES = sorted(p for p in UNSEEN.iterdir() if p.suffix in {".txt", ".docx", ".pdf"})


def _agency_set(value: list) -> list[str]:
    from tthc_extract.check.compare import agency_names, norm_agency

    return sorted(norm_agency(n) for n in agency_names(value))


def _prose_diffs(expected: list[dict], actual: list[dict]) -> tuple[list[str], int]:
    """Return the differences of prose tasks (matched on section and number) and how many facts were checked."""
    from tthc_extract.check.compare import norm

    by_key = {(a.get("section"), a.get("number")): a for a in actual}
    diffs: list[str] = []
    checked = 0
    for e in expected:
        key = (e["section"], e["number"])
        a = by_key.pop(key, None)
        checked += 6
        if a is None:
            diffs.append(f"missing prose task {key} {e['task'][:50]}")
            continue
        got = {
            "task": norm(a["task"]).startswith(norm(e["task"])),
            "lead": _agency_set(a.get("lead_agencies", [])) == _agency_set(e["lead"]),
            "support": _agency_set(a.get("support_agencies", [])) == _agency_set(e["support"]),
            "deadline kind": a["deadline"]["kind"] == e["deadline"]["kind"],
            "deadline end": a["deadline"]["end"] == e["deadline"]["end"],
        }
        shown = {
            "task": (e["task"], a["task"]),
            "lead": (e["lead"], [x["name"] for x in a.get("lead_agencies", [])]),
            "support": (e["support"], [x["name"] for x in a.get("support_agencies", [])]),
            "deadline kind": (e["deadline"]["kind"], f"{a['deadline']['kind']} ({a.get('deadline_raw')})"),
            "deadline end": (e["deadline"]["end"], a["deadline"]["end"]),
        }
        diffs += [f"{key} {k}: want {shown[k][0]!r} got {shown[k][1]!r}" for k, ok in got.items() if not ok]
    diffs += [f"extra prose task {k} {a['task'][:50]}" for k, a in by_key.items()]
    return diffs, checked


def _table_diffs(expected: list[dict], actual: list[dict]) -> tuple[list[str], int]:
    """Return the differences of generic tables (in order: title, header, rows, numeric columns)."""
    diffs: list[str] = []
    checked = 0
    for i, e in enumerate(expected):
        checked += 4
        if i >= len(actual):
            diffs.append(f"missing table {i} {e['title']}")
            continue
        a = actual[i]
        for key in ("title", "header", "rows", "numeric_columns"):
            if a.get(key) != e[key]:
                diffs.append(f"table {i} {key}: want {e[key]!r} got {a.get(key)!r}")
    diffs += [f"extra table {i} {a.get('title')}" for i, a in enumerate(actual) if i >= len(expected)]
    return diffs, checked


def unseen_diffs(expected: dict, actual: dict) -> tuple[list[str], int]:
    """Return the differences of an extracted plan from its expected prose tasks and tables."""
    p_diffs, p_n = _prose_diffs(expected["prose_tasks"], actual["prose_tasks"])
    t_diffs, t_n = _table_diffs(expected["tables"], actual["tables"])
    diffs = p_diffs + t_diffs
    if "_task_rows" in expected and len(actual["rows"]) != expected["_task_rows"]:
        diffs.append(f"task rows: want {expected['_task_rows']} got {len(actual['rows'])}")
    return diffs, p_n + t_n + ("_task_rows" in expected)


@pytest.mark.parametrize("path", UNSEEN_FILES, ids=[p.name for p in UNSEEN_FILES])
def test_unseen_prose_plan(path: Path) -> None:
    from tthc_extract import extract

    expected = json.loads((UNSEEN / f"{path.name}.expected.json").read_text(encoding="utf-8"))
    diffs, _ = unseen_diffs(expected, extract(path).to_json_dict())
    diffs = [d for d in diffs if not any(path.name.startswith(f) and d.startswith(k) for f, k in KNOWN_OPEN)]
    assert not diffs, "\n".join(diffs)


# Readings known to be wrong, as (file name prefix, diff prefix), skipped until fixed: none now
# ("trước ngày 15/12 hằng năm" reads as recurring, "UBND các huyện, thành, thị" as one collective).
KNOWN_OPEN: list[tuple[str, str]] = []
