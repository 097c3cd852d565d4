"""Lines -> paragraphs of a page, for typed PDFs and OCR'd scans alike (the text outside tables).

Lines (:func:`tthc_extract.layout.words.group_lines`) are cut at wide gaps into segments,
two-column blocks (issuer | national motto, "Nơi nhận" | signature) are found so that each column
reads as its own paragraphs, and wrapped lines are joined with a space while deliberate breaks are
kept. Whether a break is a wrap is decided the way a word processor lays text out: if the first
word of the next line would have fitted at the end of this one, the break was typed, not wrapped.
Everything is in PDF points; the OCR reader converts pixels at its edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tthc_extract.layout.words import JOIN_GAP_RATIO, Line, Word, group_lines
from tthc_extract.model.document import BBox, Paragraph, Prov
from tthc_extract.text.normalize import clean_text

# A gap wider than this many font sizes cuts a line into segments (columns of a layout block).
SEGMENT_GAP_EMS = 1.6
# Lines whose vertical gap exceeds this many font sizes start a new paragraph / end a block.
PARA_GAP_EMS = 0.5
BAND_GAP_EMS = 1.0
# Tolerance (points) when comparing edges and centres of lines.
ALIGN_TOL = 2.5
# A line ending this close to its box's right edge (in font sizes: under one digit) was full.
OVERFLOW_SLACK_EMS = 0.35
# First words that open a list item: a typed break comes before them ...
BULLETS = frozenset({"-", "+", "•", "–", "—", "*", "·"})
ENDS_ITEM = frozenset(".;:!?")  # ... when the line before ends with one of these


def split_segments(line: Line) -> list[Line]:
    """Given a line, return its segments: runs of words separated by gaps wider than a few ems."""
    segs: list[list[Word]] = [[line.words[0]]]
    for prev, w in zip(line.words, line.words[1:], strict=False):
        if w.x0 - prev.x1 > SEGMENT_GAP_EMS * max(prev.size, w.size):
            segs.append([w])
        else:
            segs[-1].append(w)
    if len(segs) == 1:
        return [line]
    return [Line(s) for s in segs]


def _is_centered(line: Line, left: float, right: float) -> bool:
    """Return whether ``line`` sits centred between ``left`` and ``right`` (not filling them)."""
    return (abs(line.center - (left + right) / 2) <= ALIGN_TOL
            and line.x0 - left > 0.5 * line.size)


def is_typed_break(prev: Line, nxt: Line, left: float, right: float, centered: bool,
                   in_list: bool = False) -> bool:
    """Return whether the break between two lines was typed (not a wrap) in a [left, right] box.

    A wrap happens only when the next line's first word did not fit after ``prev``; a centred
    block has its free space on both sides. A bullet opens a new item even after a full line when
    the box is a list (``in_list``: it starts with a bullet) or the line before ends in
    punctuation; otherwise a dash after a word is a dash inside the sentence ("Phục vụ - Kiểm").
    """
    first = nxt.words[0]
    if first.text in BULLETS and (in_list or prev.words[-1].text[-1:] in ENDS_ITEM):
        return True
    slack = right - prev.x1
    if centered:
        slack += prev.x0 - left
    space = 0.25 * first.size
    return _first_token_width(nxt) + space <= slack - 1.0


def _first_token_width(line: Line) -> float:
    """Return the width of a line's first space-delimited token (words split by a font change
    with no gap between them, e.g. a fallback font for Vietnamese letters, count as one)."""
    ws = line.words
    end = ws[0].x1
    for prev, w in zip(ws, ws[1:], strict=False):
        if w.x0 - prev.x1 >= JOIN_GAP_RATIO * max(w.size, prev.size):
            break
        end = w.x1
    return end - ws[0].x0


def _broke_at_hyphen(line: Line) -> bool:
    """Return whether a wrapped line ends inside a hyphenated word ("468/QĐ-" + "TTg")."""
    last = line.words[-1].text
    return len(last) > 1 and last[-1] == "-" and last[-2].isalnum()


def _overflowed_number(prev: Line, nxt: Line, left: float, right: float) -> bool:
    """Return whether ``prev`` is one number or date too wide for its box, broken where the box
    ended ("30/11/202" + "4"): a lone token from the left edge to within a digit of the right edge,
    ending in a digit or "/" and followed by a line that starts with a digit."""
    size = prev.words[-1].size
    return (
        _first_token_width(prev) >= prev.x1 - prev.x0 - 0.5
        and prev.x0 - left <= 0.5 * size
        and right - prev.x1 <= OVERFLOW_SLACK_EMS * size
        and prev.words[-1].text[-1:] in "0123456789/"
        and nxt.words[0].text[:1].isdigit()
    )


def join_lines(lines: Sequence[Line], left: float, right: float) -> str:
    """Given the lines of one box (a cell or a paragraph), return its text: wraps joined by spaces,
    typed breaks kept as newlines; ``left``/``right`` are the box's inner edges."""
    if not lines:
        return ""
    right = max(right, max(ln.x1 for ln in lines))
    left = min(left, min(ln.x0 for ln in lines))
    centered = len(lines) > 1 and all(
        abs(ln.center - (left + right) / 2) <= ALIGN_TOL + 0.5 for ln in lines
    )
    in_list = lines[0].words[0].text in BULLETS
    out = [lines[0].text()]
    for prev, nxt in zip(lines, lines[1:], strict=False):
        if is_typed_break(prev, nxt, left, right, centered, in_list):
            out.append("\n")
        elif not _broke_at_hyphen(prev) and not _overflowed_number(prev, nxt, left, right):
            out.append(" ")
        out.append(nxt.text())
    return clean_text("".join(out))


