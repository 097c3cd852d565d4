"""Read an agency cell into lead and support :class:`Agency` lists (GOLD_SPEC "Agency rules").

The reading goes cell -> units (bullets, sentences) -> clauses (";"-segments up to a role word)
-> subject, role words and "phối hợp với X" objects -> agencies -> canonical names. Every word
list lives in ``grammars/agencies.toml``; this module only knows the order of the steps.

Protected text is rewritten with private-use characters while it is read, so that no
separator, role word or verb is ever found inside it, and restored in the names at the end:
parentheses that are part of a name become one placeholder character each, the commas of
collective phrases ("Sở, ban, ngành") become ``_COMMA`` and the spaces of fixed names
("Văn phòng HĐND và UBND huyện") become ``_SPACE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import regex as re

from tthc_extract import grammars
from tthc_extract.model.plan import Agency, Role
from tthc_extract.text.normalize import clean_text

Column = Literal["agency", "lead", "support"]
# How a subject or object got its role; resolved to lead/support once the whole cell is read.
Kind = Literal["strong", "weak", "default", "support", "assist", "object"]

_COMMA = "\ue004"  # a comma inside a collective phrase
_SPACE = "\ue005"  # a space inside a fixed name
_ROLE_PAREN = "\ue002"  # where a dropped parenthesis with a role word stood (acts as a stop)
_PAREN_BASE = 0xE100  # kept parenthesis number i is the character chr(_PAREN_BASE + i)
_PAREN_MAX = 0x700
_PAREN = re.compile(r"\([^()]*\)")
_BOUND_L = r"(?<![\w&])"
_BOUND_R = r"(?![\w&])"
_TRIM = " \t\n,.;:-–+•*&" + _COMMA


@dataclass(frozen=True)
class _Elision:
    """An [[elisions]] entry: a piece that takes its head from the agency before it."""

    piece: Any
    anchor: Any
    keep_anchor: bool  # the head runs up to the end of the anchor (else to its start)
    after: Any  # the separators before the piece it applies to (None: any)


@dataclass(frozen=True)
class _Grammar:
    """The compiled patterns of grammars/agencies.toml."""

    head_start: Any
    head_end: Any
    verb_start: Any
    joiner_end: Any
    bullet_start: Any
    unit_split: Any
    leading_words: Any
    collectives: Any
    fixed_names: Any
    role: Any  # role words only; named groups l<i> (lead) / s<i> (support)
    stop: Any  # role words, name-ending verbs and the role-parenthesis marker
    strong: dict[str, bool]
    alone_leads: dict[str, bool]
    verb_part_of_name: Any
    objects: Any
    label: Any
    distributive: Any
    name_clauses: Any
    elisions: tuple[_Elision, ...]
    abbreviations: Any
    expansions: dict[str, str]


def _alt(patterns: list[str]) -> str:
    """Return the patterns as one non-capturing alternation."""
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


@grammars.cache
def _grammar() -> _Grammar:
    """Return the compiled agency grammar (built once per process)."""
    g = grammars.load("agencies")
    quant = g["quantifiers"]["pattern"]
    heads = _alt([h["pattern"] for h in g["heads"]])
    lead = g["lead_roles"]
    support = g["support_roles"]
    role_groups = [f"(?P<l{i}>{r['pattern']})" for i, r in enumerate(lead)]
    role_groups += [f"(?P<s{i}>{r['pattern']})" for i, r in enumerate(support)]
    role = f"{_BOUND_L}(?:{'|'.join(role_groups)}){_BOUND_R}"
    verbs = _alt([v["pattern"] for v in g["name_end"]])
    verb_pat = f"{_BOUND_L}{verbs}{_BOUND_R}"
    stop = f"(?i:{role})|{verb_pat}|{_ROLE_PAREN}"
    bullet = g["bullets"]["pattern"]
    no_end = g["no_sentence_end"]["pattern"]
    label = g["labels"]["pattern"]
    unit_split = (
        rf"(?<=[.;:])\s+(?={bullet}\s)"  # an inline bullet after a full stop, ";" or ":"
        rf"|(?<!(?<!\w){no_end}\.)(?<=\S\S\.)\s+(?=\p{{Lu}})"  # a sentence end
        rf"|(?<=\S)\s*[,;]\s*(?=(?i:{label.replace('(?P<role>', '(?:')}))"  # "..., Phối hợp: ..."
        rf"|(?<=\S)\s+(?={bullet}\s+(?i:{label.replace('(?P<role>', '(?:')}))"  # "... - Phối hợp: ..."
    )
    return _Grammar(
        head_start=re.compile(rf"(?:{quant}\s+)?{heads}(?!\w)", re.I),
        head_end=re.compile(rf"(?:^|\s){heads}\s*$", re.I),
        verb_start=re.compile(rf"{verbs}{_BOUND_R}"),
        joiner_end=re.compile(rf"(?:^|(?<=\W)|(?=\W)){g['line_joiners']['pattern']}\s*$", re.I),
        bullet_start=re.compile(rf"^\s*{bullet}\s+"),
        unit_split=re.compile(unit_split),
        leading_words=re.compile(rf"^{g['leading_words']['pattern']}", re.I),
        collectives=re.compile(rf"(?<!\w){_alt([c['pattern'] for c in g['collectives']])}(?!\w)", re.I),
        fixed_names=re.compile(rf"(?<!\w){_alt([f['pattern'] for f in g['fixed_names']])}(?!\w)", re.I),
        role=re.compile(role, re.I),
        stop=re.compile(stop),
        strong={f"l{i}": bool(r.get("strong", False)) for i, r in enumerate(lead)},
        alone_leads={f"s{i}": bool(r.get("alone_leads", False)) for i, r in enumerate(support)},
        # what may stand between the start of an agency and a verb that is part of its name
        verb_part_of_name=re.compile(
            rf"(?:^|[,;{_COMMA}]|\s+và)\s*(?:(?:{quant})|(?:{quant}\s+)?{g['verbal_names']['pattern']})\s+$",
            re.I,
        ),
        objects=re.compile(rf"{_BOUND_L}{_alt([o['pattern'] for o in g['support_objects']])}\s+", re.I),
        label=re.compile(rf"^{label}\s*", re.I),
        distributive=re.compile(g["distributive"]["pattern"], re.I),
        name_clauses=re.compile(_alt([n["pattern"] for n in g["name_clauses"]]), re.I),
        elisions=tuple(
            _Elision(
                piece=re.compile(rf"^{e['piece']}", re.I),
                anchor=re.compile(e["anchor"], re.I),
                keep_anchor=bool(e.get("keep_anchor", False)),
                after=re.compile(rf"^\s*(?:{e['after']})\s*$", re.I) if "after" in e else None,
            )
            for e in g["elisions"]
        ),
        abbreviations=re.compile(
            _BOUND_L
            + "(?:"
            + "|".join(re.escape(a["abbr"]) for a in sorted(g["abbreviations"], key=lambda a: -len(a["abbr"])))
            + ")"
            + _BOUND_R
        ),
        expansions={a["abbr"]: a["expansion"] for a in g["abbreviations"]},
    )


# ---------------------------------------------------------------------------------------------
# Protecting and restoring text


def _protect_parens(text: str, kept: list[str]) -> str:
    """Given a cell, return it with each parenthesis kept (placeholder), dropped, or a role marker.

    A parenthesis that starts with a head noun is part of the name before it; one with a role
    word becomes a stop marker followed by its words (it gives the role, then is dropped); any
    other ("(có ý kiến)", "(sau đây gọi tắt là ...)") is dropped.
    """
    gr = _grammar()

    def repl(m: re.Match[str]) -> str:
        inner = m.group(0)[1:-1].strip()
        if gr.head_start.match(inner) and len(kept) < _PAREN_MAX:
            kept.append(_restore(m.group(0), kept))
            return chr(_PAREN_BASE + len(kept) - 1)
        if gr.role.search(inner):  # ";" after it: the role is the preceding name's alone
            return f" {_ROLE_PAREN} " + re.sub(r"[.;\n]", ",", inner) + " ;"
        return " "

    prev = None
    while prev != text:  # innermost parentheses first
        prev, text = text, _PAREN.sub(repl, text)
    return text


def _protect_phrases(text: str) -> str:
    """Return ``text`` with collective commas and fixed-name spaces replaced by placeholders."""
    gr = _grammar()
    text = gr.fixed_names.sub(lambda m: re.sub(r"\s+", _SPACE, m.group(0)), text)
    return gr.collectives.sub(
        lambda m: re.sub(r"\s+", _SPACE, m.group(0).replace(",", _COMMA)), text
    )


def _restore(text: str, kept: list[str]) -> str:
    """Return ``text`` with every placeholder turned back into what it stood for."""
    out = []
    for ch in text:
        code = ord(ch)
        if _PAREN_BASE <= code < _PAREN_BASE + len(kept):
            out.append(kept[code - _PAREN_BASE])
        elif ch == _COMMA:
            out.append(",")
        elif ch == _SPACE:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _plain(text: str) -> str:
    """Return ``text`` with collective and fixed-name placeholders undone (for head tests)."""
    return text.replace(_COMMA, ",").replace(_SPACE, " ")


def starts_agency(piece: str) -> bool:
    """Return True when ``piece`` starts with a head noun (and not with a lower-case verb)."""
    gr = _grammar()
    piece = _plain(piece).lstrip()
    return bool(gr.head_start.match(piece)) and not gr.verb_start.match(piece)


# ---------------------------------------------------------------------------------------------
# Units and clauses


def _join_lines(text: str) -> str:
    """Given a cell with line breaks, return it with soft wraps joined and agency breaks kept.

    A break before a bullet stays a break; a break before a head noun becomes ", " unless the
    line before ends with a joining word ("của", "và", ...) or is itself a bare head
    ("Văn phòng" / "UBND tỉnh"); any other break is a soft wrap and becomes a space.
    """
    gr = _grammar()
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if not lines:
        return ""
    out = lines[0]
    for ln in lines[1:]:
        if gr.bullet_start.match(ln) or gr.label.match(ln):
            out += "\n" + ln
        elif (
            starts_agency(ln)
            and not out.endswith((",", ";", ".", ":"))
            and not gr.joiner_end.search(out)
            and not gr.head_end.search(_plain(out))
        ):
            out += ", " + ln
        else:  # a soft wrap; "TT&" + "TT" was one token
            out += ("" if out.endswith("&") or ln.startswith("&") else " ") + ln
    return out


def _units(text: str) -> list[str]:
    """Given a protected cell, return its units (bullets, sentences) without their bullet marks."""
    gr = _grammar()
    units = []
    for line in text.split("\n"):
        for unit in gr.unit_split.split(line):
            unit = gr.bullet_start.sub("", unit).strip()
            if unit.strip(_TRIM):
                units.append(unit)
    return units


def _stops(clause: str) -> list[Any]:
    """Return the role words, verbs and role markers of ``clause`` outside name clauses."""
    gr = _grammar()
    regions = []
    for m in gr.name_clauses.finditer(clause):
        nxt = gr.role.search(clause, m.end())
        regions.append((m.start(), nxt.start() if nxt else len(clause)))
    return [
        m
        for m in gr.stop.finditer(clause)
        if not any(a <= m.start() < b for a, b in regions)
        # "các tổ chức hành nghề ...", "Đoàn kiểm tra ...": the verb is part of a name
        and not (m.lastgroup is None and gr.verb_part_of_name.search(clause, 0, m.start()))
    ]


def _assists(stop: Any) -> bool:
    """Return True when a stop is a support role word whose agency leads only alone ("theo dõi")."""
    group = stop.lastgroup
    return bool(group) and group.startswith("s") and _grammar().alone_leads[group]


def _role_comma_split(seg: str) -> list[str]:
    """Cut a segment after a role word and "," where a new agency with a role word of its own follows.

    "Sở Y tế chủ trì, UBND cấp xã phối hợp" is two clauses ("UBND cấp xã" supports), while "Sở Y
    tế chủ trì, phối hợp với ..." and "Sở Y tế chủ trì, Sở Nội vụ" (no role word after) stay one.
    """
    out: list[str] = []
    start = 0
    for stop in _stops(seg):
        if not stop.lastgroup or stop.start() < start:
            continue
        comma = re.match(r"\s*,\s*", seg[stop.end():])
        if comma is None:
            continue
        rest = seg[stop.end() + comma.end():]
        if starts_agency(_plain(rest).strip(" ")) and any(m.lastgroup for m in _stops(rest)):
            out.append(seg[start: stop.end()])
            start = stop.end() + comma.end()
    return [*out, seg[start:]]


def _clauses(unit: str) -> list[str]:
    """Given a unit, return its clauses: ";"-segments grouped up to one with a role word or verb."""
    out: list[str] = []
    group: list[str] = []
    for seg in (piece for part in unit.split(";") for piece in _role_comma_split(part)):
        stops = _stops(seg)
        if stops and group and (stops[0].group(0) == _ROLE_PAREN or _assists(stops[0])):
            # "(phối hợp)" is the role of the name before it only; so is "theo dõi" / "tổng hợp"
            # after a second agency ("Sở Tư pháp; Văn phòng UBND tỉnh theo dõi": the first leads)
            out.append(";".join(group))
            group = []
        group.append(seg)
        if stops:
            out.append(";".join(group))
            group = []
    if group:
        out.append(";".join(group))
    return [c for c in out if c.strip(_TRIM)]


# ---------------------------------------------------------------------------------------------
# Agencies of a span


def _clean_name(name: str) -> str:
    """Return a name without surrounding punctuation, brackets, joining words or extra spaces."""
    name = " ".join(name.split())
    prev = None
    while prev != name:
        prev = name
        name = name.strip(_TRIM)
        if name.startswith("(") and name.endswith(")") and _PAREN.fullmatch(name):
            name = name[1:-1]
        name = re.sub(r"^(?:và|với|cùng)\s+", "", name, flags=re.I)
        name = re.sub(r"\s+(?:và|với|cùng)$", "", name, flags=re.I)
    return name


def _split_list(span: str) -> list[str]:
    """Given a protected span naming agencies, return them (still protected), in order.

    The span is cut at ";" always, and at "," or " và " only where the next piece starts a new
    agency (a head noun) or an elided head ("cấp xã" after "UBND cấp huyện").
    """
    gr = _grammar()
    dist = gr.distributive.match(span.strip(_TRIM))
    if dist:
        head = dist.group("head")
        head = head[0].upper() + head[1:]
        rest = re.split(r";|,|\s+và\s+", span.strip(_TRIM)[dist.end():])
        return [f"{head} {n}" for n in (_clean_name(p) for p in rest) if n]
    parts = re.split(r"(;|,|\s+và\s+)", span)
    names = [parts[0]]
    for sep, piece in zip(parts[1::2], parts[2::2], strict=True):
        plain = _plain(piece).strip(" ")
        if not plain.strip(_TRIM):
            names[-1] += sep + piece
            continue
        elided = _elide(names[-1], plain, sep)
        if elided is not None:
            names.append(elided)
        elif sep == ";" or starts_agency(plain):
            names.append(piece)
        else:
            names[-1] += sep + piece
    return [n for n in (_clean_name(n) for n in names) if any(map(_is_letter, n))]


def _is_letter(ch: str) -> bool:
    """Return True for a letter or a kept-parenthesis placeholder (which holds letters)."""
    return ch.isalpha() or _PAREN_BASE <= ord(ch) < _PAREN_BASE + _PAREN_MAX


def _elide(prev: str, piece: str, sep: str) -> str | None:
    """Return ``piece`` with the head it elides taken from ``prev``, or None if it elides none.

    ``sep`` is the separator before the piece ("," / ";" / " và "); an entry may apply after some
    separators only.
    """
    for e in _grammar().elisions:
        if e.piece.match(piece) and (e.after is None or e.after.match(sep)):
            anchors = list(e.anchor.finditer(_plain(prev)))
            if anchors:
                cut = anchors[-1].end() if e.keep_anchor else anchors[-1].start()
                return prev[:cut].lstrip(_TRIM + " ") + piece
    return None


# ---------------------------------------------------------------------------------------------
# A clause


def _role_kind(group: str) -> tuple[Kind, bool]:
    """Return (kind, strong) for the name of a matched role group ("l0", "s3", ...)."""
    gr = _grammar()
    if group.startswith("l"):
        return ("strong" if gr.strong[group] else "weak"), gr.strong[group]
    return ("assist" if gr.alone_leads[group] else "support"), False


def _objects(clause: str, stops: list[Any]) -> list[tuple[int, int, list[str]]]:
    """Return the "phối hợp (với) X" spans of a clause after its subject, with X's agencies."""
    gr = _grammar()
    spans: list[tuple[int, int, list[str]]] = []
    for m in gr.objects.finditer(clause, stops[0].start()):
        if not starts_agency(clause[m.end():]) or any(a <= m.start() < b for a, b, _ in spans):
            continue
        end = next((s.start() for s in stops if s.start() >= m.end()), len(clause))
        spans.append((m.start(), end, _split_list(clause[m.end(): end])))
    return spans


