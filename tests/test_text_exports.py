"""Regression floor on text exports written in the seeds' messy styles (tests/fixtures/text_exports).

Ten unseen plans rendered as tab-separated, one-cell-per-line and pipe exports with the seeds'
artefacts: page numbers, OCR marks, repeated headers and column-number rows, rows cut by page
breaks (a word pair such as "Thường" / "xuyên" included), "(tiếp theo)" rows, sub-rows at a page
top, "Phần I" and "1" for Roman I in the STT cell, numbering mistakes. Every file reads perfectly
today; the floor sits a little under, and sections and ``spans_pages`` must match exactly.
"""

import json
from pathlib import Path

import pytest

from tthc_extract import extract
from tthc_extract.check.compare import compare_plans, match_rows

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "text_exports"
FILES = sorted(EXPORTS.glob("*.txt"))
FLOOR = {"row F1": 0.97, "task": 0.97, "result": 0.97, "deadline kind": 0.9, "agencies": 0.9, "document": 0.9}


def test_fixtures_present() -> None:
    assert len(FILES) == 10


@pytest.mark.parametrize("doc", FILES, ids=[p.name for p in FILES])
def test_text_export_reading(doc: Path) -> None:
    expected = json.loads((EXPORTS / f"{doc.name}.expected.json").read_text(encoding="utf-8"))
    actual = extract(doc).to_json_dict()
    cmp = compare_plans(expected, actual)
    f = cmp.fields
    got = {"row F1": cmp.f1, "task": f["task"], "result": f["result"], "deadline kind": f["deadline_kind"],
           "agencies": f["agencies"], "document": cmp.document_accuracy}
    low = [f"{k} {v} < {FLOOR[k]}" for k, v in got.items() if v is None or v < FLOOR[k]]
    assert not low, f"{doc.name}: " + "; ".join(low) + "\n" + "\n".join(cmp.diff_lines()[:30])
    sections = [(s["number"], s["title"]) for s in actual["sections"]]
    assert sections == [(s["number"], s["title"]) for s in expected["sections"]]
    e_rows, a_rows = expected["rows"], actual["rows"]
    spans = [(e_rows[i]["stt"], e_rows[i]["spans_pages"], a_rows[j]["spans_pages"])
             for i, j, _ in match_rows(e_rows, a_rows)]
    assert [s for s in spans if s[1] != s[2]] == []
