"""Output stage: contract-v1 records, their JSON Schemas and atomic JSONL writing."""

from pipeline.output.errors import OutputError
from pipeline.output.jsonio import dumps, read_jsonl, write_atomic, write_json, write_jsonl
from pipeline.output.records import (
    SCHEMA_VERSION,
    Actor,
    ArticleRecord,
    ErrorRecord,
    FurnitureSpan,
    StatementRecord,
)

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "ArticleRecord",
    "ErrorRecord",
    "FurnitureSpan",
    "OutputError",
    "StatementRecord",
    "dumps",
    "read_jsonl",
    "write_atomic",
    "write_json",
    "write_jsonl",
]
