"""Typed PDFs with some image-only pages: OCR the pages that need it and merge them back.

The typed-PDF loader flags pages with no usable text layer (``Page.needs_ocr``); a text layer
that is there but garbage (a broken font encoding) is flagged here. Those pages are rendered and
read by the OCR loader, and their blocks replace the page's blocks, in page order.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import regex as re

from tthc_extract.loaders.ocr import ocr_pdf
from tthc_extract.loaders.pdf import load_pdf
from tthc_extract.model.document import Block, Document, Paragraph, Table
from tthc_extract.model.warnings import warn
from tthc_extract.text.normalize import clean_text, fold

# Text-layer garbage test: share of letters that are Vietnamese/Latin letters, digits or common
# punctuation below which a text layer is unusable (a broken font encoding), and the share of
# words with no vowel at all above which it is too.
GOOD_CHAR_SHARE = 0.85
VOWELLESS_SHARE = 0.35
_VI_LETTERS = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệfghiìíỉĩịjklmnoòóỏõọôồốổỗộơờớởỡợpqrstu"
               "ùúủũụưừứửữựvwxyỳýỷỹỵz")
_GOOD = frozenset(_VI_LETTERS + _VI_LETTERS.upper() + "0123456789.,;:()[]/-–+%&\"'“”‘’!?…*<>=_#@§")
_VOWELS = re.compile(r"[aeiouy]")  # matched on folded (diacritic-free, lower-case) words
def text_layer_is_garbage(text: str) -> bool:
    """Return whether a PDF text layer is unusable: mostly non-Vietnamese characters, or many
    vowelless junk words.

    Broken font encodings give text like "Ĉ¿Ëđ ÿ3Ò" or "Qmxfs fs mzk": few characters a
    Vietnamese text is made of, or many "words" with no vowel.
    """
    text = clean_text(text)
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return True
    good = sum(1 for c in chars if c in _GOOD)
    if good / len(chars) < GOOD_CHAR_SHARE:
        return True
    words = [w for w in re.findall(r"\p{L}+", text) if len(w) >= 2]
    if not words:
        return True
    vowelless = sum(1 for w in words if not _VOWELS.search(fold(w)))
    return vowelless / len(words) > VOWELLESS_SHARE


def _page_of(block: Block) -> int:
    if isinstance(block, Table):
        return block.page
    return block.prov.page if block.prov else 1


def _page_texts(doc: Document) -> dict[int, str]:
    """Return the text of each page (paragraphs and cells), for the garbage check."""
    out: dict[int, list[str]] = defaultdict(list)
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            out[_page_of(b)].append(b.text)
        else:
            out[b.page].extend(c.text for r in b.rows for c in r.cells)
    return {p: "\n".join(t) for p, t in out.items()}


def pages_needing_ocr(doc: Document) -> list[int]:
    """Return the 1-based pages without a usable text layer (none, or garbage)."""
    texts = _page_texts(doc)
    need = []
    for page in doc.pages:
        if page.pending_ocr:
            need.append(page.number)
        elif len(texts.get(page.number, "")) >= 40 and text_layer_is_garbage(texts[page.number]):
            page.needs_ocr = True
            doc.warnings.append(warn("page_text_garbled", f"page {page.number} has a garbage text layer (broken font encoding?): "
                                      "OCR used", page=page.number))
            need.append(page.number)
    return need


def merge_ocr(doc: Document, ocr: Document, pages: list[int]) -> Document:
    """Return ``doc`` with the blocks of ``pages`` replaced by the OCR'd document's, in page order."""
    done = set(pages)
    keep = [b for b in doc.blocks if _page_of(b) not in done]
    blocks = sorted([*keep, *ocr.blocks], key=_page_of)  # stable: order within a page is kept
    for i, t in enumerate(b for b in blocks if isinstance(b, Table)):
        t.index = i
    by_number = {p.number: p for p in ocr.pages}
    pages_out = [by_number.get(p.number, p) if p.number in done else p for p in doc.pages]
    for p in pages_out:
        if p.number in done:
            p.needs_ocr, p.ocr_done = True, True
    warnings = [w for w in doc.warnings if not (w.code == "page_needs_ocr" and w.page in done)]
    return doc.model_copy(update={"blocks": blocks, "pages": pages_out, "warnings": warnings + ocr.warnings})


def load_pdf_with_ocr(path: Path) -> Document:
    """Return the Document of any PDF: typed pages from the text layer, the others by OCR."""
    doc = load_pdf(path)
    need = pages_needing_ocr(doc)
    if not need:
        return doc
    if len(need) == len(doc.pages):
        ocr = ocr_pdf(path)
        ocr.warnings[:0] = [w for w in doc.warnings if w.code != "page_needs_ocr"]
        return ocr
    return merge_ocr(doc, ocr_pdf(path, need), need)
