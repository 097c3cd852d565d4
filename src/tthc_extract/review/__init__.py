"""A static review site of an extraction folder: every row beside the crop of its source region.

``build_site(OUTDIR, SITE)`` reads the per-document JSON files an ``extract`` run wrote and writes
HTML that opens from disk with no server and no network (see :mod:`tthc_extract.review.site`).
"""

from tthc_extract.review.site import build_site

__all__ = ["build_site"]
