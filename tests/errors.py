"""Shared assertion for the one-line errors every loader gives on bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tthc_extract.errors import ExtractError


def assert_one_line_error(read: Callable[[Path], Any], path: Path, *fragments: str) -> None:
    """Assert ``read(path)`` raises an ExtractError "<path>: <reason>" on one line, the reason saying each fragment."""
    with pytest.raises(ExtractError) as info:
        read(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in info.value.reason
