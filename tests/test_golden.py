"""Per sample: the whole output against its golden file, and its scores against the true reading.

Both tests share one extraction per sample (scans cost seconds a page), so they live in one
module; the scores use the package's own scorer with the thresholds of the issues: text exports
(foundation), Word and typed PDF, scans. A failure prints a readable diff.
"""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.golden import REGEN, assert_golden
from tthc_extract import extract
from tthc_extract.check.compare import compare_plans

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"
SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in {".txt", ".docx", ".pdf"})

# (row F1, task, result, deadline kind, agencies, document metadata)
TEXT = (0.95, 0.95, 0.95, 0.95, 0.90, 0.85)
TYPED = (0.97, 0.95, 0.95, 0.95, 0.90, 0.85)
SCAN = (0.90, 0.85, 0.85, 0.90, 0.80, 0.85)


@functools.cache
def _output(sample: Path) -> dict[str, Any]:
    return extract(sample).to_json_dict()


def _stable(data: dict[str, Any]) -> dict[str, Any]:
    """Drop the machine-dependent path prefix from the output."""
    data = json.loads(json.dumps(data))
    data["file"] = Path(data["file"]).name
    for key in ("rows", "prose_tasks", "tables"):
        for item in data.get(key, []):
            item["provenance"]["file"] = Path(item["provenance"]["file"]).name
    return data


def _truth(sample: Path) -> tuple[Path, tuple[float, ...]]:
    if sample.suffix == ".txt":
        return FIX / "gold" / f"{sample.name.split('.')[0]}.json", TEXT
    th = SCAN if ".scan." in sample.name else TYPED
    return FIX / "expected" / f"{sample.name.rsplit('.', 1)[0]}.expected.json", th


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_output_matches_golden(sample: Path) -> None:
    assert_golden(f"{sample.name}.json", _stable(_output(sample)), ocr=".scan." in sample.name)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_scores_meet_thresholds(sample: Path) -> None:
    truth, th = _truth(sample)
    cmp = compare_plans(json.loads(truth.read_text(encoding="utf-8")), _output(sample))
    f = cmp.fields
    got = (cmp.f1, f["task"], f["result"], f["deadline_kind"], f["agencies"], cmp.document_accuracy)
    names = ("row F1", "task", "result", "deadline kind", "agencies", "document")
    low = [f"{n} {g} < {t}" for n, g, t in zip(names, got, th, strict=True) if g is None or g < t]
    if cmp.prose is not None and cmp.prose.expected:
        if cmp.prose.f1 < 0.9:
            low.append(f"prose F1 {cmp.prose.f1:.3f} < 0.9")
    assert not low, f"{sample.name}: " + "; ".join(low) + "\n" + "\n".join(cmp.diff_lines()[:40])


def test_regeneration_flag_is_off() -> None:
    assert not REGEN, "TTHC_REGEN_GOLDEN must not be set in normal test runs"


def test_scan_golden_holds_on_another_dot_product_path() -> None:
    """A machine whose processor makes Tesseract take another routine must still pass: read one
    scan with the routine forced to the other one (plain C++ where AVX2 is the default, else
    Tesseract's own choice) and compare it with the golden file as the scans are compared."""
    from tthc_extract.ocr.tesseract import dot_product_path
    from tthc_extract.settings import DOTPRODUCT_ENV as ENV_DOTPRODUCT

    other = "generic" if dot_product_path() != "generic" else "native"
    sample = ROOT / "samples" / "002_c4b107cd9cf43351.scan.pdf"
    code = ("import json, sys; from tthc_extract import extract; "
            "print(json.dumps(extract(sys.argv[1]).to_json_dict(), ensure_ascii=False))")
    env = {**os.environ, ENV_DOTPRODUCT: other}
    out = subprocess.run([sys.executable, "-c", code, str(sample)], capture_output=True, text=True, env=env,
                         check=True, timeout=600)
    assert_golden(f"{sample.name}.json", _stable(json.loads(out.stdout)), ocr=True)
