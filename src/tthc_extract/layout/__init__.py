"""Page layout shared by every paginated reader: words, lines, rules, table grids (in PDF points).

Below both :mod:`tthc_extract.loaders` and :mod:`tthc_extract.ocr`; it imports neither.
"""
