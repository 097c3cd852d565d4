"""Draw a :class:`~tthc_extract.debug_view.DebugReport` page on the page's image, one PNG per page.

The page is rendered at ``dpi`` (a scan is its own picture, so what OCR read is drawn on what it
saw) and overlaid with: the ruling lines the finders saw (red), each table's column boundaries
(blue, dashed), its cells (green boxes, header rows tinted blue), and the rows the segmenter kept
(orange bands, labelled with the plan's row number and STT). Grid rows with no band were not read
into any row: headers, section titles, or what the reader lost.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tthc_extract.debug_view import DebugPage, DebugReport

RULE = (220, 30, 30, 255)
COLUMN = (30, 90, 230, 255)
CELL = (20, 150, 60, 255)
HEADER_FILL = (30, 90, 230, 40)
KEPT_FILL = (255, 160, 0, 60)
KEPT_LINE = (230, 120, 0, 255)
DASH_PT = 4.0  # dash length of the column boundaries, in points
LABEL_PT = 7.0  # size of the labels, in points


def _page_image(report: DebugReport, page: DebugPage, dpi: float) -> Image.Image:
    """Return the page rendered at ``dpi``, sized from the page's size in points."""
    size = (max(1, round(page.width * dpi / 72.0)), max(1, round(page.height * dpi / 72.0)))
    if report.kind == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(report.source)
        try:
            pg = pdf[page.number - 1]
            try:
                img = pg.render(scale=dpi / 72.0).to_pil()
            finally:
                pg.close()
        finally:
            pdf.close()
    else:
        from tthc_extract.ocr.raster import load_images

        bgr = load_images(Path(report.source))[page.number - 1].bgr
        img = Image.fromarray(np.ascontiguousarray(bgr[:, :, ::-1]))
    img = img.convert("RGB")
    return img if img.size == size else img.resize(size)


def _dashed(draw: ImageDraw.ImageDraw, x: float, y0: float, y1: float, dash: float, width: int) -> None:
    """Draw a vertical dashed line at ``x`` from ``y0`` to ``y1`` (pixels)."""
    y = y0
    while y < y1:
        draw.line([(x, y), (x, min(y + dash, y1))], fill=COLUMN, width=width)
        y += 2 * dash


def draw_page(report: DebugReport, page: DebugPage, dpi: float) -> Image.Image:
    """Return the page image with its rules, columns, cells and kept rows drawn on it."""
    base = _page_image(report, page, dpi).convert("RGBA")
    k = dpi / 72.0
    line = max(1, round(dpi / 72.0))
    fills = Image.new("RGBA", base.size, (0, 0, 0, 0))
    fd = ImageDraw.Draw(fills)
    for t in page.tables:
        for c in t.cells:
            if c.row in t.header_rows:
                fd.rectangle([c.bbox[0] * k, c.bbox[1] * k, c.bbox[2] * k, c.bbox[3] * k], fill=HEADER_FILL)
    for r in page.kept:
        fd.rectangle([r.bbox[0] * k, r.bbox[1] * k, r.bbox[2] * k, r.bbox[3] * k], fill=KEPT_FILL)
    img = Image.alpha_composite(base, fills)
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=max(8, round(LABEL_PT * k)))
    for t in page.tables:
        for c in t.cells:
            d.rectangle([c.bbox[0] * k + 1, c.bbox[1] * k + 1, c.bbox[2] * k - 1, c.bbox[3] * k - 1],
                        outline=CELL, width=line)
        for x in t.columns:
            _dashed(d, x * k, t.bbox[1] * k, t.bbox[3] * k, DASH_PT * k, line + 1)
        d.text((t.bbox[0] * k, max(0.0, t.bbox[1] * k - LABEL_PT * k * 1.3)), f"table {t.index} ({t.method})", fill=COLUMN, font=font)
    for x0, y0, x1, y1 in page.rules:  # on top: a rule under a cell's border shows
        d.line([(x0 * k, y0 * k), (x1 * k, y1 * k)], fill=RULE, width=line)
    for r in page.kept:
        d.rectangle([r.bbox[0] * k, r.bbox[1] * k, r.bbox[2] * k, r.bbox[3] * k], outline=KEPT_LINE, width=line)
        label = f"#{r.number} {r.stt or ''}".strip()
        d.text((max(0.0, r.bbox[0] * k - d.textlength(label, font=font) - 3), r.bbox[1] * k + 1), label, fill=KEPT_LINE, font=font)
    d.text((4, 4), "rules: red  columns: blue dashed  cells: green  header: blue tint  kept rows: orange",
           fill=(0, 0, 0, 255), font=font)
    return img.convert("RGB")


def render(report: DebugReport, outdir: str | os.PathLike[str], page: int | None = None,
           dpi: float = 100.0) -> list[Path]:
    """Write ``<file>.page-<N>.png`` per page of ``report`` (or only ``page``) into ``outdir``
    (created if missing); return the paths in page order. KeyError for a page the file lacks."""
    pages = [report.page(page)] if page is not None else report.pages
    out_dir = Path(outdir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = Path(report.source).name
    out: list[Path] = []
    for p in pages:
        path = out_dir / f"{name}.page-{p.number}.png"
        draw_page(report, p, dpi).save(path)
        out.append(path)
    return out
