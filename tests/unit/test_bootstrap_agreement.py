"""Bootstrap intervals over articles and the annotators' agreement figures, on known inputs."""

import pytest

from pipeline.evaluate.agreement import agreement, cohen_kappa
from pipeline.evaluate.bootstrap import bootstrap_interval, bootstrap_intervals
from pipeline.evaluate.devset import GoldStatement
from pipeline.evaluate.guardian import GoldSentence
from tests.unit.gold import gold


def rate(counts) -> float:
    return counts["hit"] / counts["n"] if counts["n"] else 0.0


def test_identical_units_give_a_point_interval():
    units = [{"hit": 3, "n": 4}] * 20
    assert bootstrap_interval(units, rate) == pytest.approx((0.75, 0.75))


def test_two_units_give_the_exact_percentiles_of_their_four_resamples():
    # draws of two units from {0/1, 1/1}: rates 0, 0.5 (twice as likely) and 1
    low, high = bootstrap_interval([{"hit": 0, "n": 1}, {"hit": 1, "n": 1}], rate, resamples=4000)
    assert (low, high) == (0.0, 1.0)
    low40, high40 = bootstrap_interval(
        [{"hit": 0, "n": 1}, {"hit": 1, "n": 1}], rate, resamples=4000, confidence=0.4
    )
    assert (low40, high40) == (0.5, 0.5)


def test_a_fair_coin_over_a_hundred_articles_gives_the_normal_interval():
    units = [{"hit": i % 2, "n": 1} for i in range(100)]
    low, high = bootstrap_interval(units, rate, resamples=4000, seed=1)
    # 0.5 +- 1.96 * sqrt(0.25 / 100) = [0.402, 0.598]
    assert low == pytest.approx(0.402, abs=0.015)
    assert high == pytest.approx(0.598, abs=0.015)


def test_counts_are_summed_before_the_figure_is_taken():
    # one big article and one small: the pooled rate, not the mean of the rates
    units = [{"hit": 90, "n": 100}, {"hit": 0, "n": 1}]
    # half the draws hold one of each: their pooled rate is 90/101 (a mean of rates would be 0.45)
    low, high = bootstrap_interval(units, rate, resamples=2000, confidence=0.4)
    assert (low, high) == pytest.approx((90 / 101, 90 / 101))


def test_intervals_are_seeded_and_share_draws():
    units = [{"hit": i % 3, "n": 2} for i in range(30)]
    figures = {"rate": rate, "misses": lambda c: c["n"] - c["hit"]}
    assert bootstrap_intervals(units, figures, seed=7) == bootstrap_intervals(units, figures, seed=7)
    assert bootstrap_intervals(units, figures, seed=7) != bootstrap_intervals(units, figures, seed=8)
    with pytest.raises(ValueError, match="at least one unit"):
        bootstrap_interval([], rate)


def test_cohen_kappa_matches_the_textbook_example():
    # 50 items: both yes 20, both no 15, yes/no 5, no/yes 10 -> po 0.7, pe 0.5, kappa 0.4
    pairs = [("y", "y")] * 20 + [("n", "n")] * 15 + [("y", "n")] * 5 + [("n", "y")] * 10
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("a", "a")] * 5) == 1.0
    assert cohen_kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)


def _sentence(index: int, *statements: GoldStatement) -> GoldSentence:
    return GoldSentence("g1", index, 0, 1, "x", statements, None if statements else "background")


def test_agreement_aligns_statements_by_holder_and_counts_empty_sentences():
    first = {
        "g1": [
            _sentence(0, gold("Russia", "refusal", country="RUS")),
            _sentence(1),
            _sentence(2, gold("Sergei Lavrov", "support", "person"), gold("Turkey", "neutral")),
            _sentence(3, gold("Iran", "opposition")),
        ]
    }
    second = {
        "g1": [
            _sentence(0, gold("Moscow", "refusal", country="RUS")),  # same state by its code
            _sentence(1),
            _sentence(2, gold("Lavrov", "mediation", "person")),  # same person by surname
            _sentence(3),
        ]
    }
    result = agreement(first, second)
    # items: refusal/refusal, none/none, support/mediation, neutral/none, opposition/none
    expected = cohen_kappa(
        [
            ("refusal", "refusal"),
            ("none", "none"),
            ("support", "mediation"),
            ("neutral", "none"),
            ("opposition", "none"),
        ]
    )
    assert result["stance_kappa"] == pytest.approx(expected)
    assert result["holder_agreement"] == pytest.approx(2 * 2 / (4 + 2))
    assert result["stance_agreement_same_holder"] == pytest.approx(0.5)
    assert (result["sentences"], result["articles"]) == (4, 1)


def test_agreement_does_not_depend_on_which_pass_is_first():
    first = {
        "g1": [
            _sentence(
                0,
                gold("Recep Tayyip Erdoğan", "support", "person"),
                gold("Erdogan", "refusal", "person"),
            )
        ]
    }
    second = {"g1": [_sentence(0, gold("Erdogan", "refusal", "person"))]}
    forward, backward = agreement(first, second), agreement(second, first)
    assert forward["stance_kappa"] == pytest.approx(backward["stance_kappa"])
    assert forward["stance_agreement_same_holder"] == 1.0  # the refusal pairs with the refusal
    assert forward["holder_agreement"] == pytest.approx(2 / 3)
