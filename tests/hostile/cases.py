"""Hostile inputs, generated at test time (nothing large is committed): each writes one file.

Every generator takes the path to write and returns the substring the document's error line
must contain (the limit or refusal it names). The sizes are chosen against the small limits of
``TEST_LIMITS`` so that the suite stays fast, while each case is the same shape as the one that
took gigabytes before (a 2000-page blank PDF, a colspan of 999999999, a .docx inflating to 1 GiB,
a 14400-pt page, a 200 MB text file).
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tthc_extract.limits import MIB, Limits

TEST_LIMITS = Limits(
    memory_bytes=1536 * MIB, max_pages=300, max_input_bytes=64 * MIB, max_part_bytes=16 * MIB,
    max_page_pixels=40_000_000, max_text_lines=20_000, max_table_cells=200_000,
)


def raw_pdf(n_pages: int, size_pt: float = 595.0, content: bytes = b"") -> bytes:
    """Return a minimal valid PDF of ``n_pages`` square pages, each drawing ``content``."""
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    stream = 3 + n_pages
    for i in range(n_pages):
        kids.append(f"{3 + i} 0 R".encode())
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size_pt:g} {size_pt:g}] "
                    f"/Contents {stream} 0 R >>".encode())
    objs[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + f"] /Count {n_pages} >>".encode()
    objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def many_blank_pages(path: Path) -> str:
    path.write_bytes(raw_pdf(TEST_LIMITS.max_pages * 7))  # the 2000-page blank PDF
    return "(max_pages)"


def huge_page(path: Path) -> str:
    path.write_bytes(raw_pdf(1, 14400.0))  # 200 inches a side: 3.6 gigapixels at 300 dpi
    return "(max_page_pixels)"


def span_bomb(path: Path) -> str:
    cells = "".join('<td colspan="999999999" rowspan="999999999">x</td>' for _ in range(50))
    rows = "".join(f"<tr>{cells}</tr>" for _ in range(200))
    path.write_text(f"<html><body><p>KẾ HOẠCH</p><table>{rows}</table></body></html>", encoding="utf-8")
    return "(max_table_cells)"


def wide_spans(path: Path) -> str:
    """A table within the cell limit whose spans point far past it: clamped, and read."""
    head = '<tr><td colspan="1000">STT</td><td colspan="999999999" rowspan="65534">Nội dung</td></tr>'
    rows = "".join(f"<tr><td>{i}</td><td>việc {i}</td><td>UBND tỉnh</td></tr>" for i in range(1, 30))
    path.write_text(f"<html><body><table>{head}{rows}</table></body></html>", encoding="utf-8")
    return ""


def inflating_docx(path: Path) -> str:
    """A .docx whose document.xml inflates past the part limit (a few KB on disk)."""
    body = b"<w:p><w:r><w:t>" + b"a" * (TEST_LIMITS.max_part_bytes * 2) + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                    b'wordprocessingml/2006/main"><w:body>' + body + b"</w:body></w:document>")
    return "(max_part_bytes)"


def entity_bomb_docx(path: Path) -> str:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "lol">{lol}]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           "<w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", xml)
    return path.name + ":"


def long_text(path: Path) -> str:
    line = "Tổ chức triển khai thực hiện kế hoạch kiểm soát thủ tục hành chính năm 2025.\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(line * (TEST_LIMITS.max_text_lines * 3))
    return "(max_text_lines)"


def oversized_input(path: Path) -> str:
    with path.open("wb") as fh:  # sparse: the size is what counts, it is never read
        fh.truncate(TEST_LIMITS.max_input_bytes + 1)
    return "(max_input_bytes)"


def fifo(path: Path) -> str:
    os.mkfifo(path)  # nobody ever writes to it: opening it for reading would block for ever
    return "a FIFO (named pipe), not a regular file"


def png_bomb(path: Path) -> str:
    """A 1-bit PNG of 20000 x 20000 pixels: 50 KB on disk, 1.2 GB decoded as RGB."""
    w = h = 20000
    raw = zlib.compress(b"".join(b"\x00" + b"\xff" * (w // 8) for _ in range(h)), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return "(max_page_pixels)"


def truncated_pdf(path: Path) -> str:
    path.write_bytes(raw_pdf(3)[:200])
    return path.name + ":"


def garbage_docx(path: Path) -> str:
    path.write_bytes(os.urandom(4096))
    return path.name + ":"


def memory_hog(path: Path) -> str:
    """A file the worker's test fault makes take 64 GB (TTHC_TEST_FAULTS alloc=memhog)."""
    path.write_text("KẾ HOẠCH\n", encoding="utf-8")
    return "memory limit 1.5 GB exceeded"


CASES: dict[str, tuple[str, Callable[[Path], str]]] = {
    "many_blank_pages": ("blank.pdf", many_blank_pages),
    "huge_page": ("huge.pdf", huge_page),
    "span_bomb": ("spans.html", span_bomb),
    "wide_spans": ("wide.html", wide_spans),
    "inflating_docx": ("inflate.docx", inflating_docx),
    "entity_bomb_docx": ("lol.docx", entity_bomb_docx),
    "long_text": ("long.txt", long_text),
    "oversized_input": ("big.txt", oversized_input),
    "fifo": ("plan.pdf", fifo),
    "png_bomb": ("bomb.png", png_bomb),
    "truncated_pdf": ("cut.pdf", truncated_pdf),
    "garbage_docx": ("noise.docx", garbage_docx),
    "memory_hog": ("memhog.txt", memory_hog),
}
