"""Run the Tesseract binary on a page image and read its hOCR output (words, boxes, confidences).

Tesseract runs in this process through libtesseract (:mod:`tthc_extract.ocr.tesslib`: the model
loaded once per thread, not once per call) or, when that cannot be had or the ``ocr_engine``
setting says so, as the ``tesseract`` program (no pytesseract), through
:func:`tthc_extract.children.run`, which ends it when the batch stops: the image piped on stdin as
uncompressed PGM, hOCR on stdout. Both read the same words (tests/ocr/test_tesslib.py). hOCR rather than TSV because it
also gives each text line's baseline and font size estimate (``x_size``), which the layout needs
to rebuild font-like word boxes. The binary and the language models are the settings' ``tesseract``
and ``ocr_languages`` (settings.current). Tesseract's OpenMP threads are limited to one per process
(``OMP_THREAD_LIMIT=1``): on small machines its thread pool costs more than it gains, and we run
pages in parallel instead.

Reproducibility: Tesseract's LSTM picks a dot-product routine for the processor it runs on
(AVX-512, AVX2, FMA, SSE4.1 or plain C++), and their float sums may differ in the last digits, so
the same scan could read differently on another CPU generation. We pin the routine with
``-c dotproduct=...`` (:func:`dot_product_path`): AVX2 where the processor has it (every x86-64
CPU sold since about 2015), the portable C++ loop elsewhere. Measured on the three sample scans
(Tesseract 5.3.0): native 35.5 s, avx2 34.0 s, generic 74.4 s, all three giving byte-identical
output; ``sse`` is not offered because Tesseract 5.3.0's SSE4.1 routine reads 34 of 241 words of a
page. The ``tesseract_dotproduct`` setting overrides the choice (``native`` lets Tesseract choose).
"""

from __future__ import annotations

import functools
import html
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass

import cv2
import numpy as np
import regex as re

from tthc_extract import children
from tthc_extract.errors import MissingToolError
from tthc_extract.ocr import tesslib
from tthc_extract.settings import DEFAULT_TESSERACT, current

INSTALL_HINT = "install it with: apt-get install -y tesseract-ocr tesseract-ocr-vie"
TIMEOUT_S = 300  # one page never takes this long; a hung process must not hang a batch
# Resolution declared to Tesseract at least: on 200-dpi scans declaring 200 made it lose whole
# lines (a layout threshold), declaring 300 (as when no resolution is given) did not; measured
# over 9 corpus pages: words right 95.6% (200) vs 95.8% (300).
MIN_DECLARED_DPI = 300


@dataclass(slots=True)
class OcrWord:
    """A word read by Tesseract: text, confidence in [0, 1], box in pixels, and its line key."""

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    line_key: tuple[int, int, int]  # (block, paragraph, line) numbers from Tesseract
    line_height: int  # height of Tesseract's text line box holding the word
    baseline: float = 0.0  # y of the line's baseline under the word's centre (pixels)
    x_size: float = 0.0  # Tesseract's estimate of the line's font size (pixels)

    @property
    def right(self) -> int:
        """Return the x of the box's right edge."""
        return self.left + self.width

    @property
    def bottom(self) -> int:
        """Return the y of the box's bottom edge."""
        return self.top + self.height

    def centred_in(self, box: tuple[float, float, float, float]) -> bool:
        """Return whether the word's centre lies in ``box`` (x0, y0, x1, y1): the word belongs there."""
        x0, y0, x1, y1 = box
        return x0 <= (self.left + self.right) / 2 <= x1 and y0 <= (self.top + self.bottom) / 2 <= y1


def tesseract_binary(source: str = "") -> str:
    """Return the Tesseract program to run (the ``tesseract`` setting: a name on PATH or a path).

    Raises MissingToolError naming ``source`` when it cannot be found.
    """
    wanted = current().tesseract
    found = shutil.which(wanted)
    if found is None:
        raise MissingToolError(source or wanted, f"Tesseract OCR not found ({wanted}); {INSTALL_HINT}")
    return found


