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
from tthc_extract.fields.agency import (
    Column,
    canonical_name,
    collective_spans,
    find_support_objects,
    match_head,
    match_name_end,
    match_role,
    match_support_object,
    parse_agencies,
)
from tthc_extract.fields.deadline import find_due_phrases, parse_deadline
from tthc_extract.model.document import Document, Paragraph, Table
from tthc_extract.model.plan import Agency, ProseTask, RowProvenance
from tthc_extract.segment.tables import TaskTable, find_task_tables
from tthc_extract.text.normalize import one_line

# Part-of-speech tags (underthesea) that may stand inside an agency's noun phrase.
_NOUN_TAGS = ("N", "Np", "Nc", "Nu", "Ny", "Nb", "L", "M")
_JOINERS = (",", ";", "-", "–", "&", "/", "và")


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
    bullet: Any
    lead_in: Any
    label: Any
    not_subject: Any
    np_words: Any
    predicate: Any
    passive: Any
    bodies: Any
    fillers: Any
    recurring: Any
    repeat: Any
    for_whom: Any
    reference: Any
    agency_labels: tuple[tuple[Any, Column], ...]
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
        bullet=re.compile(g["items"]["bullet"]),
        lead_in=re.compile(g["subjects"]["lead_in"], ci),
        label=re.compile(g["subjects"]["label"]),
        not_subject=re.compile(g["subjects"]["not_subject"], ci),
        np_words=re.compile(g["subjects"]["np_words"], ci),
        predicate=re.compile(g["subjects"]["predicate"]),
        passive=re.compile(g["subjects"]["passive"], ci),
        bodies=re.compile(g["subjects"]["bodies"]),
        fillers=re.compile(g["subjects"]["fillers"], ci),
        recurring=re.compile(g["due"]["recurring"], ci),
        repeat=re.compile(g["due"]["repeat"], ci),
        for_whom=re.compile(g["headings"]["for_whom"], ci),
        reference=re.compile(g["headings"]["reference"], ci),
        agency_labels=tuple((re.compile(x["pattern"], ci), x["column"]) for x in g["agency_labels"]),
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
# Noun phrases


@functools.lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """Return the words of ``text`` with their offsets and part-of-speech tags (underthesea)."""
    from underthesea import pos_tag

    out = []
    pos = 0
    for word, tag in pos_tag(text):
        start = text.find(word, pos)
        if start < 0:
            break
        out.append((start, start + len(word), word, tag))
        pos = start + len(word)
    return tuple(out)


def _verb_like(text: str, tok: tuple[int, int, str, str]) -> bool:
    """Return True when a token is a verb or a role word (the start of a predicate)."""
    return tok[3] == "V" or bool(match_role(text, tok[0]))


def noun_phrase_end(text: str) -> int:
    """Given text starting with an agency's name, return where its noun phrase ends (0: none).

    The phrase goes on over nouns, capitalised words, numbers, "," / "và" before another noun,
    parentheses, [subjects].np_words and passive participles; it ends at a role word, a verb of
    the agency grammar or a lower-case verb, adjective or preposition. A verb right after a body
    head ("Đoàn kiểm tra", "Hội đồng thẩm định") stays in the name when a predicate follows it.
    """
    g = grammar()
    m = match_head(text)
    if m is None:
        return 0
    toks = _tokens(text)
    i = next((k for k, t in enumerate(toks) if t[0] >= m.end()), len(toks))
    end = max([m.end(), *(t[1] for t in toks[:i])])
    body = any(g.bodies.match(t[2]) for t in toks[:i])
    collectives = collective_spans(text)
    while i < len(toks):
        s, e, word, tag = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        w = g.np_words.match(text, s)
        inside = next((b for a, b in collectives if a < s < b), None)
        if inside is not None:
            end = inside  # "UBND các huyện, thành, thị": the collective's words are its own
        elif w is not None:
            end = w.end()
        elif word == "(" and text.find(")", s) > 0:
            end = text.find(")", s) + 1
        elif g.predicate.match(text, s) or g.fillers.match(text, s):
            break
        elif match_role(text, s) or match_name_end(text, s) or tag in ("V", "A", "E", "R", "P", "C", "T"):
            if word in _JOINERS and tag in ("C", "CH"):
                i += 1
                continue
            verb = tag == "V" or bool(match_name_end(text, s))
            if body and verb and nxt is not None and _verb_like(text, nxt) and not match_role(text, s):
                end, body = e, False
            elif (
                g.passive.match(text, s)
                and nxt is not None
                and nxt[3] == "V"
                and not match_role(text, s)
                and not match_role(text, nxt[0])
            ):
                end = nxt[1]
                i += 1
            elif word[:1].isupper() and tag in ("V", "A"):
                end = e  # "Sở Tư pháp", "Sở Kế hoạch và Đầu tư": capitalised name words
            else:
                break
        elif tag in _NOUN_TAGS or tag.startswith("N") or word[:1].isupper() or word[:1].isdigit():
            end, body = e, bool(g.bodies.match(word))
        elif tag == "CH" and word in _JOINERS:
            pass
        else:
            break
        i = next((k for k in range(i + 1, len(toks)) if toks[k][0] >= end), len(toks))
    return end


