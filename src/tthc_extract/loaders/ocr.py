"""Scanned pages (image-only PDFs, photos, TIFF) -> the intermediate document model, by OCR.

Each page goes through: render (pypdfium2, at the scan's own resolution) or load (Pillow) →
stamp and signature ink taken off (:mod:`tthc_extract.ocr.raster`) → deskew → table grids
from the ruling lines (:mod:`tthc_extract.ocr.grid`) → the rules painted white → sharpened →
ONE Tesseract call for the whole page (hOCR: words, boxes, confidences, baselines) → text it
skipped outside the ruled tables read from strips → tables without a grid of rules (horizontal
rules only, header rules only, none) found by the typed-PDF reader's recogniser on the words and
rules converted to points (:func:`tthc_extract.ocr.layout.text_grids`) → a second look at cells
left empty or misread, batched in one more call (:mod:`tthc_extract.ocr.cells`) → Roman section numbers checked against the pixels (:mod:`tthc_extract.ocr.numerals`) → safe
lexicon repair (:mod:`tthc_extract.ocr.repair`) → words placed in grid cells or laid out as
paragraphs (:mod:`tthc_extract.ocr.layout`). A page that reads as garbage is checked for a
sideways or upside-down feed and read again turned (:func:`ocr_page`). Pages are independent
and run in parallel threads (the work happens in OpenCV and in Tesseract processes, outside the
GIL); the ``ocr_workers`` setting caps them (settings.current: the settings the document is read with).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from rapidfuzz import fuzz

from tthc_extract.errors import ExtractError, exc_line
from tthc_extract.layout.grid import mark_page_split
from tthc_extract.model.document import Block, Document, Page, Paragraph, Table
from tthc_extract.model.warnings import Warning, warn
from tthc_extract.ocr.cells import read_lost_text, reread_cells
from tthc_extract.ocr.grid import PixelGrid, find_grids
from tthc_extract.ocr.layout import PageFrame, page_blocks, text_grids
from tthc_extract.ocr.numerals import fix_section_numbers
from tthc_extract.ocr.raster import (
    PageImage,
    estimate_skew,
    load_images,
    pdfium_document,
    remove_ink,
    render_pdf,
    rotate,
    sharpen,
    turn,
)
from tthc_extract.ocr.repair import repair_words
from tthc_extract.ocr.tesseract import OcrWord, check_tesseract, detect_turn, has_osd, run_tesseract
from tthc_extract.settings import DEFAULT_OCR_DPI, current, default_ocr_workers

ERASE_GROW_PX = 2  # rules are painted white this many pixels wider than their mask
EDGE_MATCH_IN = 0.08  # column edges of two pieces of one table agree within this (inches)
FURNITURE_WORDS = 3  # paragraphs this short (page numbers) do not separate table pieces
SAME_ROW_RATIO = 85  # a row repeats a header row when their texts are this similar (0-100)
SPECK_CONF = 0.6  # a lone character outside tables read less surely than this is a speck
# A page whose words average a confidence below TURN_SUSPECT_CONF (with at least TURN_MIN_WORDS
# words) is checked for a sideways or upside-down feed. Upright pages of the corpus and probe
# scans average 0.80-0.95; a page turned 90 or 180 degrees reads at 0.2-0.45.
TURN_SUSPECT_CONF = 0.6
TURN_MIN_WORDS = 8
TURN_STANDING_SHARE = 0.5  # ... or when more than this share of its 3+ letter words stand upright


@dataclass
class PageResult:
    """What OCR found on one page: its model entry, its blocks, its table pieces with their grids."""

    page: Page
    blocks: list[Block]
    pieces: list[tuple[Table, PixelGrid]] = field(default_factory=list)
    dpi: float = DEFAULT_OCR_DPI
    skew: float = 0.0
    turn: int = 0  # clockwise degrees the page was turned to read it upright


def _workers(n_pages: int) -> int:
    """Return how many pages to OCR at once (the ``ocr_workers`` setting, else settings.default_ocr_workers)."""
    n = current().ocr_workers or default_ocr_workers(os.cpu_count() or 1)
    return max(1, min(n, n_pages))


def _compose(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Return the 2x3 affine doing ``inner`` then ``outer``."""
    return np.hstack([outer[:, :2] @ inner[:, :2], (outer[:, :2] @ inner[:, 2:] + outer[:, 2:])])


