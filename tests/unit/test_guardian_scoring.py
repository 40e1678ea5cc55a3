"""Scoring whole annotated articles: placement, holder matching and the counts behind the figures."""

from collections import Counter
from dataclasses import replace

import pytest

from pipeline import STANCE_LABELS
from pipeline.evaluate.guardian import GoldSentence
from pipeline.evaluate.guardian_scoring import figures, holder_matches, place, says_it, sentence_counts
from pipeline.output.records import Actor, StatementRecord
from tests.unit.gold import actor, gold

TEXT = "Ankara refused the plan. The Syrian opposition backed it."


def predicted(holder: Actor, stance: str, start: int = 0, end: int = 24, **flags) -> StatementRecord:
    scores = {label: (0.6 if label == stance else 0.1) for label in STANCE_LABELS}
    return StatementRecord(
        statement_id="0" * 16,
        article_id="1" * 16,
        sentence_index=0,
        char_start=start,
        char_end=end,
        text=TEXT[start:end],
        holder=holder,
        cue="refused",
        stance=stance,
        confidence=0.6,
        scores=scores,
        model="stance-test@1",
        **flags,
    )


def test_a_group_is_not_its_state():
    opposition = gold("Syrian opposition", "support", kind="group", country="SYR")
    assert not holder_matches(opposition, actor("Syria", code="SYR"))
    assert holder_matches(opposition, actor("Syrian opposition", kind="group", code="SYR"))
    turkey = gold("Turkey", "refusal", country="TUR", mention="Ankara")
    assert holder_matches(turkey, actor("Turkey", code="TUR", mention="Ankara"))
    assert holder_matches(turkey, actor("Turkish government", code="TUR"))  # the state by its code


def test_a_person_matches_by_surname_or_through_whom_they_speak_for():
    lavrov = gold(
        "Sergei Lavrov",
        "refusal",
        kind="person",
        country="RUS",
        mention="he",
        affiliation="Russia",
        affiliation_country="RUS",
    )
    assert holder_matches(lavrov, actor("Lavrov", kind="person", code="RUS"))
    assert holder_matches(lavrov, actor("Russia", code="RUS"))  # rolled up to the state
    assert not holder_matches(lavrov, actor("Sergei Shoigu", kind="person", code="RUS"))
    erdogan = gold("Recep Tayyip Erdoğan", "mediation", kind="person", country="TUR")
    assert holder_matches(erdogan, actor("Recep Tayyip Erdogan", kind="person", code="TUR"))
    # a pronoun mention is no evidence that two actors are the same
    assert not holder_matches(lavrov, actor("Iran", code="IRN", mention="he"))
    private = gold("Ahmed Nasser", "opposition", kind="person", country="SYR")
    assert not holder_matches(private, actor("Syria", code="SYR"))


def test_predictions_are_placed_in_the_sentence_they_overlap_most():
    sentences = [
        GoldSentence("g1", 0, 0, 24, TEXT[:24], (), "event"),
        GoldSentence("g1", 1, 25, len(TEXT), TEXT[25:], (), "event"),
    ]
    assert place(sentences, predicted(actor("Turkey"), "refusal", 0, 24)) == 0
    assert place(sentences, predicted(actor("Turkey"), "refusal", 20, len(TEXT))) == 1


def _sentence(*statements) -> GoldSentence:
    return GoldSentence("g1", 0, 0, 24, TEXT[:24], statements, None)


def test_counts_pair_one_to_one_and_score_the_three_stances_apart():
    sentence = _sentence(
        gold("Turkey", "refusal", country="TUR", flags=("negated",)),
        gold("Russia", "neutral", country="RUS"),
        gold("Iran", "support", country="IRN"),
    )
    predictions = [
        predicted(actor("Turkey", code="TUR"), "refusal", negated=True),
        predicted(actor("Turkey", code="TUR"), "refusal"),  # a duplicate is an extra
        predicted(actor("Russia", code="RUS"), "opposition"),  # right holder, wrong label
        predicted(actor("Syria", code="SYR"), "mediation"),  # nobody's
    ]
    counts = sentence_counts(sentence, predictions)
    assert (counts["gold"], counts["predicted"], counts["holder_tp"]) == (3, 4, 2)
    assert (counts["refusal_tp"], counts["refusal_predicted"], counts["refusal_gold"]) == (1, 2, 1)
    assert counts["stances_holder_tp"] == 1  # of Turkey's refusal and Iran's support, Turkey is found
    result = figures(Counter(counts))
    assert result["holder_and_stance"]["tp"] == 1
    assert result["stances"]["precision"] == pytest.approx(1 / 3)  # 2 refusals + 1 mediation predicted
    assert result["stances"]["recall"] == pytest.approx(1 / 2)
    assert result["stances"]["holder_recall"] == pytest.approx(1 / 2)
    assert result["flags"]["negated"]["precision"] == 1.0 and result["flags"]["negated"]["recall"] == 1.0
    assert result["statement_recall"] == pytest.approx(2 / 3)


