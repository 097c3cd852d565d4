"""The words of a born-digital PDF page, from pdfplumber's characters.

pdfplumber gives characters with their boxes; we drop faked-bold overprints and split words at
spaces, gaps and font changes. Lines and paragraphs are made from the words by
:mod:`tthc_extract.layout.paragraphs`, the same code that lays out OCR'd pages.
"""

from __future__ import annotations

from typing import Any

from pdfplumber.utils import extract_words

from tthc_extract.layout.words import Word

# Word splitting: a gap wider than this fraction of the font size separates two words. pdfplumber's
# fixed 3 pt default glues words of small fonts whose generator draws no space characters.
WORD_GAP_RATIO = 0.15
_BOLD_MARKS = ("bold", "black", "heavy", ",b")


def is_bold_font(fontname: str) -> bool:
    """Return whether a PDF font name names a bold weight ("ABCDEF+Times-Bold", "Arial,Bold")."""
    low = fontname.lower()
    return any(m in low for m in _BOLD_MARKS)


def drop_overprint(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Given a page's characters, return them without the copies drawn over themselves.

    Some producers fake bold by drawing each glyph twice, a fraction of a point apart; left in,
    the copies interleave ("QQUUYYẾẾTT"). pdfplumber's ``dedupe_chars`` does this too but costs
    more than reading the page; a sort by (text, top, x0) finds the copies next to each other.
    """
    order = sorted(range(len(chars)), key=lambda i: (chars[i]["text"], chars[i]["top"], chars[i]["x0"]))
    drop: set[int] = set()
    for a, b in zip(order, order[1:], strict=False):
        ca, cb = chars[a], chars[b]
        tol = min(1.0, 0.3 * max(float(ca["x1"]) - float(ca["x0"]), 0.1))
        if (ca["text"] == cb["text"] and abs(cb["top"] - ca["top"]) < 1.0
                and abs(cb["x0"] - ca["x0"]) < tol and not ca["text"].isspace()):
            drop.add(b)
    return [c for i, c in enumerate(chars) if i not in drop] if drop else chars


def page_words(page: Any) -> list[Word]:
    """Given a pdfplumber page, return its words, split at spaces and at font changes.

    Sideways words are kept (a turned header cell still belongs to its table); the caller leaves
    them out of paragraphs, where they are margin notes and stamps.
    """
    raw = extract_words(
        drop_overprint(list(page.chars)),
        x_tolerance=3,
        x_tolerance_ratio=WORD_GAP_RATIO,
        y_tolerance=3,
        keep_blank_chars=False,
        use_text_flow=False,
        extra_attrs=["fontname", "size"],
    )
    words: list[Word] = []
    for w in raw:
        words.append(Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]),
                          float(w["bottom"]), float(w["size"]), is_bold_font(w["fontname"]),
                          bool(w.get("upright", True))))
    return words
