"""The review site: ``index.html`` (documents, counts, warnings, ``check`` findings, corpus charts; further
documents on ``index-2.html``, ...), one page per document
(every row with its fields beside the crop of its source region) and ``view.html`` (a whole page with
a row's box drawn). Everything is written next to the HTML: no server, no network, no CDN.

Pages stay small at 1000 documents: one HTML per document, images loaded lazily, the index holds one
line per document and :data:`INDEX_PAGE` documents per page.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tthc_extract.check import intrinsic_checks
from tthc_extract.model.pictures import PdfPictures
from tthc_extract.model.plan import PageBox, Plan, ProseTask, TaskRow
from tthc_extract.model.warnings import Warning
from tthc_extract.names import shown
from tthc_extract.review import charts

# The warning of a row whose confidence is marked as doubtful (OCR'd cells read with low confidence).
LOW_CONFIDENCE_CODE = "ocr_low_confidence"
# Documents per index page: at 1000 documents the index is ten pages of a few hundred kB each.
INDEX_PAGE = 100
# Findings of `check` listed per document on the index (all of them are on the document's page).
INDEX_FINDINGS = 3


@dataclass
class _Doc:
    """One document of the site: its page's name, its plan, the index page it is listed on, its findings."""

    slug: str
    plan: Plan
    findings: list[str]
    index_page: str = "index.html"

_CSS = """body{font-family:sans-serif;margin:1em;font-size:14px}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:3px 5px;vertical-align:top}th{background:#eee}
tr.warn td{background:#fff4e0}tr.low td.conf{color:#b00;font-weight:bold}td.src{width:45%}img.crop{width:100%;max-width:760px;display:block}
table#rows{width:100%}
.w{color:#a50;font-size:12px}.f{color:#06c;font-size:12px}nav a{margin-right:.5em}.charts img{max-width:48%;vertical-align:top}"""

# Hides the rows without warnings when the box is ticked (the filter of the document page).
_FILTER_JS = """document.getElementById('only-warn').addEventListener('change',function(e){
for(const tr of document.querySelectorAll('tr.row')){tr.style.display=(e.target.checked&&!tr.classList.contains('warn'))?'none':''}});"""

# view.html#img=...&box=x0,top,x1,bottom,width,height: the page picture with the box drawn over it.
_VIEW = """<!doctype html><meta charset="utf-8"><title>page</title><style>#w{position:relative;display:inline-block}
#b{position:absolute;border:3px solid red;box-sizing:border-box}</style><div id="w"><img id="p"><div id="b"></div></div>
<script>const q=new URLSearchParams(location.hash.slice(1));const b=q.get('box').split(',').map(Number);
document.getElementById('p').src=q.get('img');const d=document.getElementById('b').style;
d.left=(b[0]/b[4]*100)+'%';d.top=(b[1]/b[5]*100)+'%';d.width=((b[2]-b[0])/b[4]*100)+'%';
d.height=((b[3]-b[1])/b[5]*100)+'%';</script>"""


def _e(v: object) -> str:
    # shown(): a file name that is not UTF-8 carries lone surrogates, which UTF-8 HTML cannot hold
    return html.escape(shown("" if v is None else str(v)))


def _warning(w: Warning) -> str:
    """A warning as HTML: its message and its code (``data-code`` for a script or a style)."""
    return f'<span data-code="{_e(w.code)}">{_e(w.message)} <code>{_e(w.code)}</code></span>'


