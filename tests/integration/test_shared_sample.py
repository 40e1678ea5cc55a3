"""Acceptance on the real scraped article in ../shared/samples (read in place, never copied)."""

from pathlib import Path

import pytest

from pipeline.extract import process_articles
from pipeline.ingest import IngestConfig, read_articles

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SHARED_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "000_328d40c37c10cabc.txt"


@pytest.fixture(scope="module")
def result(nlp, classifier):
    if not SHARED_SAMPLE.is_file():
        pytest.skip(f"{SHARED_SAMPLE} is not available beside the project")
    [article] = read_articles([SHARED_SAMPLE], IngestConfig()).articles
    [result] = process_articles([article], nlp, classifier)
    return result


def _russian(result, stance):
    return [s for s in result.statements if s.stance == stance and s.holder.country_code == "RUS"]


def test_support_refusal_and_mediation_held_by_russia(result):
    support = _russian(result, "support")
    refusal = _russian(result, "refusal")
    mediation = _russian(result, "mediation")
    assert any("signed a strategic pact with Iran" in s.text for s in support)
    assert any("declined to give Iran" in s.text for s in refusal)
    assert any("offered to act as a mediator" in s.text or "exercise restraint" in s.text for s in mediation)


def test_rudenko_discloses_putins_conditional_refusal(result):
    [s] = [x for x in result.statements if "Rudenko" in x.text and x.holder.name == "Vladimir Putin"]
    assert s.speaker.name == "Andrey Rudenko" and s.speaker.country_code == "RUS"
    assert s.target.name == "Iran"
    assert (s.stance, s.negated, s.conditional) == ("refusal", True, True)


def test_page_furniture_at_the_end_yields_nothing(result):
    text = result.article.text
    tail = text.index("Map of Russia - Guide of the World")
    assert all(s.char_end <= tail for s in result.statements)
    kinds = {span.kind for span in result.article.furniture}
    assert {"caption", "bio", "social", "toc", "heading", "reader_prompt"} <= kinds
    assert not any(s.text.rstrip().endswith("?") for s in result.statements)
