"""Deadline cells ("Thời hạn", "Thời gian thực hiện") to :class:`Deadline`, and due phrases in prose.

The parser is language-neutral, in the spirit of dateparser; the Vietnamese lives in
``grammars/deadlines.toml``. It runs in three steps:

1. normalise: ``clean_text`` then *fold* with ``strip_marks`` (drop diacritics, "đ" -> "d", case
   kept, one character for one, so offsets stay valid): "Qúy", "Quy" and "QUÝ" all match the
   case-insensitive "quy";
2. recognise tokens: grammar patterns tried leftmost-first, in file order on ties;
3. decide the kind (GOLD_SPEC "Deadline kinds"): the first token's family decides (a due time,
   a recurring duty or an event); several due times make a ``multiple``.

Parenthesised text is a note ("Tháng 01/2022 (Cấp xã: 02/2022)" is January): it is read only when
nothing outside the brackets is recognised.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import regex as re

from tthc_extract import grammars
from tthc_extract.model.plan import Deadline, DeadlineKind
from tthc_extract.text.normalize import clean_text, strip_marks

Family = Literal["due", "recurring", "event"]

_FAMILY: dict[str, Family] = {
    "date": "due",
    "month": "due",
    "quarter": "due",
    "half_year": "due",
    "year": "due",
    "recurring": "recurring",
    "event": "event",
}
# Coarser kinds contain finer ones: "Năm 2022: trước 30/6/2022" is the date, the year is context.
_GRAIN = {"date": 0, "month": 1, "quarter": 2, "half_year": 3, "year": 4}
_PLACEHOLDER = re.compile(r"\{([a-z_]\w*)\}")
_PARENS = re.compile(r"\([^()]*\)")
_BOUNDARY = re.compile(r"\s[-+]\s|;|\n")
_CLAUSE_END = re.compile(r"[.;](?=\s|$)|\n|\s-\s")
_STOP_PUNCT = re.compile(r"[,.;:()]")
_ENDS_CLAUSE = re.compile(r"\s*(?:[.;]|$)")
_BULLET_ITEM_END = re.compile(r"\s-\s|\s(?:[a-zđ]|\d{1,2})\)\s")


# --------------------------------------------------------------------------------------------
# Grammar


@dataclass(frozen=True)
class TokenRule:
    """One ``[[tokens]]`` entry of the grammar, compiled."""

    name: str
    kind: str
    prose: bool
    regex: re.Pattern[str]
    examples: tuple[str, ...]
    prose_end: bool = False


@dataclass(frozen=True)
class Grammar:
    """The deadline grammar, compiled once (see grammars/deadlines.toml for every key)."""

    tokens: tuple[TokenRule, ...]
    half_first: frozenset[str]
    half_second: frozenset[str]
    roman_as_one: tuple[str, ...]
    roman_values: dict[str, int]
    range_conn: re.Pattern[str]
    month_number: re.Pattern[str]
    numeral: re.Pattern[str]
    fallback_event: re.Pattern[str]
    prose_label: re.Pattern[str]
    prose_lead_in: re.Pattern[str]
    duration_lead_in: re.Pattern[str]
    prose_stop: re.Pattern[str]
    prose_self_led: re.Pattern[str]


def _expand(pattern: str, pieces: dict[str, str]) -> str:
    """Given a pattern with ``{piece}`` references, return it with the pieces substituted (folded)."""
    for _ in range(5):  # pieces may refer to pieces
        new = _PLACEHOLDER.sub(lambda m: f"(?:{pieces[m.group(1)]})", pattern)
        if new == pattern:
            break
        pattern = new
    return strip_marks(pattern)


def _words(words: Iterable[str]) -> str:
    """Return a regex alternation of folded phrases (spaces match any run of whitespace)."""
    alts = [r"\s+".join(map(re.escape, strip_marks(w).split())) for w in words]
    return "|".join(alts)


@grammars.cache
def grammar() -> Grammar:
    """Return the compiled deadline grammar (``grammars/deadlines.toml``)."""
    raw: dict[str, Any] = grammars.load("deadlines")
    pieces: dict[str, str] = raw["pieces"]
    flags = re.IGNORECASE | re.V0
    rules = tuple(
        TokenRule(
            name=t["name"],
            kind=t["kind"],
            prose=t.get("prose", t["kind"] not in ("event", "recurring")) is True,
            regex=re.compile(r"(?<!\w)(?:" + _expand(t["pattern"], pieces) + r")", flags),
            examples=tuple(t.get("examples", ())),
            prose_end=t.get("prose") == "end",
        )
        for t in raw["tokens"]
    )
    prose = raw["prose"]
    return Grammar(
        tokens=rules,
        half_first=frozenset(strip_marks(w).lower() for w in raw["half"]["first"]),
        half_second=frozenset(strip_marks(w).lower() for w in raw["half"]["second"]),
        roman_as_one=tuple(raw["roman"]["as_one"]),
        roman_values={str(k): int(v) for k, v in raw["roman"]["values"].items()},
        range_conn=re.compile(_expand("{range_conn}", pieces), flags),
        month_number=re.compile(r"\d{1,2}(?!\d)"),
        numeral=re.compile(_expand("{numeral}", pieces), flags),
        fallback_event=re.compile(r"^\W*(?:" + _words(raw["event"]["fallback_openers"]) + r")(?!\w)", flags),
        prose_label=re.compile(r"(?<!\w)(?:" + _words(prose["labels"]) + r")\s*:\s*$", flags),
        prose_lead_in=re.compile(r"(?<!\w)(?:" + _words(prose["lead_ins"]) + r")\s+$", flags),
        duration_lead_in=re.compile(r"^(?:" + _words(prose["duration_lead_ins"]) + r")$", flags),
        prose_stop=re.compile(r"\s(?:" + _words(prose["stops"]) + r")(?!\w)", flags),
        prose_self_led=re.compile(r"(?:" + _words(prose["self_led"]) + r")\s", flags),
    )


# --------------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True)
class Period:
    """A due period: first and last day (both None when no year is known) and what the text named.

    ``named`` is (year or None, first month, first day, last month, last day), so two values
    stay distinct even when no year resolves them ("Quý II Quý I" without a plan year).
    """

    first: dt.date | None
    last: dt.date | None
    named: tuple[int | None, int, int, int, int] = (None, 0, 0, 0, 0)


@dataclass(frozen=True)
class Token:
    """A recognised piece of a deadline: its rule, position (on the folded text) and periods."""

    rule: str
    kind: str
    start: int
    end: int
    periods: tuple[Period, ...] = ()
    year: int | None = None
    tied: bool = False
    prose: bool = True
    prose_end: bool = False

    @property
    def family(self) -> Family:
        """Return "due", "recurring" or "event"."""
        return _FAMILY[self.kind]


def _year(value: str | None) -> int | None:
    """Return the year of a captured ``y`` group (two digits are 20xx), or None."""
    if not value:
        return None
    y = int(value)
    return 2000 + y if y < 100 else y


def _month_period(year: int | None, first: int, last: int) -> Period:
    """Return the period from the first day of month ``first`` to the last day of month ``last``."""
    last_day = calendar.monthrange(year or 2001, last)[1]  # 2001: February ends on the 28th
    named = (year, first, 1, last, last_day)
    if year is None:
        return Period(None, None, named)
    return Period(dt.date(year, first, 1), dt.date(year, last, last_day), named)


def _numbers(text: str, g: Grammar, *, roman: bool) -> list[tuple[int, bool]]:
    """Given a month/quarter list ("3,6,9,12", "I và II", "3 - 4"), return (value, joined-by-range) pairs.

    ``joined-by-range`` is True when the number follows a range connector ("-", "đến").
    """
    out: list[tuple[int, bool]] = []
    pos = 0
    for m in (g.numeral if roman else g.month_number).finditer(text):
        between = text[pos : m.start()]
        is_range = bool(out) and bool(g.range_conn.search(between))
        pos = m.end()
        token = m.group(0).lower()
        if roman:
            for ch in g.roman_as_one:
                token = token.replace(ch, "i")
            value = g.roman_values.get(token)
            if value is None:
                return []
        else:
            value = int(token)
            if not 1 <= value <= 12:
                return []
        out.append((value, is_range))
    return out


def _group_spans(values: list[tuple[int, bool]]) -> list[tuple[int, int]]:
    """Given list numbers, return (first, last) spans: ranges and runs of consecutive numbers join.

    "3 - 4" and "I và II" are one span; "3, 6, 9, 12" and "II, I" are separate values.
    """
    spans: list[tuple[int, int]] = []
    for value, is_range in values:
        if spans and (is_range or value == spans[-1][1] + 1) and value > spans[-1][1]:
            spans[-1] = (spans[-1][0], value)
        else:
            spans.append((value, value))
    return spans


def _periods(kind: str, m: re.Match[str], year: int | None, g: Grammar) -> tuple[Period, ...] | None:
    """Return the periods a due token names, or None when the match is not a valid value."""
    groups = m.groupdict()
    if kind == "date":
        day, month = int(groups["d"]), int(groups["m"])
        try:
            dt.date(year or 2000, month, day)  # 2000 is a leap year: 29/2 passes without a year
        except ValueError:
            return None
        named = (year, month, day, month, day)
        if year is None:
            return (Period(None, None, named),)
        date = dt.date(year, month, day)
        return (Period(date, date, named),)
    if kind == "month":
        spans = _group_spans(_numbers(groups["months"], g, roman=False))
        return tuple(_month_period(year, a, b) for a, b in spans) or None
    if kind == "quarter":
        spans = _group_spans(_numbers(groups["quarters"], g, roman=True))
        return tuple(_month_period(year, 3 * a - 2, 3 * b) for a, b in spans) or None
    if kind == "half_year":
        which = strip_marks(groups["which"]).lower()
        if which in g.half_first:
            return (_month_period(year, 1, 6),)
        if which in g.half_second:
            return (_month_period(year, 7, 12),)
        return None
    if kind == "year":
        return (_month_period(year, 1, 12),)
    return ()


def _token(rule: TokenRule, m: re.Match[str], plan_year: int | None, g: Grammar) -> Token | None:
    """Return the token of one grammar match, with its periods resolved, or None if invalid."""
    groups = m.groupdict()
    explicit = _year(groups.get("y"))
    periods = _periods(rule.kind, m, explicit or plan_year, g)
    if periods is None:
        return None
    return Token(
        rule=rule.name,
        kind=rule.kind,
        start=m.start(),
        end=m.end(),
        periods=periods,
        year=explicit,
        tied=bool(groups.get("tie")) or explicit is not None,
        prose=rule.prose,
        prose_end=rule.prose_end,
    )


def _matches_at_or_after(
    folded: str, pos: int, rules: tuple[TokenRule, ...]
) -> list[tuple[int, int, TokenRule, re.Match[str]]]:
    """Return each rule's first non-empty match from ``pos`` as (start, priority, rule, match), sorted."""
    found: list[tuple[int, int, TokenRule, re.Match[str]]] = []
    for prio, rule in enumerate(rules):
        m = rule.regex.search(folded, pos)
        while m is not None and m.end() == m.start():  # an empty match is no token
            m = rule.regex.search(folded, m.start() + 1)
        if m is not None:
            found.append((m.start(), prio, rule, m))
    found.sort(key=lambda f: (f[0], f[1]))
    return found


