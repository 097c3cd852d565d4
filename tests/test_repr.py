"""A plan, a row and a loaded document show as one line in a REPL and as a short HTML summary in a notebook."""

from __future__ import annotations

from pathlib import Path

from tthc_extract import extract
from tthc_extract.loaders import load

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TEXT = SAMPLES / "001_62a13cda74406132.txt"


def test_plan_of_a_text_file_shows_lines_not_crops() -> None:
    plan = extract(TEXT)
    assert repr(plan) == (f"Plan(source='{TEXT.name}', format='text', status='success', rows={len(plan.rows)}, "
                          f"prose_tasks={len(plan.prose_tasks)}, warnings={len(plan.warnings)})")
    html = plan._repr_html_()
    assert "data:image" not in html and "Quảng Ngãi" in html
    assert html.count("<tr><td>") == 5 and f"… {len(plan.rows) - 5} more rows" in html
    assert "<small>lines " in plan.rows[0]._repr_html_()
    assert len(repr(plan.rows[0])) < 300 and repr(plan.rows[0]).startswith(f"TaskRow(row_id='{plan.rows[0].row_id}'")


def test_plan_whose_pdf_is_gone_shows_no_crops(tmp_path: Path) -> None:
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes((SAMPLES / "002_c4b107cd9cf43351.std.pdf").read_bytes())
    plan = extract(pdf)
    assert plan._repr_html_().count("data:image/png;base64,") == 5
    pdf.unlink()
    html = plan._repr_html_()
    assert "data:image" not in html and "<small>pages " in html


def test_document_repr_counts_pages_and_blocks() -> None:
    doc = load(TEXT)
    assert repr(doc) == (f"Document(source='{TEXT}', format='text', pages={len(doc.pages)}, "
                         f"blocks={len(doc.blocks)}, tables={len(doc.tables())})")
    assert f"{len(doc.tables())} table pieces" in doc._repr_html_()
