"""Content hashes: of an input file, and of the tool parts that decide an output's content.

Shared by `check` (reusing outputs) and the batch manifest (skipping unchanged documents). The
tool fingerprint covers the version, the grammars (the folder the settings name) and the code
that reads documents — loaders, OCR, layout, segmenter, field parsers, models, settings, pipeline
— and the settings that change outputs (settings.ExtractSettings.output_digest), but not the
command line, the check, the batch driver or the exporters, so editing those does not make a
whole corpus "changed".
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import tthc_extract
from tthc_extract import grammars
from tthc_extract.settings import ExtractSettings, current

# Package parts whose code decides what a document's Plan contains.
OUTPUT_PARTS = ("loaders", "ocr", "layout", "segment", "fields", "model", "text")
OUTPUT_MODULES = ("pipeline.py", "grammars.py", "errors.py", "settings.py", "limits.py")


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def output_sources(grammar_folder: Path | None = None) -> list[Path]:
    """Return the files whose content decides extraction outputs, in a stable order: the reading
    code, and the grammar files of ``grammar_folder`` (default: the package's own)."""
    package = Path(tthc_extract.__file__).resolve().parent
    files = [package / m for m in OUTPUT_MODULES]
    for part in OUTPUT_PARTS:
        files.extend(sorted((package / part).rglob("*.py")))
    files.extend(sorted((grammar_folder or grammars.package_dir()).rglob("*.toml")))
    return [f for f in files if f.is_file()]


@functools.cache
def _fingerprint(grammar_folder: Path | None) -> str:
    h = hashlib.sha256(tthc_extract.__version__.encode())
    package = Path(tthc_extract.__file__).resolve().parent
    folder = grammar_folder or grammars.package_dir()
    for f in output_sources(grammar_folder):
        rel = (f.relative_to(package) if f.is_relative_to(package)
               else Path("grammars") / f.relative_to(folder) if f.is_relative_to(folder) else Path(f.name))
        h.update(rel.as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def tool_fingerprint(settings: ExtractSettings | None = None) -> str:
    """Return a hash of what decides an output's content: the version, the reading code, the
    grammars and the settings that change outputs (``settings``, default: those in force)."""
    s = settings if settings is not None else current()
    base = _fingerprint(s.grammar_folder)
    digest = s.output_digest()
    return base if not digest else hashlib.sha256(f"{base}:{digest}".encode()).hexdigest()[:16]