def test_an_empty_sentence_turns_every_prediction_into_an_extra():
    counts = sentence_counts(
        GoldSentence("g1", 0, 0, 24, TEXT[:24], (), "background"), [predicted(actor("Turkey"), "support")]
    )
    result = figures(Counter(counts))
    assert result["holder"]["predicted"] == 1 and result["holder"]["tp"] == 0
    assert result["stances"]["precision"] == 0.0


def test_one_optimal_pairing_decides_holders_labels_and_rows():
    """Greedy pairing in gold order would give Erdoğan's support the first Turkish prediction
    and leave the state's refusal unpaired; the optimal pairing finds both."""
    from pipeline.evaluate.guardian import GoldArticle
    from pipeline.evaluate.guardian_scoring import outcome_rows

    erdogan = gold(
        "Recep Tayyip Erdoğan",
        "support",
        kind="person",
        country="TUR",
        affiliation="Turkey",
        affiliation_country="TUR",
    )
    turkey = gold("Turkey", "refusal", country="TUR")
    predictions = [
        predicted(actor("Turkey", code="TUR"), "refusal"),
        predicted(actor("Recep Tayyip Erdogan", kind="person", code="TUR"), "refusal"),
    ]
    sentence = _sentence(erdogan, turkey)
    counts = sentence_counts(sentence, predictions)
    assert counts["holder_tp"] == 2 and counts["refusal_tp"] == 1 and counts["support_tp"] == 0
    article = GoldArticle("g1", "dev", None, TEXT, (sentence,))
    kinds = sorted(row["outcome"] for row in outcome_rows([article], [[predictions]]))
    assert kinds == ["match", "wrong-stance"]  # the rows tell the same story as the counts
    # the order of either list does not change the result
    assert sentence_counts(_sentence(turkey, erdogan), predictions[::-1]) == counts


def test_a_body_matches_its_acronym_both_ways():
    commission = gold("Syrian Negotiations Commission", "refusal", kind="group", country="SYR")
    assert holder_matches(commission, actor("SNC", kind="organization", mention="it"))
    assert holder_matches(
        gold("SDF", "support", kind="armed_group"), actor("Syrian Democratic Forces", kind="group")
    )
    assert not holder_matches(commission, actor("SDF", kind="organization"))
    assert not holder_matches(gold("Sergei Lavrov", "refusal", kind="person"), actor("SL", kind="person"))


def test_a_state_gold_accepts_its_official_but_not_a_foreigner():
    turkey = gold("Turkey", "refusal", country="TUR")
    assert holder_matches(turkey, actor("Mevlüt Çavuşoğlu", kind="person", code="TUR"))
    assert not holder_matches(turkey, actor("Sergei Lavrov", kind="person", code="RUS"))


def test_quote_attribution_names_the_speaker_where_the_gold_has_one_else_the_holder():
    quoting = GoldSentence("g1", 0, 0, 40, '"We refuse," said the envoy of Ankara.', (), None)
    envoy = Actor(name="Omer Celik", mention="Omer Celik", type="person", country_code="TUR")
    refusal = gold("Turkey", "refusal", country="TUR", speaker="Omer Celik")
    said_by_envoy = predicted(actor("Turkey", code="TUR"), "refusal", speaker=envoy)
    said_by_turkey = predicted(actor("Turkey", code="TUR"), "refusal")
    assert says_it(refusal, said_by_envoy) and not says_it(refusal, said_by_turkey)
    assert says_it(refusal, predicted(envoy, "refusal"))  # the envoy as holder still says it
    own = gold("Turkey", "refusal", country="TUR")
    assert says_it(own, said_by_turkey) and not says_it(own, said_by_envoy)
    counts = sentence_counts(replace(quoting, statements=(refusal, own)), [said_by_turkey])
    assert (counts["quote_gold"], counts["quote_tp"]) == (2, 1)
    assert figures(Counter(counts))["quotes"] == {"gold": 2, "right_speaker": 0.5}
    plain = sentence_counts(replace(quoting, text="Ankara refused, the envoy said.", statements=(own,)), [])
    assert plain["quote_gold"] == 0  # a sentence without a quotation is not counted
