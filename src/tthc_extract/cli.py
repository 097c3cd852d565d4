"""The command line: a thin layer over the library API (extract, show, schema, check, debug, review).

The commands that read documents take their settings (settings.ExtractSettings) from, later ones
winning: the defaults, ``--config FILE`` or else the [tool.tthc-extract] table of the closest
pyproject.toml, the environment variables, then ``--set KEY=VALUE`` and the options that are
settings (``-j``, ``--timeout``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from tthc_extract import __version__
from tthc_extract.check.command import check
from tthc_extract.errors import os_reason
from tthc_extract.inputs import collect_inputs
from tthc_extract.model.plan import Plan
from tthc_extract.names import json_bytes, shown
from tthc_extract.pipeline import extract_one
from tthc_extract.settings import (
    ExtractSettings,
    SettingsError,
    env_values,
    find_pyproject,
    from_command_line,
    markdown_table,
    to_toml,
)

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Structured data from TTHC-control plan decisions.")
# soft_wrap: a message stays one line whatever the terminal width (logs are grepped line by line).
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def say(line: str, console: Console = err) -> None:
    """Print one plain line (no markup), a file name that is not UTF-8 shown escaped (names.shown)."""
    console.print(shown(line), markup=False, highlight=False)


CONFIG_HELP = ("TOML settings file (default: the [tool.tthc-extract] table of the closest pyproject.toml, "
               "from the current folder up).")
SET_HELP = "Override a setting: KEY=VALUE (repeatable), e.g. ocr_workers=2, limits.max_pages=50."
CONFIG = typer.Option(None, "--config", help=CONFIG_HELP)
SETS = typer.Option(None, "--set", help=SET_HELP)


def load_settings(config: Path | None, sets: Sequence[str] | None,
                  options: Mapping[str, tuple[str, Any]] | None = None) -> ExtractSettings:
    """Return a command's settings (settings.from_command_line: defaults < config file <
    environment < ``--set`` items < the options that are settings). Exits 2 with one ``error:``
    line naming the file, variable or option and the key when one is wrong."""
    try:
        return from_command_line(config, sets, options)
    except SettingsError as exc:
        say(f"error: {exc}")
        raise typer.Exit(2) from None


def _version(value: bool) -> None:
    """The eager ``--version`` option: print the version and stop (a callback, not a command)."""
    if value:
        say(__version__, out)
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    verbose: int = typer.Option(0, "-v", "--verbose", count=True, help="Log what the reading does (-vv: more)."),
    log_file: Path | None = typer.Option(None, "--log-file", help="Write the log to this file (appended)."),
) -> None:
    """Structured data from TTHC-control plan decisions."""
    from tthc_extract.logs import configure, level_for

    if verbose or log_file is not None:
        configure(level_for(verbose or 1), str(log_file) if log_file else None)


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Files, folders or globs of plan decisions."),
    outdir: Path = typer.Option(Path("out"), "-o", "--out", help="Output folder."),
    parquet: bool = typer.Option(True, "--parquet/--no-parquet", help="Also write the Parquet tables."),
    formats: str = typer.Option("json,parquet", "--format", help="Outputs, comma-separated: json (always), "
                                "parquet, xlsx (OUTDIR/tthc.xlsx), csv (OUTDIR/<table>.csv, UTF-8 with BOM)."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar."),
    jobs: int | None = typer.Option(None, "-j", "--jobs", show_default=False,
                                    help="Worker processes (setting jobs; default: the machine's cores)."),
    timeout: float | None = typer.Option(None, "--timeout", show_default=False,
                                         help="Seconds one document may take (setting document_timeout, "
                                              "default 600; 0: no limit)."),
    force: bool = typer.Option(False, "--force", help="Extract again documents whose output is up to date."),
    executor: str = typer.Option("local", "--executor", help="local (process pool) or dask (a cluster)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786)."),
    max_tasks_per_child: int = typer.Option(100, "--max-tasks-per-child", help="Documents per worker before it is replaced."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as one JSON object on stdout."),
    config: Path | None = CONFIG,
    sets: list[str] | None = SETS,
) -> None:
    """Extract every document into OUTDIR (<file>.json each, Parquet tables, errors.jsonl).

    Documents already extracted from the same content by the same tool version (and settings
    that change outputs) are skipped (OUTDIR/manifest.json) unless --force. Ctrl-C stops after
    writing what finished.
    """
    from tthc_extract.batch import BatchError, BatchOptions, run_batch
    from tthc_extract.batch.formats import parse_formats, write_formats

    try:
        wanted = parse_formats(formats)
    except ValueError as exc:
        say(f"error: --format: {exc}")
        raise typer.Exit(2) from None
    parquet = parquet and "parquet" in wanted
    settings = load_settings(config, sets, {"jobs": ("-j/--jobs", jobs or None),
                                            "document_timeout": ("--timeout", timeout)})

    found = collect_inputs(paths)
    inputs = found.files
    if not inputs:
        for p in found.problems:
            say(f"error: {p['error']}")
        say("error: no input files found")
        raise typer.Exit(2)
    if executor not in ("local", "dask"):
        say("error: --executor is local or dask (dask alone starts a local cluster)")
        raise typer.Exit(2)
    opts = BatchOptions(force=force, parquet=parquet, executor=executor, scheduler=scheduler,
                        max_tasks_per_child=max_tasks_per_child, settings=settings)
    with Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal, transient=True,
    ) as progress:
        task = progress.add_task("extracting", total=len(inputs) + len(found.problems))

        def on_done(path: str, status: str, error: str | None) -> None:
            if error:
                say(f"error: {error}")
            progress.update(task, advance=1)

        def on_start(path: str) -> None:
            progress.update(task, description=f"reading {shown(Path(path).name[:40])}")

        try:
            s = run_batch(inputs, outdir, opts, on_done, problems=found.problems, on_start=on_start)
        except BatchError as exc:
            say(f"error: {exc}")
            raise typer.Exit(2) from None
    write_formats(outdir, wanted)
    done = f"{s.extracted} extracted, {s.failed} failed" + (f", {s.unchanged} unchanged" if s.unchanged else "")
    # read, but not wholly: the plans' "status" says which (README: Warnings and status)
    done += f", {s.partial} partial" if s.partial else ""
    done += f", {s.no_plan} with no plan read" if s.no_plan else ""
    msg = (
        f"{s.files} file(s): {done}; {s.rows} rows ({s.warn_rows} with warnings) "
        f"in {s.seconds:.1f}s -> {outdir}"
    )
    if s.failed:
        msg += f" (errors in {outdir / 'errors.jsonl'})"
    if as_json:
        summary = {k: getattr(s, k) for k in ("files", "extracted", "unchanged", "failed", "cancelled", "rows",
                                             "warn_rows", "partial", "no_plan", "interrupted", "notes")}
        summary |= {"seconds": round(s.seconds, 3), "outdir": str(outdir), "errors": str(outdir / "errors.jsonl")}
        # json_bytes: a file name that is not UTF-8 (in a note, in OUTDIR) kept as its \udcXX escape
        sys.stdout.write(json_bytes(summary).decode("utf-8") + "\n")
    else:
        say(msg, out)
    skipped = found.skipped_note()
    for note in ([skipped] if skipped else []) + s.notes:
        say(f"note: {note}")
    if s.interrupted:
        say(f"interrupted: {s.files - s.extracted - s.failed - s.unchanged} document(s) "
            "not done; run the same command again to do them")
        raise typer.Exit(130)
    raise typer.Exit(1 if s.failed else 0)


def _read_plan_json(file: Path) -> Plan:
    """Return the Plan of a JSON file written by extract; exit 1 with one error line otherwise."""
    try:
        return Plan.from_json_bytes(file.read_bytes())
    except OSError as exc:
        reason = os_reason(exc)
    except ValidationError as exc:  # bad JSON, or the JSON of something else (a manifest, a gold file)
        e = exc.errors()[0]
        where = ".".join(str(x) for x in e["loc"])
        reason = f"not a document JSON written by `tthc-extract extract` ({where + ': ' if where else ''}{e['msg']})"
    say(f"error: {file}: {reason}")
    raise typer.Exit(1)


SHOW_FORMATS = ("table", "json", "csv", "markdown")


def render_plan(plan: Plan, fmt: str) -> str:
    """Return ``plan`` as ``fmt``: its JSON, or its rows (rows.parquet columns) as CSV or a Markdown table."""
    from tthc_extract.export.sheets import flat_frame
    from tthc_extract.export.writers import plan_json

    if fmt == "json":
        return plan_json(plan)
    df = flat_frame(plan.rows_frame())
    if fmt == "csv":
        return str(df.to_csv(index=False, lineterminator="\n"))
    cols = ["section", "stt", "task", "result", "lead_agencies", "support_agencies", "deadline_raw"]

    def cell(v: object) -> str:
        return "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df[cols].itertuples(index=False)]
    return "\n".join(lines) + "\n"


@app.command()
def show(
    file: Path = typer.Argument(..., help="A plan document, or a JSON file written by extract."),
    width: int = typer.Option(60, help="Maximum characters of task/result text shown."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | json (the document JSON) | csv | markdown"),
    config: Path | None = CONFIG,
    sets: list[str] | None = SETS,
) -> None:
    """Print a document's rows as a readable table (or as JSON, CSV, Markdown); exit 1 for a non-plan."""
    if fmt not in SHOW_FORMATS:
        say(f"error: --format is one of {', '.join(SHOW_FORMATS)}")
        raise typer.Exit(2)
    if file.suffix.lower() == ".json":
        plan = _read_plan_json(file)
    else:
        res = extract_one(file, load_settings(config, sets))
        if res.plan is None:
            say(f"error: {res.error}")
            raise typer.Exit(1)
        plan = res.plan
    if not (plan.rows or plan.prose_tasks):
        say(f"error: {file}: no task table or prose tasks found: not a plan document")
        raise typer.Exit(1)
    if fmt != "table":
        sys.stdout.write(render_plan(plan, fmt))
        return
    d = plan.document
    say(f"{plan.source}: {d.doc_type or '?'} {d.doc_number or ''} — {d.issuer or '?'}, "
        f"{d.issue_date or '?'}; plan year {d.plan_year or '?'}; {len(plan.rows)} rows", out)
    tbl = RichTable(show_lines=False, expand=True)
    for col in ("sec", "stt", "task", "result", "lead", "support", "deadline", "!"):
        tbl.add_column(col, overflow="fold")

    def cut(s: str | None) -> str:
        s = s or ""
        return s if len(s) <= width else s[: width - 1] + "…"

    for r in plan.rows:
        dl = r.deadline
        when = dl.kind + (f" {dl.end}" if dl.end else "")
        tbl.add_row(
            r.section or "", r.stt or "", cut(r.task), cut(r.result),
            "; ".join(a.name for a in r.lead_agencies), "; ".join(a.name for a in r.support_agencies),
            when, str(len(r.warnings)) if r.warnings else "",
        )
    out.print(tbl)
    for w in plan.warnings:
        say(f"warning: {w.message} [{w.code}]", out)