def scan(folded: str, plan_year: int | None) -> list[Token]:
    """Given folded text, return its tokens left to right (leftmost match wins, grammar order on ties).

    A match that names no valid value ("Tháng 13", "31/4") gives way to the next rule matching
    at the same place, else to a match further on.
    """
    g = grammar()
    tokens: list[Token] = []
    pos = 0
    while pos < len(folded):
        found = _matches_at_or_after(folded, pos, g.tokens)
        if not found:
            break
        first = found[0][0]
        tok = next(
            (t for start, _, rule, m in found if start == first and (t := _token(rule, m, plan_year, g))),
            None,
        )
        if tok is not None:
            tokens.append(tok)
            pos = tok.end
        else:
            pos = first + 1
    return tokens


def _mask_parentheses(text: str) -> str:
    """Return ``text`` with parenthesised parts blanked out (same length, so offsets hold)."""
    while True:
        new = _PARENS.sub(lambda m: " " * len(m.group(0)), text)
        if new == text:
            return new
        text = new


# --------------------------------------------------------------------------------------------
# Deciding the kind


def _merge_ranges(tokens: list[Token], folded: str, g: Grammar) -> list[Token]:
    """Join "A đến B" / "A - B" of two due tokens of one kind into one token spanning both."""
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.family == "due"
            and tok.kind == prev.kind
            and len(prev.periods) == 1
            and len(tok.periods) == 1
            and g.range_conn.fullmatch(folded[prev.end : tok.start])
        ):
            first, last = prev.periods[0].first, tok.periods[0].last
            named = prev.periods[0].named[:3] + tok.periods[0].named[3:]
            span = Period(first, last, named) if first and last and first <= last else None
            if span is not None:
                out[-1] = Token(prev.rule, prev.kind, prev.start, tok.end, (span,), prev.year, prev.tied)
                continue
        out.append(tok)
    return out


