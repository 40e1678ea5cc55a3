"""JSON Schemas for each record kind, generated from the records and shipped in the package."""

import json
from importlib import resources
from typing import Any

from pipeline.output.records import RECORD_KINDS, SCHEMA_VERSION

SCHEMA_PACKAGE = "pipeline.output"
SCHEMA_DIR = "schemas"


def schema_filename(kind: str) -> str:
    return f"{kind}.v{SCHEMA_VERSION}.schema.json"


def generate_schema(kind: str) -> dict[str, Any]:
    schema = RECORD_KINDS[kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://stance-pipeline.invalid/schemas/{schema_filename(kind)}"
    return schema


def render_schema(kind: str) -> str:
    return json.dumps(generate_schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_schema(kind: str) -> dict[str, Any]:
    """The schema as shipped in the installed package."""
    path = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_DIR, schema_filename(kind))
    return json.loads(path.read_text(encoding="utf-8"))
