"""Tests for tthc_extract.fields.agency: gold agency cells, grammar examples, columns, speed."""

from __future__ import annotations

import json
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import regex as re
from rapidfuzz.fuzz import ratio

from tthc_extract import grammars
from tthc_extract.fields.agency import canonical_name, parse_agencies

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agencies"
CASES: list[dict[str, Any]] = json.loads((FIXTURES / "gold_cells.json").read_text("utf-8"))["cases"]

# Mean set-F1 reached on the fixture (1.000 for agencies, lead and support when written); the
# test allows a small margin so that a general improvement may trade one odd cell.
MEAN_F1_FLOOR = 0.99


# --- the scorer's agency comparison (../shared/tools/score.py: norm, norm_agency, set_f1) -------

_ABBR = [
    (r"\bubnd\b", "ủy ban nhân dân"), (r"\bhđnd\b", "hội đồng nhân dân"),
    (r"\btt&tt\b", "thông tin và truyền thông"), (r"\bttvtt\b", "thông tin và truyền thông"),
    (r"\bkh&đt\b", "kế hoạch và đầu tư"), (r"\bhcc\b", "hành chính công"),
    (r"\bvp\b", "văn phòng"), (r"\bnn\b", "nhà nước"), (r"\btw\b", "trung ương"),
    (r"\blđ-tb&xh\b", "lao động - thương binh và xã hội"),
]


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s).casefold()
    for a, b in (("hoà", "hòa"), ("oá", "óa"), ("uỷ", "ủy"), ("oả", "ỏa"), ("oạ", "ọa")):
        s = s.replace(a, b)
    s = re.sub(r"<[^>]+>", " ", s)
    s = re.sub(r"[\*\u2022\u2013\u2014•·“”\"'’‘]", " ", s)
    s = re.sub(r"(^|\s)[-+](\s|$)", " ", s)
    return re.sub(r"[\s\u00a0]+", " ", s).strip(" .;,:")


def _norm_agency(s: str) -> str:
    s = _norm(s)
    for pat, rep in _ABBR:
        s = re.sub(pat, rep, s)
    s = re.sub(r"^(các|- )\s*", "", s)
    s = re.sub(r"[.,;:()]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _set_f1(gold: list[str], pred: list[str]) -> float:
    """Fuzzy set F1 as the scorer computes it: one-to-one greedy matches with ratio >= 0.85."""
    gold = [n for n in (_norm_agency(g) for g in gold) if n]
    pred = [n for n in (_norm_agency(p) for p in pred) if n]
    if not gold and not pred:
        return 1.0
    if not gold or not pred:
        return 0.0
    used: set[int] = set()
    tp = 0
    for g in gold:
        best, bj = 0.0, None
        for j, p in enumerate(pred):
            if j not in used and ratio(g, p) / 100 > best:
                best, bj = ratio(g, p) / 100, j
        if bj is not None and best >= 0.85:
            used.add(bj)
            tp += 1
    if tp == 0:
        return 0.0
    prec, rec = tp / len(pred), tp / len(gold)
    return 2 * prec * rec / (prec + rec)


# --- helpers ------------------------------------------------------------------------------


def _read(raw: str | None) -> tuple[list[str], list[str]]:
    """Return the lead and support names of a gold agencies_raw (split columns at " || ")."""
    if raw is not None and " || " in raw + " ":
        lead_cell, _, support_cell = raw.partition("||")
        lead, _ = parse_agencies(lead_cell, column="lead")
        _, support = parse_agencies(support_cell, column="support")
    else:
        lead, support = parse_agencies(raw)
    return [a.name for a in lead], [a.name for a in support]


def _grammar_examples() -> list[Any]:
    """Return (section, example) params for every example in grammars/agencies.toml."""
    out = []
    for section, value in grammars.load("agencies").items():
        for entry in value if isinstance(value, list) else [value]:
            for ex in entry.get("examples", []):
                out.append(pytest.param(ex, id=f"{section}: {ex['text'][:50]}"))
    return out


# --- gold cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c["sources"][0]) for c in CASES if c["clear"]],
)
def test_gold_cell_exact(case: dict[str, Any]) -> None:
    assert _read(case["agencies_raw"]) == (case["lead"], case["support"])


