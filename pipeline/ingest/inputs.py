"""A run's inputs: discover what to read and fetch, then read and clean it into articles.

Both return articles (or what to read) and :class:`InputError`\\ s; one bad input never stops
the others. Each article carries its ``article_id`` from the moment it is cleaned.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.ingest.cleaning import clean_document
from pipeline.ingest.config import IngestConfig
from pipeline.ingest.document import CleanArticle, RawDocument
from pipeline.ingest.errors import InputError
from pipeline.ingest.readers import expand_inputs, read_documents, split_inputs


@dataclass
class ReadResult:
    articles: list[CleanArticle] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # sources of the copies not kept


def discover(inputs: Sequence[str], config: IngestConfig) -> tuple[list[Path], list[str], list[InputError]]:
    """Files to read (folders and globs expanded) and URLs to fetch, plus input problems."""
    paths, urls = split_inputs(inputs)
    files, problems = expand_inputs(paths, config)
    return files, urls, problems


def read_articles(
    files: Sequence[Path], config: IngestConfig, fetched: Sequence[RawDocument | InputError] = ()
) -> ReadResult:
    """Read and clean every file and fetched document.

    The same cleaned text arriving twice (a re-posted article, a .txt and a .jsonl line) is
    kept once: the copy that says most about itself (title, date, URL, speaker; the first
    on a tie), with the URLs of every copy merged.
    """
    result = ReadResult()
    position: dict[str, int] = {}

    def documents() -> Iterator[RawDocument | InputError]:
        for path in files:
            yield from read_documents(path, config)
        yield from fetched

    for item in documents():
        if isinstance(item, InputError):
            result.errors.append(item)
            continue
        try:
            article = clean_document(item, config)
        except InputError as problem:
            result.errors.append(problem)
            continue
        if article.article_id not in position:
            position[article.article_id] = len(result.articles)
            result.articles.append(article)
            continue
        kept = result.articles[position[article.article_id]]
        urls = tuple(sorted({*kept.urls, *article.urls}))
        if article.metadata_count > kept.metadata_count:
            kept, article = article, kept
        result.articles[position[article.article_id]] = replace(kept, urls=urls)
        result.duplicates.append(article.source)
    return result
