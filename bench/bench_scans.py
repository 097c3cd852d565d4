"""Scanned PDFs end to end against plain Tesseract run the fair way, on the same pages in the same run.

    python bench/bench_scans.py [SCAN.pdf ...] [--repeat N]

Tesseract's default OpenMP threads oversubscribe a small machine and make plain Tesseract look
several times slower than it is, so the baseline here is what a user with N cores gets at best:
N ``tesseract page.png - -l vie`` processes at once, each with ``OMP_THREAD_LIMIT=1``, over the
pages the loader renders (same resolution). The pipeline is ``plan_from_document(load(pdf))`` with
its default page workers: render + clean + grids + OCR + repair + segment + fields. Rounds
alternate (baseline, pipeline, baseline, ...) so that a busy machine slows both alike; the median
of ``--repeat`` rounds is shown. Target (issue 10): pipeline <= 1.0x the fair baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work" / "scans"
TARGET = 1.0


def _inputs(args: list[str]) -> list[Path]:
    """Return the scanned PDFs to measure: the given ones, else samples/*.scan.pdf."""
    return [Path(a) for a in args] if args else sorted((ROOT / "samples").glob("*.scan.pdf"))


def render_pages(pdf: Path, work: Path = WORK) -> list[tuple[Path, int]]:
    """Save the pages of ``pdf`` as PNG under ``work`` at the resolution the loader renders them; return
    (path, dpi)s. bench_ocr reads the same images."""
    import cv2

    from tthc_extract.ocr.raster import render_pdf

    out = work / pdf.stem
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for img in render_pdf(pdf):
        path = out / f"page-{img.number:03d}.png"
        cv2.imwrite(str(path), img.bgr)
        pages.append((path, round(img.dpi)))
    return pages


def fair_tesseract(pages: list[tuple[Path, int]], cores: int) -> float:
    """Return the seconds ``cores`` one-thread Tesseract processes take to read ``pages``."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    binary = os.environ.get("TTHC_TESSERACT") or "tesseract"

    def one(page: tuple[Path, int]) -> None:
        path, dpi = page
        subprocess.run([binary, str(path), "-", "-l", "vie", "--dpi", str(dpi)],
                       capture_output=True, check=True, env=env)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=cores) as pool:
        list(pool.map(one, pages))
    return time.perf_counter() - t0


def pipeline(pdf: Path) -> float:
    """Return the seconds of the whole pipeline on ``pdf`` (its default page workers)."""
    from tthc_extract.loaders import load
    from tthc_extract.pipeline import plan_from_document

    t0 = time.perf_counter()
    plan_from_document(load(pdf))
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pdfs", nargs="*")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv if argv is not None else sys.argv[1:])
    files = _inputs(a.pdfs)
    if not files:
        print("scanned PDFs: none found (samples/*.scan.pdf)")
        return 0
    cores = os.cpu_count() or 1
    print(f"scanned PDFs vs fair Tesseract ({cores} one-thread processes; median of {a.repeat})\n")
    print(f"{'file':<32}{'pages':>6}{'tesseract s':>13}{'pipeline s':>12}{'ratio':>8}")
    pipeline(files[0])  # warm-up: imports, grammars
    total = {"pages": 0, "plain": 0.0, "pipe": 0.0}
    for pdf in files:
        pages = render_pages(pdf)
        plain, pipe = [], []
        for _ in range(a.repeat):
            plain.append(fair_tesseract(pages, cores))
            pipe.append(pipeline(pdf))
        p, q = statistics.median(plain), statistics.median(pipe)
        total["pages"] += len(pages)
        total["plain"] += p
        total["pipe"] += q
        print(f"{pdf.name[:31]:<32}{len(pages):>6}{p:>13.2f}{q:>12.2f}{q / p:>7.2f}x")
    ratio = total["pipe"] / total["plain"]
    print(f"{'all':<32}{int(total['pages']):>6}{total['plain']:>13.2f}{total['pipe']:>12.2f}{ratio:>7.2f}x")
    print(f"\nscans end to end / fair Tesseract: {ratio:.2f}x (target <= {TARGET}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
