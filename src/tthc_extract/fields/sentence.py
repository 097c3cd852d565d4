"""The agencies a sentence names: its subject, its role words and its "phối hợp với X" objects.

Given the sentences of a prose task (and its heading), return its (lead, support) agencies. The
subject of a sentence is the noun phrase before its verb, found with underthesea's part-of-speech
tags and the word lists of grammars/sentences.toml; the agency grammar (fields.agency) then reads
"<subject> <role words>" as it reads a table's agency cell, so that role words mean the same in
cells and in sentences. Later clauses of a sentence that open with their own subject and a role
word ("...; Văn phòng UBND tỉnh theo dõi, đôn đốc") add theirs.
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
    match_name_clause,
    match_name_end,
    match_role,
    match_support_object,
    parse_agencies,
)
from tthc_extract.model.plan import Agency

# Part-of-speech tags (underthesea) that may stand inside an agency's noun phrase.
_NOUN_TAGS = ("N", "Np", "Nc", "Nu", "Ny", "Nb", "L", "M")
_JOINERS = (",", ";", "-", "–", "&", "/", "và")


@dataclass(frozen=True)
class _Grammar:
    """The compiled patterns of grammars/sentences.toml."""

    bullet: Any
    lead_in: Any
    label: Any
    not_subject: Any
    np_words: Any
    predicate: Any
    passive: Any
    bodies: Any
    fillers: Any
    later_roles: Any
    verb_start: Any
    label_reference: Any
    for_whom: Any
    reference: Any
    agency_labels: tuple[tuple[Any, Column], ...]


@grammars.cache
def grammar() -> _Grammar:
    """Return the compiled sentence grammar (built once per process)."""
    g = grammars.load("sentences")
    ci = re.IGNORECASE
    s = g["subjects"]
    return _Grammar(
        bullet=re.compile(g["units"]["bullet"]),
        lead_in=re.compile(s["lead_in"], ci),
        label=re.compile(s["label"]),
        not_subject=re.compile(s["not_subject"], ci),
        np_words=re.compile(s["np_words"], ci),
        predicate=re.compile(s["predicate"]),
        passive=re.compile(s["passive"], ci),
        bodies=re.compile(s["bodies"]),
        fillers=re.compile(s["fillers"], ci),
        later_roles=re.compile(s["later_roles"], ci),
        verb_start=re.compile(s["verb_after_semicolon"]),
        label_reference=re.compile(g["label_values"]["reference"], ci),
        for_whom=re.compile(g["headings"]["for_whom"], ci),
        reference=re.compile(g["headings"]["reference"], ci),
        agency_labels=tuple((re.compile(x["pattern"], ci), x["column"]) for x in g["agency_labels"]),
    )


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


def _clause_end(text: str, region: tuple[int, int], g: _Grammar) -> int:
    """Return where a relative clause of a name ([[name_clauses]] region) ends in a sentence.

    The region runs to the next role word; a filler ("có trách nhiệm"), punctuation that ends the
    clause or a predicate word ends it sooner.
    """
    start, end = region
    for m in re.finditer(r"\s+", text[start:end]):
        at, before = start + m.end(), start + m.start()
        if text[before - 1] in ";:." or g.fillers.match(text, at) or g.predicate.match(text, at):
            return before - (1 if text[before - 1] in ";:." else 0)
    return len(text[:end].rstrip(" ,;:."))


@grammars.lru_cache(8192)
def noun_phrase_end(text: str) -> int:
    """Given text starting with an agency's name, return where its noun phrase ends (0: none).

    Cached: segment.prose asks again for the same sentences (an item's verdict, then its task).

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
        # a relative clause that opens with a role word ("chủ trì soạn thảo") qualifies the name
        clause = match_name_clause(text, s) if match_role(text, s) else None
        if inside is not None:
            end = inside  # "UBND các huyện, thành, thị": the collective's words are its own
        elif w is not None:
            end = w.end()
        elif word == "(" and text.find(")", s) > 0:
            end = text.find(")", s) + 1
        elif clause is not None:
            end = _clause_end(text, clause, g)  # "Cơ quan chủ trì soạn thảo văn bản ..."
        elif g.predicate.match(text, s) or (g.fillers.match(text, s) and not word[:1].isupper()):
            break  # a capital goes on the name: "Báo Cần Thơ"
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
# Clauses of a sentence


def strip_unit(text: str) -> str:
    """Return a sentence without its bullet and its lead-in words ("- Giao ...")."""
    g = grammar()
    text = g.bullet.sub("", text, count=1).strip()
    return g.lead_in.sub("", text, count=1)


def strip_label(text: str) -> str:
    """Return a sentence without a short label before its subject ("Cách thức: Các sở ..." -> "Các sở ...")."""
    g = grammar()
    m = g.label.match(text)
    return text[m.end():] if m is not None and not match_head(text) else text


@grammars.lru_cache(8192)
def subject_clause(text: str) -> tuple[str, int]:
    """Given a sentence, return (its subject with the role words after it, where that clause ends).

    Cached, as noun_phrase_end.

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


def later_clauses(text: str, start: int) -> list[tuple[str, str, int]]:
    """Return the later clauses of a sentence that name their own doer with a role word.

    A clause after "," or ";" from ``start`` on (not inside a collective) that opens with an
    agency whose noun phrase is followed by a [subjects].later_roles word ("...; Sở TT&TT hướng
    dẫn kỹ thuật"), or after ";" by any lower-case word ("...; UBND cấp huyện niêm yết công
    khai"), gives (subject with roles, subject, where it ends); any other agency there is an
    object of the verb before it ("báo cáo UBND tỉnh, Văn phòng Chính phủ").
    """
    g = grammar()
    collectives = collective_spans(text)
    out: list[tuple[str, str, int]] = []
    for m in re.finditer(r"[,;]\s+", text[start:]):
        at = start + m.end()
        if (out and at < out[-1][2]) or any(a < at < b for a, b in collectives):
            continue
        rest = text[at:]
        clause, end = subject_clause(rest)
        np_end = noun_phrase_end(rest) if clause else 0
        gap = re.match(r"[\s,]*", rest[np_end:])
        after = np_end + (gap.end() if gap else 0)
        if clause and (g.later_roles.match(rest, after) or (m.group(0)[0] == ";" and g.verb_start.match(rest, after))):
            out.append((clause, rest[:np_end], at + end))
    return out


def semicolon_clauses(text: str) -> list[tuple[str, str, int]]:
    """Return the clauses after ";" that name their own doer, in a sentence that opens with none."""
    at = text.find("; ")
    return [c for c in later_clauses(text, at) if c[2] > at] if at >= 0 else []


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


# ---------------------------------------------------------------------------------------------
# Headings


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


def heading_agencies(title: str) -> list[Agency]:
    """Return the leads named by an item heading: "Đối với X", or a heading that is only agencies."""
    found = for_whom(title)
    if found:
        return found
    title = strip_unit(title).rstrip(" :.;")
    if title and not grammar().not_subject.match(title) and noun_phrase_end(title) >= len(title):
        return parse_agencies(title, "lead")[0]
    return []


# ---------------------------------------------------------------------------------------------
# The agencies of a task's sentences


@dataclass
class _Agencies:
    """The agencies gathered for one task: clauses for the agency grammar, fixed leads, supports."""

    clauses: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    lead: list[Agency] = field(default_factory=list)
    support: list[Agency] = field(default_factory=list)


def labelled_agencies(text: str) -> tuple[list[Agency], list[Agency]] | None:
    """Return (lead, support) of a labelled agency line ("Cơ quan chủ trì: ..."), else None."""
    for pat, column in grammar().agency_labels:
        m = pat.match(text)
        if m is not None:
            return label_value_agencies(text[m.end():], column)
    return None


def label_value_agencies(value: str, column: Column) -> tuple[list[Agency], list[Agency]]:
    """Return (lead, support) of the value of an agency label, read as ``column``.

    A value that points elsewhere ([label_values].reference: "Theo phân công tại Phụ lục") names
    no agency.
    """
    if grammar().label_reference.match(value):
        return [], []
    return parse_agencies(value, column)


def _read_sentence(text: str, acc: _Agencies) -> None:
    """Add to ``acc`` the agencies of one sentence: label, subject clauses and "phối hợp với" objects."""
    text = strip_unit(text)
    labelled = labelled_agencies(text)
    if labelled is not None:
        acc.lead += labelled[0]
        acc.support += labelled[1]
        return
    text = strip_label(text)
    clause, end = subject_clause(text)
    if clause:
        acc.clauses.append(clause)
        acc.subjects.append(text[: noun_phrase_end(text)])
    # a sentence that opens with no doer is a list or a description: only a clause after ";"
    # names one ("Ban hành kế hoạch; Văn phòng UBND tỉnh thực hiện trong Quý I")
    for later, subject, _ in later_clauses(text, end) if clause else semicolon_clauses(text):
        acc.clauses.append(later)
        acc.subjects.append(subject)
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


def sentence_agencies(heading_leads: list[Agency], sentences: list[str]) -> tuple[list[Agency], list[Agency]]:
    """Given a task's heading leads and its sentences, return its (lead, support) agencies.

    The subject clauses of all sentences are read together as one agency cell ("- <clause>" per
    line), so that role words resolve as in a table ("- A chủ trì. - B theo dõi" -> B support).
    """
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