def test_gold_mean_f1() -> None:
    totals = {"agencies": 0.0, "lead": 0.0, "support": 0.0}
    rows = 0
    for case in CASES:
        lead, support = _read(case["agencies_raw"])
        n = case["rows"]
        totals["agencies"] += n * _set_f1(case["lead"] + case["support"], lead + support)
        totals["lead"] += n * _set_f1(case["lead"], lead)
        totals["support"] += n * _set_f1(case["support"], support)
        rows += n
    means = {k: v / rows for k, v in totals.items()}
    assert rows == 516
    assert all(v >= MEAN_F1_FLOOR for v in means.values()), means


# --- grammar ------------------------------------------------------------------------------


@pytest.mark.parametrize("example", _grammar_examples())
def test_grammar_example(example: dict[str, Any]) -> None:
    lead, support = parse_agencies(example["text"])
    assert ([a.name for a in lead], [a.name for a in support]) == (
        example.get("lead", []),
        example.get("support", []),
    )


@pytest.mark.parametrize(
    "entry", [pytest.param(a, id=a["abbr"]) for a in grammars.load("agencies")["abbreviations"]]
)
def test_abbreviation_example(entry: dict[str, str]) -> None:
    assert entry["abbr"] in entry["example"]
    assert canonical_name(entry["example"]) == entry["canonical"]


def test_every_grammar_entry_has_an_example() -> None:
    for section, value in grammars.load("agencies").items():
        for entry in value if isinstance(value, list) else [value]:
            assert entry.get("examples") or entry.get("example"), section


# --- behaviour ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "  \n ", "-", "."])
def test_empty_cell(text: str | None) -> None:
    assert parse_agencies(text) == ([], [])


def test_agency_fields() -> None:
    lead, support = parse_agencies(
        "Sở TT&TT chủ trì, phối hợp với Văn phòng UBND tỉnh, Sở LĐ-TB&XH và các cơ quan liên quan."
    )
    assert [(a.name, a.canonical, a.role) for a in lead] == [
        ("Sở TT&TT", "Sở Thông tin và Truyền thông", "lead")
    ]
    assert [(a.name, a.canonical, a.role) for a in support] == [
        ("Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", "support"),
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội", "support"),
        ("các cơ quan liên quan", "các cơ quan liên quan", "support"),
    ]


@pytest.mark.parametrize(
    ("column", "lead", "support"),
    [
        ("lead", ["Văn phòng UBND tỉnh", "Sở Tư pháp"], []),
        ("support", [], ["Văn phòng UBND tỉnh", "Sở Tư pháp"]),
        ("agency", ["Văn phòng UBND tỉnh"], ["Sở Tư pháp"]),
    ],
)
def test_column_decides_role(column: Any, lead: list[str], support: list[str]) -> None:
    got_lead, got_support = parse_agencies("Văn phòng UBND tỉnh chủ trì, phối hợp Sở Tư pháp", column)
    assert ([a.name for a in got_lead], [a.name for a in got_support]) == (lead, support)


def test_split_columns_value() -> None:
    lead, support = parse_agencies("Sở Tài chính || Cục Thuế tỉnh; Kho bạc Nhà nước Quảng Ngãi")
    assert [a.name for a in lead] == ["Sở Tài chính"]
    assert [a.name for a in support] == ["Cục Thuế tỉnh", "Kho bạc Nhà nước Quảng Ngãi"]