def _read_page(img: PageImage, gray: np.ndarray, back: np.ndarray, source: str) -> tuple[PageResult, list[OcrWord]]:
    """Read a grey page (turned by ``back``: its pixels -> the original image's); return the
    page result and the words read."""
    angle = estimate_skew(gray, img.dpi)
    upright, matrix = rotate(gray, angle)
    grids, rules, hrules = find_grids(upright, img.dpi)
    clean = upright.copy()
    if rules.any():
        grow = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * ERASE_GROW_PX + 1, 2 * ERASE_GROW_PX + 1))
        clean[cv2.dilate(rules, grow) > 0] = 255
    sharp = sharpen(clean, img.dpi)
    words = run_tesseract(sharp, round(img.dpi), source)
    words = read_lost_text(sharp, grids, words, img.dpi, source)
    grids += text_grids(sharp, words, hrules, grids, img.scale)
    words = reread_cells(sharp, grids, words, img.dpi, source)
    words = drop_specks(repair_words(fix_section_numbers(words, grids, clean)), grids)
    frame = PageFrame(scale=img.scale, inverse=_compose(back, cv2.invertAffineTransform(matrix)))
    blocks, pieces = page_blocks(grids, words, img.number, frame)
    page = Page(number=img.number, width=round(img.width_pt, 2), height=round(img.height_pt, 2),
                needs_ocr=True, ocr_done=True, rules=seen_rules(frame, hrules, grids))
    return PageResult(page=page, blocks=blocks, pieces=pieces, dpi=img.dpi, skew=angle), words


def seen_rules(frame: PageFrame, hrules: Sequence[tuple[float, float, float]],
               grids: Sequence[PixelGrid]) -> list[tuple[float, float, float, float]]:
    """Return the ruling lines found on a page, (x0, top, x1, bottom) in points of the original
    page (for the debug view): its horizontal rules, and the cell edges of its ruled grids (the
    vertical rules were found only as parts of those)."""
    segs = [(x0, y, x1, y) for y, x0, x1 in hrules]
    for g in grids:
        if g.method == "lattice":
            segs += sorted({(x, c.bbox[1], x, c.bbox[3]) for c in g.cells for x in (c.bbox[0], c.bbox[2])})
    out: list[tuple[float, float, float, float]] = []
    for x0, y0, x1, y1 in segs:
        (a, b), (c, d) = frame.point(x0, y0), frame.point(x1, y1)
        out.append((round(a, 2), round(b, 2), round(c, 2), round(d, 2)))
    return out


def drop_specks(words: Sequence[OcrWord], grids: Sequence[PixelGrid]) -> list[OcrWord]:
    """Return the words without lone unsure characters outside tables: specks and a stamp's or
    signature's leftovers read as glyphs ("3", "4" beside the signer's name). Inside a table a
    lone glyph is a row number, checked by the cell re-read and the numeral check instead."""
    extents = [(g.xs[0], g.ys[0], g.xs[-1], g.ys[-1]) for g in grids]
    return [w for w in words
            if len(w.text) > 1 or w.conf >= SPECK_CONF or any(w.centred_in(e) for e in extents)]


def _mean_conf(words: Sequence[OcrWord]) -> float:
    """Return the mean confidence of a page's words (0 for none)."""
    return sum(w.conf for w in words) / len(words) if words else 0.0


