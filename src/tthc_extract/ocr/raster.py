"""Page images for OCR: render PDF pages, load image files, remove stamp ink, deskew.

Every page becomes a :class:`PageImage`: a BGR pixel array at a known resolution plus the page
size in points, so pixel boxes can be turned back into PDF points (origin top-left) for
provenance. Cleaning is colour-based: stamp and signature ink (red, blue) is saturated, print is
grey, so saturated pixels become white before any text is read; then the page is rotated upright
by the angle that makes its text lines (or table rules) sharpest in a horizontal profile.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageSequence

from tthc_extract.limits import MIN_RENDER_DPI, LimitError, active, check_pages
from tthc_extract.settings import current

# Rendering resolution: the settings' ocr_dpi and ocr_min_dpi (settings.DEFAULT_OCR_DPI: a scanned
# page is rendered at the resolution of its scan, kept within [ocr_min_dpi, ocr_dpi]; a page
# without a page-sized image is rendered at ocr_dpi).
# An image file may hold this many times the page-pixel limit (it is decoded, then scaled down).
IMAGE_DECODE_FACTOR = 4
# Pillow's own bomb check is replaced by load_images' (which names the limit and follows it).
Image.MAX_IMAGE_PIXELS = None
SCAN_COVER = 0.5  # an image covering this share of the page makes it a scanned page
# An image file without a resolution: the resolution is estimated from its letters (the median
# height of letter-sized ink blobs is ~6.3 pt in 12-14 pt body text: 6.1-6.5 pt measured on the
# corpus scans), or, with too few letters, the image is taken to be an A4 page.
MEDIAN_GLYPH_PT = 6.3
MIN_GLYPHS = 30
A4_LONG_INCHES = 11.69
INK_CHROMA = 40  # max(R,G,B) - min(R,G,B) above this: coloured (stamp/signature) ink
INK_MIN_VALUE = 60  # ...unless the pixel is this dark: black print over a stamp stays
RIM_CHROMA = 15  # weaker colour within RIM_PX of such ink is its blurred rim (JPEG noise is < 10)
RIM_PX = 3
MAX_SKEW_DEG = 5.0  # deskew searches this range of angles
SKEW_WORK_DPI = 75  # resolution of the coarse skew search
SKEW_FINE_STEP = 0.05  # degrees
# Unsharp mask before Tesseract: scans are soft (blur, JPEG), small print then runs together
# ("côngviệc"). Sharpening by this amount with a blur of SHARPEN_SIGMA_IN raised the words read
# right from 92.9% to 94.4% over 7 table pages (corpus and probe scans); 0.5-1.2 and
# 0.005-0.0125 in all gained, 0.0075 in was best.
SHARPEN_AMOUNT = 0.8
SHARPEN_SIGMA_IN = 0.0075


@dataclass
class PageImage:
    """One page as pixels: ``bgr`` at ``dpi``, and the page size in points."""

    number: int
    bgr: np.ndarray
    dpi: float
    width_pt: float
    height_pt: float
    note: str | None = None  # why the page was rendered below its usual resolution

    @property
    def scale(self) -> float:
        """Return points per pixel."""
        return 72.0 / self.dpi


def scan_dpi(page: pdfium.PdfPage) -> float | None:
    """Return the resolution of the image that fills a PDF page (a scan), or None if there is none."""
    w, h = page.get_size()
    best: tuple[float, float] | None = None  # (covered area, dpi)
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        x0, y0, x1, y1 = obj.get_bounds()
        bw, bh = x1 - x0, y1 - y0
        if bw <= 0 or bh <= 0 or not isinstance(obj, pdfium.PdfImage):
            continue
        px_w, px_h = obj.get_px_size()
        dpi = max(px_w / (bw / 72.0), px_h / (bh / 72.0))
        if best is None or bw * bh > best[0]:
            best = (bw * bh, dpi)
    if best is None or best[0] < SCAN_COVER * w * h:
        return None
    return best[1]


def render_dpi(page: pdfium.PdfPage) -> int:
    """Return the resolution to render a PDF page at for OCR (settings ocr_dpi, ocr_min_dpi)."""
    s = current()
    native = scan_dpi(page)
    if native is None:
        return s.ocr_dpi
    return round(min(max(native, s.ocr_min_dpi), s.ocr_dpi))


@contextlib.contextmanager
def pdfium_document(path: Path) -> Iterator[pdfium.PdfDocument]:
    """Yield the PDF opened by pdfium, closed after the block."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        yield pdf
    finally:
        pdf.close()


