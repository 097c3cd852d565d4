"""The review site as headless Chromium shows it, opened from disk (file://, no server, no network).

Judged from the rendered DOM rather than the HTML text: the index lists every document, a document
page shows every row of its JSON with a crop image that loaded, the charts are drawn, the filter and
the whole-page view work, and the console reports no error. Screenshots are saved in the test's
tmp folder (``--basetemp`` keeps them) so that a person can look at them.

Chromium is a set-up dependency like Tesseract (``make system-deps``): without it these tests fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.review.chromium import Browser
from tthc_extract import extract
from tthc_extract.check import intrinsic_checks
from tthc_extract.review import build_site

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DOCS = ["002_c4b107cd9cf43351.std.pdf", "001_62a13cda74406132.txt"]

# Loads every crop (lazy images load only near the viewport, so they are made eager first) and
# returns per row line whether it has a crop and the natural widths of its crop images.
_CROPS_JS = """(async () => {
  const imgs = [...document.querySelectorAll('img.crop')];
  const lazy = imgs.every(i => i.loading === 'lazy');
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete && i.naturalWidth ? null :
      new Promise(ok => { i.onload = ok; i.onerror = ok; })));
  const rows = [...document.querySelectorAll('#rows tr.row')].map(tr =>
      [...tr.querySelectorAll('img.crop')].map(i => i.naturalWidth));
  return {lazy, rows};
})()"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    base = tmp_path_factory.mktemp("review_browser")
    out = base / "out"
    out.mkdir()
    plans = {}
    for name in DOCS:
        text = extract(SAMPLES / name).model_dump_json()
        (out / f"{name}.json").write_text(text, encoding="utf-8")
        plans[name] = json.loads(text)
    assert build_site(out, base / "site") == len(DOCS)
    return base / "site", plans


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with Browser(tmp_path_factory.mktemp("chromium_profile")) as b:
        yield b


def _doc_page(site: Path, source: str) -> Path:
    (page,) = [p for p in (site / "docs").glob("*.html") if p.name.endswith(f"_{source}.html")]
    return page


def test_index_lists_every_document_and_draws_the_charts(site, browser) -> None:  # type: ignore[no-untyped-def]
    root, plans = site
    browser.open((root / "index.html").as_uri())
    got = browser.evaluate("""(async () => {
      const charts = [...document.querySelectorAll('img.chart')];
      await Promise.all(charts.map(i => i.decode().catch(() => null)));
      return {docs: [...document.querySelectorAll('#docs tr.doc')].map(tr => [
                 tr.cells[0].innerText, +tr.cells[5].innerText, tr.querySelector('td.findings').innerText]),
              charts: charts.map(i => i.naturalWidth)};
    })()""")
    browser.screenshot(root.parent / "index.png")
    assert browser.errors() == []
    assert sorted(d[0] for d in got["docs"]) == sorted(plans)
    assert all(d[1] == len(plans[d[0]]["rows"]) for d in got["docs"])
    for source, _, findings in got["docs"]:  # the count of `check` findings, then the first of them
        expected = intrinsic_checks(plans[source]).finding_lines()
        assert findings.split("\n")[:2] == [str(len(expected)), *expected[:1]]
    assert len(got["charts"]) == 3 and all(w > 0 for w in got["charts"])
    for name in ("agencies", "deadlines", "documents"):
        browser.open((root / "charts" / f"{name}.svg").as_uri())
        bars = browser.evaluate("document.documentElement.tagName + ':' + "
                                "document.querySelectorAll('g[id^=patch]').length")
        tag, n = bars.split(":")
        assert tag == "svg" and int(n) > 2, name  # the axes' patch and at least two bars
        assert browser.errors() == []


def test_document_page_shows_every_row_beside_a_loaded_crop(site, browser) -> None:  # type: ignore[no-untyped-def]
    root, plans = site
    plan = plans[DOCS[0]]
    browser.open(_doc_page(root, DOCS[0]).as_uri())
    got = browser.evaluate(_CROPS_JS)
    browser.screenshot(root.parent / "document.png")
    assert browser.errors() == []
    tasks = plan["rows"] + plan["prose_tasks"]
    assert len(got["rows"]) == len(tasks) > 0
    assert got["lazy"]
    for task, widths in zip(tasks, got["rows"], strict=True):
        assert len(widths) == len(task["provenance"]["boxes"]) and all(w > 0 for w in widths)
    assert sum(len(w) for w in got["rows"]) > 0

    shown = browser.evaluate("""(() => { const c = document.getElementById('only-warn'); c.click();
      return [...document.querySelectorAll('#rows tr.row')].filter(tr => tr.style.display !== 'none').length; })()""")
    assert shown == sum(1 for t in tasks if t["warnings"])

    link = browser.evaluate("document.querySelector('img.crop').parentElement.href")
    browser.open(link)
    view = browser.evaluate("""(async () => { const p = document.getElementById('p'); await p.decode();
      const b = document.getElementById('b').getBoundingClientRect(), r = p.getBoundingClientRect();
      return [p.naturalWidth, b.width > 0 && b.height > 0 && b.left >= r.left && b.bottom <= r.bottom + 1]; })()""")
    browser.screenshot(root.parent / "view.png")
    assert browser.errors() == []
    assert view[0] > 0 and view[1]


def test_text_document_page_lists_its_rows_with_their_lines(site, browser) -> None:  # type: ignore[no-untyped-def]
    root, plans = site
    plan = plans[DOCS[1]]
    browser.open(_doc_page(root, DOCS[1]).as_uri())
    got = browser.evaluate("[...document.querySelectorAll('#rows tr.row')].map(tr => tr.lastElementChild.innerText)")
    assert browser.errors() == []
    assert len(got) == len(plan["rows"]) + len(plan["prose_tasks"]) > 0
    assert all(t.startswith("lines ") for t in got[:len(plan["rows"])])
