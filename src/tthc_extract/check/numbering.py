"""Check that STT numbers and section numbers run in order: gaps, duplicates, jumps, restarts.

A plan numbers its rows either afresh in each section (I: 1, 2, 3; II: 1, 2) or straight through
the document (I: 1-4; II: 5, 6, ...); both are in order. Dotted numbers ("2.1") open, continue and
close levels. A sub-row repeats its parent's STT (GOLD_SPEC "Sub-rows"): a repeat is only a
duplicate when the row is not marked ``is_subrow`` and its task differs from the row before.
Sections are checked the same way within their parent ("I", "II"; "II.1", "II.2").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex as re

from tthc_extract.check.compare import norm, short
from tthc_extract.text.roman import roman_value

__all__ = ["Number", "NumberingIssue", "numbering_issues", "parse_stt", "roman_value", "section_issues", "stt_issues"]

_DOTTED = re.compile(r"\d{1,4}(?:\.\d{1,4})*")
_MAX_LISTED = 5  # missing numbers listed one by one up to this many

Number = tuple[int, ...]


@dataclass(frozen=True)
class NumberingIssue:
    """One place where the numbering does not run in order."""

    kind: str  # gap | duplicate | jump | restart | section_gap | section_duplicate | section_order
    section: str | None
    message: str
    detail: str = ""  # for a restart: "STT restarts at 1 after 8", folded into a repeated section


def parse_stt(text: Any) -> Number | None:
    """Return an STT as a tuple of integers ("1" -> (1,), "2.1." -> (2, 1)); None if not numeric."""
    if text is None:
        return None
    t = str(text).strip().strip("()").rstrip(".)").strip()
    if not _DOTTED.fullmatch(t):
        return None
    return tuple(int(x) for x in t.split("."))


def _section_value(part: str) -> int | None:
    """Return the ordinal of one section number part: Arabic or Roman."""
    part = part.strip().rstrip(".")
    return int(part) if part.isdigit() else roman_value(part)


def _show(n: Number) -> str:
    return ".".join(map(str, n))


def _follows(prev: Number, cur: Number) -> bool:
    """Return whether ``cur`` is a next number after ``prev``: sibling, first child or an ancestor's next."""
    if cur == prev + (1,):
        return True
    return any(cur == prev[:k] + (prev[k] + 1,) for k in range(len(prev)))


def _missing(prev: Number, cur: Number) -> list[Number] | None:
    """Return the numbers skipped between ``prev`` and a later ``cur`` of one level, else None."""
    k = len(cur) - 1
    if k < len(prev) and cur[:k] == prev[:k] and cur[k] > prev[k] + 1:
        return [cur[:k] + (v,) for v in range(prev[k] + 1, cur[k])]
    return None


def _listed(numbers: Sequence[Number]) -> str:
    if len(numbers) <= _MAX_LISTED:
        return ", ".join(_show(n) for n in numbers)
    return f"{_show(numbers[0])}–{_show(numbers[-1])} ({len(numbers)} numbers)"


def _where(section: str | None) -> str:
    return f"section {section}" if section else "before the first section"


def _is_first(n: Number) -> bool:
    return all(v == 1 for v in n)


def _repeat_ok(row: Mapping[str, Any], prev_row: Mapping[str, Any]) -> bool:
    """Return whether a row repeating the previous STT is a legitimate sub-row."""
    return bool(row.get("is_subrow")) or norm(row.get("task")) == norm(prev_row.get("task"))


