"""Floor on the issue-10 layout probes (tests/fixtures/probes_layout, see its README).

Five table styles (full grid; horizontal rules only; rules at the header and the table's end only;
no rules at all; shaded header and zebra rows without rules), each rendered by LibreOffice from a
.docx and by headless Chromium from HTML, with readings written by hand to GOLD_SPEC before the
tool was run. Every style also comes as a 200 dpi scan (re-encoded as JPEG for the fixture's size).
Typed files must keep row F1 >= 0.95, scans >= 0.90.
"""

import json
from pathlib import Path

import pytest

from tthc_extract import extract
from tthc_extract.check.compare import compare_plans

PROBES = Path(__file__).resolve().parent / "fixtures" / "probes_layout"
FILES = sorted(PROBES.glob("*.pdf"))
FLOOR = {"row F1": 0.95, "task": 0.95, "result": 0.95, "deadline kind": 0.8, "agencies": 0.9}
SCAN_FLOOR = {"row F1": 0.90, "task": 0.85, "result": 0.85, "deadline kind": 0.8, "agencies": 0.8}


@pytest.mark.parametrize("doc", FILES, ids=[p.name for p in FILES])
def test_probe_reading(doc: Path) -> None:
    expected = json.loads((PROBES / f"{doc.name}.expected.json").read_text(encoding="utf-8"))
    cmp = compare_plans(expected, extract(doc).to_json_dict())
    f = cmp.fields
    got = {"row F1": cmp.f1, "task": f["task"], "result": f["result"], "deadline kind": f["deadline_kind"],
           "agencies": f["agencies"]}
    floor = SCAN_FLOOR if doc.name.endswith(".scan.pdf") else FLOOR
    low = [f"{k} {v} < {floor[k]}" for k, v in got.items() if v is None or v < floor[k]]
    assert not low, f"{doc.name}: " + "; ".join(low) + "\n" + "\n".join(cmp.diff_lines()[:30])
