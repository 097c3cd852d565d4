"""Born-digital PDF files -> the intermediate document model, with pdfplumber.

Each page is read once: its words (one ``extract_words`` pass), its ruled tables (one
``find_tables`` pass, see :mod:`tthc_extract.loaders.pdf_tables`), text-aligned tables where the
rules are missing, and the remaining text as paragraphs in reading order, two-column blocks read
column by column (:mod:`tthc_extract.loaders.pdf_text`). A page without a usable text layer is
flagged ``needs_ocr`` instead of coming out empty. Table pieces on consecutive pages that line up
are compared to mark repeated header rows and rows cut by the page break (hints for the segmenter).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from io import BufferedReader
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfexceptions import PDFException
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from tthc_extract.errors import ExtractError, exc_line
from tthc_extract.layout.grid import Grid, assign_words, mark_page_split
from tthc_extract.layout.paragraphs import layout_blocks
from tthc_extract.layout.stream import stream_grids
from tthc_extract.layout.words import Word, group_lines
from tthc_extract.limits import check_pages
from tthc_extract.loaders.pdf_tables import grid_to_table, lattice_grids, page_rules_seen
from tthc_extract.loaders.pdf_text import page_words
from tthc_extract.model.document import Block, Document, Page, Paragraph, Table
from tthc_extract.model.warnings import warn
from tthc_extract.settings import current

MIN_TEXT_CHARS = 20  # fewer visible characters than this: the page has no usable text layer
MAX_CID_SHARE = 0.3  # more glyphs without a Unicode mapping ("(cid:12)") than this: unusable too
FURNITURE_WORDS = 3  # paragraphs this short (page numbers, running heads) do not end a table
_HEADER_BYTES = 1024
_PARSE_ERRORS = (PdfminerException, MalformedPDFException, PDFException, PSException, ValueError,
                 KeyError, TypeError, IndexError, AttributeError, AssertionError, zlib.error,
                 OverflowError, RecursionError, UnicodeDecodeError)


@dataclass
class _Piece:
    """A table piece with what the page geometry says about its ends."""

    table: Table
    grid: Grid
    first_on_page: bool
    last_on_page: bool


def _one_line(exc: BaseException) -> str:
    """Return an exception as a short single line: its type and first message line."""
    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
    return exc_line(exc)


def _check_head(path: Path, fh: BufferedReader) -> None:
    """Raise ExtractError unless the open file starts like a PDF; leave it at its start."""
    head = fh.read(_HEADER_BYTES)
    fh.seek(0)
    if not head:
        raise ExtractError(str(path), "empty file")
    if b"%PDF-" not in head:
        raise ExtractError(str(path), "not a PDF file (no %PDF- header)")


def _read_pdf(path: Path, fh: BufferedReader) -> Document:
    """Read every page of the open PDF into a Document; pdfminer's errors become ExtractError."""
    doc = Document(source=str(path), format="pdf")
    pieces: list[_Piece] = []
    try:
        pdf = pdfplumber.open(fh)
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
            raise ExtractError(str(path), "encrypted PDF: a password is needed to open it") from exc
        raise ExtractError(str(path), f"corrupt PDF ({_one_line(exc)})") from exc
    except _PARSE_ERRORS as exc:
        raise ExtractError(str(path), f"corrupt PDF ({_one_line(exc)})") from exc
    try:
        with pdf:
            check_pages(path, len(pdf.pages))
            for no, page in enumerate(pdf.pages, start=1):
                _read_page(page, no, doc, pieces)
                page.close()  # pdfplumber keeps each page's parsed objects until closed
    except _PARSE_ERRORS as exc:
        raise ExtractError(str(path), f"corrupt PDF ({_one_line(exc)})") from exc
    if not doc.pages:
        raise ExtractError(str(path), "PDF has no pages")
    for i, table in enumerate(doc.tables()):
        table.index = i
    _link_pieces(pieces)
    return doc


def _text_layer_problem(page: Any) -> str | None:
    """Return why a page's text layer is unusable (none, a few or unmapped glyphs, text turned
    sideways by the content rather than by /Rotate), or None when it is fine."""
    visible = cid = sideways = 0
    for c in page.chars:
        t = c["text"]
        if t.startswith("(cid:"):
            cid += 1
        elif not t.isspace():
            visible += 1
            sideways += not c.get("upright", True)
    if visible < MIN_TEXT_CHARS or cid > MAX_CID_SHARE * (visible + cid):
        return "has no text layer"
    if sideways > visible / 2:
        return "has its text turned sideways"
    return None


def _is_furniture(p: Paragraph) -> bool:
    """Return whether a paragraph is page furniture (a page number or a short running head)."""
    return len(p.text.split()) <= FURNITURE_WORDS