def stt_issues(rows: Sequence[Mapping[str, Any]]) -> list[NumberingIssue]:
    """Given task rows in order, return the STT gaps, duplicates, jumps and restarts."""
    issues: list[NumberingIssue] = []
    seen: dict[str | None, set[Number]] = {}
    prev: Number | None = None
    prev_row: Mapping[str, Any] = {}
    prev_section: str | None = None
    for row in rows:
        cur = parse_stt(row.get("stt"))
        if cur is None:
            continue
        section = row.get("section")
        used = seen.setdefault(section, set())
        if prev is None:
            if not _is_first(cur):
                issues.append(NumberingIssue(
                    "gap", section, f"{_where(section)}: numbering starts at STT {_show(cur)}"
                ))
        elif section != prev_section:
            # a new section restarts at 1 or continues the previous section's numbers
            if not _is_first(cur) and not _follows(prev, cur):
                missing = _missing(prev, cur)
                head = f"STT {_show(prev)} ({_where(prev_section)}) → {_show(cur)} ({_where(section)})"
                if missing:
                    issues.append(NumberingIssue("gap", section, f"{head}: {_listed(missing)} missing"))
                else:
                    issues.append(NumberingIssue("jump", section, f"{head}: out of order"))
        elif cur == prev:
            if not _repeat_ok(row, prev_row):
                issues.append(NumberingIssue(
                    "duplicate", section,
                    f"{_where(section)}: STT {_show(cur)} used again by another task {short(row.get('task'), 40)}",
                ))
        elif not _follows(prev, cur):
            head = f"{_where(section)}: STT {_show(prev)} → {_show(cur)}"
            missing = _missing(prev, cur)
            if cur in used and _is_first(cur):
                issues.append(NumberingIssue(
                    "restart", section, f"{head}: numbering restarts",
                    f"its STT restart at {_show(cur)} after {_show(prev)}",
                ))
            elif cur in used:
                issues.append(NumberingIssue("duplicate", section, f"{head}: STT {_show(cur)} already used"))
            elif missing:
                issues.append(NumberingIssue("gap", section, f"{head}: {_listed(missing)} missing"))
            else:
                issues.append(NumberingIssue("jump", section, f"{head}: out of order"))
        used.add(cur)
        prev, prev_row, prev_section = cur, row, section
    return issues


def section_issues(sections: Sequence[Mapping[str, Any]]) -> list[NumberingIssue]:
    """Given the section list in order, return gaps, repeats and disorder within each parent."""
    issues: list[NumberingIssue] = []
    numbers = [str(s.get("number") or "").strip() for s in sections]
    shown = ", ".join(numbers)
    groups: dict[str, list[tuple[str, int]]] = {}
    for number in numbers:
        parent, _, last = number.rpartition(".")
        value = _section_value(last)
        if value is not None:
            groups.setdefault(parent, []).append((number, value))
    for parent, items in groups.items():
        scope = f"sections of {parent}" if parent else "sections"
        seen: set[int] = set()
        prev: tuple[str, int] | None = None
        for n, v in items:
            if prev is None:
                if v != 1:
                    issues.append(NumberingIssue("section_gap", n, f"{scope} start at {n} ({shown})"))
            elif v in seen:
                if not any(i.kind == "section_duplicate" and i.section == n for i in issues):
                    count = sum(1 for _, w in items if w == v)
                    issues.append(NumberingIssue("section_duplicate", n, f"section {n} appears {count} times ({shown})"))
            elif v > prev[1] + 1:
                issues.append(NumberingIssue(
                    "section_gap", n, f"{scope}: {prev[0]} → {n}, {v - prev[1] - 1} section(s) missing ({shown})"
                ))
            elif v < prev[1]:
                issues.append(NumberingIssue("section_order", n, f"{scope}: {prev[0]} → {n} out of order ({shown})"))
            seen.add(v)
            prev = (n, v)
    return issues


def numbering_issues(
    rows: Sequence[Mapping[str, Any]], sections: Sequence[Mapping[str, Any]]
) -> list[NumberingIssue]:
    """Return the section and STT numbering issues of a plan, a repeated section's restart folded in.

    A section printed twice (two "III") whose rows start again at 1 is one issue, not two.
    """
    found = section_issues(sections)
    for issue in stt_issues(rows):
        twin = next((i for i in found if i.kind == "section_duplicate" and i.section == issue.section), None)
        if issue.kind == "restart" and twin is not None:
            found[found.index(twin)] = NumberingIssue(twin.kind, twin.section, f"{twin.message}; {issue.detail}")
        else:
            found.append(issue)
    return found
