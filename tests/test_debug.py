"""Tests for the debug view (tthc_extract.debug, `tthc-extract debug`): the intermediates it
returns match what extraction read, and the PNGs it writes show them at the right places."""

from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from tthc_extract import ExtractError, debug
from tthc_extract.cli import app
from tthc_extract.debug_draw import KEPT_LINE, RULE, render
from tthc_extract.debug_view import DebugReport

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# horizontal rules only, STT and task merged over sub-rows, the last sub-row cut over pages 3->4
HRULES = FIXTURES / "probes_layout" / "p10_2_lamdong_2021.lo.pdf"
SCAN = FIXTURES / "ocr" / "issue-4-scan-table.pdf"
runner = CliRunner()


@pytest.fixture(scope="module")
def hrules() -> DebugReport:
    return debug(HRULES)


def test_cells_are_those_of_the_extracted_pieces(hrules: DebugReport) -> None:
    for page in hrules.pages:
        pieces = [t for t in hrules.document.tables() if t.page == page.number]
        assert [t.index for t in page.tables] == [t.index for t in pieces]
        for dt, t in zip(page.tables, pieces, strict=True):
            assert len(dt.cells) == sum(1 for r in t.rows for c in r.cells if not c.merged_from_above)
            assert dt.n_rows == len(t.rows)
    merged = [c for p in hrules.pages for t in p.tables for c in t.cells if c.row_span > 1]
    assert merged, "the STT and task cells merged over sub-rows are cells of their own"


def test_column_boundaries_are_the_grid_columns(hrules: DebugReport) -> None:
    body = [t for p in hrules.pages for t in p.tables]
    assert body
    for t in body:
        assert len(t.columns) == 6  # five columns: Số TT / Nhiệm vụ / Thời hạn / Đơn vị / Kết quả
        assert t.columns == sorted(t.columns)
        assert t.columns[0] == pytest.approx(t.bbox[0], abs=1.0)
        assert t.columns[-1] == pytest.approx(t.bbox[2], abs=1.0)


def test_kept_rows_are_the_plan_rows_on_their_pages(hrules: DebugReport) -> None:
    plan = hrules.plan
    assert len(plan.rows) == 18
    drawn = {(k.number, k.page) for p in hrules.pages for k in p.kept}
    expected = {(n, pg) for n, r in enumerate(plan.rows, start=1) for pg in r.provenance.pages}
    assert drawn == expected
    cut = [n for n, r in enumerate(plan.rows, start=1) if len(r.provenance.pages) == 2]
    assert cut == [18]  # drawn on both pages, each part over the grid rows read there
    parts = [k for p in hrules.pages for k in p.kept if k.number == 18]
    assert [k.page for k in parts] == [3, 4]
    for k in (k for p in hrules.pages for k in p.kept):
        rows = [hrules.document.tables()[t].rows[i] for t, i in k.sources]
        assert all(r.prov is not None and r.prov.page == k.page for r in rows)
        assert k.bbox[1] == pytest.approx(min(r.prov.bbox.top for r in rows if r.prov and r.prov.bbox))


def test_rules_are_the_page_rules(hrules: DebugReport) -> None:
    first, table_page = hrules.page(1), hrules.page(2)
    assert first.tables == [] and first.kept == []
    horizontal = [r for r in table_page.rules if r[1] == r[3]]
    assert len(horizontal) >= table_page.tables[0].n_rows  # a rule under every ruled row at least
    assert not [r for r in table_page.rules if r[0] == r[2]]  # the style has no vertical rules


def test_render_writes_a_png_per_page_of_the_page_size(hrules: DebugReport, tmp_path: Path) -> None:
    paths = render(hrules, tmp_path, dpi=72)
    assert [p.name for p in paths] == [f"{HRULES.name}.page-{n}.png" for n in (1, 2, 3, 4)]
    page = hrules.page(2)
    with Image.open(paths[1]) as im:
        assert im.size == (round(page.width), round(page.height))
        px = im.convert("RGB").load()
        for k in page.kept:  # each kept row is outlined where the report says it is
            assert px[round(k.bbox[0]), round((k.bbox[1] + k.bbox[3]) / 2)] == KEPT_LINE[:3]
        x0, y, x1, _ = next(r for r in page.rules if r[2] - r[0] > 100)
        assert RULE[:3] in {px[round((x0 + x1) / 2), round(y) + d] for d in (-1, 0, 1)}


def test_scan_intermediates_are_drawn_on_the_page_image(tmp_path: Path) -> None:
    report = debug(SCAN)
    assert report.kind == "pdf"
    doc_cells = [c for t in report.document.tables() for r in t.rows for c in r.cells if not c.merged_from_above]
    assert sum(len(t.cells) for p in report.pages for t in p.tables) == len(doc_cells)
    assert len({k.number for p in report.pages for k in p.kept}) == len(report.plan.rows) > 0
    assert all(p.rules for p in report.pages)  # a ruled grid: its rules found on every page
    page = report.page(1)
    (path,) = render(report, tmp_path, page=1, dpi=50)
    with Image.open(path) as im:
        assert im.size == (round(page.width * 50 / 72), round(page.height * 50 / 72))


def test_cli_draws_one_page_and_reports_what_it_saw(tmp_path: Path) -> None:
    res = runner.invoke(app, ["debug", str(HRULES), "--page", "4", "-o", str(tmp_path), "--dpi", "36"])
    assert res.exit_code == 0, res.output
    assert "page 4: 3 rules, 1 table piece(s)" in res.output
    assert "1 row(s) kept" in res.output
    pngs = sorted(tmp_path.glob("*.png"))
    assert [p.name for p in pngs] == [f"{HRULES.name}.page-4.png"]
    assert str(pngs[0]) in res.output


def test_cli_page_out_of_range_and_unpaginated_files(tmp_path: Path) -> None:
    res = runner.invoke(app, ["debug", str(HRULES), "--page", "9", "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "page 9 out of range (1-4)" in res.output
    docx = FIXTURES / "probes_layout" / "p10_2_lamdong_2021.docx"
    res = runner.invoke(app, ["debug", str(docx), "-o", str(tmp_path)])
    assert res.exit_code == 1
    assert "no pages" in res.output
    with pytest.raises(ExtractError, match="no pages"):
        debug(docx)