@pytest.mark.parametrize(
    ("text", "lead", "support"),
    [
        # docx paragraphs without punctuation, and PDF soft wraps inside a name
        ("Văn phòng UBND tỉnh\nSở Tư pháp\nCác sở, ban, ngành", ["Văn phòng UBND tỉnh", "Sở Tư pháp", "Các sở, ban, ngành"], []),
        ("Sở Thông tin và\nTruyền thông chủ trì", ["Sở Thông tin và Truyền thông"], []),
        ("Văn phòng Ủy ban nhân\ndân tỉnh", ["Văn phòng Ủy ban nhân dân tỉnh"], []),
        # names with inner commas / "và" and lower-case spellings
        ("Sở Văn hóa, Thể thao và Du lịch; Sở Kế hoạch và đầu tư", ["Sở Văn hóa, Thể thao và Du lịch", "Sở Kế hoạch và đầu tư"], []),
        ("Sở Tư pháp, Sở Nội vụ, Sở Xây dựng", ["Sở Tư pháp", "Sở Nội vụ", "Sở Xây dựng"], []),
        # a cell that is one parenthesis
        ("(Sở Tư pháp)", ["Sở Tư pháp"], []),
        # old tone-mark placement is unified like every loader does
        ("Sở Văn hoá, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"], []),
        ("Sở Nội vụ chủ trì, phối hợp với các sở, ban, ngành, UBND các huyện, thị xã, thành phố",
         ["Sở Nội vụ"], ["các sở, ban, ngành", "UBND các huyện, thị xã, thành phố"]),
    ],
)
def test_other_layouts(text: str, lead: list[str], support: list[str]) -> None:
    got_lead, got_support = parse_agencies(text)
    assert ([a.name for a in got_lead], [a.name for a in got_support]) == (lead, support)


@pytest.mark.parametrize(
    ("text", "column", "lead", "support"),
    [
        # a named unit after "và" shares the "UBND" head of the collective before it
        ("UBND các quận, huyện và thành phố Thủ Đức", "agency", ["UBND các quận, huyện", "UBND thành phố Thủ Đức"], []),
        ("UBND các huyện, thị xã và thành phố Hạ Long", "lead", ["UBND các huyện, thị xã", "UBND thành phố Hạ Long"], []),
        ("Sở Văn hóa, Thể thao và Du lịch chủ trì; UBND các huyện, thị xã và thành phố Sóc Trăng phối hợp", "agency",
         ["Sở Văn hóa, Thể thao và Du lịch"], ["UBND các huyện, thị xã", "UBND thành phố Sóc Trăng"]),
        ("Bộ phận Một cửa của UBND các quận, huyện và thành phố Thủ Đức", "agency",
         ["Bộ phận Một cửa của UBND các quận, huyện", "Bộ phận Một cửa của UBND thành phố Thủ Đức"], []),
        # ... but not without a proper name, nor after ",", nor inside names without a unit word
        ("UBND các huyện, thị xã và thành phố", "agency", ["UBND các huyện, thị xã và thành phố"], []),
        ("UBND các huyện, thị xã Kiến Tường, thành phố Tân An", "agency",
         ["UBND các huyện, thị xã Kiến Tường, thành phố Tân An"], []),
        ("Sở Lao động - Thương binh và Xã hội; Sở Tài nguyên và Môi trường", "agency",
         ["Sở Lao động - Thương binh và Xã hội", "Sở Tài nguyên và Môi trường"], []),
        ("Sở Xây dựng và thành phố Tân An", "agency", ["Sở Xây dựng và thành phố Tân An"], []),
        # "chủ trì soạn thảo" after a category noun is part of the name, in any column
        ("Các sở, ban, ngành chủ trì soạn thảo", "lead", ["Các sở, ban, ngành chủ trì soạn thảo"], []),
        ("Các sở, ban, ngành chủ trì soạn thảo", "agency", ["Các sở, ban, ngành chủ trì soạn thảo"], []),
        # round-2 agency forms that already read right
        ("Sở NN&PTNT, Sở LĐ-TB&XH", "lead", ["Sở NN&PTNT", "Sở LĐ-TB&XH"], []),
        ("Công an tỉnh, BHXH tỉnh", "support", [], ["Công an tỉnh", "BHXH tỉnh"]),
        ("Ban Quản lý Khu kinh tế (chủ trì); Sở Kế hoạch và Đầu tư (phối hợp)", "agency",
         ["Ban Quản lý Khu kinh tế"], ["Sở Kế hoạch và Đầu tư"]),
        ("Các Sở, ban, ngành; UBND các huyện, thành phố (chủ trì); Văn phòng UBND tỉnh (phối hợp)", "agency",
         ["Các Sở, ban, ngành", "UBND các huyện, thành phố"], ["Văn phòng UBND tỉnh"]),
        ("Công an tỉnh và Sở Tư pháp", "lead", ["Công an tỉnh", "Sở Tư pháp"], []),
    ],
)
def test_shared_heads_and_name_clauses(text: str, column: Any, lead: list[str], support: list[str]) -> None:
    got_lead, got_support = parse_agencies(text, column)
    assert ([a.name for a in got_lead], [a.name for a in got_support]) == (lead, support)


