"""The trained classifier as the pipeline calls it: batching by length keeps each input's
scores, and the marked holder and cue decide whose stance is read."""

import pytest

from pipeline.stance.classifier import StanceClassifier
from pipeline.stance.config import StanceConfig
from pipeline.stance.inputs import StanceInput

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TWO_HOLDERS = "Ankara rejected the ceasefire plan, while Doha offered to host talks between the two sides."


def _at(text: str, word: str, cue: str) -> StanceInput:
    start, cue_start = text.index(word), text.index(cue)
    return StanceInput(text, start, start + len(word), None, cue, cue_start, cue_start + len(cue))


def _inputs() -> list[StanceInput]:
    short = "Oslo backed Kyiv."
    long = (
        "In a long statement issued after two days of talks in Geneva, where delegations from "
        "eleven countries met behind closed doors, Brazil said it would not send troops."
    )
    return [
        _at(TWO_HOLDERS, "Ankara", "rejected"),
        _at(short, "Oslo", "backed"),
        _at(long, "Brazil", "send"),
        _at(TWO_HOLDERS, "Doha", "offered"),
    ]


def test_scores_do_not_depend_on_order_or_batch_size(classifier):
    items = _inputs()
    forward = classifier.predict(items)
    backward = classifier.predict(items[::-1])[::-1]
    small = StanceClassifier(StanceConfig(model_dir=classifier.config.model_dir, batch_size=1)).predict(items)
    assert [p.scores for p in forward] == [p.scores for p in backward] == [p.scores for p in small]


def test_the_marked_holder_decides_whose_stance_is_read(classifier):
    ankara, oslo, brazil, doha = classifier.predict(_inputs())
    assert ankara.label == "refusal"
    assert doha.label == "mediation"
    assert oslo.label == "support"
    assert brazil.label == "refusal"


def test_the_ensemble_averages_its_members_logits(classifier, tmp_path):
    """Each member loaded alone, from an artefact that lists only it, gives logits whose mean
    is what the shipped ensemble returns."""
    import json
    import shutil

    artefact = classifier.config.model_dir
    metadata = json.loads((artefact / "stance_model.json").read_text(encoding="utf-8"))
    assert len(metadata["members"]) >= 2
    items = _inputs()
    alone = []
    for folder in metadata["members"]:
        single = tmp_path / folder
        shutil.copytree(artefact / folder, single / folder)
        (single / "stance_model.json").write_text(json.dumps({**metadata, "members": [folder]}))
        alone.append(StanceClassifier(StanceConfig(model_dir=single)).logits(items))
    together = classifier.logits(items)
    for index, row in enumerate(together):
        mean = [sum(member[index][k] for member in alone) / len(alone) for k in range(len(row))]
        assert row == pytest.approx(mean, abs=1e-4)
    # the members are different networks, so averaging changes something
    assert alone[0] != alone[1]
