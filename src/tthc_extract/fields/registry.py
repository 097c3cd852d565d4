"""The agency registry: one identifier, canonical name, type and level per body (grammars/agencies/).

fields/agency.py reads the names a cell gives; this module says which body each name is, so that
"Sở, ban, ngành", "Các sở, ban ngành" and "Sở, ban ngành tỉnh" count as one body across a corpus.
A name is turned into a key (abbreviations expanded, case folded, parentheses and punctuation
dropped, leading quantifiers and trailing qualifiers such as "liên quan" or a province name
removed) and the key is matched against the bodies' aliases (``grammars/agencies/bodies.toml``,
whose header describes the steps). Names a document defines for itself ("(sau đây gọi tắt là Văn
phòng)") are resolved to the full name first, within that document only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import regex as re

from tthc_extract import grammars
from tthc_extract.fields.agency import canonical_name, parse_agencies
from tthc_extract.model.plan import Agency, Plan, ProseTask, TaskRow
from tthc_extract.model.warnings import warn
from tthc_extract.text.normalize import normalize_chars


@dataclass(frozen=True)
class Body:
    """One entry of the registry: a kind of body of a province's government."""

    id: str
    name: str
    type: str  # the Vietnamese label of its [types] entry ("Sở", "Ủy ban nhân dân", ...)
    level: str | None


@dataclass(frozen=True)
class Province:
    """A province or centrally-run city of its time (provinces.toml)."""

    code: str
    name: str
    kind: str
    now: str  # code of the 2025 unit it belongs to
    now_name: str


@dataclass(frozen=True)
class _Registry:
    bodies: tuple[tuple[Any, Body], ...]  # (compiled alias alternation, body)
    leading: Any
    trailing: Any
    doc_alias: Any
    provinces: dict[str, Province]  # by case-folded name or variant


# Punctuation and symbols (_fold) and one innermost parenthesis (agency_key), compiled once: the
# module-level re functions look their pattern up in regex's cache at every call.
_PUNCT = re.compile(r"[\p{P}\p{S}]+")
_INNER_PARENS = re.compile(r"\([^()]*\)")


def _fold(text: str) -> str:
    """Return ``text`` case-folded and tone marks unified, with its punctuation as single spaces."""
    text = _PUNCT.sub(" ", normalize_chars(text).casefold())
    return " ".join(text.split())


@grammars.cache
def _registry() -> _Registry:
    """Return the compiled registry (built once per process)."""
    g = grammars.load("agencies/bodies")
    p = grammars.load("agencies/provinces")
    types = g["types"]
    now_names = {c["code"]: c["name"] for c in p["current"]}
    provinces: dict[str, Province] = {}
    for e in p["provinces"]:
        prov = Province(code=e["code"], name=e["name"], kind=e["kind"], now=e["now"], now_name=now_names[e["now"]])
        for n in [e["name"], *e.get("variants", [])]:
            provinces[_fold(n)] = prov
    names = sorted(provinces, key=len, reverse=True)
    place = "|".join(re.escape(n) for n in names)
    trailing = [*g["key"]["trailing"], rf"(?:(?:tỉnh|thành phố)\s+)?(?:{place})"]
    bodies = tuple(
        (
            re.compile("(?:" + "|".join(f"(?:{a})" for a in b["aliases"]) + ")"),
            Body(id=b["id"], name=b["name"], type=types[b["type"]], level=b.get("level")),
        )
        for b in g["bodies"]
    )
    return _Registry(
        bodies=bodies,
        leading=re.compile("^" + g["key"]["leading"]),
        trailing=re.compile(r"\s+(?:" + "|".join(f"(?:{t})" for t in trailing) + r")$"),
        doc_alias=re.compile(g["document_aliases"]["pattern"], re.I),
        provinces=provinces,
    )


@grammars.lru_cache(16384)
def agency_key(name: str) -> str:
    """Return the key a name is matched by: expanded, folded, without remarks and qualifiers.

    Cached: resolve() asks for the key of every agency of a plan twice (its document alias, its
    body), and the same names come back row after row.
    """
    reg = _registry()
    text = canonical_name(name)
    prev = None
    while prev != text:  # innermost parentheses first
        prev, text = text, _INNER_PARENS.sub(" ", text)
    key = reg.leading.sub("", _fold(text))
    prev = None
    while prev != key:
        prev, key = key, reg.trailing.sub("", key)
    return key


@grammars.lru_cache(16384)
def lookup(name: str) -> Body | None:
    """Return the body ``name`` names, or None when the registry has no body of that key."""
    key = agency_key(name)
    for pattern, body in _registry().bodies:
        if pattern.fullmatch(key):
            return body
    return None


def province(name: str | None) -> Province | None:
    """Return the province of its time called ``name`` ("Quảng Ngãi", "tỉnh Quảng Bình"), else None."""
    if not name:
        return None
    key = re.sub(r"^(?:tỉnh|thành phố|tp)\s+", "", _fold(name))
    return _registry().provinces.get(key)


def document_aliases(texts: Iterable[str]) -> dict[str, str]:
    """Return the short names a document defines for bodies, by key, with the full name each stands for.

    ``texts`` are the document's cells and paragraphs; in "Văn phòng Ủy ban nhân dân tỉnh (sau đây
    gọi tắt là Văn phòng)" the full name is the last agency read before the parenthesis.
    """
    out: dict[str, str] = {}
    for text in texts:
        for m in _registry().doc_alias.finditer(text):
            before = re.split(r"[;:\n]|\.\s", text[: m.start()])[-1]
            lead, support = parse_agencies(before)
            named = [a.name for a in lead + support]
            if named and m.group("short").strip():
                out.setdefault(agency_key(m.group("short")), named[-1])
    return out


def resolve(agency: Agency, aliases: dict[str, str] | None = None) -> Agency:
    """Return ``agency`` with its body's id, type, level and canonical name (unchanged if unknown)."""
    full = (aliases or {}).get(agency_key(agency.name))
    body = lookup(full or agency.name)
    if body is None:
        return agency.model_copy(update={"canonical": canonical_name(full)}) if full else agency
    return agency.model_copy(update={
        "canonical": body.name, "agency_id": body.id, "agency_type": body.type, "agency_level": body.level,
    })


def _plan_texts(plan: Plan) -> list[str]:
    """Return the texts of a plan a document alias may be defined in."""
    texts = [t for r in plan.rows for t in (r.agencies_raw, r.task, r.result, r.note) if t]
    return texts + [t.text for t in plan.prose_tasks if t.text]


def resolve_plan(plan: Plan) -> None:
    """Give every agency of ``plan`` its registry body; warn once about the names of no known body."""
    aliases = document_aliases(_plan_texts(plan))
    unknown: dict[str, None] = {}
    items: list[TaskRow | ProseTask] = [*plan.rows, *plan.prose_tasks]
    for item in items:
        item.lead_agencies = [resolve(a, aliases) for a in item.lead_agencies]
        item.support_agencies = [resolve(a, aliases) for a in item.support_agencies]
        for a in item.lead_agencies + item.support_agencies:
            if a.agency_id is None:
                unknown.setdefault(a.canonical)
    if unknown:
        plan.warnings.append(warn("agencies_not_in_registry", "agencies not in the registry (no agency_id): " + "; ".join(unknown)))
