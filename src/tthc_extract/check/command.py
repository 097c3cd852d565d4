"""The ``tthc-extract check`` command: extract a corpus, check every document, exit 0 / 1 / 2.

Exit status: 0 when every document holds its thresholds; 1 when one does not; 2 for a usage error
(bad option, settings file or threshold, no input) or when a document or an expected file cannot
be read. The command is registered in cli.py with ``app.command("check")(check)``. The documents are
read with the extraction settings of the same config file (settings.py; ``--set`` overrides them).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import typer

from tthc_extract.check.compare import compare_plans
from tthc_extract.check.config import CheckConfig, ConfigError, load_config, threshold_keys
from tthc_extract.check.evaluate import DocReport, evaluate
from tthc_extract.check.expected import read_expected, validate_expected
from tthc_extract.check.report import FORMATS, RENDERERS, Summary, render_table
from tthc_extract.check.runner import Run, extract_or_reuse
from tthc_extract.export.writers import atomic_write_bytes, json_path_for, plan_json
from tthc_extract.inputs import collect_inputs
from tthc_extract.model.plan import Plan
from tthc_extract.settings import ExtractSettings, SettingsError, from_command_line

DEFAULT_WORKDIR = Path(".tthc-check")
EXPECTED_SUFFIX = ".expected.json"  # the other accepted name: <stem>.expected.json (gold files)


class UsageError(Exception):
    """The command was called wrongly (exit status 2)."""


def expected_path_for(path: Path, root: Path | None, expected_dir: Path) -> Path:
    """Return a document's expected file: DIR/<sub-folders>/<file name>.json, or <stem>.expected.json."""
    primary = json_path_for(path, expected_dir, root)
    alternate = primary.with_name(path.stem + EXPECTED_SUFFIX)
    return alternate if not primary.is_file() and alternate.is_file() else primary


def _check_one(run: Run, cfg: CheckConfig, expected_dir: Path | None) -> tuple[DocReport, Path | None]:
    """Return one document's report and the expected file it looked for (None without --expected)."""
    th = cfg.for_file(run.path)
    if expected_dir is None:
        return evaluate(run, th), None
    exp_path = expected_path_for(run.path, run.root, expected_dir)
    if run.plan is None or not exp_path.is_file():
        return evaluate(run, th, None, str(exp_path), expected_wanted=True), exp_path
    try:
        expected = read_expected(exp_path)
    except (OSError, ValueError) as exc:
        error = f"expected file {exp_path} cannot be read ({exc})"
        return DocReport(path=str(run.path), status="error", seconds=run.seconds, error=error), exp_path
    return evaluate(run, th, expected, str(exp_path)), exp_path


def _orphans(expected_dir: Path, used: set[Path]) -> list[str]:
    """Return a note naming expected files that no input document matched."""
    files = sorted(p for p in expected_dir.rglob("*.json") if p.resolve() not in used)
    if not files:
        return []
    shown = ", ".join(str(p) for p in files[:5]) + (" ..." if len(files) > 5 else "")
    return [f"{len(files)} expected file(s) match no input document: {shown}"]


def update_expected_files(runs: Sequence[Run], expected_dir: Path) -> tuple[list[str], int]:
    """Write or refresh the expected file of every readable document; return report lines and errors."""
    lines: list[str] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    errors = 0
    for run in runs:
        if run.plan is None:
            errors += 1
            lines.append(f"error: {run.error}")
            continue
        path = expected_path_for(run.path, run.root, expected_dir)
        text = plan_json(Plan.model_validate(run.plan))
        old_text = path.read_text(encoding="utf-8") if path.is_file() else None
        if old_text == text:
            counts["unchanged"] += 1
            continue
        atomic_write_bytes(path, text.encode("utf-8"))
        if old_text is None:
            counts["created"] += 1
            lines.append(f"created {path} ({len(run.plan.get('rows') or [])} rows)")
            continue
        counts["updated"] += 1
        try:
            changes = compare_plans(validate_expected(json.loads(old_text)), run.plan).diff_lines()
        except ValueError as exc:
            changes = [f"(the old file was unreadable: {exc})"]
        lines.append(f"updated {path}: {len(changes)} change(s)" if changes else
                     f"updated {path}: no compared field changed (paths, provenance or warnings only)")
        lines += [f"  {c}" for c in changes]
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    lines.append(f"expected files in {expected_dir}: {summary}" + (f"; {errors} unreadable document(s)" if errors else ""))
    return lines, errors


