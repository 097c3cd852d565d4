"""Peak memory per document, each read in a fresh child process within the default limits.

Prints, for every file of samples/ and for a long typed plan generated here (a task table over
PAGES pages: python-docx writes the .docx, LibreOffice prints it to PDF; nothing large is
committed), the peak resident memory of the process that read it beside the limit in force
(limits.DEFAULT_MEMORY_BYTES, which the batch worker sets with RLIMIT_DATA), and whether it
was read: a document over a default limit is reported as failed with its limit's message.

The figure is the child's own ``ru_maxrss`` as the kernel reports it to the parent through
``os.wait4`` (which also covers the child's waited-for children: Tesseract, LibreOffice), not
an estimate. Each child sets the memory limit and the default limits exactly as a batch worker
does, then runs ``extract(path)`` once (imports and grammar compilation included: that is what a
fresh worker pays too).

Usage: python bench/bench_memory.py [--pages N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PAGES = 500
# Rows LibreOffice fits on one A4 page of the generated table (measured: a first guess; the
# generator adds rows until the PDF has at least the pages asked for).
ROWS_PER_PAGE = 4.3

_TASKS = ("Rà soát, đánh giá thủ tục hành chính thuộc lĩnh vực {f} theo kế hoạch được phê duyệt, "
          "đề xuất phương án đơn giản hóa và cắt giảm chi phí tuân thủ",
          "Công bố, công khai danh mục thủ tục hành chính lĩnh vực {f} trên Cổng Dịch vụ công "
          "quốc gia và tại Bộ phận Một cửa các cấp",
          "Kiểm tra việc tiếp nhận, giải quyết hồ sơ thủ tục hành chính lĩnh vực {f}; "
          "xử lý phản ánh, kiến nghị của cá nhân, tổ chức")
_FIELDS = ("đất đai", "xây dựng", "tư pháp", "y tế", "giáo dục", "lao động", "tài chính", "giao thông")
_RESULTS = ("Báo cáo kết quả rà soát", "Quyết định công bố", "Báo cáo kiểm tra")
_AGENCIES = ("Văn phòng UBND tỉnh", "Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính", "Sở Y tế")
_DEADLINES = ("Quý I/2025", "Trước ngày 30/6/2025", "Tháng 9/2025", "Thường xuyên")


def _rows(n: int) -> list[tuple[str, str, str, str, str]]:
    """Return ``n`` task rows (STT, task, result, agency, deadline), varied but deterministic."""
    return [(str(i + 1), _TASKS[i % 3].format(f=_FIELDS[i % len(_FIELDS)]), _RESULTS[i % 3],
             _AGENCIES[i % len(_AGENCIES)], _DEADLINES[i % len(_DEADLINES)]) for i in range(n)]


def write_plan_docx(path: Path, n_rows: int) -> None:
    """Write a plan decision whose task table has ``n_rows`` rows (header repeated on each page)."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    d = docx.Document()
    d.styles["Normal"].font.name = "Liberation Serif"
    d.styles["Normal"].font.size = Pt(12)
    for text, bold in (("ỦY BAN NHÂN DÂN TỈNH QUẢNG BÌNH", True), ("Số: 12/KH-UBND", False),
                       ("Quảng Bình, ngày 10 tháng 01 năm 2025", False),
                       ("KẾ HOẠCH", True),
                       ("Hoạt động kiểm soát thủ tục hành chính năm 2025", True),
                       ("I. MỤC ĐÍCH, YÊU CẦU", True),
                       ("Nâng cao chất lượng thủ tục hành chính, bảo đảm công khai, minh bạch.", False),
                       ("II. NHIỆM VỤ CỤ THỂ", True)):
        d.add_paragraph().add_run(text).bold = bold
    table = d.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    widths = (Cm(1.2), Cm(7.0), Cm(3.5), Cm(3.0), Cm(2.5))
    head = table.rows[0]
    for cell, text, w in zip(head.cells, ("STT", "Nội dung công việc", "Kết quả", "Cơ quan chủ trì",
                                          "Thời gian hoàn thành"), widths, strict=True):
        cell.width = w
        cell.paragraphs[0].add_run(text).bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(repeat)
    for row in _rows(n_rows):
        cells = table.add_row().cells
        for cell, text, w in zip(cells, row, widths, strict=True):
            cell.width = w
            cell.text = text
    d.add_paragraph().add_run("III. TỔ CHỨC THỰC HIỆN").bold = True
    d.add_paragraph("Các sở, ban, ngành triển khai thực hiện Kế hoạch này.")
    d.save(str(path))