def _read_clause(clause: str) -> list[tuple[str, Kind]]:
    """Given a protected clause, return its agencies with how each got its role."""
    gr = _grammar()
    clause = gr.leading_words.sub("", clause.strip(" ,"))
    label = gr.label.match(clause)
    if label:  # "Chủ trì: A, B": the label gives the role of the agencies after it
        kind, _ = _role_kind(gr.role.fullmatch(label.group("role")).lastgroup)
        kind = "strong" if kind == "weak" else kind
        return [(n, k if k == "object" else kind) for n, k in _read_clause(clause[label.end():])]
    stops = _stops(clause)
    if not stops:
        return [(n, "default") for n in _split_list(clause)]
    objects = _objects(clause, stops)
    roles = [
        _role_kind(s.lastgroup)
        for s in stops
        if s.lastgroup and not any(a <= s.start() < b for a, b, _ in objects)
    ]
    kind = _subject_kind(roles, bool(objects))
    out = [(n, kind) for n in _split_list(clause[: stops[0].start()])]
    return out + [(n, "object") for _, _, names in objects for n in names]


def _subject_kind(roles: list[tuple[Kind, bool]], has_object: bool) -> Kind:
    """Return how a clause's subject gets its role from the role words after it.

    The first role word decides; a non-strong lead word ("thực hiện") followed by a support
    word in the same clause only leads if no other clause does ("weak").
    """
    if not roles:
        return "weak" if has_object else "default"
    first, strong = roles[0]
    if first in ("support", "assist"):
        return first
    if strong or not any(r in ("support", "assist") for r, _ in roles[1:]):
        return "strong"
    return "weak"


