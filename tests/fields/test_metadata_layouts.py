"""Metadata read from the layouts of real documents (tests/fixtures/real_layouts, see its README),
and the examples written beside the patterns in grammars/metadata.toml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regex as re

from tthc_extract import extract, grammars
from tthc_extract.check.compare import compare_document
from tthc_extract.fields import metadata as md
from tthc_extract.loaders.text import parse_text

LAYOUTS = Path(__file__).resolve().parents[1] / "fixtures" / "real_layouts"
FILES = sorted(p for p in LAYOUTS.iterdir() if p.suffix in {".txt", ".html"})
G = grammars.load("metadata")


@pytest.mark.parametrize("doc", FILES, ids=[p.name for p in FILES])
def test_real_layout_metadata(doc: Path) -> None:
    expected = json.loads((LAYOUTS / f"{doc.name}.expected.json").read_text(encoding="utf-8"))
    scores, changes = compare_document(expected, extract(doc).to_json_dict())
    assert all(v == 1.0 for v in scores.values()), "; ".join(c.text() for c in changes)


def test_enough_real_documents_were_read() -> None:
    """The README lists what the layouts were learnt from: >= 60 documents, 30 provinces, 8 years."""
    rows = [ln for ln in (LAYOUTS / "README.md").read_text(encoding="utf-8").splitlines() if re.match(r"^\|\s*\d+\s*\|", ln)]
    cells = [[c.strip() for c in r.strip("|").split("|")] for r in rows]
    assert len(rows) >= 60
    assert len({c[4] for c in cells}) >= 30 and len({c[5] for c in cells}) >= 8


def test_plan_year_inferred_from_issue_date_warns() -> None:
    plan = extract(LAYOUTS / "r14_travinh_2016_kh_noyear.txt")
    assert plan.document.plan_year == 2016
    assert [w.message for w in plan.warnings if w.code == "plan_year_inferred"] == [
        "plan year 2016 inferred from the issue date (no year in the title or purpose)"]


def test_period_in_title_kept() -> None:
    d = extract(LAYOUTS / "r15_cantho_2021_qd_period.txt").document
    assert (d.plan_year, d.plan_period) == (2021, "2021-2025")


def test_department_without_name_in_header_is_read_from_number_code() -> None:
    text = ("ỦY BAN NHÂN DÂN\n\nSố: 45/KH-SCT\n\nHà Tĩnh, ngày 09 tháng 01 năm 2023\n\n"
            "Kiểm soát thủ tục hành chính năm 2023\n")
    meta = md.extract_metadata(parse_text(text, "x.txt"))
    assert (meta.doc_type, meta.province) == ("Kế hoạch", "Hà Tĩnh")


# ---------------------------------------------------------------------------------------------
# Grammar examples


@pytest.mark.parametrize(("line", "left"), G["motto"]["examples"])
def test_motto_cut(line: str, left: str) -> None:
    assert md._cut_motto(line) == left


@pytest.mark.parametrize(("number", "kind"), G["type_codes"]["examples"])
def test_type_from_number_code(number: str, kind: str) -> None:
    assert md._doc_type([], md._Header(number=number), {})[0] == kind


@pytest.mark.parametrize(("text", "num"), G["legal"]["number_examples"])
def test_legal_number_examples(text: str, num: str) -> None:
    m = re.compile(G["legal"]["number"]).search(text)
    assert m and m.group("num") == num


@pytest.mark.parametrize("text", G["legal"]["non_number_examples"])
def test_legal_non_number_examples(text: str) -> None:
    assert not re.compile(G["legal"]["number"]).search(text)


@pytest.mark.parametrize("text", G["legal"]["stops_examples"])
def test_basis_paragraph_stops(text: str) -> None:
    assert re.compile(G["legal"]["stops"]).match(text)


@pytest.mark.parametrize("text", G["legal"]["stops_non_examples"])
def test_basis_paragraph_continues(text: str) -> None:
    assert not re.compile(G["legal"]["stops"]).match(text)


@pytest.mark.parametrize("text", G["issuer"]["authority_examples"])
def test_authority_examples(text: str) -> None:
    assert re.compile(G["issuer"]["authority"]).match(text)


@pytest.mark.parametrize("text", G["issuer"]["authority_non_examples"])
def test_authority_non_examples(text: str) -> None:
    assert not re.compile(G["issuer"]["authority"]).match(text)


@pytest.mark.parametrize("text", G["issuer"]["named_in_text_examples"] + G["issuer"]["province_mention_examples"])
def test_province_named_in_text(text: str) -> None:
    m = re.compile(G["issuer"]["named_in_text"]).search(text) or re.compile(G["issuer"]["province_mention"]).search(text)
    assert m and md._province_name(m.group("name"))


@pytest.mark.parametrize("text", G["portal"]["chrome_examples"])
def test_portal_chrome(text: str) -> None:
    assert re.compile(G["portal"]["chrome"]).match(text)


@pytest.mark.parametrize("text", G["portal"]["chrome_non_examples"])
def test_not_portal_chrome(text: str) -> None:
    assert not re.compile(G["portal"]["chrome"]).match(text)


@pytest.mark.parametrize("text", G["portal"]["label_examples"])
def test_portal_summary_pairs(text: str) -> None:
    assert len(md._summary_pairs(text)) == 2


@pytest.mark.parametrize("text", G["number"]["line_examples"] + G["number"]["attached_examples"])
def test_number_examples(text: str) -> None:
    assert re.compile(G["number"]["line"]).search(text) or re.compile(G["number"]["attached"]).search(text)


@pytest.mark.parametrize("text", G["date"]["place_date_examples"])
def test_place_date_examples(text: str) -> None:
    assert re.compile(G["date"]["place_date"]).search(text)


@pytest.mark.parametrize(("title", "year"), G["plan_year"]["title_examples"])
def test_plan_year_title_examples(title: str, year: int) -> None:
    assert (md._plan_year(title, [])[0] or 0) == year


@pytest.mark.parametrize(("prev", "line"), [tuple(e) for w in G["date"]["wraps"] for e in w["examples"]])
def test_header_pieces_joined(prev: str, line: str) -> None:
    assert md._join_wrapped([prev, line]) == [f"{prev} {line}"]


@pytest.mark.parametrize(("prev", "line"), [("QUYẾT ĐỊNH", "Về việc ban hành Kế hoạch"), ("Số: 12/QĐ-UBND", "Hà Nội, ngày 05 tháng 3 năm 2020")])
def test_header_lines_kept_apart(prev: str, line: str) -> None:
    assert md._join_wrapped([prev, line]) == [prev, line]


@pytest.mark.parametrize("text", G["title"]["may_open_examples"])
def test_title_may_open_like_a_preamble(text: str) -> None:
    assert md._title(["KẾ HOẠCH", text, "Căn cứ Nghị định số 63/2010/NĐ-CP;"], 0, under_heading=True) == text


def test_preamble_under_heading_is_not_a_title() -> None:
    lines = ["KẾ HOẠCH", "Thực hiện Quyết định số 12/QĐ-UBND ngày 05/01/2021 của UBND tỉnh;"]
    assert md._title(lines, 0, under_heading=True) is None


def test_signature_rows_after_task_table_and_deadlines_against_title_year() -> None:
    """Portal pipe text: the signing block runs on as rows of the task table; the plan year is the title's."""
    plan = extract(LAYOUTS / "r28_yenbai_2021_kh_stp.txt")
    assert plan.document.signer == "Hoàng Thị Mai Hoa" and plan.document.plan_year == 2021
    by_raw = {r.deadline_raw: r.deadline for r in plan.rows}
    assert by_raw["Đồng thời với việc công bố"].kind == "event"
    t10 = by_raw["Trước T10/2021"]
    assert (t10.kind, str(t10.start), str(t10.end)) == ("month", "2021-10-01", "2021-10-31")
    assert not any(w.code == "plan_year_inferred" for w in plan.warnings)


def test_signer_after_titles_on_one_line() -> None:
    """A pipe export prints the signing cell's lines on one line: the name follows the last title."""
    assert md._signer(["Nơi nhận: - Như Điều 3; - Lưu: VT.",
                       "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Đoàn Văn Lực"]) == "Đoàn Văn Lực"
    assert md._split_after_title("KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC") == ["KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"]
    assert md._split_after_title("Chủ tịch UBND tỉnh CHỦ TỊCH Lê Văn B") == ["Chủ tịch UBND tỉnh CHỦ TỊCH Lê Văn B"]
