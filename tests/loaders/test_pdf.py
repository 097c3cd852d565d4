"""Tests of the born-digital PDF loader on the development corpus and on hand-made edge cases."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from tests.errors import assert_one_line_error
from tthc_extract.layout.paragraphs import join_lines, layout_blocks
from tthc_extract.layout.stream import column_separators
from tthc_extract.layout.words import Line, Word
from tthc_extract.loaders.pdf import load_pdf
from tthc_extract.loaders.pdf_tables import closing_rules
from tthc_extract.loaders.pdf_text import drop_overprint
from tthc_extract.model.document import Cell, Document, Table, TableRow
from tthc_extract.text.normalize import clean_text

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
CORPUS = sorted((FIX / "corpus").glob("*.pdf"))
EXPECTED: dict[str, Any] = json.loads((FIX / "corpus_expected.json").read_text(encoding="utf-8"))


@functools.cache
def load(path: Path) -> Document:
    """Load each fixture once per test session."""
    return load_pdf(path)


def flat(text: str | None) -> str:
    """Return text normalised and on one line, for comparing with the expected readings."""
    return clean_text(text or "", keep_lines=False)


def body_rows(table: Table) -> list[TableRow]:
    """Return a piece's rows without the repeated header rows."""
    return [r for r in table.rows if not r.is_header]


def cell_texts(doc: Document) -> set[str]:
    """Return every cell text, plus each page-break pair joined (last row + next piece's first)."""
    out: set[str] = set()
    tables = doc.tables()
    for i, t in enumerate(tables):
        out.update(flat(c.text) for r in t.rows for c in r.cells)
        nxt = tables[i + 1] if i + 1 < len(tables) else None
        if nxt is None or nxt.page != t.page + 1 or not body_rows(nxt) or not t.rows:
            continue
        first = body_rows(nxt)[0]
        for c in t.rows[-1].cells:
            other = first.cell_at(c.col)
            if other is not None:
                out.add(flat(f"{c.text} {other.text}"))
    return out


# ------------------------------------------------------------------ the corpus (std and swap)


