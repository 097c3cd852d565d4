"""Put the cells of a text-export row that lost its merged cells back under their columns.

A portal page copied as pipe (or tab) text drops every cell merged with the row above: a sub-row
has no STT and task, rows sharing one agency or one deadline lack that cell. The row then has
fewer cells than the header, and reading it from the left puts a deadline under the agency and
an agency under the result. Here such a row's cells (still in order) are matched to the columns
they most resemble, and the columns left over are the ones merged with the row above: their
value is copied from it (GOLD_SPEC), a missing STT and task make the row a sub-row.

A cell resembles a column by what it is (an STT, a deadline expression, agency names: the field
grammars decide) weighed against what the table's complete rows hold in that column, so a column
whose header says one thing and whose cells say another is read by its cells; by its length
against the column's usual length (a task is longer than a "Hình thức thực hiện" entry); and by
the value above it (an agency printed again under the column it already filled). The weights and
priors are data in grammars/realign.toml.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import regex as re

from tthc_extract import grammars
from tthc_extract.model.warnings import Warning, warn
from tthc_extract.segment.header import ColumnMap

log = logging.getLogger(__name__)

TRAITS = ("stt", "deadline", "agency")
MAX_COLUMNS = 14  # beyond this many columns the assignment search is not attempted


class GridRow(Protocol):
    """The parts of a task table's grid row (segment/tables.py) that realignment reads and writes."""

    cells: dict[str, str]
    merged: set[str]
    extras: dict[int, str]
    columns: list[str]
    short: list[str] | None
    notes: list[Warning]
    spanning: bool
    merges_known: bool
    index: int
    table: int


def looks_like_deadline(text: str) -> bool:
    """Return True for short text that reads like a deadline ("Trong năm 2022", "Quý I")."""
    from tthc_extract.fields.deadline import parse_deadline

    t = text.strip()
    return len(t) < 120 and parse_deadline(t, 2000).kind != "unknown"


def looks_like_agency(text: str) -> bool:
    """Return True for text that opens with an agency head word (the agency grammar's heads)."""
    from tthc_extract.fields.agency import starts_agency

    return starts_agency(text.strip().lstrip("-+• "))


def _cfg(table: str) -> Any:
    """Return one table of the realignment grammar (grammars/realign.toml; loaded once)."""
    return grammars.load("realign")[table]


@grammars.cache
def _stt_pattern() -> re.Pattern[str]:
    return re.compile(grammars.load("structure")["stt"]["valid"], re.IGNORECASE)


@grammars.cache
def _section_pattern() -> re.Pattern[str]:
    return re.compile(_cfg("skip")["section_number"])


@dataclass(frozen=True)
class _Cell:
    """What one cell is: its traits and log length (empty cells carry no evidence)."""

    text: str
    traits: dict[str, bool]
    log_len: float

    @property
    def empty(self) -> bool:
        return not self.text.strip()


@grammars.lru_cache(4096)
def _traits(text: str) -> tuple[bool, bool, bool]:
    t = text.strip()
    return bool(_stt_pattern().match(t)), looks_like_deadline(t), looks_like_agency(t)


def _cell(text: str) -> _Cell:
    t = " ".join(text.split())
    traits = dict(zip(TRAITS, _traits(t), strict=True)) if t else dict.fromkeys(TRAITS, False)
    return _Cell(text=text, traits=traits, log_len=math.log(1 + len(t)))


@dataclass
class _Profile:
    """What a column holds: the chance of each trait, and the usual log length of its cells."""

    p: dict[str, float]
    mean_len: float | None
    sd_len: float


def _kind(field: str | None) -> str:
    """Return the prior group of a column's field (grammars/realign.toml [prior])."""
    if field == "stt":
        return "stt"
    if field in ("deadline", "start"):
        return "deadline"
    if field in ("agency", "lead", "support"):
        return "agency"
    return "text"


def _profiles(fields: list[str | None], full: list[list[_Cell]]) -> list[_Profile]:
    """Return each column's profile from the table's complete rows, smoothed by the header's prior."""
    prior = _cfg("prior")
    k = float(_cfg("weights")["prior_rows"])
    out = []
    for j, f in enumerate(fields):
        pri = prior[_kind(f)]
        cells = [r[j] for r in full if not r[j].empty]
        p = {}
        for t in TRAITS:
            hits = sum(1 for c in cells if c.traits[t])
            p[t] = min(0.98, max(0.02, (hits + k * float(pri[t])) / (len(cells) + k)))
        lens = [c.log_len for c in cells]
        mean = sum(lens) / len(lens) if len(lens) >= 2 else None
        sd = math.sqrt(sum((x - mean) ** 2 for x in lens) / len(lens)) if mean is not None else 1.0
        out.append(_Profile(p=p, mean_len=mean, sd_len=max(sd, float(_cfg("weights")["min_len_sd"]))))
    return out


def _pieces(text: str) -> set[str]:
    """Return the list items of a cell ("A; B" -> {"a", "b"}) for comparing with the value above."""
    return {" ".join(p.lower().split()) for p in re.split(r"[;\n]", text) if p.strip()}


