"""OCR of scanned pages: page images, table grids, Tesseract, repair, layout (see loaders/ocr.py)."""
