"""Tests for tthc_extract.ocr.repair and grammars/ocr_lexicon.toml: only lexicon words change."""

from __future__ import annotations

from typing import Any

import pytest

from tthc_extract import grammars
from tthc_extract.ocr.repair import fold, lexicon, reading_chains, repair_text, repair_words
from tthc_extract.ocr.tesseract import OcrWord

EXAMPLES: list[dict[str, Any]] = grammars.load("ocr_lexicon")["examples"]


@pytest.mark.parametrize("case", EXAMPLES, ids=[e["ocr"] for e in EXAMPLES])
def test_grammar_examples(case: dict[str, Any]) -> None:
    assert repair_text(case["ocr"], case["conf"]) == case["fixed"]


def test_every_phrase_is_restored_from_its_bare_letters() -> None:
    lex = lexicon()
    for key, variants in lex.phrases.items():
        if len(variants) != 1:
            continue  # two right spellings ("hàng năm" / "hằng năm"): text is left as it is
        (proper,) = variants
        assert repair_text(key, 0.97) == proper, key
        assert repair_text(proper, 0.5) == proper  # right text never changes


def test_text_away_from_the_lexicon_is_never_changed() -> None:
    for text in ("Thấm nước mưa", "so với năm trước", "Quy trình tiếp nhận", "Nam Định", "bố mẹ",
                 "đối với đơn vị", "LHC", "ABCD", "1L1HC1L1", "Hà Nội"):
        assert repair_text(text, 0.3) == text


@pytest.mark.parametrize(("ocr", "fixed"), [
    ("1LHC", "TTHC"), ("LIHC", "TTHC"), ("1'LHC.", "TTHC."), ("'TLHC", "TTHC"), ("11HC;", "TTHC;"),
    ("LILHC", "TTHC"), ("U8ND", "UBND"), ("QPPI", "QPPL"), ("1 LHC", "TTHC"),
])
def test_abbreviations_by_shape_when_unsure(ocr: str, fixed: str) -> None:
    assert repair_text(ocr, 0.6) == fixed
    assert repair_text(ocr, 0.97) == ocr  # a sure reading is left alone


def test_no_two_abbreviations_share_a_shape() -> None:
    abbrs = list(lexicon().shapes.values())
    assert len(abbrs) == len(set(abbrs))
    assert "TTHC" in abbrs and "UBND" in abbrs


def test_fold_is_character_for_character() -> None:
    for text in ("Đổi mới", "Ủy ban nhân dân", "KIỂM SOÁT"):
        assert len(fold(text)) == len(text)
    assert fold("Đổi mới") == "doi moi"


def _w(text: str, left: int, top: int, line: int) -> OcrWord:
    """Return a word box of a 40-px font on Tesseract line ``line``."""
    return OcrWord(text, 0.95, left, top, 20 * len(text), 40, (1, 1, line), 40, top + 32.0, 40.0)


def test_two_columns_on_one_tesseract_line_are_read_column_by_column() -> None:
    words = [_w("ỦY", 100, 100, 1), _w("BAN", 170, 100, 1), _w("NHÂN", 250, 100, 1), _w("DÂN", 360, 100, 1),
             _w("CỘNG", 900, 100, 1), _w("HÒA", 1010, 100, 1),
             _w("TĨNH", 150, 150, 2), _w("QUẢNG", 250, 150, 2), _w("Độc", 920, 150, 2), _w("lập", 1000, 150, 2)]
    chains = [[w.text for w in c] for c in reading_chains(words)]
    assert ["ỦY", "BAN", "NHÂN", "DÂN", "TĨNH", "QUẢNG"] in chains
    assert ["CỘNG", "HÒA", "Độc", "lập"] in chains
    fixed = [w.text for w in repair_words(words)]
    assert fixed[6] == "TỈNH"  # "nhân dân tỉnh" across the line break of the left column
