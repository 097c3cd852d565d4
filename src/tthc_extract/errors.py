"""Errors raised for inputs that cannot be read; their message is one line naming the file."""

from __future__ import annotations


class ExtractError(Exception):
    """An input document could not be read (corrupt, encrypted, empty, foreign or missing tool)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class MissingToolError(ExtractError):
    """A system tool (Tesseract, LibreOffice) needed for this input is not installed."""


def exc_line(exc: BaseException, limit: int = 160) -> str:
    """Return an exception as one short line: its type and its message with whitespace collapsed."""
    msg = " ".join(str(exc).split())[:limit]
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def os_reason(exc: OSError) -> str:
    """Return why a file could not be opened, in the words of every error line ("file not found")."""
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read file ({exc.strerror or exc})"
