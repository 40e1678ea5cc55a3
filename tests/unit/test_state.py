"""The state store: committed batches, recovery of a half-written batch, generations, the lock."""

from pathlib import Path

import pytest

from pipeline.extract import ArticleResult
from pipeline.output.records import Actor, ArticleRecord, StatementRecord
from pipeline.state import RunState, StateError

VERSION = "stance-minilm@1.0.0+pipeline-0.1.0"


def _result(number: int, statements: int = 2) -> ArticleResult:
    text = f"Article {number}. Norway offered to mediate between the parties."
    article = ArticleRecord(article_id=f"{number:016x}", source=f"inbox/{number}.txt", text=text)
    records = [
        StatementRecord(
            statement_id=f"{number * 100 + k:016x}",
            article_id=article.article_id,
            sentence_index=1,
            char_start=text.index("Norway"),
            char_end=len(text),
            text=text[text.index("Norway") :],
            holder=Actor(name="Norway", mention="Norway", type="state", country_code="NOR"),
            cue="offered",
            stance="mediation",
            confidence=0.9,
            scores={"support": 0.02, "refusal": 0.02, "mediation": 0.9, "opposition": 0.02, "neutral": 0.04},
            model="stance-minilm@1.0.0",
        )
        for k in range(statements)
    ]
    return ArticleResult(article=article, statements=records)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_committed_batches_are_appended_and_remembered(tmp_path):
    with RunState(tmp_path, VERSION) as state:
        assert state.commit_batch([_result(1), _result(2)]) == 1
        assert state.commit_batch([_result(3, statements=0)]) == 2
        assert state.is_done(f"{1:016x}") and not state.is_done(f"{4:016x}")
        assert state.known_source("inbox/3.txt") == f"{3:016x}"
        assert state.totals() == {"articles": 3, "statements": 4, "batches": 2}
    assert len(_lines(tmp_path / "articles.jsonl")) == 3
    assert len(_lines(tmp_path / "statements.jsonl")) == 4
    with RunState(tmp_path, VERSION) as state:  # reopened: nothing to repair, all remembered
        assert state.recovery.truncated == {}
        assert state.is_done(f"{2:016x}")


def test_bytes_past_the_last_commit_are_cut_on_reopening(tmp_path):
    with RunState(tmp_path, VERSION) as state:
        state.commit_batch([_result(1)])
    committed = (tmp_path / "statements.jsonl").read_bytes()
    with (tmp_path / "statements.jsonl").open("ab") as handle:  # a batch killed mid-write
        handle.write(b'{"statement_id": "half a li')
    with RunState(tmp_path, VERSION) as state:
        assert state.recovery.truncated == {"statements.jsonl": len(b'{"statement_id": "half a li')}
        assert not state.is_done(f"{2:016x}")
        state.commit_batch([_result(2)])
    text = (tmp_path / "statements.jsonl").read_bytes()
    assert text.startswith(committed) and b"half a li" not in text
    assert len(_lines(tmp_path / "statements.jsonl")) == 4


def test_a_batch_written_but_not_recorded_is_dropped_and_redone(tmp_path, monkeypatch):
    with RunState(tmp_path, VERSION) as state:
        state.commit_batch([_result(1)])
        before = (tmp_path / "articles.jsonl").read_bytes()

        def die(*args, **kwargs):
            raise KeyboardInterrupt  # the process stops after the append, before the commit

        monkeypatch.setattr(state, "_transaction", die)
        with pytest.raises(KeyboardInterrupt):
            state.commit_batch([_result(2)])
    assert (tmp_path / "articles.jsonl").read_bytes() != before
    with RunState(tmp_path, VERSION) as state:
        assert (tmp_path / "articles.jsonl").read_bytes() == before
        assert not state.is_done(f"{2:016x}")


def test_a_new_processing_version_archives_the_old_files(tmp_path):
    with RunState(tmp_path, VERSION) as state:
        state.commit_batch([_result(1)])
    old = (tmp_path / "statements.jsonl").read_bytes()
    with RunState(tmp_path, "stance-minilm@2.0.0+pipeline-0.1.0") as state:
        assert state.recovery.archived_to == tmp_path / "previous" / "stance-minilm_1.0.0_pipeline-0.1.0"
        assert not state.is_done(f"{1:016x}")
        assert (tmp_path / "statements.jsonl").read_bytes() == b""
    assert (
        tmp_path / "previous" / "stance-minilm_1.0.0_pipeline-0.1.0" / "statements.jsonl"
    ).read_bytes() == old


def test_going_back_to_an_earlier_version_redoes_its_articles(tmp_path):
    """Model A, then B, then A again: A's second generation starts empty, so nothing of A's
    first one may count as done (it did, and the folder stayed empty for good)."""
    version_b = "stance-minilm@2.0.0+pipeline-0.1.0"
    with RunState(tmp_path, VERSION) as state:
        state.commit_batch([_result(1), _result(2)])
    with RunState(tmp_path, version_b) as state:
        state.commit_batch([_result(1)])
    with RunState(tmp_path, VERSION) as state:
        assert not state.is_done(f"{1:016x}") and not state.is_done(f"{2:016x}")
        assert state.totals() == {"articles": 0, "statements": 0, "batches": 0}
        state.commit_batch([_result(1)])
        assert state.totals()["articles"] == 1
    assert len(_lines(tmp_path / "articles.jsonl")) == 1


def test_record_files_from_before_the_state_store_are_kept_aside(tmp_path):
    (tmp_path / "statements.jsonl").write_text('{"old": true}\n')
    with RunState(tmp_path, VERSION) as state:
        assert state.recovery.archived_to == tmp_path / "previous" / "unversioned"
    assert (tmp_path / "previous" / "unversioned" / "statements.jsonl").read_text() == '{"old": true}\n'


def test_a_file_shorter_than_committed_is_reported_not_overwritten(tmp_path):
    with RunState(tmp_path, VERSION) as state:
        state.commit_batch([_result(1)])
    (tmp_path / "statements.jsonl").write_text("")
    with pytest.raises(StateError, match="changed outside stance"):
        RunState(tmp_path, VERSION).__enter__()


def test_a_second_writer_on_the_same_folder_is_refused(tmp_path):
    with RunState(tmp_path, VERSION), pytest.raises(StateError, match="another stance run"):
        RunState(tmp_path, VERSION).__enter__()
    with RunState(tmp_path, VERSION) as state:  # the lock went with the first writer
        assert state.totals()["articles"] == 0


def test_a_corrupt_state_file_is_a_clear_error(tmp_path):
    (tmp_path / "state.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match=r"state\.sqlite: cannot use the state store"):
        RunState(tmp_path, VERSION).__enter__()
