"""The run folder: committed batches, recovery of a half-written batch, generations, the lock."""

import json
import sqlite3
from pathlib import Path

import pytest

from pipeline.extract import ArticleResult
from pipeline.ingest import CleanArticle, ReadResult
from pipeline.output.records import Actor, ArticleRecord, StatementRecord
from pipeline.runs.folder import RunFolder
from pipeline.runs.store import StateError

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
    with RunFolder(tmp_path, VERSION) as folder:
        assert folder.commit([_result(1), _result(2)]) == 1
        assert folder.commit([_result(3, statements=0)]) == 2
        assert folder.store.is_done(f"{1:016x}") and not folder.store.is_done(f"{4:016x}")
        assert folder.store.known_source("inbox/3.txt") == f"{3:016x}"
        assert folder.store.totals() == {"articles": 3, "statements": 4, "batches": 2}
    assert len(_lines(tmp_path / "articles.jsonl")) == 3
    assert len(_lines(tmp_path / "statements.jsonl")) == 4
    with RunFolder(tmp_path, VERSION) as folder:  # reopened: nothing to repair, all remembered
        assert folder.recovery.truncated == {}
        assert folder.store.is_done(f"{2:016x}")


def test_bytes_past_the_last_commit_are_cut_on_reopening(tmp_path):
    with RunFolder(tmp_path, VERSION) as folder:
        folder.commit([_result(1)])
    committed = (tmp_path / "statements.jsonl").read_bytes()
    with (tmp_path / "statements.jsonl").open("ab") as handle:  # a batch killed mid-write
        handle.write(b'{"statement_id": "half a li')
    with RunFolder(tmp_path, VERSION) as folder:
        assert folder.recovery.truncated == {"statements.jsonl": len(b'{"statement_id": "half a li')}
        assert not folder.store.is_done(f"{2:016x}")
        folder.commit([_result(2)])
    text = (tmp_path / "statements.jsonl").read_bytes()
    assert text.startswith(committed) and b"half a li" not in text
    assert len(_lines(tmp_path / "statements.jsonl")) == 4


def test_a_batch_written_but_not_recorded_is_dropped_and_redone(tmp_path, monkeypatch):
    with RunFolder(tmp_path, VERSION) as folder:
        folder.commit([_result(1)])
        before = (tmp_path / "articles.jsonl").read_bytes()

        def die(*args, **kwargs):
            raise KeyboardInterrupt  # the process stops after the append, before the commit

        monkeypatch.setattr(folder.store, "transaction", die)
        with pytest.raises(KeyboardInterrupt):
            folder.commit([_result(2)])
    assert (tmp_path / "articles.jsonl").read_bytes() != before
    with RunFolder(tmp_path, VERSION) as folder:
        assert (tmp_path / "articles.jsonl").read_bytes() == before
        assert not folder.store.is_done(f"{2:016x}")


def test_a_new_processing_version_archives_the_old_files(tmp_path):
    with RunFolder(tmp_path, VERSION) as folder:
        folder.commit([_result(1)])
    old = (tmp_path / "statements.jsonl").read_bytes()
    with RunFolder(tmp_path, "stance-minilm@2.0.0+pipeline-0.1.0") as folder:
        assert folder.recovery.archived_to == tmp_path / "previous" / "stance-minilm_1.0.0_pipeline-0.1.0"
        assert not folder.store.is_done(f"{1:016x}")
        assert (tmp_path / "statements.jsonl").read_bytes() == b""
    assert (
        tmp_path / "previous" / "stance-minilm_1.0.0_pipeline-0.1.0" / "statements.jsonl"
    ).read_bytes() == old


def test_going_back_to_an_earlier_version_redoes_its_articles(tmp_path):
    """Model A, then B, then A again: A's second generation starts empty, so nothing of A's
    first one may count as done (it did, and the folder stayed empty for good)."""
    version_b = "stance-minilm@2.0.0+pipeline-0.1.0"
    with RunFolder(tmp_path, VERSION) as folder:
        folder.commit([_result(1), _result(2)])
    with RunFolder(tmp_path, version_b) as folder:
        folder.commit([_result(1)])
    with RunFolder(tmp_path, VERSION) as folder:
        assert not folder.store.is_done(f"{1:016x}") and not folder.store.is_done(f"{2:016x}")
        assert folder.store.totals() == {"articles": 0, "statements": 0, "batches": 0}
        folder.commit([_result(1)])
        assert folder.store.totals()["articles"] == 1
    assert len(_lines(tmp_path / "articles.jsonl")) == 1


