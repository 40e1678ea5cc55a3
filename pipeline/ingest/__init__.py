"""Ingest stage: find inputs, read them safely, clean the text and mark page furniture."""

from pipeline.ingest.cleaning import clean_document
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.document import Block, CleanArticle, RawDocument
from pipeline.ingest.errors import InputError
from pipeline.ingest.readers import expand_inputs, parse_jsonl_line, read_documents

__all__ = [
    "Block",
    "CleanArticle",
    "IngestConfig",
    "InputError",
    "RawDocument",
    "clean_document",
    "expand_inputs",
    "parse_jsonl_line",
    "read_documents",
]