def run_check(
    paths: Sequence[str],
    expected: Path | None = None,
    config: Path | None = None,
    fmt: str = "table",
    output: Path | None = None,
    update_expected: bool = False,
    workdir: Path | None = DEFAULT_WORKDIR,
    thresholds: Sequence[str] = (),
    reuse: bool = True,
    cwd: Path | None = None,
    settings: ExtractSettings | None = None,
) -> int:
    """Check every document under ``paths``, read with ``settings`` (default: the defaults with the
    environment variables); print the report; return the exit status (0, 1 or 2)."""

    t0 = time.perf_counter()
    try:
        if fmt not in FORMATS:
            raise UsageError(f"unknown --format {fmt!r} (one of: {', '.join(FORMATS)})")
        if update_expected and expected is None:
            raise UsageError("--update-expected needs --expected DIR")
        if expected is not None and not update_expected and not expected.is_dir():
            raise UsageError(f"expected folder {expected} not found (create it with --update-expected)")
        cfg = load_config(config, thresholds, cwd)
        found = collect_inputs(list(paths))
        inputs = found.files
        if found.problems:  # a folder or glob that names nothing is a wrong path in CI: say so
            raise UsageError("; ".join(p["error"] for p in found.problems))
        if not inputs:
            raise UsageError("no input files found")
    except (UsageError, ConfigError, SettingsError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    runs = [extract_or_reuse(path, root, workdir, reuse, settings) for path, root in inputs]
    if update_expected:
        assert expected is not None
        lines, errors = update_expected_files(runs, expected)
        sys.stdout.write("\n".join(lines) + "\n")
        return 2 if errors else 0
    reports, used = [], set()
    for run in runs:
        report, exp_path = _check_one(run, cfg, expected)
        reports.append(report)
        if exp_path is not None:
            used.add(exp_path.resolve())
    reports.sort(key=DocReport.sort_key)
    summary = Summary(
        documents=len(reports),
        passed=sum(r.status == "pass" for r in reports),
        failed=sum(r.status == "fail" for r in reports),
        errors=sum(r.status == "error" for r in reports),
        reused=sum(r.reused for r in reports),
        seconds=time.perf_counter() - t0,
        settings=cfg.source,
        notes=_orphans(expected, used) if expected is not None else [],
    )
    text = RENDERERS[fmt](reports, summary)
    if output is not None:
        atomic_write_bytes(output, text.encode("utf-8"))
        sys.stdout.write(render_table(reports, summary) if fmt != "table" else summary.line() + "\n")
    else:
        sys.stdout.write(text)
    return 2 if summary.errors else 1 if summary.failed else 0


def check(
    paths: list[str] = typer.Argument(..., help="Files, folders or globs of plan documents."),
    expected: Path | None = typer.Option(
        None, "--expected", "-e", help="Folder of expected JSON files (<file name>.json, as `extract` writes)."
    ),
    config: Path | None = typer.Option(
        None, "--config", help="TOML settings file: thresholds in its [check] table (or at its top level) and "
                               "extraction settings (default: the [tool.tthc-extract] table of the closest pyproject.toml)."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table | json | junit | github"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report here (the table still goes to stdout)."
    ),
    update_expected: bool = typer.Option(
        False, "--update-expected", help="Write or refresh the expected files and print what changed."
    ),
    workdir: Path = typer.Option(
        DEFAULT_WORKDIR, "--workdir", help="Where outputs are kept and reused while up to date."
    ),
    thresholds: list[str] | None = typer.Option(
        None, "--threshold", "-t", help="Override a setting: KEY=VALUE (repeatable), e.g. min_f1=0.95."
    ),
    reuse: bool = typer.Option(True, "--reuse/--no-reuse", help="Reuse up-to-date outputs in --workdir."),
    sets: list[str] | None = typer.Option(
        None, "--set", help="Override an extraction setting: KEY=VALUE (repeatable), e.g. limits.max_pages=50."
    ),
) -> None:
    """Extract and check documents: against expected files, or by intrinsic checks. Exit 0/1/2."""
    try:
        settings = from_command_line(config, sets, ignore=threshold_keys())
    except SettingsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(2) from None
    raise typer.Exit(run_check(
        paths, expected=expected, config=config, fmt=fmt, output=output, update_expected=update_expected,
        workdir=workdir, thresholds=thresholds or (), reuse=reuse, settings=settings,
    ))
