"""Pictures of source regions: a row's box cut from its page, and the whole page, rendered with pypdfium2.

Boxes are in PDF points from the top-left of the page (:class:`tthc_extract.model.plan.PageBox`); a
scanned PDF page is rendered the same way as a born-digital one, so both give crops. Other formats
have no geometry. Used by the review site and by the notebook view of a plan (model.notebook), so
it lives with the model and knows the box only by its fields (no import of model.plan).

Pictures are grey: the sources are black text (and scans are grey already), and a grey PNG is half
the size of a colour one and encodes in a third of the time - what keeps the review of a corpus
quicker than its extraction.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Protocol


class Box(Protocol):
    """A region of one page in PDF points from the top-left (what PageBox holds)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float


# Rendering scale: 2 px per point (144 dpi) keeps small Vietnamese diacritics legible in a crop.
SCALE = 2.0
# Whole pages are shown smaller (they are for finding the region, not reading it).
PAGE_SCALE = 1.0
# Margin around a crop, in points, so the cell borders show.
MARGIN = 4.0


class PdfPictures:
    """Renders the pages of one PDF on demand, keeping at most one page in memory."""

    def __init__(self, path: Path, scale: float = SCALE) -> None:
        import pypdfium2 as pdfium

        self._scale = scale
        self._doc = pdfium.PdfDocument(str(path))
        self._page_no: int | None = None
        self._image = None

    def _render(self, page: int):  # type: ignore[no-untyped-def]
        if self._page_no != page:
            self._image = self._doc[page - 1].render(scale=self._scale, grayscale=True).to_pil().convert("L")
            self._page_no = page
        return self._image

    def crop_png(self, box: Box) -> bytes:
        """Return the region ``box`` (plus a margin) of its page as PNG bytes."""
        img = self._render(box.page)
        w, h = img.size
        k = self._scale
        x0 = max(0, int((box.x0 - MARGIN) * k))
        top = max(0, int((box.top - MARGIN) * k))
        x1 = min(w, int((box.x1 + MARGIN) * k) + 1)
        bottom = min(h, int((box.bottom + MARGIN) * k) + 1)
        buf = io.BytesIO()
        img.crop((x0, top, max(x1, x0 + 1), max(bottom, top + 1))).save(buf, format="PNG")
        return buf.getvalue()

    def crop(self, box: Box, out: Path) -> None:
        """Write the region ``box`` (plus a margin) of its page to ``out`` (PNG)."""
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(self.crop_png(box))

    def page(self, page: int, out: Path) -> None:
        """Write the whole page ``page`` (1-based) to ``out`` (JPEG, small)."""
        img = self._render(page)
        ratio = PAGE_SCALE / self._scale
        out.parent.mkdir(parents=True, exist_ok=True)
        img.resize((max(1, int(img.width * ratio)), max(1, int(img.height * ratio)))).save(out, quality=80)

    def close(self) -> None:
        """Release the PDF."""
        self._doc.close()

    def __enter__(self) -> PdfPictures:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