@app.command()
def schema(
    outdir: Path | None = typer.Option(None, "--out", help="Write all schema files into this folder."),
) -> None:
    """Print the JSON Schema of the per-document JSON (or write all schemas with --out)."""
    from tthc_extract.schemas import plan_schema, render, write_schemas

    if outdir is not None:
        for p in write_schemas(outdir):
            say(str(p), out)
        return
    sys.stdout.write(render(plan_schema()))


app.command("check")(check)


@app.command("settings")
def settings_command(
    config: Path | None = CONFIG,
    sets: list[str] | None = SETS,
    markdown: bool = typer.Option(False, "--markdown", help="Print the table of every key instead (README.md's)."),
) -> None:
    """Print the settings in force here as TOML: defaults, config file, environment, --set applied."""
    if markdown:
        sys.stdout.write(markdown_table())
        return
    settings = load_settings(config, sets)
    source = config or find_pyproject()
    layers = [str(source) if source else "defaults"] + (["environment"] if env_values() else []) + (
        ["--set"] if sets else [])
    sys.stdout.write(f"# from: {' < '.join(layers)}\n" + to_toml(settings))


@app.command()
def debug(
    file: Path = typer.Argument(..., help="A PDF (typed or scanned) or an image file."),
    page: int | None = typer.Option(None, "--page", help="Draw only this page (1-based)."),
    outdir: Path = typer.Option(Path("debug"), "-o", "--out", help="Folder for the PNG files."),
    dpi: float = typer.Option(100.0, "--dpi", help="Resolution of the PNG files (not the OCR's: setting ocr_dpi)."),
    config: Path | None = CONFIG,
    sets: list[str] | None = SETS,
) -> None:
    """Draw what the table readers saw: one PNG per page with the ruling lines (red), column
    boundaries (blue), cells (green) and the rows kept (orange, with their row number and STT)."""
    from tthc_extract.debug_draw import render
    from tthc_extract.debug_view import debug as read_debug
    from tthc_extract.errors import ExtractError

    settings = load_settings(config, sets)
    try:
        report = read_debug(file, settings)
        paths = render(report, outdir, page=page, dpi=dpi)
    except ExtractError as exc:
        say(f"error: {exc}")
        raise typer.Exit(1) from None
    except KeyError as exc:
        say(f"error: {file}: {exc.args[0]}")
        raise typer.Exit(2) from None
    for p in report.pages if page is None else [report.page(page)]:
        kept = {k.number for k in p.kept}
        say(f"page {p.number}: {len(p.rules)} rules, {len(p.tables)} table piece(s), "
            f"{sum(len(t.cells) for t in p.tables)} cells, {len(kept)} row(s) kept", out)
    for path in paths:
        say(str(path), out)


@app.command()
def review(
    outdir: Path = typer.Argument(..., help="An extraction folder (what `extract -o` wrote)."),
    site: Path | None = typer.Option(None, "-o", "--out", help="Site folder (default: OUTDIR/review)."),
) -> None:
    """Write a static HTML review site: every row beside the crop of its source, and corpus charts."""
    from tthc_extract.review import build_site

    dest = site if site is not None else outdir / "review"
    n = build_site(outdir, dest)
    say(f"{n} documents: {dest / 'index.html'}", out)


@app.command()
def version() -> None:
    """Print the version."""
    say(__version__, out)


def main() -> None:  # pragma: no cover
    """Entry point for ``python -m tthc_extract``."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