def _misturned(words: Sequence[OcrWord]) -> bool:
    """Return whether a page's reading looks like text read sideways or upside down: garbage
    (low confidence), or words standing upright (Tesseract reads a sideways page as vertical
    text, often confidently: its word boxes are then taller than wide)."""
    if len(words) < TURN_MIN_WORDS:
        return False
    long = [w for w in words if len(w.text) >= 3]
    standing = sum(1 for w in long if w.height > w.width)
    return _mean_conf(words) < TURN_SUSPECT_CONF or standing > TURN_STANDING_SHARE * max(len(long), 1)


def ocr_page(img: PageImage, source: str) -> PageResult:
    """Given a page image, return its page entry and blocks (paragraphs, table pieces) read by OCR.

    A page fed sideways or upside down reads as garbage (low confidence); only then is its
    orientation asked of Tesseract (``--psm 0``; without that model the three turns are tried)
    and the page read again turned, keeping the more confident reading. Upright pages pay nothing.
    """
    gray = remove_ink(img.bgr)
    result, words = _read_page(img, gray, turn(gray, 0)[1], source)
    if not _misturned(words):
        return result
    osd = detect_turn(gray, round(img.dpi), source)
    candidates = ([osd] if osd else []) if has_osd(source) else [180, 90, 270]
    best = _mean_conf(words)
    for degrees in candidates:
        turned, back = turn(gray, degrees)
        r2, w2 = _read_page(img, turned, back, source)
        if _mean_conf(w2) > best:
            result, best = r2, _mean_conf(w2)
            result.turn = degrees
        if best >= TURN_SUSPECT_CONF:
            break
    return result


