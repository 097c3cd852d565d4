"""Roman section numbers checked against the image: count the stems of the I's.

Tesseract reads serif Roman numerals badly ("III." -> "II.", "II." -> "H.", "VIII." -> "VHI.",
"IX." -> "1X."), and the count matters: it is the section number. For the first word of a cell
that spans columns (a section row) or of a first-column cell, when the word is made of
numeral-like glyphs, we read it again from its pixels: columns inked over most of the glyph
height are the stems of "I"s (an "H" has two, an "L" one); other runs of ink that reach over most
of the height are the wide letters (V, X) Tesseract saw, in its order; serifs, a crossbar and the
dot are neither. The result must be a valid Roman numeral, else the word is left alone.

A lone stem is "I" or "1" (a bold "I" comes out as "Í", "Ì", "l", "1"; a faint "1" as "Ì"): the
digit starts in a point (its top row narrower than the stem) or a flag on the upper left only;
the letter's top is as wide as its stem, or wider on both sides (serifs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import regex as re

from tthc_extract.ocr.grid import PixelGrid
from tthc_extract.ocr.tesseract import OcrWord

STEM_COVER = 0.85  # a column inked over this share of the glyph height is part of a stem
# (serif I stems measure 0.9-1.0, the thick arm of a V up to 0.75)
GLYPH_COVER = 0.7  # a run of other ink whose rows span this share of the height is a letter...
GLYPH_WIDTH = 0.3  # ... when it is at least this share of the height wide (not a stem's blurred edge)
INK_LEVEL = 140  # grey level below which a pixel is ink
# A word that may be a mangled numeral: stem-like glyphs and V/X, at least one letter (so Arabic
# "1." stays), then optionally the dot or bracket after it.
_CANDIDATE = re.compile(r"^(?=.*[IHLl|!VX])(?P<body>[IHLl1|!VXịỊíÍìÌỉ]{1,6})(?P<punct>[.):]?)$")
_ROMAN = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")
ONE_STEM = re.compile(r"^(?P<body>[IÍÌĨỈỊlL1|!ïîí])(?P<punct>[.):]?)$")
SURE_CONF = 0.9  # a lone "1" or "I" read at least this surely is left as read
TOP_BAND = 0.25  # the share of the glyph height where a "1" has its flag
POINT_SHARE = 0.75  # a top row narrower than this share of the stem is the point of a "1"


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Return the [start, end) index ranges where ``flags`` is true."""
    out: list[tuple[int, int]] = []
    start = -1
    for i, v in enumerate(flags.tolist() + [False]):
        if v and start < 0:
            start = i
        elif not v and start >= 0:
            out.append((start, i))
            start = -1
    return out


def glyph_sequence(gray: np.ndarray, box: tuple[int, int, int, int]) -> str:
    """Given a grey image and a word's box (x0, y0, x1, y1), return its glyphs left to right:
    "I" for each stem, "?" for each wide letter; "" when the box holds no ink."""
    x0, y0, x1, y1 = box
    crop = gray[max(y0, 0):y1, max(x0, 0):x1]
    if crop.size == 0:
        return ""
    ink = crop < INK_LEVEL
    rows = np.nonzero(ink.any(axis=1))[0]
    if len(rows) == 0:
        return ""
    ink = ink[rows[0]:rows[-1] + 1]
    cover = ink.mean(axis=0)
    stem = cover >= STEM_COVER
    other = ink.any(axis=0) & ~stem
    items: list[tuple[int, str]] = [(a, "I") for a, _ in _runs(stem)]
    for a, b in _runs(other):
        if b - a >= GLYPH_WIDTH * len(ink) and ink[:, a:b].any(axis=1).mean() >= GLYPH_COVER:
            items.append((a, "?"))
    return "".join(g for _, g in sorted(items))


