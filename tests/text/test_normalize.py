"""Normalisation: NFC, tone-mark placement, markup, whitespace."""

import unicodedata

import pytest

from tthc_extract.text.normalize import clean_text, one_line, strip_markup, unify_tone_marks


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà", "hòa"),
        ("Uỷ ban", "Ủy ban"),
        ("chuẩn hoá", "chuẩn hóa"),
        ("hoàn thành", "hoàn thành"),  # tone already on the main vowel before a final consonant
        ("khoẻ", "khỏe"),
        ("Qúy I", "Quý I"),
        ("quỹ", "quỹ"),  # "qu" + "ỹ": unchanged
        ("HOÀ", "HÒA"),
    ],
)
def test_unify_tone_marks(raw: str, expected: str) -> None:
    assert unify_tone_marks(unicodedata.normalize("NFC", raw)) == expected


def test_clean_text_nfc_and_lookalikes() -> None:
    decomposed = unicodedata.normalize("NFD", "Ðảm bảo")
    assert clean_text(decomposed) == "Đảm bảo"


def test_strip_markup_html_and_markdown() -> None:
    raw = '<p>Trong năm 2022</p> <ul style="x"><li>Sở Tư pháp</li><li><i>UBND</i> cấp huyện</li></ul>'
    assert clean_text(raw) == "Trong năm 2022\nSở Tư pháp\nUBND cấp huyện"
    assert strip_markup("Số: *37* /QĐ-UBND") == "Số: 37 /QĐ-UBND"
    assert clean_text("**ỦY BAN NHÂN DÂN\nTỈNH QUẢNG BÌNH**") == "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG BÌNH"


def test_one_line() -> None:
    assert one_line("a\n b  \n\nc") == "a b c"
    assert one_line(None) == ""
