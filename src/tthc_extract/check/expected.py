"""The shape of an expected file, checked before it is compared (check/compare.py reads it loosely).

An expected file is the JSON ``extract`` writes or a hand-written gold file (agencies as strings
under ``lead`` / ``support``), so values are lax: a text may be a number, a metadata value a list
of accepted values, an agency a string or ``{"name": ...}``, unknown keys are kept. What is checked
is the shape the comparison walks through: an object whose ``document`` is an object, whose
``rows``, ``sections``, ``prose_tasks`` and ``tables`` are lists of objects, and so on. Valid JSON of
another shape (``[1, 2, 3]``, ``"rows": "x"``) is an unreadable expected file, not a crash.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

Scalar = str | int | float | bool | None
_TYPE_NAMES = {"str", "int", "float", "bool", "none"}
_OF_MODEL = re.compile(r" or instance of \w+")


class _Loose(BaseModel):
    """An object whose other keys are kept as they are."""

    model_config = ConfigDict(extra="allow")


class _Named(_Loose):
    name: Scalar = None
    canonical: Scalar = None


class _LegalBasis(_Loose):
    number: Scalar = None


class _Document(_Loose):
    doc_type: Scalar | list[Scalar] = None
    doc_number: Scalar | list[Scalar] = None
    issuer: Scalar | list[Scalar] = None
    province: Scalar | list[Scalar] = None
    issue_date: Scalar | list[Scalar] = None
    signer: Scalar | list[Scalar] = None
    plan_year: Scalar | list[Scalar] = None
    legal_bases: list[Scalar | _LegalBasis] | None = None


class _Deadline(_Loose):
    kind: Scalar = None
    end: Scalar = None


Agencies = list[Scalar | _Named] | None


class _Row(_Loose):
    task: Scalar = None
    result: Scalar = None
    text: Scalar = None
    stt: Scalar = None
    section: Scalar = None
    deadline_raw: Scalar = None
    deadline: _Deadline | None = None
    lead: Agencies = None
    support: Agencies = None
    lead_agencies: Agencies = None
    support_agencies: Agencies = None


class _Cell(_Loose):
    text: Scalar = None


class _TableRow(_Loose):
    cells: list[Scalar | _Cell] | None = None


class _Table(_Loose):
    rows: list[list[Scalar | _Cell] | _TableRow] | None = None


class ExpectedFile(_Loose):
    """What an expected file must look like for the comparison to read it."""

    document: _Document | None = None
    sections: list[_Loose] | None = None
    rows: list[_Row] | None = None
    prose_tasks: list[_Row] | None = None
    tables: list[_Table] | None = None


def _is_type_tag(part: str | int) -> bool:
    """Return whether a location part names a member of a union (``str``, ``_Cell``), not a key."""
    return isinstance(part, str) and (part in _TYPE_NAMES or part.startswith("_") or "[" in part)


def validate_expected(data: Any) -> dict[str, Any]:
    """Return ``data`` when it has an expected file's shape; raise ValueError saying where it has not."""
    try:
        ExpectedFile.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(x) for x in e["loc"] if not _is_type_tag(x))
        msg = _OF_MODEL.sub("", e["msg"]).replace("valid dictionary", "JSON object").replace("valid list", "JSON list")
        raise ValueError(f"not an expected file: {where + ': ' if where else ''}{msg}") from None
    assert isinstance(data, dict)
    return data


def read_expected(path: Path) -> dict[str, Any]:
    """Return an expected file's JSON object (raises OSError / ValueError when unreadable or misshapen)."""
    return validate_expected(json.loads(path.read_text(encoding="utf-8")))
