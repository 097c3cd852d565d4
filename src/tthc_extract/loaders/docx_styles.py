"""Word styles and list numbering: resolve paragraph styles and compute list labels ("1.", "a)").

Split from :mod:`tthc_extract.loaders.docx` so the body walker stays readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tthc_extract.loaders.docx_xml import W, int_attr, on, on_attr
from tthc_extract.text.roman import to_roman

_LEVEL_REF = re.compile(r"%([1-9])")



@dataclass
class Style:
    """The paragraph-style properties we use, after following ``w:basedOn``."""

    bold: bool | None = None
    centered: bool | None = None
    num: tuple[str, int] | None = None  # (numId, ilvl) of a list style


def read_styles(root: Any | None) -> tuple[dict[str, Style], str | None]:
    """Given styles.xml, return paragraph styles by id (inheritance resolved) and the default id."""
    if root is None:
        return {}, None
    raw: dict[str, tuple[str | None, Style]] = {}
    default: str | None = None
    for st in root.iter(W + "style"):
        if st.get(W + "type") != "paragraph":
            continue
        sid = st.get(W + "styleId") or ""
        if on_attr(st.get(W + "default")):
            default = sid
        based = st.find(W + "basedOn")
        own = Style()
        ppr, rpr = st.find(W + "pPr"), st.find(W + "rPr")
        if rpr is not None and rpr.find(W + "b") is not None:
            own.bold = on(rpr.find(W + "b"))
        if ppr is not None:
            jc = ppr.find(W + "jc")
            if jc is not None:
                own.centered = jc.get(W + "val") == "center"
            own.num = num_of(ppr)
        raw[sid] = (based.get(W + "val") if based is not None else None, own)

    resolved: dict[str, Style] = {}

    def resolve(sid: str, depth: int = 0) -> Style:
        if sid in resolved or sid not in raw or depth > 20:
            return resolved.get(sid, Style())
        parent_id, own = raw[sid]
        base = resolve(parent_id, depth + 1) if parent_id else Style()
        resolved[sid] = Style(
            bold=own.bold if own.bold is not None else base.bold,
            centered=own.centered if own.centered is not None else base.centered,
            num=own.num if own.num is not None else base.num,
        )
        return resolved[sid]

    for sid in raw:
        resolve(sid)
    return resolved, default



def num_of(ppr: Any) -> tuple[str, int] | None:
    """Return the (numId, ilvl) of a ``w:pPr``'s ``w:numPr``, or None when it has none."""
    num_pr = ppr.find(W + "numPr")
    if num_pr is None:
        return None
    num_id = num_pr.find(W + "numId")
    if num_id is None:
        return None
    return num_id.get(W + "val") or "0", int_attr(num_pr.find(W + "ilvl"), 0)


@dataclass
class Level:
    """One level of a list definition: its number format, label template and start value."""

    fmt: str = "bullet"
    text: str = ""
    start: int = 1


def format_number(n: int, fmt: str) -> str:
    """Return ``n`` written in Word number format ``fmt`` (decimal, roman, letter; else decimal)."""
    if fmt in ("lowerRoman", "upperRoman"):
        out = to_roman(max(n, 1))
        return out if fmt == "upperRoman" else out.lower()
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (max(n, 1) - 1) % 26) * ((max(n, 1) - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class Numbering:
    """List definitions of numbering.xml and the running counters that give each item its label."""

    def __init__(self, root: Any | None) -> None:
        self._abstract: dict[str, dict[int, Level]] = {}
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractId, start overrides)
        self._counters: dict[str, list[int | None]] = {}
        if root is None:
            return
        for ab in root.iter(W + "abstractNum"):
            self._abstract[ab.get(W + "abstractNumId") or ""] = {
                int_attr_named(lvl, "ilvl"): self._level(lvl) for lvl in ab.iter(W + "lvl")
            }
        for num in root.iter(W + "num"):
            ab_ref = num.find(W + "abstractNumId")
            overrides = {
                int_attr_named(ov, "ilvl"): int_attr(ov.find(W + "startOverride"), 1)
                for ov in num.iter(W + "lvlOverride")
                if ov.find(W + "startOverride") is not None
            }
            self._nums[num.get(W + "numId") or ""] = (
                ab_ref.get(W + "val") if ab_ref is not None else "", overrides)

    @staticmethod
    def _level(lvl: Any) -> Level:
        """Return the Level of a ``w:lvl`` element."""
        fmt, text = lvl.find(W + "numFmt"), lvl.find(W + "lvlText")
        return Level(
            fmt=fmt.get(W + "val", "decimal") if fmt is not None else "decimal",
            text=text.get(W + "val", "") if text is not None else "",
            start=int_attr(lvl.find(W + "start"), 1),
        )

    def label(self, num_id: str, ilvl: int) -> str:
        """Return the label Word shows before the next item of list ``num_id`` at level ``ilvl``.

        Bullets (and formats we do not render) become "- "; numbered formats give their text,
        e.g. "1. ", "a) ", "II. ". Counters are shared by lists of one definition unless the list
        restarts its numbering, as Word does.
        """
        if num_id == "0" or num_id not in self._nums:
            return ""
        abstract_id, overrides = self._nums[num_id]
        levels = self._abstract.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None or level.fmt == "bullet":
            return "- "
        if level.fmt == "none":
            return level.text.strip() + " " if level.text.strip() else ""
        key = f"n{num_id}" if overrides else f"a{abstract_id}"
        counters = self._counters.setdefault(key, [None] * 10)
        ilvl = min(max(ilvl, 0), 9)
        current = counters[ilvl]
        counters[ilvl] = overrides.get(ilvl, level.start) if current is None else current + 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = None

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, Level(fmt="decimal"))
            value = counters[k] if counters[k] is not None else overrides.get(k, lv.start)
            return format_number(value or 0, "decimal" if lv.fmt == "bullet" else lv.fmt)

        text = _LEVEL_REF.sub(number, level.text).strip()
        return text + " " if text else ""


def int_attr_named(el: Any, name: str) -> int:
    """Return the integer attribute ``w:name`` of ``el``, or 0."""
    try:
        return int(el.get(W + name, "0"))
    except ValueError:
        return 0


