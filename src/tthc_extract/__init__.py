"""tthc-extract: structured data from Vietnamese TTHC-control plan decisions.

Public API (small and stable)::

    from tthc_extract import extract, extract_many
    plan = extract("plan.pdf")
    df = plan.rows_frame()
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
