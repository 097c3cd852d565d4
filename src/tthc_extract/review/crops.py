"""Pictures of source regions: a row's box cut from its page, and the whole page, rendered with pypdfium2.

Boxes are in PDF points from the top-left of the page (model.plan.PageBox); a scanned PDF page is
rendered the same way as a born-digital one, so both give crops. Other formats have no geometry.
"""

from __future__ import annotations

from pathlib import Path

from tthc_extract.model.plan import PageBox

# Rendering scale: 2 px per point (144 dpi) keeps small Vietnamese diacritics legible in a crop.
SCALE = 2.0
# Whole pages are shown smaller (they are for finding the region, not reading it).
PAGE_SCALE = 1.0
# Margin around a crop, in points, so the cell borders show.
MARGIN = 4.0


class PdfPictures:
    """Renders the pages of one PDF on demand, keeping at most one page in memory."""

    def __init__(self, path: Path) -> None:
        import pypdfium2 as pdfium

        self._doc = pdfium.PdfDocument(str(path))
        self._page_no: int | None = None
        self._image = None

    def _render(self, page: int):  # type: ignore[no-untyped-def]
        if self._page_no != page:
            self._image = self._doc[page - 1].render(scale=SCALE).to_pil().convert("RGB")
            self._page_no = page
        return self._image

    def crop(self, box: PageBox, out: Path) -> None:
        """Write the region ``box`` (plus a margin) of its page to ``out`` (PNG)."""
        img = self._render(box.page)
        w, h = img.size
        x0 = max(0, int((box.x0 - MARGIN) * SCALE))
        top = max(0, int((box.top - MARGIN) * SCALE))
        x1 = min(w, int((box.x1 + MARGIN) * SCALE) + 1)
        bottom = min(h, int((box.bottom + MARGIN) * SCALE) + 1)
        out.parent.mkdir(parents=True, exist_ok=True)
        img.crop((x0, top, max(x1, x0 + 1), max(bottom, top + 1))).save(out, optimize=True)

    def page(self, page: int, out: Path) -> None:
        """Write the whole page ``page`` (1-based) to ``out`` (JPEG, small)."""
        img = self._render(page)
        ratio = PAGE_SCALE / SCALE
        out.parent.mkdir(parents=True, exist_ok=True)
        img.resize((max(1, int(img.width * ratio)), max(1, int(img.height * ratio)))).save(out, quality=80)

    def close(self) -> None:
        self._doc.close()