def _fit(cell: _Cell, prof: _Profile, above: str) -> float:
    """Return how well ``cell`` fits a column (log-likelihood-like; higher is better)."""
    if cell.empty:
        return 0.0
    w = _cfg("weights")
    s = 0.0
    for t in TRAITS:
        s += math.log(prof.p[t] if cell.traits[t] else 1.0 - prof.p[t])
    if prof.mean_len is not None:
        z = (cell.log_len - prof.mean_len) / prof.sd_len
        s -= float(w["length"]) * min(z * z, float(w["max_len_z2"])) / 2
    if above.strip() and _pieces(cell.text) & _pieces(above):
        s += float(w["same_as_above"])
    return s


def best_columns(
    cells: list[str], fields: list[str | None], profiles: list[_Profile], above: list[str]
) -> tuple[int, ...]:
    """Return the columns (increasing) that the row's ``cells`` sit in, best fit first.

    Every way of keeping the cells in order under len(cells) of the columns is scored: the cells'
    fit to their columns, plus the row priors (a missing STT takes the task with it; a merged cell
    carries a value from above), and a small preference for reading from the left on a tie.
    """
    w = _cfg("weights")
    info = [_cell(c) for c in cells]
    n = len(fields)
    fit = [[_fit(c, profiles[j], above[j]) for j in range(n)] for c in info]
    best: tuple[float, tuple[int, ...]] = (-math.inf, tuple(range(len(cells))))
    for combo in itertools.combinations(range(n), len(cells)):
        s = sum(fit[i][j] for i, j in enumerate(combo))
        present = {fields[j] for j in combo}
        missing = [j for j in range(n) if j not in combo]
        if "stt" in fields and "stt" not in present and "task" in present:
            s -= float(w["task_without_stt"])
        if "task" in fields and "task" not in present and "stt" in present:
            s -= float(w["stt_without_task"])
        if "lead" in fields and "lead" not in present and "support" in present:
            s -= float(w["support_without_lead"])
        if "result" in fields and "result" not in present:
            s -= float(w["result_missing"])
        s -= float(w["nothing_above"]) * sum(1 for j in missing if not above[j].strip())
        s -= float(w["shift"]) * sum(j - i for i, j in enumerate(combo))
        if s > best[0]:
            best = (s, combo)
    return best[1]


def _skip(cells: list[str]) -> bool:
    """Return True for a short row the assembler reads as it stands: a section or group line."""
    filled = [c for c in cells if c.strip()]
    return len(filled) <= 2 and bool(filled) and bool(_section_pattern().match(filled[0].strip()))


def realign_short_rows(rows: Sequence[GridRow], cmap: ColumnMap, n: int) -> None:
    """Realign every row of a task table (``n`` columns under ``cmap``) that has fewer cells than
    its header (see the module docstring)."""
    if n > MAX_COLUMNS or not any(r.short is not None for r in rows):
        return
    by_col = {c: f for f, c in cmap.columns.items()}
    fields: list[str | None] = [by_col.get(j) for j in range(n)]
    full = [[_cell(t) for t in r.columns] for r in rows if r.short is None and not r.spanning and len(r.columns) == n]
    profiles = _profiles(fields, full)
    extra = set(cmap.extra_columns())
    above = [""] * n
    for gr in rows:
        if gr.short is not None and _skip(gr.short):
            _section_line(gr, gr.short, fields, extra)
        if gr.spanning or (gr.short is not None and _skip(gr.short)):
            above = [""] * n  # a vertical merge does not cross a section row
            continue
        if gr.short is None or len(gr.short) >= n:
            above = list(gr.columns[:n]) + [""] * (n - len(gr.columns))
            continue
        combo = best_columns(gr.short, fields, profiles, above)
        row = [""] * n
        for i, j in enumerate(combo):
            row[j] = gr.short[i]
        copied = []
        for j in range(n):
            if j in combo or not above[j].strip():
                continue
            f = fields[j]
            copied.append(cmap.title(j) or f"column {j + 1}")
            if f in ("stt", "task"):
                gr.merged.add(f)  # the row is a sub-row of the row above
                continue
            row[j] = above[j]
            if f is not None:
                gr.merged.add(f)
        _write(gr, row, fields, extra)
        gr.merges_known = True
        gr.columns = row
        if copied:
            gr.notes.append(warn("cells_missing_in_export",
                                 f"cells missing from the export (merged with the row above): {', '.join(copied)}"))
        log.debug("row %d of table %d: %d of %d cells, read under columns %s", gr.index, gr.table,
                  len(gr.short), n, combo)
        # A sub-row's STT and task stay those of its parent for the rows below it.
        above = [row[j] if j in combo or fields[j] not in ("stt", "task") else above[j] for j in range(n)]


def _section_line(gr: GridRow, cells: list[str], fields: list[str | None], extra: set[int]) -> None:
    """Read "| I | TITLE |" as a section (or group) line: the number, then its title as the task."""
    if "stt" not in fields or "task" not in fields:
        return
    filled = [c for c in cells if c.strip()]
    row = ["" for _ in fields]
    row[fields.index("stt")] = filled[0]
    row[fields.index("task")] = " ".join(filled[1:])
    _write(gr, row, fields, extra)
    gr.columns = row


def _write(gr: GridRow, row: list[str], fields: list[str | None], extra: set[int]) -> None:
    """Write the realigned column texts into the grid row's fields and extra columns."""
    for j, text in enumerate(row):
        f = fields[j]
        if f is not None:
            gr.cells[f] = text
        if j in extra:
            gr.extras[j] = text
