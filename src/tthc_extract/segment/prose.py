"""Numbered prose tasks: plans (or appendices) that assign work in paragraphs instead of a table.

Given a :class:`Document`, return a :class:`ProseTask` for every numbered item ("1.", "1.1.",
"2)") of a work-assigning section that names an agency or a due time. The walk reads like the
algorithm: paragraphs -> lines (soft wraps joined) -> parts (the plan, each appendix; the outer
decision's articles and the signature blocks left out; a part holding a task table gives none) ->
sections ("I. MỤC ĐÍCH, YÊU CẦU" skipped) -> items (number, heading, body) -> fields.

Agencies come from the sentences: the subject of each sentence (the noun phrase before its verb,
found with underthesea's part-of-speech tags and the role words of the agency grammar), "phối hợp
với X" objects, a heading that is an agency or "Đối với X", and labelled lines ("Cơ quan chủ trì:
..."); the agency grammar decides names and roles. Deadlines are the deadline grammar's labelled
lines and due phrases, parsed with the table cells' parser. Words live in grammars/prose.toml.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import regex as re

from tthc_extract import grammars
from tthc_extract.fields.deadline import find_due_phrases
from tthc_extract.fields.sentence import heading_agencies, strip_unit
from tthc_extract.fields.task import prose_fields
from tthc_extract.model.document import Document, Paragraph, Table
from tthc_extract.model.plan import Agency, ProseTask, RowProvenance
from tthc_extract.segment.tables import TaskTable, find_task_tables
from tthc_extract.text.normalize import one_line


@dataclass(frozen=True)
class _Grammar:
    """The compiled patterns of grammars/prose.toml and the agency / deadline words it reuses."""

    hard_break: Any
    furniture: Any
    opens: Any
    decision: Any
    ends: Any
    roman: Any
    caps: Any
    skip: Any
    assign: Any
    number: Any
    closing: Any
    title_words: int
    sentence_end: Any
    recurring: Any
    repeat: Any
    deadline_label: Any  # "Thời gian thực hiện:" (deadlines.toml [prose].labels)


def _alt(patterns: list[str]) -> str:
    """Return the patterns as one non-capturing alternation."""
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


@functools.cache
def grammar() -> _Grammar:
    """Return the compiled prose grammar (built once per process)."""
    g = grammars.load("prose")
    labels = grammars.load("deadlines")["prose"]["labels"]
    ci = re.IGNORECASE
    return _Grammar(
        hard_break=re.compile(g["lines"]["hard_break"]),
        furniture=re.compile(g["lines"]["furniture"]),
        opens=re.compile(g["parts"]["opens"]),
        decision=re.compile(g["parts"]["decision"]),
        ends=re.compile(g["parts"]["ends"]),
        roman=re.compile(g["sections"]["roman"]),
        caps=re.compile(g["sections"]["caps"]),
        skip=re.compile(g["sections"]["skip"], ci),
        assign=re.compile(g["sections"]["assign"], ci),
        number=re.compile(g["items"]["number"]),
        closing=re.compile(g["items"]["closing"], ci),
        title_words=int(g["items"]["title_words"]),
        sentence_end=re.compile(g["items"]["sentence_end"]),
        recurring=re.compile(g["due"]["recurring"], ci),
        repeat=re.compile(g["due"]["repeat"], ci),
        deadline_label=re.compile(rf"^{_alt([re.escape(x) for x in labels])}\s*:", ci),
    )


# ---------------------------------------------------------------------------------------------
# Lines and parts


@dataclass(frozen=True)
class Line:
    """One logical line of body text (soft wraps joined), or a table's place (``table`` set)."""

    text: str
    page: int = 1
    line: int | None = None
    table: int | None = None


def paragraph_lines(p: Paragraph) -> list[Line]:
    """Given a paragraph, return its logical lines: a break is kept only before a bullet, number or label."""
    g = grammar()
    page = p.prov.page if p.prov else 1
    first = p.prov.line if p.prov else None
    out: list[Line] = []
    for i, raw in enumerate(p.text.split("\n")):
        text = " ".join(raw.split())
        if not text or g.furniture.match(text):
            continue
        if out and not g.hard_break.match(text):
            prev = out[-1]
            out[-1] = Line(f"{prev.text} {text}", prev.page, prev.line)
            continue
        out.append(Line(text, page, None if first is None else first + i))
    return out


def document_lines(doc: Document) -> list[Line]:
    """Return the document's logical lines in reading order, a table standing as one marker line."""
    out: list[Line] = []
    for blk in doc.blocks:
        if isinstance(blk, Table):
            out.append(Line("", blk.page, None, table=blk.index))
        else:
            out.extend(paragraph_lines(blk))
    return out


