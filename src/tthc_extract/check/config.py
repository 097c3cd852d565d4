"""Thresholds of ``tthc-extract check``: defaults here, then TOML settings, then the command line.

Layers, later ones winning: the defaults of :class:`Thresholds`; the ``[tool.tthc-extract.check]``
table of the closest ``pyproject.toml`` that has a [tool.tthc-extract] table, from the current
folder up (settings.find_pyproject, as for the extraction settings), or of the file given with
``--config`` (in a plain TOML file: its ``[check]`` table, or its top-level keys that are no
extraction setting); its ``files."<glob>"`` tables for the documents they match;
``--threshold KEY=VALUE`` options. Every key is documented on its field below and in
docs/ci.md; unknown keys are usage errors.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from tthc_extract.check.compare import ROW_FIELDS
from tthc_extract.settings import ExtractSettings, find_pyproject, read_toml

TABLE_PATH = ("tool", "tthc-extract", "check")


class ConfigError(ValueError):
    """A settings file or a --threshold option is wrong (a usage error: exit status 2)."""


@dataclass(frozen=True)
class Thresholds:
    """What a document must satisfy to pass. ``min_*`` are fractions 0..1, ``max_*`` counts."""

    # -- with an expected file (a regression check: by default nothing may change) --
    min_precision: float = 1.0  # extracted rows that match an expected row
    min_recall: float = 1.0  # expected rows that were extracted
    min_f1: float = 1.0  # harmonic mean of the two
    min_field_accuracy: float = 1.0  # each row field over the matched rows (see ``fields``)
    min_document_accuracy: float = 1.0  # mean over the metadata fields and legal bases
    min_prose_f1: float = 1.0  # prose tasks, when the expected file has any
    min_table_cell_accuracy: float = 1.0  # non-task tables, when the expected file has any
    require_expected: bool = True  # a document without expected file fails (else: intrinsic checks)
    # -- without an expected file (intrinsic checks) --
    require_task_table: bool = True  # a task table (or prose tasks) was found
    max_rows_without_task: int = 0
    max_rows_without_agency: int = 0  # no lead and no support agency read
    max_rows_without_deadline: int = 0  # deadline kind "unknown"
    max_numbering_issues: int = 0  # STT / section gaps, duplicates, jumps, restarts
    max_unmapped_columns: int = 0  # task tables with columns of unknown title
    max_schema_errors: int = 0  # validation errors of the JSON against the Plan model
    max_low_confidence_share: float = 0.1  # share of rows read by OCR with low confidence
    allow_partial: bool = False  # a stage reported an error, e.g. a page left unread (status "partial")
    # per-field minimum accuracy, overriding min_field_accuracy: {"deadline_end": 0.95}
    fields: Mapping[str, float] = field(default_factory=dict)

    def field_min(self, name: str) -> float:
        """Return the minimum accuracy of one row field."""
        return self.fields.get(name, self.min_field_accuracy)


_KEYS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(Thresholds) if f.name != "fields"}


def threshold_keys() -> list[str]:
    """Return the keys a plain --config file may hold at its top level for the check (the others
    are extraction settings)."""
    return [*_KEYS, "fields", "files"]


def known_keys() -> list[str]:
    """Return every settable key (``fields.<name>`` included), for error messages and docs."""
    return sorted(_KEYS) + [f"fields.{n}" for n in ROW_FIELDS]


def _checked(key: str, value: Any) -> Any:
    """Given one key and value, return the value in the key's type or raise ConfigError."""
    if key.startswith("fields."):
        name = key.split(".", 1)[1]
        if name not in ROW_FIELDS:
            raise ConfigError(f"unknown row field {name!r} (known: {', '.join(ROW_FIELDS)})")
        default: Any = 1.0
    elif key in _KEYS:
        default = _KEYS[key]
    else:
        raise ConfigError(f"unknown check setting {key!r} (known: {', '.join(known_keys())})")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{key} must be a number, not {value!r}")
    if isinstance(default, int):
        if value != int(value) or value < 0:
            raise ConfigError(f"{key} must be a whole number >= 0, not {value!r}")
        return int(value)
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{key} must be between 0 and 1, not {value!r}")
    return float(value)


