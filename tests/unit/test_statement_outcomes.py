"""`stance evaluate --errors`: one row per gold statement and per unmatched prediction."""

from pipeline.evaluate.devset import DevItem, GoldStatement
from pipeline.evaluate.runner import statement_outcomes
from pipeline.output.records import Actor, ArticleRecord
from tests.review.builders import statement

TEXT = "Ankara turned down the request and Oslo pledged aid to Kyiv."
ARTICLE = ArticleRecord(article_id="0" * 16, source="case", text=TEXT)
TURKEY = Actor(name="Türkiye", mention="Ankara", type="state", country="Türkiye", country_code="TUR")
NORWAY = Actor(name="Norway", mention="Oslo", type="state", country="Norway", country_code="NOR")
UKRAINE = Actor(name="Ukraine", mention="Kyiv", type="state", country="Ukraine", country_code="UKR")


def gold(holder: str, country: str, stance: str) -> GoldStatement:
    return GoldStatement(holder, holder, country, "state", None, None, None, stance, ())


def item(*statements: GoldStatement) -> DevItem:
    return DevItem("case-1", "ungdc", "case", TEXT, None, None, None, statements)


def test_each_gold_statement_is_matched_wrong_or_missed_and_leftovers_are_extra():
    items = [
        item(
            gold("Türkiye", "TUR", "refusal"),
            gold("Norway", "NOR", "support"),
            gold("Ukraine", "UKR", "neutral"),
        )
    ]
    predicted = {
        "case-1": [
            statement(ARTICLE, TEXT, 0, TURKEY, "refusal", 0.9, "turned down"),
            statement(ARTICLE, TEXT, 0, NORWAY, "mediation", 0.6, "pledged"),
            statement(ARTICLE, TEXT, 0, NORWAY, "support", 0.5, "aid"),
        ],
        "__unannotated__": [statement(ARTICLE, TEXT, 0, UKRAINE, "neutral", 0.7, "aid")],
    }
    rows = statement_outcomes(items, predicted)
    assert [(r["outcome"], r["gold_holder"], r["holder"]) for r in rows] == [
        ("match", "Türkiye", "Türkiye"),
        ("match", "Norway", "Norway"),  # the prediction with the gold stance is preferred
        ("missed", "Ukraine", None),
        ("extra", None, "Norway"),
        ("extra", None, "Ukraine"),
    ]
    assert rows[0]["sentence"] == TEXT and rows[0]["cue"] == "turned down"
    assert rows[-1]["part"] is None and rows[-1]["item"] is None  # outside the annotated sentences


def test_a_holder_found_with_another_stance_is_a_wrong_stance():
    rows = statement_outcomes(
        [item(gold("Türkiye", "TUR", "refusal"))],
        {"case-1": [statement(ARTICLE, TEXT, 0, TURKEY, "opposition", 0.6, "turned down")]},
    )
    assert [(r["outcome"], r["gold_stance"], r["stance"]) for r in rows] == [
        ("wrong-stance", "refusal", "opposition")
    ]
