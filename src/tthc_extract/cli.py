"""The command line: a thin layer over the library API (extract, show, schema, check)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from tthc_extract import __version__
from tthc_extract.check.command import check
from tthc_extract.export.writers import append_jsonl, json_path_for, write_json, write_parquet
from tthc_extract.inputs import expand_inputs
from tthc_extract.model.plan import Plan
from tthc_extract.pipeline import extract_one

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Structured data from TTHC-control plan decisions.")
err = Console(stderr=True)
out = Console()


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Files, folders or globs of plan decisions."),
    outdir: Path = typer.Option(Path("out"), "-o", "--out", help="Output folder."),
    parquet: bool = typer.Option(True, "--parquet/--no-parquet", help="Also write the Parquet tables."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar."),
) -> None:
    """Extract every document into OUTDIR (<file>.json each, Parquet tables, errors.jsonl)."""
    inputs = expand_inputs(paths)
    if not inputs:
        err.print("error: no input files found")
        raise typer.Exit(2)
    outdir.mkdir(parents=True, exist_ok=True)
    errors_path = outdir / "errors.jsonl"
    errors_path.unlink(missing_ok=True)
    plans: list[Plan] = []
    failed = 0
    t0 = time.perf_counter()
    with Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal, transient=True,
    ) as progress:
        task = progress.add_task("extracting", total=len(inputs))
        for path, root in inputs:
            progress.update(task, description=path.name[:40])
            res = extract_one(path)
            if res.plan is not None:
                write_json(res.plan, json_path_for(path, outdir, root))
                plans.append(res.plan)
            else:
                failed += 1
                err.print(f"error: {res.error}", markup=False, highlight=False)
                append_jsonl(errors_path, {"file": str(path), "error": res.error})
            progress.advance(task)
    if parquet:
        write_parquet(plans, outdir)
    n_rows = sum(len(p.rows) for p in plans)
    warn = sum(1 for p in plans for r in p.rows if r.warnings)
    dt = time.perf_counter() - t0
    msg = (
        f"{len(inputs)} file(s): {len(plans)} extracted, {failed} failed; {n_rows} rows "
        f"({warn} with warnings) in {dt:.1f}s -> {outdir}"
    )
    if failed:
        msg += f" (errors in {errors_path})"
    out.print(msg, markup=False, highlight=False)
    raise typer.Exit(1 if failed else 0)


@app.command()
def show(
    file: Path = typer.Argument(..., help="A plan document, or a JSON file written by extract."),
    width: int = typer.Option(60, help="Maximum characters of task/result text shown."),
) -> None:
    """Print a document's rows as a readable table."""
    if file.suffix.lower() == ".json":
        plan = Plan.model_validate_json(file.read_text(encoding="utf-8"))
    else:
        res = extract_one(file)
        if res.plan is None:
            err.print(f"error: {res.error}", markup=False)
            raise typer.Exit(1)
        plan = res.plan
    d = plan.document
    out.print(
        f"{plan.source}: {d.doc_type or '?'} {d.doc_number or ''} — {d.issuer or '?'}, "
        f"{d.issue_date or '?'}; plan year {d.plan_year or '?'}; {len(plan.rows)} rows",
        markup=False,
    )
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
        out.print(f"warning: {w}", markup=False)


@app.command()
def schema(
    outdir: Path | None = typer.Option(None, "--out", help="Write all schema files into this folder."),
) -> None:
    """Print the JSON Schema of the per-document JSON (or write all schemas with --out)."""
    from tthc_extract.schemas import plan_schema, render, write_schemas

    if outdir is not None:
        for p in write_schemas(outdir):
            out.print(str(p), markup=False)
        return
    sys.stdout.write(render(plan_schema()))


app.command("check")(check)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


def main() -> None:  # pragma: no cover
    """Entry point for ``python -m tthc_extract``."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

