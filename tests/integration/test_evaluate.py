"""`stance evaluate`'s scoring with the real models: the classifier is scored on the gold holders
both with the gold targets and with the targets the extractor finds, as in a run."""

from pathlib import Path

import pytest

from pipeline.stance.cues import attach_cues
from pipeline.stance.data import Example

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SHARED_CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
DEVSET = Path(__file__).resolve().parents[2] / "corpora" / "devset"


def _example(text: str, holder: str, target: str | None, label: str) -> Example:
    return Example(text, holder, target, label, "test", text.index(holder))


def test_extractor_targets_replace_the_gold_target_as_a_run_would(nlp):
    found = _example("Ankara turned down the request from Moscow.", "Ankara", "the request", "refusal")
    none = _example("Oslo pledged air-defence batteries to Kyiv.", "Oslo", "Ukraine's army", "support")
    missed = _example("The weather in Ankara was fine.", "Ankara", "the weather", "neutral")
    gold = attach_cues([found, none, missed], nlp)
    extracted = attach_cues([found, none, missed], nlp, extractor_targets=True)
    assert [e.target for e in gold] == ["the request", "Ukraine's army", "the weather"]
    assert extracted[0].target == "Moscow" and extracted[0].cue == "turned down"
    assert extracted[1].target == "Kyiv" and extracted[1].cue == "pledged"
    assert extracted[2].target is None and extracted[2].cue is None
    # the cue's word is located in the text for the network's cue marker
    first = extracted[0]
    assert first.text[first.cue_start : first.cue_end] == "turned"


def test_evaluation_report_scores_both_ways_on_real_dev_sentences(nlp, classifier):
    from pipeline.evaluate.devset import load_devset
    from pipeline.evaluate.runner import evaluate

    if not SHARED_CORPORA.is_dir():
        pytest.skip(f"{SHARED_CORPORA} is not available beside the project")
    items = load_devset(DEVSET, SHARED_CORPORA, ("ungdc",))[:12]
    outcomes: list[dict] = []
    report = evaluate(items, nlp, classifier, SHARED_CORPORA, outcomes)
    gold_statements = sum(len(item.statements) for item in items)
    # the outcome rows agree with the scores: every gold statement once, the matched ones as counted
    extraction = report["all"]["extraction"]
    kinds = [row["outcome"] for row in outcomes]
    assert len(kinds) - kinds.count("extra") == gold_statements
    assert kinds.count("match") + kinds.count("wrong-stance") == extraction["holder"]["tp"]
    assert kinds.count("match") == extraction["holder_and_stance"]["tp"]
    assert kinds.count("extra") == extraction["holder"]["predicted"] - extraction["holder"]["tp"]
    for scores in (report["all"], report["parts"]["ungdc"]):
        for key in ("classifier_on_gold_holders", "classifier_with_extractor_targets"):
            assert scores[key]["examples"] == gold_statements
            assert 0.0 <= scores[key]["macro_f1_support_refusal_mediation"] <= 1.0
        assert scores["extraction"]["sentences"] == len(items)
    assert report["model"] == classifier.tag