def _pdf_pages(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def make_long_plan(out_dir: Path, pages: int) -> Path:
    """Return a typed PDF plan of at least ``pages`` pages, printed by LibreOffice from a .docx."""
    from tthc_extract.loaders.office import find_soffice

    soffice = find_soffice()
    if soffice is None:
        raise SystemExit("bench memory: LibreOffice (soffice) is needed to print the long plan")
    n_rows = int(pages * ROWS_PER_PAGE) + 20
    for _ in range(4):
        src = out_dir / f"plan_{pages}p.docx"
        write_plan_docx(src, n_rows)
        subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{out_dir / 'profile'}",
                        "--convert-to", "pdf", "--outdir", str(out_dir), str(src)],
                       check=True, capture_output=True, timeout=1800)
        pdf = src.with_suffix(".pdf")
        got = _pdf_pages(pdf)
        if got >= pages:
            return pdf
        n_rows = int(n_rows * pages / max(1, got)) + 20
    raise SystemExit(f"bench memory: the generated plan has {got} pages, fewer than {pages}")


def _child(path: str) -> int:
    """Read one document the way a batch worker does; print what came of it as JSON."""
    from tthc_extract import extract
    from tthc_extract.errors import ExtractError
    from tthc_extract.limits import DEFAULT_LIMITS, memory_message, set_memory_limit, using

    set_memory_limit(DEFAULT_LIMITS.memory_bytes)
    t0 = time.perf_counter()
    out: dict[str, object] = {}
    try:
        with using(DEFAULT_LIMITS):
            plan = extract(Path(path))
        out = {"ok": True, "pages": plan.pages,
               "rows": len(plan.rows), "status": str(plan.status)}
    except MemoryError:
        out = {"ok": False, "error": memory_message()}
    except ExtractError as exc:
        out = {"ok": False, "error": str(exc)}
    out["seconds"] = time.perf_counter() - t0
    print(json.dumps(out, default=str))
    return 0


def measure(path: Path) -> dict[str, object]:
    """Read ``path`` in a fresh interpreter; return its report and its peak memory from wait4."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    text = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = text.decode().strip().splitlines()
    report: dict[str, object] = json.loads(lines[-1]) if lines else {"ok": False, "error": f"exit {proc.returncode}"}
    report["peak_bytes"] = usage.ru_maxrss * 1024  # Linux reports kilobytes
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=PAGES, help="pages of the generated plan")
    ap.add_argument("--keep", type=Path, help="write the generated plan here (default: a temporary folder)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return _child(args.child)

    from tthc_extract.limits import DEFAULT_LIMITS, size_text

    limit = DEFAULT_LIMITS.memory_bytes
    limit_txt = size_text(limit) if limit else "none"
    print("peak memory per document (fresh process each, default limits; peak = child's ru_maxrss)\n")
    print(f"{'document':<40}{'pages':>7}{'rows':>7}{'seconds':>9}{'peak MB':>9}{'limit':>8}{'of limit':>10}  result")
    with tempfile.TemporaryDirectory(prefix="tthc_bench_mem_") as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        long_plan = make_long_plan(out_dir, args.pages)
        made = time.perf_counter() - t0
        files = sorted(p for p in SAMPLES.iterdir() if p.is_file() and not p.name.startswith("."))
        worst = 0.0
        for f in [*files, long_plan]:
            r = measure(f)
            peak = int(r["peak_bytes"])  # type: ignore[call-overload]
            share = peak / limit if limit else 0.0
            worst = max(worst, share)
            name = f.name if f != long_plan else f"generated {f.name} ({_pdf_pages(f)} p)"
            result = f"read ({r.get('status')})" if r.get("ok") else f"FAILED: {r.get('error')}"
            pages = r.get("pages") if r.get("pages") is not None else (_pdf_pages(f) if f.suffix == ".pdf" else "")
            print(f"{name:<40}{pages!s:>7}{r.get('rows', '')!s:>7}{float(r['seconds']):>9.1f}"  # type: ignore[arg-type]
                  f"{peak / 2**20:>9.0f}{limit_txt:>8}{share:>10.0%}  {result}")
        print(f"\nlong plan printed by LibreOffice in {made:.0f} s; highest peak = {worst:.0%} of the "
              f"{limit_txt} memory limit per worker")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
