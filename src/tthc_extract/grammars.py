"""Load the pattern files in grammars/ (TOML, commented, with examples) once per process."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

_CANDIDATES = (
    Path(__file__).resolve().parent / "grammars",  # installed wheel (force-included)
    Path(__file__).resolve().parents[2] / "grammars",  # source checkout / editable install
)


def grammar_dir() -> Path:
    """Return the folder holding the grammar files."""
    for cand in _CANDIDATES:
        if cand.is_dir():
            return cand
    raise FileNotFoundError("tthc-extract grammars/ folder not found next to the package")


@functools.cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed grammar ``grammars/<name>.toml`` (cached: files are read once)."""
    path = grammar_dir() / f"{name}.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)
