"""``tthc-extract check``: extract a corpus of plans and fail CI when the reading breaks.

With expected files each document is compared with its expected JSON (compare.py: the scorer's
row matching, per-field accuracy, a readable diff); without, intrinsic checks judge the reading
(intrinsic.py, numbering.py). Thresholds come from config.py, verdicts from evaluate.py, outputs
from report.py; command.py ties them together and runner.py reuses up-to-date outputs.
"""

from __future__ import annotations

from tthc_extract.check.command import check, run_check
from tthc_extract.check.compare import Comparison, compare_plans
from tthc_extract.check.intrinsic import Intrinsic, intrinsic_checks

__all__ = ["Comparison", "Intrinsic", "check", "compare_plans", "intrinsic_checks", "run_check"]
