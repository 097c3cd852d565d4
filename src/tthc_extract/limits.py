"""Bounds on the work done for one document, so that a hostile or broken file costs a known amount.

A 2000-page blank PDF, an HTML cell spanning 999999999 columns, a .docx whose XML inflates to a
gigabyte, a 14400-pt page holding a 20000-px image or a 200 MB text file each took gigabytes and
minutes before these limits. Every limit hit is one clear error line naming the file and the
limit (:class:`LimitError`), never a crash of the batch.

The defaults keep a 2-core, 24 GB machine safe at ``-j`` = cores (two workers, each with its
OCR threads and Tesseract children) while a 500-page plan is still read. The limits in force are
a context value (:func:`active`, :func:`using`): ``extract(path, settings)`` puts the settings'
``limits`` in force for the document it reads (settings.using); the loaders ask for them where they
decide how much to read.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tthc_extract.errors import ExtractError, os_reason

GIB = 1024**3
MIB = 1024**2
# The defaults of the Limits fields (each field's description says what it bounds).
DEFAULT_MEMORY_BYTES = 3 * GIB
DEFAULT_MAX_PAGES = 1000
DEFAULT_MAX_INPUT_BYTES = 256 * MIB
DEFAULT_MAX_PART_BYTES = 256 * MIB
# A 300-dpi A3 page has 17.4 million pixels.
DEFAULT_MAX_PAGE_PIXELS = 40_000_000
MIN_RENDER_DPI = 100  # a page needing a lower resolution to fit max_page_pixels is refused
MIN_MEMORY_BYTES = 64 * MIB  # a worker process cannot even start in less
DEFAULT_MAX_TEXT_LINES = 200_000
# Plans' tables cover a few thousand cells.
DEFAULT_MAX_TABLE_CELLS = 1_000_000


class LimitError(ExtractError):
    """A document needs more than a limit allows; its message names the limit."""


class MemoryLimitError(LimitError):
    """A document ran out of the memory its worker may take: the worker is replaced after it."""


class Limits(BaseModel):
    """The limits of one document's reading: the ``limits`` table of the settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    memory_bytes: int | None = Field(
        default=DEFAULT_MEMORY_BYTES, ge=0,
        description="Memory one batch worker process may take, in bytes (enforced by the OS, RLIMIT_DATA); "
                    "a document needing more fails with 'memory limit exceeded'. 0: no limit.")
    max_pages: int = Field(
        default=DEFAULT_MAX_PAGES, ge=1, description="Pages read from one document (PDF pages, OCR'd pages, image frames).")
    max_input_bytes: int = Field(
        default=DEFAULT_MAX_INPUT_BYTES, ge=1, description="Size of an input file, in bytes (checked before it is opened).")
    max_part_bytes: int = Field(
        default=DEFAULT_MAX_PART_BYTES, ge=1,
        description="Decompressed size of one part of a zip package (.docx XML, .odt content), in bytes, "
                    "checked before parsing.")
    max_page_pixels: int = Field(
        default=DEFAULT_MAX_PAGE_PIXELS, ge=1_000_000,
        description=f"Pixels of one rendered page; a larger page is rendered at a lower resolution, down to "
                    f"{MIN_RENDER_DPI} dpi, and refused below that.")
    max_text_lines: int = Field(
        default=DEFAULT_MAX_TEXT_LINES, ge=1, description="Lines of a text file read (the rest is never decoded).")
    max_table_cells: int = Field(
        default=DEFAULT_MAX_TABLE_CELLS, ge=1,
        description="Grid cells one HTML table's spans may cover (a colspan is first clamped to the widest "
                    "row, a rowspan to the rows left).")

    @field_validator("memory_bytes")
    @classmethod
    def _enough_memory(cls, v: int | None) -> int | None:
        if v and v < MIN_MEMORY_BYTES:
            raise ValueError(f"must be 0 (no limit) or at least {size_text(MIN_MEMORY_BYTES)}")
        return v


DEFAULT_LIMITS = Limits()
_ACTIVE: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("tthc_limits", default=None)


def active() -> Limits:
    """Return the limits in force for the document being read (the defaults unless set)."""
    limits = _ACTIVE.get()
    return DEFAULT_LIMITS if limits is None else limits


@contextlib.contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Put ``limits`` in force for the block (and the threads started with its context)."""
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)


def size_text(n: float) -> str:
    """Return a byte count as people say it: "3 GB", "256 MB", "12 KB" (binary units)."""
    for unit, size in (("GB", GIB), ("MB", MIB), ("KB", 1024)):
        if n >= size:
            v = n / size
            return f"{v:.0f} {unit}" if v >= 10 or v == int(v) else f"{v:.1f} {unit}"
    return f"{int(n)} bytes"


_enforced: list[int] = []  # the memory limit set on this process by set_memory_limit, if any


def memory_message() -> str:
    """Return the error reason of a document that ran out of memory (naming the limit when one is set)."""
    return f"memory limit {size_text(_enforced[-1])} exceeded" if _enforced else "out of memory while reading"


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


def check_input(path: Path, limits: Limits | None = None) -> int:
    """Return the size of ``path`` after checking it is a regular file within the input limit.

    Uses ``stat`` only, so a FIFO, device or socket is refused before anything would block on it.
    Raises ExtractError (not found, not a regular file) or LimitError (too large).
    """
    limits = limits or active()
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ExtractError(str(path), os_reason(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        what = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
        raise ExtractError(str(path), f"{what}, not a regular file: not read")
    if st.st_size > limits.max_input_bytes:
        raise LimitError(str(path), f"file is {size_text(st.st_size)}, over the input limit of "
                                    f"{size_text(limits.max_input_bytes)} (max_input_bytes)")
    return st.st_size


def check_pages(path: Path | str, n: int, limits: Limits | None = None) -> None:
    """Raise LimitError when a document has more pages than the limit allows."""
    limits = limits or active()
    if n > limits.max_pages:
        raise LimitError(str(path), f"{n} pages, over the limit of {limits.max_pages} pages per document (max_pages)")


def check_part(path: Path | str, part: str, size: int, limits: Limits | None = None) -> None:
    """Raise LimitError when a package part would inflate beyond the limit (its declared size)."""
    limits = limits or active()
    if size > limits.max_part_bytes:
        raise LimitError(str(path), f"package part {part} inflates to {size_text(size)}, over the limit of "
                                    f"{size_text(limits.max_part_bytes)} (max_part_bytes)")


def set_memory_limit(limit: int | None) -> bool:
    """Limit this process's memory to ``limit`` bytes (RLIMIT_DATA: heap and private mappings).

    The OS then refuses the allocations beyond it (Python raises MemoryError) instead of the
    kernel's OOM killer taking whatever process it picks. Children (Tesseract, LibreOffice)
    inherit the limit. Returns False where the OS has no such limit.
    """
    if not limit:
        return False
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return False
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        value = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (value, hard))
    except (ValueError, OSError):
        return False
    _enforced[:] = [value]
    return True


def peak_rss_bytes() -> int:
    """Return the peak resident memory of this process and of its waited-for children (bytes)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return 0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) * 1024  # Linux reports kilobytes
