"""The warning codes: one list (model.warnings.CODES), every code used in src/, none used unlisted,
README's table generated from the list, schema-1.0 texts typed back to their codes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from tthc_extract.model.warnings import CODES, STAGES, Warning, codes_table, v1_warning, warn
from tthc_extract.pipeline import STAGE_FAILED

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tthc_extract"
TABLE_MODULE = SRC / "model" / "warnings.py"


def _modules() -> list[tuple[Path, ast.Module]]:
    """Every module of src/ but the one holding the list itself."""
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SRC.rglob("*.py")) if p != TABLE_MODULE]


def _is_warn_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "warn"


def _codes_named() -> list[tuple[str, str]]:
    """(where, code) of every code src/ names: the first argument of warn(...), a string compared with
    ``.code``, a value of a ``*_CODE`` constant or of STAGE_FAILED."""
    out = []
    for path, tree in _modules():
        where = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            found: list[ast.AST] = []
            if _is_warn_call(node):
                assert isinstance(node, ast.Call)
                found = node.args[:1]
            elif isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Attribute) and s.attr == "code" for s in sides):
                    found = sides
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if any(n.endswith("_CODE") or n == "STAGE_FAILED" for n in names) and node.value is not None:
                    value = node.value
                    found = [v for v in value.values if v is not None] if isinstance(value, ast.Dict) else [value]
            for f in found:
                for c in ast.walk(f):
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and re.fullmatch(r"[a-z0-9_]+", c.value):
                        out.append((f"{where}:{c.lineno}", c.value))
    return out


def test_every_code_named_in_src_is_listed() -> None:
    named = _codes_named()
    assert len(named) >= len(CODES)
    assert [(where, code) for where, code in named if code not in CODES] == []


def test_every_listed_code_is_used_in_src() -> None:
    assert sorted(set(CODES) - {code for _, code in _codes_named()}) == []


def test_every_warning_is_made_by_warn_with_a_listed_code() -> None:
    """No Warning(...) outside the list's module; warn's code is a literal, or STAGE_FAILED's (checked below)."""
    odd = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Warning":
                odd.append(f"{path.name}:{node.lineno}: Warning(...)")
            if _is_warn_call(node):
                assert isinstance(node, ast.Call)
                first = node.args[0] if node.args else None
                literal = isinstance(first, ast.Constant)
                stage_failed = (isinstance(first, ast.Subscript) and isinstance(first.value, ast.Name)
                                and first.value.id == "STAGE_FAILED")
                if not (literal or stage_failed):
                    odd.append(f"{path.name}:{node.lineno}: warn({ast.unparse(first) if first else ''}, ...)")
    assert odd == []
    assert {stage: CODES[code].stage for stage, code in STAGE_FAILED.items()} == {s: s for s in STAGE_FAILED}
    assert all(CODES[code].severity == "error" for code in STAGE_FAILED.values())


def test_codes_have_a_known_stage_and_a_meaning() -> None:
    assert {c.stage for c in CODES.values()} == set(STAGES)
    assert all(c.meaning.endswith(".") and re.fullmatch(r"[a-z0-9_]+", code) for code, c in CODES.items())


def test_a_warning_is_its_code_stage_message_and_page() -> None:
    w = warn("page_needs_ocr", "page 2 has no text layer: needs OCR", page=2)
    assert w.model_dump(mode="json") == {"code": "page_needs_ocr", "stage": "load",
                                         "message": "page 2 has no text layer: needs OCR", "page": 2}
    assert w.severity == "error"
    with pytest.raises(KeyError):
        warn("no_such_code", "x")
    with pytest.raises(ValidationError, match="unknown warning code 'no_such_code'"):
        Warning(code="no_such_code", stage="load", message="x")
    with pytest.raises(ValidationError, match="of stage 'fields', not 'load'"):
        Warning(code="no_agency", stage="load", message="no agency")


def test_readme_lists_the_codes_as_the_list_gives_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- warning codes: begin[^>]*-->\n(.*?)<!-- warning codes: end -->", readme, re.S)
    assert m, "README.md has no generated table of warning codes"
    assert m.group(1) == codes_table(), (
        "README's table of warning codes is out of date: replace it with the output of\n"
        "  python -c 'from tthc_extract.model.warnings import codes_table; print(codes_table(), end=\"\")'")


# One text per code as schema 1.0 wrote it (from the 1.0 goldens and the code that wrote them).
V1_TEXTS = {
    "page_needs_ocr": ("page 3 has its text turned sideways: needs OCR", 3),
    "page_text_garbled": ("page 2 has a garbage text layer (broken font encoding?): OCR used", 2),
    "docx_no_text": ("the Word document has no text", None),
    "html_preamble_dropped": ("saved page: 12 block(s) before the document's header block left out", None),
    "ocr_page_downscaled": ("page 4 rendered at 212 dpi instead of 300 (over 60 million pixels)", 4),
    "ocr_low_confidence": ("low OCR confidence (0.41): check against the source", None),
    "no_task_table": ("no task table found (no header with task/agency/deadline columns)", None),
    "unmapped_columns": ("table 0: unmapped columns: Ghi chú", None),
    "cells_missing_in_export": ("cells missing from the export (merged with the row above): Thời gian", None),
    "cells_copied_from_above": ("agency/deadline empty: cells merged with the row above; copied from the row above", None),
    "cells_merged_above": ("deadline/lead: cell merged with the row above in the source", None),
    "agency_list_split": ("agency list split over two rows in the export; the full list is used for both", None),
    "section_renumbered": ("section number read as 'I' between its neighbours: renumbered II", None),
    "section_one_as_row": ("section I printed as '1' and carrying its own cells: kept as a row without STT", None),
    "section_line_cells_to_previous": ("result/agency/deadline read from the following section line", None),
    "section_line_kept_as_row": ("section line also carries result/agency/deadline: kept as a row", None),
    "continued_in_next_row": ("continued on the next page inside the following numbered row", None),
    "continuation_row": ("'(tiếp theo)' row: STT and task taken from the task it continues", None),
    "row_without_stt": ("row without STT but with its own task", None),
    "plan_year_inferred": ("plan year 2016 inferred from the issue date (no year in the title or purpose)", None),
    "deadline_not_understood": ("deadline not understood", None),
    "no_agency": ("no agency", None),
    "agencies_not_in_registry": ("agencies not in the registry (no agency_id): Báo Ấp Bắc", None),
}


def test_every_code_of_schema_1_0_has_an_example_here() -> None:
    assert set(V1_TEXTS) == {code for code, c in CODES.items() if c.v1}
    assert {code for code, c in CODES.items() if not c.v1} == set(STAGE_FAILED.values())  # new in 2.0


@pytest.mark.parametrize("code", sorted(V1_TEXTS))
def test_schema_1_0_text_is_typed_back_to_its_code(code: str) -> None:
    text, page = V1_TEXTS[code]
    assert v1_warning(text) == warn(code, text, page=page)


def test_schema_1_0_text_of_no_code_is_refused() -> None:
    with pytest.raises(ValueError, match="schema 1.0 warning not recognised: 'deadline not read'"):
        v1_warning("deadline not read")
