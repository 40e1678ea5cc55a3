"""The PLOVER map (pipeline/output/plover.tsv): every row, checked by its own example."""

import pytest

from pipeline import STANCE_LABELS
from pipeline.output.plover import plover_code, plover_rules
from pipeline.output.records import PloverType

RULES = plover_rules()


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.stance}:{r.example_cue}" for r in RULES])
def test_every_row_maps_its_example_cue_to_its_code(rule):
    assert rule.plover in PloverType.__args__
    assert plover_code(rule.stance, rule.example_cue) == (rule.plover, rule.mode)


def test_each_stance_but_neutral_has_a_default_row_last():
    for stance in STANCE_LABELS:
        rows = [rule for rule in RULES if rule.stance == stance]
        if stance == "neutral":
            assert not rows
            assert plover_code("neutral", "said") == (None, None)
        else:
            assert rows and not rows[-1].prefixes, f"{stance} needs a default row last"
            assert all(rule.prefixes for rule in rows[:-1])


def test_cues_match_by_word_start_only():
    assert plover_code("support", "disarmed") == ("SUPPORT", None)  # "arm" must start a word
    assert plover_code("support", "will send troops") == ("AID", None)
    assert plover_code("support", "Welcomed") == ("SUPPORT", None)
    assert plover_code("mediation", "urged restraint") == ("CONSULT", "mediate")


def test_whole_word_entries_do_not_catch_longer_words():
    assert plover_code("support", "signalled") == ("SUPPORT", None)  # not AGREE: "sign=" is whole-word
    assert plover_code("support", "signed") == ("AGREE", None)
    assert plover_code("opposition", "mustered") == ("DISAPPROVE", None)
    assert plover_code("opposition", "marched on") == ("PROTEST", None)
