"""The tool fingerprint covers the code that reads documents, not the CLI, check or batch driver."""

from tthc_extract.fingerprint import output_sources, tool_fingerprint


def test_fingerprint_scope() -> None:
    names = {p.as_posix() for p in output_sources()}
    assert any(n.endswith("tthc_extract/pipeline.py") for n in names)
    assert any(n.endswith("segment/rows.py") for n in names)
    assert any(n.endswith("grammars/deadlines.toml") for n in names)
    assert not any(n.endswith(("cli.py", "inputs.py")) or "/check/" in n or "/batch/" in n for n in names)
    assert len(tool_fingerprint()) == 16 and tool_fingerprint() == tool_fingerprint()
