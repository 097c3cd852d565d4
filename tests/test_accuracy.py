"""Accuracy against the hand-written readings: every sample scored with the package's own scorer.

The thresholds are those of the issues: text exports (foundation), Word and typed PDF, scans.
A failure prints the readable row diff (missing / extra / changed rows by STT and task).
"""

import json
from pathlib import Path

import pytest

from tthc_extract import extract
from tthc_extract.check.compare import compare_plans

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"

# (row F1, task, result, deadline kind, agencies, document metadata)
TEXT = (0.95, 0.95, 0.95, 0.95, 0.90, 0.85)
TYPED = (0.97, 0.95, 0.95, 0.95, 0.90, 0.85)


def _cases() -> list[tuple[Path, Path, tuple[float, ...]]]:
    cases = []
    for s in sorted((ROOT / "samples").iterdir()):
        stem = s.name.split(".")[0]
        if s.suffix == ".txt":
            cases.append((s, FIX / "gold" / f"{stem}.json", TEXT))
        elif s.suffix in {".docx", ".pdf"} and ".scan." not in s.name:
            cases.append((s, FIX / "expected" / f"{s.name.rsplit('.', 1)[0]}.expected.json", TYPED))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("sample", "truth", "th"), CASES, ids=[c[0].name for c in CASES])
def test_sample_scores_meet_thresholds(sample: Path, truth: Path, th: tuple[float, ...]) -> None:
    expected = json.loads(truth.read_text(encoding="utf-8"))
    cmp = compare_plans(expected, extract(sample).to_json_dict())
    f = cmp.fields
    got = (cmp.f1, f["task"], f["result"], f["deadline_kind"], f["agencies"], cmp.document_accuracy)
    names = ("row F1", "task", "result", "deadline kind", "agencies", "document")
    low = [f"{n} {g:.3f} < {t}" for n, g, t in zip(names, got, th, strict=True) if g is None or g < t]
    assert not low, f"{sample.name}: " + "; ".join(low) + "\n" + "\n".join(cmp.diff_lines()[:40])
