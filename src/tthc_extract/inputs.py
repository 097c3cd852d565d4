"""Expand command-line inputs (files, folders, globs) into the files to process."""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tthc_extract.loaders import SUPPORTED_EXTS

Input = tuple[Path, Path | None]  # a file and the root its output mirrors sub-folders from
# Read when named, left out of folder walks: a corpus repository's README.md is not a plan.
NAMED_ONLY_EXTS = {".md"}


@dataclass
class InputSet:
    """What the command-line items name: the files, the items that name none, the files passed over.

    ``problems`` holds ``{"file", "error"}`` records (the errors.jsonl shape) for a folder without
    plan documents or a glob matching nothing; ``skipped`` counts, by extension, the files of
    other types met inside folders (a folder's .xlsx or .zip is not an error, but worth a note);
    ``special`` counts, by kind, the entries that are no regular file (FIFOs, sockets, devices,
    broken symbolic links, symbolic link loops): never opened, whatever their name.
    """

    files: list[Input] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    special: Counter[str] = field(default_factory=Counter)

    def skipped_note(self) -> str | None:
        """Return one line naming what was left out of folders (other types, not regular files), or None."""
        parts = []
        if self.skipped:
            kinds = ", ".join(f"{ext or '(no extension)'}: {n}" for ext, n in self.skipped.most_common(5))
            parts.append(f"{sum(self.skipped.values())} file(s) in the folders are not plan documents and were "
                         f"left out ({kinds}); name a file to try it anyway")
        if self.special:
            kinds = ", ".join(f"{kind}: {n}" for kind, n in self.special.most_common())
            parts.append(f"{sum(self.special.values())} entr{'y' if sum(self.special.values()) == 1 else 'ies'} "
                         f"in the folders are not regular files and were left out ({kinds})")
        return "; ".join(parts) or None


def _hidden(f: Path, root: Path) -> bool:
    """Return whether ``f`` is a dot-file or lies in a dot-folder below ``root`` (.git, .venv, .tthc-check)."""
    return any(part.startswith(".") for part in f.relative_to(root).parts)


def special_kind(f: Path) -> str | None:
    """Return what a folder entry is when it is neither a regular file nor a folder, else None.

    Symbolic links are followed: one to a plan document is read, one to nothing ("broken
    symbolic link") or to itself ("symbolic link loop") is not.
    """
    try:
        mode = os.stat(f).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        return "broken symbolic link" if f.is_symlink() else "unreadable entry"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file"


def _walk(folder: Path, found: InputSet) -> list[Input]:
    """Return the plan documents under ``folder`` (recursive, dot-folders skipped); count the others."""
    files: list[Input] = []
    for f in sorted(folder.rglob("*")):
        if _hidden(f, folder):
            continue
        if not f.is_file():
            kind = special_kind(f)
            if kind is not None:
                found.special[kind] += 1
            continue
        if f.suffix.lower() in SUPPORTED_EXTS - NAMED_ONLY_EXTS:
            files.append((f, folder))
        else:
            found.skipped[f.suffix.lower()] += 1
    return files


def collect_inputs(items: list[str]) -> InputSet:
    """Return the (file, root) pairs for files, folders (recursive) and globs, and what named nothing.

    A file named twice (a glob and its path, a relative and an absolute path) is kept once. A path
    that does not exist is kept: its extraction reports "file not found" against it.
    """
    found = InputSet()
    pairs: list[Input] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            before = sum(found.skipped.values()) + sum(found.special.values())
            files = _walk(p, found)
            if not files:
                others = sum(found.skipped.values()) + sum(found.special.values()) - before
                why = f"only files of other types ({others})" if others else "no files"
                found.problems.append({"file": item, "error": f"{item}: folder holds no plan documents ({why})"})
            pairs.extend(files)
        elif any(ch in item for ch in "*?["):
            base = Path(item.split("*")[0].split("?")[0].split("[")[0])
            root = base if base.is_dir() else base.parent
            matches = [Path(m) for m in sorted(glob.glob(item, recursive=True)) if Path(m).is_file()]
            if not matches:
                found.problems.append({"file": item, "error": f"{item}: no file matches this pattern"})
            pairs.extend((m, root) for m in matches)
        else:
            pairs.append((p, None))
    seen: set[Path] = set()
    for f, r in pairs:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            found.files.append((f, r))
    return found


def expand_inputs(items: list[str]) -> list[Input]:
    """Return (file, root) pairs for files, folders (recursive) and globs; root mirrors sub-folders."""
    return collect_inputs(items).files
