"""Roman numerals, both ways: section numbers of plans run I, II, III ... (rarely past XX)."""

from __future__ import annotations

import regex as re

_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_DIGITS = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
           (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman_value(text: str) -> int | None:
    """Return the value of a Roman numeral ("XIV" -> 14), or None if ``text`` is not one."""
    t = text.strip().upper()
    if not t or not _ROMAN.fullmatch(t):
        return None
    values = [_VALUES[c] for c in t]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def to_roman(value: int) -> str:
    """Return ``value`` (>= 1) written as a Roman numeral (14 -> "XIV"); past 3999 the Ms repeat, as Word
    writes a list's 4000th item."""
    if value < 1:
        raise ValueError(f"no Roman numeral for {value}")
    out = []
    for v, s in _DIGITS:
        n, value = divmod(value, v)
        out.append(s * n)
    return "".join(out)
