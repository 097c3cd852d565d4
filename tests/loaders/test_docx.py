"""Tests for the .docx loader: corpus plans against their expected readings, crafted files, errors."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls

from tests.errors import assert_one_line_error
from tthc_extract.loaders.docx import load_docx
from tthc_extract.loaders.docx_styles import format_number
from tthc_extract.model.document import Document, Table, TableRow
from tthc_extract.text.normalize import clean_text, one_line

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "docx"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
CORPUS = sorted(p.name.removesuffix(".docx") for p in FIXTURES.glob("*.docx"))


def _norm(text: str | None) -> str:
    """Return text as the loader normalises it, on one line (the form gold fields use)."""
    return one_line(clean_text(text or ""))


def _expected(name: str) -> dict[str, Any]:
    """Return the expected reading stored beside a corpus fixture."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return data


def _task_table(doc: Document, headers: list[str]) -> Table:
    """Return the one table whose first row carries exactly the expected header cells."""
    found = [t for t in doc.tables() if [_norm(x) for x in t.rows[0].texts(t.n_cols)] == headers]
    assert len(found) == 1, f"expected one task table with header {headers}, found {len(found)}"
    return found[0]


# ------------------------------------------------------------------------------------- corpus


def test_corpus_fixtures_present() -> None:
    assert len(CORPUS) == 6


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_task_table_header(name: str) -> None:
    exp = _expected(name)
    columns = exp["_render"]["task_table_columns"]
    headers = [_norm(c["header"]) for c in columns]
    table = _task_table(load_docx(FIXTURES / f"{name}.docx"), headers)
    assert table.n_cols == len(columns)
    assert table.rows[0].is_header
    assert table.method == "docx"


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_every_gold_task_and_result_is_a_cell(name: str) -> None:
    exp = _expected(name)
    headers = [_norm(c["header"]) for c in exp["_render"]["task_table_columns"]]
    table = _task_table(load_docx(FIXTURES / f"{name}.docx"), headers)
    cells = {one_line(c.text) for row in table.rows for c in row.cells}
    for row in exp["rows"]:
        assert _norm(row["task"]) in cells
        if row["result"]:
            assert _norm(row["result"]) in cells


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_sub_rows_repeat_merged_task(name: str) -> None:
    exp = _expected(name)
    fields = [c["field"] for c in exp["_render"]["task_table_columns"]]
    headers = [_norm(c["header"]) for c in exp["_render"]["task_table_columns"]]
    table = _task_table(load_docx(FIXTURES / f"{name}.docx"), headers)
    task_col, stt_col = fields.index("task"), fields.index("stt")
    gold_repeats = sum(
        1 for a, b in zip(exp["rows"], exp["rows"][1:], strict=False) if (a["stt"], a["task"]) == (b["stt"], b["task"])
    )
    merged = 0
    previous: TableRow | None = None
    for row in table.rows:
        task = row.cell_at(task_col)
        if task is not None and task.merged_from_above:
            merged += 1
            assert previous is not None
            above = previous.cell_at(task_col)
            assert above is not None and above.text == task.text and task.text
            stt = row.cell_at(stt_col)
            assert stt is not None and stt.merged_from_above
        previous = row
    assert merged == gold_repeats
    # The first cell of each merge spans all the rows that repeat it.
    for i, row in enumerate(table.rows):
        task = row.cell_at(task_col)
        if task is not None and task.row_span > 1:
            below = [table.rows[j].cell_at(task_col) for j in range(i + 1, i + task.row_span)]
            assert all(c is not None and c.merged_from_above for c in below)


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_section_rows_span_the_table(name: str) -> None:
    exp = _expected(name)
    headers = [_norm(c["header"]) for c in exp["_render"]["task_table_columns"]]
    table = _task_table(load_docx(FIXTURES / f"{name}.docx"), headers)
    checked = 0
    for section in exp["sections"]:
        title = _norm(section["title"])
        rows = [r for r in table.rows if any(title in one_line(c.text) for c in r.cells)]
        assert rows, f"section {section['number']} not found"
        row = rows[0]
        if len(row.cells) > 2:  # a section line that also carries task cells (a row in the gold)
            continue
        checked += 1
        last = row.cells[-1]
        assert last.col + last.col_span == table.n_cols
        if len(row.cells) == 1:
            assert last.col_span == table.n_cols
        else:
            assert _norm(row.cells[0].text) == section["number"]
    stt_null_rows = sum(1 for r in exp["rows"] if r["stt"] is None)
    assert checked >= len(exp["sections"]) - stt_null_rows


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_front_matter_and_pages(name: str) -> None:
    doc = load_docx(FIXTURES / f"{name}.docx")
    exp = _expected(name)
    first = doc.blocks[0]
    assert isinstance(first, Table)  # the issuer | national motto block
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first.rows[0].texts(first.n_cols)[1]
    assert any(exp["_render"]["printed_number_line"] in c.text for c in first.rows[0].cells)
    # Section breaks move to a new page; the task table sits in a landscape section.
    headers = [_norm(c["header"]) for c in exp["_render"]["task_table_columns"]]
    table = _task_table(doc, headers)
    assert len(doc.pages) >= 2 and table.page >= 2
    page = doc.pages[table.page - 1]
    assert page.width is not None and page.height is not None and page.width > page.height
    assert [p.number for p in doc.pages] == list(range(1, len(doc.pages) + 1))
    pages = [b.prov.page for b in doc.paragraphs() if b.prov]
    assert pages == sorted(pages)


