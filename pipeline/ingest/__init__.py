"""Ingest stage: find and fetch inputs, read them safely, clean the text and mark page furniture."""

from pipeline.ingest.cleaning import clean_document
from pipeline.ingest.config import FetchConfig, IngestConfig
from pipeline.ingest.document import Block, CleanArticle, RawDocument
from pipeline.ingest.errors import InputError
from pipeline.ingest.fetch import fetch_documents
from pipeline.ingest.inputs import ReadResult, discover, read_articles
from pipeline.ingest.readers import expand_inputs, is_url, parse_jsonl_line, read_documents, split_inputs

__all__ = [
    "Block",
    "CleanArticle",
    "FetchConfig",
    "IngestConfig",
    "InputError",
    "RawDocument",
    "ReadResult",
    "clean_document",
    "discover",
    "expand_inputs",
    "fetch_documents",
    "is_url",
    "parse_jsonl_line",
    "read_articles",
    "read_documents",
    "split_inputs",
]
