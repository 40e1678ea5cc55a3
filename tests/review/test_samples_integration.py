"""The real pipeline on the team's sample articles, its output served by the review app over HTTP."""

import re

import httpx
import pytest

from pipeline.extract import process_articles
from pipeline.ingest import IngestConfig, read_articles
from pipeline.output import ErrorRecord
from pipeline.output.jsonio import write_jsonl
from pipeline.stance.data import load_jsonl
from review.app import create_app
from tests.review.server import serve

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_review_the_sample_run(nlp, classifier, samples_dir, tmp_path):
    files = sorted(p for p in samples_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    read = read_articles(files, IngestConfig())
    results = process_articles(read.articles, nlp, classifier)
    run_dir = tmp_path / "demo"  # the record files `stance run` writes, from the same records
    write_jsonl(run_dir / "articles.jsonl", (r.article for r in results))
    write_jsonl(run_dir / "statements.jsonl", (s for r in results for s in r.statements))
    write_jsonl(
        run_dir / "errors.jsonl",
        [ErrorRecord(source=e.source, error=e.kind, message=e.message) for e in read.errors],
    )
    statements = [s for r in results for s in r.statements]
    assert len(results) == 6 and statements

    app = create_app(run_dir, reviewer="integration")
    with serve(app) as base_url, httpx.Client(base_url=base_url) as client:
        listing = client.get("/statements")
        assert listing.status_code == 200
        assert f"{len(statements)} shown of {len(statements)}" in listing.text
        lowest = min(statements, key=lambda s: s.confidence)
        assert re.search(r'<tr id="s-([0-9a-f]{16})"', listing.text).group(1) == lowest.statement_id
        for result in results:
            page = client.get(f"/articles/{result.article.article_id}")
            assert page.status_code == 200
            for statement in result.statements:
                assert f'id="s-{statement.statement_id}"' in page.text
        assert client.get("/holders").status_code == 200

        # relabel one statement whose holder words are in its sentence, then export for training
        chosen = next(s for s in statements if s.holder.mention in s.text and s.stance != "opposition")
        csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', listing.text).group(1)
        response = client.post(
            f"/statements/{chosen.statement_id}/relabel",
            data={"label": "opposition", "csrf": csrf},
            headers={"X-Requested-With": "fetch"},
        )
        assert response.json()["status"] == "corrected"
        training = client.get("/export/training")
    path = tmp_path / "training.jsonl"
    path.write_text(training.text, encoding="utf-8")
    [example] = load_jsonl(path)
    assert (example.text, example.holder, example.label) == (chosen.text, chosen.holder.mention, "opposition")
