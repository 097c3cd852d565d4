"""Word .docx files -> the intermediate document model (body paragraphs and tables in order).

We read the package with :mod:`zipfile` and walk ``w:body`` with lxml rather than python-docx's
high-level objects: it is several times faster, and it lets us see what those objects hide
(content controls, text boxes, vertical merges, rendered page breaks). Word has no fixed pages, so
page numbers are estimated: from the page breaks Word recorded when it last laid the file out
(``w:lastRenderedPageBreak``) when there are any, else from explicit breaks (``w:br
w:type="page"``, ``w:pageBreakBefore``, section breaks); without either everything is page 1.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from tthc_extract.errors import ExtractError
from tthc_extract.limits import check_part
from tthc_extract.loaders.docx_styles import Numbering, Style, num_of, read_styles
from tthc_extract.loaders.docx_xml import W, int_attr, on
from tthc_extract.model.document import Block, Cell, Document, Page, Paragraph, Prov, Table, TableRow
from tthc_extract.model.warnings import warn
from tthc_extract.text.normalize import clean_text

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_TRANSITIONAL_W = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OFFICE_DOC_REL = "/officeDocument"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

# Elements that only wrap block content (paragraphs, tables, rows or cells): we look through them.
_WRAPPERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "moveTo", W + "smartTag"}
# Inline elements whose children are runs (or more inline wrappers).
_INLINE_WRAPPERS = _WRAPPERS | {W + "hyperlink", W + "fldSimple", W + "dir", W + "bdo"}
_TWIPS_PER_POINT = 20.0
_PUA_BULLET = re.compile(r"^[\uf020-\uf0ff]\s*")  # Symbol/Wingdings glyphs used as bullets






def _children(container: Any) -> Iterator[Any]:
    """Given a container element, yield its content children, looking through wrapper elements."""
    for child in container:
        tag = child.tag
        if tag in _WRAPPERS:
            yield from _children(child)
        elif tag == _MC + "AlternateContent":
            choice = child.find(_MC + "Choice")
            if choice is None:
                choice = child.find(_MC + "Fallback")
            if choice is not None:
                yield from _children(choice)
        else:
            yield child


# --------------------------------------------------------------------------------------- package


@dataclass
class _Package:
    """The parsed XML parts of a Word package that the loader needs."""

    document: Any
    styles: Any | None = None
    numbering: Any | None = None


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    """Return the bytes of part ``name`` after checking its declared size against the part limit."""
    check_part(zf.filename or "", name, zf.getinfo(name).file_size)
    return zf.read(name)


def _parse_part(zf: zipfile.ZipFile, name: str) -> Any:
    """Return the root element of XML part ``name`` (Strict OOXML mapped to the usual namespace).

    The part's declared size is checked against the part limit before it is inflated (zipfile
    never inflates beyond the declared size: a part lying about it fails its CRC instead).
    """
    data = _read_part(zf, name)
    if _STRICT_W in data:
        data = data.replace(_STRICT_W, _TRANSITIONAL_W)
    return etree.fromstring(data, _PARSER)


def _main_part_name(zf: zipfile.ZipFile) -> str:
    """Return the name of the main document part, from the package relationships if possible."""
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        rels = etree.fromstring(_read_part(zf, "_rels/.rels"), _PARSER)
        for rel in rels:
            if (rel.get("Type") or "").endswith(_OFFICE_DOC_REL):
                target = (rel.get("Target") or "").lstrip("/")
                if target in names:
                    return target
    return "word/document.xml"


def _related_part(zf: zipfile.ZipFile, main: str, kind: str) -> str | None:
    """Return the name of the part of relationship type ``kind`` (e.g. "styles") of ``main``."""
    folder, _, base = main.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    names = set(zf.namelist())
    if rels_name in names:
        for rel in etree.fromstring(_read_part(zf, rels_name), _PARSER):
            if (rel.get("Type") or "").endswith("/" + kind) and rel.get("TargetMode") != "External":
                target = rel.get("Target") or ""
                full = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}".lstrip("/")
                if full in names:
                    return full
    fallback = f"{folder}/{kind}.xml".lstrip("/")
    return fallback if fallback in names else None


def _ole_kind(path: Path) -> str | None:
    """Return "encrypted" or "plain" for an OLE compound file (binary .doc), else None."""
    try:
        with open(path, "rb") as fh:
            if fh.read(8) != _OLE_MAGIC:
                return None
            return "encrypted" if _ENCRYPTED_STREAM in fh.read() else "plain"
    except OSError:
        return None


def is_encrypted_ole(path: Path) -> bool:
    """Return whether ``path`` is a password-protected Office file (an OLE "EncryptedPackage")."""
    return _ole_kind(path) == "encrypted"


def _open_package(path: Path) -> _Package:
    """Return the parsed parts of the .docx at ``path``; raise ExtractError for unreadable files."""
    src = str(path)
    try:
        if path.stat().st_size == 0:
            raise ExtractError(src, "empty file")
        ole = _ole_kind(path)
        if ole == "encrypted":
            raise ExtractError(src, "the Word file is encrypted (password-protected); save it without a password")
        if ole == "plain":
            raise ExtractError(src, "this is an old binary Word (.doc) file, not .docx")
        if not zipfile.is_zipfile(path):
            raise ExtractError(src, "not a Word .docx file (not a zip archive, or a truncated one)")
        with zipfile.ZipFile(path) as zf:
            main = _main_part_name(zf)
            if main not in zf.namelist():
                raise ExtractError(src, "zip archive is not a Word document (no word/document.xml)")
            package = _Package(document=_parse_part(zf, main))
            for kind in ("styles", "numbering"):
                part = _related_part(zf, main, kind)
                if part is not None:
                    setattr(package, kind, _parse_part(zf, part))
    except ExtractError:
        raise
    except etree.XMLSyntaxError as exc:
        raise ExtractError(src, f"corrupt XML in the Word document ({_one_line(exc)})") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ExtractError(src, f"corrupt zip archive ({_one_line(exc)})") from exc
    except OSError as exc:
        raise ExtractError(src, f"cannot read file ({exc.strerror or _one_line(exc)})") from exc
    if package.document.find(W + "body") is None:
        raise ExtractError(src, "not a Word document (no w:body in the main part)")
    return package


def _one_line(exc: BaseException) -> str:
    """Return an exception's message on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


