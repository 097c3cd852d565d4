"""Prose tasks: plans (or appendices) that assign work in paragraphs instead of a table.

Given a :class:`Document`, return a :class:`ProseTask` for every item GOLD_SPEC makes a task. The
walk reads like the algorithm: paragraphs -> lines (soft wraps joined, paragraph ends of a
hard-wrapped export kept) -> parts (the plan, each appendix; the outer decision's articles and the
signature blocks left out; a part holding a task table gives none) -> sections by role (purpose,
work, organisation, funding) -> an outline of items in any enumerator style ("1.", "1.1.", "a)",
"(1)", "Một là,", "-") -> tasks at the right granularity (sub-items are tasks of their own only
when each states its own agency or due time; a label block after them belongs to the parent) ->
fields. Every item of a work section is a task; an organisation item is one when it names an
agency. Labels ("Thời gian thực hiện:", "Cơ quan chủ trì:", "Sản phẩm:") are found anywhere on a
line and win over the sentences; the agencies, deadline and warnings come from fields.task, the
same stage as a table row's. Words live in grammars/prose.toml and grammars/sentences.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex as re

from tthc_extract import grammars
from tthc_extract.fields.deadline import find_due_phrases
from tthc_extract.fields.sentence import heading_agencies, label_value_agencies, strip_unit
from tthc_extract.fields.task import prose_fields
from tthc_extract.model.document import BBox, Document, Paragraph, Table
from tthc_extract.model.plan import Agency, ProseTask, RowProvenance, page_boxes
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
    organisation: Any
    funding: Any
    enumerators: tuple[tuple[str, Any], ...]
    labels: Any  # one alternation, a named group per [[items.labels]] entry (f<i>)
    label_fields: tuple[str, ...]
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


@grammars.cache
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
        organisation=re.compile(g["sections"]["organisation"], ci),
        funding=re.compile(g["sections"]["funding"], ci),
        enumerators=tuple((e["style"], re.compile(e["pattern"])) for e in g["items"]["enumerators"]),
        labels=re.compile(
            r"(?:^|(?<=[.;:]\s)|(?<=^[-+•*–]\s?))(?:"
            + "|".join(f"(?P<f{i}>{x['pattern']})" for i, x in enumerate(g["items"]["labels"]))
            + r")\s*:\s*",
            ci,
        ),
        label_fields=tuple(x["field"] for x in g["items"]["labels"]),
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
    bbox: BBox | None = None  # its region on the page, for sources with geometry (PDF, scans)


# A block of at least this many lines may be a hard-wrapped text export (lines cut at a width).
_WRAPPED_MIN_LINES = 4


def _paragraph_ended(prev: str, text: str, width: int) -> bool:
    """Return True when, in text hard-wrapped at ``width``, the line ``prev`` ended a paragraph.

    A wrapping writer fills each line: when the next line's first word would have fitted after
    ``prev`` and that line starts with a capital, ``prev`` was the end of its paragraph ("1. Kiểm
    soát ... pháp" / "luật" / "Các cơ quan ..." -> the heading ends after "luật").
    """
    if not width or not prev or not text[:1].isupper():
        return False
    first = text.split()[0]
    return len(prev) + 1 + len(first) <= width - 2


def paragraph_lines(p: Paragraph) -> list[Line]:
    """Given a paragraph, return its logical lines: a break is kept only before a bullet, number or label."""
    g = grammar()
    page = p.prov.page if p.prov else 1
    first = p.prov.line if p.prov else None
    box = p.prov.bbox if p.prov else None
    out: list[Line] = []
    raws = p.text.split("\n")
    width = max((len(r.strip()) for r in raws), default=0) if len(raws) >= _WRAPPED_MIN_LINES else 0
    prev_raw = ""
    for i, raw in enumerate(raws):
        text = " ".join(raw.split())
        if not text or g.furniture.match(text):
            continue
        ended = _paragraph_ended(prev_raw, text, width)
        prev_raw = raw.strip()
        band = _slice(box, i, len(raws))
        if out and not g.hard_break.match(text) and not ended:
            prev = out[-1]
            out[-1] = Line(f"{prev.text} {text}", prev.page, prev.line,
                           bbox=BBox.enclosing(b for b in (prev.bbox, band) if b is not None))
            continue
        out.append(Line(text, page, None if first is None else first + i, bbox=band))
    return out


def _slice(box: BBox | None, i: int, n: int) -> BBox | None:
    """Return the band of line ``i`` of ``n`` in a paragraph's box (its lines are evenly spaced)."""
    if box is None or n <= 1:
        return box
    h = (box.bottom - box.top) / n
    return BBox(x0=box.x0, top=round(box.top + i * h, 2), x1=box.x1, bottom=round(box.top + (i + 1) * h, 2))

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
# Sections

Role = str  # "purpose" | "work" | "organisation" | "funding"

def section_role(title: str) -> Role:
    """Return what a section with this title holds: "work", "organisation", "funding" or "purpose".

    GOLD_SPEC: every item of a work section is a task; an item of the closing (organisation)
    section is one when it names an agency; purpose and funding items are none. A title that
    names no role ("ĐỐI TƯỢNG VÀ THỜI GIAN KIỂM TRA") is read as work.
    """
    g = grammar()
    title = title.strip(" :.")
    if g.organisation.search(title):
        return "organisation"
    if g.funding.match(title):
        return "funding"
    if g.skip.search(title) and not g.assign.search(title):
        return "purpose"
    return "work"

def section_assigns(title: str) -> bool:
    """Return True when a section with this title may hold tasks (not purpose / funding)."""
    return section_role(title) in ("work", "organisation")

def _section(text: str) -> tuple[str, str, bool] | None:
    """Return (number, title, is_roman) when ``text`` is a section heading, else None."""
    g = grammar()
    m = g.roman.match(text)
    if m is not None:
        return m["num"], m["title"], True
    m = g.caps.match(text)
    if m is None or not (g.skip.search(m["title"]) or g.assign.search(m["title"])):
        return None
    return m["num"], m["title"], False

# ---------------------------------------------------------------------------------------------
# The outline of a part: items and sub-items

@dataclass
class Item:
    """A numbered (or bulleted) item of a part: its section, number, heading and own body lines."""

    section: str | None
    number: str | None
    heading: str
    first: Line
    role: Role
    style: str = ""
    body: list[Line] = field(default_factory=list)
    parent: Item | None = None
    kids: list[Item] = field(default_factory=list)

    @property
    def keep(self) -> bool:
        """True when the item's section may hold tasks."""
        return self.role in ("work", "organisation")

    @property
    def children(self) -> int:
        """How many sub-items the item has."""
        return len(self.kids)

    def lines(self) -> list[Line]:
        """Return the item's heading, body and every sub-item's lines, in reading order."""
        out = [self.first, *self.body]
        for k in self.kids:
            out += k.lines()
        return out

def enumerator(text: str) -> tuple[str, str, str] | None:
    """Return (style, number, text after it) when ``text`` opens with an item enumerator."""
    for style, pat in grammar().enumerators:
        m = pat.match(text)
        if m is None:
            continue
        num = m["num"]
        if style == "dotted":
            style = f"dotted{num.count('.') + 1}"
        elif "punct" in m.groupdict() and m["punct"]:
            style += m["punct"]
        elif style == "bullet":
            style += num
        return style, num, text[m.end():].strip()
    return None

def _number(style: str, num: str, parent: Item | None) -> str | None:
    """Return an item's number: "1", "1.1" as printed; "2.a" / "2.(1)" under "2."; None for a bullet."""
    if style.startswith("bullet"):
        return None
    if style.startswith(("arabic", "dotted")) or parent is None or parent.number is None:
        return num
    return f"{parent.number}.{num}"

def label_spans(text: str) -> list[tuple[str, int, int, int]]:
    """Return the labels of a line as (field, label start, value start, value end), in order."""
    g = grammar()
    found = list(g.labels.finditer(text))
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        fld = g.label_fields[int(m.lastgroup[1:])] if m.lastgroup else "deadline"
        out.append((fld, m.start(), m.end(), end))
    return out

def _is_label_line(text: str) -> bool:
    """Return True when a line opens with a field label ("Thời gian thực hiện:", "- Cơ quan thực hiện:")."""
    spans = label_spans(text)
    return bool(spans) and not text[: spans[0][1]].strip(" -+•*–")

def split_items(part: Part) -> list[Item]:
    """Given a part, return its items (every level) in order, each with its parent and sub-items.

    A label line after the last sub-item belongs to the parent when the sub-items before it have
    no labels of their own (one "Thời gian thực hiện:" block for the whole item).
    """
    g = grammar()
    items: list[Item] = []
    section: str | None = None
    letter: str | None = None  # "B" while inside "B. NHIỆM VỤ ..." (its Roman groups: "B.I")
    role: Role = "work"
    stack: list[Item] = []
    # lines before the first section of a plan that has sections are its preamble, no items
    sectioned = any(_section(ln.text) is not None for ln in part.lines)
    for ln in part.lines:
        sec = _section(ln.text)
        if sec is not None:
            num, title, roman = sec
            if not roman and num.isalpha():
                letter = num
            elif not roman:
                letter = None
            section = f"{letter}.{num}" if roman and letter else num
            role = section_role(title)
            stack = []
            continue
        if g.closing.match(ln.text):
            stack = []
            continue
        enum = enumerator(ln.text) if not _is_label_line(ln.text) and (section or not sectioned) else None
        if enum is None:
            if stack:
                stack[-1].body.append(ln)
            continue
        style, num, rest = enum
        at = next((i for i, it in enumerate(stack) if it.style == style), None)
        if at is not None:
            stack = stack[:at]
        elif style.startswith("dotted") and stack:
            prefix = num.rsplit(".", 1)[0]
            at = next((i for i, it in enumerate(stack) if it.number == prefix), None)
            stack = stack[: at + 1] if at is not None else stack
        parent = stack[-1] if stack else None
        item = Item(section, _number(style, num, parent), rest, ln, role, style, parent=parent)
        if parent is not None:
            parent.kids.append(item)
        stack.append(item)
        items.append(item)
    for it in items:
        _lift_shared_labels(it)
    return items

def _own_labels(item: Item) -> bool:
    """Return True when an item's own heading or body carries a field label."""
    return any(label_spans(ln.text) for ln in [item.first, *item.body])

def _lift_shared_labels(item: Item) -> None:
    """Move a label block printed after the last sub-item to the item when no other sub-item has labels
    (with one sub-item too: "2. Rà soát" / "- Nội dung: ..." / "- Thời hạn hoàn thành: ...")."""
    if not item.kids or any(_own_labels(k) for k in item.kids[:-1]):
        return
    last = item.kids[-1]
    tail: list[Line] = []
    while last.body and not last.kids and _is_label_line(last.body[-1].text):
        tail.insert(0, last.body.pop())
    item.body += tail

# ---------------------------------------------------------------------------------------------
# Fields of an item

def sentences(text: str) -> list[str]:
    """Return the sentences of a line (cut at ". " before a capital letter)."""
    return [s for s in grammar().sentence_end.split(text) if s.strip()]

def split_heading(heading: str) -> tuple[str, str]:
    """Return (task, rest of the heading paragraph): a short run-in title before ":" is the task
    ("Văn phòng UBND tỉnh: Chủ trì ..."), else the whole paragraph."""
    g = grammar()
    spans = label_spans(heading)
    if spans and not heading[: spans[0][1]].strip():
        return heading, ""
    m = re.match(r"^(?P<t>[^:]{1,250}?)\s*:\s+(?P<r>\S.*)$", heading)
    if m is not None and spans and spans[0][1] < m.end("t"):
        m = None  # the colon is a label's ("Rà soát TTHC. Thời gian thực hiện: Quý II/2022")
    if m is not None and len(m["t"].split()) <= g.title_words and not g.deadline_label.match(heading):
        return m["t"], m["r"]
    return heading, ""

@dataclass
class _Fields:
    """What an item's lines say, split into labelled values and the plain text around them."""

    plain: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)
    lead_labels: list[Agency] = field(default_factory=list)
    support_labels: list[Agency] = field(default_factory=list)
    labelled_agency: bool = False