@functools.cache
def _languages(binary: str) -> frozenset[str]:
    """Return the language models the Tesseract ``binary`` has (cached per binary)."""
    try:
        out = children.run([binary, "--list-langs"], timeout=60)
    except OSError:
        return frozenset()
    lines = (out.stdout + b"\n" + out.stderr).decode("utf-8", "replace").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and " " not in ln.strip())


def check_tesseract(source: str = "") -> str:
    """Return the Tesseract binary after checking it runs and has the models of ``ocr_languages``
    (Vietnamese by default).

    Raises MissingToolError (one line, with the install command) otherwise.
    """
    binary = tesseract_binary(source)
    have = _languages(binary)
    for lang in current().ocr_languages.split("+"):
        if lang not in have:
            what = "Vietnamese model" if lang == "vie" else "language model"
            raise MissingToolError(source or binary, f"Tesseract has no {what} ('{lang}'); install it with: "
                                                     f"apt-get install -y tesseract-ocr tesseract-ocr-{lang.lower()}")
    return binary


def _has_avx2() -> bool:
    """Return whether this is an x86-64 processor with AVX2 (read from /proc/cpuinfo on Linux)."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            return any(line.startswith("flags") and " avx2" in line for line in fh)
    except OSError:
        return False  # cannot tell: the portable routine is always right


@functools.cache
def _fixed_path() -> str:
    """Return the routine of this kind of CPU: ``avx2`` on an x86-64 processor that has it (as fast
    as Tesseract's own choice), ``generic`` (plain C++) elsewhere."""
    return "avx2" if _has_avx2() else "generic"


def dot_product_path() -> str:
    """Return the dot-product routine Tesseract is told to use, the same on every CPU of a kind.

    The ``tesseract_dotproduct`` setting when set (one of Tesseract's names, checked by the
    settings), else :func:`_fixed_path`.
    """
    return current().tesseract_dotproduct or _fixed_path()


def dotproduct_args(path: str) -> list[str]:
    """Return the Tesseract arguments that run it on dot-product ``path`` (none for ``native``: its own choice)."""
    return [] if path == "native" else ["-c", f"dotproduct={path}"]


def _fixed_path_args() -> list[str]:
    """Return the Tesseract arguments that pin its dot-product routine to :func:`dot_product_path`."""
    return dotproduct_args(dot_product_path())


def _env() -> dict[str, str]:
    """Return the environment for a Tesseract process: one OpenMP thread."""
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


_TAG = re.compile(
    r"<(?:div|p|span) class='(?P<cls>\w+)' id='(?P<id>\w+)'(?: lang='\w+')? title=(?:\"(?P<t1>[^\"]*)\"|'(?P<t2>[^']*)')>"
    r"(?P<text>[^<]*)")
_LINE_CLASSES = frozenset({"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"})


def _props(title: str) -> dict[str, list[float]]:
    """Return the properties of an hOCR title ("bbox 1 2 3 4; x_wconf 96") as number lists."""
    out: dict[str, list[float]] = {}
    for part in title.split(";"):
        f = part.split()
        if len(f) >= 2:
            try:
                out[f[0]] = [float(v) for v in f[1:]]
            except ValueError:
                continue
    return out


def parse_hocr(hocr: str) -> list[OcrWord]:
    """Given Tesseract's hOCR output, return its words in reading order with their line geometry."""
    words: list[OcrWord] = []
    block = par = line = 0
    bbox: list[float] = [0, 0, 0, 0]
    slope = offset = x_size = 0.0
    for m in _TAG.finditer(hocr):
        cls = m.group("cls")
        p = _props(m.group("t1") or m.group("t2") or "")
        if cls == "ocr_carea":
            block += 1
        elif cls == "ocr_par":
            par += 1
        elif cls in _LINE_CLASSES:
            line += 1
            bbox = p.get("bbox", [0, 0, 0, 0])
            slope, offset = (p.get("baseline", [0.0, 0.0]) + [0.0, 0.0])[:2]
            x_size = p.get("x_size", [bbox[3] - bbox[1]])[0]
        elif cls == "ocrx_word":
            text = html.unescape(m.group("text")).strip()
            b = p.get("bbox")
            if not text or not b:
                continue
            x0, y0, x1, y1 = (int(v) for v in b)
            base = bbox[3] + offset + slope * ((x0 + x1) / 2 - bbox[0])
            conf = max(p.get("x_wconf", [0.0])[0], 0.0) / 100.0
            words.append(OcrWord(text, conf, x0, y0, x1 - x0, y1 - y0, (block, par, line),
                                 int(bbox[3] - bbox[1]), base, x_size))
    return words


OSD_LANG = "osd"  # Tesseract's orientation and script model (tesseract-ocr-osd)
OSD_MIN_CONF = 1.0  # an orientation guess less sure than this is no evidence
_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_ORIENT_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")


def has_osd(source: str = "") -> bool:
    """Return whether Tesseract has its orientation model (osd.traineddata)."""
    return OSD_LANG in _languages(tesseract_binary(source))


def detect_turn(gray: np.ndarray, dpi: int, source: str = "") -> int | None:
    """Given a page image, return the clockwise turn (0, 90, 180, 270) that makes its text upright,
    by Tesseract's orientation detection (``--psm 0``); None without the model or a sure answer."""
    if not has_osd(source):
        return None
    ok, buf = cv2.imencode(".pgm", gray)
    if not ok:  # pragma: no cover - encoding a uint8 array does not fail
        return None
    cmd = [tesseract_binary(source), "stdin", "stdout", "--psm", "0", "--dpi", str(max(dpi, MIN_DECLARED_DPI)),
           *_fixed_path_args()]
    try:
        proc = children.run(cmd, input=buf.tobytes(), env=_env(), timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    turn, conf = _ROTATE.search(out), _ORIENT_CONF.search(out)
    if proc.returncode != 0 or turn is None or conf is None or float(conf.group(1)) < OSD_MIN_CONF:
        return None
    return int(turn.group(1)) % 360


def use_library(source: str = "") -> bool:
    """Return whether Tesseract runs in this process (:mod:`tthc_extract.ocr.tesslib`) rather than as
    a program: the ``ocr_engine`` setting; ``auto`` takes the library when it loads and the
    ``tesseract`` setting names the default program. Raises MissingToolError when ``library`` is
    asked for and cannot be had."""
    s = current()
    if s.ocr_engine == "program" or (s.ocr_engine == "auto" and s.tesseract != DEFAULT_TESSERACT):
        return False
    why = tesslib.available()
    if why and s.ocr_engine == "library":
        raise MissingToolError(source or "libtesseract", f"ocr_engine is 'library' but {why}")
    return not why


def _library_dotproduct() -> str:
    """Return the dot-product routine the library is given ('' = its own choice, like the program's 'native')."""
    path = dot_product_path()
    return "" if path == "native" else path


def run_tesseract(gray: np.ndarray, dpi: int, source: str = "", psm: int = 3) -> list[OcrWord]:
    """Given a grayscale page image and its resolution, return the words Tesseract reads on it
    (in this process or by the program: :func:`use_library`; the same words either way).

    Raises MissingToolError when Tesseract or its Vietnamese model is missing.
    """
    binary = check_tesseract(source)
    declared = max(dpi, MIN_DECLARED_DPI)
    if use_library(source):
        with tesslib.engine(current().ocr_languages, _library_dotproduct()) as eng:
            return parse_hocr(eng.hocr(gray, declared, psm, TIMEOUT_S))
    ok, buf = cv2.imencode(".pgm", gray)
    if not ok:  # pragma: no cover - encoding a uint8 array does not fail
        raise ValueError("cannot encode page image")
    cmd = [binary, "stdin", "stdout", "-l", current().ocr_languages, "--psm", str(psm), "--dpi", str(declared),
           *_fixed_path_args(), "hocr"]
    try:
        proc = children.run(cmd, input=buf.tobytes(), env=_env(), timeout=TIMEOUT_S)
    except FileNotFoundError:
        raise MissingToolError(source or binary, f"Tesseract OCR not found; {INSTALL_HINT}") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"tesseract failed: {err[-1] if err else proc.returncode}")
    return parse_hocr(proc.stdout.decode("utf-8", "replace"))
