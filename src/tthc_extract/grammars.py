"""Load the pattern files in grammars/ (TOML, commented, with examples) once per process and folder.

The folder is the package's own unless a document is read with another in force (the
``grammar_folder`` setting, put in force by :func:`using`). Every compiled grammar, and every
cache of results that depend on one, is kept per folder (:func:`cache`, :func:`lru_cache`), so two
documents read with different folders never see each other's patterns.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_CANDIDATES = (
    Path(__file__).resolve().parent / "grammars",  # installed wheel (force-included)
    Path(__file__).resolve().parents[2] / "grammars",  # source checkout / editable install
)
_FOLDER: contextvars.ContextVar[Path | None] = contextvars.ContextVar("tthc_grammar_folder", default=None)


@functools.cache
def package_dir() -> Path:
    """Return the folder of the grammar files shipped with the package."""
    for cand in _CANDIDATES:
        if cand.is_dir():
            return cand
    raise FileNotFoundError("tthc-extract grammars/ folder not found next to the package")


def grammar_dir() -> Path:
    """Return the folder holding the grammar files in force (the package's own by default)."""
    return _FOLDER.get() or package_dir()


@contextlib.contextmanager
def using(folder: Path | None) -> Iterator[None]:
    """Read the grammars from ``folder`` in the block (None: the package's own)."""
    token = _FOLDER.set(folder)
    try:
        yield
    finally:
        _FOLDER.reset(token)


@functools.cache
def _load(folder: Path, name: str) -> dict[str, Any]:
    with (folder / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def load(name: str) -> dict[str, Any]:
    """Return the parsed grammar ``<folder>/<name>.toml`` (cached: a file is read once)."""
    return _load(grammar_dir(), name)


# The key of the grammar folder in force in the caches below is the setting itself (None: the
# package's own), not grammar_dir(): these caches are looked up tens of thousands of times a plan,
# and None hashes in C where a Path hashes in Python. A folder given that is the package's own
# only costs a second, identical, set of entries.


def cache(fn: Callable[[], T]) -> Callable[[], T]:
    """``functools.cache`` for a function compiling a grammar: one result per grammar folder."""
    memo: dict[Path | None, T] = {}

    @functools.wraps(fn)
    def get() -> T:
        folder = _FOLDER.get()  # the memo key (see the note above)
        try:
            return memo[folder]
        except KeyError:
            memo[folder] = result = fn()
            return result

    return get


def lru_cache(maxsize: int) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """``functools.lru_cache`` for a function whose results depend on the grammars: keyed by folder too."""

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        def by_folder(folder: Path | None, *args: Any, **kwargs: Any) -> T:
            return fn(*args, **kwargs)

        keyed: Callable[..., T] = functools.lru_cache(maxsize=maxsize)(by_folder)

        @functools.wraps(fn)
        def get(*args: P.args, **kwargs: P.kwargs) -> T:
            return keyed(_FOLDER.get(), *args, **kwargs)  # the folder key: see the note above

        return get

    return decorate
