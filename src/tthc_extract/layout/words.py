"""Words and visual lines of a page, in PDF points (origin top-left): the geometry every reader shares.

A typed PDF's words come from its text layer, a scan's from Tesseract converted to points; both are
grouped into lines the same way before tables and paragraphs are read from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Two words split only because their font changed are joined without a space below this gap.
JOIN_GAP_RATIO = 0.1


@dataclass(slots=True)
class Word:
    """One word: its text, box (points, origin top-left), font size and weight."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    upright: bool = True
    # A scanned word's line extent for parting unruled rows (same height on every line of the page,
    # see ocr.layout._line_bands); None: the word's box, as typed text's font boxes already are.
    band: tuple[float, float] | None = None


@dataclass(slots=True)
class Line:
    """Words on one visual line (or one segment of it), left to right, with their bounding box."""

    words: list[Word]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    band_top: float = 0.0  # the words' bands' extent (see Word.band): what gaps between lines are
    band_bottom: float = 0.0  # measured on

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the box, the band and the font size from the words."""
        ws = self.words
        self.x0 = min(w.x0 for w in ws)
        self.x1 = max(w.x1 for w in ws)
        self.top = min(w.top for w in ws)
        self.bottom = max(w.bottom for w in ws)
        self.band_top = min(w.band[0] if w.band else w.top for w in ws)
        self.band_bottom = max(w.band[1] if w.band else w.bottom for w in ws)
        self.size = max(w.size for w in ws)

    @property
    def center(self) -> float:
        """Return the horizontal centre of the line."""
        return (self.x0 + self.x1) / 2

    def text(self) -> str:
        """Return the line's text: words joined by one space, unless only the font split them."""
        parts: list[str] = []
        prev: Word | None = None
        for w in self.words:
            if prev is not None and w.x0 - prev.x1 >= JOIN_GAP_RATIO * max(w.size, prev.size):
                parts.append(" ")
            parts.append(w.text)
            prev = w
        return "".join(parts)



def group_lines(words: Iterable[Word]) -> list[Line]:
    """Given words, return visual lines top to bottom: words whose middles share a band, by x."""
    ordered = sorted(words, key=lambda w: (w.top, w.x0))
    lines: list[Line] = []
    cur: list[Word] = []
    band_top = band_bottom = 0.0
    for w in ordered:
        mid = (w.top + w.bottom) / 2
        if cur and band_top <= mid <= band_bottom:
            cur.append(w)
            band_bottom = max(band_bottom, w.bottom)
            continue
        if cur:
            lines.append(Line(sorted(cur, key=lambda x: x.x0)))
        cur = [w]
        band_top, band_bottom = w.top, w.bottom
    if cur:
        lines.append(Line(sorted(cur, key=lambda x: x.x0)))
    return lines