def _page(title: str, body: str, script: str = "") -> str:
    js = f"<script>{script}</script>" if script else ""
    return (f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{_CSS}</style><body>{body}{js}</body></html>")


def read_plans(outdir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Return the per-document JSON files under ``outdir`` with their content (other JSON files skipped)."""
    out = []
    for p in sorted(outdir.rglob("*.json")):
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "schema_version" in data and "rows" in data:
            out.append((p, data))
    return out


def _slug(json_path: Path, outdir: Path) -> str:
    """A file name for the document's page and pictures: unique (a hash of the JSON's path) and safe in
    a link (letters, digits, ``.-_`` only: no ``#``, ``?`` or ``%``, no byte that is not UTF-8)."""
    rel = json_path.relative_to(outdir).as_posix()
    name = re.sub(r"[^\w.-]", "_", json_path.name.removesuffix(".json"))[:60]
    return hashlib.sha1(rel.encode("utf-8", "surrogateescape")).hexdigest()[:8] + "_" + name


def recorded_inputs(outdir: Path) -> dict[str, Path]:
    """Return the input file a batch read for each JSON (by its path in ``outdir``), from manifest.json.

    The JSON names its input relative to the input folder (the same on every machine); the
    manifest of the run keeps where that file was on the machine that read it.
    """
    try:
        docs = json.loads((outdir / "manifest.json").read_text(encoding="utf-8")).get("documents", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: Path(v["input"]) for k, v in docs.items() if isinstance(v, dict) and v.get("input")}


def _source(plan: Plan, json_path: Path, inputs: dict[str, Path], outdir: Path) -> Path | None:
    """Return the source file of ``plan`` when it is at hand (where the run read it, as named, or beside the JSON)."""
    recorded = inputs.get(json_path.relative_to(outdir).as_posix())
    for c in (recorded, Path(plan.file), json_path.parent / plan.source):
        if c is not None and c.is_file():
            return c
    return None


def _fields(t: TaskRow | ProseTask) -> str:
    lead = ", ".join(a.canonical for a in t.lead_agencies)
    sup = ", ".join(a.canonical for a in t.support_agencies)
    d = t.deadline
    when = f"{_e(t.deadline_raw)}<br><small>{_e(d.kind)} {_e(d.start or '')}–{_e(d.end or '')}</small>"
    result = _e(t.result) if isinstance(t, TaskRow) else ""
    return f"<td>{_e(t.task)}</td><td>{result}</td><td>{_e(lead)}</td><td>{_e(sup)}</td><td>{when}</td>"


def _document_page(doc: _Doc, source: Path | None, site: Path) -> str:
    slug, plan = doc.slug, doc.plan
    pics = PdfPictures(source) if source is not None and source.suffix.lower() == ".pdf" else None
    items: list[tuple[str, TaskRow | ProseTask]] = [(r.row_id, r) for r in plan.rows]
    items += [(f"{plan.source}#prose{i + 1}", t) for i, t in enumerate(plan.prose_tasks)]
    pages_done: set[int] = set()
    lines = []
    try:
        for i, (rid, t) in enumerate(items):
            crops = []
            for k, b in enumerate(t.provenance.boxes):
                if pics is None:
                    break
                crop = f"crops/{slug}/{i}_{k}.png"
                pics.crop(b, site / crop)
                page_img = f"pages/{slug}/p{b.page}.jpg"
                if b.page not in pages_done:
                    pics.page(b.page, site / page_img)
                    pages_done.add(b.page)
                crops.append(f'<a href="{_view_link(page_img, b)}"><img class="crop" loading="lazy" '
                             f'src="../{crop}" alt="page {b.page}"></a>')
            if not crops:
                where = t.provenance.lines or t.provenance.pages
                crops.append(f"<small>{'lines' if t.provenance.lines else 'pages'} {_e(where)}</small>")
            conf = t.confidence if isinstance(t, TaskRow) else None
            low = any(w.code == LOW_CONFIDENCE_CODE for w in t.warnings)
            cls = "row" + (" warn" if t.warnings else "") + (" low" if low else "")
            warn = "".join(f'<div class="w">⚠ {_warning(w)}</div>' for w in t.warnings)
            stt = t.stt if isinstance(t, TaskRow) else t.number
            lines.append(f'<tr class="{cls}" id="r{i}" title="{_e(rid)}"><td>{_e(stt)}</td>{_fields(t)}'
                         f'<td class="conf">{_e("" if conf is None else f"{conf:.2f}")}</td>'
                         f"<td class=\"src\">{''.join(crops)}{warn}</td></tr>")
    finally:
        if pics is not None:
            pics.close()
    m = plan.document
    warns = "".join(f"<li>{_warning(w)}</li>" for w in plan.warnings)
    found = "".join(f'<li class="f">{_e(f)}</li>' for f in doc.findings)
    body = (f'<p><a href="../{doc.index_page}">← index</a></p><h1>{_e(plan.source)}</h1>'
            f"<p>{_e(m.doc_type)} {_e(m.doc_number)} · {_e(m.issuer)} · {_e(m.issue_date)} · "
            f"{len(plan.rows)} rows · {len(plan.prose_tasks)} prose tasks · status {_e(plan.status)}</p>"
            f"<ul>{warns}</ul>"
            f'<h2>check findings: {len(doc.findings)}</h2><ul id="findings">{found}</ul>'
            '<label><input type="checkbox" id="only-warn"> only rows with warnings</label>'
            '<table id="rows"><tr><th>STT</th><th>task</th><th>result</th><th>lead</th><th>support</th>'
            f"<th>deadline</th><th>conf.</th><th>source</th></tr>{''.join(lines)}</table>")
    return _page(plan.source, body, _FILTER_JS)


def _view_link(page_img: str, b: PageBox) -> str:
    w, h = b.page_width or 1.0, b.page_height or 1.0
    return f"../view.html#img={page_img}&box={b.x0},{b.top},{b.x1},{b.bottom},{w},{h}"


def _index_name(page: int) -> str:
    return "index.html" if page == 0 else f"index-{page + 1}.html"


def _index(docs: Sequence[_Doc], page: int, pages: int, total: int) -> str:
    """Index page ``page`` (0-based) of ``pages``: one line per document; the charts on the first page."""
    lines = []
    for d in docs:
        p, m = d.plan, d.plan.document
        n_warn = len(p.warnings) + sum(1 for r in p.rows if r.warnings) + sum(1 for t in p.prose_tasks if t.warnings)
        shown = "".join(f'<div class="f">{_e(f)}</div>' for f in d.findings[:INDEX_FINDINGS])
        more = len(d.findings) - INDEX_FINDINGS
        if more > 0:
            shown += f'<div class="f">… {more} more on the document\'s page</div>'
        lines.append(f'<tr class="doc"><td><a href="docs/{d.slug}.html">{_e(p.source)}</a></td><td>{_e(m.province)}</td>'
                     f"<td>{_e(m.plan_year)}</td><td>{_e(m.doc_number)}</td><td>{_e(m.issue_date)}</td>"
                     f"<td>{len(p.rows)}</td><td>{len(p.prose_tasks)}</td><td>{n_warn}</td>"
                     f"<td>{'<br>'.join(_warning(w) for w in p.warnings)}</td>"
                     f'<td class="findings">{len(d.findings)}{shown}</td></tr>')
    nav = ""
    if pages > 1:
        nav = "<nav>" + "".join(f"<b>{k + 1}</b>" if k == page else f'<a href="{_index_name(k)}">{k + 1}</a>'
                                for k in range(pages)) + "</nav>"
    charts_html = "" if page else "".join(f'<img class="chart" src="charts/{n}.svg" alt="{n}">'
                                          for n in ("agencies", "deadlines", "documents"))
    body = (f"<h1>Review: {total} documents</h1><div class=\"charts\">{charts_html}</div>{nav}"
            "<table id=\"docs\"><tr><th>document</th><th>province</th><th>year</th><th>number</th><th>issued</th>"
            f"<th>rows</th><th>prose</th><th>with warnings</th><th>warnings</th><th>check findings</th></tr>"
            f"{''.join(lines)}</table>{nav}")
    return _page("Review", body)


def build_site(outdir: Path, site: Path) -> int:
    """Write the review site of the extraction folder ``outdir`` into ``site``; return the documents shown."""
    found = read_plans(outdir)
    inputs = recorded_inputs(outdir)
    (site / "docs").mkdir(parents=True, exist_ok=True)
    (site / "charts").mkdir(exist_ok=True)
    docs = [_Doc(_slug(path, outdir), Plan.model_validate(data), intrinsic_checks(data).finding_lines(),
                 _index_name(i // INDEX_PAGE)) for i, (path, data) in enumerate(found)]
    for (json_path, _), doc in zip(found, docs, strict=True):
        page = _document_page(doc, _source(doc.plan, json_path, inputs, outdir), site)
        (site / "docs" / f"{doc.slug}.html").write_text(page, encoding="utf-8")
    plans = [d.plan for d in docs]
    for name, draw in (("agencies", charts.agencies_chart), ("deadlines", charts.deadlines_chart),
                       ("documents", charts.documents_chart)):
        (site / "charts" / f"{name}.svg").write_text(draw(plans), encoding="utf-8")
    (site / "view.html").write_text(_VIEW, encoding="utf-8")
    pages = max(1, -(-len(docs) // INDEX_PAGE))
    for k in range(pages):
        chunk = docs[k * INDEX_PAGE:(k + 1) * INDEX_PAGE]
        (site / _index_name(k)).write_text(_index(chunk, k, pages, len(docs)), encoding="utf-8")
    return len(docs)
