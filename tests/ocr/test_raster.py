"""Tests for tthc_extract.ocr.raster: rendering resolution, image files, stamp removal, deskew."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from tthc_extract.ocr.raster import (
    PageImage,
    estimate_skew,
    ink_mask,
    load_images,
    remove_ink,
    render_dpi,
    rotate,
)
from tthc_extract.ocr.tesseract import run_tesseract
from tthc_extract.settings import DEFAULT_OCR_DPI as DEFAULT_DPI
from tthc_extract.settings import DEFAULT_OCR_DPI as MAX_DPI
from tthc_extract.settings import DEFAULT_OCR_MIN_DPI as MIN_DPI

from .conftest import SCAN, STAMP


def _red(bgr: np.ndarray) -> np.ndarray:
    """Return the mask of clearly red pixels (stamp ink)."""
    b, g, r = (bgr[..., i].astype(int) for i in range(3))
    return (r - np.maximum(g, b)) > 50


def test_scan_is_rendered_at_its_own_resolution_and_vector_pages_at_the_default() -> None:
    pdf = pdfium.PdfDocument(str(SCAN))
    assert render_dpi(pdf[0]) == 200  # the fixture embeds 200-dpi JPEGs
    blank = pdfium.PdfDocument.new()
    page = blank.new_page(595, 842)
    assert render_dpi(page) == DEFAULT_DPI


def test_rendered_pages_keep_the_page_size_in_points(scan_pages: list[PageImage]) -> None:
    first = scan_pages[0]
    assert first.number == 1 and first.dpi == 200
    assert first.width_pt == pytest.approx(842.04, abs=0.5)  # A4 landscape
    assert first.bgr.shape[1] == pytest.approx(first.width_pt / 72 * 200, abs=2)


def test_stamp_ink_is_removed_and_print_is_kept() -> None:
    bgr = np.asarray(Image.open(STAMP).convert("RGB"))[:, :, ::-1].copy()  # BGR, as OpenCV reads it
    red = _red(bgr)
    assert red.sum() > 2000  # the fixture does hold a stamp
    gray = remove_ink(bgr)
    paper = np.median(gray)
    # the stamp's pixels are paper now: fewer than 2% of them stay darker than the paper
    assert (gray[red] < paper - 40).mean() < 0.02
    assert ink_mask(bgr)[red].mean() > 250 * 0.98
    text = " ".join(w.text for w in run_tesseract(gray, 200))
    assert "Trần Thắng" in text
    assert "CHỦ TỊCH" in text


def test_grey_print_is_not_taken_for_ink(scan_pages: list[PageImage]) -> None:
    assert not ink_mask(scan_pages[0].bgr).any()


@pytest.mark.parametrize("angle", [2.5, -1.5, 0.8])
def test_deskew_finds_the_rotation(scan_pages: list[PageImage], angle: float) -> None:
    gray = remove_ink(scan_pages[0].bgr)
    upright, _ = rotate(gray, estimate_skew(gray, 200))
    turned, _ = rotate(upright, angle)
    assert estimate_skew(turned, 200) == pytest.approx(-angle, abs=0.15)
    assert estimate_skew(upright, 200) == pytest.approx(0.0, abs=0.1)


def test_multi_page_tiff_and_images_without_resolution(tmp_path: Path) -> None:
    stamp = Image.open(STAMP)
    tiff = tmp_path / "two.tif"
    stamp.save(tiff, save_all=True, append_images=[stamp.rotate(90, expand=True)], dpi=(200, 200))
    pages = load_images(tiff)
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].dpi == 200
    assert pages[0].width_pt == pytest.approx(stamp.width * 72 / 200, abs=0.5)
    bare = tmp_path / "bare.png"
    Image.new("RGB", (827, 1169), "white").save(bare)  # 827 x 1169 px, no resolution: A4 at ~100 dpi
    (page,) = load_images(bare)
    assert page.height_pt == pytest.approx(842, abs=2)  # taken as an A4 page
    assert page.dpi == MIN_DPI  # scaled up so Tesseract sees letters of a usable size
    assert page.bgr.shape[0] == pytest.approx(1169 * MIN_DPI / 100, rel=0.02)
    big = tmp_path / "photo.png"
    Image.new("RGB", (900, 1200), "white").save(big, dpi=(600, 600))
    (page,) = load_images(big)
    assert page.dpi == MAX_DPI and page.bgr.shape[:2] == (600, 450)  # halved
    assert page.width_pt == pytest.approx(900 * 72 / 600, abs=0.01)
