"""HTML loader: browser text flow, spans on a grid, page chrome, XHTML and MHTML containers."""

from __future__ import annotations

import quopri
from pathlib import Path

import pytest

from tthc_extract import grammars
from tthc_extract.loaders.html import flow_text, is_chrome_attr, mhtml_html, parse_html, span_value
from tthc_extract.loaders.text import load_text
from tthc_extract.model.document import Paragraph, Table
from tthc_extract.pipeline import extract

HEADER_BLOCK = (
    "<table><tr><td><p>ỦY BAN NHÂN DÂN<br>TỈNH NAM ĐỊNH</p><p>Số: 12/QĐ-UBND</p></td>"
    "<td><p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p><p>Nam Định, ngày 05 tháng 02 năm 2024</p></td></tr></table>"
)
TASKS = """
<table border="1">
<tr><th>STT</th><th>Nội dung công việc</th><th>Sản phẩm</th><th>Cơ quan thực hiện</th><th>Thời gian hoàn thành</th></tr>
<tr><td>I</td><td colspan="4"><p><b>RÀ SOÁT</b></p></td></tr>
<tr><td rowspan="2">1</td><td rowspan="2"><p>Rà soát quy định</p></td><td>Báo cáo rà soát</td>
    <td rowspan="3">Sở Tư pháp</td><td>Quý II</td></tr>
<tr><td>Phương án đơn giản hóa</td><td>Quý III</td></tr>
<tr><td>2</td><td>Công bố thủ tục</td><td>Quyết định công bố</td><td>Tháng 6</td></tr>
</table>
"""


def _page(body: str) -> str:
    return f"<html><head><title>x</title></head><body>{body}</body></html>"


def _tables(doc):  # type: ignore[no-untyped-def]
    return [b for b in doc.blocks if isinstance(b, Table)]


def test_rowspan_and_colspan_follow_the_model_merge_conventions() -> None:
    doc = parse_html(_page(HEADER_BLOCK + TASKS), "t.html")
    table = _tables(doc)[1]
    section = table.rows[1]
    assert [(c.col, c.col_span, c.text) for c in section.cells] == [(0, 1, "I"), (1, 4, "RÀ SOÁT")]
    first, second, third = table.rows[2], table.rows[3], table.rows[4]
    assert (first.cell_at(0).row_span, first.cell_at(3).row_span) == (2, 3)  # type: ignore[union-attr]
    sub = {c.col: (c.text, c.merged_from_above) for c in second.cells}
    assert sub == {0: ("1", True), 1: ("Rà soát quy định", True), 2: ("Phương án đơn giản hóa", False),
                   3: ("Sở Tư pháp", True), 4: ("Quý III", False)}
    assert third.cell_at(3).merged_from_above and third.cell_at(3).text == "Sở Tư pháp"  # type: ignore[union-attr]
    assert table.rows[0].is_header and table.n_cols == 5


def test_plan_from_html_reads_sections_sub_rows_and_merged_agency() -> None:
    plan = extract_html(_page(HEADER_BLOCK + "<p>QUYẾT ĐỊNH</p><p>Ban hành kế hoạch năm 2024</p>" + TASKS))
    assert [(s.number, s.title) for s in plan.sections] == [("I", "RÀ SOÁT")]
    got = [(r.section, r.stt, r.task, r.result, r.agencies_raw, r.deadline_raw) for r in plan.rows]
    assert got == [
        ("I", "1", "Rà soát quy định", "Báo cáo rà soát", "Sở Tư pháp", "Quý II"),
        ("I", "1", "Rà soát quy định", "Phương án đơn giản hóa", "Sở Tư pháp", "Quý III"),
        ("I", "2", "Công bố thủ tục", "Quyết định công bố", "Sở Tư pháp", "Tháng 6"),
    ]


def extract_html(page: str, tmp: Path | None = None):  # type: ignore[no-untyped-def]
    from tthc_extract.pipeline import plan_from_document

    return plan_from_document(parse_html(page, "t.html"))


@pytest.mark.parametrize(("value", "rows", "expected"), [
    ("abc", False, 1), ("", False, 1), (None, False, 1), ("2px", False, 2), (" 3 ", False, 3),
    ("0", False, 1), ("-2", False, 1), ("99999", False, 1000), ("abc", True, 1), ("0", True, 0),
    ("2.7", True, 2), ("+2", True, 2),
])
def test_span_values_read_as_browsers_read_them(value: str | None, rows: bool, expected: int) -> None:
    assert span_value(value, rows=rows) == expected


def test_malformed_spans_do_not_reject_the_file() -> None:
    page = _page('<table><tr><td colspan="abc">STT</td><td colspan="">Nhiệm vụ</td></tr>'
                 '<tr><td rowspan="x">1</td><td rowspan="0">a</td></tr><tr><td>2</td></tr></table>')
    table = _tables(parse_html(page, "t.html"))[0]
    assert table.n_cols == 2
    assert table.rows[2].cell_at(1).merged_from_above  # type: ignore[union-attr]  # rowspan 0: to the end