def _drop_references(tokens: list[Token], folded: str) -> list[Token]:
    """Drop due tokens that follow an event in the same clause ("theo Kế hoạch số 5 ngày 10/01/2022")."""
    out: list[Token] = []
    in_event = False
    last_end = 0
    for tok in tokens:
        if _BOUNDARY.search(folded[last_end : tok.start]):
            in_event = False
        last_end = tok.end
        if tok.family == "event":
            in_event = True
        if tok.family == "due" and in_event:
            continue
        out.append(tok)
    return out


def _due_values(tokens: list[Token]) -> list[tuple[str, Period]]:
    """Return the (kind, period) due values in order: duplicates and enclosing coarser values removed."""
    values: list[tuple[str, Period]] = []
    seen: set[tuple[str, tuple[int | None, ...]]] = set()
    for tok in tokens:
        for p in tok.periods:
            if (tok.kind, p.named) not in seen:
                seen.add((tok.kind, p.named))
                values.append((tok.kind, p))

    def encloses(outer: tuple[str, Period], inner: tuple[str, Period]) -> bool:
        (ok, op), (ik, ip) = outer, inner
        if _GRAIN[ok] <= _GRAIN[ik] or None in (op.first, op.last, ip.first, ip.last):
            return False
        assert op.first and op.last and ip.first and ip.last
        return op.first <= ip.first and ip.last <= op.last

    return [v for v in values if not any(encloses(v, w) for w in values if w is not v)]