def bbox_of(lines: Sequence[Line]) -> BBox:
    """Return the bounding box of some lines."""
    return BBox(x0=min(ln.x0 for ln in lines), top=min(ln.top for ln in lines),
                x1=max(ln.x1 for ln in lines), bottom=max(ln.bottom for ln in lines))


def _bold_share(lines: Sequence[Line]) -> float:
    """Return the share of characters set in a bold font."""
    total = bold = 0
    for ln in lines:
        for w in ln.words:
            total += len(w.text)
            bold += len(w.text) if w.bold else 0
    return bold / total if total else 0.0


def _starts_paragraph(prev: Line, nxt: Line, left: float, right: float) -> bool:
    """Return whether ``nxt`` opens a new paragraph after ``prev`` inside one column."""
    size = max(prev.size, nxt.size)
    if nxt.top - prev.bottom > PARA_GAP_EMS * size:
        return True
    if abs(prev.size - nxt.size) > 0.6:
        return True
    if (prev.words[-1].bold and prev.words[0].bold) != (nxt.words[0].bold and nxt.words[-1].bold):
        return True
    prev_c, nxt_c = _is_centered(prev, left, right), _is_centered(nxt, left, right)
    if prev_c and abs(nxt.center - (left + right) / 2) > ALIGN_TOL:
        return True  # a centred heading, then text that is not centred
    if not nxt_c and nxt.x0 > prev.x0 + 0.8 * nxt.size and nxt.x0 > left + 0.8 * nxt.size:
        return True  # a first-line indent
    return is_typed_break(prev, nxt, left, right, prev_c and nxt_c)


def column_paragraphs(lines: Sequence[Line], page_no: int, left: float, right: float) -> list[Paragraph]:
    """Given the lines of one column (top to bottom) and its edges, return its paragraphs."""
    groups: list[list[Line]] = []
    for ln in lines:
        if groups and not _starts_paragraph(groups[-1][-1], ln, left, right):
            groups[-1].append(ln)
        else:
            groups.append([ln])
    paras: list[Paragraph] = []
    for g in groups:
        parts = [g[0].text()]
        for prev, ln in zip(g, g[1:], strict=False):
            parts.append("" if _broke_at_hyphen(prev) else " ")
            parts.append(ln.text())
        text = clean_text("".join(parts), keep_lines=False)
        if not text:
            continue
        centered = all(_is_centered(ln, left, right) for ln in g) or (
            len(g) > 1 and all(abs(ln.center - (left + right) / 2) <= ALIGN_TOL for ln in g))
        paras.append(Paragraph(text=text, prov=Prov(page=page_no, bbox=bbox_of(g)),
                               bold=_bold_share(g) >= 0.8, centered=centered))
    return paras


