"""The extraction pipeline: load -> segment -> parse fields -> Plan.

Everything here works on the intermediate document model, never on a file format. A file that
cannot be opened raises ExtractError (the API contract); a document that was opened always gives
a Plan, whose ``status`` says how far its reading went (``Plan.settle_status``): a stage after
loading that raises leaves the plan empty but for the load warnings and the stage's
``<stage>_failed`` warning (status ``failure``). The settings a document is read with
(settings.ExtractSettings: given, or the defaults with the environment variables) are in force for
the whole reading, loaders and grammars included.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tthc_extract.errors import ExtractError, exc_line
from tthc_extract.fields.metadata import read_metadata
from tthc_extract.fields.registry import resolve_plan
from tthc_extract.fields.task import cell_fields
from tthc_extract.limits import MemoryLimitError, memory_message
from tthc_extract.loaders import load
from tthc_extract.model.document import Document
from tthc_extract.model.plan import Plan, RowProvenance, Section, TaskRow, page_boxes
from tthc_extract.model.warnings import Stage, warn
from tthc_extract.segment.generic import generic_tables
from tthc_extract.segment.prose import extract_prose_tasks
from tthc_extract.segment.rows import Row, assemble
from tthc_extract.segment.tables import TaskTable, find_task_tables
from tthc_extract.settings import ExtractSettings, using
from tthc_extract.text.normalize import one_line

SettingsArg = ExtractSettings | Mapping[str, Any] | None  # what extract() and extract_many() take

# Rows whose cells were read by OCR with a confidence below this get a warning.
LOW_CONFIDENCE = 0.6

log = logging.getLogger(__name__)

# The warning a stage after loading leaves when it raises (model.warnings.CODES).
STAGE_FAILED: dict[Stage, str] = {"segment": "segment_failed", "metadata": "metadata_failed", "fields": "fields_failed"}


class _StageFailed(Exception):
    """A stage raised while reading an opened document (carried up to plan_from_document)."""

    def __init__(self, stage: Stage, exc: Exception) -> None:
        super().__init__(f"the {stage} stage raised an internal error ({exc_line(exc)})")
        self.stage = stage


@contextlib.contextmanager
def _stage(name: Stage) -> Iterator[None]:
    """Run a block as stage ``name``: an unexpected exception in it becomes that stage's failure.

    A file's own errors (ExtractError: a limit hit) and MemoryError go on up, as from a loader.
    """
    try:
        yield
    except (ExtractError, MemoryError, _StageFailed):
        raise
    except Exception as exc:
        log.debug("%s stage raised", name, exc_info=True)
        raise _StageFailed(name, exc) from exc


def _opt(text: str) -> str | None:
    """Return one-line text, or None when empty."""
    t = one_line(text)
    return t or None


def _extras(row: Row, tt: TaskTable) -> dict[str, Any]:
    """Return the note, budget and other columns of a row (never read as its other fields)."""
    note_col, budget_col = tt.cmap.get("note"), tt.cmap.get("budget")
    out: dict[str, Any] = {"note": None, "budget": None, "other_columns": {}}
    for col, text in sorted(row.extras.items()):
        value = one_line(text)
        if not value:
            continue
        if col == note_col:
            out["note"] = value
        elif col == budget_col:
            out["budget"] = value
        else:
            out["other_columns"][tt.cmap.title(col) or f"column {col + 1}"] = value
    return out


def _task_row(row: Row, tt: TaskTable, n: int, file: str, plan_year: int | None) -> TaskRow:
    """Return the output TaskRow for an assembled row: fields parsed, provenance attached."""
    f = cell_fields(
        row.get("agency"),
        row.get("deadline"),
        plan_year,
        lead=row.get("lead"),
        support=row.get("support"),
        split=tt.cmap.split_agencies,
        start=row.get("start"),
        two_times=tt.cmap.has_start,
    )
    warnings = [*row.warnings, *f.warnings]
    if row.confidence is not None and row.confidence < LOW_CONFIDENCE:
        warnings.append(warn("ocr_low_confidence", f"low OCR confidence ({row.confidence:.2f}): check against the source"))
    return TaskRow(
        row_id=f"{Path(file).name}#{n}",
        section=row.section,
        section_title=row.section_title,
        stt=row.stt,
        task=one_line(row.get("task")),
        result=_opt(row.get("result")),
        agencies_raw=f.agencies_raw,
        lead_agencies=f.lead,
        support_agencies=f.support,
        deadline_raw=f.deadline_raw,
        deadline=f.deadline,
        **_extras(row, tt),
        spans_pages=row.spans_pages,
        is_subrow=row.is_subrow,
        confidence=row.confidence,
        provenance=RowProvenance(
            file=file, pages=sorted(row.pages), table=row.table, source_rows=row.source_rows, lines=row.lines,
            boxes=page_boxes(row.boxes),
        ),
        warnings=warnings,
    )


def _opened(doc: Document, file: str) -> Plan:
    """Return the Plan of an opened document before anything is read from it: its load warnings."""
    return Plan(source=Path(doc.source).name, file=file, format=doc.format, pages=len(doc.pages),
                warnings=list(doc.warnings))


def _read_plan(doc: Document, file: str) -> Plan:
    """Return the Plan read from ``doc``, each step in its stage (a raise becomes _StageFailed)."""
    plan = _opened(doc, file)
    with _stage("segment"):
        tasks, others = find_task_tables(doc)
    first_task = tasks[0].pieces[0] if tasks else None
    with _stage("metadata"):
        plan.document, meta_warnings = read_metadata(doc, first_task_table=first_task)
    plan.warnings.extend(meta_warnings)
    plan_year = plan.document.plan_year
    n = 0
    for tt in tasks:
        with _stage("segment"):
            rows, sections = assemble(tt.rows, tt.cmap.split_agencies, tt.cmap.has_start)
        plan.sections.extend(Section(number=s.number, title=s.title) for s in sections)
        with _stage("fields"):
            for r in rows:
                n += 1
                plan.rows.append(_task_row(r, tt, n, file, plan_year))
        if tt.unmapped_titles:
            plan.warnings.append(warn("unmapped_columns",
                                      f"table {tt.pieces[0]}: unmapped columns: {', '.join(tt.unmapped_titles)}"))
    with _stage("segment"):
        plan.prose_tasks = extract_prose_tasks(doc, plan_year, file, task_tables=tasks)
        plan.tables = generic_tables(others, doc, file)
    _size_boxes(plan, doc)
    with _stage("fields"):
        resolve_plan(plan)
    if not tasks and not plan.prose_tasks:
        plan.warnings.append(warn("no_task_table", "no task table found (no header with task/agency/deadline columns)"))
    return plan


def plan_from_document(doc: Document, file: str | None = None) -> Plan:
    """Return the Plan read from an intermediate document (any loader's output), its status settled.

    A stage that raises gives the plan of the opened document with that stage's failure warning
    (status ``failure``) instead of an exception: the document was read, its plan was not.
    """
    file = file or doc.source
    try:
        plan = _read_plan(doc, file)
    except _StageFailed as failed:
        log.warning("%s: %s", file, failed)
        plan = _opened(doc, file)
        plan.warnings.append(warn(STAGE_FAILED[failed.stage], str(failed)))
    plan.settle_status()
    return plan


def _size_boxes(plan: Plan, doc: Document) -> None:
    """Give every provenance box the size of its page, so a viewer can scale it onto a page image."""
    sizes = {p.number: (p.width, p.height) for p in doc.pages}
    for prov in [*(r.provenance for r in plan.rows), *(t.provenance for t in plan.prose_tasks)]:
        for b in prov.boxes:
            w, h = sizes.get(b.page, (None, None))
            b.page_width, b.page_height = (round(w, 2) if w else None), (round(h, 2) if h else None)


def extract(path: str | os.PathLike[str], settings: SettingsArg = None) -> Plan:
    """Return the Plan extracted from one document file (raises ExtractError if unreadable).

    ``settings``: an ExtractSettings, a dict of settings keys (nested tables as dicts, e.g.
    ``{"ocr_workers": 2, "limits": {"max_pages": 50}}``) over the environment variables and the
    defaults, or None for those alone (ExtractSettings.resolve; no config file is read). Raises
    SettingsError for an unknown key or a bad value.
    """
    with using(ExtractSettings.resolve(settings)):
        return _extract(Path(path))


def _extract(p: Path) -> Plan:
    """Return the Plan of ``p`` read with the settings in force."""
    try:
        doc = load(p)
    except ExtractError:
        raise
    except MemoryError:
        raise MemoryLimitError(str(p), memory_message()) from None
    except Exception as exc:  # a loader bug or an unexpected file: one line, never a traceback
        raise ExtractError(str(p), f"cannot read ({exc_line(exc)})") from exc
    log.info("%s: read as %s, %d page(s)", p, doc.format, len(doc.pages))
    plan = plan_from_document(doc, str(p))
    log.info("%s: %d task row(s), %d prose task(s), %d other table(s), status %s", p, len(plan.rows),
             len(plan.prose_tasks), len(plan.tables), plan.status)
    return plan


@dataclass
class Result:
    """The outcome for one file of a batch: a Plan, or an error line."""

    path: str
    plan: Plan | None = None
    error: str | None = None
    seconds: float = 0.0
    out_of_memory: bool = False  # the memory ran out: a worker should be replaced after this file

    @property
    def ok(self) -> bool:
        """True when the file was extracted."""
        return self.plan is not None


def extract_one(path: str | os.PathLike[str], settings: SettingsArg = None) -> Result:
    """Return the Result for one file; its errors are caught and reported, never raised (bad
    ``settings`` raise SettingsError: they are no file's fault)."""
    resolved = ExtractSettings.resolve(settings)
    t0 = time.perf_counter()
    try:
        plan = extract(path, resolved)
        return Result(path=str(path), plan=plan, seconds=time.perf_counter() - t0)
    except ExtractError as exc:
        return Result(path=str(path), error=str(exc), seconds=time.perf_counter() - t0,
                      out_of_memory=isinstance(exc, MemoryLimitError))
    except MemoryError:  # after loading (segmenting, parsing fields)
        return Result(path=str(path), error=f"{path}: {memory_message()}", seconds=time.perf_counter() - t0,
                      out_of_memory=True)
    except Exception as exc:  # noqa: BLE001 - a batch must go on whatever one file does
        msg = f"{path}: internal error ({exc_line(exc)})"
        return Result(path=str(path), error=msg, seconds=time.perf_counter() - t0)


def extract_many(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                 settings: SettingsArg = None) -> Iterator[Result]:
    """Yield a Result per file, in order; one bad file never stops the others.

    ``paths`` is one path or several; a folder stands for the plan documents under it (recursive,
    as the CLI reads it), so a lone string is never taken for a sequence of characters.
    ``settings`` as for :func:`extract`, resolved once, here (bad settings raise SettingsError
    at the call, before any file is read).
    """
    return _results(paths, ExtractSettings.resolve(settings))


def _results(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
             settings: ExtractSettings) -> Iterator[Result]:
    from tthc_extract.inputs import expand_inputs

    items = [paths] if isinstance(paths, (str, os.PathLike)) else paths
    for p in items:
        if Path(p).is_dir():
            for f, _root in expand_inputs([os.fspath(p)]):
                yield extract_one(f, settings)
        else:
            yield extract_one(p, settings)
