"""The settings of a reading: one validated object holding every value a user may need to tune.

:class:`ExtractSettings` gathers what used to be read from module constants and environment
variables: OCR (languages, parallel pages, resolution), the limits on one document (limits.py's
:class:`Limits`, nested as ``limits``), timeouts, the grammar folder, the table-finding tolerances
a user may need (nested as ``tables``) and the Tesseract / LibreOffice binaries. The defaults are
the module constants below (and limits.py's), nowhere else.

Where the values come from, later sources winning (precedence: command line > environment >
config file > defaults):

1. the defaults;
2. a config file: ``--config FILE`` (TOML, the keys at its top level, or a pyproject.toml's
   ``[tool.tthc-extract]`` table), or else the ``[tool.tthc-extract]`` table of the closest
   ``pyproject.toml`` in the current folder or its parents that has one (as ruff finds its
   ``[tool.ruff]``; :func:`find_pyproject`). The table ``check`` in it belongs to
   ``tthc-extract check`` (its thresholds) and is not read here;
3. the environment variables that existed before the settings (:data:`ENV_VARS`);
4. the command line (``--set KEY=VALUE``, ``-j``, ``--timeout``), or the dict given to the API.

``extract(path, settings)`` resolves the settings (:meth:`ExtractSettings.resolve`: the library
reads no config file unless told to, see :meth:`ExtractSettings.load`) and puts them in force for
the document it reads (:func:`using`, a context value like limits.py's, so the OCR threads see
them too); the loaders read them with :func:`current`. A batch sends them to its workers with each
task (pickled), never through the environment. An unknown key or a value out of range is one
:class:`SettingsError` line naming the file (or variable, or option) and the key.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import functools
import hashlib
import json
import os
import tomllib
import types
import typing
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo

from tthc_extract import grammars
from tthc_extract.limits import MIN_RENDER_DPI, Limits, size_text
from tthc_extract.limits import using as limits_in_force

# -- defaults ----------------------------------------------------------------------------------
DEFAULT_OCR_LANGUAGES = "vie"  # Tesseract's Vietnamese model
# A scanned page is rendered at the resolution of its scan (no detail is gained above it, and
# Tesseract's time grows with the pixel count), kept within [DEFAULT_OCR_MIN_DPI, DEFAULT_OCR_DPI];
# a page without a page-sized image is rendered at DEFAULT_OCR_DPI.
DEFAULT_OCR_DPI = 300
DEFAULT_OCR_MIN_DPI = 200
MAX_OCR_DPI = 1200
DEFAULT_DOCUMENT_TIMEOUT = 600.0  # seconds: a long scan OCRs in minutes, a hung one never ends
DEFAULT_SOFFICE_TIMEOUT = 180.0  # seconds one LibreOffice conversion may take
DEFAULT_TESSERACT = "tesseract"
# Typed-PDF tables: pdfplumber's snap, join and intersection tolerances (points) for ruling lines
# drawn as separate pieces; cell edges closer than DEFAULT_EDGE_TOLERANCE are one grid line; the
# column edges of two pieces of one table on consecutive pages agree within
# DEFAULT_PAGE_BREAK_TOLERANCE; a text-aligned (unruled) table needs DEFAULT_MIN_COLUMNS columns
# separated by white-space columns at least DEFAULT_MIN_COLUMN_GAP points wide.
DEFAULT_RULE_TOLERANCE = 3.0
DEFAULT_EDGE_TOLERANCE = 2.0
DEFAULT_PAGE_BREAK_TOLERANCE = 4.0
DEFAULT_MIN_COLUMNS = 3
DEFAULT_MIN_COLUMN_GAP = 3.0

# Tesseract 5's names for its dot-product routines ("native" = its own choice for this CPU).
DotProduct = Literal["native", "generic", "avx", "avx2", "avx512", "fma", "neon", "std::inner_product"]
DOTPRODUCT_PATHS = frozenset(get_args(DotProduct))
OcrEngine = Literal["auto", "library", "program"]

# -- environment variables: overrides that existed before the settings object ----------------------
OCR_WORKERS_ENV = "TTHC_OCR_WORKERS"
TESSERACT_ENV = "TTHC_TESSERACT"
DOTPRODUCT_ENV = "TTHC_TESSERACT_DOTPRODUCT"
SOFFICE_ENV = "TTHC_SOFFICE"
SOFFICE_TIMEOUT_ENV = "TTHC_SOFFICE_TIMEOUT"
SOFFICE_NETNS_ENV = "TTHC_SOFFICE_NETNS"
ENV_VARS: dict[str, str] = {
    "ocr_workers": OCR_WORKERS_ENV,
    "tesseract": TESSERACT_ENV,
    "tesseract_dotproduct": DOTPRODUCT_ENV,
    "soffice": SOFFICE_ENV,
    "soffice_timeout": SOFFICE_TIMEOUT_ENV,
    "soffice_netns": SOFFICE_NETNS_ENV,
}
TABLE_PATH = ("tool", "tthc-extract")  # the settings' table in a pyproject.toml
RESERVED = frozenset({"check"})  # tables of [tool.tthc-extract] read by others (check's thresholds)
# Settings that change how fast or where a document is read, never what its output holds: left
# out of the output digest (a batch re-reads a document when the others change).
RUN_ONLY = frozenset({"ocr_workers", "ocr_engine", "jobs", "document_timeout", "soffice_timeout", "tesseract", "soffice",
                      "soffice_netns", "grammar_folder", "limits.memory_bytes"})


class SettingsError(ValueError):
    """A settings source is wrong: an unknown key, a value of the wrong type or out of range (one line)."""


class TableSettings(BaseModel):
    """The table-finding tolerances a user may need to tune: the ``tables`` table of the settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_tolerance: float = Field(
        default=DEFAULT_RULE_TOLERANCE, ge=0.5, le=20,
        description="Points: ruling lines of a typed PDF this close are snapped and joined into one "
                    "(pdfplumber's snap, join and intersection tolerances); raise it for tables whose "
                    "rules are drawn in pieces that do not meet.")
    edge_tolerance: float = Field(
        default=DEFAULT_EDGE_TOLERANCE, ge=0.1, le=20,
        description="Points: cell edges (and row boundaries of text-aligned tables) closer than this "
                    "are one grid line.")
    page_break_tolerance: float = Field(
        default=DEFAULT_PAGE_BREAK_TOLERANCE, ge=0, le=72,
        description="Points: a typed-PDF table piece continues the previous page's table when their "
                    "column edges agree within this.")
    min_columns: int = Field(
        default=DEFAULT_MIN_COLUMNS, ge=2, le=20,
        description="Columns a text-aligned table (no vertical rules) needs at least to be read as a table.")
    min_column_gap: float = Field(
        default=DEFAULT_MIN_COLUMN_GAP, ge=0.5, le=72,
        description="Points: the narrowest white-space column that separates two columns of a "
                    "text-aligned table (it must also be wider than a word space).")