def test_corpus_fixtures_present() -> None:
    assert len(CORPUS) == 6
    assert {p.name for p in CORPUS} == set(EXPECTED)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_header_row(path: Path) -> None:
    doc = load(path)
    first = doc.tables()[0]
    exp = EXPECTED[path.name]
    assert doc.format == "pdf" and first.method == "lattice"
    assert first.n_cols == len(exp["header"])
    assert [flat(t) for t in first.rows[0].texts(first.n_cols)] == [flat(h) for h in exp["header"]]
    assert first.rows[0].is_header  # repeated on the next pages, so marked


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_rows_found_in_cells(path: Path) -> None:
    doc = load(path)
    texts = cell_texts(doc)
    missing = [(fld, row[fld]) for row in EXPECTED[path.name]["rows"] for fld in ("task", "result")
               if row[fld] and flat(row[fld]) not in texts]
    assert not missing


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_merged_task_cells_repeat_parent(path: Path) -> None:
    doc = load(path)
    col = EXPECTED[path.name]["task_col"]
    merged = 0
    for t in doc.tables():
        origin: Cell | None = None
        for r in t.rows:
            c = r.cell_at(col)
            assert c is not None
            if c.merged_from_above:  # (empty at the top of a page: the text is on the page before)
                assert origin is not None and c.text == origin.text
                merged += bool(c.text)
            else:
                origin = c
    # every task with sub-rows shows as one cell spanning rows
    groups: dict[str, int] = {}
    for row in EXPECTED[path.name]["rows"]:
        groups[flat(row["task"])] = groups.get(flat(row["task"]), 0) + 1
    # ... or as the last cell of a page whose rest spans rows at the top of the next page
    spanning: list[str] = []
    tables = doc.tables()
    for i, t in enumerate(tables):
        spanning += [flat(c.text) for r in t.rows for c in r.cells if c.col == col and c.row_span > 1]
        nxt = body_rows(tables[i + 1])[0].cell_at(col) if i + 1 < len(tables) else None
        last = t.rows[-1].cell_at(col)
        if nxt is not None and nxt.row_span > 1 and last is not None:
            spanning.append(flat(last.text))
    for task, n in groups.items():
        if n > 1:
            assert any(s and s in task for s in spanning), task
    assert merged >= sum(1 for n in groups.values() if n > 1)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_section_rows_span_the_table(path: Path) -> None:
    doc = load(path)
    checked = 0
    for title in EXPECTED[path.name]["sections"]:  # the cell reads "I. <title>" or "<title>"
        hits = [(t, r, c) for t in doc.tables() for r in t.rows for c in r.cells
                if flat(c.text).endswith(flat(title)) and len(flat(c.text)) - len(flat(title)) <= 6]
        assert hits, title
        t, r, c = max(hits, key=lambda h: h[2].col_span)  # a task may read like a section title
        if any(x.text for x in r.cells if x is not c and x.col != 0):
            continue  # a "section" line that carries a result etc. is really a task (GOLD_SPEC)
        checked += 1
        assert sum(x.col_span for x in r.cells) == t.n_cols
        if ".std." in path.name:  # "I. Title" in one cell over the whole width
            assert c.col == 0 and c.col_span == t.n_cols
        else:  # "I" in the STT column, the title over all the others
            assert c.col_span == t.n_cols - 1
    assert checked >= 3


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_paragraphs_carry_the_metadata(path: Path) -> None:
    doc = load(path)
    exp = EXPECTED[path.name]
    paras = [p.text for p in doc.paragraphs()]
    text = "\n".join(paras)
    assert flat(exp["number_line"]) in text
    assert exp["date_words"] in text
    assert exp["signer"] in paras
    # the two-column header reads column by column: never issuer and motto on one line
    assert not any("CỘNG HÒA" in p and "ỦY BAN" in p for p in paras)
    # table text is not repeated as paragraphs
    assert not any(flat(h) == p for h in exp["header"][1:] for p in paras)
    assert not doc.warnings and not any(p.needs_ocr for p in doc.pages)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_pages_and_page_break_hints(path: Path) -> None:
    doc = load(path)
    assert [p.number for p in doc.pages] == list(range(1, len(doc.pages) + 1))
    assert any(p.width and p.height and p.width > p.height for p in doc.pages)  # landscape
    assert any(p.width and p.height and p.width < p.height for p in doc.pages)  # portrait
    tables = doc.tables()
    assert [t.index for t in tables] == list(range(len(tables)))
    flagged = [t for t in tables if any(r.split_from_previous_page for r in t.rows)]
    assert flagged
    for t in flagged:
        row = body_rows(t)[0]
        assert row.split_from_previous_page
        first = row.cell_at(0)
        assert first is not None and first.text == ""


def test_words_are_not_split_inside_syllables() -> None:
    doc = load(FIX / "corpus" / "000_ddb247df984a7d22.std.pdf")
    words = {w for t in doc.tables() for r in t.rows for c in r.cells for w in c.text.split()}
    words |= {w for p in doc.paragraphs() for w in p.text.split()}
    assert {"Nghị", "định", "hướng", "thường", "Quảng", "Bình"} <= words | {w.lower() for w in words}
    assert not {"Ngh", "ị", "ư", "ờ"} & words


# ------------------------------------------------------------------ hand-made edge cases


@pytest.mark.parametrize("name", ["cut_rule.pdf", "cut_rule_rects.pdf"])
def test_cut_rule_table(name: str) -> None:
    """Rules drawn as lines, or as thin filled boxes (Word's way): the same table comes out."""
    doc = load(FIX / name)
    p1, p2 = doc.tables()
    assert (p1.page, p2.page, p1.n_cols, p2.n_cols) == (1, 2, 5, 5)
    texts = [r.texts(5) for r in p1.rows]
    assert texts[0] == ["STT", "Nhiệm vụ", "Kết quả", "Cơ quan thực hiện", "Thời hạn"]
    section = p1.rows[1].cells
    assert len(section) == 1 and section[0].col_span == 5
    assert section[0].text == "I. Nhiệm vụ chung của các cơ quan"
    first, sub = p1.rows[2], p1.rows[3]
    task = first.cell_at(1)
    assert task is not None and task.row_span == 2 and task.text == "Kiểm soát quy định thủ tục hành chính"
    sub_task = sub.cell_at(1)
    assert sub_task is not None and sub_task.merged_from_above and sub_task.text == task.text
    # combining marks typed after the letter come out composed, in one word
    assert first.texts(5)[2].startswith("Kiểm tra, đánh giá các quy định về thủ tục hành chính trong")
    assert sub.texts(5)[3] == "- Sở Tư pháp;\n- Văn phòng UBND tỉnh."  # typed breaks kept
    merged = p1.rows[4].cell_at(4)
    assert merged is not None and merged.col == 3 and merged.col_span == 2
    # the last row has no rule under it: still read, and continued on page 2
    last = p1.rows[-1].texts(5)
    assert last[0] == "3" and last[2].endswith("của tỉnh theo")
    assert [r.is_header for r in p2.rows] == [True, False, False]
    cont = p2.rows[1]
    assert cont.split_from_previous_page and cont.texts(5)[2] == "đúng quy định."
    assert not p2.rows[2].split_from_previous_page