@dataclass
class Part:
    """A part of the document whose prose may assign work: the plan or one appendix."""

    lines: list[Line] = field(default_factory=list)
    tables: list[int] = field(default_factory=list)
    started: bool = False  # a section or item line was seen (a later opening starts a new part)


def split_parts(lines: list[Line]) -> list[Part]:
    """Given the document lines, return its parts (decision articles and signature blocks left out)."""
    g = grammar()
    first = Part()  # a plan without a "KẾ HOẠCH" heading starts at the top
    parts: list[Part] = [first]
    current: Part | None = first
    for ln in lines:
        if ln.table is not None:
            if current is not None:
                current.tables.append(ln.table)
                current.started = True
            continue
        if g.opens.match(ln.text):
            if current is None or current.started:
                current = Part()
                parts.append(current)
        elif g.decision.match(ln.text) or g.ends.match(ln.text):
            current = None
        elif current is not None:
            current.lines.append(ln)
            if g.number.match(ln.text) or g.roman.match(ln.text):
                current.started = True
    return parts


# ---------------------------------------------------------------------------------------------
# Sections and items


@dataclass
class Item:
    """A numbered item of a part: its section, number, heading line and body lines."""

    section: str | None
    number: str
    heading: str
    first: Line
    keep: bool  # its section assigns work
    body: list[Line] = field(default_factory=list)
    parent: Item | None = None
    children: int = 0


def section_assigns(title: str) -> bool:
    """Return True when a section with this title assigns work (not purpose / requirements)."""
    g = grammar()
    return not g.skip.search(title) or bool(g.assign.search(title))


def _section(text: str) -> tuple[str, str] | None:
    """Return (number, title) when ``text`` is a section heading, else None."""
    g = grammar()
    m = g.roman.match(text)
    if m is None:
        m = g.caps.match(text)
        if m is None or not (g.skip.search(m["title"]) or g.assign.search(m["title"])):
            return None
    return m["num"], m["title"]


def split_items(part: Part) -> list[Item]:
    """Given a part, return its numbered items with their bodies, sections and parents."""
    g = grammar()
    items: list[Item] = []
    section: str | None = None
    keep = True
    current: Item | None = None
    by_number: dict[str, Item] = {}
    for ln in part.lines:
        sec = _section(ln.text)
        if sec is not None:
            section, keep = sec[0], section_assigns(sec[1])
            current, by_number = None, {}
            continue
        m = g.number.match(ln.text)
        if m is not None:
            num = m["num"]
            parent = by_number.get(num.rsplit(".", 1)[0]) if "." in num else None
            current = Item(section, num, ln.text[m.end():].strip(), ln, keep, parent=parent)
            if parent is not None:
                parent.children += 1
            by_number[num] = current
            items.append(current)
            continue
        if g.closing.match(ln.text):
            current = None
        elif current is not None:
            current.body.append(ln)
    return items


# ---------------------------------------------------------------------------------------------
# Items to tasks


def sentences(text: str) -> list[str]:
    """Return the sentences of a line (cut at ". " before a capital letter)."""
    return [s for s in grammar().sentence_end.split(text) if s.strip()]


def split_heading(heading: str) -> tuple[str, str]:
    """Return (task, rest of the line): a short title before ":", else the first sentence."""
    g = grammar()
    parts = sentences(heading)
    m = re.match(r"^(?P<t>[^:]{1,250}?)\s*:\s+(?P<r>\S.*)$", parts[0] if parts else "")
    if m is not None and len(m["t"].split()) <= g.title_words and not g.deadline_label.match(heading):
        return m["t"], " ".join([m["r"], *parts[1:]])
    if len(parts) > 1:
        return parts[0], " ".join(parts[1:])
    return heading, ""


def _with_recurrences(text: str, phrases: list[str]) -> list[str]:
    """Return the due phrases of ``text`` with recurrences added ([due]): "định kỳ 6 tháng" alone,
    "hằng năm" after a phrase ("trong tháng 12 hằng năm"); in the order of the text."""
    g = grammar()
    spans: list[tuple[int, int]] = []
    pos = 0
    for p in phrases:
        at = text.find(p, pos)
        if at < 0:
            return phrases  # the deadline grammar cleaned the text: keep its phrases as they are
        end = at + len(p)
        rep = g.repeat.match(text, end)
        spans.append((at, rep.end() if rep is not None else end))
        pos = end
    for m in g.recurring.finditer(text):
        if not any(a <= m.start() < b or m.start() <= a < m.end() for a, b in spans):
            spans.append((m.start(), m.end()))
    return [text[a:b] for a, b in sorted(spans)]