def fit_pixels(source: Path | str, no: int, w_pt: float, h_pt: float, dpi: float) -> tuple[float, str | None]:
    """Return the resolution to render a page at within the pixel limit, and a note when lowered.

    A page whose pixels at ``dpi`` pass the limit is rendered at the resolution that fits, down to
    MIN_RENDER_DPI; a page too large even at that (a 14400-pt page) is refused with a LimitError.
    """
    limit = active().max_page_pixels
    pixels = (w_pt * dpi / 72.0) * (h_pt * dpi / 72.0)
    if pixels <= limit:
        return dpi, None
    fit = dpi * math.sqrt(limit / pixels)
    if fit < MIN_RENDER_DPI:
        raise LimitError(str(source), f"page {no} ({w_pt:.0f} x {h_pt:.0f} pt) needs {pixels / 1e6:.0f} million pixels "
                                      f"at {dpi:.0f} dpi, over the limit of {limit / 1e6:.0f} million even at "
                                      f"{MIN_RENDER_DPI} dpi (max_page_pixels)")
    fit = math.floor(fit)
    return float(fit), f"page {no} rendered at {fit} dpi instead of {dpi:.0f} (over {limit / 1e6:.0f} million pixels)"


def render_pdf(path: Path, pages: Sequence[int] | None = None, dpi: int | None = None) -> Iterator[PageImage]:
    """Given a PDF and 1-based page numbers (None = all), yield the pages rendered for OCR.

    ``dpi`` forces a resolution; by default each page gets :func:`render_dpi`. Pages are rendered
    one at a time as they are asked for, within the page and pixel limits (limits.py).
    """
    with pdfium_document(path) as pdf:
        numbers = list(pages) if pages is not None else list(range(1, len(pdf) + 1))
        check_pages(path, len(numbers))
        for no in numbers:
            if not 1 <= no <= len(pdf):
                raise ValueError(f"page {no} out of range (1-{len(pdf)})")
            page = pdf[no - 1]
            try:
                w, h = page.get_size()
                res, note = fit_pixels(path, no, w, h, dpi or render_dpi(page))
                arr = page.render(scale=res / 72.0).to_numpy()
                bgr = cv2.cvtColor(arr, cv2.COLOR_BGRA2BGR) if arr.shape[2] == 4 else arr.copy()
            finally:
                page.close()
            yield PageImage(no, bgr, float(res), float(w), float(h), note)


def _image_dpi(img: Image.Image) -> float | None:
    """Return the resolution an image file declares, or None when it declares none usable."""
    info = img.info.get("dpi")
    if isinstance(info, tuple) and info and info[0]:
        d = float(info[0])
        if 50 <= d <= 1200:
            return d
    return None


def text_dpi(gray: np.ndarray) -> float | None:
    """Given a grey image of text, return its resolution judged by the size of its letters."""
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _n, _labels, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    h, w = stats[1:, 3], stats[1:, 2]
    letters = h[(h >= 4) & (h <= 300) & (w <= 3 * h)]
    if len(letters) < MIN_GLYPHS:
        return None
    return float(np.median(letters)) / MEDIAN_GLYPH_PT * 72.0


