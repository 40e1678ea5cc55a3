"""Corrections as append-only events; undo; the effective correction of a statement."""

import sqlite3

import pytest

from review.corrections import ActorIndex, check_words, effective, review
from review.errors import CorrectionError
from review.run_data import load_run
from review.store import CorrectionStore

SID = "0123456789abcdef"


@pytest.fixture
def store(tmp_path):
    return CorrectionStore(tmp_path / "review.sqlite")


@pytest.fixture
def run(run_dir):
    return load_run(run_dir)


def test_events_are_appended_with_reviewer_and_time(store):
    first = store.append(SID, "relabel", "ana", label="refusal")
    second = store.append(SID, "accept", "ben")
    assert [e.action for e in store.events(SID)] == ["relabel", "accept"]
    assert (first.reviewer, second.reviewer) == ("ana", "ben")
    assert first.created_at.endswith("+00:00") and first.id < second.id


def test_undo_cancels_the_latest_event_still_in_effect(store):
    store.append(SID, "relabel", "ana", label="refusal")
    store.append(SID, "reject", "ana")
    store.undo(SID, "ana")
    assert [e.action for e in store.active_events()[SID]] == ["relabel"]
    store.undo(SID, "ana")
    assert store.active_events() == {}
    assert [e.action for e in store.events(SID)] == ["relabel", "reject", "undo", "undo"]  # history kept
    with pytest.raises(CorrectionError, match="no correction to undo"):
        store.undo(SID, "ana")


def test_database_survives_reopening_and_rejects_bad_input(tmp_path, store):
    store.append(SID, "accept", "ana")
    assert len(CorrectionStore(store.path).events()) == 1
    with pytest.raises(CorrectionError, match="not a statement id"):
        store.append("../../etc/passwd", "accept", "ana")
    with pytest.raises(CorrectionError, match="unknown action"):
        store.append(SID, "delete", "ana")
    with pytest.raises(CorrectionError, match="reviewer"):
        store.append(SID, "accept", " ")
    # the table itself refuses what the code would
    with sqlite3.connect(store.path) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO events (statement_id, action, reviewer, created_at) VALUES (?,?,?,?)",
            (SID, "drop", "x", "now"),
        )


def test_not_a_database(tmp_path):
    path = tmp_path / "review.sqlite"
    path.write_text("not sqlite at all, just text " * 20)
    with pytest.raises(Exception, match="not a corrections database"):
        CorrectionStore(path)


def test_fold_of_corrections(run, store):
    record = next(s for s in run.statements.values() if s.holder.name == "Qatar")
    sid = record.statement_id
    assert effective(record, []).status == "unreviewed"
    store.append(sid, "accept", "ana")
    assert effective(record, store.active_events()[sid]).status == "accepted"
    store.append(sid, "relabel", "ana", label="support")
    fold = effective(record, store.active_events()[sid])
    assert (fold.status, fold.label, fold.reviewer) == ("corrected", "support", "ana")
    store.append(sid, "reject", "ben")
    assert effective(record, store.active_events()[sid]).status == "rejected"
    store.append(sid, "target", "ben", target_mention="the two sides")
    fold = effective(record, store.active_events()[sid])
    assert (fold.status, fold.label, fold.target_mention) == ("corrected", "support", "the two sides")
    store.undo(sid, "ben")
    store.undo(sid, "ben")
    store.append(sid, "relabel", "ben", label="mediation")  # back to the machine's label
    assert effective(record, store.active_events()[sid]).status == "accepted"


def test_corrected_holder_takes_a_known_actor(run, store):
    record = next(s for s in run.statements.values() if s.holder.name == "Qatar")
    actors = ActorIndex(run)
    store.append(record.statement_id, "holder", "ana", holder_mention="Qatar", holder_name="Türkiye")
    item = review(record, store.active_events()[record.statement_id], actors)
    assert (
        item.holder.name == "Türkiye" and item.holder.country_code == "TUR" and item.holder.mention == "Qatar"
    )
    assert actors.canonical_name("Ankara") == "Türkiye" and actors.canonical_name("Lisbon") == "Lisbon"
    assert actors.actor("Lisbon", "Lisbon").type == "other"


def test_holder_words_must_be_in_the_sentence():
    assert check_words("Ankara said no.", "  Ankara ", "holder") == "Ankara"
    with pytest.raises(CorrectionError, match="do not occur in the evidence sentence"):
        check_words("Ankara said no.", "ankara", "holder")
    with pytest.raises(CorrectionError, match="give the holder words"):
        check_words("Ankara said no.", "   ", "holder")
