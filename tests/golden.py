"""Golden-file support: compare a whole output with its checked-in expected JSON, readably.

Set TTHC_REGEN_GOLDEN=1 to rewrite the golden files after a deliberate change (a test makes sure
the flag is off in normal runs, so CI can never silently regenerate them).
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent / "fixtures" / "golden"
REGEN = os.environ.get("TTHC_REGEN_GOLDEN") == "1"


def _text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def assert_golden(name: str, data: dict[str, Any], max_lines: int = 120) -> None:
    """Assert ``data`` equals golden file ``name``; on mismatch show a unified diff."""
    path = GOLDEN_DIR / name
    got = _text(data)
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.exists(), f"golden file {path} missing: run with TTHC_REGEN_GOLDEN=1 once"
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = list(difflib.unified_diff(want.splitlines(), got.splitlines(), "expected", "got", lineterm="", n=2))
        shown = "\n".join(diff[:max_lines])
        more = f"\n... {len(diff) - max_lines} more diff lines" if len(diff) > max_lines else ""
        raise AssertionError(f"{name} differs from its golden file:\n{shown}{more}")
