"""`make bench`: speed and peak memory of the whole pipeline per input format.

Prints, for the samples in samples/:
* text exports, .docx and typed PDFs: pages per second end to end (load + segment + fields) and
  the peak resident memory of a process doing just that;
* on the same PDFs in the same run, pdfplumber's bare ``extract_tables()`` as the reference, and
  the ratio pipeline / reference (issue 10: <= 1.1), timed in one process, file by file, the
  two alternating so that a busy machine slows both alike;
* scanned PDFs end to end against plain Tesseract run the fair way, one one-thread process per
  core (bench/bench_scans.py; issue 10: <= 1.0);
* scanned PDFs per page and per Tesseract set-up (bench/bench_ocr.py);
* corpus scale (bench/bench_scale.py): workers, memory, incremental re-runs;
* peak memory per document (bench/bench_memory.py): every sample and a generated 500-page plan,
  each read in a fresh process within the default limits, beside the memory limit.

`python bench/bench.py typed,scans` runs only the named parts (typed, scans, ocr, scale, memory).

Each measurement runs in a fresh child process so peak memory is that format's own.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import runpy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
REPEAT = 3
TYPED_TARGET = 1.1


def _files(kind: str) -> list[Path]:
    if kind == "text":
        return sorted(SAMPLES.glob("*.txt"))
    if kind == "docx":
        return sorted(SAMPLES.glob("*.docx"))
    if kind == "pdf":
        return sorted(p for p in SAMPLES.glob("*.pdf") if ".scan." not in p.name)
    raise ValueError(kind)


def _printed_pages(f: Path, loaded: int) -> int:
    """Return the printed page count: a Word file's PDF rendering beside it knows it, Word doesn't."""
    pdf = f.with_suffix(".pdf")
    if f.suffix == ".docx" and pdf.exists():
        import pdfplumber

        with pdfplumber.open(pdf) as doc:
            return len(doc.pages)
    return max(1, loaded)


def _run_pipeline(kind: str, q: mp.Queue) -> None:  # type: ignore[type-arg]
    from tthc_extract.loaders import load
    from tthc_extract.pipeline import plan_from_document

    files = _files(kind)
    pages = 0
    counts = {}
    for f in files:  # warm-up: imports, grammar compilation
        counts[f] = _printed_pages(f, len(load(f).pages))
        plan_from_document(load(f))
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        pages = 0
        for f in files:
            doc = load(f)
            plan_from_document(doc)
            pages += counts[f]
        times.append(time.perf_counter() - t0)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    q.put({"files": len(files), "pages": pages, "seconds": statistics.median(times), "rss_mb": rss_mb})


def _plumber_tables(f: Path) -> int:
    """Read every page's tables with pdfplumber's bare ``extract_tables()``; return the pages."""
    import pdfplumber

    with pdfplumber.open(f) as pdf:
        for page in pdf.pages:
            page.extract_tables()
        return len(pdf.pages)


def _run_pdfplumber(q: mp.Queue) -> None:  # type: ignore[type-arg]
    files = _files("pdf")
    _plumber_tables(files[0])
    times = []
    pages = 0
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        pages = sum(_plumber_tables(f) for f in files)
        times.append(time.perf_counter() - t0)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    q.put({"files": len(files), "pages": pages, "seconds": statistics.median(times), "rss_mb": rss_mb})


def _run_typed_ratio(q: mp.Queue) -> None:  # type: ignore[type-arg]
    """Time the pipeline and pdfplumber on each typed PDF in turn, alternating; put the totals."""
    from tthc_extract.loaders import load
    from tthc_extract.pipeline import plan_from_document

    files = _files("pdf")
    for f in files:  # warm-up of both: imports, grammar compilation, the OS's file cache
        plan_from_document(load(f))
        _plumber_tables(f)
    ours: dict[Path, list[float]] = {f: [] for f in files}
    theirs: dict[Path, list[float]] = {f: [] for f in files}
    for _ in range(REPEAT):
        for f in files:
            t0 = time.perf_counter()
            _plumber_tables(f)
            t1 = time.perf_counter()
            plan_from_document(load(f))
            t2 = time.perf_counter()
            theirs[f].append(t1 - t0)
            ours[f].append(t2 - t1)
    q.put({"pipeline": sum(statistics.median(v) for v in ours.values()),
           "pdfplumber": sum(statistics.median(v) for v in theirs.values())})


def _in_child(target, *args):  # type: ignore[no-untyped-def]
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    res = q.get()
    p.join()
    return res


def main() -> int:
    wanted = set(sys.argv[1].split(",")) if len(sys.argv) > 1 else {"typed", "scans", "ocr", "scale", "memory"}
    if "typed" in wanted:
        _typed()
    for part in ("scans", "ocr", "scale", "memory"):
        script = Path(__file__).with_name(f"bench_{part}.py")
        if part in wanted and script.exists():
            print()
            sys.stdout.flush()
            sys.argv = [str(script)]  # the part's own options are its defaults here
            try:
                runpy.run_path(str(script), run_name="__main__")
            except SystemExit as exc:
                if exc.code not in (0, None):
                    raise
    return 0


def _typed() -> None:
    """Text, .docx and typed PDF: pipeline pages/s and peak memory; pdfplumber reference."""
    print(f"tthc-extract benchmark (median of {REPEAT} runs, warm; each row in its own process)\n")
    print(f"{'input':<28}{'files':>6}{'pages':>7}{'seconds':>10}{'pages/s':>10}{'peak MB':>10}")
    results = {}
    for kind in ("text", "docx", "pdf"):
        if not _files(kind):
            continue
        r = _in_child(_run_pipeline, kind)
        results[kind] = r
        print(f"{kind + ' (pipeline)':<28}{r['files']:>6}{r['pages']:>7}{r['seconds']:>10.3f}"
              f"{r['pages'] / r['seconds']:>10.1f}{r['rss_mb']:>10.0f}")
    if _files("pdf"):
        ref = _in_child(_run_pdfplumber)
        print(f"{'pdf (pdfplumber tables)':<28}{ref['files']:>6}{ref['pages']:>7}{ref['seconds']:>10.3f}"
              f"{ref['pages'] / ref['seconds']:>10.1f}{ref['rss_mb']:>10.0f}")
        pair = _in_child(_run_typed_ratio)
        ratio = pair["pipeline"] / pair["pdfplumber"]
        print(f"\ntyped PDF end to end / pdfplumber extract_tables(), alternating file by file: "
              f"{pair['pipeline']:.3f} s / {pair['pdfplumber']:.3f} s = {ratio:.2f}x (target <= {TYPED_TARGET}x)")
    if "docx" in results:
        d = results["docx"]
        print(f".docx: {d['pages'] / d['seconds']:.0f} pages/s (target >= 20)")


if __name__ == "__main__":
    raise SystemExit(main())