# ---------------------------------------------------------------------------------------------
# Agencies of an item


@dataclass
class _Agencies:
    """The agencies gathered for one item: clauses for the agency grammar, fixed leads, supports."""

    clauses: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    lead: list[Agency] = field(default_factory=list)
    support: list[Agency] = field(default_factory=list)


def _strip_unit(text: str) -> str:
    """Return a sentence without its bullet and its lead-in words ("- Giao ...")."""
    g = grammar()
    text = g.bullet.sub("", text, count=1).strip()
    return g.lead_in.sub("", text, count=1)


def strip_label(text: str) -> str:
    """Return a sentence without a short label before its subject ("Cách thức: Các sở ..." -> "Các sở ...")."""
    g = grammar()
    m = g.label.match(text)
    return text[m.end():] if m is not None and not match_head(text) else text


def subject_clause(text: str) -> tuple[str, int]:
    """Given a sentence, return (its subject with the role words after it, where that clause ends).

    "Giao Văn phòng UBND tỉnh chủ trì, phối hợp với một số sở, ban, ngành liên quan thành lập
    Đoàn" -> ("Văn phòng UBND tỉnh chủ trì, phối hợp với một số sở, ban, ngành liên quan", ...).
    ("", 0) when the sentence does not open with an agency.
    """
    g = grammar()
    if g.not_subject.match(text):
        return "", 0
    end = noun_phrase_end(text)
    if not end:
        return "", 0
    pieces = [text[:end]]
    pos = end
    while True:
        gap = re.match(r"[\s,]*(?:và\s+)?", text[pos:])
        at = pos + (gap.end() if gap else 0)
        filler = g.fillers.match(text, at)
        if filler is not None:
            pos = filler.end()
            continue
        obj = match_support_object(text, at)
        if obj is not None and match_head(text, obj.end()) and not g.not_subject.match(text, obj.end()):
            stop = obj.end() + noun_phrase_end(text[obj.end():])
            pieces.append(text[at:stop])
            pos = stop
            continue
        role = match_role(text, at)
        if role is None:
            break
        pieces.append(role.group(0))
        pos = role.end()
    roles = ", ".join(p.strip(" ,") for p in pieces[1:] if p.strip(" ,"))
    return f"{pieces[0]} {roles}".strip(), pos


def support_objects(text: str, start: int = 0) -> list[str]:
    """Return the agencies after "phối hợp (với)" in ``text`` from ``start`` (supporting agencies)."""
    g = grammar()
    out = []
    for m in find_support_objects(text, start):
        if match_head(text, m.end()) and not g.not_subject.match(text, m.end()):
            end = noun_phrase_end(text[m.end():])
            if end:
                out.append(text[m.end(): m.end() + end])
    return out


def for_whom(heading: str) -> list[Agency]:
    """Return the leads of an "Đối với X" heading: X split into agencies, a relative clause kept."""
    g = grammar()
    m = g.for_whom.match(heading)
    if m is None:
        return []
    x = g.reference.sub("", heading[m.end():]).strip(" :;.,")
    lead, support = parse_agencies(x, "lead")
    names = [a.name for a in lead + support]
    if not names:
        return []
    at = x.rfind(names[-1])
    if at >= 0 and any(ch.isalpha() for ch in x[at + len(names[-1]):]):
        names[-1] = x[at:]  # "đơn vị, địa phương thực hiện tự kiểm tra": the whole phrase names it
    return [Agency(name=n, canonical=canonical_name(n), role="lead") for n in names]


def _labelled(text: str) -> tuple[list[Agency], list[Agency]] | None:
    """Return (lead, support) of a labelled agency line ("Cơ quan chủ trì: ..."), else None."""
    for pat, column in grammar().agency_labels:
        m = pat.match(text)
        if m is not None:
            return parse_agencies(text[m.end():], column)
    return None


