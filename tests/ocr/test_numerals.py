"""Tests for tthc_extract.ocr.numerals: Roman section numbers and "1"/"I" read from the pixels."""

from __future__ import annotations

import pytest

from tthc_extract.ocr.numerals import glyph_sequence, one_or_i, read_numeral
from tthc_extract.ocr.tesseract import OcrWord

from .conftest import draw_words, needs_font


def _word(text: str, box: tuple[int, int, int, int]) -> OcrWord:
    """Return an OCR word with the given text over ``box``."""
    x0, y0, x1, y1 = box
    return OcrWord(text, 0.6, x0, y0, x1 - x0, y1 - y0, (1, 1, 1), y1 - y0, float(y1), float(y1 - y0))


@pytest.mark.parametrize(("printed", "misread"), [
    ("III.", "II."), ("II.", "H."), ("I.", "L."), ("VIII.", "VHI."), ("VII.", "VI."), ("IX.", "1X."),
    ("XI.", "XI."), ("IV.", "IV."),
])
def test_misread_numerals_are_recounted(printed: str, misread: str) -> None:
    font = needs_font("DejaVuSerif-Bold.ttf")
    img = draw_words([(20, 10, printed)], (400, 90), font, 48)
    box = (15, 12, 20 + 40 * len(printed), 70)
    assert read_numeral(img, _word(misread, box)) == printed


def test_words_that_are_no_numerals_are_left_alone() -> None:
    font = needs_font("DejaVuSerif-Bold.ttf")
    img = draw_words([(20, 10, "Hà.")], (400, 90), font, 48)
    assert read_numeral(img, _word("Hà.", (15, 12, 160, 70))) is None  # not numeral-like glyphs
    img = draw_words([(20, 10, "11.")], (400, 90), font, 48)
    assert read_numeral(img, _word("11.", (15, 12, 160, 70))) is None  # Arabic, no letter


@pytest.mark.parametrize("font_name", ["DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans.ttf"])
def test_one_or_i(font_name: str) -> None:
    font = needs_font(font_name)
    for glyph in ("1", "I"):
        img = draw_words([(20, 10, glyph)], (120, 90), font, 48)
        assert one_or_i(img, (10, 5, 110, 85)) == glyph
    assert glyph_sequence(draw_words([], (50, 50), font, 10), (0, 0, 50, 50)) == ""
