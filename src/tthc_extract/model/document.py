"""The intermediate document model every loader produces and the segmenter reads.

A loader turns a file (text export, HTML, .docx, typed or scanned PDF, image) into a
:class:`Document`: pages, and in reading order the paragraphs and table pieces found on them.
Nothing downstream of a loader ever looks at a file format again, so adding a format means adding
one loader.

Conventions shared by all loaders:

* Text is already normalised with :func:`tthc_extract.text.normalize.clean_text` (NFC, unified
  Vietnamese tone-mark placement, no HTML tags or markdown emphasis). Line breaks inside a cell or
  paragraph are kept as ``"\\n"``; list items start with ``"- "``.
* Pages are numbered from 1. A table that runs over several pages is emitted as one
  :class:`Table` *piece* per page (its ``page`` is where that piece is); the segmenter stitches the
  pieces of one logical table together and decides what to do with rows cut by page breaks.
* Merged cells: a horizontally merged cell is one :class:`Cell` with ``col_span > 1``. A vertically
  merged cell appears in *every* row it spans, carrying the same text; the first has
  ``row_span = n`` and the others ``merged_from_above = True``, so the segmenter knows the value
  was not typed again but belongs to each row (e.g. a task cell over its sub-rows).
* Coordinates are PDF points with the origin at the top-left of the page (pdfplumber's convention);
  image-based loaders convert pixels to points.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from tthc_extract.model import notebook
from tthc_extract.model.warnings import Warning

SourceFormat = Literal["text", "html", "docx", "doc", "pdf", "image"]


class BBox(BaseModel):
    """A rectangle on a page, in points, origin top-left."""

    x0: float
    top: float
    x1: float
    bottom: float

    @classmethod
    def enclosing(cls, boxes: Iterable[BBox]) -> BBox | None:
        """Return the smallest box enclosing ``boxes`` (None when there are none)."""
        bs = list(boxes)
        if not bs:
            return None
        return cls(x0=min(b.x0 for b in bs), top=min(b.top for b in bs),
                   x1=max(b.x1 for b in bs), bottom=max(b.bottom for b in bs))


class Prov(BaseModel):
    """Where a piece of the document came from: page, and line (text sources) or bbox."""

    page: int = 1
    line: int | None = None
    bbox: BBox | None = None


class Cell(BaseModel):
    """One table cell; see the module docstring for the merge conventions."""

    text: str = ""
    col: int
    col_span: int = 1
    row_span: int = 1
    merged_from_above: bool = False
    prov: Prov | None = None
    confidence: float | None = None  # OCR confidence in [0, 1]; None for typed text


class TableRow(BaseModel):
    """One row of a table piece: its cells left to right (gaps allowed for missing cells)."""

    cells: list[Cell]
    prov: Prov | None = None
    is_header: bool = False  # the source marks this row as a (repeating) header row
    # Loader's hint that this row is the rest of the previous page's last row, cut by the page
    # break (e.g. PDF geometry shows the row has no top rule). The segmenter decides in the end.
    split_from_previous_page: bool = False

    def texts(self, n_cols: int) -> list[str]:
        """Return the row's text per grid column; a spanned cell's text sits in its first column."""
        out = [""] * n_cols
        for c in self.cells:
            if 0 <= c.col < n_cols:
                out[c.col] = c.text
        return out

    def cell_at(self, col: int) -> Cell | None:
        """Return the cell covering grid column ``col`` (taking col_span into account), if any."""
        for c in self.cells:
            if c.col <= col < c.col + max(1, c.col_span):
                return c
        return None


class Table(BaseModel):
    """A table piece: the part of one table that sits on one page."""

    kind: Literal["table"] = "table"
    index: int = 0
    rows: list[TableRow]
    n_cols: int
    page: int = 1
    bbox: BBox | None = None
    method: str | None = None  # how the loader found it: "tsv", "cells", "pipe", "docx", "lattice", ...


class Paragraph(BaseModel):
    """A run of body text outside tables (one paragraph or one visual line group)."""

    kind: Literal["paragraph"] = "paragraph"
    text: str
    prov: Prov | None = None
    bold: bool | None = None
    centered: bool | None = None


Block = Annotated[Paragraph | Table, Field(discriminator="kind")]


class Page(BaseModel):
    """A page of the source; ``needs_ocr`` marks a page with no usable text layer."""

    number: int
    width: float | None = None
    height: float | None = None
    needs_ocr: bool = False
    ocr_done: bool = False
    # The ruling lines the table finders saw, (x0, top, x1, bottom) in points (a horizontal rule
    # has top == bottom, a vertical one x0 == x1); kept for `tthc-extract debug`, not read later.
    rules: list[tuple[float, float, float, float]] = Field(default_factory=list)

    @property
    def pending_ocr(self) -> bool:
        """True for a page flagged for OCR that was not OCR'd yet."""
        return self.needs_ocr and not self.ocr_done


class Document(BaseModel):
    """What a loader returns: pages and, in reading order, paragraphs and table pieces."""

    source: str
    format: SourceFormat
    pages: list[Page] = Field(default_factory=list)
    blocks: list[Block] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)  # the load and OCR stages' (model.warnings)

    def __repr__(self) -> str:
        return notebook.document_repr(self)

    def _repr_html_(self) -> str:
        """The notebook view: pages, blocks, table pieces, warnings and the first paragraphs."""
        return notebook.document_html(self)

    def tables(self) -> list[Table]:
        """Return the table pieces in document order."""
        return [b for b in self.blocks if isinstance(b, Table)]

    def paragraphs(self) -> list[Paragraph]:
        """Return the paragraphs in document order."""
        return [b for b in self.blocks if isinstance(b, Paragraph)]
