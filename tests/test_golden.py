"""One golden test per sample: the whole extracted output against its checked-in expected file."""

from pathlib import Path

import pytest

from tests.golden import REGEN, assert_golden
from tthc_extract import extract

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in {".txt", ".docx", ".pdf"})


def _stable(data: dict) -> dict:
    """Drop the machine-dependent path prefix from the output."""
    data["file"] = Path(data["file"]).name
    for r in data["rows"]:
        r["provenance"]["file"] = Path(r["provenance"]["file"]).name
    for t in data.get("prose_tasks", []):
        t["provenance"]["file"] = Path(t["provenance"]["file"]).name
    for t in data.get("tables", []):
        t["provenance"]["file"] = Path(t["provenance"]["file"]).name
    return data


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_output_matches_golden(sample: Path) -> None:
    assert_golden(f"{sample.name}.json", _stable(extract(sample).to_json_dict()))


def test_regeneration_flag_is_off() -> None:
    assert not REGEN, "TTHC_REGEN_GOLDEN must not be set in normal test runs"