@dataclass
class _Band:
    """A run of lines laid out in side-by-side columns (or one column when ``cols`` has one)."""

    cols: list[list[Line]]
    multi_lines: int = 0  # lines that had a segment in more than one column
    top: float = 0.0
    bottom: float = 0.0
    spans: list[tuple[float, float]] = field(default_factory=list)

    def place(self, segs: list[Line]) -> list[int] | None:
        """Return the column of each segment if they fit this band's columns, else None."""
        taken: list[int] = []
        for s in segs:
            hits = [i for i, (a, b) in enumerate(self.spans) if s.x0 < b and s.x1 > a]
            if len(hits) != 1 or hits[0] in taken:
                return None
            taken.append(hits[0])
        return taken

    def add(self, segs: list[Line], where: list[int]) -> None:
        """Add segments to their columns and widen the column spans."""
        for s, i in zip(segs, where, strict=True):
            self.cols[i].append(s)
            a, b = self.spans[i]
            self.spans[i] = (min(a, s.x0), max(b, s.x1))
        self.bottom = max(self.bottom, max(s.bottom for s in segs))
        if len(segs) > 1:
            self.multi_lines += 1


def _new_band(segs: list[Line]) -> _Band:
    """Start a band whose columns are the given segments."""
    return _Band(cols=[[s] for s in segs], multi_lines=1 if len(segs) > 1 else 0,
                 top=min(s.top for s in segs), bottom=max(s.bottom for s in segs),
                 spans=[(s.x0, s.x1) for s in segs])


def layout_blocks(lines: Sequence[Line], page_no: int) -> list[tuple[float, list[Paragraph]]]:
    """Given the non-table lines of a page, return paragraph groups with their top, in order.

    Lines cut into aligned segments on two or more consecutive lines form a column block whose
    columns are read one after the other; everything else is one column spanning the text area.
    """
    if not lines:
        return []
    bands: list[_Band] = []
    flow: list[Line] = []  # lines outside column blocks
    cur: _Band | None = None
    for ln in lines:
        segs = split_segments(ln)
        close = cur is not None and ln.top - cur.bottom > BAND_GAP_EMS * ln.size
        where = cur.place(segs) if cur is not None and not close else None
        if cur is not None and where is not None:
            cur.add(segs, where)
            continue
        if cur is not None:
            bands.append(cur)
            cur = None
        if len(segs) > 1:
            cur = _new_band(segs)
        else:
            flow.append(ln)
    if cur is not None:
        bands.append(cur)
    kept: list[_Band] = []
    for b in bands:
        if b.multi_lines >= 2 or (b.multi_lines == 1 and sum(map(len, b.cols)) > len(b.cols)):
            kept.append(b)
        else:  # one stray wide gap (a tab): read it as ordinary lines
            flow.extend(_lines_by_top(b))
    # Text area of the page: the widest extent of ordinary lines.
    left = min((ln.x0 for ln in flow), default=0.0)
    right = max((ln.x1 for ln in flow), default=0.0)
    out: list[tuple[float, list[Paragraph]]] = []
    for para in column_paragraphs(_regroup(flow), page_no, left, right):
        assert para.prov is not None and para.prov.bbox is not None
        out.append((para.prov.bbox.top, [para]))
    for b in kept:
        paras: list[Paragraph] = []
        for col, (a, z) in zip(b.cols, b.spans, strict=True):
            paras.extend(column_paragraphs(sorted(col, key=lambda x: x.top), page_no, a, z))
        out.append((b.top, paras))
    out.sort(key=lambda t: t[0])
    return out


def _lines_by_top(band: _Band) -> list[Line]:
    """Return all segments of a band ordered top to bottom, left to right."""
    return sorted((s for col in band.cols for s in col), key=lambda s: (s.top, s.x0))


def _regroup(lines: list[Line]) -> list[Line]:
    """Return lines sorted top to bottom, re-merging segments that share a visual line."""
    return group_lines(w for ln in lines for w in ln.words) if lines else []
