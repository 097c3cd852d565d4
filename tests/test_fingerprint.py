"""The tool fingerprint covers the code that reads documents, not the CLI, check or batch driver."""

from pathlib import Path

import tthc_extract
from tthc_extract.fingerprint import output_sources, tool_fingerprint


def _relative(p: Path) -> str:
    """Name a source relative to the package (or by file name for grammars), so the clone's location never matters."""
    package = Path(tthc_extract.__file__).resolve().parent
    return p.relative_to(package).as_posix() if p.is_relative_to(package) else f"grammars/{p.name}"


def test_fingerprint_scope() -> None:
    names = {_relative(p) for p in output_sources()}
    assert "pipeline.py" in names
    assert "segment/rows.py" in names
    assert "grammars/deadlines.toml" in names
    excluded = [n for n in names if n in ("cli.py", "inputs.py") or n.startswith(("check/", "batch/"))]
    assert excluded == []
    assert len(tool_fingerprint()) == 16 and tool_fingerprint() == tool_fingerprint()
