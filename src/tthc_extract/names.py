"""File names as they are on disk: any bytes, any length the file system allows.

POSIX file names are bytes. Python hands a name that is not UTF-8 (``bad\\xff\\xfe.txt``, common on
disks copied from old Windows machines) over as a str holding lone surrogates (PEP 383,
"surrogateescape"), which cannot be encoded as UTF-8. Such a name is

- stored as given where the format allows it: JSON writes the surrogates as ``\\udcff`` escapes,
  which Python reads back to the same str and ``os.fsencode`` to the same bytes (:func:`json_bytes`);
- shown escaped (``bad\\xff\\xfe.txt``) where text must be valid UTF-8: printed lines and Parquet
  string columns (:func:`shown`).

A name may be 255 bytes (ext4, XFS, Btrfs), so an output named after it (``<name>.json``) or a
temporary file beside it can be too long. :func:`fit_name` shortens such names to a prefix and a
hash of the whole name: the same input always gets the same output name, and the document's JSON
keeps the original name.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

# Longest file name, in bytes, of the usual Linux file systems (NAME_MAX).
NAME_MAX = 255
# Hex digits of the name's SHA-256 that stand for the part of a too-long name left out.
HASH_CHARS = 16
_SURROGATE = re.compile("[\ud800-\udfff]")


def name_bytes(name: str) -> bytes:
    """Return the bytes of a file name as the OS has them (undecodable bytes given back)."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte stands for (read from JSON, not from the OS)
        return name.encode("utf-8", "surrogatepass")


def _escape_for_display(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def shown(s: str) -> str:
    """Return ``s`` as valid UTF-8 text: an undecodable byte of a file name as ``\\xNN``.

    Names that are UTF-8 come back unchanged.
    """
    return _SURROGATE.sub(_escape_for_display, s) if _SURROGATE.search(s) else s


def json_bytes(data: Any, indent: int | None = None) -> bytes:
    """Return ``data`` as UTF-8 JSON, strings not ASCII-escaped except lone surrogates (``\\udcff``).

    Those escapes are valid JSON and read back to the same Python str, so a file name that is not
    UTF-8 is stored as given, and the file is valid UTF-8.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if _SURROGATE.search(text):  # only inside string literals: JSON's syntax is ASCII
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.encode("utf-8")


def name_hash(name: str) -> str:
    """Return the short hash that stands for ``name`` in a shortened file name."""
    return hashlib.sha256(name_bytes(name)).hexdigest()[:HASH_CHARS]


def fit_name(name: str, suffix: str = "", reserve: int = 0) -> str:
    """Return ``name + suffix``, or when that (plus ``reserve`` bytes) exceeds NAME_MAX, a shortened form.

    The shortened form is the longest prefix of ``name`` that fits (cut between characters), ``~``,
    the name's hash, then ``suffix``: deterministic, so a re-run finds the same output.
    ``reserve`` keeps room for what a caller appends later (a table number, a temporary suffix).
    """
    limit = NAME_MAX - reserve
    if len(name_bytes(name + suffix)) <= limit:
        return name + suffix
    room = limit - len(name_bytes(suffix)) - 1 - HASH_CHARS
    prefix = ""
    for ch in name:
        if len(name_bytes(prefix + ch)) > room:
            break
        prefix += ch
    return f"{prefix}~{name_hash(name)}{suffix}"


def temp_prefix(name: str, tail: int) -> str:
    """Return the dot-prefix of a temporary file beside ``name``: ``.<name>.``, or ``.<hash>.`` when too long.

    ``tail`` is what the temporary-file maker appends (random characters and ``.tmp``).
    """
    prefix = f".{name}."
    return prefix if len(name_bytes(prefix)) + tail <= NAME_MAX else f".{name_hash(name)}."

