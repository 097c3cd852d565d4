"""Render check results: a summary table for people, JSON, JUnit XML and GitHub annotations.

Every renderer takes the same inputs (the document reports, worst first, and the summary) and
returns text, so the command decides where it goes (stdout or --output).
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tthc_extract.check.evaluate import DocReport

FORMATS = ("table", "json", "junit", "github")
SUITE_NAME = "tthc-extract check"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


@dataclass
class Summary:
    """Totals of one check run."""

    documents: int
    passed: int
    failed: int
    errors: int
    reused: int
    seconds: float
    settings: str
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """Return the one-line summary printed last."""
        return (
            f"{self.documents} document(s): {self.passed} passed, {self.failed} failed, "
            f"{self.errors} unreadable ({self.reused} reused) in {self.seconds:.1f}s; settings: {self.settings}"
        )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _worst_field(r: DocReport) -> str:
    c = r.comparison
    scored = [(v, k) for k, v in (c.fields.items() if c else []) if v is not None]
    if not scored:
        return "-"
    value, name = min(scored)
    return f"{name} {value:.3f}" if value < 1.0 else "all 1.000"


def _cells(r: DocReport) -> list[str]:
    c, i = r.comparison, r.intrinsic
    if r.status == "error":
        rows = issues = "-"
    elif c is not None:
        rows, issues = f"{c.actual_rows}/{c.expected_rows}", str(len(c.diff_lines()))
    else:
        rows, issues = str(i.rows if i else 0), str(len(i.finding_lines()) if i else 0)
    return [
        r.status.upper(), r.path, rows,
        _pct(c.precision if c else None), _pct(c.recall if c else None), _pct(c.f1 if c else None),
        _worst_field(r), _pct(c.document_accuracy if c else None),
        issues, f"{r.seconds:.2f}s" + (" (reused)" if r.reused else ""),
    ]


def render_table(reports: Sequence[DocReport], summary: Summary) -> str:
    """Return the report for people: the summary table (worst first), then what went wrong where.

    ROWS is extracted/expected (or the row count without expected file); ISSUES counts the diff
    lines against the expected file, or else the intrinsic findings.
    """
    head = ["STATUS", "DOCUMENT", "ROWS", "P", "R", "F1", "WORST FIELD", "DOC", "ISSUES", "TIME"]
    body = [_cells(r) for r in reports]
    widths = [max(len(row[k]) for row in [head, *body]) for k in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [head, *body]]
    for r in reports:
        if r.status == "pass" and not r.details():
            continue
        lines.append("")
        lines.append(f"{r.status.upper()} {r.path}" + (f" (expected: {r.expected})" if r.expected else ""))
        if r.error:
            lines.append(f"  unreadable: {r.error}")
        lines += [f"  threshold: {f}" for f in r.failures]
        details = r.details()
        if details:
            lines.append("  diff (expected → extracted):" if r.comparison is not None else "  findings:")
            lines += [f"    {d}" for d in details]
    lines.append("")
    lines += [f"note: {n}" for n in summary.notes]
    lines.append(summary.line())
    return "\n".join(lines) + "\n"


def report_dict(r: DocReport) -> dict[str, Any]:
    """Return one document's report as JSON-ready data (with its diff lines and findings)."""
    out: dict[str, Any] = {
        "path": r.path, "status": r.status, "error": r.error, "expected": r.expected,
        "seconds": round(r.seconds, 3), "reused": r.reused, "failures": r.failures,
    }
    if r.comparison is not None:
        c = dataclasses.asdict(r.comparison)
        c.pop("diffs")
        c.pop("document_changes")
        out["comparison"] = c
        out["diff"] = r.comparison.diff_lines()
    if r.intrinsic is not None:
        out["intrinsic"] = dataclasses.asdict(r.intrinsic) | {"findings": r.intrinsic.finding_lines()}
    return out


def render_json(reports: Sequence[DocReport], summary: Summary) -> str:
    """Return the machine-readable report: the summary and every document, worst first."""
    data = {"summary": dataclasses.asdict(summary), "documents": [report_dict(r) for r in reports]}
    return json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n"


def _xml_text(text: str) -> str:
    return _XML_BAD.sub("\ufffd", text)


def _classname(path: str) -> str:
    """Return a JUnit class name from a document's folder ("corpus/2022/x.pdf" -> "...corpus.2022")."""
    return ".".join(["tthc-extract.check", *(p for p in Path(path).parent.parts if p != "/")])


def render_junit(reports: Sequence[DocReport], summary: Summary) -> str:
    """Return JUnit XML: one testsuite, one testcase per document; failures carry the diff."""
    suite = ET.Element("testsuite", {
        "name": SUITE_NAME, "tests": str(summary.documents), "failures": str(summary.failed),
        "errors": str(summary.errors), "skipped": "0", "time": f"{summary.seconds:.3f}",
    })
    for r in reports:
        case = ET.SubElement(suite, "testcase", {
            "classname": _classname(r.path),
            "name": r.path, "file": r.path, "time": f"{r.seconds:.3f}",
        })
        if r.status == "error":
            el = ET.SubElement(case, "error", {"message": _xml_text(r.error or "unreadable"), "type": "unreadable"})
            el.text = _xml_text(r.error or "")
        elif r.status == "fail":
            el = ET.SubElement(case, "failure", {"message": _xml_text("; ".join(r.failures)), "type": "threshold"})
            el.text = _xml_text("\n".join([*r.failures, *r.details()]))
        elif r.details():
            ET.SubElement(case, "system-out").text = _xml_text("\n".join(r.details()))
    if summary.notes:
        ET.SubElement(suite, "system-out").text = _xml_text("\n".join(summary.notes))
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(reports: Sequence[DocReport], summary: Summary) -> str:
    """Return GitHub Actions workflow commands (one ::error per failing document), then the table."""
    lines = []
    for r in reports:
        if r.status == "pass":
            continue
        title = f"tthc-extract check: {'unreadable' if r.status == 'error' else 'failed'}"
        body = [r.error or ""] if r.status == "error" else [*r.failures, *r.details()]
        lines.append(f"::error file={_gh_prop(r.path)},title={_gh_prop(title)}::{_gh_data(chr(10).join(body))}")
    for note in summary.notes:
        lines.append(f"::warning title={_gh_prop('tthc-extract check')}::{_gh_data(note)}")
    lines.append(f"::notice title={_gh_prop('tthc-extract check')}::{_gh_data(summary.line())}")
    return "\n".join(lines) + "\n" + render_table(reports, summary)


RENDERERS = {"table": render_table, "json": render_json, "junit": render_junit, "github": render_github}
