"""The extraction flow under a real (temporary) Prefect server, with the real models."""

import json
import shutil
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from pipeline.output import ArticleRecord, ErrorRecord, StatementRecord
from pipeline.output.schemas import load_schema
from tests.derived_check import assert_derived_in_step

pytestmark = [pytest.mark.flow, pytest.mark.slow]
RECORD_FILES = ("articles.jsonl", "statements.jsonl", "errors.jsonl")
PROGRESS: list[tuple[int, int, int]] = []  # what a listener (the CLI's bar) heard during run_output


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, samples_dir) -> list[str]:
    folder = tmp_path_factory.mktemp("inputs")
    for path in samples_dir.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "latin1.txt").write_bytes("Le ministre a refusé.".encode("latin-1"))
    (folder / "bad.jsonl").write_text(
        '{"text": "Qatar offered to host talks between the two sides."}\n{oops\n'
    )
    (folder / "notes.docx").write_text("not an article")
    return [str(folder), str(folder / "notes.docx"), str(folder / "missing.txt")]


@pytest.fixture(scope="module")
def run_output(inputs, tmp_path_factory) -> Path:
    from flows.extract import extract_flow
    from flows.progress import listening

    out = tmp_path_factory.mktemp("run")
    with listening(lambda *counts: PROGRESS.append(counts)):
        extract_flow(inputs, str(out))
    return out


def test_rows_stand_alone_and_the_run_publishes_its_report(run_output):
    from prefect.artifacts import Artifact

    articles = {a["article_id"]: a for a in _lines(run_output / "articles.jsonl")}
    statements = _lines(run_output / "statements.jsonl")
    for statement in statements:
        article = articles[statement["article_id"]]
        assert statement["schema_version"] == "1.1"
        for key in ("published", "url", "title"):
            assert statement[key] == article[key]
        assert (statement["plover"] is None) == (statement["stance"] == "neutral")
    wire = [s for s in statements if s["url"] and s["url"].startswith("https://example.org/wire/")]
    assert wire and all(s["published"].endswith("Z") for s in wire)  # "2026-01-27T14:05:00Z"
    assert_derived_in_step(run_output)
    artifact = Artifact.get("stance-run-report")
    assert artifact is not None and artifact.type == "markdown"
    assert "Top positions" in artifact.data and "<svg" in artifact.data


def test_the_run_reports_progress_and_publishes_its_counts(run_output):
    from prefect.artifacts import Artifact

    articles = len(_lines(run_output / "articles.jsonl"))
    statements = len(_lines(run_output / "statements.jsonl"))
    assert PROGRESS[0] == (0, articles, 0)  # the total is known before the first batch
    assert PROGRESS[-1] == (articles, articles, statements)
    assert [done for done, _, _ in PROGRESS] == sorted(done for done, _, _ in PROGRESS)
    progress = Artifact.get("stance-run-progress")
    assert progress is not None and progress.type == "progress" and float(progress.data) == 100.0
    counts = Artifact.get("stance-run-counts")
    assert counts is not None and counts.type == "table"
    rows = {row["what"]: row for row in json.loads(counts.data)}
    assert rows["articles processed"]["this run"] == articles
    assert rows["statements"]["output folder"] == statements
    manifest = json.loads((run_output / "manifest.json").read_text())
    assert rows["inputs failed"]["this run"] == manifest["counts"]["articles_failed"] > 0


def test_every_record_validates_against_contract_v1(run_output):
    schemas = {
        name: load_schema(kind)
        for name, kind in zip(RECORD_FILES, ("article", "statement", "error"), strict=True)
    }
    models = dict(zip(RECORD_FILES, (ArticleRecord, StatementRecord, ErrorRecord), strict=True))
    for name in RECORD_FILES:
        for row in _lines(run_output / name):
            jsonschema.validate(row, schemas[name])
            models[name].model_validate(row)


