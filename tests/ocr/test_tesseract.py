"""Tests for tthc_extract.ocr.tesseract: hOCR parsing, the real binary, missing-tool errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tthc_extract.errors import MissingToolError
from tthc_extract.ocr import tesseract
from tthc_extract.ocr.tesseract import INSTALL_HINT, check_tesseract, parse_hocr, run_tesseract
from tthc_extract.settings import DOTPRODUCT_ENV, SettingsError
from tthc_extract.settings import TESSERACT_ENV as ENV_BINARY

from .conftest import draw_words, needs_font

HOCR = """<div class='ocr_carea' id='block_1_1' title="bbox 10 10 400 60">
 <p class='ocr_par' id='par_1_1' lang='vie' title="bbox 10 10 400 60">
  <span class='ocr_line' id='line_1_1' title="bbox 10 10 400 60; baseline 0.01 -10; x_size 34; x_descenders 8; x_ascenders 9">
   <span class='ocrx_word' id='word_1_1' title='bbox 10 12 120 50; x_wconf 96'>Kiểm</span>
   <span class='ocrx_word' id='word_1_2' title='bbox 130 12 200 50; x_wconf 41'>&amp;TT</span>
  </span>
 </p>
</div>"""


def test_parse_hocr_reads_words_boxes_confidence_and_baseline() -> None:
    words = parse_hocr(HOCR)
    assert [w.text for w in words] == ["Kiểm", "&TT"]
    first, second = words
    assert (first.left, first.top, first.right, first.bottom) == (10, 12, 120, 50)
    assert first.conf == pytest.approx(0.96)
    assert second.conf == pytest.approx(0.41)
    assert first.line_key == second.line_key == (1, 1, 1)
    assert first.x_size == 34
    # baseline: bottom of the line box (60) + offset (-10) + slope * (centre x - line x0)
    assert first.baseline == pytest.approx(60 - 10 + 0.01 * (65 - 10))


def test_run_tesseract_reads_vietnamese() -> None:
    font = needs_font("DejaVuSerif.ttf")
    img = draw_words([(30, 30, "Kiểm soát thủ tục hành chính")], (900, 110), font, 40)
    words = run_tesseract(img, 300)
    assert " ".join(w.text for w in words) == "Kiểm soát thủ tục hành chính"
    assert all(0.5 < w.conf <= 1.0 for w in words)


def test_missing_binary_gives_one_line_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BINARY, "/nonexistent/tesseract")
    with pytest.raises(MissingToolError) as err:
        check_tesseract("scan.pdf")
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("scan.pdf: ")
    assert "apt-get install -y tesseract-ocr tesseract-ocr-vie" in msg
    assert INSTALL_HINT in msg


def test_binary_without_vietnamese_model_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "tesseract"
    fake.write_text('#!/bin/sh\necho "List of available languages in /x (2):"\necho eng\necho osd\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(ENV_BINARY, str(fake))
    with pytest.raises(MissingToolError) as err:
        check_tesseract("photo.jpg")
    assert "'vie'" in str(err.value)
    assert "tesseract-ocr-vie" in str(err.value)


@pytest.fixture()
def fresh_path(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Forget the cached dot-product choice around a test that changes the CPU it sees."""
    tesseract._fixed_path.cache_clear()
    yield monkeypatch
    tesseract._fixed_path.cache_clear()


def test_dot_product_path_is_fixed_per_kind_of_cpu(fresh_path: pytest.MonkeyPatch) -> None:
    fresh_path.delenv(DOTPRODUCT_ENV, raising=False)
    fresh_path.setattr(tesseract, "_has_avx2", lambda: True)
    assert tesseract.dot_product_path() == "avx2"
    tesseract._fixed_path.cache_clear()
    fresh_path.setattr(tesseract, "_has_avx2", lambda: False)
    assert tesseract.dot_product_path() == "generic"
    assert tesseract._fixed_path_args() == ["-c", "dotproduct=generic"]


def test_dot_product_path_from_environment(fresh_path: pytest.MonkeyPatch) -> None:
    fresh_path.setenv(DOTPRODUCT_ENV, "native")
    assert tesseract._fixed_path_args() == []
    fresh_path.setenv(DOTPRODUCT_ENV, "sse")  # broken in Tesseract 5.3.0: refused
    with pytest.raises(SettingsError, match="TTHC_TESSERACT_DOTPRODUCT='sse'"):
        tesseract.dot_product_path()