# ---------------------------------------------------------------------------------------------
# The cell


def canonical_name(name: str) -> str:
    """Return ``name`` with the grammar's abbreviations expanded and whitespace collapsed."""
    gr = _grammar()
    return " ".join(gr.abbreviations.sub(lambda m: gr.expansions[m.group(0)], name).split())


def _key(name: str) -> str:
    """Return the comparison key of a name (canonical, case-folded, without a leading "các")."""
    key = canonical_name(name).casefold()
    return re.sub(r"^(?:các|những)\s+", "", key)


def _resolve(items: list[tuple[str, Kind]], column: Column) -> list[tuple[str, Role]]:
    """Given a cell's agencies and kinds, return them with their final roles."""
    if column != "agency":
        return [(n, column) for n, _ in items]
    has_strong = any(k == "strong" for _, k in items)
    out: list[tuple[str, Role]] = []
    for name, kind in items:
        lead = kind in ("strong", "default") or (kind == "weak" and not has_strong)
        out.append((name, "lead" if lead else "support"))
    if not any(r == "lead" for _, r in out):
        # nobody leads: who "theo dõi" / "tham mưu" alone does the work
        out = [(n, "lead" if k == "assist" else r) for (n, r), (_, k) in zip(out, items, strict=True)]
    return out


@grammars.lru_cache(16384)
def _parse(text: str, column: Column) -> tuple[tuple[str, str, Role], ...]:
    """Return the agencies of a cell as (name, canonical, role) tuples (cached)."""
    kept: list[str] = []
    cell = _protect_parens(clean_text(text), kept)
    cell = _protect_phrases(_join_lines(cell))
    items: list[tuple[str, Kind]] = []
    for unit in _units(cell):
        for clause in _clauses(unit):
            items += _read_clause(clause)
    seen: set[str] = set()
    out: list[tuple[str, str, Role]] = []
    for raw, role in _resolve(items, column):
        name = _clean_name(_restore(raw, kept))
        key = _key(name)
        if not name or key in seen:
            continue
        seen.add(key)
        out.append((name, canonical_name(name), role))
    return tuple(out)