def test_offsets_slice_the_article_text_and_avoid_furniture(run_output):
    articles = {a["article_id"]: a for a in _lines(run_output / "articles.jsonl")}
    statements = _lines(run_output / "statements.jsonl")
    assert len(articles) == 7 and len(statements) > 40
    for statement in statements:
        article = articles[statement["article_id"]]
        assert article["text"][statement["char_start"] : statement["char_end"]] == statement["text"]
        for span in article["furniture"]:
            assert statement["char_end"] <= span["char_start"] or statement["char_start"] >= span["char_end"]


def test_each_bad_input_is_one_error_line_and_the_rest_went_through(run_output, inputs):
    folder = Path(inputs[0])
    errors = {(e["source"], e["error"]) for e in _lines(run_output / "errors.jsonl")}
    assert errors == {
        (str(folder / "empty.txt"), "empty"),
        (str(folder / "binary.txt"), "binary"),
        (str(folder / "latin1.txt"), "not-utf8"),
        (f"{folder / 'bad.jsonl'}:2", "malformed-json"),
        (str(folder / "notes.docx"), "unsupported-type"),
        (str(folder / "missing.txt"), "missing"),
    }
    manifest = json.loads((run_output / "manifest.json").read_text())
    assert manifest["counts"]["articles_processed"] == 7
    assert manifest["counts"]["articles_failed"] == 6
    assert sum(manifest["output"]["statements_by_stance"].values()) == manifest["counts"]["statements"]
    assert manifest["output"]["statements"] == len(_lines(run_output / "statements.jsonl"))
    by_holder: dict[str, Counter] = {}
    for record in _lines(run_output / "statements.jsonl"):
        by_holder.setdefault(record["holder"]["name"], Counter())[record["stance"]] += 1
    top = manifest["output"]["top_holders"]
    others = [sum(counts.values()) for name, counts in by_holder.items() if name not in top]
    assert len(top) == min(10, len(by_holder)) and min(top.values()) >= max(others, default=0)
    assert {name: dict(by_holder[name]) for name in top} == manifest["output"]["top_holders_by_stance"]
    assert all(sum(by_holder[name].values()) == number for name, number in top.items())


def test_a_second_run_processes_nothing_and_leaves_the_files_byte_identical(run_output, inputs):
    from flows.extract import extract_flow

    before = {name: (run_output / name).read_bytes() for name in RECORD_FILES}
    manifest = extract_flow(inputs, str(run_output)).manifest
    after = {name: (run_output / name).read_bytes() for name in RECORD_FILES}
    assert after == before
    assert manifest["counts"]["articles_processed"] == 0
    assert manifest["counts"]["articles_unchanged"] == 7
    assert not [p for p in run_output.iterdir() if p.name.endswith(".tmp")]


def test_a_rerun_with_nothing_new_finishes_without_prefect_or_models(run_output, inputs):
    from pipeline.runs.rerun import rerun_without_work
    from pipeline.settings import Settings

    flow_manifest = json.loads((run_output / "manifest.json").read_text())
    before = {name: (run_output / name).read_bytes() for name in RECORD_FILES}
    rerun = rerun_without_work(inputs, run_output, Settings())
    assert rerun is not None
    counts = rerun.manifest["counts"]
    assert counts["articles_processed"] == counts["statements"] == 0
    assert counts["articles_unchanged"] == len(_lines(run_output / "articles.jsonl"))
    assert counts["articles_failed"] == flow_manifest["counts"]["articles_failed"]
    assert rerun.manifest["output"] == flow_manifest["output"]
    assert rerun.manifest["runner"]["kind"] == "none"
    assert {name: (run_output / name).read_bytes() for name in RECORD_FILES} == before
    assert json.loads((run_output / "manifest.json").read_text()) == rerun.manifest
    # one changed input is work again: the flow has to run
    changed = Path(inputs[0]) / "01_black_sea_grain_talks.txt"
    original = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(original + "\nQatar offered to host talks.\n", encoding="utf-8")
        assert rerun_without_work(inputs, run_output, Settings()) is None
    finally:
        changed.write_text(original, encoding="utf-8")
