"""The review site: one row line per extracted row, a crop per PDF row box, charts, nothing fetched from a network."""

from __future__ import annotations

import re
from pathlib import Path

from tthc_extract import extract
from tthc_extract.review import build_site

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "002_c4b107cd9cf43351.std.pdf"


def test_site_shows_every_row_beside_its_crop(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    plan = extract(SAMPLE)
    (out / f"{SAMPLE.name}.json").write_text(plan.model_dump_json(), encoding="utf-8")
    site = tmp_path / "site"
    assert build_site(out, site) == 1
    (page,) = (site / "docs").glob("*.html")
    text = page.read_text(encoding="utf-8")
    assert len(re.findall(r'<tr class="row', text)) == len(plan.rows)
    crops = re.findall(r'class="crop" loading="lazy" src="\.\./([^"]+)"', text)
    assert len(crops) == sum(len(r.provenance.boxes) for r in plan.rows) > 0
    assert all((site / c).stat().st_size > 0 for c in crops)
    for name in ("agencies", "deadlines", "documents"):
        assert (site / "charts" / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    for html in [page, site / "index.html", site / "view.html"]:
        assert "http://" not in html.read_text(encoding="utf-8").replace("http://www.w3.org", "")
        assert "https://" not in html.read_text(encoding="utf-8")