def test_corpus_speed() -> None:
    """All six plans (about 15 pages each when printed) load in well under 0.3 s each."""
    for name in CORPUS:
        start = time.perf_counter()
        load_docx(FIXTURES / f"{name}.docx")
        assert time.perf_counter() - start < 0.3


# ---------------------------------------------------------------------------------- crafted


def _save(d: Any, tmp_path: Path, name: str = "t.docx") -> Document:
    """Save a python-docx document in tmp_path and load it back with load_docx."""
    path = tmp_path / name
    d.save(str(path))
    return load_docx(path)


def test_grid_span_and_empty_cell(tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "II. Kiểm soát"
    t.cell(1, 0).text = "1"
    t.cell(1, 2).text = "Quý I"
    table = _save(d, tmp_path).tables()[0]
    assert table.n_cols == 3
    head = table.rows[0].cells
    assert [(c.col, c.col_span, c.text) for c in head] == [(0, 3, "II. Kiểm soát")]
    assert table.rows[1].texts(3) == ["1", "", "Quý I"]
    assert [c.col for c in table.rows[1].cells] == [0, 1, 2]


def test_vertical_merge_repeats_value(tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=4, cols=2)
    t.cell(0, 0).merge(t.cell(2, 0)).text = "Nhiệm vụ A"
    for i, text in enumerate(["kết quả 1", "kết quả 2", "kết quả 3", "kết quả 4"]):
        t.cell(i, 1).text = text
    t.cell(3, 0).text = "Nhiệm vụ B"
    rows = _save(d, tmp_path).tables()[0].rows
    first = rows[0].cells[0]
    assert (first.text, first.row_span, first.merged_from_above) == ("Nhiệm vụ A", 3, False)
    for row in rows[1:3]:
        cell = row.cells[0]
        assert (cell.text, cell.row_span, cell.merged_from_above) == ("Nhiệm vụ A", 1, True)
    assert (rows[3].cells[0].text, rows[3].cells[0].merged_from_above) == ("Nhiệm vụ B", False)
    assert [r.cells[1].text for r in rows] == ["kết quả 1", "kết quả 2", "kết quả 3", "kết quả 4"]


def test_repeating_header_row(tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "STT", "Nhiệm vụ"
    tr_pr = t.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    rows = _save(d, tmp_path).tables()[0].rows
    assert [r.is_header for r in rows] == [True, False, False]


def test_bullets_and_numbering(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Văn bản góp ý", style="List Bullet")
    d.add_paragraph("Quyết định công bố", style="List Bullet")
    d.add_paragraph("Thứ nhất", style="List Number")
    d.add_paragraph("Thứ hai", style="List Number")
    p = d.add_paragraph()
    sym = parse_xml(f'<w:r {nsdecls("w")}><w:sym w:font="Symbol" w:char="F0B7"/><w:tab/><w:t>Sở Tư pháp</w:t></w:r>')
    p._p.append(sym)
    cell = d.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "Cơ quan:"
    cell.add_paragraph("Sở Nội vụ", style="List Bullet")
    cell.add_paragraph("Sở Tài chính", style="List Bullet")
    doc = _save(d, tmp_path)
    assert [b.text for b in doc.paragraphs()] == [
        "- Văn bản góp ý", "- Quyết định công bố", "1. Thứ nhất", "2. Thứ hai", "- Sở Tư pháp",
    ]
    assert doc.tables()[0].rows[0].cells[0].text == "Cơ quan:\n- Sở Nội vụ\n- Sở Tài chính"


def test_auto_numbered_stt_column(tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=3, cols=2)
    for i in range(3):
        t.cell(i, 0).paragraphs[0].style = d.styles["List Number"]  # numbered, no typed text
        t.cell(i, 1).text = f"Nhiệm vụ {i + 1}"
    t.cell(2, 0).paragraphs[0].add_run("ghi chú")
    rows = _save(d, tmp_path).tables()[0].rows
    assert [r.texts(2) for r in rows] == [["1.", "Nhiệm vụ 1"], ["2.", "Nhiệm vụ 2"], ["3. ghi chú", "Nhiệm vụ 3"]]


@pytest.mark.parametrize("n,fmt,text", [
    (4, "upperRoman", "IV"), (14, "lowerRoman", "xiv"), (1, "lowerLetter", "a"), (28, "upperLetter", "BB"),
    (3, "decimalZero", "03"), (12, "decimal", "12"), (5, "ordinalText", "5"),
])
def test_number_formats(n: int, fmt: str, text: str) -> None:
    assert format_number(n, fmt) == text


def test_nested_table_is_flattened(tmp_path: Path) -> None:
    d = docx.Document()
    cell = d.add_table(rows=1, cols=2).cell(0, 1)
    cell.text = "Phân công:"
    inner = cell.add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "Sở Tư pháp", "Quý I"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "Sở Nội vụ", ""
    doc = _save(d, tmp_path)
    assert len(doc.tables()) == 1
    assert doc.tables()[0].rows[0].cells[1].text == "Phân công:\nSở Tư pháp | Quý I\nSở Nội vụ"


def test_page_break_and_landscape_section(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Trang một")
    d.add_page_break()
    d.add_paragraph("Trang hai")
    section = d.add_section()
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    d.add_table(rows=1, cols=1).cell(0, 0).text = "Bảng"
    doc = _save(d, tmp_path)
    assert [(b.text, b.prov.page if b.prov else 0) for b in doc.paragraphs()] == [("Trang một", 1), ("Trang hai", 2)]
    assert doc.tables()[0].page == 3
    assert len(doc.pages) == 3
    portrait, landscape = doc.pages[1], doc.pages[2]
    assert portrait.width is not None and portrait.height is not None and portrait.width < portrait.height
    assert landscape.width is not None and landscape.height is not None and landscape.width > landscape.height


def test_no_breaks_means_one_page(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Một")
    d.add_table(rows=1, cols=1).cell(0, 0).text = "Hai"
    doc = _save(d, tmp_path)
    assert len(doc.pages) == 1
    assert doc.tables()[0].page == 1


def test_rendered_page_break_splits_table_into_pieces(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Trước bảng")
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).merge(t.cell(2, 0)).text = "Nhiệm vụ A"
    for i in range(3):
        t.cell(i, 1).text = f"kết quả {i + 1}"
    # Word laid row 3 out on the next page: the mark starts that row's first paragraph.
    run = t.cell(2, 1).paragraphs[0].runs[0]._r
    run.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    doc = _save(d, tmp_path)
    pieces = doc.tables()
    assert [(p.page, len(p.rows)) for p in pieces] == [(1, 2), (2, 1)]
    carried = pieces[1].rows[0].cells[0]
    assert (carried.text, carried.merged_from_above) == ("Nhiệm vụ A", True)
    assert pieces[0].rows[0].cells[0].row_span == 3
    assert [p.number for p in doc.pages] == [1, 2]


def test_content_controls_text_boxes_and_hidden_text(tmp_path: Path) -> None:
    d = docx.Document()
    body = d.element.body
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr/><w:sdtContent>'
        "<w:p><w:r><w:t>Trong điều khiển nội dung</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    body.insert(0, sdt)
    box = parse_xml(
        f'<w:p {nsdecls("w", "wp", "a")} xmlns:mc="{MC_NS}" xmlns:wps="{WPS_NS}">'
        "<w:r><w:t>Neo</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor>"
        "<a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>Trong hộp chữ</w:t></w:r></w:p>"
        "</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Trong hộp chữ</w:t></w:r></w:p></w:txbxContent>"
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    body.insert(1, box)
    p = d.add_paragraph("Hiện ")
    p.add_run("ẩn").font.hidden = True
    p.add_run("rõ")
    tracked = parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">Quý </w:t></w:r>'
        '<w:del w:id="1" w:author="a"><w:r><w:delText>I</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>II</w:t></w:r></w:ins></w:p>'
    )
    body.insert(len(body) - 1, tracked)
    doc = _save(d, tmp_path)
    assert [b.text for b in doc.paragraphs()] == [
        "Trong điều khiển nội dung", "Neo", "Trong hộp chữ", "Hiện rõ", "Quý II",
    ]


def test_bold_centered_and_cell_paragraphs(tmp_path: Path) -> None:
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("KẾ HOẠCH").bold = True
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("Căn cứ Luật")
    cell = d.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "Dòng một"
    cell.add_paragraph("")
    cell.add_paragraph("Dòng  hai\u00a0 có khoảng trắng")
    doc = _save(d, tmp_path)
    title, plain = doc.paragraphs()
    assert (title.text, title.bold, title.centered) == ("KẾ HOẠCH", True, True)
    assert (plain.bold, plain.centered) == (False, False)
    assert doc.tables()[0].rows[0].cells[0].text == "Dòng một\nDòng hai có khoảng trắng"


# ------------------------------------------------------------------------------------- errors


def _assert_one_line_error(path: Path, fragment: str) -> None:
    assert_one_line_error(load_docx, path, fragment)


def test_error_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    _assert_one_line_error(path, "empty")


def test_error_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "random.docx"
    path.write_bytes(bytes(range(256)) * 8)
    _assert_one_line_error(path, "not a zip")


def test_error_zip_without_word_document(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    _assert_one_line_error(path, "no word/document.xml")


def test_error_corrupt_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document xmlns:w='x'><w:body><w:p>")
    _assert_one_line_error(path, "corrupt XML")


def test_error_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64)
    _assert_one_line_error(path, "encrypted")


def test_error_missing_file(tmp_path: Path) -> None:
    _assert_one_line_error(tmp_path / "absent.docx", "cannot read")
