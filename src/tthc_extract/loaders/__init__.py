"""Loaders: one per input format, all returning the intermediate :class:`Document`.

The registry maps a detected kind to its loader; the kind comes from the file's first bytes
(magic numbers) and, for text-like files, from its extension. Adding a format means adding a
loader module and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tthc_extract.errors import ExtractError, os_reason
from tthc_extract.limits import check_input
from tthc_extract.model.document import Document

Loader = Callable[[Path], Document]

TEXT_EXTS = {".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".mhtml", ".mht", ".tsv", ".csv"}
OFFICE_EXTS = {".doc", ".odt", ".rtf", ".docm", ".wpd"}
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
SUPPORTED_EXTS = TEXT_EXTS | OFFICE_EXTS | IMAGE_EXTS | {".docx", ".pdf"}
# Office files that are never plan decisions: named in the error instead of a confusing zip message.
FOREIGN_OFFICE = {
    ".xlsx": "an Excel workbook", ".xlsm": "an Excel workbook", ".xls": "an Excel workbook",
    ".ods": "a spreadsheet", ".pptx": "a PowerPoint presentation", ".ppt": "a PowerPoint presentation",
    ".odp": "a presentation",
}


def _load_text(path: Path) -> Document:
    from tthc_extract.loaders.text import load_text

    return load_text(path)


def _load_docx(path: Path) -> Document:
    from tthc_extract.loaders.docx import load_docx

    return load_docx(path)


def _load_office(path: Path) -> Document:
    from tthc_extract.loaders.office import load_office

    return load_office(path)


def _load_pdf(path: Path) -> Document:
    from tthc_extract.loaders.pdf_ocr import load_pdf_with_ocr

    return load_pdf_with_ocr(path)


def _load_image(path: Path) -> Document:
    from tthc_extract.loaders.ocr import load_image

    return load_image(path)


LOADERS: dict[str, Loader] = {
    "text": _load_text,
    "docx": _load_docx,
    "office": _load_office,
    "pdf": _load_pdf,
    "image": _load_image,
}


def detect_kind(path: Path) -> str:
    """Return the loader kind for ``path`` from its first bytes, falling back on its extension."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ExtractError(str(path), os_reason(exc)) from None
    ext = path.suffix.lower()
    if not head:
        raise ExtractError(str(path), "empty file")
    if ext in FOREIGN_OFFICE:
        raise ExtractError(str(path), f"{FOREIGN_OFFICE[ext]}, not a plan document (read .pdf, .docx, .doc, text or images)")
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "office" if ext in {".odt"} else "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "office"  # binary Word (even under a .docx name); the office loader reports encryption
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")) or ext in IMAGE_EXTS:
        return "image"
    if head.startswith(b"{\\rtf") or ext in OFFICE_EXTS:
        return "office"
    if ext == ".pdf":
        raise ExtractError(str(path), "not a PDF file (no %PDF header)")
    if ext == ".docx":
        raise ExtractError(str(path), "not a Word .docx file (not a zip package)")
    return "text"


def load(path: Path) -> Document:
    """Return the Document of ``path`` using the loader its content calls for.

    Only a regular file within the input-size limit is opened: a FIFO, device or socket named
    as an input is refused before any read could block on it (limits.check_input).
    """
    check_input(path)
    return LOADERS[detect_kind(path)](path)
