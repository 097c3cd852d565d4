"""The settings object: sources and their precedence, errors, and settings that change a reading end to end."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tthc_extract import ExtractSettings, SettingsError, extract, extract_many
from tthc_extract import grammars as grammars_module
from tthc_extract.batch import BatchOptions, run_batch
from tthc_extract.batch.executor import LocalExecutor
from tthc_extract.batch.work import Outcome, Task
from tthc_extract.check.config import load_config, threshold_keys
from tthc_extract.cli import app
from tthc_extract.limits import LimitError, Limits
from tthc_extract.loaders import ocr as ocr_loader
from tthc_extract.model.document import Page
from tthc_extract.ocr.raster import PageImage
from tthc_extract.settings import (
    ENV_VARS,
    OCR_WORKERS_ENV,
    SOFFICE_TIMEOUT_ENV,
    current,
    default_ocr_workers,
    find_pyproject,
    markdown_table,
    using,
)

from .hostile.cases import raw_pdf

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT / "samples" / "002_c4b107cd9cf43351.txt"
SCAN = ROOT / "samples" / "002_c4b107cd9cf43351.scan.pdf"
runner = CliRunner()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No settings variable of the machine running the tests leaks into these."""
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- resolve() ---------------------------------------------------------------------------------


def test_resolve_none_dict_and_instance(clean_env: pytest.MonkeyPatch) -> None:
    assert ExtractSettings.resolve(None) == ExtractSettings()
    s = ExtractSettings.resolve({"ocr_workers": 2, "limits": {"max_pages": 5}, "tables": {"min_columns": 4}})
    assert (s.ocr_workers, s.limits.max_pages, s.tables.min_columns) == (2, 5, 4)
    assert s.limits.max_input_bytes == Limits().max_input_bytes  # the rest of a nested table stays default
    assert ExtractSettings.resolve(s) is s
    assert ExtractSettings.resolve({"limits": Limits(max_pages=3)}).limits.max_pages == 3
    clean_env.setenv(OCR_WORKERS_ENV, "3")
    assert ExtractSettings.resolve(None).ocr_workers == 3  # the environment over the defaults
    assert ExtractSettings.resolve({"ocr_workers": 5}).ocr_workers == 5  # an explicit dict over the environment
    with pytest.raises(TypeError):
        ExtractSettings.resolve(3)  # type: ignore[arg-type]


def test_settings_pickle_and_are_frozen() -> None:
    s = ExtractSettings.resolve({"ocr_workers": 2, "limits": {"max_pages": 5}})
    assert pickle.loads(pickle.dumps(s)) == s
    with pytest.raises(ValueError):
        s.ocr_workers = 3  # type: ignore[misc]


