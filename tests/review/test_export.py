"""Exports: training JSONL the classifier loads, the merged run as JSONL and CSV, the CLI."""

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from pipeline.stance.data import load_jsonl
from review.corrections import review_all
from review.export import export_text, training_export
from review.run_data import load_run
from review.store import CorrectionStore
from stance_cli.main import app as cli
from tests.review.builders import S_MEDIATION, S_OPPOSITION, S_REFUSAL, S_SUPPORT, S_CORef


@pytest.fixture
def corrected(run_dir):
    """Accept, relabel, fix a coreference holder, reject, and leave the rest unreviewed."""
    run = load_run(run_dir)
    store = CorrectionStore(run_dir / "review.sqlite")
    by_holder = {s.holder.name: s.statement_id for s in run.statements.values()}
    store.append(by_holder["Türkiye"], "accept", "ana")
    store.append(by_holder["Qatar"], "relabel", "ana", label="support")
    store.append(by_holder["Qatar"], "target", "ana", target_mention="the two sides")
    store.append(by_holder["Ingrid Solvang"], "accept", "ana")  # holder words not in its sentence
    store.append(by_holder["Norway"], "reject", "ben")
    store.append(by_holder["Australia"], "relabel", "ben", label="neutral")
    store.undo(by_holder["Australia"], "ben")
    return run, store, by_holder


def test_training_export_loads_with_the_classifier_loader(corrected, tmp_path):
    run, store, by_holder = corrected
    export = training_export(review_all(run, store.active_events()))
    assert [e["text"] for e in export.examples] == [S_REFUSAL, S_MEDIATION]
    assert (
        export.skipped == [(by_holder["Ingrid Solvang"], export.skipped[0][1])]
        and "not in the evidence sentence" in export.skipped[0][1]
    )
    path = tmp_path / "corrections.jsonl"
    path.write_text(export.text(), encoding="utf-8")
    examples = load_jsonl(path)
    assert [(e.holder, e.holder_start, e.target, e.label) for e in examples] == [
        ("Ankara", 0, None, "refusal"),  # accepted: the machine's label, confirmed
        ("Qatar", 0, "the two sides", "support"),  # relabelled, target fixed
    ]
    assert set(json.loads(path.read_text().splitlines()[0])) == {
        "text",
        "holder",
        "holder_start",
        "target",
        "label",
        "phenomena",
    }


def test_fixing_the_holder_brings_a_coreference_statement_into_training(corrected, tmp_path):
    run, store, by_holder = corrected
    store.append(
        by_holder["Ingrid Solvang"], "holder", "ana", holder_mention="She", holder_name="Ingrid Solvang"
    )
    store.append(by_holder["Ingrid Solvang"], "relabel", "ana", label="opposition")
    export = training_export(review_all(run, store.active_events()))
    assert export.skipped == []
    path = tmp_path / "t.jsonl"
    path.write_text(export.text(), encoding="utf-8")
    last = load_jsonl(path)[-1]
    assert (last.text, last.holder, last.holder_start, last.label) == (S_CORef, "She", 0, "opposition")


def test_merged_jsonl_applies_corrections_and_keeps_the_machine(corrected):
    run, store, by_holder = corrected
    lines = [
        json.loads(x) for x in export_text("jsonl", review_all(run, store.active_events()), run).splitlines()
    ]
    assert [x["statement_id"] for x in lines] == list(run.statements)
    merged = {x["statement_id"]: x for x in lines}
    qatar = merged[by_holder["Qatar"]]
    assert qatar["stance"] == "support" and qatar["review"]["machine"]["stance"] == "mediation"
    assert qatar["target"]["mention"] == "the two sides" and qatar["review"]["status"] == "corrected"
    norway = merged[by_holder["Norway"]]
    assert norway["review"]["removed"] is True and norway["review"]["reviewer"] == "ben"
    australia = merged[by_holder["Australia"]]
    assert australia["stance"] == "opposition" and australia["review"]["status"] == "unreviewed"


def test_merged_csv(corrected):
    run, store, by_holder = corrected
    rows = list(csv.DictReader(io.StringIO(export_text("csv", review_all(run, store.active_events()), run))))
    assert len(rows) == 6
    qatar = next(r for r in rows if r["statement_id"] == by_holder["Qatar"])
    assert (qatar["stance"], qatar["machine_stance"], qatar["review_status"]) == (
        "support",
        "mediation",
        "corrected",
    )
    assert qatar["text"] == S_MEDIATION  # markup kept as text, exactly
    assert next(r for r in rows if r["statement_id"] == by_holder["Norway"])["removed"] == "True"
    assert {r["text"] for r in rows} >= {S_SUPPORT, S_OPPOSITION}


def test_csv_cells_that_look_like_formulas_are_neutralised(run_dir):
    from review.export import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("@SUM") == "'@SUM" and _cell("Oslo") == "Oslo"
    assert _cell(0.5) == 0.5


def test_cli_export_and_errors(corrected, tmp_path):
    run, _, _ = corrected
    runner = CliRunner()
    out = tmp_path / "corrections.jsonl"
    result = runner.invoke(
        cli, ["review-export", str(run.run_dir), "--format", "training", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 training examples" in result.output and len(load_jsonl(out)) == 2
    for fmt, name in (
        ("csv", "merged.csv"),
        ("jsonl", "merged.jsonl"),
        ("labelstudio", "tasks.json"),
        ("labelstudio-config", "config.xml"),
    ):
        result = runner.invoke(
            cli, ["review-export", str(run.run_dir), "-f", fmt, "-o", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 0
    result = runner.invoke(cli, ["review-export", str(run.run_dir), "-f", "xml", "-o", str(out)])
    assert result.exit_code == 2 and "unknown format" in result.output
    result = runner.invoke(cli, ["review-export", str(tmp_path / "missing"), "-o", str(out)])
    assert result.exit_code == 2 and "run folder not found" in result.output


def test_cli_review_refuses_to_start_badly(run_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("STANCE_REVIEW_TOKEN", raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["review", str(run_dir), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--token or STANCE_REVIEW_TOKEN" in result.output
    result = runner.invoke(cli, ["review", str(tmp_path / "none")])
    assert result.exit_code == 2 and "run folder not found" in result.output
    (run_dir / "statements.jsonl").write_text("{oops\n", encoding="utf-8")
    result = runner.invoke(cli, ["review", str(run_dir)])
    assert result.exit_code == 2 and "statements.jsonl:1" in result.output