# ------------------------------------------------------------------------------------ paragraphs


@dataclass
class _Para:
    """A paragraph's raw text and the facts the loader needs about it."""

    text: str = ""
    bold: bool | None = None
    centered: bool = False
    breaks_before: int = 0  # page breaks before any of its text
    breaks_after: int = 0  # page breaks after some of its text
    boxes: list[Any] = field(default_factory=list)  # w:txbxContent elements anchored in it


class _ParaReader:
    """Reads paragraphs: text of visible runs, list labels, bold/centred, page-break marks."""

    def __init__(self, package: _Package, rendered_breaks: bool) -> None:
        self.styles, self.default_style = read_styles(package.styles)
        self.numbering = Numbering(package.numbering)
        # With rendered page breaks present we trust them alone; explicit breaks are then in them.
        self.break_tags = {W + "lastRenderedPageBreak"} if rendered_breaks else set()
        self.rendered = rendered_breaks

    def read(self, p: Any) -> _Para:
        """Given a ``w:p`` element, return its text and properties."""
        para = _Para()
        ppr = p.find(W + "pPr")
        style = self.styles.get(self.default_style or "", Style())
        num: tuple[str, int] | None = None
        if ppr is not None:
            ps = ppr.find(W + "pStyle")
            if ps is not None:
                style = self.styles.get(ps.get(W + "val") or "", style)
            num = num_of(ppr)
            jc = ppr.find(W + "jc")
            para.centered = jc.get(W + "val") == "center" if jc is not None else bool(style.centered)
            if not self.rendered and on(ppr.find(W + "pageBreakBefore")):
                para.breaks_before += 1
        else:
            para.centered = bool(style.centered)
        num = num or style.num
        parts: list[str] = []
        bold_runs: list[bool] = []
        self._inline(p, parts, bold_runs, para, bool(style.bold))
        text = _PUA_BULLET.sub("- ", "".join(parts).lstrip())
        if num is not None:
            label = self.numbering.label(*num)
            # Word shows numbers even on empty items (auto-numbered STT cells); bullets need text.
            if label != "- " or (text.strip() and not text.startswith("- ")):
                text = label + text
        para.text = text
        para.bold = all(bold_runs) if bold_runs else None
        return para

    def _inline(self, el: Any, parts: list[str], bold_runs: list[bool], para: _Para, style_bold: bool) -> None:
        """Append the text of the runs under ``el`` to ``parts``; note breaks and text boxes."""
        for child in el:
            tag = child.tag
            if tag == W + "r":
                self._run(child, parts, bold_runs, para, style_bold)
            elif tag in _INLINE_WRAPPERS:
                self._inline(child, parts, bold_runs, para, style_bold)
            elif tag == _MC + "AlternateContent":
                choice = child.find(_MC + "Choice")
                self._inline(choice if choice is not None else child, parts, bold_runs, para, style_bold)

    def _run(self, run: Any, parts: list[str], bold_runs: list[bool], para: _Para, style_bold: bool) -> None:
        """Append one run's visible text to ``parts``."""
        rpr = run.find(W + "rPr")
        bold = style_bold
        if rpr is not None:
            if on(rpr.find(W + "vanish")):
                return
            b = rpr.find(W + "b")
            if b is not None:
                bold = on(b)
        had_text = False
        for rc in run:
            tag = rc.tag
            if tag == W + "t":
                if rc.text:
                    parts.append(rc.text)
                    had_text = had_text or not rc.text.isspace()
            elif tag == W + "tab" or tag == W + "ptab":
                parts.append("\t")
            elif tag == W + "br" or tag == W + "cr":
                kind = rc.get(W + "type")
                if kind == "page":
                    if not self.rendered:
                        self._page_break(parts, para)
                elif kind != "column":
                    parts.append("\n")
            elif tag in self.break_tags:
                self._page_break(parts, para)
            elif tag == W + "sym":
                try:
                    parts.append(chr(int(rc.get(W + "char", "0"), 16)))
                except ValueError:
                    pass
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            elif tag in (W + "drawing", W + "pict", W + "object", _MC + "AlternateContent"):
                self._boxes(rc, para)
        if had_text:
            bold_runs.append(bold)

    @staticmethod
    def _page_break(parts: list[str], para: _Para) -> None:
        """Count a page break before or after the paragraph's text, by where it falls."""
        if "".join(parts).strip():
            para.breaks_after += 1
        else:
            para.breaks_before += 1

    @staticmethod
    def _boxes(el: Any, para: _Para) -> None:
        """Collect the text boxes under a drawing, skipping the VML fallback copy of a shape."""
        if el.tag == _MC + "AlternateContent":
            choice = el.find(_MC + "Choice")
            el = choice if choice is not None else el
        para.boxes.extend(el.iter(W + "txbxContent"))


