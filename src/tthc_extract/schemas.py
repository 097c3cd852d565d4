"""JSON Schemas of the output contract, generated from the models (checked into schemas/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from tthc_extract.model.columns import AGENCIES_SCHEMA, DOCUMENTS_SCHEMA, PROSE_SCHEMA, ROWS_SCHEMA
from tthc_extract.model.plan import Plan


def plan_schema() -> dict[str, Any]:
    """Return the JSON Schema of a per-document JSON file (the Plan model)."""
    schema = Plan.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "tthc-extract/plan.schema.json"
    return schema


def _arrow_schema_json(schema: pa.Schema) -> dict[str, Any]:
    return {"columns": [{"name": f.name, "type": str(f.type)} for f in schema]}


def all_schemas() -> dict[str, dict[str, Any]]:
    """Return every schema file's content keyed by its file name."""
    return {
        "plan.schema.json": plan_schema(),
        "documents.parquet.json": _arrow_schema_json(DOCUMENTS_SCHEMA),
        "rows.parquet.json": _arrow_schema_json(ROWS_SCHEMA),
        "agencies.parquet.json": _arrow_schema_json(AGENCIES_SCHEMA),
        "prose_tasks.parquet.json": _arrow_schema_json(PROSE_SCHEMA),
    }


def render(content: dict[str, Any]) -> str:
    """Return a schema as the stable text written to disk."""
    return json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(outdir: Path) -> list[Path]:
    """Write every schema into ``outdir``; return the paths written."""
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in all_schemas().items():
        p = outdir / name
        p.write_text(render(content), encoding="utf-8")
        paths.append(p)
    return paths
