"""The review site: one row line per extracted row, a crop per PDF row box, charts, nothing fetched from a network."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from tthc_extract import extract
from tthc_extract.model.warnings import warn
from tthc_extract.names import json_bytes, shown
from tthc_extract.review import build_site
from tthc_extract.review.site import INDEX_PAGE

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
    for written in [page, site / "index.html", site / "view.html"]:
        assert "http://" not in written.read_text(encoding="utf-8").replace("http://www.w3.org", "")
        assert "https://" not in written.read_text(encoding="utf-8")


# "A few MB" at most for any one HTML file of the site.
MAX_HTML_BYTES = 3_000_000


def test_site_of_1000_documents_is_paged_and_no_html_is_large(tmp_path: Path) -> None:
    """1000 small plans (one extracted plan, cut to 5 rows and renamed) give ten index pages, one page
    per document, no HTML file over a few MB, and crops only as lazy images."""
    plan = extract(SAMPLE.with_name("002_c4b107cd9cf43351.txt"))
    base = plan.model_dump(mode="json")
    base["rows"] = base["rows"][:5]
    out = tmp_path / "out"
    provinces = ["Tiền Giang", "Quảng Ngãi", "Hà Nội", "Cà Mau"]
    for i in range(1000):
        doc = dict(base, source=f"plan_{i:04d}.txt", file=str(tmp_path / f"plan_{i:04d}.txt"))
        doc["document"] = dict(base["document"], province=provinces[i % 4], plan_year=2020 + i % 5)
        folder = out / f"batch{i // 250}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"plan_{i:04d}.txt.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    site = tmp_path / "site"
    assert build_site(out, site) == 1000
    pages = sorted(site.glob("index*.html"))
    assert len(pages) == 1000 // INDEX_PAGE
    listed = [re.findall(r'<tr class="doc"><td><a href="(docs/[^"]+)"', p.read_text(encoding="utf-8")) for p in pages]
    assert sorted(x for ls in listed for x in ls) == sorted(f"docs/{p.name}" for p in (site / "docs").glob("*.html"))
    assert len({x for ls in listed for x in ls}) == 1000
    htmls = list(site.rglob("*.html"))
    assert len(htmls) == 1000 + len(pages) + 1  # documents, index pages, view.html
    assert max(p.stat().st_size for p in htmls) < MAX_HTML_BYTES
    assert max(p.stat().st_size for p in (site / "charts").glob("*.svg")) < MAX_HTML_BYTES / 3
    docs_page = next((site / "docs").glob("*.html")).read_text(encoding="utf-8")
    assert 'href="../index' in docs_page and len(re.findall(r'<tr class="row', docs_page)) == 5


def test_a_file_name_with_link_characters_or_bytes_not_utf8_gets_a_working_page(tmp_path: Path) -> None:
    plan = extract(SAMPLE.with_name("002_c4b107cd9cf43351.txt"))
    name = os.fsdecode(b"k\xe9 ho\xff#1?.txt")  # not UTF-8, and '#' and '?' would cut a link
    out = tmp_path / "out"
    out.mkdir()
    data = dict(plan.model_dump(mode="json"), source=name, file=str(tmp_path / name))
    (out / f"{name}.json").write_bytes(json_bytes(data))
    site = tmp_path / "site"
    assert build_site(out, site) == 1
    index = (site / "index.html").read_text(encoding="utf-8")  # valid UTF-8
    (link,) = re.findall(r'<a href="(docs/[^"]+)"', index)
    assert "#" not in link and "?" not in link and (site / link).is_file()
    assert shown(name) in html.unescape(index) and shown(name) in html.unescape((site / link).read_text(encoding="utf-8"))


def test_site_of_a_batch_finds_sources_named_relative_to_the_input_folder(tmp_path: Path) -> None:
    import shutil

    from tthc_extract.batch import BatchOptions, run_batch
    from tthc_extract.inputs import expand_inputs

    src, out = tmp_path / "in", tmp_path / "out"
    (src / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE, src / "sub" / "plan.pdf")
    run_batch(expand_inputs([str(src)]), out, BatchOptions(jobs=1))
    assert '"file": "sub/plan.pdf"' in (out / "sub" / "plan.pdf.json").read_text(encoding="utf-8")
    assert build_site(out, tmp_path / "site") == 1  # the crops come from where the run read the file
    (page,) = (tmp_path / "site" / "docs").glob("*.html")
    assert re.findall(r'class="crop" loading="lazy"', page.read_text(encoding="utf-8"))


def _as_v1(data: dict[str, object]) -> dict[str, object]:
    """A plan JSON as schema 1.0 wrote it: warnings as their messages."""
    old = json.loads(json.dumps(data))
    old["schema_version"] = "1.0"
    for item in [old, *old["rows"], *old["prose_tasks"]]:
        item["warnings"] = [w["message"] for w in item["warnings"]]
    return old


def test_warnings_are_shown_with_their_codes_and_old_outputs_still_read(tmp_path: Path) -> None:
    """A row is marked doubtful by its low-confidence warning's code (not by a threshold of its own);
    each warning shows its message and its code; a schema 1.0 output is shown as a 2.0 one."""
    plan = extract(SAMPLE.with_name("002_c4b107cd9cf43351.txt")).model_dump(mode="json")
    plan["rows"] = plan["rows"][:3]
    plan["rows"][1]["warnings"] = [warn("ocr_low_confidence", "low OCR confidence (0.41): check against the source")
                                   .model_dump()]
    plan["rows"][2]["confidence"] = 0.3  # no warning: no mark (the pipeline decides, by its threshold)
    out = tmp_path / "out"
    out.mkdir()
    (out / "new.txt.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    (out / "old.txt.json").write_text(json.dumps(_as_v1(plan), ensure_ascii=False), encoding="utf-8")
    site = tmp_path / "site"
    assert build_site(out, site) == 2
    pages = {p.name.split("_", 1)[1]: p.read_text(encoding="utf-8") for p in (site / "docs").glob("*.html")}
    assert set(pages) == {"new.txt.html", "old.txt.html"}
    for text in pages.values():
        classes = re.findall(r'<tr class="(row[^"]*)"', text)
        assert classes == ["row", "row warn low", "row"]
        assert ('<span data-code="ocr_low_confidence">low OCR confidence (0.41): check against the source '
                "<code>ocr_low_confidence</code></span>") in text
        assert "<code>agencies_not_in_registry</code>" in text and "status success" in text
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count("<code>agencies_not_in_registry</code>") == 2
