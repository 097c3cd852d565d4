"""Tests for tthc_extract.loaders.ocr: the scanned fixture read into the document model and
through the whole pipeline, images, page selection, text-layer checks, missing Tesseract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import regex as re
from PIL import Image
from rapidfuzz.fuzz import ratio

from tthc_extract.errors import ExtractError, MissingToolError
from tthc_extract.loaders.ocr import load_image, ocr_pdf
from tthc_extract.loaders.pdf_ocr import text_layer_is_garbage
from tthc_extract.model.document import Document, Page, Table
from tthc_extract.pipeline import plan_from_document
from tthc_extract.settings import TESSERACT_ENV as ENV_BINARY
from tthc_extract.text.normalize import one_line

from .conftest import FIXTURES, SCAN, STAMP

HEADER = ["STT", "Nhiệm vụ", "Kết quả công việc", "Cơ quan thực hiện", "Thời hạn"]


def _tables(doc: Document) -> list[Table]:
    """Return the table pieces of a document."""
    return doc.tables()


def test_pages_are_marked_ocr_done_with_their_size(scan_doc: Document) -> None:
    assert scan_doc.format == "pdf"
    assert [(p.number, p.needs_ocr, p.ocr_done) for p in scan_doc.pages] == [(1, True, True), (2, True, True)]
    assert scan_doc.pages[0].width == pytest.approx(842.04, abs=0.5)
    assert not any(p.pending_ocr for p in scan_doc.pages)


def test_one_table_piece_per_page_with_the_header_titles(scan_doc: Document) -> None:
    tables = _tables(scan_doc)
    assert [(t.page, t.n_cols, t.index) for t in tables] == [(1, 5, 0), (2, 5, 1)]
    for t in tables:
        titles = t.rows[0].texts(t.n_cols)
        for got, want in zip(titles, HEADER, strict=True):
            assert ratio(got, want) >= 90, (got, want)
    assert tables[1].rows[0].is_header  # the header repeated on the second page is marked


def test_merged_cells_follow_the_model_conventions(scan_doc: Document) -> None:
    t = _tables(scan_doc)[0]
    rows = t.rows
    section = rows[1].cells
    assert len(section) == 1 and section[0].col_span == 5 and section[0].text.startswith("I. Hoàn thiện")
    first, second, third = rows[2], rows[3], rows[4]
    task = first.cell_at(1)
    assert task is not None and task.row_span == 3 and not task.merged_from_above
    assert task.text.startswith("Ban hành các quy chế")
    for r in (second, third):
        cont = r.cell_at(1)
        assert cont is not None and cont.merged_from_above and cont.text == task.text
    assert [one_line(r.cell_at(4).text) for r in (first, second, third)] == [  # type: ignore[union-attr]
        "Trong năm 2022", "Quý I năm 2022", "Thường xuyên trong năm"]


def test_cells_carry_confidence_and_page_boxes_in_points(scan_doc: Document) -> None:
    t = _tables(scan_doc)[0]
    page = scan_doc.pages[0]
    assert page.width is not None and page.height is not None
    for row in t.rows:
        for c in row.cells:
            assert c.prov is not None and c.prov.bbox is not None and c.prov.page == 1
            b = c.prov.bbox
            assert 0 <= b.x0 < b.x1 <= page.width and 0 <= b.top < b.bottom <= page.height
            if c.text:
                assert c.confidence is not None and 0.5 <= c.confidence <= 1.0
    assert t.bbox is not None and t.bbox.x1 - t.bbox.x0 > 0.8 * page.width


def test_text_outside_tables_is_read_as_paragraphs(scan_doc: Document) -> None:
    texts = [p.text for p in scan_doc.paragraphs()]
    assert "KẾ HOẠCH" in texts
    assert any(ratio(t, "Hoạt động kiểm soát thủ tục hành chính của tỉnh Quảng Bình năm 2022") >= 95
               for t in texts)


# --- the whole pipeline on the fixture, scored the way ../shared/tools/score.py scores ----------


def _norm(s: Any) -> str:
    """Return a field as the scorer compares it (lower case, quotes and bullets out)."""
    s = re.sub(r"[\*\u2022\u2013\u2014•·“”\"'’‘]", " ", str(s or "").casefold())
    s = re.sub(r"(^|\s)[-+](\s|$)", " ", s)
    return re.sub(r"\s+", " ", s).strip(" .;,:")


def _set_f1(gold: list[str], pred: list[str]) -> float:
    """Return the fuzzy set F1 of two agency lists (items match at ratio >= 85)."""
    if not gold and not pred:
        return 1.0
    used: set[int] = set()
    tp = 0
    for g in gold:
        best = max(((ratio(_norm(g), _norm(p)), j) for j, p in enumerate(pred) if j not in used), default=(0.0, -1))
        if best[0] >= 85:
            used.add(best[1])
            tp += 1
    return 0.0 if tp == 0 else 2 * tp / (len(gold) + len(pred))


def test_pipeline_reads_the_rows_of_the_scan(scan_doc: Document) -> None:
    gold = json.loads((FIXTURES / "issue-4-scan-table.expected.json").read_text(encoding="utf-8"))["rows"]
    plan = plan_from_document(scan_doc)
    pred = [r.model_dump() for r in plan.rows]
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    free = list(range(len(pred)))
    for g in gold:
        def sim(p: dict[str, Any], g: dict[str, Any] = g) -> float:
            return (ratio(_norm(g["task"]), _norm(p["task"])) + ratio(_norm(g["result"]), _norm(p["result"]))) / 2
        j = max(free, key=lambda j: sim(pred[j]))
        if sim(pred[j]) >= 80:
            pairs.append((g, pred[j]))
            free.remove(j)
    # The piece ends with a row that goes on to page 5 of the source: one extra row is allowed.
    assert len(pairs) == len(gold) and len(pred) <= len(gold) + 1
    n = len(pairs)
    task = sum(ratio(_norm(g["task"]), _norm(p["task"])) >= 95 for g, p in pairs) / n
    result = sum(ratio(_norm(g["result"]), _norm(p["result"])) >= 95 for g, p in pairs) / n
    kind = sum(g["deadline"]["kind"] == p["deadline"]["kind"] for g, p in pairs) / n
    agencies = sum(_set_f1(g["lead"] + g["support"], [a["name"] for a in p["lead_agencies"] + p["support_agencies"]])
                   for g, p in pairs) / n
    stt = sum(g["stt"] == p["stt"] for g, p in pairs) / n
    section = sum(g["section"] == p["section"] for g, p in pairs) / n
    assert (task, result, kind) >= (0.85, 0.85, 0.9), (task, result, kind)
    assert task >= 0.85 and result >= 0.85 and kind >= 0.9 and agencies >= 0.8
    assert stt >= 0.9 and section >= 0.9
    assert all(p["confidence"] is not None for _, p in pairs)


# --- other inputs ---------------------------------------------------------------------------


def test_selected_pages_only() -> None:
    doc = ocr_pdf(SCAN, pages=[2])
    assert [p.number for p in doc.pages] == [2]
    assert [t.page for t in doc.tables()] == [2]
    with pytest.raises(ExtractError):
        ocr_pdf(SCAN, pages=[3])


def test_image_files_including_multi_page_tiff(tmp_path: Path) -> None:
    doc = load_image(STAMP)
    assert doc.format == "image" and len(doc.pages) == 1 and doc.pages[0].ocr_done
    assert any("Trần Thắng" in p.text for p in doc.paragraphs())
    tiff = tmp_path / "scan.tif"
    im = Image.open(STAMP)
    im.save(tiff, save_all=True, append_images=[im], dpi=(200, 200))
    assert [p.number for p in load_image(tiff).pages] == [1, 2]


def test_unreadable_image_is_an_extract_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(ExtractError, match="cannot read image"):
        load_image(bad)


def test_missing_tesseract_stops_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BINARY, "/nonexistent/tesseract")
    with pytest.raises(MissingToolError, match="apt-get install -y tesseract-ocr tesseract-ocr-vie"):
        ocr_pdf(SCAN)
    with pytest.raises(MissingToolError):
        load_image(STAMP)


def test_needs_ocr_document() -> None:
    doc = Document(source="x.pdf", format="pdf", pages=[Page(number=1), Page(number=2, needs_ocr=True)])
    assert any(p.pending_ocr for p in doc.pages)
    doc.pages[1].ocr_done = True
    assert not any(p.pending_ocr for p in doc.pages)


@pytest.mark.parametrize(("text", "garbage"), [
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;", False),
    ("KẾ HOẠCH Hoạt động kiểm soát thủ tục hành chính năm 2022 (Ban hành kèm theo ...)", False),
    ("STT Nhiệm vụ Kết quả 1. 2. 3. - Sở TT&TT; UBND cấp huyện 30/4/2022", False),
    ("", True),
    ("   \n ", True),
    ("ĈÈ¿Ëđ ÿ3Ò ¾ÅÆ ÇÈÉ ÊËÌ ÍÎÏ ÐÑÒ ÓÔÕ Ö×Ø ÙÚÛ", True),  # a broken font encoding
    ("Qmxfs fs mzk Bnd trng cpx dnh Th Xdt wrz", True),  # shifted letters, no vowels
    ("■■■ ▲▲▲ ●●● ◆◆◆ ★★★", True),
])
def test_text_layer_is_garbage(text: str, garbage: bool) -> None:
    assert text_layer_is_garbage(text) is garbage
