"""Find a task table's header row and map its columns to fields by meaning.

Given a row of header titles, return which field each column holds (stt, task, result, agency,
lead, support, deadline, start and the extra columns), using the synonyms in grammars/headers.toml. Works for any column
order and for two-level headers ("Cơ quan thực hiện" over "Chủ trì" | "Phối hợp").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import regex as re
from rapidfuzz import fuzz

from tthc_extract import grammars
from tthc_extract.model.document import TableRow

FIELDS = ("stt", "task", "result", "agency", "lead", "support", "deadline", "start", "budget", "note",
          "expected", "form")
AGENCY_FIELDS = frozenset({"agency", "lead", "support"})
# Columns kept beside a row, never read as its task, result, agency or deadline.
EXTRA_FIELDS = frozenset({"budget", "note", "expected", "form"})


def strip_accents(text: str) -> str:
    """Return ``text`` without Vietnamese diacritics (đ -> d), for OCR-tolerant matching."""
    nfd = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in nfd if not unicodedata.combining(ch))


_NOISE = re.compile(r"\(\s*\d+\s*\)|[^\p{L}\p{N}\s]")


def norm_title(text: str) -> str:
    """Return a header title normalised for matching: lower case, no punctuation or "(1)"."""
    return " ".join(_NOISE.sub(" ", text.lower()).split())


@dataclass(frozen=True)
class _Synonym:
    text: str
    plain: str  # without accents
    field: str
    pattern: re.Pattern[str]  # the synonym as a whole phrase inside a longer title
    plain_pattern: re.Pattern[str]


@grammars.cache
def _synonyms() -> tuple[_Synonym, ...]:
    """Return the header synonyms with their compiled phrase patterns, longest first."""
    g = grammars.load("headers")["fields"]
    out = []
    for f in FIELDS:
        for s in g[f]["synonyms"]:
            sa = strip_accents(s)
            out.append(_Synonym(s, sa, f, re.compile(rf"(?<!\w){re.escape(s)}(?!\w)"),
                                re.compile(rf"(?<!\w){re.escape(sa)}(?!\w)")))
    return tuple(sorted(out, key=lambda x: -len(x.text)))


@grammars.lru_cache(8192)
def field_of_title(title: str) -> str | None:
    """Return the field a column title means, or None when it is not a known header word."""
    t = norm_title(title)
    if not t or len(t) > 60:
        return None
    ta = strip_accents(t)
    syns = _synonyms()
    for sy in syns:
        if t == sy.text or ta == sy.plain:
            return sy.field
    for sy in syns:
        if sy.pattern.search(t) or sy.plain_pattern.search(ta):
            return _role_of(t, sy.field)
    if 4 <= len(ta) <= 40:
        best = max(syns, key=lambda x: fuzz.ratio(ta, x.plain))
        if fuzz.ratio(ta, best.plain) >= 85:
            return best.field
    return None


def _role_of(title: str, field: str) -> str:
    """Return the agency field a title's role words call for ("... chủ trì" -> lead)."""
    if field not in AGENCY_FIELDS:
        return field
    roles = grammars.load("headers")["roles"]
    lead = any(w in title for w in roles["lead"])
    support = any(w in title for w in roles["support"])
    if lead and support:
        return "agency"
    return "lead" if lead else "support" if support else field


@dataclass
class ColumnMap:
    """Which grid column holds which field; ``unmapped`` lists columns with unknown titles."""

    columns: dict[str, int] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)
    unmapped: list[int] = field(default_factory=list)
    header_rows: int = 1

    def get(self, name: str) -> int | None:
        """Return the column of field ``name`` or None."""
        return self.columns.get(name)

    @property
    def has_start(self) -> bool:
        """True when the time is printed in two columns (start | due): the deadline reads both."""
        return "start" in self.columns and "deadline" in self.columns

    def extra_columns(self) -> list[int]:
        """Return the columns kept beside the row: extra fields and columns of unknown title."""
        cols = [i for f, i in self.columns.items() if f in EXTRA_FIELDS]
        return sorted(cols + [i for i in self.unmapped if i < len(self.titles) and self.titles[i].strip()])

    def title(self, col: int) -> str:
        """Return the printed title of column ``col`` on one line ("" when none)."""
        return " ".join(self.titles[col].split()) if col < len(self.titles) else ""

    @property
    def split_agencies(self) -> bool:
        """True when lead and support agencies are printed in separate columns."""
        return "lead" in self.columns or "support" in self.columns


