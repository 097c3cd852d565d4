"""Regression floor on plans the tool was not developed on (tests/fixtures/unseen, see its README).

Fourteen synthetic plans of other provinces, years and layouts, in text, Word and PDF form, each
with a reading written to GOLD_SPEC. The floor is below the development thresholds on purpose:
these files probe the rules; a drop below it means a general reading broke.
"""

import json
from pathlib import Path

import pytest

from tthc_extract import extract
from tthc_extract.check.compare import compare_plans

UNSEEN = Path(__file__).resolve().parent / "fixtures" / "unseen"
FILES = sorted(p for p in UNSEEN.iterdir() if p.suffix in {".txt", ".docx", ".pdf"})
FLOOR = {"row F1": 0.95, "task": 0.95, "result": 0.95, "deadline kind": 0.8, "agencies": 0.8, "document": 0.85}


@pytest.mark.parametrize("doc", FILES, ids=[p.name for p in FILES])
def test_unseen_plan_reading(doc: Path) -> None:
    expected = json.loads((UNSEEN / f"{doc.name}.expected.json").read_text(encoding="utf-8"))
    cmp = compare_plans(expected, extract(doc).to_json_dict())
    f = cmp.fields
    got = {"row F1": cmp.f1, "task": f["task"], "result": f["result"], "deadline kind": f["deadline_kind"],
           "agencies": f["agencies"], "document": cmp.document_accuracy}
    low = [f"{k} {v} < {FLOOR[k]}" for k, v in got.items() if v is None or v < FLOOR[k]]
    assert not low, f"{doc.name}: " + "; ".join(low) + "\n" + "\n".join(cmp.diff_lines()[:30])
