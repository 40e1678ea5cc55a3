"""Output stage: contract records (schema 1.1), their JSON Schemas and atomic JSONL writing."""

from pipeline.output.errors import OutputError
from pipeline.output.jsonio import dumps, read_jsonl, write_atomic, write_json, write_jsonl
from pipeline.output.records import (
    SCHEMA_VERSION,
    Actor,
    ActorRef,
    ArticleRecord,
    ErrorRecord,
    FurnitureSpan,
    StatementRecord,
)

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "ActorRef",
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