def map_header(row: TableRow, n_cols: int, next_row: TableRow | None = None) -> ColumnMap | None:
    """Return the column map if ``row`` is a task-table header row, else None.

    A header needs at least ``min_fields`` distinct known fields including the task and one of
    deadline/agency/lead/result. With a second header row below (two-level header), its titles
    refine the columns they sit under ("Cơ quan thực hiện" -> "Chủ trì" | "Phối hợp").
    """
    cfg = grammars.load("headers")["table"]
    texts = row.texts(n_cols)
    cols: dict[str, int] = {}
    unmapped: list[int] = []
    for i, t in enumerate(texts):
        if not t.strip():
            continue
        f = field_of_title(t)
        if f is None or f in cols:
            unmapped.append(i)
            continue
        cols[f] = i
    if len(cols) < cfg["min_fields"] or "task" not in cols:
        return None
    if not ({"deadline", "agency", "lead", "result"} & cols.keys()):
        return None
    header_rows = 1
    if next_row is not None:
        sub = next_row.texts(n_cols)
        filled = {i: t for i, t in enumerate(sub) if t.strip()}
        known = {i: field_of_title(t) for i, t in filled.items()}
        if filled and all(known.values()) and not any(_is_data_like(t) for t in filled.values()):
            header_rows = 2
            for i, f in known.items():
                # A sub-title refines the column it sits under ("Hoàn thành" under the time).
                if f and (f in ("lead", "support", "deadline") or f not in cols):
                    cols[f] = i
            if cols.get("agency") is not None and cols["agency"] in (cols.get("lead"), cols.get("support")):
                del cols["agency"]
    for stand_in, missing in grammars.load("headers")["fallback"].items():
        if missing not in cols and stand_in in cols:
            cols[missing] = cols.pop(stand_in)
    for i in list(unmapped):
        if i in cols.values():
            unmapped.remove(i)
    return ColumnMap(columns=cols, titles=texts, unmapped=unmapped, header_rows=header_rows)


def _is_data_like(text: str) -> bool:
    """Return True for a cell that reads like data rather than a title (long, or a sentence)."""
    return len(text) > 40 or text.rstrip().endswith(".")


def same_header(row: TableRow, cmap: ColumnMap, n_cols: int) -> bool:
    """Return True when ``row`` repeats the header titles of ``cmap`` (a page's repeated header)."""
    texts = row.texts(n_cols)
    hits = 0
    total = 0
    for f, i in cmap.columns.items():
        if i < len(texts) and i < len(cmap.titles) and cmap.titles[i].strip():
            total += 1
            if norm_title(texts[i]) == norm_title(cmap.titles[i]) or field_of_title(texts[i]) == f:
                hits += 1
    return total > 0 and hits >= max(2, total - 1)


@grammars.cache
def _column_number_cell() -> re.Pattern[str]:
    """Return the pattern of one column-number cell (grammars/generic.toml [column_numbers])."""
    return re.compile(grammars.load("generic")["column_numbers"]["cell"])


def is_column_number_texts(texts: list[str]) -> bool:
    """Given a row's cell texts (one per grid column), return True for a row of column numbers.

    "1 2 3 4 5", "(1) (2) ...", "A B 1 2", "(3)=(1)+(2)": every filled cell (all but one at most)
    is a column number and the numbers increase. Used under task-table and statistics headers.
    """
    pat = _column_number_cell()
    cells = [" ".join(t.split()) for t in texts if t.strip()]
    if len(cells) < max(2, len(texts) - 1) or not all(pat.match(t) for t in cells):
        return False
    nums = [int(m.group(0)) for t in cells if (m := re.search(r"\d+", t))]
    return len(nums) >= 2 and all(a < b for a, b in zip(nums, nums[1:], strict=False))


def is_column_number_row(row: TableRow, n_cols: int) -> bool:
    """Return True for a row of column numbers ("1 2 3 4 5", "(1) (2) ...") under a header."""
    return is_column_number_texts(row.texts(n_cols))
