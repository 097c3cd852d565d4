"""Scanned PDFs: seconds per page of the whole pipeline against plain Tesseract, in the same run.

    python bench/bench_ocr.py [SCAN.pdf ...] [--repeat N] [--score]

Inputs: the given files, else samples/*.scan.pdf, else ../shared/corpus/*.scan.pdf. For each file
its pages are rendered once to PNG (bench/_work/ocr/, the resolution the loader picks) and, page
by page in the same run, timed as

* plain     ``tesseract page.png - -l vie`` as a user would run it (Tesseract's default threads);
* plain/1t  the same with ``OMP_THREAD_LIMIT=1`` (one thread: on small machines faster);
* pipeline  ``plan_from_document(ocr_pdf(pdf))``: render + clean + grids + OCR + repair + segment
            + fields, pages in parallel (TTHC_OCR_WORKERS, default: all CPUs);
* pipe/1w   the same with one worker (pages one after the other).

* paths     plain Tesseract with each dot-product path (``-c dotproduct=native|avx2|generic``):
            what the pipeline's fixed path (issue 18, ocr/tesseract.dot_product_path) costs
            against Tesseract's own run-time choice.

Measurements alternate (plain, pipeline, plain, ...) so that a busy machine slows both alike; the
median of ``--repeat`` runs is shown. The target (issue 4) is pipeline <= 1.5x plain. With
``--score`` and an ``X.expected.json`` beside the PDF, the output is also scored with
../shared/tools/score.py.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_scans import render_pages  # bench/ is on sys.path whether run alone or by bench.py

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "_work" / "ocr"
SHARED = ROOT.parent / "shared"
TARGET = 1.5


def _inputs(args: list[str]) -> list[Path]:
    """Return the scanned PDFs to measure."""
    if args:
        return [Path(a) for a in args]
    for folder in (ROOT / "samples", SHARED / "corpus"):
        found = sorted(folder.glob("*.scan.pdf"))
        if found:
            return found
    return []


def _plain(pages: list[Path], one_thread: bool) -> float:
    """Return the seconds plain Tesseract takes over the page images."""
    env = dict(os.environ)
    if one_thread:
        env["OMP_THREAD_LIMIT"] = "1"
    else:
        env.pop("OMP_THREAD_LIMIT", None)
    binary = os.environ.get("TTHC_TESSERACT") or "tesseract"
    t0 = time.perf_counter()
    for p in pages:
        subprocess.run([binary, str(p), "-", "-l", "vie"], capture_output=True, check=True, env=env)
    return time.perf_counter() - t0


PATHS = ("native", "avx2", "generic")


def _paths(pages: list[Path]) -> dict[str, float]:
    """Return the seconds plain Tesseract takes over ``pages`` on each dot-product path in PATHS.

    Paths alternate page by page so a busy machine slows them alike; a path the CPU lacks falls
    back to Tesseract's own choice, which the row then shows.
    """
    from tthc_extract.ocr.tesseract import dotproduct_args

    binary = os.environ.get("TTHC_TESSERACT") or "tesseract"
    took = dict.fromkeys(PATHS, 0.0)
    for p in pages:
        for path in PATHS:
            t0 = time.perf_counter()
            subprocess.run([binary, str(p), "-", "-l", "vie", *dotproduct_args(path)],
                           capture_output=True, check=True)
            took[path] += time.perf_counter() - t0
    return took


def _pipeline(pdf: Path, workers: int | None) -> tuple[float, dict[str, Any]]:
    """Return the seconds of the whole pipeline on ``pdf`` and its output as JSON data."""
    from tthc_extract.loaders.ocr import ocr_pdf
    from tthc_extract.pipeline import plan_from_document
    from tthc_extract.settings import ExtractSettings, using

    with using(ExtractSettings.resolve({"ocr_workers": workers} if workers else None)):
        t0 = time.perf_counter()
        plan = plan_from_document(ocr_pdf(pdf))
        seconds = time.perf_counter() - t0
    data: dict[str, Any] = plan.to_json_dict()
    return seconds, data


def _score(pdf: Path, data: dict[str, Any]) -> str | None:
    """Return score.py's summary of the pipeline output against ``X.expected.json``, if both exist."""
    gold = pdf.with_name(pdf.name.removesuffix(".pdf") + ".expected.json")
    tool = SHARED / "tools" / "score.py"
    if not gold.exists() or not tool.exists():
        return None
    mod = runpy.run_path(str(tool))
    r = mod["score"](json.loads(gold.read_text(encoding="utf-8")), data)
    rows, f = r["rows"], r["rows"]["fields"]
    return (f"rows F1={rows['f1']:.3f} task={f['task']:.2f} result={f['result']:.2f} "
            f"deadline_kind={f['deadline_kind']:.2f} agencies={f['agencies']:.2f} stt={f['stt']:.2f} "
            f"section={f['section']:.2f} doc={r['document_acc']:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pdfs", nargs="*")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--score", action="store_true")
    ap.add_argument("--no-paths", action="store_true", help="skip the dot-product path comparison")
    a = ap.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    files = _inputs(a.pdfs)
    if not files:
        print("scanned PDFs: none found (samples/*.scan.pdf or ../shared/corpus/*.scan.pdf)")
        return 0
    print(f"scanned PDFs: seconds per page (median of {a.repeat}; cpus={os.cpu_count()})\n")
    head = (f"{'file':<30}{'pages':>6}{'plain':>8}{'plain/1t':>10}{'pipeline':>10}{'pipe/1w':>9}"
            f"{'ratio':>7}{'ratio/1t':>10}")
    print(head)
    totals = {"pages": 0, "plain": 0.0, "plain1": 0.0, "pipe": 0.0, "pipe1": 0.0}
    path_totals = dict.fromkeys(PATHS, 0.0)
    scores: list[tuple[str, str]] = []
    _pipeline(files[0], None)  # warm-up: imports, grammars, page cache
    for pdf in files:
        pages = [path for path, _dpi in render_pages(pdf, WORK)]
        n = len(pages)
        runs: dict[str, list[float]] = {k: [] for k in ("plain", "plain1", "pipe", "pipe1")}
        data: dict[str, Any] = {}
        for _ in range(a.repeat):
            runs["plain"].append(_plain(pages, one_thread=False))
            sec, data = _pipeline(pdf, None)
            runs["pipe"].append(sec)
            runs["plain1"].append(_plain(pages, one_thread=True))
            runs["pipe1"].append(_pipeline(pdf, 1)[0])
        med = {k: statistics.median(v) for k, v in runs.items()}
        totals["pages"] += n
        for k, v in med.items():
            totals[k] += v
        print(f"{pdf.name[:29]:<30}{n:>6}{med['plain'] / n:>8.2f}{med['plain1'] / n:>10.2f}"
              f"{med['pipe'] / n:>10.2f}{med['pipe1'] / n:>9.2f}{med['pipe'] / med['plain']:>6.2f}x"
              f"{med['pipe1'] / med['plain1']:>9.2f}x")
        if not a.no_paths:
            for path, sec in _paths(pages).items():
                path_totals[path] += sec
        if a.score:
            s = _score(pdf, data)
            if s:
                scores.append((pdf.name, s))
    n = int(totals["pages"])
    print(f"{'all':<30}{n:>6}{totals['plain'] / n:>8.2f}{totals['plain1'] / n:>10.2f}"
          f"{totals['pipe'] / n:>10.2f}{totals['pipe1'] / n:>9.2f}{totals['pipe'] / totals['plain']:>6.2f}x"
          f"{totals['pipe1'] / totals['plain1']:>9.2f}x")
    print(f"\nratio = pipeline / plain (target <= {TARGET}x); ratio/1t = one worker / one-thread Tesseract")
    if not a.no_paths:
        from tthc_extract.ocr.tesseract import dot_product_path

        print(f"\ndot-product paths, plain Tesseract, seconds per page (the pipeline uses {dot_product_path()!r}):")
        for path, sec in path_totals.items():
            print(f"  {path:<8}{sec / n:>7.2f}  ({sec / path_totals['native']:.2f}x native)")
    for name, s in scores:
        print(f"{name}: {s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
