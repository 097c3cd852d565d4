"""tthc-extract: structured data from Vietnamese TTHC-control plan decisions.

Public API (small and stable)::

    from tthc_extract import extract, extract_many
    plan = extract("plan.pdf")            # -> Plan (raises ExtractError if unreadable)
    df = plan.rows_frame()                # pandas DataFrame of the task rows
    for res in extract_many(paths):       # one Result per file; bad files never stop the batch
        ...
    report = debug("plan.pdf")            # what the table readers saw on each page (PDF, image)
    debug_draw.render(report, "debug/")   # one PNG per page: rules, columns, cells, kept rows
"""

from __future__ import annotations

__version__ = "0.1.0"

from tthc_extract.debug_view import DebugReport, debug
from tthc_extract.errors import ExtractError, MissingToolError
from tthc_extract.model.plan import Plan
from tthc_extract.pipeline import Result, extract, extract_many

__all__ = ["DebugReport", "ExtractError", "MissingToolError", "Plan", "Result", "__version__", "debug", "extract",
           "extract_many"]