def test_text_flows_like_a_browser() -> None:
    page = _page('<p class="MsoNormal"><b>QUYẾT\r\n   ĐỊNH</b><o:p>&nbsp;</o:p></p>'
                 "<!--[if gte mso 9]><xml>junk</xml><![endif]-->"
                 "<p>Căn cứ Nghị\nđịnh số 63/2010/NĐ-CP;<br>dòng hai</p>")
    paras = [b.text for b in parse_html(page, "t.html").blocks if isinstance(b, Paragraph)]
    assert paras == ["QUYẾT ĐỊNH", "Căn cứ Nghị định số 63/2010/NĐ-CP;\ndòng hai"]


def test_cell_text_keeps_paragraphs_and_list_items_on_lines() -> None:
    import lxml.html

    td = lxml.html.fragment_fromstring("<td><p>Sở Tư\n pháp</p><p>&nbsp;</p><ul><li>Sở Nội vụ</li></ul></td>")
    assert flow_text(td) == "Sở Tư pháp\n- Sở Nội vụ"


def test_grammar_examples_of_chrome() -> None:
    g = grammars.load("html")["chrome"]
    for v in g["examples"] + g["examples_joined"]:
        assert is_chrome_attr(v), v
    for v in g["examples_not"]:
        assert not is_chrome_attr(v), v


def test_page_chrome_and_what_precedes_the_document_are_left_out() -> None:
    page = _page(
        '<div id="header"><div class="logo">THƯ VIỆN VĂN BẢN</div><ul class="menu"><li>Trang chủ</li></ul></div>'
        "<h1>Quyết định 12/QĐ-UBND về kế hoạch</h1>"
        "<table><tr><td>Số hiệu:</td><td>12/QĐ-UBND</td><td>Người ký:</td><td>Ai Đó</td></tr></table>"
        + HEADER_BLOCK + "<p>QUYẾT ĐỊNH</p>"
        + '<div class="vb-lienquan"><p>Văn bản liên quan</p><ul><li>Nghị định 63/2010/NĐ-CP</li></ul></div>'
        + '<div class="footer">Bản quyền</div><footer>Liên hệ</footer>'
    )
    doc = parse_html(page, "t.html")
    text = "\n".join(b.text if isinstance(b, Paragraph) else "|".join(c.text for r in b.rows for c in r.cells)
                     for b in doc.blocks)
    for chrome in ("THƯ VIỆN", "Trang chủ", "Số hiệu", "Văn bản liên quan", "Bản quyền", "Liên hệ", "Quyết định 12"):
        assert chrome not in text
    assert "QUYẾT ĐỊNH" in text and isinstance(doc.blocks[0], Table) and doc.blocks[0].index == 0
    assert [(w.code, w.stage) for w in doc.warnings] == [("html_preamble_dropped", "load")]


def test_issuer_lines_before_the_motto_are_kept() -> None:
    page = _page("<h2>Tin mới nhất hôm nay về văn bản</h2><p>ỦY BAN NHÂN DÂN</p><p>TỈNH NAM ĐỊNH</p>"
                 "<p>Số: 12/QĐ-UBND</p><p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>")
    texts = [b.text for b in parse_html(page, "t.html").blocks if isinstance(b, Paragraph)]
    assert texts[0] == "ỦY BAN NHÂN DÂN" and "Tin mới" not in " ".join(texts)


def test_page_layout_table_is_read_as_the_page(tmp_path: Path) -> None:
    page = _page('<table><tr><td class="x"><p>ỦY BAN</p></td><td>' + HEADER_BLOCK + TASKS + "</td></tr></table>")
    doc = parse_html(page, "t.html")
    assert [len(t.rows) for t in _tables(doc)] == [1, 5]


def test_xhtml_with_an_xml_declaration(tmp_path: Path) -> None:
    f = tmp_path / "plan.xhtml"
    f.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
                 + HEADER_BLOCK + TASKS + "</body></html>", encoding="utf-8")
    doc = load_text(f)
    assert doc.format == "html" and len(_tables(doc)) == 2


def test_mhtml_is_unpacked_to_its_html_part(tmp_path: Path) -> None:
    html = _page(HEADER_BLOCK + TASKS).encode("utf-8")
    body = quopri.encodestring(html).decode("ascii")
    data = (
        "From: <Saved by Blink>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; type="text/html"; boundary="BOUND"\r\n\r\n'
        "--BOUND\r\nContent-Type: text/css\r\n\r\np { x: 1 }\r\n"
        "--BOUND\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{body}\r\n--BOUND--\r\n"
    ).encode("ascii")
    assert mhtml_html(b"<html>no mime</html>") is None
    f = tmp_path / "plan.mhtml"
    f.write_bytes(data)
    plan = extract(f)
    assert [r.deadline_raw for r in plan.rows] == ["Quý II", "Quý III", "Tháng 6"]
    assert plan.document.doc_number == "12/QĐ-UBND"