def parse_agencies(
    text: str | None, column: Column = "agency"
) -> tuple[list[Agency], list[Agency]]:
    """Return the (lead, support) agencies of an agency cell.

    ``column`` says which column the cell is from: "agency" (roles read from the role words),
    "lead" ("Cơ quan chủ trì": all lead) or "support" ("Cơ quan phối hợp": all support). An
    ``agencies_raw`` value of the form "<lead cell> || <support cell>" is read as both columns.
    """
    if not text or not text.strip():
        return [], []
    if column == "agency" and "||" in text:
        lead_cell, _, support_cell = text.partition("||")
        lead, _ = parse_agencies(lead_cell, "lead")
        _, support = parse_agencies(support_cell, "support")
        return lead, support
    lead_out: list[Agency] = []
    support_out: list[Agency] = []
    for name, canonical, role in _parse(text, column):
        agency = Agency(name=name, canonical=canonical, role=role)
        (lead_out if role == "lead" else support_out).append(agency)
    return lead_out, support_out


# ---------------------------------------------------------------------------------------------
# Matchers for readers of agencies inside sentences (segment/prose.py)


def match_head(text: str, pos: int = 0) -> re.Match[str] | None:
    """Return the agency head noun (after an optional quantifier) starting at ``pos``, else None."""
    return _grammar().head_start.match(text, pos)