def _year_bounds(year: int | None) -> tuple[dt.date | None, dt.date | None]:
    """Return 1 January and 31 December of ``year`` (None, None without a year)."""
    if year is None:
        return None, None
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def decide(tokens: list[Token], folded: str, plan_year: int | None, *, annual: bool = True) -> Deadline:
    """Given the tokens of one cell, return its Deadline (GOLD_SPEC "Deadline kinds")."""
    g = grammar()
    if not tokens:
        kind: DeadlineKind = "event" if g.fallback_event.search(folded) else "unknown"
        return Deadline(kind=kind)
    head = tokens[0]
    if head.family == "event":
        return Deadline(kind="event")
    if head.family == "recurring":
        year = head.year or plan_year
        start, end = _year_bounds(year) if (annual or head.tied) else (None, None)
        return Deadline(kind="recurring", start=start, end=end)
    dues = [t for t in _merge_ranges(_drop_references(tokens, folded), folded, g) if t.family == "due"]
    values = _due_values(dues)
    if len(values) == 1:
        one_kind, p = values[0]
        if one_kind == "date":  # one due date has no start; a range "Từ 01/3 đến 30/6" keeps it
            return Deadline(kind="date", start=p.first if p.first != p.last else None, end=p.last)
        return Deadline(kind=one_kind, start=p.first, end=p.last)  # type: ignore[arg-type]
    dates = [p.last for _, p in values if p.last is not None]
    return Deadline(kind="multiple", start=None, end=max(dates) if dates else None, dates=dates)


