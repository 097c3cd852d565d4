"""Plans -> an Excel workbook and CSV files, for offices that live in Excel.

The workbook (openpyxl) has the sheets Documents, Tasks, Agencies, Prose tasks and one per
statistics table; every sheet has Vietnamese column headings (export/headings.py), a frozen
header row, filters and wrapped text, dates as Excel dates and lists joined with "; ".
The CSVs are the same tables with the Parquet column names, written UTF-8 with a byte-order mark
so that Excel opens them with the diacritics right (without the BOM it reads them as ANSI).
Values are exactly those of the frames (export/frames.py): one source of columns.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from tthc_extract.export.frames import agencies_frame, documents_frame, prose_frame, rows_frame
from tthc_extract.export.headings import heading
from tthc_extract.export.writers import atomic_target
from tthc_extract.model.plan import Plan
from tthc_extract.segment.generic import numeric_frame

# The table sheets, in workbook order: sheet name -> (CSV/Parquet table name, frame builder).
TABLE_SHEETS = {
    "Documents": ("documents", documents_frame),
    "Tasks": ("rows", rows_frame),
    "Agencies": ("agencies", agencies_frame),
    "Prose tasks": ("prose_tasks", prose_frame),
}
LIST_SEPARATOR = "; "
DATE_FORMAT = "DD/MM/YYYY"  # the Vietnamese order; the cell holds a real date either way
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a BOM: what Excel needs to detect UTF-8
# Column width bounds in characters: wide enough for a task, narrow enough to see several columns.
_MIN_WIDTH, _MAX_WIDTH = 6, 60
# Characters a worksheet cannot hold (XML 1.0 control characters), as openpyxl rejects them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Characters a sheet name cannot hold, and Excel's length limit of a sheet name.
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31


def flat_value(v: Any) -> Any:
    """Return a frame cell as one spreadsheet value: lists joined, mappings as "key: value", NA as None."""
    if isinstance(v, dict):
        return LIST_SEPARATOR.join(f"{k}: {x}" for k, x in v.items()) or None
    if isinstance(v, list | tuple):
        return LIST_SEPARATOR.join(str(flat_value(x)) for x in v) or None
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date() if v == v.normalize() else v.to_pydatetime()
    if isinstance(v, str):
        return _ILLEGAL.sub("", v)
    if hasattr(v, "item"):  # a NumPy scalar
        return v.item()
    return v


def flat_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with every cell a plain value (see :func:`flat_value`): what a CSV or sheet holds."""
    return pd.DataFrame({c: [flat_value(v) for v in df[c]] for c in df.columns}, index=df.index, dtype=object)


def generic_frames(plans: Iterable[Plan]) -> list[tuple[str, pd.DataFrame]]:
    """Return (a title, the typed frame) of every statistics table, a "file" column first."""
    out = []
    for p in plans:
        for n, t in enumerate(p.tables, start=1):
            df = numeric_frame(t)
            df.insert(0, "\0file", p.file)  # a name no printed header has; shown as "Tệp"
            out.append((f"{n}. {t.title or Path(p.source).name}", df))
    return out


def _sheet_name(title: str, taken: set[str]) -> str:
    """Return a legal, unused sheet name for ``title`` (Excel's 31 characters, no []:*?/\\)."""
    base = _SHEET_BAD.sub(" ", title).strip(" '") or "Table"
    name, i = base[:_SHEET_MAX], 2
    while name.lower() in taken:
        suffix = f" ({i})"
        name, i = base[: _SHEET_MAX - len(suffix)] + suffix, i + 1
    taken.add(name.lower())
    return name


def _fill_sheet(ws: Any, df: pd.DataFrame, headings: Sequence[str]) -> None:
    """Write ``df`` under ``headings``: frozen header, filter, wrapped text, dates formatted, widths set."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append(list(headings))
    flat = flat_frame(df)
    for row in flat.itertuples(index=False, name=None):
        ws.append(list(row))
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for j, col in enumerate(flat.columns, start=1):
        letter = get_column_letter(j)
        longest = max([len(str(headings[j - 1]))] + [len(str(v)) for v in flat[col] if v is not None])
        ws.column_dimensions[letter].width = max(_MIN_WIDTH, min(_MAX_WIDTH, longest + 2))
    for cells in ws.iter_rows():
        for c in cells:
            c.alignment = wrap
            if isinstance(c.value, dt.date):
                c.number_format = DATE_FORMAT if not isinstance(c.value, dt.datetime) else DATE_FORMAT + " hh:mm"
            if c.row == 1:
                c.font = bold
    ws.freeze_panes = "A2"
    if len(flat.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(flat.columns))}{len(flat) + 1}"


def write_xlsx(plans: Iterable[Plan], path: str | Path) -> Path:
    """Write the workbook of ``plans`` to ``path`` (atomically); return the path."""
    from openpyxl import Workbook

    plans = list(plans)
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for sheet, (_table, build) in TABLE_SHEETS.items():
        df = build(plans)
        _fill_sheet(wb.create_sheet(_sheet_name(sheet, taken)), df, [heading(c) for c in df.columns])
    for title, df in generic_frames(plans):
        names = [heading("file") if c == "\0file" else c for c in df.columns]
        _fill_sheet(wb.create_sheet(_sheet_name(title, taken)), df, names)
    with atomic_target(path) as tmp:
        wb.save(tmp)
    return path


def write_csv(plans: Iterable[Plan], outdir: str | Path) -> list[Path]:
    """Write OUTDIR/<table>.csv for documents, rows, agencies and prose tasks; return the paths.

    UTF-8 with a BOM, comma-separated, RFC 4180 quoting (a task's line breaks stay inside its
    quoted cell), lists joined with "; ", dates ISO (YYYY-MM-DD, which Excel reads as dates).
    """
    plans = list(plans)
    outdir = Path(outdir)
    paths = []
    for _sheet, (table, build) in TABLE_SHEETS.items():
        path = outdir / f"{table}.csv"
        with atomic_target(path) as tmp:
            flat_frame(build(plans)).to_csv(tmp, index=False, encoding=CSV_ENCODING, lineterminator="\r\n")
        paths.append(path)
    return paths


def write_generic_csv(plans: Iterable[Plan], outdir: str | Path) -> list[Path]:
    """Write each statistics table as OUTDIR/tables/<source file name>.<n>.csv (as its Parquet twin)."""
    from tthc_extract.export.tables import table_path

    paths = []
    for p in plans:
        for n, t in enumerate(p.tables, start=1):
            path = table_path(Path(outdir), p.source, n).with_suffix(".csv")
            with atomic_target(path) as tmp:
                flat_frame(numeric_frame(t)).to_csv(tmp, index=False, encoding=CSV_ENCODING, lineterminator="\r\n")
            paths.append(path)
    return paths