def test_results_are_fresh_objects() -> None:
    lead, _ = parse_agencies("Sở Tư pháp chủ trì")
    lead[0].name = "changed"
    assert parse_agencies("Sở Tư pháp chủ trì")[0][0].name == "Sở Tư pháp"


def test_cached_parse_is_fast() -> None:
    cells = [c["agencies_raw"] for c in CASES if c["agencies_raw"] and " || " not in c["agencies_raw"]]
    for cell in cells:
        parse_agencies(cell)
    start = time.perf_counter()
    for _ in range(5):
        for cell in cells:
            parse_agencies(cell)
    per_cell = (time.perf_counter() - start) / (5 * len(cells))
    assert per_cell < 1e-3, f"{per_cell * 1000:.3f} ms per cell"


# ---------------------------------------------------------------------------------------------
# Matchers used by segment/prose.py (agencies inside sentences)


def test_sentence_matchers() -> None:
    from tthc_extract.fields.agency import (
        find_support_objects,
        match_head,
        match_name_end,
        match_role,
        match_support_object,
    )

    text = "Giao Văn phòng UBND tỉnh chủ trì, phối hợp với Sở Tư pháp tổng hợp"
    assert match_head(text) is None and match_head(text, 5).group(0) == "Văn phòng"
    assert match_head("các sở, ban, ngành").group(0).casefold().startswith("các sở")
    assert match_role(text, text.index("chủ trì")).group(0) == "chủ trì"
    assert match_role(text, 5) is None
    obj = match_support_object(text, text.index("phối hợp"))
    assert obj is not None and text[obj.end():].startswith("Sở Tư pháp")
    assert [m.start() for m in find_support_objects(text)] == [text.index("phối hợp")]
    assert match_name_end(text, text.index("tổng hợp")) is not None
    assert match_name_end(text, text.index("chủ trì")) is None  # a role word, not a verb
    assert match_name_end("xtổng hợp", 1) is None  # inside a word


def test_collective_spans_cover_the_whole_phrase() -> None:
    from tthc_extract.fields.agency import collective_spans

    text = "Các sở, ban, ngành; UBND các huyện, thành, thị có trách nhiệm"
    assert [text[a:b] for a, b in collective_spans(text)] == ["sở, ban, ngành", "huyện, thành, thị"]


@pytest.mark.parametrize(
    ("cell", "lead", "support"),
    [
        ("Sở Công Thương\nSở Xây dựng", ["Sở Công Thương", "Sở Xây dựng"], []),
        ("Sở Lao động\n- Thương binh và Xã hội", ["Sở Lao động - Thương binh và Xã hội"], []),
        ("- Sở Y tế;\n- Sở Giáo dục và Đào tạo", ["Sở Y tế", "Sở Giáo dục và Đào tạo"], []),
        ("- Sở Tài chính, Sở Lao động\n- Thương binh và Xã hội chủ trì.\n- Sở Nội vụ phối hợp.",
         ["Sở Tài chính", "Sở Lao động - Thương binh và Xã hội"], ["Sở Nội vụ"]),
        ("Văn phòng\nUBND tỉnh chủ trì, phối hợp với\nSở Nội vụ", ["Văn phòng UBND tỉnh"], ["Sở Nội vụ"]),
    ],
)
def test_table_cell_line_breaks_separate_agencies(cell: str, lead: list[str], support: list[str]) -> None:
    """A table cell's printed lines reach the agency parser (GOLD_SPEC: split at line breaks)."""
    from tthc_extract.fields.task import cell_fields

    got = cell_fields(cell, None, 2024)
    assert ([a.name for a in got.lead], [a.name for a in got.support]) == (lead, support)
    assert "\n" not in (got.agencies_raw or "")
