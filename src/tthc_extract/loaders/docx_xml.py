"""WordprocessingML basics shared by the Word loader modules: namespace and property readers."""

from __future__ import annotations

from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ON = {"1", "true", "on"}


def on(el: Any) -> bool:
    """Return whether an OOXML on/off property element (``<w:b/>``, ``<w:b w:val="0"/>``) is on."""
    if el is None:
        return False
    val = el.get(W + "val")
    return val is None or val.lower() in _ON


def on_attr(val: str | None) -> bool:
    """Return whether an on/off attribute value is on (absent counts as off)."""
    return val is not None and val.lower() in _ON


def int_attr(el: Any, default: int) -> int:
    """Return the integer ``w:val`` of ``el``, or ``default`` when absent or malformed."""
    if el is None:
        return default
    try:
        return int(el.get(W + "val", default))
    except (TypeError, ValueError):
        return default