def match_role(text: str, pos: int = 0) -> re.Match[str] | None:
    """Return the lead or support role word ("chủ trì", "phối hợp") starting at ``pos``, else None."""
    return _grammar().role.match(text, pos)


def match_name_end(text: str, pos: int = 0) -> re.Match[str] | None:
    """Return the name-ending verb ([[name_end]], case-sensitive) starting at ``pos`` as a word, else None."""
    if pos > 0 and re.match(r"[\w&]", text[pos - 1]):
        return None
    return _grammar().verb_start.match(text, pos)


def match_name_clause(text: str, pos: int = 0) -> tuple[int, int] | None:
    """Return the region of a [[name_clauses]] relative clause starting at ``pos``, else None.

    The region runs from the clause to the next role word, as the agency grammar reads it: "Cơ
    quan chủ trì soạn thảo văn bản ... thực hiện" -> the words up to "thực hiện" name the agency.
    """
    gr = _grammar()
    m = gr.name_clauses.match(text, pos)
    if m is None or m.end() == m.start():
        return None
    nxt = gr.role.search(text, m.end())
    return m.start(), nxt.start() if nxt else len(text)


def match_support_object(text: str, pos: int = 0) -> re.Match[str] | None:
    """Return "phối hợp (với)" and the space after it ([[support_objects]]) at ``pos``, else None."""
    return _grammar().objects.match(text, pos)


def find_support_objects(text: str, pos: int = 0) -> list[re.Match[str]]:
    """Return every "phối hợp (với) " of ``text`` from ``pos`` on, in order."""
    return list(_grammar().objects.finditer(text, pos))


def collective_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of every collective phrase ("huyện, thành, thị") in ``text``."""
    return [m.span() for m in _grammar().collectives.finditer(text)]
