"""STT and section numbering checks: tables of sequences, and the gold readings of the samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tthc_extract.check.numbering import numbering_issues, parse_stt, roman_value, section_issues, stt_issues

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "check"
GOLD = json.loads((FIXTURES / "gold_numbering.json").read_text(encoding="utf-8"))["plans"]


def rows(*items: tuple[str | None, str | None] | tuple[str | None, str | None, str]) -> list[dict[str, Any]]:
    """Return rows from (section, stt[, task]); the task defaults to one per STT."""
    out = []
    for item in items:
        section, stt = item[0], item[1]
        task = item[2] if len(item) > 2 else f"task {section}/{stt}"
        out.append({"section": section, "stt": stt, "task": task})
    return out


@pytest.mark.parametrize(("text", "want"), [
    ("1", (1,)), ("01", (1,)), ("2.", (2,)), ("2.1", (2, 1)), ("3.2.", (3, 2)), ("4)", (4,)), ("(5)", (5,)),
    (None, None), ("", None), ("a", None), ("-", None), ("I", None),
])
def test_parse_stt(text: str | None, want: tuple[int, ...] | None) -> None:
    assert parse_stt(text) == want


@pytest.mark.parametrize(("text", "want"), [("I", 1), ("iv", 4), ("IX", 9), ("XI", 11), ("XIV", 14), ("IIII", None), ("A", None)])
def test_roman_value(text: str, want: int | None) -> None:
    assert roman_value(text) == want


@pytest.mark.parametrize(("seq", "want"), [
    # numbering afresh in each section, or straight through: both in order
    (rows(("I", "1"), ("I", "2"), ("II", "1"), ("II", "2")), []),
    (rows(("I", "1"), ("I", "2"), ("II", "3"), ("III", "4")), []),
    # dotted numbers open and close levels
    (rows(("I", "1"), ("I", "1.1"), ("I", "1.2"), ("I", "2"), ("I", "2.1")), []),
    # rows without a numeric STT are skipped
    (rows(("I", None), ("I", "1"), ("I", "-"), ("I", "2")), []),
    # gaps inside a section and across sections
    (rows(("I", "1"), ("I", "3")), [("gap", "section I: STT 1 → 3: 2 missing")]),
    (rows(("I", "1"), ("II", "3")), [("gap", "STT 1 (section I) → 3 (section II): 2 missing")]),
    (rows(("I", "1"), ("I", "9")), [("gap", "section I: STT 1 → 9: 2–8 (7 numbers) missing")]),
    (rows(("I", "1.1"), ("I", "1.3")), [("gap", "section I: STT 1.1 → 1.3: 1.2 missing")]),
    (rows(("I", "3"),), [("gap", "section I: numbering starts at STT 3")]),
    # a repeat with another task is a duplicate; a later reuse too
    (rows(("I", "1"), ("I", "2", "Rà soát"), ("I", "2", "Công bố TTHC")), [
        ("duplicate", 'section I: STT 2 used again by another task "Công bố TTHC"'),
    ]),
    (rows(("I", "1"), ("I", "2"), ("I", "3"), ("I", "2")), [("duplicate", "section I: STT 3 → 2: STT 2 already used")]),
    # restarting at 1 inside one section, and going backwards to an unused number
    (rows(("I", "1"), ("I", "2"), ("I", "1")), [("restart", "section I: STT 2 → 1: numbering restarts")]),
    (rows(("I", "1"), ("I", "5"), ("I", "4")), [
        ("gap", "section I: STT 1 → 5: 2, 3, 4 missing"), ("jump", "section I: STT 5 → 4: out of order"),
    ]),
    (rows(("I", "1"), ("II", "5"), ("III", "2")), [
        ("gap", "STT 1 (section I) → 5 (section II): 2, 3, 4 missing"),
        ("jump", "STT 5 (section II) → 2 (section III): out of order"),
    ]),
])
def test_stt_issues(seq: list[dict[str, Any]], want: list[tuple[str, str]]) -> None:
    assert [(i.kind, i.message) for i in stt_issues(seq)] == want


def test_sub_rows_repeat_their_parent_stt() -> None:
    """A sub-row (flagged, or with its parent's task) is no duplicate; another task is."""
    seq = rows(("I", "1", "A"), ("I", "1", "A"), ("I", "2", "B"))
    assert stt_issues(seq) == []
    flagged = rows(("I", "1", "A"), ("I", "1", "other text"))
    flagged[1]["is_subrow"] = True
    assert stt_issues(flagged) == []
    flagged[1]["is_subrow"] = False
    assert [i.kind for i in stt_issues(flagged)] == ["duplicate"]


@pytest.mark.parametrize(("numbers", "want"), [
    (["I", "II", "III"], []),
    (["1", "2", "3"], []),
    (["I", "II", "II.1", "II.2", "III"], []),
    (["II", "III"], [("section_gap", "sections start at II (II, III)")]),
    (["I", "II", "IV"], [("section_gap", "sections: II → IV, 1 section(s) missing (I, II, IV)")]),
    (["I", "II", "II", "III"], [("section_duplicate", "section II appears 2 times (I, II, II, III)")]),
    (["I", "III", "II"], [
        ("section_gap", "sections: I → III, 1 section(s) missing (I, III, II)"),
        ("section_order", "sections: III → II out of order (I, III, II)"),
    ]),
    (["I", "I.1", "I.3"], [("section_gap", "sections of I: I.1 → I.3, 1 section(s) missing (I, I.1, I.3)")]),
])
def test_section_issues(numbers: list[str], want: list[tuple[str, str]]) -> None:
    assert [(i.kind, i.message) for i in section_issues([{"number": n} for n in numbers])] == want


def test_gold_000_numbers_section_iii_twice() -> None:
    """Quảng Bình 2022 prints two sections "III"; the second restarts its rows at 1: one issue."""
    plan = GOLD["000_ddb247df984a7d22"]
    assert [(i.kind, i.section, i.message) for i in numbering_issues(plan["rows"], plan["sections"])] == [
        ("section_duplicate", "III",
         "section III appears 2 times (I, II, III, III, IV, V); its STT restart at 1 after 8"),
    ]


def test_gold_001_skips_stt_37() -> None:
    """Quảng Ngãi 2022 numbers straight through the sections and jumps from 36 to 38."""
    plan = GOLD["001_62a13cda74406132"]
    assert [(i.kind, i.section, i.message) for i in numbering_issues(plan["rows"], plan["sections"])] == [
        ("gap", "VIII", "STT 36 (section VII) → 38 (section VIII): 37 missing"),
    ]


def test_gold_002_is_in_order() -> None:
    """Tiền Giang 2022 restarts at 1 in each of its six sections: no issue at all."""
    plan = GOLD["002_c4b107cd9cf43351"]
    assert numbering_issues(plan["rows"], plan["sections"]) == []
