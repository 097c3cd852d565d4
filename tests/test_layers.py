"""The layer contract of pyproject.toml ([tool.importlinter]): imports flow one way, with no cycles.

``make test`` runs ``lint-imports`` too; this test makes every pytest run (and so CI) check it, and
checks that no package of tthc_extract escapes the contract by being named in none of its layers.
"""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

import tthc_extract

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return list(config["tool"]["importlinter"]["contracts"])


def _named(contract: dict[str, object]) -> set[str]:
    """Return the top-level modules of tthc_extract that a contract names."""
    names: set[str] = set()
    for key in ("layers", "source_modules", "forbidden_modules", "modules"):
        for entry in contract.get(key, []):  # type: ignore[attr-defined]
            for module in str(entry).split("|"):
                names.add(module.strip().split(".")[1])
    return names


def test_imports_keep_the_layer_contract() -> None:
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0


def test_every_module_has_a_layer() -> None:
    layered = set().union(*(_named(c) for c in _contracts() if c["type"] == "layers"))
    modules = {m.name for m in pkgutil.iter_modules(tthc_extract.__path__)}
    assert modules - layered == set()
    assert layered <= modules  # a contract naming a module that is gone checks nothing


def test_no_cycles_anywhere() -> None:
    cycles = [c for c in _contracts() if c["type"] == "acyclic_siblings"]
    assert [c["ancestors"] for c in cycles] == [["tthc_extract"]]