def _read_labels(texts: list[str]) -> _Fields:
    """Return the labelled values of some lines and their unlabelled text."""

    out = _Fields()
    for text in texts:
        spans = label_spans(text)
        plain = text[: spans[0][1]] if spans else text
        if plain.strip(" -+•*–"):
            out.plain.append(plain.strip())
        for fld, _, a, b in spans:
            value = text[a:b].strip(" ;.,")
            if not value:
                continue
            if fld == "deadline":
                out.deadlines.append(value)
            elif fld in ("lead", "support", "agency"):
                lead, support = label_value_agencies(value, fld)  # type: ignore[arg-type]
                if lead or support:
                    out.labelled_agency = True
                out.lead_labels += lead
                out.support_labels += support
    return out

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
        if not any(a <= m.start() < b for a, b in spans) and not any(m.start() <= a < m.end() for a, b in spans):
            spans.append((m.start(), m.end()))
    return [text[a:b] for a, b in sorted(spans)]

def item_deadline(lines: list[str]) -> list[str]:
    """Return an item's due texts: its labels' values ("Thời gian thực hiện: ..."), or without a
    label the due phrases of its sentences.

    The lines are read as one text (a schedule of bullets is one phrase); a line without final
    punctuation still ends its clause ("- Thời gian: Tháng 6/2022" before "b) ...").
    """
    f = _read_labels(lines)
    if f.deadlines:
        return f.deadlines
    text = " ".join(ln if ln.rstrip().endswith((".", ";", ":", "!", "?")) else f"{ln};" for ln in f.plain)
    return _with_recurrences(text, find_due_phrases(text))

