"""Regression floor on plans the tool was not developed on (tests/fixtures/unseen, see its README).

Twenty-two synthetic plans of other provinces, years and layouts, in text, HTML, Word (.docx and
.doc) and PDF form, each with a reading written to GOLD_SPEC. Every born-digital file reads
perfectly today; the floor sits a little under that, so one general rule that breaks shows while a
single debatable cell does not. Scans made from these files (``*.scan.pdf``, see make_scans.py)
keep the lower floor of the first round: OCR loses more.
"""

import json
from pathlib import Path

import pytest

from tthc_extract import extract
from tthc_extract.check.compare import compare_plans

UNSEEN = Path(__file__).resolve().parent / "fixtures" / "unseen"
FILES = sorted(p for p in UNSEEN.iterdir() if p.suffix in {".txt", ".html", ".docx", ".doc", ".pdf"})
FLOOR = {"row F1": 0.97, "task": 0.97, "result": 0.97, "deadline kind": 0.9, "agencies": 0.9, "document": 0.9}
SCAN_FLOOR = {"row F1": 0.95, "task": 0.95, "result": 0.95, "deadline kind": 0.8, "agencies": 0.8, "document": 0.85}


@pytest.mark.parametrize("doc", FILES, ids=[p.name for p in FILES])
def test_unseen_plan_reading(doc: Path) -> None:
    expected = json.loads((UNSEEN / f"{doc.name}.expected.json").read_text(encoding="utf-8"))
    cmp = compare_plans(expected, extract(doc).to_json_dict())
    f = cmp.fields
    got = {"row F1": cmp.f1, "task": f["task"], "result": f["result"], "deadline kind": f["deadline_kind"],
           "agencies": f["agencies"], "document": cmp.document_accuracy}
    floor = SCAN_FLOOR if doc.name.endswith(".scan.pdf") else FLOOR
    low = [f"{k} {v} < {floor[k]}" for k, v in got.items() if v is None or v < floor[k]]
    if cmp.table_cell_accuracy is not None and cmp.table_cell_accuracy < floor["result"]:
        low.append(f"table cells {cmp.table_cell_accuracy} < {floor['result']}")
    assert not low, f"{doc.name}: " + "; ".join(low) + "\n" + "\n".join(cmp.diff_lines()[:30])