# ---------------------------------------------------------------------------------------- tables


@dataclass
class _CellText:
    """The text of a table cell and whether a page break falls at its start or inside it."""

    text: str
    break_at_start: bool = False
    break_inside: bool = False


@dataclass
class _RawRow:
    """A table row before it is placed on a page."""

    cells: list[Cell]
    is_header: bool
    break_at_start: bool
    break_inside: bool


class _Reader:
    """Walks a document body, producing paragraphs and table pieces with estimated page numbers."""

    def __init__(self, package: _Package) -> None:
        self.body = package.document.find(W + "body")
        rendered = next(self.body.iter(W + "lastRenderedPageBreak"), None) is not None
        self.paras = _ParaReader(package, rendered)
        self.rendered = rendered
        self.sections = [s for s in self.body.iter(W + "sectPr") if s.getparent().tag != W + "sectPrChange"]
        self.section = 0
        self.page = 1
        self.page_section: dict[int, int] = {1: 0}
        self.line = 0
        self.blocks: list[Block] = []
        self.n_tables = 0

    # -- pages
    def _new_page(self, count: int = 1) -> None:
        """Advance the current page by ``count``."""
        for _ in range(count):
            self.page += 1
            self.page_section[self.page] = self.section

    def _end_section(self) -> None:
        """Handle a section break: the next section starts a new page unless it is continuous."""
        self.section += 1
        nxt = self.sections[self.section] if self.section < len(self.sections) else None
        kind = nxt.find(W + "type") if nxt is not None else None
        continuous = kind is not None and kind.get(W + "val") == "continuous"
        if not self.rendered and not continuous:
            self._new_page()
        else:
            self.page_section.setdefault(self.page, self.section)

    def pages(self) -> list[Page]:
        """Return the pages seen, with sizes from their section's ``w:pgSz`` (in points)."""
        out = []
        for n in range(1, self.page + 1):
            sect_i = self.page_section.get(n, self.section)
            sect = self.sections[sect_i] if sect_i < len(self.sections) else None
            size = sect.find(W + "pgSz") if sect is not None else None
            width = height = None
            if size is not None:
                try:
                    width = int(size.get(W + "w", "0")) / _TWIPS_PER_POINT or None
                    height = int(size.get(W + "h", "0")) / _TWIPS_PER_POINT or None
                except ValueError:
                    pass
            out.append(Page(number=n, width=width, height=height))
        return out

    # -- body
    def read_body(self, container: Any) -> None:
        """Emit the paragraphs and tables of a body-like container (body or text box)."""
        for el in _children(container):
            if el.tag == W + "p":
                self._body_paragraph(el)
            elif el.tag == W + "tbl":
                self._body_table(el)

    def _body_paragraph(self, p: Any) -> None:
        """Emit one body paragraph (and its text boxes), moving pages at breaks."""
        para = self.paras.read(p)
        self.line += 1
        self._new_page(para.breaks_before)
        text = clean_text(para.text)
        if text:
            self.blocks.append(Paragraph(text=text, prov=Prov(page=self.page, line=self.line),
                                         bold=para.bold, centered=para.centered))
        for box in para.boxes:
            self.read_body(box)
        self._new_page(para.breaks_after)
        ppr = p.find(W + "pPr")
        if ppr is not None and ppr.find(W + "sectPr") is not None:
            self._end_section()

    def _body_table(self, tbl: Any) -> None:
        """Emit a body table as one piece per page it is on."""
        rows, n_cols = self._table_rows(tbl)
        piece: list[TableRow] = []
        for raw in rows:
            self.line += 1
            if raw.break_at_start:
                self._flush(piece, n_cols)
                piece = []
                self._new_page()
            prov = Prov(page=self.page, line=self.line)
            for cell in raw.cells:
                cell.prov = prov
            piece.append(TableRow(cells=raw.cells, prov=prov, is_header=raw.is_header))
            if raw.break_inside:
                self._flush(piece, n_cols)
                piece = []
                self._new_page()
        self._flush(piece, n_cols)

    def _flush(self, rows: list[TableRow], n_cols: int) -> None:
        """Emit ``rows`` as a table piece on the current page, if there are any."""
        if rows:
            self.blocks.append(Table(index=self.n_tables, rows=rows, n_cols=n_cols,
                                     page=self.page, method="docx"))
            self.n_tables += 1

    # -- tables
    def _table_rows(self, tbl: Any) -> tuple[list[_RawRow], int]:
        """Given a ``w:tbl``, return its rows (merges resolved) and its number of grid columns."""
        grid = tbl.find(W + "tblGrid")
        n_cols = len(grid.findall(W + "gridCol")) if grid is not None else 0
        rows: list[_RawRow] = []
        open_merges: dict[int, Cell] = {}  # grid column -> first cell of a vertical merge
        for tr in _children(tbl):
            if tr.tag != W + "tr":
                continue
            trpr = tr.find(W + "trPr")
            col = int_attr(trpr.find(W + "gridBefore"), 0) if trpr is not None else 0
            is_header = trpr is not None and on(trpr.find(W + "tblHeader"))
            cells: list[Cell] = []
            starts = breaks = False
            for tc in _children(tr):
                if tc.tag != W + "tc":
                    continue
                tcpr = tc.find(W + "tcPr")
                span = max(1, int_attr(tcpr.find(W + "gridSpan"), 1)) if tcpr is not None else 1
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                hmerge = tcpr.find(W + "hMerge") if tcpr is not None else None
                if hmerge is not None and hmerge.get(W + "val") != "restart" and cells:
                    cells[-1].col_span += span  # legacy horizontal merge continuation
                    col += span
                    continue
                content = self._cell_text(tc)
                starts = starts or content.break_at_start
                breaks = breaks or content.break_inside
                origin = open_merges.get(col)
                if vmerge is not None and vmerge.get(W + "val") != "restart" and origin is not None:
                    origin.row_span += 1
                    cell = Cell(text=origin.text, col=col, col_span=span, merged_from_above=True)
                else:
                    cell = Cell(text=content.text, col=col, col_span=span)
                    if vmerge is not None:
                        open_merges[col] = cell
                    else:
                        open_merges.pop(col, None)
                cells.append(cell)
                col += span
            for c in [c for c in open_merges if c >= col]:
                open_merges.pop(c)
            n_cols = max(n_cols, col + (int_attr(trpr.find(W + "gridAfter"), 0) if trpr is not None else 0))
            rows.append(_RawRow(cells, is_header, starts, breaks and not starts))
        return rows, n_cols

    def _cell_text(self, tc: Any) -> _CellText:
        """Given a ``w:tc``, return its text: paragraphs on lines, nested tables flattened."""
        lines: list[str] = []
        out = _CellText("")
        for el in _children(tc):
            if el.tag == W + "p":
                para = self.paras.read(el)
                if para.breaks_before and not any(ln.strip() for ln in lines):
                    out.break_at_start = True
                elif para.breaks_before or para.breaks_after:
                    out.break_inside = True
                lines.append(para.text)
                for box in para.boxes:
                    lines.append(self._cell_text(box).text)
            elif el.tag == W + "tbl":
                lines.extend(self._nested_lines(el))
        out.text = clean_text("\n".join(lines))
        return out

    def _nested_lines(self, tbl: Any) -> list[str]:
        """Given a table inside a cell, return one line per row with " | " between its cells."""
        rows, _ = self._table_rows(tbl)
        lines = []
        for row in rows:
            texts = [" ".join(c.text.split()) for c in row.cells if not c.merged_from_above]
            line = " | ".join(t for t in texts if t)
            if line:
                lines.append(line)
        return lines


def load_docx(path: Path) -> Document:
    """Return the Document of a Word .docx file: paragraphs and table pieces in reading order.

    Raises ExtractError (one line, naming the file) for empty, non-zip, non-Word, corrupt or
    encrypted files. A binary Word .doc, even under a .docx name, is the office loader's: the
    loaders' registry sends it there by its first bytes.
    """
    path = Path(path)
    package = _open_package(path)
    try:
        reader = _Reader(package)
        reader.read_body(reader.body)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        raise ExtractError(str(path), f"unexpected Word structure ({_one_line(exc)})") from exc
    doc = Document(source=str(path), format="docx", pages=reader.pages(), blocks=reader.blocks)
    if not doc.blocks:
        doc.warnings.append(warn("docx_no_text", "the Word document has no text"))
    return doc