def _states_own(item: Item, sub: bool) -> bool:
    """Return True when an item states its own due time or agency (a label, a due phrase, an agency
    heading; for a numbered sub-item ``sub`` also an agency in its sentences)."""
    texts = [ln.text for ln in item.lines()]
    f = _read_labels([item.heading, *texts[1:]])
    if f.deadlines or f.labelled_agency:
        return True
    if item.style.startswith("bullet"):
        return False
    if item_deadline([item.heading, *texts[1:]]):
        return True
    task, rest = split_heading(item.heading)
    if heading_agencies(task) and rest:
        return True
    if sub:
        units = [u for t in [item.heading, *texts[1:]] for u in sentences(strip_unit(t))]
        return bool(prose_fields([], units, None, None).lead)
    return False

def _splits(item: Item) -> bool:
    """Return True when an item's sub-items are tasks of their own (GOLD_SPEC granularity).

    Not when the item states a label block once for all of them; numbered sub-items ("1.1.")
    split when two or more state their own agency or due time; lettered ones and bullets when
    every one does (bullets: by a label).
    """
    if not item.kids or any(label_spans(ln.text) for ln in item.body):
        return False
    if len(item.kids) == 1:  # a group heading over one labelled task ("2.4. Thông tin" / "- Báo cáo ...")
        return not item.body and bool(_read_labels([ln.text for ln in item.kids[0].lines()]).deadlines)
    if all(k.style.startswith("dotted") for k in item.kids):
        return sum(_states_own(k, True) for k in item.kids) >= 2
    return all(_states_own(k, False) for k in item.kids)

