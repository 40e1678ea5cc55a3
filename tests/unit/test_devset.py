"""The real-text dev set: references, hashes and matching, on small files made here."""

import hashlib
import json

import pytest

from pipeline import STANCE_LABELS
from pipeline.evaluate.devset import GoldStatement, load_devset
from pipeline.evaluate.errors import DevSetError
from pipeline.evaluate.matching import actor_matches, match_statements, prf, same_sentence
from pipeline.output import Actor, StatementRecord

SPEECH = "Mr President. We reject the unilateral measures. Qatar offered to host talks."


def _gold(holder="Cuba", country="CUB", kind="state", stance="refusal", mention="We") -> dict:
    return {
        "holder": holder,
        "holder_mention": mention,
        "holder_country": country,
        "holder_type": kind,
        "speaker": None,
        "target": None,
        "target_country": None,
        "stance": stance,
        "flags": [],
    }


def _write(tmp_path, line: dict) -> tuple:
    shared = tmp_path / "shared"
    (shared / "ungdc").mkdir(parents=True)
    (shared / "ungdc" / "CUB.txt").write_text(SPEECH, encoding="utf-8")
    devset = tmp_path / "devset"
    devset.mkdir()
    (devset / "ungdc.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    return devset, shared


def _line(start: int, end: int, sha1: str | None = None) -> dict:
    text = SPEECH[start:end]
    return {
        "id": "u1",
        "corpus": "ungdc/CUB.txt",
        "speaker_country": "CUB",
        "locator": {"start": start, "end": end},
        "sha1": sha1 or hashlib.sha1(text.encode()).hexdigest(),
        "statements": [_gold()],
    }


def test_reference_resolves_to_the_sentence(tmp_path):
    start = SPEECH.index("We")
    end = SPEECH.index("measures.") + len("measures.")
    [item] = load_devset(*_write(tmp_path, _line(start, end)))
    assert item.text == "We reject the unilateral measures."
    assert item.speaker_country == "CUB" and item.statements[0].stance == "refusal"


def test_changed_source_text_is_detected(tmp_path):
    with pytest.raises(DevSetError, match="SHA-1"):
        load_devset(*_write(tmp_path, _line(14, 48, sha1="0" * 40)))


def test_missing_shared_corpora_is_a_clear_error(tmp_path):
    devset, _ = _write(tmp_path, _line(14, 48))
    with pytest.raises(DevSetError, match="not available"):
        load_devset(devset, tmp_path / "nowhere")


def _statement(
    holder: Actor, stance: str, text: str = "We reject the unilateral measures."
) -> StatementRecord:
    scores = dict.fromkeys(STANCE_LABELS, 0.0)
    scores[stance] = 1.0
    return StatementRecord(
        statement_id="0" * 16,
        article_id="1" * 16,
        sentence_index=0,
        char_start=0,
        char_end=len(text),
        text=text,
        holder=holder,
        cue="reject",
        stance=stance,
        confidence=1.0,
        scores=scores,
        model="m@1",
    )


def test_actor_matching_by_name_country_and_surname():
    cuba = Actor(name="Cuba", mention="We", type="state", country="Cuba", country_code="CUB")
    assert actor_matches("Cuba", "CUB", "state", cuba)
    assert actor_matches("Cuban government", "CUB", "state", cuba)
    assert not actor_matches("Venezuela", "VEN", "state", cuba)
    lavrov = Actor(name="Sergei Lavrov", mention="Lavrov", type="person", country_code="RUS")
    assert actor_matches("Sergey Lavrov", "RUS", "person", lavrov)
    assert not actor_matches("Russia", "RUS", "state", lavrov)


def test_matching_is_one_to_one_and_prefers_the_gold_stance():
    cuba = Actor(name="Cuba", mention="We", type="state", country="Cuba", country_code="CUB")
    golds = [GoldStatement(**{**_gold(), "flags": ()})]
    wrong, right = _statement(cuba, "neutral"), _statement(cuba, "refusal")
    assert match_statements(golds, [wrong, right]) == [(golds[0], right)]
    assert prf(1, 2, 1) == {
        "precision": 0.5,
        "recall": 1.0,
        "f1": pytest.approx(2 / 3),
        "tp": 1,
        "predicted": 2,
        "gold": 1,
    }


def test_sentences_match_across_splitter_differences():
    assert same_sentence("**We reject** the  measures.", "We reject the measures.")
    assert not same_sentence("We reject the measures.", "Qatar offered to host talks.")
