"""Shared fixtures of the OCR tests: the scanned fixture pages, its OCR reading, drawn images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from tthc_extract.loaders.ocr import ocr_pdf
from tthc_extract.model.document import Document
from tthc_extract.ocr.raster import PageImage, render_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocr"
SCAN = FIXTURES / "issue-4-scan-table.pdf"  # pages 3-4 of a corpus scan: task table over 2 pages
STAMP = FIXTURES / "issue-4-stamp.jpg"  # signature block: red stamp, blue signature over print
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def font_path(name: str) -> Path | None:
    """Return the path of a DejaVu font file, or None when the system has none."""
    for d in FONT_DIRS:
        if (d / name).is_file():
            return d / name
    return None


def needs_font(name: str) -> Path:
    """Return a DejaVu font path, skipping the test when the font is not installed."""
    p = font_path(name)
    if p is None:
        pytest.skip(f"font {name} not installed (fonts-dejavu-core)")
    return p


def draw_words(lines: list[tuple[int, int, str]], size: tuple[int, int], font: Path, px: int) -> np.ndarray:
    """Return a white grey image with each (x, y, text) drawn in black at ``px`` pixels."""
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(str(font), px)
    for x, y, text in lines:
        d.text((x, y), text, fill=0, font=f)
    return np.asarray(img).copy()


@pytest.fixture(scope="session")
def scan_pages() -> list[PageImage]:
    """Return the two fixture pages rendered for OCR."""
    return list(render_pdf(SCAN))


@pytest.fixture(scope="session")
def scan_doc() -> Document:
    """Return the fixture scan read by the OCR loader (once per test session: it takes seconds)."""
    return ocr_pdf(SCAN)
