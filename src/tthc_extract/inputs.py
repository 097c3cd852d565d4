"""Expand command-line inputs (files, folders, globs) into the files to process."""

from __future__ import annotations

import glob
from pathlib import Path

from tthc_extract.loaders import SUPPORTED_EXTS


def expand_inputs(items: list[str]) -> list[tuple[Path, Path | None]]:
    """Return (file, root) pairs for files, folders (recursive) and globs; root mirrors sub-folders."""
    found: list[tuple[Path, Path | None]] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUPPORTED_EXTS and not f.name.startswith("."):
                    found.append((f, p))
        elif any(ch in item for ch in "*?["):
            base = Path(item.split("*")[0].split("?")[0].split("[")[0])
            root = base if base.is_dir() else base.parent
            found.extend((Path(m), root) for m in sorted(glob.glob(item, recursive=True)) if Path(m).is_file())
        else:
            found.append((p, None))
    seen: set[Path] = set()
    unique = []
    for f, r in found:
        if f not in seen:
            seen.add(f)
            unique.append((f, r))
    return unique