def read_numeral(gray: np.ndarray, word: OcrWord) -> str | None:
    """Return the Roman numeral a word's pixels show (with its dot), or None if it is not one."""
    m = _CANDIDATE.match(word.text)
    if m is None:
        return None
    seq = glyph_sequence(gray, (word.left, word.top, word.right, word.bottom))
    letters = [c for c in m.group("body") if c in "VX"]
    if seq.count("?") != len(letters):
        return None
    it = iter(letters)
    roman = "".join(next(it) if g == "?" else g for g in seq)
    return roman + m.group("punct") if _ROMAN.match(roman) else None


def _stem_run(ink: np.ndarray) -> tuple[int, int] | None:
    """Return the column range of the single stem in a glyph's ink, or None if it has not one."""
    runs = _runs(ink.mean(axis=0) >= STEM_COVER)
    return runs[0] if len(runs) == 1 else None


def one_or_i(gray: np.ndarray, box: tuple[int, int, int, int]) -> str | None:
    """Given a lone stem's box, return "1" (flag on the upper left only) or "I", or None."""
    x0, y0, x1, y1 = box
    ink = gray[max(y0, 0):y1, max(x0, 0):x1] < INK_LEVEL
    rows = np.nonzero(ink.any(axis=1))[0]
    if len(rows) < 4:
        return None
    ink = ink[rows[0]:rows[-1] + 1]
    stem = _stem_run(ink)
    if stem is None:
        return None
    first = np.nonzero(ink[0])[0]
    if len(first) < POINT_SHARE * (stem[1] - stem[0]):
        return "1"
    top = ink[: max(1, round(TOP_BAND * len(ink)))]
    cols = np.nonzero(top.any(axis=0))[0]
    left = max(0, stem[0] - int(cols.min()))
    right = max(0, int(cols.max()) + 1 - stem[1])
    return "1" if left >= 2 and right * 3 <= left else "I"


def _heading_starts(grids: Sequence[PixelGrid], words: Sequence[OcrWord]) -> list[int]:
    """Return the indexes of the words that open a text line outside the tables before a capital
    word: where a prose heading's Roman number stands ("III. QUY TRÌNH KIỂM TRA")."""
    boxes = [c.bbox for g in grids for c in g.cells]
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, w in enumerate(words):
        if not any(w.centred_in(b) for b in boxes):
            lines.setdefault(w.line_key, []).append(i)
    starts: list[int] = []
    for idx in lines.values():
        idx.sort(key=lambda i: words[i].left)
        nxt = re.sub(r"\P{L}", "", words[idx[1]].text) if len(idx) > 1 else ""
        if len(nxt) >= 2 and nxt.isupper():
            starts.append(idx[0])
    return starts


def _first_words(grids: Sequence[PixelGrid], words: Sequence[OcrWord]) -> list[int]:
    """Return the indexes of the words that open a spanning cell, a first-column cell or a heading."""
    firsts: list[int] = _heading_starts(grids, words)
    for g in grids:
        for c in g.cells:
            if c.c1 - c.c0 < 2 and c.c0 != 0:
                continue
            inside = [i for i, w in enumerate(words) if w.centred_in(c.bbox)]
            if inside:
                top = min(words[i].top for i in inside)
                line = [i for i in inside if words[i].top <= top + words[i].height / 2]
                firsts.append(min(line, key=lambda i: words[i].left))
    return firsts


def fix_section_numbers(words: Sequence[OcrWord], grids: Sequence[PixelGrid], gray: np.ndarray) -> list[OcrWord]:
    """Return the words with the Roman numbers opening section and first-column cells re-read."""
    out = list(words)
    for i in _first_words(grids, words):
        w = out[i]
        lone = ONE_STEM.match(w.text)
        if lone is not None:
            if w.conf >= SURE_CONF and lone.group("body") in "1I":
                continue
            glyph = one_or_i(gray, (w.left, w.top, w.right, w.bottom))
            text = glyph + lone.group("punct") if glyph else None
        else:
            text = read_numeral(gray, w)
        if text is not None and text != out[i].text:
            out[i] = dataclasses.replace(out[i], text=text)
    return out