def test_record_files_from_before_the_state_store_are_kept_aside(tmp_path):
    (tmp_path / "statements.jsonl").write_text('{"old": true}\n')
    with RunFolder(tmp_path, VERSION) as folder:
        assert folder.recovery.archived_to == tmp_path / "previous" / "unversioned"
    assert (tmp_path / "previous" / "unversioned" / "statements.jsonl").read_text() == '{"old": true}\n'


def test_a_file_shorter_than_committed_is_reported_not_overwritten(tmp_path):
    with RunFolder(tmp_path, VERSION) as folder:
        folder.commit([_result(1)])
    (tmp_path / "statements.jsonl").write_text("")
    with pytest.raises(StateError, match="changed outside stance"):
        RunFolder(tmp_path, VERSION).__enter__()


def test_a_second_writer_on_the_same_folder_is_refused(tmp_path):
    with RunFolder(tmp_path, VERSION), pytest.raises(StateError, match="another stance run"):
        RunFolder(tmp_path, VERSION).__enter__()
    with RunFolder(tmp_path, VERSION) as folder:  # the lock went with the first writer
        assert folder.store.totals()["articles"] == 0


def test_a_corrupt_state_file_is_a_clear_error(tmp_path):
    (tmp_path / "state.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match=r"state\.sqlite: cannot use the state store"):
        RunFolder(tmp_path, VERSION).__enter__()


def _said(result: ArticleResult, *pairs: tuple[str, str]) -> ArticleResult:
    """``result`` with its statements' holders and stances replaced by ``pairs``, in order."""
    template = result.statements[0]
    statements = [
        template.model_copy(
            update={
                "statement_id": f"{result.article.article_id}{k}",
                "holder": template.holder.model_copy(update={"name": holder}),
                "stance": stance,
            }
        )
        for k, (holder, stance) in enumerate(pairs)
    ]
    return ArticleResult(article=result.article, statements=statements)


def _tallies_from_file(path: Path) -> list[tuple[str, list[tuple[str, int]]]]:
    counts: dict[str, dict[str, int]] = {}
    for line in _lines(path):
        record = json.loads(line)
        by_stance = counts.setdefault(record["holder"]["name"], {})
        by_stance[record["stance"]] = by_stance.get(record["stance"], 0) + 1
    return [(holder, list(by_stance.items())) for holder, by_stance in counts.items()]


def test_tallies_are_kept_as_batches_commit_in_file_order(tmp_path):
    with RunFolder(tmp_path, VERSION) as folder:
        folder.commit([_said(_result(1), ("Qatar", "mediation"), ("Chad", "refusal"), ("Qatar", "support"))])
        folder.commit([_said(_result(2), ("Chad", "refusal"), ("Niger", "neutral"), ("Qatar", "mediation"))])
        tallies = folder.store.tallies()
    expected = _tallies_from_file(tmp_path / "statements.jsonl")
    assert [(holder, list(by_stance.items())) for holder, by_stance in tallies.items()] == expected
    assert tallies["Qatar"] == {"mediation": 2, "support": 1}


def test_a_store_from_before_the_tallies_counts_them_once_from_the_file(tmp_path):
    with RunFolder(tmp_path, VERSION) as folder:
        folder.commit([_said(_result(1), ("Qatar", "mediation"), ("Chad", "refusal"))])
    with sqlite3.connect(tmp_path / "state.sqlite") as db:  # as release 0.4.0 left it
        db.execute("DROP TABLE tallies")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with RunFolder(tmp_path, VERSION) as folder:
        assert folder.store.tallies() == {"Qatar": {"mediation": 1}, "Chad": {"refusal": 1}}
        folder.commit([_said(_result(2), ("Chad", "refusal"))])
        assert folder.store.tallies()["Chad"] == {"refusal": 2}


def test_the_plan_sorts_articles_into_new_changed_unchanged_and_duplicate(tmp_path):
    done = CleanArticle(source="inbox/a.txt", text="Qatar offered to host talks.", title=None, published=None)
    edited = CleanArticle(source="inbox/b.txt", text="Chad refused the offer.", title=None, published=None)
    with RunFolder(tmp_path, VERSION) as folder:
        for number, article in enumerate((done, edited), start=1):
            record = _result(number).article.model_copy(
                update={"article_id": article.article_id, "source": article.source}
            )
            folder.commit([ArticleResult(article=record, statements=[])])
        changed = CleanArticle(
            source="inbox/b.txt", text="Chad refused it again.", title=None, published=None
        )
        fresh = CleanArticle(source="inbox/c.txt", text="Niger backed the talks.", title=None, published=None)
        plan = folder.plan(ReadResult(articles=[done, changed, fresh], duplicates=["inbox/d.txt"]))
    assert [a.source for a in plan.new] == ["inbox/b.txt", "inbox/c.txt"]
    assert plan.changed == ["inbox/b.txt"] and plan.unchanged == ["inbox/a.txt"]
    assert plan.duplicate == ["inbox/d.txt"]


def _inbox(tmp_path: Path) -> str:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = "Norway offered on Monday to mediate between the two parties, its foreign minister said."
    (inbox / "new.txt").write_text(f"Talks in Oslo\n\n{text}\n", encoding="utf-8")
    return str(inbox)


def test_a_rerun_with_work_leaves_the_archiving_to_the_run_that_reports_it(tmp_path):
    from pipeline.runs.rerun import rerun_without_work
    from pipeline.settings import Settings

    settings, out = Settings(), tmp_path / "out"
    with RunFolder(out, "older-model@0.9.0+pipeline-0.0.1", settings.state_file) as folder:
        folder.commit([_result(1)])
    assert rerun_without_work([_inbox(tmp_path)], out, settings) is None  # the new article is work
    assert not (out / "previous").exists() and len(_lines(out / "statements.jsonl")) == 2
    with RunFolder.for_settings(out, settings) as folder:  # the flow's run: it archives and says so
        messages = folder.recovery.messages(folder.version)
    assert any("earlier output moved to" in m for m in messages), messages


def test_a_rerun_with_work_leaves_a_killed_runs_bytes_to_the_run_that_reports_them(tmp_path):
    from pipeline.runs.rerun import rerun_without_work
    from pipeline.settings import Settings

    settings, out = Settings(), tmp_path / "out"
    with RunFolder.for_settings(out, settings) as folder:
        folder.commit([_result(1)])
    with (out / "statements.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"half a record')
    assert rerun_without_work([_inbox(tmp_path)], out, settings) is None
    assert (out / "statements.jsonl").read_text(encoding="utf-8").endswith('{"half a record')
    with RunFolder.for_settings(out, settings) as folder:
        assert folder.recovery.truncated == {"statements.jsonl": len('{"half a record')}


def test_a_rerun_back_on_a_version_redoes_what_another_version_overwrote(tmp_path):
    from pipeline.extract import ArticleResult as Result
    from pipeline.ingest import discover, read_articles
    from pipeline.runs.rerun import rerun_without_work
    from pipeline.settings import Settings

    settings, out, inbox = Settings(), tmp_path / "out", _inbox(tmp_path)
    [article] = read_articles(discover([inbox], settings.ingest)[0], settings.ingest).articles
    record = ArticleRecord(article_id=article.article_id, source=article.source, text=article.text)
    with RunFolder.for_settings(out, settings) as folder:
        folder.commit([Result(article=record, statements=[])])
    assert rerun_without_work([inbox], out, settings) is not None  # done by this version
    with RunFolder(out, "other-model@1.0.0+pipeline-0.0.1", settings.state_file):
        pass  # another version took the folder: this version's files went to previous/
    assert rerun_without_work([inbox], out, settings) is None  # so the article is work again