def test_closing_rules_join_dangling_column_rules() -> None:
    def v(x: float, top: float, bottom: float) -> dict[str, Any]:
        return {"orientation": "v", "x0": x, "x1": x, "top": top, "bottom": bottom}

    def h(y: float) -> dict[str, Any]:
        return {"orientation": "h", "x0": 50.0, "x1": 250.0, "top": y, "bottom": y}

    edges = [h(100), v(50, 100, 300), v(150, 100, 300), v(250, 100, 300)]
    (rule,) = closing_rules(edges)
    assert (rule["top"], rule["x0"], rule["x1"], rule["closing"]) == (300, 50, 250, "bottom")
    assert closing_rules([*edges, h(300)]) == []


def test_rules_only_table_is_read_by_alignment() -> None:
    (table,) = load(FIX / "rules_only.pdf").tables()
    assert table.method == "hrules" and table.n_cols == 4
    rows = [r.texts(4) for r in table.rows]
    assert rows[0] == ["STT", "Nội dung", "Đơn vị chủ trì", "Thời hạn"]
    assert table.rows[1].cells[0].col_span == 4
    assert rows[2] == ["1", "Rà soát quy định, thủ tục hành chính thuộc phạm vi quản lý", "Sở Tư pháp", "Quý II"]
    assert rows[4] == ["3", "Kiểm tra việc thực hiện cơ chế một cửa tại các huyện", "Văn phòng UBND tỉnh",
                       "Quý III"]


def test_table_without_rules_between_body_text_and_signature() -> None:
    doc = load(FIX / "no_rules.pdf")
    (table,) = doc.tables()
    assert table.method == "stream" and table.n_cols == 4 and len(table.rows) == 5
    assert table.rows[4].texts(4)[1] == "Kiểm tra việc thực hiện cơ chế một cửa tại các huyện"
    paras = [p.text for p in doc.paragraphs()]
    assert paras[0].startswith("Căn cứ Nghị định số 63/2010/NĐ-CP")
    assert "Nơi nhận:" in paras and "Nguyễn Văn A" in paras
    assert not any("Sở Tư pháp" in p or "cửa tại các huyện" in p for p in paras)
    assert [type(b).__name__ for b in doc.blocks][:2] == ["Paragraph", "Table"]


def test_rotated_page_reads_like_the_upright_one() -> None:
    doc = load(FIX / "rotated.pdf")
    assert all(p.width == 842 and p.height == 595 for p in doc.pages)
    upright, rotated = doc.tables()
    assert rotated.page == 2
    assert [r.texts(5) for r in rotated.rows] == [r.texts(5) for r in upright.rows]
    assert rotated.rows[1].texts(5)[1] == "Rà soát thủ tục hành chính"


def test_sideways_text_without_rotate_needs_ocr() -> None:
    doc = load(FIX / "sideways.pdf")
    assert [p.needs_ocr for p in doc.pages] == [True]
    assert [(w.code, w.stage, w.message, w.page) for w in doc.warnings] == [
        ("page_needs_ocr", "load", "page 1 has its text turned sideways: needs OCR", 1)]


def test_image_only_page_needs_ocr() -> None:
    doc = load(FIX / "scan_page.pdf")
    assert [p.needs_ocr for p in doc.pages] == [True]
    assert [(w.code, w.message, w.page) for w in doc.warnings] == [
        ("page_needs_ocr", "page 1 has no text layer: needs OCR", 1)]
    assert doc.blocks == []


