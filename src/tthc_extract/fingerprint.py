"""Content hashes: of an input file, and of the tool parts that decide an output's content.

Shared by `check` (reusing outputs) and the batch manifest (skipping unchanged documents). The
tool fingerprint covers the version, the grammars and the code that reads documents — loaders,
OCR, segmenter, field parsers, models, pipeline — but not the command line, the check, the batch
driver or the exporters, so editing those does not make a whole corpus "changed".
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import tthc_extract
from tthc_extract import grammars

# Package parts whose code decides what a document's Plan contains.
OUTPUT_PARTS = ("loaders", "ocr", "segment", "fields", "model", "text")
OUTPUT_MODULES = ("pipeline.py", "grammars.py", "errors.py")


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def output_sources() -> list[Path]:
    """Return the files whose content decides extraction outputs, in a stable order."""
    package = Path(tthc_extract.__file__).resolve().parent
    files = [package / m for m in OUTPUT_MODULES]
    for part in OUTPUT_PARTS:
        files.extend(sorted((package / part).rglob("*.py")))
    files.extend(sorted(grammars.grammar_dir().glob("*.toml")))
    return [f for f in files if f.is_file()]


@functools.cache
def tool_fingerprint() -> str:
    """Return a hash of the version, grammars and reading code: what decides an output's content."""
    h = hashlib.sha256(tthc_extract.__version__.encode())
    package = Path(tthc_extract.__file__).resolve().parent
    for f in output_sources():
        rel = f.relative_to(package) if f.is_relative_to(package) else Path(f.name)
        h.update(str(rel).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]
