"""Discovering and reading a run's inputs: errors collected, duplicates kept once, ids carried."""

from pipeline.ingest import IngestConfig, discover, read_articles
from pipeline.ingest.document import text_id

CONFIG = IngestConfig()
GOOD = "Qatar offered to host talks between the two sides. Egypt endorsed the plan on Monday."


def test_read_articles_collects_errors_and_skips_duplicates(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.txt").write_text(GOOD)  # same text: one article
    (tmp_path / "c.txt").write_bytes(b"\xff\xfe\x00bad")
    result = read_articles(sorted(tmp_path.iterdir()), CONFIG)
    assert [a.source for a in result.articles] == [str(tmp_path / "a.txt")]
    assert result.duplicates == [str(tmp_path / "b.txt")]
    assert [e.kind for e in result.errors] == ["binary"]


def test_discover_splits_files_from_urls_and_names_problems(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD)
    files, urls, problems = discover(
        [str(tmp_path), "https://example.org/feed.xml", str(tmp_path / "no.txt")], CONFIG
    )
    assert files == [tmp_path / "a.txt"] and urls == ["https://example.org/feed.xml"]
    assert [(p.source, p.kind) for p in problems] == [(str(tmp_path / "no.txt"), "missing")]


def test_an_article_carries_the_id_of_its_cleaned_text(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD)
    (article,) = read_articles([tmp_path / "a.txt"], CONFIG).articles
    assert article.article_id == text_id(article.text)
