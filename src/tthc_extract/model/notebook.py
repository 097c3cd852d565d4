"""How plans, rows and documents show in a notebook and a REPL: a one-screen HTML summary and a short repr.

``Plan._repr_html_`` gives the metadata, the counts, the warnings and the first rows, each beside the
crop of its source region when the source PDF is at hand (an inline ``data:`` PNG, so the notebook
keeps it); ``__repr__`` is one line instead of pydantic's dump of every field (40,000 characters for
a plan). The model classes call these functions; this module reads the objects by their fields and
imports nothing of model.plan or model.document, so that the model's modules have no import cycle.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tthc_extract.model.pictures import PdfPictures
from tthc_extract.names import shown

# Rows shown in a plan's summary (the rest are counted): about one screen with their crops.
FIRST_ROWS = 5
# Crops in a notebook are drawn a little smaller than on the review site (they are inline data).
CROP_SCALE = 1.5
# Characters of a task kept in a one-line repr, and in the HTML view (about one screen for the first rows).
REPR_TASK = 50
HTML_TASK = 160

_STYLE = ("<style>.tthc td,.tthc th{text-align:left;vertical-align:top;padding:2px 6px}"
          ".tthc .w{color:#a50}.tthc img{max-width:560px;display:block}</style>")


def _e(v: object) -> str:
    # shown(): a file name that is not UTF-8 carries lone surrogates, which UTF-8 HTML cannot hold
    return html.escape(shown("" if v is None else str(v)))


def _cut(text: str | None, n: int = REPR_TASK) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _pdf_at_hand(file: str) -> Path | None:
    p = Path(file)
    return p if p.suffix.lower() == ".pdf" and p.is_file() else None


def _crops(rows: Sequence[Any]) -> list[list[str]]:
    """Return per row the data URIs of the crops of its boxes (none when its PDF is not at hand)."""
    out: list[list[str]] = [[] for _ in rows]
    by_file: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r.provenance.boxes:
            by_file.setdefault(r.provenance.file, []).append(i)
    for file, idx in by_file.items():
        pdf = _pdf_at_hand(file)
        if pdf is None:
            continue
        try:
            with PdfPictures(pdf, scale=CROP_SCALE) as pics:
                for i in idx:
                    out[i] = ["data:image/png;base64," + base64.b64encode(pics.crop_png(b)).decode("ascii")
                              for b in rows[i].provenance.boxes]
        except Exception:  # noqa: BLE001 - a summary without pictures rather than no summary
            continue
    return out


def _warning(w: Any) -> str:
    """A warning (model.warnings.Warning) as HTML: its message, then its code."""
    return f"{_e(w.message)} <code>{_e(w.code)}</code>"


def _who(t: Any) -> str:
    return ", ".join(a.canonical for a in t.lead_agencies)


def _row_line(r: Any, crops: Sequence[str]) -> str:
    where = "".join(f'<img src="{c}" alt="source of row {_e(r.stt)}">' for c in crops)
    if not where:
        p = r.provenance
        where = f"<small>{'lines ' + _e(p.lines) if p.lines else 'pages ' + _e(p.pages)}</small>"
    warn = "".join(f'<div class="w">⚠ {_warning(w)}</div>' for w in r.warnings)
    return (f"<tr><td>{_e(r.stt)}</td><td>{_e(_cut(r.task, HTML_TASK))}{warn}</td><td>{_e(r.result)}</td><td>{_e(_who(r))}</td>"
            f"<td>{_e(r.deadline_raw)}<br><small>{_e(r.deadline.kind)} {_e(r.deadline.end or '')}</small></td>"
            f"<td>{where}</td></tr>")


def _rows_table(rows: Sequence[Any]) -> str:
    lines = "".join(_row_line(r, c) for r, c in zip(rows, _crops(rows), strict=True))
    return ("<table><tr><th>STT</th><th>task</th><th>result</th><th>lead</th><th>deadline</th>"
            f"<th>source</th></tr>{lines}</table>")


def plan_html(plan: Any) -> str:
    """The notebook view of a Plan: metadata, counts, warnings, the first rows beside their crops."""
    m = plan.document
    warned = sum(1 for r in plan.rows if r.warnings)
    meta = [("document", " ".join(str(x) for x in (m.doc_type, m.doc_number) if x)), ("issuer", m.issuer),
            ("province", m.province), ("issued", m.issue_date), ("plan year", m.plan_year or m.plan_period),
            ("title", m.title)]
    head = "".join(f"<tr><th>{k}</th><td>{_e(v)}</td></tr>" for k, v in meta if v)
    counts = (f"{len(plan.rows)} rows ({warned} with warnings) · {len(plan.prose_tasks)} prose tasks · "
              f"{len(plan.tables)} other tables · {len(plan.sections)} sections · {plan.pages} pages")
    warns = "".join(f'<li class="w">{_warning(w)}</li>' for w in plan.warnings)
    shown = plan.rows[:FIRST_ROWS]
    more = len(plan.rows) - len(shown)
    rest = f"<p>… {more} more rows: <code>plan.rows_frame()</code></p>" if more > 0 else ""
    return (f'{_STYLE}<div class="tthc"><b>{_e(plan.source)}</b> · {_e(plan.format)} · {_e(plan.status)}'
            f"<table>{head}</table><p>{counts}</p><ul>{warns}</ul>"
            f"{_rows_table(shown) if shown else ''}{rest}</div>")


def row_html(row: Any) -> str:
    """The notebook view of a TaskRow: its fields and the crop of its source."""
    return f'{_STYLE}<div class="tthc"><b>{_e(row.row_id)}</b> · section {_e(row.section)}{_rows_table([row])}</div>'


def document_html(doc: Any) -> str:
    """The notebook view of a loaded Document: pages, blocks, table pieces, warnings."""
    tables = doc.tables()
    ocr = sum(1 for p in doc.pages if p.needs_ocr)
    warns = "".join(f'<li class="w">{_warning(w)}</li>' for w in doc.warnings)
    first = "".join(f"<li>{_e(_cut(p.text, 120))}</li>" for p in doc.paragraphs()[:FIRST_ROWS])
    return (f'{_STYLE}<div class="tthc"><b>{_e(doc.source)}</b> · {_e(doc.format)}<p>{len(doc.pages)} pages '
            f"({ocr} read by OCR) · {len(doc.blocks)} blocks · {len(tables)} table pieces "
            f"({sum(len(t.rows) for t in tables)} rows)</p><ul>{warns}</ul><ol>{first}</ol></div>")


def plan_repr(plan: Any) -> str:
    """One line: the source, format, status and counts."""
    return (f"Plan(source={plan.source!r}, format={plan.format!r}, status={plan.status!r}, "
            f"rows={len(plan.rows)}, prose_tasks={len(plan.prose_tasks)}, warnings={len(plan.warnings)})")


def row_repr(row: Any) -> str:
    """One line: the row id, STT, the start of the task, the lead agencies and the deadline."""
    return (f"TaskRow(row_id={row.row_id!r}, stt={row.stt!r}, task={_cut(row.task)!r}, "
            f"lead={_who(row)!r}, deadline={row.deadline_raw!r})")


def document_repr(doc: Any) -> str:
    """One line: the source, format and sizes."""
    return (f"Document(source={doc.source!r}, format={doc.format!r}, pages={len(doc.pages)}, "
            f"blocks={len(doc.blocks)}, tables={len(doc.tables())})")