def item_task(item: Item, plan_year: int | None, file: str) -> ProseTask | None:
    """Return the ProseTask of an item (its sub-items inside its text); None for an organisation
    item that names no agency."""
    # the fields are read with a run-in title cut off ("Công khai TTHC: Văn phòng UBND tỉnh ...");
    # the task keeps the whole first paragraph, except an organisation item's agency title
    title, rest = split_heading(item.heading)
    lines = item.lines()
    later = [ln.text for ln in lines[1:]]
    body = [rest, *later] if rest else later
    task = title if item.role == "organisation" else item.heading
    text = body if item.role == "organisation" else later
    f = _read_labels([title, *body])
    heading_leads = heading_agencies(title)
    plain = f.plain[1:] if heading_leads and f.plain[:1] == [title] else f.plain
    units = [strip_unit(u) for p in plain for u in sentences(p)]
    phrases = item_deadline(body) if heading_leads else item_deadline([title, *body])
    raw = "; ".join(phrases) or None
    if f.labelled_agency:
        fields = prose_fields([], [], raw, plan_year)
        lead, support = [*heading_leads, *f.lead_labels], f.support_labels
    else:
        fields = prose_fields(heading_leads, units, raw, plan_year)
        lead, support = fields.lead, fields.support
    if not lead and item.parent is not None and not item.parent.style.startswith("bullet"):
        lead = heading_agencies(split_heading(item.parent.heading)[0])
    if item.role == "organisation" and not lead and not support:
        return None
    warnings = [w for w in fields.warnings if w.code != "no_agency" or not (lead or support)]
    return ProseTask(
        section=item.section,
        number=item.number,
        task=one_line(task),
        text=one_line(" ".join(text)),
        lead_agencies=lead,
        support_agencies=support,
        deadline_raw=fields.deadline_raw,
        deadline=fields.deadline,
        provenance=RowProvenance(
            file=file,
            pages=sorted({ln.page for ln in lines}),
            lines=[ln.line for ln in lines if ln.line is not None],
            boxes=page_boxes((ln.page, ln.bbox) for ln in lines if ln.bbox is not None),
        ),
        warnings=warnings,
    )