def load_images(path: Path) -> list[PageImage]:
    """Given an image file (PNG, JPEG, one- or multi-page TIFF, ...), return its pages.

    An image without a resolution gets one from the size of its letters (or is taken as an A4
    page); it is then scaled into [ocr_min_dpi, ocr_dpi] (the settings): up so that Tesseract sees letters of a
    usable size, down so that a 12-megapixel photo does not cost more than it gives. Frames
    beyond the page limit, or of more pixels than IMAGE_DECODE_FACTOR times the pixel limit, are
    refused before they are decoded.
    """
    out: list[PageImage] = []
    limits = active()
    lo, hi = current().ocr_min_dpi, current().ocr_dpi
    with Image.open(path) as im:
        for no, frame in enumerate(ImageSequence.Iterator(im), start=1):
            check_pages(path, no, limits)
            fw, fh = frame.size
            if fw * fh > IMAGE_DECODE_FACTOR * limits.max_page_pixels:
                raise LimitError(str(path), f"image {no} has {fw * fh / 1e6:.0f} million pixels ({fw} x {fh}), "
                                            f"over {IMAGE_DECODE_FACTOR} x the limit of "
                                            f"{limits.max_page_pixels / 1e6:.0f} million (max_page_pixels)")
            rgb = np.asarray(frame.convert("RGB"))
            h, w = rgb.shape[:2]
            bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
            dpi = (_image_dpi(frame) or text_dpi(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
                   or max(h, w) / A4_LONG_INCHES)
            width_pt, height_pt = w * 72.0 / dpi, h * 72.0 / dpi
            # Too coarse for Tesseract, or finer than it needs (or than the pixel limit allows): scaled.
            target = float(lo if dpi < lo else hi) if not lo <= dpi <= hi else dpi
            target, note = fit_pixels(path, no, width_pt, height_pt, target)
            if target != dpi:
                f = target / dpi
                bgr = cv2.resize(bgr, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA)
                dpi = target
            out.append(PageImage(no, bgr, dpi, width_pt, height_pt, note))
    return out


def _channels(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (brightest channel, chroma = brightest - darkest channel) of a BGR image."""
    b, g, r = cv2.split(bgr)
    hi = cv2.max(cv2.max(b, g), r)
    lo = cv2.min(cv2.min(b, g), r)
    return hi, cv2.subtract(hi, lo)


def ink_mask(bgr: np.ndarray) -> np.ndarray:
    """Given a BGR image, return the mask (255) of coloured ink: stamps, signatures, highlights.

    Strongly coloured pixels, plus the weakly coloured ones next to them (the anti-aliased rim
    of a stroke, which would otherwise stay behind as a grey outline).
    """
    hi, chroma = _channels(bgr)
    return _ink_mask(hi, chroma)


def _above(img: np.ndarray, level: int) -> np.ndarray:
    """Return the mask (255) of the pixels of a grey image above ``level``."""
    return cv2.threshold(img, level, 255, cv2.THRESH_BINARY)[1]


def _ink_mask(hi: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    """Return the coloured-ink mask from the brightest channel and the chroma."""
    strong = cv2.bitwise_and(_above(chroma, INK_CHROMA), _above(hi, INK_MIN_VALUE))
    if not cv2.countNonZero(strong):
        return strong
    near = cv2.dilate(strong, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * RIM_PX + 1, 2 * RIM_PX + 1)))
    return cv2.bitwise_and(near, _above(chroma, RIM_CHROMA))


def remove_ink(bgr: np.ndarray) -> np.ndarray:
    """Given a BGR page, return it in grey with coloured (red/blue) ink replaced by paper.

    The grey is the brightest channel, not the luminance: in it coloured ink is already light
    (red is bright in R, blue in B) while black print stays dark, so the rims of coloured strokes
    that escape the mask fade instead of standing out.
    """
    hi, chroma = _channels(bgr)
    mask = _ink_mask(hi, chroma)
    if cv2.countNonZero(mask):
        paper = int(np.median(hi[::4, ::4]))  # the page is mostly paper
        np.putmask(hi, mask, np.uint8(paper))
    return hi


def _profile_score(ys: np.ndarray, xs: np.ndarray, angle_deg: float, height: int) -> float:
    """Return how sharp the row profile of ink points is when the page is turned by ``angle``
    (the sum of squared differences between neighbouring rows' ink counts; computed in place:
    the point arrays are the page's ink, 40 angles are tried)."""
    a = math.radians(angle_deg)
    proj = ys * math.cos(a)
    proj -= xs * math.sin(a)
    proj -= proj.min()
    hist = np.bincount(proj.astype(np.int64), minlength=height)
    d = np.diff(hist.astype(np.float64))
    return float(np.dot(d, d))


def estimate_skew(gray: np.ndarray, dpi: float) -> float:
    """Given a grey page, return the angle (degrees, counter-clockwise) that rotates it upright.

    Searches ±MAX_SKEW_DEG for the rotation under which the dark pixels' horizontal profile is
    sharpest (text lines and rules become thin, tall peaks): coarse, then fine.
    """
    f = min(1.0, SKEW_WORK_DPI / dpi)
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    _, bw = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    points = cv2.findNonZero(bw)  # (x, y) of the ink, in the order of np.nonzero but faster
    if points is None or len(points) < 100:
        return 0.0
    points = points.reshape(-1, 2)
    ys_f, xs_f = points[:, 1].astype(np.float64), points[:, 0].astype(np.float64)
    h = int(small.shape[0] + small.shape[1]) + 2

    def best(cands: np.ndarray) -> float:
        scores = [_profile_score(ys_f, xs_f, float(a), h) for a in cands]
        return float(cands[int(np.argmax(scores))])

    coarse = best(np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-9, 0.5))
    fine = best(np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, SKEW_FINE_STEP))
    return fine if abs(fine) >= SKEW_FINE_STEP else 0.0


def sharpen(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Return a grey page with its edges sharpened (unsharp mask, see SHARPEN_AMOUNT).

    Only ink may get lighter: a pixel lighter than the page's ink/paper threshold (Otsu) stays
    at least that light, so sharpening opens the blurred gaps between letters but never turns a
    faint speck or a stamp's leftover rim into ink.
    """
    blur = cv2.GaussianBlur(gray, (0, 0), max(SHARPEN_SIGMA_IN * dpi, 0.5))
    out = cv2.addWeighted(gray, 1.0 + SHARPEN_AMOUNT, blur, -SHARPEN_AMOUNT, 0)
    level, light = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)  # light: gray > level
    floor = np.minimum(light, np.uint8(min(int(level) + 1, 255)))  # that lightness on light pixels, 0 on ink
    return np.maximum(out, floor, out=out)


_TURNS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def turn(gray: np.ndarray, degrees: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``gray`` turned clockwise by a multiple of 90 degrees and the 2x3 matrix taking its
    pixels back to the original image's."""
    h, w = gray.shape[:2]
    d = degrees % 360
    if d == 0:
        return gray, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    back = {90: [[0.0, 1.0, 0.0], [-1.0, 0.0, h - 1.0]],  # turned (x', y') -> original (x, y)
            180: [[-1.0, 0.0, w - 1.0], [0.0, -1.0, h - 1.0]],
            270: [[0.0, -1.0, w - 1.0], [1.0, 0.0, 0.0]]}[d]
    return cv2.rotate(gray, _TURNS[d]), np.array(back)


def rotate(gray: np.ndarray, angle_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Return ``gray`` rotated by ``angle_deg`` about its centre (white fill) and the 2x3 matrix."""
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle_deg, 1.0)
    if angle_deg == 0.0:
        return gray, m
    out = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)
    return out, m
