"""The fields of one task, whether it came from a table row or a prose paragraph.

Given what a segmenter found for a task (its agency text or sentences, its deadline text), return
its lead and support agencies, its parsed deadline and the warnings a reader should see. Table rows
(pipeline) and prose tasks (segment.prose) both end here, so that a deadline or an agency reads the
same and warns the same wherever it was printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tthc_extract.fields.agency import parse_agencies, starts_agency
from tthc_extract.fields.deadline import parse_deadline
from tthc_extract.fields.sentence import sentence_agencies
from tthc_extract.model.plan import Agency, Deadline
from tthc_extract.model.warnings import Warning, warn
from tthc_extract.text.normalize import one_line


@dataclass(frozen=True)
class TaskFields:
    """A task's agencies, deadline and warnings, ready for a TaskRow or a ProseTask."""

    lead: list[Agency]
    support: list[Agency]
    agencies_raw: str | None
    deadline_raw: str | None
    deadline: Deadline
    warnings: list[Warning] = field(default_factory=list)


def _finish(
    lead: list[Agency], support: list[Agency], agencies_raw: str | None, deadline_raw: str | None, plan_year: int | None,
    deadline: Deadline | None = None,
) -> TaskFields:
    """Return the fields with the deadline parsed (unless given) and the shared warnings added."""
    if deadline is None:
        deadline = parse_deadline(deadline_raw, plan_year)
    warnings = []
    if deadline_raw and deadline.kind == "unknown":
        warnings.append(warn("deadline_not_understood", "deadline not understood"))
    if not lead and not support:
        warnings.append(warn("no_agency", "no agency"))
    return TaskFields(lead, support, agencies_raw, deadline_raw, deadline, warnings)


def _agency_lines(text: str | None) -> str:
    """Return an agency cell's lines, each with single spaces.

    A "- " line that does not open an agency, under a line that ends without a separator, is
    the rest of a name whose hyphen fell at the line start ("Sở Lao động" / "- Thương binh và Xã
    hội"): it goes on the line above.
    """
    lines = [" ".join(ln.split()) for ln in (text or "").split("\n") if ln.strip()]
    out: list[str] = []
    for ln in lines:
        if out and ln.startswith("- ") and not out[-1].endswith((".", ";", ":", ",")) and not starts_agency(ln[2:]):
            out[-1] += " " + ln
        else:
            out.append(ln)
    return "\n".join(out)


def cell_fields(
    agency: str | None,
    deadline: str | None,
    plan_year: int | None,
    *,
    lead: str | None = None,
    support: str | None = None,
    split: bool = False,
    start: str | None = None,
    two_times: bool = False,
) -> TaskFields:
    """Return the fields of a table row from its cells.

    ``split``: the table has separate lead / support columns (``lead``, ``support``); else
    ``agency`` is one cell whose role words decide. The agency parser gets the cell's lines: it
    joins soft wraps and splits where a line opens another agency ("Văn phòng UBND tỉnh" / "Sở Tư
    pháp", GOLD_SPEC); a "- " line inside a cell that is not a bulleted list goes on the line above
    ("Sở Lao động" / "- Thương binh và Xã hội"). The raw fields are one line.
    ``two_times``: the time is printed in two columns, ``start`` and ``deadline`` (the due time).
    """
    if split:
        lead_raw, support_raw = one_line(lead), one_line(support)
        leads, _ = parse_agencies(_agency_lines(lead), "lead")
        _, supports = parse_agencies(_agency_lines(support), "support")
        raw = f"{lead_raw} || {support_raw}".strip() if (lead_raw or support_raw) else None
    else:
        raw = one_line(agency) or None
        leads, supports = parse_agencies(_agency_lines(agency) or None, "agency")
    if two_times:
        dl_raw, dl = two_column_deadline(one_line(start), one_line(deadline), plan_year)
        return _finish(leads, supports, raw, dl_raw, plan_year, dl)
    return _finish(leads, supports, raw, one_line(deadline) or None, plan_year)


def two_column_deadline(start: str, due: str, plan_year: int | None) -> tuple[str | None, Deadline]:
    """Return deadline_raw and the deadline of two time columns ("Thời gian bắt đầu" | "... kết thúc").

    GOLD_SPEC: deadline_raw "<start cell> || <due cell>"; kind and end from the due cell, start from
    the start cell (the first day of the period it names, or its date).
    """
    if not (start or due):
        return None, parse_deadline(None, plan_year)
    deadline = parse_deadline(due or None, plan_year)
    if start:
        first = parse_deadline(start, plan_year)
        begin = first.start or (min(first.dates) if first.dates else first.end)
        deadline = deadline.model_copy(update={"start": begin})
    return f"{start} || {due}".strip(), deadline


def prose_fields(
    heading_leads: list[Agency], sentences: list[str], deadline_raw: str | None, plan_year: int | None
) -> TaskFields:
    """Return the fields of a prose task from its heading's leads, its sentences and its due text."""
    lead, support = sentence_agencies(heading_leads, sentences)
    return _finish(lead, support, None, deadline_raw, plan_year)
