"""The spreadsheet outputs of a batch: OUTDIR/tthc.xlsx and OUTDIR/*.csv over the whole dataset.

Like the Parquet tables, they cover every document the output folder holds (this run's and
earlier runs'), read back from the documents' JSON files the manifest lists, so that one folder
is one dataset whatever the format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tthc_extract.batch.manifest import Manifest
from tthc_extract.export.sheets import write_csv, write_generic_csv, write_xlsx
from tthc_extract.model.plan import Plan

# The formats `extract --format` knows; JSON per document is always written (the manifest's record).
FORMATS = ("json", "parquet", "xlsx", "csv")
WORKBOOK_NAME = "tthc.xlsx"


def parse_formats(spec: str) -> list[str]:
    """Return the formats of a comma list ("xlsx,csv"); raise ValueError naming an unknown one."""
    names = [s.strip().lower() for s in spec.split(",") if s.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise ValueError(f"unknown format {', '.join(bad) or spec!r} (known: {', '.join(FORMATS)})")
    return names


def dataset_plans(outdir: Path) -> Iterator[Plan]:
    """Yield the Plan of every document extracted into ``outdir``, by output key."""
    m = Manifest.load(outdir)
    for key in sorted(m.entries):
        path = outdir / key
        if m.entries[key].status == "ok" and path.is_file():
            yield Plan.from_json_bytes(path.read_bytes())


def write_formats(outdir: Path, formats: list[str]) -> list[Path]:
    """Write the spreadsheet formats among ``formats`` for the dataset of ``outdir``; return the paths."""
    if not {"xlsx", "csv"} & set(formats):
        return []
    plans = list(dataset_plans(outdir))
    paths: list[Path] = []
    if "xlsx" in formats:
        paths.append(write_xlsx(plans, outdir / WORKBOOK_NAME))
    if "csv" in formats:
        paths += write_csv(plans, outdir) + write_generic_csv(plans, outdir)
    return paths