@pytest.mark.parametrize(("data", "message"), [
    ({"ocr_workerz": 1}, "settings: unknown setting 'ocr_workerz' (did you mean 'ocr_workers'?)"),
    ({"limits": {"max_page": 1}}, "settings: unknown setting 'limits.max_page' (did you mean 'limits.max_pages'?)"),
    ({"ocr_dpi": 50}, "settings: ocr_dpi 50: Input should be greater than or equal to 100"),
    ({"ocr_dpi": 150}, "settings: ocr_min_dpi (200) is above ocr_dpi (150)"),
    ({"limits": {"memory_bytes": 1000}}, "settings: limits.memory_bytes 1000: must be 0 (no limit) or at least 64 MB"),
    ({"ocr_languages": "vie eng"}, "settings: ocr_languages 'vie eng': String should match pattern"),
])
def test_bad_values_are_one_line_naming_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as err:
        ExtractSettings.resolve(data)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_bad_environment_variable_is_named(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(OCR_WORKERS_ENV, "many")
    with pytest.raises(SettingsError, match=r"^TTHC_OCR_WORKERS='many': Input should be a valid integer"):
        ExtractSettings.resolve(None)
    clean_env.setenv(OCR_WORKERS_ENV, "")  # empty: unset, as before
    assert ExtractSettings.resolve(None).ocr_workers is None


# -- files -------------------------------------------------------------------------------------


def test_pyproject_found_from_a_subfolder_passing_over_one_without_the_table(tmp_path: Path,
                                                                           clean_env: pytest.MonkeyPatch) -> None:
    project = _write(tmp_path / "pyproject.toml", '[project]\nname = "plans"\n\n[tool.tthc-extract]\nocr_workers = 2\n'
                     '\n[tool.tthc-extract.limits]\nmax_pages = 7\n\n[tool.tthc-extract.check]\nmin_f1 = 0.5\n')
    _write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "tthc-extract-data"\n')  # names the tool, no table
    deeper = tmp_path / "sub" / "deeper"
    deeper.mkdir()
    assert find_pyproject(deeper) == project
    clean_env.chdir(deeper)
    s = ExtractSettings.load(discover=True)
    assert (s.ocr_workers, s.limits.max_pages) == (2, 7)  # the check's table is not read as settings
    assert ExtractSettings.load() == ExtractSettings()  # the library reads no file unless asked to
    assert load_config().base.min_f1 == 0.5  # the check's thresholds come from the same file


def test_config_file_plain_or_pyproject_shaped(tmp_path: Path) -> None:
    shutil.copytree(grammars_module.package_dir(), tmp_path / "conf" / "my-grammars")
    plain = _write(tmp_path / "conf" / "tthc.toml", 'grammar_folder = "my-grammars"\nsoffice_timeout = 30\n'
                   '[tables]\nrule_tolerance = 4.5\n')
    s = ExtractSettings.load(plain)
    assert s.grammar_folder == (tmp_path / "conf" / "my-grammars").resolve()  # relative to the file
    assert (s.soffice_timeout, s.tables.rule_tolerance) == (30.0, 4.5)
    shaped = _write(tmp_path / "other.toml", '[tool.tthc-extract]\nocr_dpi = 250\n')
    assert ExtractSettings.load(shaped).ocr_dpi == 250


def test_unknown_key_in_a_file_is_one_line_naming_the_file_and_key(tmp_path: Path) -> None:
    bad = _write(tmp_path / "tthc.toml", "[limits]\nmax_page = 1\n")
    with pytest.raises(SettingsError) as err:
        ExtractSettings.load(bad)
    assert str(err.value) == f"{bad}: unknown setting 'limits.max_page' (did you mean 'limits.max_pages'?)"
    res = runner.invoke(app, ["extract", str(TEXT), "-o", str(tmp_path / "out"), "-q", "--config", str(bad)])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [f"error: {bad}: unknown setting 'limits.max_page' "
                                               "(did you mean 'limits.max_pages'?)"]
    assert not (tmp_path / "out").exists()  # refused before anything is read or written
    res = runner.invoke(app, ["show", str(TEXT), "--set", "ocr_wrokers=2"])
    assert res.exit_code == 2 and res.stderr.startswith("error: --set ocr_wrokers=2: unknown setting 'ocr_wrokers'")
    broken = _write(tmp_path / "broken.toml", "ocr_workers = \n")
    res = runner.invoke(app, ["settings", "--config", str(broken)])
    assert res.exit_code == 2 and res.stderr.startswith(f"error: {broken}: not valid TOML")


def test_precedence_cli_over_environment_over_file_over_defaults(tmp_path: Path,
                                                                 clean_env: pytest.MonkeyPatch) -> None:
    conf = _write(tmp_path / "tthc.toml", "ocr_workers = 2\nsoffice_timeout = 10\n[limits]\nmax_pages = 9\n")
    clean_env.setenv(OCR_WORKERS_ENV, "3")
    clean_env.setenv(SOFFICE_TIMEOUT_ENV, "20")
    res = runner.invoke(app, ["settings", "--config", str(conf), "--set", "ocr_workers=4"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == f"# from: {conf} < environment < --set"
    shown = tomllib.loads(res.stdout)
    assert shown["ocr_workers"] == 4  # command line over environment
    assert shown["soffice_timeout"] == 20.0  # environment over file
    assert shown["limits"]["max_pages"] == 9  # file over defaults
    assert shown["ocr_dpi"] == 300 and "jobs" not in shown  # defaults (an unset one is a comment)
    # the extract command's own options are the command line too
    s = ExtractSettings.load(conf, overrides={"jobs": 1})
    assert (s.jobs, s.ocr_workers, s.limits.max_pages) == (1, 3, 9)


def test_readme_table_is_the_models() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- settings table:[^\n]*-->\n(.*?)<!-- end of settings table -->", text, re.S)
    assert m is not None, "README.md has no settings table"
    assert m.group(1) == markdown_table(), "README.md's settings table is stale: paste `tthc-extract settings --markdown`"
    assert runner.invoke(app, ["settings", "--markdown"]).stdout == markdown_table()


def test_check_config_file_holds_thresholds_and_settings(tmp_path: Path) -> None:
    conf = _write(tmp_path / "ci.toml", "min_f1 = 0.9\nocr_workers = 2\n[check]\nmax_rows_without_task = 3\n"
                  "[limits]\nmax_pages = 40\n")
    th = load_config(conf).base
    assert (th.min_f1, th.max_rows_without_task) == (0.9, 3)
    s = ExtractSettings.load(conf, ignore=threshold_keys())
    assert (s.ocr_workers, s.limits.max_pages) == (2, 40)


# -- behaviour ---------------------------------------------------------------------------------


def test_pages_limit_of_one_fails_a_two_page_document(tmp_path: Path) -> None:
    pdf = tmp_path / "two.pdf"
    pdf.write_bytes(raw_pdf(2))
    with pytest.raises(LimitError) as err:
        extract(pdf, settings={"limits": {"max_pages": 1}})
    assert str(err.value) == f"{pdf}: 2 pages, over the limit of 1 pages per document (max_pages)"
    [res] = list(extract_many([pdf], settings={"limits": {"max_pages": 1}}))
    assert res.error == str(err.value)
    # through the batch: the settings reach the worker process with the task
    conf = _write(tmp_path / "tthc.toml", "[limits]\nmax_pages = 1\n")
    out = tmp_path / "out"
    res2 = runner.invoke(app, ["extract", str(pdf), "-o", str(out), "-q", "-j", "1", "--no-parquet", "--config",
                               str(conf)])
    assert res2.exit_code == 1
    [line] = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["error"] == f"{pdf}: 2 pages, over the limit of 1 pages per document (max_pages)"


def test_grammar_folder_changes_the_reading(tmp_path: Path) -> None:
    folder = tmp_path / "grammars"
    shutil.copytree(grammars_module.package_dir(), folder)
    headers = folder / "headers.toml"
    text = headers.read_text(encoding="utf-8")
    start = text.index("[fields.task]")
    end = text.index("[fields.result]")
    headers.write_text(text[:start] + '[fields.task]\nsynonyms = ["không có cột này"]\n\n' + text[end:], encoding="utf-8")
    assert len(extract(TEXT).rows) == 37
    assert len(extract(TEXT, settings={"grammar_folder": folder}).rows) < 37  # no task column known
    assert len(extract(TEXT).rows) == 37  # compiled grammars are kept per folder


class _RecordingPool:
    """Stands in for ThreadPoolExecutor in the OCR loader: records its size, runs in this thread."""

    sizes: list[int] = []

    def __init__(self, max_workers: int) -> None:
        self.sizes.append(max_workers)

    def __enter__(self) -> _RecordingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn, *args):  # type: ignore[no-untyped-def]
        from concurrent.futures import Future

        f: Future[object] = Future()
        f.set_result(fn(*args))
        return f


def test_ocr_workers_reach_the_ocr_reader_without_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages of a scan go to as many OCR threads as the setting says, each page read with the
    document's settings in force; nothing is written into os.environ. (Tesseract's reading is
    replaced by a stand-in, and the pages are rendered coarsely: only the hand-over is tested.)"""
    seen: list[int | None] = []

    def fake_page(img: PageImage, source: str) -> ocr_loader.PageResult:
        seen.append(current().ocr_workers)
        return ocr_loader.PageResult(page=Page(number=img.number, needs_ocr=True, ocr_done=True), blocks=[])

    monkeypatch.setattr(ocr_loader, "ocr_page", fake_page)
    monkeypatch.setattr(ocr_loader, "ThreadPoolExecutor", _RecordingPool)
    _RecordingPool.sizes = []
    before = dict(os.environ)
    plan = extract(SCAN, settings={"ocr_workers": 3, "ocr_dpi": 100, "ocr_min_dpi": 100})
    assert plan.pages == 11 and seen == [3] * 11
    assert _RecordingPool.sizes == [3]
    assert dict(os.environ) == before and OCR_WORKERS_ENV not in os.environ
    extract(SCAN, settings={"ocr_workers": 1, "ocr_dpi": 100, "ocr_min_dpi": 100})
    assert _RecordingPool.sizes == [3]  # one worker: the pages are read in this thread, no pool


def _probe(task: Task) -> Outcome:
    """What a batch worker process sees (run there): the OCR reader's page threads, the environment."""
    with using(task.settings or ExtractSettings()):
        n = ocr_loader._workers(64)
    return Outcome(key=task.key, path=task.path, error=json.dumps({"ocr": n, "env": os.environ.get(OCR_WORKERS_ENV)}))


def test_batch_sends_the_settings_with_the_task_not_the_environment(tmp_path: Path) -> None:
    seen: dict[str, str | None] = {}
    opts = BatchOptions(jobs=1, settings=ExtractSettings.resolve({"ocr_workers": 3}))
    ex = LocalExecutor(1, fn=_probe, limits=opts.limits)
    try:
        run_batch([TEXT], tmp_path / "out", opts, on_done=lambda p, _s, e: seen.__setitem__(p, e), executor=ex)
    finally:
        ex.close()
    assert json.loads(seen[str(TEXT)] or "") == {"ocr": 3, "env": None}
    auto = BatchOptions(jobs=2)  # unset: the CPUs shared by the local workers
    assert auto.settings.ocr_workers == default_ocr_workers(os.cpu_count() or 1, 2) and auto.jobs == 2
    assert BatchOptions(timeout=0).timeout is None and BatchOptions().timeout == 600.0


def test_output_changing_settings_change_the_tool_stamp() -> None:
    from tthc_extract.fingerprint import tool_fingerprint

    base = tool_fingerprint(ExtractSettings())
    assert tool_fingerprint(ExtractSettings.resolve({"ocr_workers": 2, "jobs": 3})) == base  # how fast, not what
    assert tool_fingerprint(ExtractSettings.resolve({"ocr_dpi": 250})) != base
    assert tool_fingerprint(ExtractSettings.resolve({"tables": {"min_columns": 4}})) != base


def test_default_ocr_workers_keep_every_cpu_reading() -> None:
    # one thread more than the CPUs a document has, unless it has one (it alternates without idling)
    assert [default_ocr_workers(c) for c in (1, 2, 4, 8)] == [1, 3, 5, 9]
    assert [default_ocr_workers(8, p) for p in (1, 2, 4, 8, 16)] == [9, 5, 3, 1, 1]
    assert default_ocr_workers(2, 0) == 3  # no processes given: the whole machine
