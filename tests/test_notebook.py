"""docs/notebook.ipynb executed by a real Jupyter client (nbclient + ipykernel) on a copy of two samples.

The notebook's outputs are what a user sees: the plan's HTML view (metadata, rows, inline crops of
their source), its one-line repr, the corpus read with pandas and DuckDB, and two charts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
SAMPLES = ["002_c4b107cd9cf43351.std.pdf", "001_62a13cda74406132.txt"]


def _outputs(cell: nbformat.NotebookNode, kind: str) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") in ("execute_result", "display_data") and kind in o.get("data", {}):
            out.append(o["data"][kind])
        elif kind == "stream" and o.get("output_type") == "stream":
            out.append(o["text"])
    return out


def test_example_notebook_runs_and_shows_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "samples").mkdir()
    for name in SAMPLES:
        shutil.copy(ROOT / "samples" / name, tmp_path / "samples" / name)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # the kernel imports this checkout, as the suite does
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p))
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    by_source = {c.source.splitlines()[0]: c for c in code}

    rows = pd.read_parquet(tmp_path / "notebook_out" / "rows.parquet")
    plan_cell = next(c for c in code if c.source.rstrip().endswith("\nplan"))
    (html,) = _outputs(plan_cell, "text/html")
    assert SAMPLES[0] in html and f"{sum(rows.row_id.str.startswith(SAMPLES[0] + '#'))} rows" in html
    assert html.count('<img src="data:image/png;base64,') >= 5  # the first rows, each beside its crop
    (printed,) = _outputs(plan_cell, "stream")
    assert printed.startswith("Plan(source='002_c4b107cd9cf43351.std.pdf', format='pdf'") and len(printed) < 200
    (row_html,) = _outputs(by_source["plan.rows[0]"], "text/html")
    assert "#1</b>" in row_html and "data:image/png;base64," in row_html
    (row_text,) = _outputs(by_source["plan.rows[0]"], "text/plain")
    assert row_text.startswith("TaskRow(row_id='002_c4b107cd9cf43351.std.pdf#1', stt='1'") and len(row_text) < 300

    (counts,) = _outputs(next(c for c in code if "run_batch(" in c.source), "text/plain")
    assert counts == f"(2, {len(rows)})"
    agencies = next(c for c in code if "duckdb.sql" in c.source)
    assert "Văn phòng" in _outputs(agencies, "text/html")[0]
    charts = [c for c in code if "plt.show()" in c.source]
    assert len(charts) == 2 and all(_outputs(c, "image/png") for c in charts)
