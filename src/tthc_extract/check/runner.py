"""Extract the documents to check, reusing outputs in the work folder that are still up to date.

Each extraction writes ``WORKDIR/<sub-folders>/<file name>.json`` (the layout of ``extract -o``)
and beside it a sidecar ``<file name>.meta.json`` holding the input's SHA-256, the tool version
and a fingerprint of the code, grammars and output-changing settings that wrote it. An output is
reused when all three still match. Content, not modification time, decides: a fresh ``git clone`` or a CI cache restore
gives every file a new time, and a grammar edit changes outputs without a version bump.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tthc_extract
from tthc_extract.export.writers import atomic_write_bytes, json_path_for, write_json
from tthc_extract.fingerprint import sha256_file, tool_fingerprint
from tthc_extract.pipeline import extract_one
from tthc_extract.settings import ExtractSettings

SIDECAR_SUFFIX = ".meta.json"


@dataclass
class Run:
    """One document's extraction for a check: its plan JSON, or why it could not be read."""

    path: Path
    root: Path | None
    plan: dict[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0
    reused: bool = False


def sidecar_path(json_path: Path) -> Path:
    """Return the sidecar of an output JSON ("x.pdf.json" -> "x.pdf.meta.json")."""
    return json_path.with_name(json_path.name.removesuffix(".json") + SIDECAR_SUFFIX)


def _stamp(input_sha: str, settings: ExtractSettings) -> dict[str, str]:
    return {"version": tthc_extract.__version__, "fingerprint": tool_fingerprint(settings), "input_sha256": input_sha}


def _reusable(json_path: Path, input_sha: str, settings: ExtractSettings) -> dict[str, Any] | None:
    """Return the stored plan JSON when its sidecar matches this input and this tool, else None."""
    meta = sidecar_path(json_path)
    try:
        stamp = json.loads(meta.read_text(encoding="utf-8"))
        if {k: stamp.get(k) for k in ("version", "fingerprint", "input_sha256")} != _stamp(input_sha, settings):
            return None
        plan = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return plan if isinstance(plan, dict) else None


def extract_or_reuse(path: Path, root: Path | None, workdir: Path | None, reuse: bool = True,
                     settings: ExtractSettings | None = None) -> Run:
    """Return the Run of one document: the up-to-date output in ``workdir``, or a fresh extraction
    read with ``settings`` (default: ExtractSettings.resolve(None)).

    Without a ``workdir`` nothing is stored or reused.
    """
    settings = ExtractSettings.resolve(settings)
    t0 = time.perf_counter()
    json_path = json_path_for(path, workdir, root) if workdir is not None else None
    input_sha = None
    if json_path is not None and path.is_file():
        try:
            input_sha = sha256_file(path)
        except OSError:
            input_sha = None  # the extraction below reports why the file cannot be read
    if reuse and json_path is not None and input_sha is not None:
        plan = _reusable(json_path, input_sha, settings)
        if plan is not None:
            return Run(path, root, plan=plan, seconds=time.perf_counter() - t0, reused=True)
    res = extract_one(path, settings)
    if res.plan is None:
        return Run(path, root, error=res.error, seconds=time.perf_counter() - t0)
    if json_path is not None and input_sha is not None:
        write_json(res.plan, json_path)
        stamp = json.dumps(_stamp(input_sha, settings) | {"input": str(path)}, ensure_ascii=False, indent=1)
        atomic_write_bytes(sidecar_path(json_path), (stamp + "\n").encode("utf-8"))
    return Run(path, root, plan=res.plan.to_json_dict(), seconds=time.perf_counter() - t0)
