"""Incremental runs through the real flow: skip what is done, add what is new or changed,
reprocess everything for a new model version."""

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.derived_check import assert_derived_in_step

pytestmark = [pytest.mark.flow, pytest.mark.slow]

NEW_ARTICLE = (
    "Oman offered on Tuesday to host talks between Iran and Saudi Arabia.\n\n"
    "Saudi Arabia's foreign minister said the kingdom would not attend while the attacks continued."
)


def _ids(path: Path, key: str) -> list[str]:
    return [json.loads(line)[key] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture()
def folder(tmp_path, samples_dir) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(samples_dir, inbox)
    return inbox


def test_reruns_skip_done_articles_and_add_only_new_or_changed_ones(folder, tmp_path):
    from flows.extract import extract_flow

    out = tmp_path / "out"
    first = extract_flow([str(folder)], str(out)).manifest
    assert first["counts"]["articles_processed"] == 6
    statements = (out / "statements.jsonl").read_bytes()

    second = extract_flow([str(folder)], str(out)).manifest
    assert second["counts"] | {"articles_unchanged": 6} == second["counts"]
    assert second["counts"]["articles_processed"] == 0
    assert (out / "statements.jsonl").read_bytes() == statements

    (folder / "zz-new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    third = extract_flow([str(folder)], str(out)).manifest
    assert third["counts"]["articles_processed"] == 1
    assert third["counts"]["articles_unchanged"] == 6
    grown = (out / "statements.jsonl").read_bytes()
    assert grown.startswith(statements) and len(grown) > len(statements)
    new_statements = [json.loads(line) for line in grown[len(statements) :].decode().splitlines()]
    new_article = json.loads((out / "articles.jsonl").read_text().splitlines()[-1])
    assert new_article["source"] == str(folder / "zz-new.txt")
    assert {s["article_id"] for s in new_statements} == {new_article["article_id"]}
    assert "Oman" in {s["holder"]["name"] for s in new_statements}
    assert_derived_in_step(out)  # Parquet, CSV and positions grew with the JSONL

    (folder / "zz-new.txt").write_text(NEW_ARTICLE.replace("Tuesday", "Wednesday"), encoding="utf-8")
    fourth = extract_flow([str(folder)], str(out)).manifest
    assert fourth["counts"]["articles_processed"] == 1
    assert fourth["changed"] == [str(folder / "zz-new.txt")]
    article_ids = _ids(out / "articles.jsonl", "article_id")
    assert len(article_ids) == len(set(article_ids)) == 8  # both versions of the changed one
    statement_ids = _ids(out / "statements.jsonl", "statement_id")
    assert len(statement_ids) == len(set(statement_ids))
    assert fourth["output"]["articles"] == 8
    assert fourth["output"]["statements"] == len(statement_ids)
    assert_derived_in_step(out)


def test_a_new_model_version_reprocesses_everything_and_keeps_the_old_output(folder, tmp_path):
    from flows.extract import extract_flow
    from pipeline.settings import Settings

    out = tmp_path / "out"
    first = extract_flow([str(folder)], str(out)).manifest
    old = (out / "statements.jsonl").read_bytes()

    model = tmp_path / "model"
    shutil.copytree(Settings().attribution.model_dir, model)
    metadata = json.loads((model / "attribution.json").read_text())
    metadata["version"] = "9.9.9"
    (model / "attribution.json").write_text(json.dumps(metadata))
    settings = Settings().with_updates(attribution={"model_dir": model})

    manifest = extract_flow([str(folder)], str(out), settings).manifest
    assert manifest["counts"]["articles_processed"] == 6
    assert manifest["processing_version"].startswith(f"{metadata['name']}@9.9.9+")
    (archived,) = (out / "previous").iterdir()
    assert archived.name == re.sub(r"[^\w.-]", "_", first["processing_version"])
    assert (archived / "statements.jsonl").read_bytes() == old
    models = {json.loads(line)["model"] for line in (out / "statements.jsonl").read_text().splitlines()}
    assert models == {f"{metadata['name']}@9.9.9"}
