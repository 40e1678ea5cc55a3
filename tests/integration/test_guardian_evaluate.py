"""`stance evaluate --corpus guardian` as a user runs it: the real pipeline on annotated articles."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.attribution.config import MODEL_NAME

pytestmark = [pytest.mark.integration, pytest.mark.slow]
STANCE = str(Path(sys.executable).parent / "stance")
SHARED_CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"


def _stance(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([STANCE, *args], capture_output=True, text=True, timeout=900)


@pytest.mark.skipif(not SHARED_CORPORA.is_dir(), reason="the shared corpora are not beside the project")
def test_json_report_on_two_dev_articles(tmp_path):
    errors = tmp_path / "errors.jsonl"
    result = _stance(
        "evaluate",
        "--corpus",
        "guardian",
        "--split",
        "dev",
        "--limit",
        "2",
        "--json",
        "--resamples",
        "200",
        "--errors",
        str(errors),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # the whole of stdout is one JSON object
    assert report["corpus"] == "guardian" and report["split"] == "dev" and report["articles"] == 2
    assert report["sentences"] > 0 and report["gold_statements"] > 0
    assert report["annotated"]["all"]["articles"] >= 120 and report["annotated"]["all"]["sentences"] >= 2500
    agreement = report["agreement"]
    assert agreement["sentences"] >= 300 and -1.0 <= agreement["stance_kappa"] <= 1.0
    assert 0.0 <= agreement["holder_agreement"] <= 1.0
    metrics, intervals = report["metrics"], report["intervals_95"]
    for name in ("holder", "holder_and_stance", "stances"):
        for key in ("precision", "recall", "f1"):
            low, high = intervals[f"{name}.{key}"]
            assert 0.0 <= low <= high <= 1.0
            assert low - 1e-9 <= metrics[name][key] <= high + 1e-9
    rows = [json.loads(line) for line in errors.read_text().splitlines()]
    kinds = [row["outcome"] for row in rows]
    assert len(kinds) - kinds.count("extra") == report["gold_statements"]
    assert kinds.count("match") == metrics["holder_and_stance"]["tp"]
    assert kinds.count("extra") == metrics["holder"]["predicted"] - metrics["holder"]["tp"]
    assert {row["split"] for row in rows} == {"dev"}
    assert report["model"].startswith(f"{MODEL_NAME}@")  # what runs use
    assert "classifier_on_gold_holders" not in report


@pytest.mark.skipif(not SHARED_CORPORA.is_dir(), reason="the shared corpora are not beside the project")
def test_rules_scores_the_rules_and_classifier_path_for_comparison():
    result = _stance(
        "evaluate", "--corpus", "guardian", "--limit", "1", "--json", "--resamples", "100", "--rules"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["model"].startswith("stance-minilm@")
    assert "classifier_on_gold_holders" in report  # the classifier alone is scored on this path


def test_options_of_the_other_corpus_and_unknown_splits_exit_2():
    assert "unknown split 'final'" in _stance("evaluate", "--corpus", "guardian", "--split", "final").stderr
    assert _stance("evaluate", "--corpus", "guardian", "--record").returncode == 2
    assert _stance("evaluate", "--limit", "3").returncode == 2


def test_a_missing_corpus_exits_2_and_names_it(tmp_path):
    result = _stance("evaluate", "--corpus", "guardian", "--shared", str(tmp_path / "none"), "--json")
    assert result.returncode == 2
    assert "guardian-syria/articles.jsonl is missing" in result.stderr
    assert result.stdout == ""


@pytest.mark.skipif(not SHARED_CORPORA.is_dir(), reason="the shared corpora are not beside the project")
def test_a_missing_attribution_model_is_named_without_a_traceback(tmp_path):
    missing = tmp_path / "no-model"
    result = _stance(
        "evaluate", "--corpus", "guardian", "--split", "dev", "--limit", "1", "--model-dir", str(missing)
    )
    assert result.returncode != 0
    assert f"error: {missing}" in result.stderr and "not a readable attribution model" in result.stderr
    assert "Traceback" not in result.stderr