class ExtractSettings(BaseModel):
    """Every setting of a reading; see the module docstring for where each value comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ocr_languages: str = Field(
        default=DEFAULT_OCR_LANGUAGES, pattern=r"^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$",
        description="Tesseract language models scanned pages are read with, as its -l option: 'vie', "
                    "'vie+eng' for several; each must be installed (tesseract-ocr-<lang>).")
    ocr_workers: int | None = Field(
        default=None, ge=1, le=256,
        description="Pages of one document OCR'd at once (threads, each running Tesseract). Unset: the "
                    "number of CPUs (divided by the worker processes in a batch), plus one when that is "
                    "more than one.")
    ocr_dpi: int = Field(
        default=DEFAULT_OCR_DPI, ge=MIN_RENDER_DPI, le=MAX_OCR_DPI,
        description="Resolution a PDF page is rendered at for OCR when it holds no scan of known "
                    "resolution, and the highest any page or image is read at (a finer scan is scaled down).")
    ocr_min_dpi: int = Field(
        default=DEFAULT_OCR_MIN_DPI, ge=MIN_RENDER_DPI, le=MAX_OCR_DPI,
        description="Lowest resolution a page is read at: a coarser scan or image is scaled up, so "
                    "Tesseract sees letters of a usable size.")
    jobs: int | None = Field(
        default=None, ge=1, le=1024,
        description="Worker processes of a batch (`extract`). Unset: the cores this process may use.")
    document_timeout: float = Field(
        default=DEFAULT_DOCUMENT_TIMEOUT, ge=0,
        description="Seconds one document may take in a batch before its worker is stopped and the "
                    "document reported as failed; 0: no limit.")
    soffice_timeout: float = Field(
        default=DEFAULT_SOFFICE_TIMEOUT, gt=0, description="Seconds one LibreOffice conversion (.doc, .odt, .rtf) may take.")
    tesseract: str = Field(
        default=DEFAULT_TESSERACT, min_length=1, description="The Tesseract program: a name on PATH or a path.")
    ocr_engine: OcrEngine = Field(
        default="auto",
        description="How Tesseract is run: library (libtesseract in this process, the model loaded once "
                    "per thread), program (one tesseract process per call), auto (the library when it "
                    "loads and `tesseract` is the default program, else the program). Same reading.")
    tesseract_dotproduct: DotProduct | None = Field(
        default=None,
        description="Tesseract's dot-product routine. Unset: avx2 where the CPU has it, else generic, so "
                    "a scan reads the same on every machine of a kind; native: Tesseract's own choice.")
    soffice: str | None = Field(
        default=None, min_length=1,
        description="The LibreOffice program: a name on PATH or a path. Unset: soffice, else libreoffice on PATH.")
    soffice_netns: bool = Field(
        default=True,
        description="Run LibreOffice in a network namespace of its own where the OS allows it (false: "
                    "only its profile and a dead proxy keep it offline).")
    grammar_folder: Path | None = Field(
        default=None,
        description="Folder of the grammar files (a copy of the package's grammars/ folder, edited). "
                    "Unset: the package's own. Relative to the config file that names it.")
    limits: Limits = Field(default_factory=Limits, description="Bounds on the work done for one document.")
    tables: TableSettings = Field(default_factory=TableSettings, description="Table-finding tolerances.")

    @field_validator("grammar_folder")
    @classmethod
    def _grammar_folder(cls, v: Path | None) -> Path | None:
        if v is None:
            return v
        if not v.is_dir():
            raise ValueError(f"{v} is not a folder")
        shipped = grammars.package_dir()
        missing = [p.relative_to(shipped).as_posix() for p in sorted(shipped.rglob("*.toml"))
                   if not (v / p.relative_to(shipped)).is_file()]
        if missing:
            raise ValueError(f"{v} lacks {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''} "
                             "(start from a copy of the package's grammars/ folder)")
        return v.resolve()

    @model_validator(mode="after")
    def _dpi_range(self) -> ExtractSettings:
        if self.ocr_min_dpi > self.ocr_dpi:
            raise ValueError(f"ocr_min_dpi ({self.ocr_min_dpi}) is above ocr_dpi ({self.ocr_dpi})")
        return self

    # -- making settings ---------------------------------------------------------------------------

    @classmethod
    def resolve(cls, value: ExtractSettings | Mapping[str, Any] | None = None) -> ExtractSettings:
        """Return the settings meant by ``value``: an ExtractSettings as it is; a dict of keys (nested
        tables as dicts) over the environment variables over the defaults; None for the defaults
        with the environment variables. No config file is read (see :meth:`load`)."""
        if isinstance(value, ExtractSettings):
            return value
        if value is None:
            return cls.load()
        if isinstance(value, Mapping):
            return cls.load(overrides=value, where="settings")
        raise TypeError(f"settings must be an ExtractSettings, a dict or None, not {type(value).__name__}")

    @classmethod
    def load(
        cls,
        config: str | os.PathLike[str] | None = None,
        *,
        discover: bool = False,
        overrides: Mapping[str, Any] | None = None,
        cwd: Path | None = None,
        environ: Mapping[str, str] | None = None,
        ignore: Collection[str] = (),
        where: str = "command line",
    ) -> ExtractSettings:
        """Return the settings from every source: the defaults, the config file (``config``, else
        with ``discover`` the closest pyproject.toml with a [tool.tthc-extract] table), the
        environment (``environ``, default os.environ) and ``overrides`` (the command line's, named
        ``where`` in errors). ``ignore``: top-level keys of a plain config file that belong to
        another reader (check's thresholds). Raises SettingsError."""
        path = Path(config) if config is not None else find_pyproject(cwd) if discover else None
        layers = [read_file(path, ignore) if path is not None else {}, env_values(environ)]
        if overrides:
            validated(dict(overrides), where)
            layers.append(dict(overrides))
        return validated(merge(*layers), "settings")

    def merged(self, overrides: Mapping[str, Any], where: str = "settings") -> ExtractSettings:
        """Return these settings with ``overrides`` (keys as in a config file) applied, validated."""
        return validated(merge(self.model_dump(), dict(overrides)), where)

    def output_digest(self) -> str:
        """Return a hash of the settings that decide a document's output ("" when they are the
        defaults), for the stamps that tell whether an output is up to date."""
        mine, default = _output_values(self), _output_values(ExtractSettings())
        if mine == default:
            return ""
        return hashlib.sha256(json.dumps(mine, sort_keys=True, default=str).encode()).hexdigest()[:16]


# -- sources -------------------------------------------------------------------------------------


def default_ocr_workers(cpus: int, processes: int = 1) -> int:
    """Return how many pages one document OCRs at once when ``ocr_workers`` is unset.

    The CPUs a process has (``cpus`` shared by ``processes`` reading documents at once), plus one
    when it has more than one: a page thread spends part of its time in Python (grids, repairs,
    layout) holding the interpreter lock while the other threads' Tesseract processes could run,
    so one thread more keeps every CPU reading. Measured on the 16-page sample scan against one
    one-thread Tesseract per CPU: 1.70-1.78x with 2 threads, 1.48-1.53x with 3, 1.61x with 4. A
    process with one CPU gets one thread: it alternates Python and Tesseract without idling.
    """
    share = max(1, cpus // max(1, processes))
    return share + 1 if share > 1 else share


def merge(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Return the layers merged, later ones winning, nested tables merged key by key."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, BaseModel):
                value = value.model_dump()
            if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
                out[key] = merge(out[key], value)
            else:
                out[key] = dict(value) if isinstance(value, Mapping) else value
    return out


def known_keys() -> list[str]:
    """Return every settings key, nested ones dotted ("limits.max_pages")."""
    return [key for key, _info, _model in _fields(ExtractSettings)]


def _hint(key: str) -> str:
    close = difflib.get_close_matches(key, known_keys(), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else " (the keys are listed in README.md, Settings)"


def validated(data: dict[str, Any], where: str) -> ExtractSettings:
    """Return the settings of ``data`` or raise SettingsError naming ``where`` and the first bad key."""
    try:
        return ExtractSettings.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        key = ".".join(str(x) for x in e["loc"])
        if e["type"] == "extra_forbidden":
            raise SettingsError(f"{where}: unknown setting {key!r}{_hint(key)}") from None
        value = f" {e['input']!r}" if e["loc"] and not isinstance(e["input"], Mapping) else ""
        msg = " ".join(str(e["msg"]).removeprefix("Value error, ").split())
        raise SettingsError(f"{where}: {key}{value}: {msg}" if key else f"{where}: {msg}") from None


def env_values(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings the environment variables give (an empty variable is unset)."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for key, var in ENV_VARS.items():
        raw = env.get(var, "").strip()
        if raw:
            try:
                ExtractSettings.model_validate({key: raw})
            except ValidationError as exc:
                msg = " ".join(str(exc.errors()[0]["msg"]).split())
                raise SettingsError(f"{var}={raw!r}: {msg} (setting {key})") from None
            out[key] = raw
    return out


def read_toml(path: Path, error: type[Exception] = SettingsError,
              unreadable: str = "cannot read the settings file") -> dict[str, Any]:
    """Return a TOML file's content, or raise ``error`` in one line naming the file (``unreadable``
    says what could not be read; check.config reads its thresholds file with its own error)."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise error(f"{path}: {unreadable} ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None


def settings_table(doc: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    """Return the settings table of a parsed TOML file: a pyproject.toml's (a file with a ``tool``
    or ``project`` table) [tool.tthc-extract], else the file's top level."""
    if "tool" not in doc and "project" not in doc:
        return doc
    node: Any = doc
    for part in TABLE_PATH:
        node = node.get(part, {}) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping):
        raise SettingsError(f"{path}: [tool.tthc-extract] must be a table")
    return node


def read_file(path: Path, ignore: Collection[str] = ()) -> dict[str, Any]:
    """Return the settings of a TOML file, checked (SettingsError names the file and the key).

    A relative ``grammar_folder`` is taken relative to the file's folder.
    """
    table = {k: v for k, v in settings_table(read_toml(path), path).items() if k not in RESERVED | set(ignore)}
    folder = table.get("grammar_folder")
    if isinstance(folder, str):
        table["grammar_folder"] = str((path.parent / folder) if not Path(folder).is_absolute() else Path(folder))
    validated(table, str(path))
    return table


def find_pyproject(cwd: Path | None = None) -> Path | None:
    """Return the closest pyproject.toml in ``cwd`` (default: the current folder) or its parents
    that has a [tool.tthc-extract] table, or None. A pyproject.toml that never names the tool is
    passed over unread; one that does must be valid TOML."""
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        p = folder / "pyproject.toml"
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "tthc-extract" not in text:
            continue
        tool = read_toml(p).get("tool")
        if isinstance(tool, Mapping) and "tthc-extract" in tool:
            return p
    return None


def parse_assignment(item: str, option: str = "--set") -> dict[str, Any]:
    """Given ``KEY=VALUE`` ("limits.max_pages=10", "tesseract=/opt/bin/tesseract"), return it as a
    nested dict; the value is read as TOML (a number, true/false, a quoted string), else as text."""
    key, sep, raw = item.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key or not raw:
        raise SettingsError(f"{option} wants KEY=VALUE, got {item!r}")
    try:
        value: Any = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    out: dict[str, Any] = {}
    node = out
    *parents, last = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return out


def from_command_line(config: str | os.PathLike[str] | None, sets: Sequence[str] | None = None,
                      options: Mapping[str, tuple[str, Any]] | None = None,
                      ignore: Collection[str] = ()) -> ExtractSettings:
    """Return a command's settings: defaults < config file (``config``, else the closest
    pyproject.toml with a [tool.tthc-extract] table) < environment < ``--set`` items (``sets``) <
    the options that are settings (``options``: key -> (option name, value, None when not given)).
    Raises SettingsError naming the file, variable or option and the key."""
    layers: list[dict[str, Any]] = []
    for item in sets or ():
        layer = parse_assignment(item)
        validated(layer, f"--set {item}")
        layers.append(layer)
    for key, (option, value) in (options or {}).items():
        if value is not None:
            validated({key: value}, option)
            layers.append({key: value})
    return ExtractSettings.load(config, discover=True, overrides=merge(*layers), ignore=ignore)


# -- in force ------------------------------------------------------------------------------------

_ACTIVE: contextvars.ContextVar[ExtractSettings | None] = contextvars.ContextVar("tthc_settings", default=None)


@functools.lru_cache(maxsize=8)
def _from_environment(values: tuple[str, ...]) -> ExtractSettings:
    return ExtractSettings.load(environ=dict(zip(ENV_VARS.values(), values, strict=True)))


def current() -> ExtractSettings:
    """Return the settings in force: those of the document being read, else the defaults with
    the environment variables (a loader called on its own, as the tests do)."""
    s = _ACTIVE.get()
    if s is not None:
        return s
    return _from_environment(tuple(os.environ.get(var, "") for var in ENV_VARS.values()))


@contextlib.contextmanager
def using(settings: ExtractSettings) -> Iterator[ExtractSettings]:
    """Put ``settings`` in force for the block (and for the threads started with its context):
    its limits (limits.active) and grammar folder (grammars.grammar_dir) too."""
    token = _ACTIVE.set(settings)
    try:
        with limits_in_force(settings.limits), grammars.using(settings.grammar_folder):
            yield settings
    finally:
        _ACTIVE.reset(token)


# -- documentation -------------------------------------------------------------------------------


def _fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo, type[BaseModel] | None]]:
    """Yield (dotted key, field, model of a nested table or None) for every leaf setting, in order."""
    for name, info in model.model_fields.items():
        nested = info.annotation if isinstance(info.annotation, type) and issubclass(info.annotation,
                                                                                      BaseModel) else None
        if nested is not None:
            yield from _fields(nested, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", info, None


def _type_name(annotation: Any) -> str:
    """Return a setting's type as a TOML user reads it."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return _type_name(args[0]) if len(args) == 1 else " or ".join(_type_name(a) for a in args)
    if typing.get_origin(annotation) is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in get_args(annotation))
    names = {int: "integer", float: "number", str: "string", bool: "boolean", Path: "path"}
    return names.get(annotation, str(annotation))


def _default_text(key: str, info: FieldInfo) -> str:
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if key.endswith("_bytes") and isinstance(value, int) and value:
        return f"`{value:_}` ({size_text(value)})"
    return f"`{value:_}`" if isinstance(value, int) and value >= 100_000 else f"`{value}`"


def markdown_table() -> str:
    """Return the Markdown table of every settings key (README.md holds it; a test keeps them equal)."""
    lines = ["| key | type | default | environment | description |", "|---|---|---|---|---|"]
    for key, info, _ in _fields(ExtractSettings):
        env = f"`{ENV_VARS[key]}`" if key in ENV_VARS else ""
        desc = (info.description or "").replace("|", "\\|")
        lines.append(f"| `{key}` | {_type_name(info.annotation)} | {_default_text(key, info)} | {env} | {desc} |")
    return "\n".join(lines) + "\n"


def to_toml(settings: ExtractSettings) -> str:
    """Return ``settings`` as the TOML of a config file (unset values as comments)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, (int, float)):
            return repr(v)
        return json.dumps(str(v), ensure_ascii=False)

    top: list[str] = []
    tables: dict[str, list[str]] = {}
    data = settings.model_dump()
    for key, _info, _ in _fields(ExtractSettings):
        *parent, name = key.split(".")
        v: Any = data
        for part in key.split("."):
            v = v[part]
        line = f"# {name} = (unset)" if v is None else f"{name} = {value(v)}"
        (tables.setdefault(".".join(parent), []) if parent else top).append(line)
    out = top + [part for t, lines in tables.items() for part in ["", f"[{t}]", *lines]]
    return "\n".join(out) + "\n"


def _output_values(settings: ExtractSettings) -> dict[str, Any]:
    data = settings.model_dump(mode="json")
    out: dict[str, Any] = {}
    for key, _info, _ in _fields(ExtractSettings):
        if key in RUN_ONLY:
            continue
        v: Any = data
        for part in key.split("."):
            v = v[part]
        out[key] = v
    return out
