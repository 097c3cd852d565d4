"""OUTDIR/manifest.json: what every output was made from, so a re-run redoes only what changed.

One entry per document, keyed by its output JSON's path inside OUTDIR (``sub/plan.pdf.json``):
the input's SHA-256, the tool version and the fingerprint of the code and grammars that wrote it
(the same stamp ``tthc-extract check`` puts in its sidecars, see check/runner.py), the outcome
(ok / failed with its error), and the Parquet partition the document's rows live in. An output is
up to date when the input's content and the tool are unchanged: content, not modification time,
decides (a fresh clone gives every file a new time). The input's size and modification time are
kept only to skip hashing a file again that was not touched since it was hashed, as git's index
does, with git's guard for "racy" files changed within the clock's resolution of their hashing.

The manifest also carries the partitions whose Parquet files must be rebuilt ("dirty"), saved
with every checkpoint, so a batch killed before it could rebuild them rebuilds them next time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import tthc_extract
from tthc_extract.export.writers import atomic_write_bytes
from tthc_extract.fingerprint import sha256_file, tool_fingerprint
from tthc_extract.names import json_bytes
from tthc_extract.settings import ExtractSettings

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
# A file modified less than this before it was hashed may have changed again since, unseen.
RACY_NS = 2_000_000_000

# A Parquet partition: (province, plan_year); None stands for "not found in the document".
Partition = tuple[str | None, int | None]

__all__ = ["MANIFEST_NAME", "Entry", "Manifest", "Partition", "sha256_file", "tool_stamp"]


def tool_stamp(settings: ExtractSettings | None = None) -> tuple[str, str]:
    """Return (version, fingerprint) of the running tool reading with ``settings`` (see
    fingerprint.tool_fingerprint: settings that change outputs change the fingerprint)."""
    return tthc_extract.__version__, tool_fingerprint(settings)


@dataclass
class Entry:
    """What the manifest knows of one document."""

    input: str
    sha256: str
    version: str
    fingerprint: str
    status: Literal["ok", "failed"]
    error: str | None = None
    province: str | None = None
    plan_year: int | None = None
    n_rows: int = 0
    n_warn: int = 0
    seconds: float = 0.0
    size: int = -1
    mtime_ns: int = -1
    hashed_ns: int = 0
    plan_status: str = "success"  # the plan's status (Plan.status) when extracted

    @property
    def partition(self) -> Partition:
        """Return the Parquet partition of the document's rows."""
        return (self.province, self.plan_year)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        """Return the Entry of a manifest JSON object (unknown keys are ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Manifest:
    """The entries of one output folder and the partitions waiting to be rebuilt."""

    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    dirty: set[Partition] = field(default_factory=set)
    changed: bool = False

    @classmethod
    def load(cls, outdir: Path) -> Manifest:
        """Return the manifest of ``outdir`` (empty when there is none or it cannot be read)."""
        path = outdir / MANIFEST_NAME
        m = cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != MANIFEST_FORMAT:
                return m
            m.entries = {k: Entry.from_json(v) for k, v in data.get("documents", {}).items()}
            m.dirty = {(p[0], p[1]) for p in data.get("dirty", [])}
        except (OSError, ValueError, TypeError, AttributeError, IndexError):
            return cls(path)
        return m

    def save(self) -> None:
        """Write the manifest atomically."""
        data = {
            "format": MANIFEST_FORMAT,
            "documents": {k: asdict(self.entries[k]) for k in sorted(self.entries)},
            "dirty": sorted(([p, y] for p, y in self.dirty), key=lambda x: (str(x[0]), x[1] or 0)),
        }
        atomic_write_bytes(self.path, json_bytes(data, indent=1) + b"\n")
        self.changed = False

    def is_current(self, key: str, sha256: str, stamp: tuple[str, str]) -> bool:
        """Return whether ``key`` was extracted successfully from this content by this tool."""
        e = self.entries.get(key)
        return e is not None and e.status == "ok" and e.sha256 == sha256 and (e.version, e.fingerprint) == stamp

    def record(self, key: str, entry: Entry) -> None:
        """Store the entry of ``key``; the partitions it leaves and joins become dirty."""
        old = self.entries.get(key)
        if old is not None and old.status == "ok":
            self.dirty.add(old.partition)
        if entry.status == "ok":
            self.dirty.add(entry.partition)
        self.entries[key] = entry
        self.changed = True

    def known_sha256(self, key: str, size: int, mtime_ns: int) -> str | None:
        """Return the stored hash of ``key``'s input when its size and modification time are unchanged.

        A cache, as git's index is: a file whose size or time changed (a fresh clone, a copy) is
        hashed again, and its content decides.
        """
        e = self.entries.get(key)
        if e is None or not e.sha256 or (e.size, e.mtime_ns) != (size, mtime_ns):
            return None
        return e.sha256 if mtime_ns < e.hashed_ns - RACY_NS else None

    def members(self, partition: Partition) -> list[str]:
        """Return the keys of the extracted documents in ``partition``, sorted."""
        return self.by_partition().get(partition, [])

    def by_partition(self) -> dict[Partition, list[str]]:
        """Return the keys of the extracted documents of each partition, sorted."""
        out: dict[Partition, list[str]] = {}
        for k in sorted(self.entries):
            e = self.entries[k]
            if e.status == "ok":
                out.setdefault(e.partition, []).append(k)
        return out

    def partitions(self) -> set[Partition]:
        """Return every partition holding at least one extracted document."""
        return {e.partition for e in self.entries.values() if e.status == "ok"}

    def failed(self) -> list[Entry]:
        """Return the entries of the documents whose last extraction failed, by key."""
        return [self.entries[k] for k in sorted(self.entries) if self.entries[k].status == "failed"]
