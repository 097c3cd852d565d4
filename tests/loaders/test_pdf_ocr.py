"""PDFs whose pages need OCR: detection, merge of OCR'd pages in page order, end to end."""

from pathlib import Path

from tthc_extract.loaders.pdf_ocr import load_pdf_with_ocr, merge_ocr, pages_needing_ocr
from tthc_extract.model.document import Cell, Document, Page, Paragraph, Prov, Table, TableRow
from tthc_extract.model.warnings import warn

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"


def _table(page: int, text: str) -> Table:
    return Table(rows=[TableRow(cells=[Cell(text=text, col=0)])], n_cols=1, page=page)


def test_merge_puts_ocr_pages_in_page_order() -> None:
    typed = Document(
        source="m.pdf", format="pdf",
        pages=[Page(number=1), Page(number=2, needs_ocr=True), Page(number=3)],
        blocks=[Paragraph(text="trang một", prov=Prov(page=1)), _table(1, "a"), _table(3, "c")],
        warnings=[warn("page_needs_ocr", "page 2 has no text layer: needs OCR", page=2),
                  warn("page_needs_ocr", "page 3 has no text layer: needs OCR", page=3)],
    )
    ocr = Document(source="m.pdf", format="pdf", pages=[Page(number=2, ocr_done=True)],
                   blocks=[Paragraph(text="trang hai", prov=Prov(page=2)), _table(2, "b")])
    merged = merge_ocr(typed, ocr, [2])
    assert [b.text if isinstance(b, Paragraph) else b.rows[0].cells[0].text for b in merged.blocks] == [
        "trang một", "a", "trang hai", "b", "c"
    ]
    assert [t.index for t in merged.tables()] == [0, 1, 2]
    # the warning of the page OCR read goes; page 3's (not read) stays
    assert merged.pages[1].ocr_done and [w.page for w in merged.warnings] == [3]


def test_garbage_text_layer_is_sent_to_ocr() -> None:
    doc = Document(source="g.pdf", format="pdf", pages=[Page(number=1), Page(number=2)], blocks=[
        Paragraph(text="Căn cứ Nghị định số 63/2010/NĐ-CP của Chính phủ về kiểm soát thủ tục hành chính", prov=Prov(page=1)),
        Paragraph(text="Qmxfs fs mzk Ĉ¿Ëđ ÿ3Ò Qmxfs fs mzk Ĉ¿Ëđ ÿ3Ò Qmxfs fs mzk Ĉ¿Ëđ ÿ3Ò", prov=Prov(page=2)),
    ])
    assert pages_needing_ocr(doc) == [2]
    assert doc.pages[1].needs_ocr and [(w.code, w.page) for w in doc.warnings] == [("page_text_garbled", 2)]


def test_image_only_page_is_read_by_ocr() -> None:
    doc = load_pdf_with_ocr(FIX / "scan_page.pdf")
    assert doc.pages[0].ocr_done and not any(w.code == "page_needs_ocr" for w in doc.warnings)
    text = " ".join(p.text for p in doc.paragraphs())
    assert "QUYẾT ĐỊNH" in text and "Quảng Bình" in text
