"""Tests for tthc_extract.ocr.tesslib: Tesseract in this process reads what the program reads, quietly,
one OpenMP thread, several threads at once; the engine choice and its errors."""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from tthc_extract.errors import MissingToolError
from tthc_extract.ocr import tesslib
from tthc_extract.ocr.tesseract import run_tesseract, use_library
from tthc_extract.settings import ExtractSettings, using

from .conftest import draw_words, needs_font

LINES = [(30, 30, "Kiểm soát thủ tục hành chính năm 2025"), (30, 110, "Sở Tư pháp chủ trì, Quý II/2025")]


def _page() -> np.ndarray:
    return draw_words(LINES, (1500, 200), needs_font("DejaVuSerif.ttf"), 40)


def _read(engine: str, img: np.ndarray, psm: int = 3) -> list[tuple[str, float, int, int, int, int, float]]:
    with using(ExtractSettings(ocr_engine=engine)):  # type: ignore[arg-type]
        words = run_tesseract(img, 300, psm=psm)
    return [(w.text, w.conf, w.left, w.top, w.width, w.height, w.baseline) for w in words]


def test_library_loads_where_tesseract_is_installed() -> None:
    assert tesslib.available() == ""  # libtesseract5 comes with tesseract-ocr: missing here is a broken set-up
    assert use_library()


@pytest.mark.parametrize("psm", [3, 6])
def test_library_reads_exactly_what_the_program_reads(psm: int) -> None:
    img = _page()
    lib = _read("library", img, psm)
    assert " ".join(w[0] for w in lib) == " ".join(t for _, _, t in LINES)
    assert lib == _read("program", img, psm)  # text, confidence, box and baseline alike


def test_library_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    _read("library", _page())
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")  # the program's "Detected N diacritics" must not reach a terminal


def test_openmp_is_one_thread_and_the_environment_is_left_alone() -> None:
    before = os.environ.get("OMP_THREAD_LIMIT")
    _read("library", _page())
    assert os.environ.get("OMP_THREAD_LIMIT") == before
    assert ctypes.CDLL(tesslib.OMP_LIBRARY).omp_get_thread_limit() == 1


def test_threads_read_at_once_with_engines_of_their_own() -> None:
    img = _page()
    want = _read("library", img)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(_read("library", img))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [want] * 3


def test_auto_takes_the_program_a_user_named(tmp_path: Path) -> None:
    with using(ExtractSettings(tesseract="/usr/bin/tesseract")):
        assert not use_library()
    with using(ExtractSettings(ocr_engine="program")):
        assert not use_library()
    with using(ExtractSettings(ocr_engine="library", tesseract="/usr/bin/tesseract")):
        assert use_library()


def test_library_asked_for_but_missing_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tesslib, "available", lambda: "libtesseract not found (apt-get install -y libtesseract5)")
    with using(ExtractSettings(ocr_engine="auto")):
        assert not use_library("scan.pdf")  # auto falls back to the program
    with using(ExtractSettings(ocr_engine="library")), pytest.raises(MissingToolError) as err:
        use_library("scan.pdf")
    msg = str(err.value)
    assert "scan.pdf" in msg and "libtesseract5" in msg and "\n" not in msg


def test_a_page_past_its_deadline_fails_instead_of_hanging() -> None:
    with tesslib.engine("vie", "") as eng, pytest.raises(RuntimeError) as err:
        eng.hocr(np.full((3000, 3000), 255, np.uint8) - np.tri(3000, 3000, dtype=np.uint8) * 255 // 2, 300, 3, 0.001)
    assert "longer than 0.001 s" in str(err.value)