def parse_deadline(raw: str | None, plan_year: int | None, *, annual: bool = True) -> Deadline:
    """Return the Deadline of a deadline cell, resolving missing years to ``plan_year``.

    ``annual``: the plan covers one year, so "Thường xuyên" / "Hàng quý" get the plan-year
    bounds; otherwise only a recurring text tied to the year ("trong năm") gets them.
    """
    text = clean_text(raw, keep_lines=False)
    if not text:
        return Deadline(kind="unknown")
    folded = strip_marks(text)
    tokens = scan(_mask_parentheses(folded), plan_year) or scan(folded, plan_year)
    return decide(tokens, folded, plan_year, annual=annual)


# --------------------------------------------------------------------------------------------
# Due phrases in prose


def _phrase_end(folded: str, pos: int, g: Grammar) -> int:
    """Return where an event due phrase starting its object at ``pos`` ends (stop word or punctuation)."""
    end = len(folded)
    for rx in (_STOP_PUNCT, g.prose_stop):
        m = rx.search(folded, pos)
        if m is not None:
            end = min(end, m.start())
    return end


def _schedule_items(folded: str, tokens: list[Token]) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of bullet items that open with a due time and a colon ("- Quý III năm 2022: ...")."""
    for tok in tokens:
        if tok.family != "due":
            continue
        before = folded[: tok.start]
        bullet = re.search(r"(?:^|\s)-\s*$", before)
        if bullet is None or not re.match(r"\s*:", folded[tok.end :]):
            continue
        start = bullet.start() + (1 if folded[bullet.start()].isspace() else 0)
        nxt = _BULLET_ITEM_END.search(folded, tok.end)
        yield start, nxt.start() if nxt is not None else len(folded)


def _schedules(folded: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Return runs of consecutive schedule bullet items, each as one (start, end) span."""
    runs: list[tuple[int, int]] = []
    for start, end in _schedule_items(folded, tokens):
        if runs and not folded[runs[-1][1] : start].strip():
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _phrase(tok: Token, folded: str, g: Grammar) -> tuple[int, int] | None:
    """Return the (start, end) of the due phrase around one token, or None if it is no due time."""
    before = folded[: tok.start]
    label = g.prose_label.search(before[-80:])
    if label is not None:
        start = tok.start - len(before[-80:]) + label.start()
        m = _CLAUSE_END.search(folded, tok.end)
        return start, m.start() if m is not None else len(folded)
    lead = g.prose_lead_in.search(before[-60:])
    start = tok.start - len(before[-60:]) + lead.start() if lead is not None else tok.start
    if tok.prose_end and not tok.prose:
        # "thực hiện thường xuyên." ends its clause: a due time; "thường xuyên kiểm tra" is an adverb
        return (start, tok.end) if _ENDS_CLAUSE.match(folded, tok.end) else None
    if not tok.prose:
        return None
    if tok.family == "due":
        led = lead is not None or g.prose_self_led.match(folded, tok.start) is not None
        return (start, tok.end) if led else None
    if tok.family == "recurring":
        return start, tok.end  # "công khai hằng tháng trên Cổng ...": the period words only
    if tok.rule == "relative_days":
        if lead is None or g.duration_lead_in.match(lead.group(0).strip()):
            return None
    return start, _phrase_end(folded, tok.end, g)


def find_due_phrases(text: str) -> list[str]:
    """Return the due phrases of a prose passage, in order ("trước ngày 30/11/2022", ...).

    A phrase is a labelled deadline ("Thời gian thực hiện: Quý II/2022"), a due time after a
    lead-in ("hoàn thành trước ngày 30/4/2017", "chậm nhất trước 10 ngày tính đến ngày kiểm
    tra"), or a run of schedule bullets ("- Quý III năm 2022: Sở Xây dựng ... - Quý IV ...").
    """
    clean = clean_text(text, keep_lines=False)
    folded = strip_marks(clean)
    tokens = scan(folded, None)
    g = grammar()
    spans = _schedules(folded, tokens)
    for tok in tokens:
        if any(a <= tok.start < b for a, b in spans):
            continue
        span = _phrase(tok, folded, g)
        if span is not None and span[1] > span[0]:
            spans.append(span)
    spans.sort()
    out: list[str] = []
    last = -1
    for a, b in spans:
        if a >= last:
            phrase = clean[a:b].strip(" ,;:")
            if phrase:
                out.append(phrase)
            last = b
    return out