def _verdicts(item: Item, out: list[tuple[Item, str]]) -> None:
    """Add the verdict of an item of a task-holding section and of its sub-items to ``out``."""
    if _splits(item):
        out.append((item, "parent of sub-items"))
        for k in item.kids:
            sub = k.style.startswith("dotted")
            if _states_own(k, sub):
                _verdicts(k, out)
            else:
                out.append((k, "states no own agency or due time"))
        return
    out.append((item, "candidate"))
    for k in item.kids:
        out.append((k, "inside its parent"))
        _inside(k, out)

def _inside(item: Item, out: list[tuple[Item, str]]) -> None:
    """Mark the sub-items of an item read as one task as inside it."""
    for k in item.kids:
        out.append((k, "inside its parent"))
        _inside(k, out)

def item_verdicts(doc: Document, task_tables: list[TaskTable] | None = None) -> list[tuple[Item, str]]:
    """Return every item of the document with why it is or is not a task candidate.

    The reason is "candidate", "part has a task table", "section assigns no work", "parent of
    sub-items", "inside its parent" or "states no own agency or due time"; an organisation
    candidate still needs an agency (see :func:`item_task`). ``task_tables``: the document's task
    tables when the caller has them already.
    """
    tasks = find_task_tables(doc)[0] if task_tables is None else task_tables
    task_pieces = {i for tt in tasks for i in tt.pieces}
    out: list[tuple[Item, str]] = []
    for part in split_parts(document_lines(doc)):
        has_table = bool(task_pieces.intersection(part.tables))
        for it in split_items(part):
            if it.parent is not None:
                continue
            if has_table:
                out.append((it, "part has a task table"))
                _inside(it, out)
            elif not it.keep:
                out.append((it, "section assigns no work"))
                _inside(it, out)
            else:
                _verdicts(it, out)
    return out

def debug_prose(doc: Document, plan_year: int | None = None) -> list[dict[str, Any]]:
    """Return one line per item: section, number, heading and the verdict (for debugging)."""
    rows = []
    for it, reason in item_verdicts(doc):
        if reason == "candidate" and item_task(it, plan_year, doc.source) is None:
            reason = "no agency"
        elif reason == "candidate":
            reason = "task"
        rows.append({"section": it.section, "number": it.number, "heading": it.heading[:80], "verdict": reason})
    return rows

def extract_prose_tasks(
    doc: Document, plan_year: int | None, file: str, *, task_tables: list[TaskTable] | None = None
) -> list[ProseTask]:
    """Return the prose tasks of a document (GOLD_SPEC "Prose task"), in order.

    ``task_tables``: the result of ``find_task_tables(doc)[0]`` when the caller has it already
    (parts holding a task table give no prose tasks); found here otherwise.
    """
    out = []
    for item, reason in item_verdicts(doc, task_tables):
        task = item_task(item, plan_year, file) if reason == "candidate" else None
        if task is not None:
            out.append(task)
    return out