def item_deadline(lines: list[str]) -> list[str]:
    """Return an item's due phrases: labelled lines ("Thời gian thực hiện: ...") and due phrases.

    The lines are read as one text (a schedule of bullets is one phrase); a line without final
    punctuation still ends its clause ("- Thời gian: Tháng 6/2022" before "b) ...").
    """
    g = grammar()
    text = " ".join(ln if ln.rstrip().endswith((".", ";", ":", "!", "?")) else f"{ln};" for ln in lines)
    phrases = _with_recurrences(text, find_due_phrases(text))
    for ln in lines:
        ln = strip_unit(ln)
        if g.deadline_label.match(ln) and not any(p in ln or ln in p for p in phrases):
            phrases.append(ln.rstrip(" .;"))
    return phrases


def _leads_of(item: Item) -> list[Agency]:
    """Return the leads an item's heading names (used by its sub-items that name none)."""
    return heading_agencies(split_heading(item.heading)[0])


def item_task(item: Item, plan_year: int | None, file: str) -> ProseTask | None:
    """Return the ProseTask of an item, or None when it names neither an agency nor a due time."""
    task, rest = split_heading(item.heading)
    body = [rest] if rest else []
    body += [ln.text for ln in item.body]
    text = one_line(" ".join(body)) or one_line(item.heading)
    heading_leads = heading_agencies(task)
    units = [] if heading_leads else sentences(task)
    for b in body:
        units += sentences(b)
    phrases = item_deadline([item.heading, *(ln.text for ln in item.body)])
    f = prose_fields(heading_leads, units, "; ".join(phrases) or None, plan_year)
    lead = f.lead
    if not lead and item.parent is not None:
        lead = _leads_of(item.parent)
    if not lead and not f.support and not phrases:
        return None
    warnings = [w for w in f.warnings if w != "no agency" or not lead]
    lines = [item.first, *item.body]
    return ProseTask(
        section=item.section,
        number=item.number,
        task=one_line(task),
        text=text,
        lead_agencies=lead,
        support_agencies=f.support,
        deadline_raw=f.deadline_raw,
        deadline=f.deadline,
        provenance=RowProvenance(
            file=file,
            pages=sorted({ln.page for ln in lines}),
            lines=[ln.line for ln in lines if ln.line is not None],
        ),
        warnings=warnings,
    )


def item_verdicts(doc: Document, task_tables: list[TaskTable] | None = None) -> list[tuple[Item, str]]:
    """Return every numbered item of the document with why it is or is not a task candidate.

    The reason is "candidate", "part has a task table", "section assigns no work" or "parent of
    sub-items"; a candidate still needs an agency or a due time (see :func:`item_task`).
    ``task_tables``: the document's task tables when the caller has them already.
    """
    tasks = find_task_tables(doc)[0] if task_tables is None else task_tables
    task_pieces = {i for tt in tasks for i in tt.pieces}
    out: list[tuple[Item, str]] = []
    for part in split_parts(document_lines(doc)):
        has_table = bool(task_pieces.intersection(part.tables))
        for it in split_items(part):
            if has_table:
                out.append((it, "part has a task table"))
            elif not it.keep:
                out.append((it, "section assigns no work"))
            elif it.children and not it.body:
                out.append((it, "parent of sub-items"))
            else:
                out.append((it, "candidate"))
    return out


def debug_prose(doc: Document, plan_year: int | None = None) -> list[dict[str, Any]]:
    """Return one line per numbered item: section, number, heading and the verdict (for debugging)."""
    rows = []
    for it, reason in item_verdicts(doc):
        if reason == "candidate" and item_task(it, plan_year, doc.source) is None:
            reason = "no agency or due time"
        elif reason == "candidate":
            reason = "task"
        rows.append({"section": it.section, "number": it.number, "heading": it.heading[:80], "verdict": reason})
    return rows


def extract_prose_tasks(
    doc: Document, plan_year: int | None, file: str, *, task_tables: list[TaskTable] | None = None
) -> list[ProseTask]:
    """Return the numbered prose tasks of a document (GOLD_SPEC "Prose task"), in order.

    ``task_tables``: the result of ``find_task_tables(doc)[0]`` when the caller has it already
    (parts holding a task table give no prose tasks); found here otherwise.
    """
    out = []
    for item, reason in item_verdicts(doc, task_tables):
        task = item_task(item, plan_year, file) if reason == "candidate" else None
        if task is not None:
            out.append(task)
    return out
