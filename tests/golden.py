"""Golden-file support: compare a whole output with its checked-in expected JSON, readably.

Set TTHC_REGEN_GOLDEN=1 to rewrite the golden files after a deliberate change (a test makes sure
the flag is off in normal runs, so CI can never silently regenerate them).

Outputs of OCR are compared as docling's ``verify_export`` compares them: exact on structure (the
same keys, rows, STT, sections, deadline kinds and dates, agency names, pages) and tolerant where
the engine legitimately varies between processors and versions: free text within a similarity of
:data:`OCR_TEXT_SIMILARITY` per field, confidences within :data:`OCR_CONF_TOLERANCE`.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

GOLDEN_DIR = Path(__file__).resolve().parent / "fixtures" / "golden"
REGEN = os.environ.get("TTHC_REGEN_GOLDEN") == "1"


OCR_TEXT_SIMILARITY = 0.98  # normalised Levenshtein similarity a free-text field keeps
OCR_CONF_TOLERANCE = 0.05
# Strings that are structure, compared exactly even in OCR output: what a row is and where it sits,
# what its deadline means, whom it names. Every other string is free text read from the page.
STRUCTURE_KEYS = frozenset({
    "stt", "section", "kind", "start", "end", "dates", "name", "id", "row_id", "file", "source",
    "doc_type", "doc_number", "issue_date", "plan_year", "province", "number", "role", "code", "stage",
    "loader", "status", "pages", "page", "period", "type", "level"})
CONF_KEYS = frozenset({"confidence", "conf", "ocr_confidence", "mean_confidence"})
# A warning that only restates a confidence below the review threshold follows the confidence,
# which is compared within tolerance: a value on either side of the threshold may add or drop it.
CONF_WARNING = "ocr_low_confidence"  # its code (tthc_extract.model.warnings.CODES)


def _without_conf_warnings(items: list[Any]) -> list[Any]:
    return [w for w in items if not (isinstance(w, dict) and w.get("code") == CONF_WARNING)]


def _ocr_differences(want: Any, got: Any, path: str = "$", key: str = "") -> Iterator[str]:
    """Yield where ``got`` differs from ``want`` beyond what OCR may vary (see the module docstring)."""
    if isinstance(want, dict) and isinstance(got, dict):
        if want.keys() != got.keys():
            yield f"{path}: keys {sorted(want.keys() ^ got.keys())} differ"
            return
        for k in want:
            yield from _ocr_differences(want[k], got[k], f"{path}.{k}", k)
    elif isinstance(want, list) and isinstance(got, list):
        if key == "warnings":
            want, got = _without_conf_warnings(want), _without_conf_warnings(got)
        if len(want) != len(got):
            yield f"{path}: {len(want)} items expected, {len(got)} got"
            return
        for i, (w, g) in enumerate(zip(want, got, strict=True)):
            yield from _ocr_differences(w, g, f"{path}[{i}]", key)
    elif key in CONF_KEYS and isinstance(want, int | float) and isinstance(got, int | float):
        if abs(want - got) > OCR_CONF_TOLERANCE:
            yield f"{path}: confidence {got} not within {OCR_CONF_TOLERANCE} of {want}"
    elif isinstance(want, str) and isinstance(got, str) and key not in STRUCTURE_KEYS:
        sim = Levenshtein.normalized_similarity(want, got)
        if sim < OCR_TEXT_SIMILARITY:
            yield f"{path}: text similarity {sim:.3f} < {OCR_TEXT_SIMILARITY}:\n  - {want}\n  + {got}"
    elif want != got or type(want) is not type(got):
        yield f"{path}: {want!r} expected, {got!r} got"


def _text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def assert_golden(name: str, data: dict[str, Any], max_lines: int = 120, ocr: bool = False) -> None:
    """Assert ``data`` equals golden file ``name``; on mismatch show a unified diff.

    With ``ocr`` the comparison allows what OCR legitimately varies (module docstring); the diff
    is shown only when the output differs beyond that.
    """
    path = GOLDEN_DIR / name
    got = _text(data)
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.exists(), f"golden file {path} missing: run with TTHC_REGEN_GOLDEN=1 once"
    want = path.read_text(encoding="utf-8")
    if ocr and got != want:
        problems = list(_ocr_differences(json.loads(want), json.loads(got)))
        if not problems:
            return
        raise AssertionError(f"{name} differs from its golden file beyond OCR tolerance:\n" +
                             "\n".join(problems[:40]) + (f"\n... {len(problems) - 40} more" if len(problems) > 40 else ""))
    if got != want:
        diff = list(difflib.unified_diff(want.splitlines(), got.splitlines(), "expected", "got", lineterm="", n=2))
        shown = "\n".join(diff[:max_lines])
        more = f"\n... {len(diff) - max_lines} more diff lines" if len(diff) > max_lines else ""
        raise AssertionError(f"{name} differs from its golden file:\n{shown}{more}")
