"""Compare an extracted plan with an expected one: the scorer's row matching, accuracies, a diff.

Rows are matched as the project's scorer (../shared/tools/score.py) matches them: the similarity of
two rows is the mean of the fuzzy ratios of their normalised task and result texts; pairs at or
above 0.8 are taken greedily, best first, each row at most once. Over the matched rows each field
is scored as the scorer does (texts equal at a ratio of 0.95, agency lists by fuzzy set F1,
deadline kind and end exactly). Both sides are plain JSON dicts: the extractor's own output, or a
hand-written gold file (agencies as strings under "lead"/"support").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex as re
from rapidfuzz.fuzz import ratio as _rf_ratio

from tthc_extract.fields.agency import canonical_name
from tthc_extract.text.normalize import normalize_chars, strip_markup

ROW_MATCH = 0.8  # two rows are the same row at this task+result similarity
PROSE_MATCH = 0.7  # the same for prose tasks (task + paragraph text)
TEXT_SAME = 0.95  # a task or result text counts as right at this ratio
AGENCY_SAME = 0.85  # two agency names are the same agency at this ratio
ISSUER_SAME = 0.9  # the issuer counts as right at this ratio
SNIPPET = 60  # characters of a task shown in a diff line

ROW_FIELDS = (
    "task", "result", "stt", "section", "agencies", "lead", "support",
    "deadline_raw", "deadline_kind", "deadline_end",
)
DOC_FIELDS = ("doc_type", "doc_number", "issuer", "province", "issue_date", "signer", "plan_year")

Json = Mapping[str, Any]

_QUOTES_BULLETS = re.compile(r"[\*\u2022\u2013\u2014•·“”\"'’‘]")
_LONE_SIGN = re.compile(r"(^|\s)[-+](?=\s|$)")
_SPACES = re.compile(r"\s+")
_NAME_PUNCT = re.compile(r"[.,;:()]")
_LEADING_PLURAL = re.compile(r"^các\s+")


def ratio(a: str, b: str) -> float:
    """Return the similarity 0..1 of two strings (normalised Indel distance, as rapidfuzz's ratio)."""
    return _rf_ratio(a, b) / 100.0


def norm(value: Any) -> str:
    """Return text in comparison form: NFC, tone marks unified, markup and quotes gone, case-folded."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = " ".join(str(x) for x in value)
    text = normalize_chars(strip_markup(unicodedata.normalize("NFC", str(value)))).casefold()
    text = _QUOTES_BULLETS.sub(" ", text)
    text = _LONE_SIGN.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" .;,:")


def norm_agency(name: str) -> str:
    """Return an agency name in comparison form: abbreviations expanded, punctuation dropped."""
    text = norm(canonical_name(" ".join(str(name).split())))
    text = _LEADING_PLURAL.sub("", text)
    return _SPACES.sub(" ", _NAME_PUNCT.sub(" ", text)).strip()


def agency_names(value: Any) -> list[str]:
    """Return the names of an agency list whose items are strings or {"name": ...} objects."""
    out = []
    for item in value or []:
        if isinstance(item, Mapping):
            item = item.get("name") or item.get("canonical") or ""
        out.append(str(item))
    return [a for a in out if a.strip()]


def set_f1(expected: Sequence[str], actual: Sequence[str], threshold: float = AGENCY_SAME) -> float:
    """Return the fuzzy set F1 of two lists of normalised names (greedy one-to-one matching)."""
    if not expected and not actual:
        return 1.0
    if not expected or not actual:
        return 0.0
    used: set[int] = set()
    tp = 0
    for e in expected:
        best, best_j = 0.0, None
        for j, a in enumerate(actual):
            if j not in used and (r := ratio(e, a)) > best:
                best, best_j = r, j
        if best_j is not None and best >= threshold:
            used.add(best_j)
            tp += 1
    if not tp:
        return 0.0
    p, r = tp / len(actual), tp / len(expected)
    return 2 * p * r / (p + r)


def _lead(row: Json) -> list[str]:
    return agency_names(row.get("lead_agencies", row.get("lead")))


def _support(row: Json) -> list[str]:
    return agency_names(row.get("support_agencies", row.get("support")))


def _deadline(row: Json) -> Json:
    d = row.get("deadline")
    return d if isinstance(d, Mapping) else {}


def _row_key(row: Json) -> tuple[str, str]:
    return norm(row.get("task")), norm(row.get("result") if "result" in row else row.get("text"))


def match_rows(
    expected: Sequence[Json], actual: Sequence[Json], threshold: float = ROW_MATCH
) -> list[tuple[int, int, float]]:
    """Given two row lists, return matched (expected index, actual index, similarity), best first."""
    exp_keys = [_row_key(r) for r in expected]
    act_keys = [_row_key(r) for r in actual]
    cands = []
    for i, (et, er) in enumerate(exp_keys):
        for j, (at, ar) in enumerate(act_keys):
            s = 0.5 * ratio(et, at) + 0.5 * ratio(er, ar)
            if s >= threshold:
                cands.append((s, i, j))
    cands.sort(reverse=True)
    used_e: set[int] = set()
    used_a: set[int] = set()
    pairs = []
    for s, i, j in cands:
        if i not in used_e and j not in used_a:
            used_e.add(i)
            used_a.add(j)
            pairs.append((i, j, s))
    return pairs


def prf(tp: int, n_expected: int, n_actual: int) -> tuple[float, float, float]:
    """Return precision, recall and F1 as the scorer computes them (empty sides count as perfect)."""
    p = tp / n_actual if n_actual else (1.0 if not n_expected else 0.0)
    r = tp / n_expected if n_expected else 1.0
    return p, r, (0.0 if p + r == 0 else 2 * p * r / (p + r))


# -- one field of a row: its score over a matched pair, its shown value, whether it changed --

def _text_score(key: str) -> Callable[[Json, Json], float]:
    return lambda e, a: float(ratio(norm(e.get(key)), norm(a.get(key))) >= TEXT_SAME)


def _equal_score(get: Callable[[Json], Any]) -> Callable[[Json, Json], float]:
    return lambda e, a: float(get(e) == get(a))


def _agency_score(get: Callable[[Json], list[str]]) -> Callable[[Json, Json], float]:
    return lambda e, a: set_f1([norm_agency(x) for x in get(e)], [norm_agency(x) for x in get(a)])


FIELD_SCORES: dict[str, Callable[[Json, Json], float]] = {
    "task": _text_score("task"),
    "result": _text_score("result"),
    "stt": _equal_score(lambda r: norm(r.get("stt"))),
    "section": _equal_score(lambda r: norm(r.get("section"))),
    "agencies": _agency_score(lambda r: _lead(r) + _support(r)),
    "lead": _agency_score(_lead),
    "support": _agency_score(_support),
    "deadline_raw": _equal_score(lambda r: norm(r.get("deadline_raw"))),
    "deadline_kind": _equal_score(lambda r: _deadline(r).get("kind") or "unknown"),
    "deadline_end": _equal_score(lambda r: _deadline(r).get("end") or None),
}

# What a diff shows per field (``agencies`` is lead + support, shown through those two).
_SHOWN: dict[str, Callable[[Json], Any]] = {
    "stt": lambda r: r.get("stt"),
    "section": lambda r: r.get("section"),
    "task": lambda r: r.get("task"),
    "result": lambda r: r.get("result"),
    "lead": lambda r: "; ".join(_lead(r)) or None,
    "support": lambda r: "; ".join(_support(r)) or None,
    "deadline_raw": lambda r: r.get("deadline_raw"),
    "deadline_kind": lambda r: _deadline(r).get("kind") or "unknown",
    "deadline_end": lambda r: _deadline(r).get("end"),
}


def _same_shown(name: str, e: Json, a: Json) -> bool:
    """Return whether one field of two rows is unchanged as a reader sees it (normalised)."""
    if name in ("lead", "support"):
        get = _lead if name == "lead" else _support
        return sorted(norm_agency(x) for x in get(e)) == sorted(norm_agency(x) for x in get(a))
    return norm(_SHOWN[name](e)) == norm(_SHOWN[name](a))


def short(value: Any, width: int = SNIPPET) -> str:
    """Return a value as a quoted one-line snippet of at most ``width`` characters (or ∅)."""
    if value is None or value == "":
        return "∅"
    text = " ".join(str(value).split())
    return f'"{text if len(text) <= width else text[: width - 1] + "…"}"'


@dataclass
class FieldChange:
    """One field whose value differs: the expected (old) and the extracted (new) value."""

    field: str
    old: Any
    new: Any

    def text(self) -> str:
        """Return "field: old → new"."""
        return f"{self.field}: {short(self.old, 40)} → {short(self.new, 40)}"


@dataclass
class RowDiff:
    """A missing (expected only), extra (extracted only) or changed (matched) row."""

    kind: str  # "missing" | "extra" | "changed"
    label: str  # 'row STT 3 (section III) "task…"', 'prose task 2 "task…"'
    changes: list[FieldChange] = field(default_factory=list)

    def line(self) -> str:
        """Return the diff line: sign, kind, row label and the changed fields."""
        sign = {"missing": "-", "extra": "+", "changed": "~"}[self.kind]
        tail = "; ".join(c.text() for c in self.changes)
        return f"{sign} {self.kind} {self.label}" + (f": {tail}" if tail else "")


def row_label(row: Json, rows: Sequence[Json]) -> str:
    """Return how a diff names a row: STT, section and task, plus its result when that is ambiguous."""
    stt, section = row.get("stt"), row.get("section")
    where = f"STT {stt}" if stt else "row without STT"
    if section:
        where += f" (section {section})"
    label = f"{where} {short(row.get('task'))}"
    twins = [r for r in rows if r.get("stt") == stt and norm(r.get("task")) == norm(row.get("task"))]
    if len(twins) > 1:  # sub-rows share STT and task: tell them apart by their result
        label += f" / result {short(row.get('result'), 40)}"
    return label


@dataclass
class ItemScore:
    """Matching of a list of items (prose tasks) or cells (tables): counts, F1 and accuracies."""

    expected: int
    actual: int
    f1: float
    accuracy: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Comparison:
    """The comparison of one extracted plan with its expected plan."""

    expected_rows: int
    actual_rows: int
    matched: int
    precision: float
    recall: float
    f1: float
    fields: dict[str, float | None]  # None when no row matched
    document: dict[str, float]
    document_accuracy: float
    diffs: list[RowDiff] = field(default_factory=list)
    document_changes: list[FieldChange] = field(default_factory=list)
    prose: ItemScore | None = None
    table_cell_accuracy: float | None = None

    def diff_lines(self) -> list[str]:
        """Return the readable diff: document fields first, then rows in expected order."""
        out = [f"~ document {c.text()}" for c in self.document_changes]
        return out + [d.line() for d in self.diffs]


def _legal_numbers(doc: Json) -> list[str]:
    return [str(x if isinstance(x, str) else (x or {}).get("number") or "") for x in doc.get("legal_bases") or []]


def compare_document(expected: Json, actual: Json) -> tuple[dict[str, float], list[FieldChange]]:
    """Return the metadata scores (1.0 right, 0.0 wrong; legal bases as F1) and the changed fields."""
    e_doc = expected.get("document") or {}
    a_doc = actual.get("document") or {}
    scores: dict[str, float] = {}
    changes: list[FieldChange] = []
    for key in DOC_FIELDS:
        want, got = e_doc.get(key), a_doc.get(key)
        accepted = want if isinstance(want, list) else [want]  # a list means: any of these
        if key == "issuer":
            ok = any(
                ratio(norm_agency(x), norm_agency(got or "")) >= ISSUER_SAME if x else got in (None, "")
                for x in accepted
            )
        else:
            ok = any(norm(x) == norm(got) for x in accepted)
        scores[key] = float(ok)
        if not ok:
            changes.append(FieldChange(key, want, got))
    e_laws, a_laws = _legal_numbers(e_doc), _legal_numbers(a_doc)
    scores["legal_bases"] = set_f1([norm(x) for x in e_laws], [norm(x) for x in a_laws])
    if scores["legal_bases"] < 1.0:
        e_set, a_set = {norm(x) for x in e_laws}, {norm(x) for x in a_laws}
        changes.append(FieldChange(
            "legal_bases",
            ", ".join(x for x in e_laws if norm(x) not in a_set) or None,
            ", ".join(x for x in a_laws if norm(x) not in e_set) or None,
        ))
    return scores, changes


def _row_changes(e: Json, a: Json) -> list[FieldChange]:
    """Return the fields of a matched row pair that differ, in reading order."""
    return [FieldChange(n, _SHOWN[n](e), _SHOWN[n](a)) for n in _SHOWN if not _same_shown(n, e, a)]


def compare_rows(
    expected: Sequence[Json], actual: Sequence[Json]
) -> tuple[list[tuple[int, int, float]], dict[str, float | None], list[RowDiff]]:
    """Return the matched pairs, the per-field accuracy over them and the row diff."""
    pairs = match_rows(expected, actual)
    fields: dict[str, float | None] = {}
    for name, score in FIELD_SCORES.items():
        fields[name] = sum(score(expected[i], actual[j]) for i, j, _ in pairs) / len(pairs) if pairs else None
    by_expected = {i: j for i, j, _ in pairs}
    matched_actual = set(by_expected.values())
    diffs: list[RowDiff] = []
    for i, e in enumerate(expected):
        if i not in by_expected:
            diffs.append(RowDiff("missing", "row " + row_label(e, expected)))
        elif changes := _row_changes(e, actual[by_expected[i]]):
            diffs.append(RowDiff("changed", "row " + row_label(e, expected), changes))
    diffs += [RowDiff("extra", "row " + row_label(a, actual)) for j, a in enumerate(actual) if j not in matched_actual]
    return pairs, fields, diffs


def compare_prose(expected: Sequence[Json], actual: Sequence[Json]) -> tuple[ItemScore, list[RowDiff]]:
    """Return the score of prose tasks (matched on task + text) and their missing/extra items."""
    pairs = match_rows(expected, actual, PROSE_MATCH)
    _, _, f1 = prf(len(pairs), len(expected), len(actual))
    acc: dict[str, float | None] = {}
    for name in ("deadline_kind", "agencies"):
        total = sum(FIELD_SCORES[name](expected[i], actual[j]) for i, j, _ in pairs)
        acc[name] = total / len(pairs) if pairs else None
    got_e = {i for i, _, _ in pairs}
    got_a = {j for _, j, _ in pairs}

    def label(x: Json) -> str:
        return f"prose task {x.get('number') or '?'} {short(x.get('task') or x.get('text'))}"

    diffs = [RowDiff("missing", label(x)) for i, x in enumerate(expected) if i not in got_e]
    diffs += [RowDiff("extra", label(x)) for j, x in enumerate(actual) if j not in got_a]
    return ItemScore(len(expected), len(actual), f1, acc), diffs


def _cells(table: Json) -> list[list[str]]:
    rows = table.get("rows") or []
    out = []
    for row in rows:
        cells = row.get("cells") if isinstance(row, Mapping) else row
        out.append([norm(c.get("text") if isinstance(c, Mapping) else c) for c in cells or []])
    return out


def table_cell_accuracy(expected: Sequence[Json], actual: Sequence[Json]) -> float:
    """Return the share of expected table cells found in place in the best-matching actual table."""
    total = right = 0
    actual_cells = [_cells(t) for t in actual]
    for table in expected:
        cells = _cells(table)
        best = 0
        for other in actual_cells:
            ok = sum(
                1 for i, row in enumerate(cells) if i < len(other)
                for k, c in enumerate(row) if k < len(other[i]) and other[i][k] == c
            )
            best = max(best, ok)
        total += sum(len(r) for r in cells)
        right += best
    return right / total if total else 1.0


def compare_plans(expected: Json, actual: Json) -> Comparison:
    """Return the full comparison of an extracted plan (``actual``) with its ``expected`` plan."""
    e_rows, a_rows = list(expected.get("rows") or []), list(actual.get("rows") or [])
    pairs, fields, diffs = compare_rows(e_rows, a_rows)
    p, r, f1 = prf(len(pairs), len(e_rows), len(a_rows))
    doc_scores, doc_changes = compare_document(expected, actual)
    comp = Comparison(
        expected_rows=len(e_rows), actual_rows=len(a_rows), matched=len(pairs),
        precision=p, recall=r, f1=f1, fields=fields, document=doc_scores,
        document_accuracy=sum(doc_scores.values()) / len(doc_scores),
        diffs=diffs, document_changes=doc_changes,
    )
    if expected.get("prose_tasks"):
        comp.prose, prose_diffs = compare_prose(expected["prose_tasks"], actual.get("prose_tasks") or [])
        comp.diffs += prose_diffs
    if expected.get("tables"):
        comp.table_cell_accuracy = table_cell_accuracy(expected["tables"], actual.get("tables") or [])
    return comp