# ------------------------------------------------------------------ errors


def _assert_one_line_error(path: Path, needle: str) -> None:
    assert_one_line_error(load_pdf, path, needle)


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    _assert_one_line_error(p, "empty file")


def test_random_bytes(tmp_path: Path) -> None:
    p = tmp_path / "random.pdf"
    p.write_bytes(bytes(range(256)) * 20)
    _assert_one_line_error(p, "not a PDF")


def test_garbage_after_pdf_header(tmp_path: Path) -> None:
    p = tmp_path / "garbage.pdf"
    p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    _assert_one_line_error(p, "corrupt PDF")


def test_truncated_pdf(tmp_path: Path) -> None:
    data = (FIX / "cut_rule.pdf").read_bytes()
    p = tmp_path / "truncated.pdf"
    p.write_bytes(data[: len(data) // 2])
    _assert_one_line_error(p, "corrupt PDF")


def test_encrypted_pdf() -> None:
    _assert_one_line_error(FIX / "encrypted.pdf", "encrypted PDF")


def test_missing_file(tmp_path: Path) -> None:
    _assert_one_line_error(tmp_path / "nope.pdf", "no such file")


# ------------------------------------------------------------------ text layout units


def _line(*spec: tuple[str, float, float], top: float = 100.0, size: float = 10.0, bold: bool = False) -> Line:
    """Build a line from (text, x0, x1) words."""
    return Line([Word(t, a, b, top, top + size, size, bold) for t, a, b in spec])


def test_join_lines_wraps_and_typed_breaks() -> None:
    full = _line(("Xây", 10, 30), ("dựng", 33, 60), ("kế", 63, 75), ("hoạch", 78, 108), top=0)
    short = _line(("năm", 10, 30), ("2023.", 33, 60), top=12)
    bullet = _line(("-", 10, 14), ("Sở", 17, 30), top=24)
    # "năm" (20 pt) does not fit after "hoạch" in a 110 pt box: a wrap
    assert join_lines([full, short], 10, 110) == "Xây dựng kế hoạch năm 2023."
    # a bullet always starts a new line; so does a word that would have fitted
    assert join_lines([short, bullet], 10, 110) == "năm 2023.\n- Sở"
    assert join_lines([short, _line(("Văn", 10, 30), top=24)], 10, 110) == "năm 2023.\nVăn"
    # after a full line, a dash opens an item only in a list or after punctuation
    dash = _line(("-", 10, 14), ("Kiểm", 17, 40), top=12)
    assert join_lines([full, dash], 10, 110) == "Xây dựng kế hoạch - Kiểm"
    item = _line(("-", 10, 14), ("Sở", 17, 30), ("Nội", 33, 50), ("vụ", 53, 108), top=0)
    assert join_lines([item, dash], 10, 110) == "- Sở Nội vụ\n- Kiểm"
    # a word cut after its hyphen is glued back
    hyph = _line(("Đề", 10, 25), ("án", 28, 40), ("468/QĐ-", 43, 108), top=0)
    assert join_lines([hyph, _line(("TTg).", 10, 35), top=12)], 10, 110) == "Đề án 468/QĐ-TTg)."
    # a word split by a font change (no gap) is one word
    assert _line(("Vi", 10, 20), ("ệ", 20, 26), ("t", 26, 30)).text() == "Việt"


def test_two_column_block_reads_column_by_column() -> None:
    left = [("ỦY", 60, 80), ("BAN", 83, 110)]
    right = [("CỘNG", 300, 340), ("HÒA", 343, 370)]
    lines = [
        _line(*left, *right, top=50, bold=True),
        _line(("TỈNH", 62, 90), ("X", 93, 100), ("Độc", 310, 330), ("lập", 333, 350), top=65, bold=True),
        _line(("Số:", 65, 80), ("1/QĐ", 83, 110), ("Hà", 305, 320), ("Nội,", 323, 345), top=80),
        _line(("QUYẾT", 200, 240), ("ĐỊNH", 243, 280), top=120, bold=True),
    ]
    groups = layout_blocks(lines, 1)
    texts = [p.text for _, paras in groups for p in paras]
    assert texts == ["ỦY BAN TỈNH X", "Số: 1/QĐ", "CỘNG HÒA", "Độc lập", "Hà Nội,", "QUYẾT ĐỊNH"]


def test_overprinted_characters_are_read_once() -> None:
    def char(t: str, x: float) -> dict[str, Any]:
        return {"text": t, "x0": x, "x1": x + 6.0, "top": 10.0, "bottom": 20.0}

    chars = [char("Q", 0), char("Q", 0.3), char("U", 6), char("U", 6.3), char("A", 12), char("A", 18)]
    assert [c["text"] for c in drop_overprint(chars)] == ["Q", "U", "A", "A"]


def test_column_separators_ignore_a_lone_wide_word_gap() -> None:
    lines = [
        _line(("1", 64, 70), ("Rà", 104, 120), ("soát", 123, 150), ("Sở", 304, 320), top=0),
        _line(("2", 64, 70), ("Công", 104, 130), ("bố", 133, 150), ("Văn", 304, 325), ("tỉnh", 331, 350), top=20),
    ]
    seps = column_separators(lines, 60, 400)
    assert len(seps) == 2 and 70 < seps[0] < 104 and 150 < seps[1] < 304


def test_column_separators_allow_a_title_across_two_columns() -> None:
    # a section title written from the task column into the agency column cuts the white column
    # between them on one line of eight: still a column separator
    rows = [
        _line(("1", 64, 70), ("Rà", 104, 120), ("soát", 123, 200), ("Sở", 230, 260), ("Quý", 330, 360), top=20 * k)
        for k in range(7)
    ]
    title = _line(("I", 64, 70), ("KIỂM", 104, 140), ("SOÁT", 143, 215), ("QUY", 218, 245), top=200)
    seps = column_separators([*rows, title], 60, 400)
    assert len(seps) == 3 and 70 < seps[0] < 104 and 200 < seps[1] < 230 and 260 < seps[2] < 330


def test_column_separators_do_not_cut_a_lone_header_word() -> None:
    # "STT" is wider than the numbers under it: the separator goes right of it, not through it
    lines = [_line(("STT", 57, 78), ("Nhiệm", 144, 175), ("vụ", 178, 194), ("Kết", 300, 320), top=0)]
    lines += [_line((str(k), 57, 62), ("Rà", 90, 102), ("soát", 105, 125), ("Báo", 300, 320), top=15 * k)
              for k in range(1, 8)]
    seps = column_separators(lines, 50, 400)
    assert len(seps) == 2 and 78 < seps[0] < 90 and 194 < seps[1] < 300


def test_stream_grid_keeps_a_title_run_in_one_cell() -> None:
    from tthc_extract.layout.stream import _stream_grid

    # a title run crosses the edge at x=216.5 in a word space (3 pt at 10 pt): one cell from
    # column 1 to 3, while the row under it, a wider gap apart, keeps its two cells
    title = _line(("KIỂM", 104, 140), ("SOÁT", 143, 215), ("CHÍNH", 218, 250), top=10)
    row = _line(("Rà", 104, 212), ("Sở", 221, 250), top=30)
    g = _stream_grid([title, row], [60, 100, 216.5, 400], [5, 25, 45])
    assert [(c.r0, c.c0, c.c1) for c in g.cells] == [(0, 0, 1), (0, 1, 3), (1, 0, 1), (1, 1, 2), (1, 2, 3)]


def test_join_lines_glues_a_number_broken_at_the_box_edge() -> None:
    # "30/11/2024" is wider than its 45 pt box: the last digit went to the next line
    first = _line(("Trước", 10, 40), top=0)
    second = _line(("ngày", 10, 32), top=12)
    cut = _line(("30/11/202", 10, 54.2), top=24)
    last = _line(("4", 10, 15.5), top=36)
    assert join_lines([first, second, cut, last], 10, 55) == "Trước ngày 30/11/2024"
    # a full word line followed by a word, or a short number, stays a wrap with a space
    assert join_lines([_line(("Tháng", 10, 54.5), top=0), _line(("6/2024", 10, 40), top=12)], 10, 55) == "Tháng 6/2024"
    assert join_lines([_line(("Quý", 10, 30), top=0), _line(("3/2024", 10, 40), top=12)], 10, 55) == "Quý 3/2024"