def _find_tables(page: Any, words: list[Word], carry: list[Grid]) -> tuple[list[Grid], list[Word]]:
    """Return a page's tables (ruled ones, then text-aligned ones among the remaining words) with
    their words in their cells, and the words left outside any table; ``carry`` are the previous
    page's tables that are not fully ruled (a continuation keeps their columns)."""
    grids = lattice_grids(page)
    rest = assign_words(grids, words)
    if rest:
        extra = stream_grids(page.edges, float(page.width), [w for w in rest if w.upright], grids, carry)
        if extra:
            rest = assign_words(extra, rest)
            grids.extend(extra)
    return [g for g in grids if any(c.words for c in g.cells)], rest


def _pieces(blocks: list[tuple[Block, Grid | None]]) -> list[_Piece]:
    """Given a page's blocks in reading order, return its table pieces with whether each one
    opens the page and ends it (page numbers and running heads do not count)."""
    out: list[_Piece] = []
    for i, (block, grid) in enumerate(blocks):
        if not isinstance(block, Table) or grid is None:
            continue
        above = [b for b, _ in blocks[:i] if not (isinstance(b, Paragraph) and _is_furniture(b))]
        below = [b for b, _ in blocks[i + 1:] if not (isinstance(b, Paragraph) and _is_furniture(b))]
        out.append(_Piece(block, grid, first_on_page=not above, last_on_page=not below))
    return out


def _read_page(page: Any, no: int, doc: Document, pieces: list[_Piece]) -> None:
    """Append the page, its paragraphs and its table pieces (in reading order) to ``doc``."""
    info = Page(number=no, width=float(page.width), height=float(page.height))
    doc.pages.append(info)
    problem = _text_layer_problem(page)
    if problem:
        info.needs_ocr = True
        doc.warnings.append(warn("page_needs_ocr", f"page {no} {problem}: needs OCR", page=no))
        return
    info.rules = page_rules_seen(page)
    carry = [p.grid for p in pieces if p.table.page == no - 1 and p.grid.method != "lattice"]
    grids, rest = _find_tables(page, page_words(page), carry)
    upright = group_lines(w for w in rest if w.upright)  # sideways margin notes are left out
    items: list[tuple[float, list[Block], Grid | None]] = [
        (top, list(paras), None) for top, paras in layout_blocks(upright, no)]
    items += [(g.ys[0], [grid_to_table(g, no, 0)], g) for g in grids]
    items.sort(key=lambda t: t[0])
    blocks = [(b, g) for _, group, g in items for b in group]
    pieces.extend(_pieces(blocks))
    doc.blocks.extend(b for b, _ in blocks)


def _continues(a: _Piece, b: _Piece) -> bool:
    """Return whether piece ``b`` continues piece ``a`` on the next page: same columns, and ``a``
    ends its page and ``b`` opens the next, or the rules are left open at the cut."""
    if b.table.page != a.table.page + 1:
        return False
    open_cut = not a.grid.closed_bottom or not b.grid.closed_top
    if not (open_cut or (a.last_on_page and b.first_on_page)):
        return False
    xa, xb = a.grid.xs, b.grid.xs
    tol = current().tables.page_break_tolerance  # points: the column edges of the two pieces agree within this
    return len(xa) == len(xb) and all(abs(p - q) <= tol for p, q in zip(xa, xb, strict=True))


def _row_key(table: Table, i: int) -> tuple[str, ...]:
    """Return the texts of row ``i`` of a piece, one per grid column, for comparing rows."""
    return tuple(" ".join(t.split()) for t in table.rows[i].texts(table.n_cols))


def _link_pieces(pieces: list[_Piece]) -> None:
    """Mark header rows repeated on continuation pieces and rows cut by a page break."""
    head: _Piece | None = None
    for prev, cur in zip(pieces, pieces[1:], strict=False):
        if not _continues(prev, cur):
            head = None
            continue
        head = head or prev
        h, t = head.table, cur.table
        k = 0
        while (k < len(h.rows) - 1 and k < len(t.rows) - 1 and _row_key(h, k) == _row_key(t, k)
               and any(_row_key(h, k))):
            k += 1
        for i in range(k):
            h.rows[i].is_header = True
            t.rows[i].is_header = True
        if k >= len(t.rows):
            continue
        # The table runs off the bottom of one page onto the top of the next (checked by
        # _continues); a first body row with no entry in its first column continues the row cut
        # there (or is a sub-row of a task cut there: the segmenter tells them apart by the text).
        mark_page_split(t.rows[k])


def load_pdf(path: Path) -> Document:
    """Return the Document of a born-digital PDF: paragraphs and table pieces in reading order.

    Pages without a usable text layer are returned with ``needs_ocr`` set (and a warning).
    Raises ExtractError (one line, naming the file) for a missing, empty, foreign, corrupt or
    password-protected file.
    """
    path = Path(path)
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise ExtractError(str(path), "no such file") from None
    except OSError as exc:
        raise ExtractError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    with fh:  # the one open of the file: checked, then parsed from the same handle
        _check_head(path, fh)
        return _read_pdf(path, fh)