@contextlib.contextmanager
def _opencv_threads(n: int) -> Iterator[None]:
    """Run OpenCV on ``n`` threads meanwhile (process-wide, restored after): pages read in parallel
    already keep the cores busy, and OpenCV's own pool on top of them cost 4.6 s of CPU instead of
    1.8 s for the grids of the three sample scans."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(n)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def _ocr_pages(images: Iterable[PageImage], source: str, n_pages: int) -> list[PageResult]:
    """OCR pages in parallel threads; return the results in page order.

    Pages are pulled from ``images`` (rendered lazily) only as threads free up, so at most
    ``n`` page images are held at once, however many pages the document has. A new page starts
    as soon as any running page is done, not the oldest: waiting for the oldest left threads idle
    behind a slow page (a dense table page takes three times a letter page).
    """
    check_tesseract(source)
    n = _workers(n_pages)
    if n == 1:
        return [ocr_page(im, source) for im in images]
    done: list[PageResult] = []
    with _opencv_threads(1), ThreadPoolExecutor(max_workers=n) as pool:
        running: set[Future[PageResult]] = set()
        for im in images:
            if len(running) >= n:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                done.extend(f.result() for f in finished)
            ctx = contextvars.copy_context()  # the settings in force follow the page into its thread
            running.add(pool.submit(ctx.run, ocr_page, im, source))
        done.extend(f.result() for f in running)
    return sorted(done, key=lambda r: r.page.number)


def _downscaled(im: PageImage) -> list[Warning]:
    """Return the warning of a page rendered below its usual resolution (its note), if it was."""
    return [warn("ocr_page_downscaled", im.note, page=im.number)] if im.note else []


def _noted(images: Iterable[PageImage], notes: list[Warning]) -> Iterator[PageImage]:
    """Yield ``images``, keeping the warning of each page rendered below its usual resolution."""
    for im in images:
        notes.extend(_downscaled(im))
        yield im


def _is_furniture(b: Block) -> bool:
    """Return whether a block is page furniture (a page number, a stray mark)."""
    return isinstance(b, Paragraph) and len(b.text.split()) <= FURNITURE_WORDS


def _first_data_row(table: Table, head: Table) -> int:
    """Return the index of the first row of ``table`` that repeats none of ``head``'s first rows
    (compared loosely: the two pages were not read identically)."""
    k = 0
    while k < len(table.rows) - 1 and k < len(head.rows) - 1:
        a = " | ".join(" ".join(t.split()) for t in table.rows[k].texts(table.n_cols))
        b = " | ".join(" ".join(t.split()) for t in head.rows[k].texts(head.n_cols))
        if not a.strip(" |") or fuzz.ratio(a, b) < SAME_ROW_RATIO:
            break
        table.rows[k].is_header = head.rows[k].is_header = True
        k += 1
    return k


def link_pieces(results: Sequence[PageResult]) -> None:
    """Mark rows cut by a page break (and repeated headers) on table pieces continuing a table.

    A piece continues the previous page's last piece when nothing but furniture stands between
    them and their column edges agree; its first data row is then taken to be the rest of a row
    cut by the page break when it has no STT (first cell empty), as the typed-PDF loader does.
    The segmenter has the last word (a sub-row also starts without an STT).
    """
    for prev, cur in zip(results, results[1:], strict=False):
        if cur.page.number != prev.page.number + 1 or not prev.pieces or not cur.pieces:
            continue
        p_tail = [b for b in prev.blocks if not _is_furniture(b)]
        c_head = [b for b in cur.blocks if not _is_furniture(b)]
        (a, ga), (b, gb) = prev.pieces[-1], cur.pieces[0]
        if not p_tail or not c_head or p_tail[-1] is not a or c_head[0] is not b:
            continue
        xa = [x * 72.0 / prev.dpi for x in ga.xs]
        xb = [x * 72.0 / cur.dpi for x in gb.xs]
        if len(xa) != len(xb) or any(abs(p - q) > EDGE_MATCH_IN * 72.0 for p, q in zip(xa, xb, strict=True)):
            continue
        k = _first_data_row(b, a)
        if k >= len(b.rows):
            continue
        mark_page_split(b.rows[k])


def _document(source: Path, fmt: str, results: Sequence[PageResult], notes: Sequence[Warning] = ()) -> Document:
    """Assemble page results into a Document (table pieces numbered in order)."""
    doc = Document(source=str(source), format="image" if fmt == "image" else "pdf", warnings=list(notes))
    link_pieces(results)
    for r in results:
        doc.pages.append(r.page)
        doc.blocks.extend(r.blocks)
    for i, t in enumerate(doc.tables()):
        t.index = i
    return doc


def ocr_pdf(path: Path, pages: list[int] | None = None) -> Document:
    """Return the Document of a scanned PDF: the given 1-based pages (None = all) rendered and OCR'd.

    Raises MissingToolError when Tesseract or its Vietnamese model is missing, ExtractError when
    the PDF cannot be opened.
    """
    path = Path(path)
    check_tesseract(str(path))
    notes: list[Warning] = []
    try:
        with pdfium_document(path) as pdf:
            n_pages = len(pages) if pages is not None else len(pdf)
        results = _ocr_pages(_noted(render_pdf(path, pages), notes), str(path), n_pages)
    except (ExtractError, MemoryError):
        raise
    except ValueError as exc:
        raise ExtractError(str(path), str(exc)) from exc
    except Exception as exc:  # pypdfium2 raises its own PdfiumError for broken files
        raise ExtractError(str(path), f"cannot render PDF ({exc_line(exc)})") from exc
    return _document(path, "pdf", results, notes)


def load_image(path: Path) -> Document:
    """Return the Document of an image file (PNG, JPEG, TIFF incl. multi-page), read by OCR."""
    path = Path(path)
    check_tesseract(str(path))
    try:
        images = load_images(path)
    except (OSError, ValueError) as exc:
        raise ExtractError(str(path), f"cannot read image ({exc_line(exc)})") from exc
    if not images:
        raise ExtractError(str(path), "image has no pages")
    notes = [w for im in images for w in _downscaled(im)]
    return _document(path, "image", _ocr_pages(images, str(path), len(images)), notes)


__all__ = ["load_image", "ocr_pdf"]