def _heading_agencies(title: str) -> list[Agency]:
    """Return the leads named by an item heading: "Đối với X", or a heading that is only agencies."""
    found = for_whom(title)
    if found:
        return found
    title = _strip_unit(title).rstrip(" :.;")
    if title and not grammar().not_subject.match(title) and noun_phrase_end(title) >= len(title):
        return parse_agencies(title, "lead")[0]
    return []


def _read_sentence(text: str, acc: _Agencies) -> None:
    """Add to ``acc`` the agencies of one sentence: label, subject clause and "phối hợp với" objects."""
    text = _strip_unit(text)
    labelled = _labelled(text)
    if labelled is not None:
        acc.lead += labelled[0]
        acc.support += labelled[1]
        return
    text = strip_label(text)
    clause, end = subject_clause(text)
    if clause:
        acc.clauses.append(clause)
        acc.subjects.append(text[: noun_phrase_end(text)])
    for obj in support_objects(text, end):
        acc.support += parse_agencies(obj, "support")[1]


def _whole_name(agency: Agency, subjects: list[str]) -> Agency:
    """Return ``agency`` with its name running to the end of its place in a subject phrase.

    The agency grammar ends a name at its verbs; in a subject found by the noun-phrase walk a verb
    before the next agency belongs to the name ("Đơn vị, địa phương được kiểm tra").
    """
    name = agency.name
    for subj in subjects:
        at = subj.find(name)
        if at < 0:
            continue
        tail = subj[at + len(name):]
        if tail.strip() and not re.search(r"[,;(]|\s(?:và|cùng)\s", tail):
            whole = (name + tail).strip()
            return agency.model_copy(update={"name": whole, "canonical": canonical_name(whole)})
        return agency
    return agency


def _dedupe(agencies: list[Agency], taken: set[str]) -> list[Agency]:
    """Return ``agencies`` without repeats or names already in ``taken`` (keys added to it)."""
    out = []
    for a in agencies:
        key = re.sub(r"^(?:các|những)\s+", "", a.canonical.casefold())
        if key not in taken:
            taken.add(key)
            out.append(a)
    return out


def item_agencies(heading_leads: list[Agency], sentences: list[str]) -> tuple[list[Agency], list[Agency]]:
    """Given an item's heading leads and its sentences, return its (lead, support) agencies."""
    acc = _Agencies(lead=list(heading_leads))
    for s in sentences:
        _read_sentence(s, acc)
    if acc.clauses:
        lead, support = parse_agencies("\n".join(f"- {c}" for c in acc.clauses))
        acc.lead += [_whole_name(a, acc.subjects) for a in lead]
        acc.support = [_whole_name(a, acc.subjects) for a in support] + acc.support
    taken: set[str] = set()
    lead = _dedupe([a.model_copy(update={"role": "lead"}) for a in acc.lead], taken)
    support = _dedupe([a.model_copy(update={"role": "support"}) for a in acc.support], taken)
    return lead, support


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
        ln = _strip_unit(ln)
        if g.deadline_label.match(ln) and not any(p in ln or ln in p for p in phrases):
            phrases.append(ln.rstrip(" .;"))
    return phrases


def _leads_of(item: Item) -> list[Agency]:
    """Return the leads an item's heading names (used by its sub-items that name none)."""
    return _heading_agencies(split_heading(item.heading)[0])


def item_task(item: Item, plan_year: int | None, file: str) -> ProseTask | None:
    """Return the ProseTask of an item, or None when it names neither an agency nor a due time."""
    task, rest = split_heading(item.heading)
    body = [rest] if rest else []
    body += [ln.text for ln in item.body]
    text = one_line(" ".join(body)) or one_line(item.heading)
    heading_leads = _heading_agencies(task)
    units = [] if heading_leads else sentences(task)
    for b in body:
        units += sentences(b)
    lead, support = item_agencies(heading_leads, units)
    if not lead and item.parent is not None:
        lead = _leads_of(item.parent)
    phrases = item_deadline([item.heading, *(ln.text for ln in item.body)])
    if not lead and not support and not phrases:
        return None
    raw = "; ".join(phrases) or None
    deadline = parse_deadline(raw, plan_year)
    warnings = []
    if raw and deadline.kind == "unknown":
        warnings.append("deadline not understood")
    if not lead and not support:
        warnings.append("no agency")
    lines = [item.first, *item.body]
    return ProseTask(
        section=item.section,
        number=item.number,
        task=one_line(task),
        text=text,
        lead_agencies=lead,
        support_agencies=support,
        deadline_raw=raw,
        deadline=deadline,
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