def _flatten(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Return a settings table as checked flat keys ("fields.x" for the fields sub-table)."""
    items: list[tuple[str, Any]] = []
    for key, value in table.items():
        if key != "fields":
            items.append((key, value))
        elif isinstance(value, Mapping):
            items += [(f"fields.{name}", v) for name, v in value.items()]
        else:
            raise ConfigError(f"{where}: 'fields' must be a table of field = minimum accuracy")
    try:
        return {key: _checked(key, value) for key, value in items}
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _apply(base: Thresholds, flat: Mapping[str, Any]) -> Thresholds:
    """Return ``base`` with the flat settings applied."""
    plain = {k: v for k, v in flat.items() if not k.startswith("fields.")}
    fields = dict(base.fields)
    fields.update({k.split(".", 1)[1]: v for k, v in flat.items() if k.startswith("fields.")})
    return dataclasses.replace(base, **plain, fields=fields)


def parse_override(item: str) -> tuple[str, Any]:
    """Given ``KEY=VALUE`` from --threshold, return the checked key and its value."""
    key, sep, raw = item.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key or not raw:
        raise ConfigError(f"--threshold wants KEY=VALUE, got {item!r}")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"--threshold {key}: cannot read value {raw!r} (a number, true or false)") from None
    return key, _checked(key, value)


@dataclass(frozen=True)
class CheckConfig:
    """The resolved settings: base thresholds, per-file overrides and the command-line ones."""

    base: Thresholds = field(default_factory=Thresholds)
    per_file: tuple[tuple[str, dict[str, Any]], ...] = ()
    overrides: dict[str, Any] = field(default_factory=dict)
    source: str = "defaults"

    def for_file(self, path: str | PurePath) -> Thresholds:
        """Return the thresholds that apply to one document (globs match its path or its name)."""
        p = PurePath(path).as_posix()
        name = PurePath(path).name
        th = self.base
        for pattern, flat in self.per_file:
            if fnmatch.fnmatchcase(p, pattern) or fnmatch.fnmatchcase(name, pattern):
                th = _apply(th, flat)
        return _apply(th, self.overrides)


def _read_toml(path: Path) -> dict[str, Any]:
    """Return a TOML file's content or raise ConfigError naming the file."""
    return read_toml(path, ConfigError, "cannot read")


def _check_table(doc: dict[str, Any], explicit: bool) -> Mapping[str, Any]:
    """Return the check table of a TOML document: [tool.tthc-extract.check], or in a plain file.

    A --config file without a ``tool`` table holds the keys in a ``[check]`` table and at its top
    level, beside the extraction settings (settings.ExtractSettings' keys, read by settings.py);
    a pyproject.toml (it has a ``tool`` or ``project`` table) without the check table has no settings.
    """
    if explicit and "tool" not in doc and "project" not in doc:
        table = doc.get("check", {})
        if not isinstance(table, Mapping):
            raise ConfigError("[check] must be a table")
        top = {k: v for k, v in doc.items() if k != "check" and k not in ExtractSettings.model_fields}
        return top | dict(table)
    node: Any = doc
    for part in TABLE_PATH:
        node = node.get(part, {}) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping):
        raise ConfigError("[tool.tthc-extract.check] must be a table")
    return node


def load_config(
    config: Path | None = None, overrides: Sequence[str] = (), cwd: Path | None = None
) -> CheckConfig:
    """Return the settings: ``config`` if given, else ./pyproject.toml if any, plus --threshold items."""
    if config is not None:
        table, source = _check_table(_read_toml(config), explicit=True), str(config)
    else:
        pyproject = find_pyproject(cwd) or (cwd or Path.cwd()) / "pyproject.toml"
        table = _check_table(_read_toml(pyproject), explicit=False) if pyproject.is_file() else {}
        source = f"{pyproject} [tool.tthc-extract.check]" if table else "defaults"
    table = dict(table)
    files = table.pop("files", {})
    if not isinstance(files, Mapping) or not all(isinstance(v, Mapping) for v in files.values()):
        raise ConfigError(f'{source}: \'files\' must hold tables: [files."<glob>"]')
    base = _apply(Thresholds(), _flatten(table, source))
    per_file = tuple((pattern, _flatten(t, f"{source} files.{pattern!r}")) for pattern, t in files.items())
    cli = dict(parse_override(item) for item in overrides)
    if cli:
        source += " + --threshold"
    return CheckConfig(base=base, per_file=per_file, overrides=cli, source=source)
