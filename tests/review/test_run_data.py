"""Loading a run folder: valid records load; every problem names the file and line."""

import json
from pathlib import Path

import pytest

from review.errors import RunDataError
from review.run_data import load_run


def test_loads_articles_statements_errors_and_manifest(run_dir):
    run = load_run(run_dir)
    assert len(run.articles) == 2 and len(run.statements) == 6
    assert run.manifest["schema_version"] == "1" and run.errors == []
    first = next(iter(run.articles))
    assert [s.sentence_index for s in run.statements_of(first)] == [0, 1, 2, 3]
    assert run.known_actors()["Türkiye"].mention == "Ankara"


def test_missing_folder(tmp_path):
    with pytest.raises(RunDataError, match="run folder not found"):
        load_run(tmp_path / "nowhere")


@pytest.mark.parametrize("name", ["articles.jsonl", "statements.jsonl"])
def test_missing_file(run_dir, name):
    (run_dir / name).unlink()
    with pytest.raises(RunDataError, match=rf"{name}: missing"):
        load_run(run_dir)


def test_optional_files_may_be_absent(run_dir):
    (run_dir / "errors.jsonl").unlink()
    (run_dir / "manifest.json").unlink()
    assert len(load_run(run_dir).statements) == 6


def test_malformed_line_names_file_and_line(run_dir):
    path = run_dir / "statements.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:40]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RunDataError, match=r"statements\.jsonl:3: not a valid StatementRecord"):
        load_run(run_dir)


def test_invalid_record_names_the_field(run_dir):
    path = run_dir / "statements.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["confidence"] = 1.5
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RunDataError, match=r"statements\.jsonl:2: .*confidence"):
        load_run(run_dir)


def test_evidence_must_match_the_article_text(run_dir):
    path = run_dir / "statements.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["char_start"] += 1
    record["char_end"] += 1
    lines[0] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RunDataError, match="does not match the article text"):
        load_run(run_dir)


def test_statement_of_unknown_article(run_dir):
    path = run_dir / "articles.jsonl"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(RunDataError, match=r"not in articles\.jsonl"):
        load_run(run_dir)


def test_not_utf8(run_dir: Path):
    (run_dir / "articles.jsonl").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RunDataError, match=r"articles\.jsonl"):
        load_run(run_dir)
