"""tthc-extract: structured data from Vietnamese TTHC-control plan decisions.

Public API (small and stable)::

    from tthc_extract import extract, extract_many
    plan = extract("plan.pdf")            # -> Plan (raises ExtractError if unreadable)
    plan = extract("scan.pdf", settings={"ocr_workers": 2, "limits": {"max_pages": 50}})
    df = plan.rows_frame()                # pandas DataFrame of the task rows
    for res in extract_many(paths):       # one Result per file; bad files never stop the batch
        ...
    settings = ExtractSettings.load("tthc.toml")  # a config file over the defaults (env, then overrides, win)
    report = debug("plan.pdf")            # what the table readers saw on each page (PDF, image)
    debug_draw.render(report, "debug/")   # one PNG per page: rules, columns, cells, kept rows
"""

from __future__ import annotations

__version__ = "0.1.0"

from tthc_extract.debug_view import DebugReport, debug
from tthc_extract.errors import ExtractError, MissingToolError
from tthc_extract.model.plan import Plan
from tthc_extract.pipeline import Result, extract, extract_many
from tthc_extract.settings import ExtractSettings, SettingsError

__all__ = ["DebugReport", "ExtractError", "ExtractSettings", "MissingToolError", "Plan", "Result", "SettingsError",
           "__version__", "debug", "extract", "extract_many"]
