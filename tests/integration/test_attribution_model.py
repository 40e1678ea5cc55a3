"""The learned attribution model through the real spaCy pipeline and MiniLM, on the team's own
sentences for each kind of failure seen on unseen news (issue: attribution that generalises).

Where the shipped model still fails a kind, the test says so with a strict xfail: it turns into
a failure the day the model gets it right, so the marker cannot outlive the gap.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.actors.mentions import actor_by_token
from pipeline.attribution.candidates import chunks_by_sentence, sentence_mentions
from pipeline.extract import process_articles
from pipeline.ingest import IngestConfig, RawDocument, clean_document

pytestmark = pytest.mark.integration
STANCE = str(Path(sys.executable).parent / "stance")
SHARED_CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"


@pytest.fixture(scope="module")
def attributor():
    from pipeline.attribution.attributor import load_attributor
    from pipeline.attribution.config import AttributionConfig

    return load_attributor(AttributionConfig())


def statements(nlp, attributor, text: str) -> list:
    """Every statement the pipeline writes for ``text``, all from the attribution model."""
    article = clean_document(RawDocument(source="case", text=text, format="text"), IngestConfig())
    [result] = process_articles([article], nlp, attributor=attributor)
    assert all(s.model == attributor.tag for s in result.statements)
    return result.statements


def run(nlp, attributor, text: str) -> list[tuple[str, str, str]]:
    """(holder name, holder type, stance) of every statement the pipeline writes."""
    return [(s.holder.name, s.holder.type, s.stance) for s in statements(nlp, attributor, text)]


def test_every_state_an_apposition_lists_holds_the_statement(nlp, attributor):
    found = run(
        nlp,
        attributor,
        "The three mediators – Norway, Chile and Ghana – have rejected efforts by the African Union "
        "to delay the vote.",
    )
    for state in ("Norway", "Chile", "Ghana"):
        assert (state, "state", "refusal") in found, found


def test_a_group_outside_the_gazetteer_is_not_its_state(nlp, attributor):
    found = run(nlp, attributor, "The Sudanese opposition said it would boycott the talks in Jeddah.")
    holders = {name: kind for name, kind, _ in found}
    assert holders.get("Sudanese opposition") == "group", found
    assert "Sudan" not in holders


def test_an_acronym_and_its_long_form_are_one_actor(nlp, attributor):
    text = "The HNC, the main opposition negotiating body, rejected the proposal."
    text += " The High Negotiations Committee said the plan favoured Damascus."
    found = run(nlp, attributor, text)
    assert ("High Negotiations Committee", "organization", "refusal") in found, found
    assert not any(name == "HNC" for name, _, _ in found)


def test_training_rows_link_an_acronym_to_its_long_form_as_inference_does(nlp):
    from pipeline.attribution.dataset import _pending
    from pipeline.evaluate.guardian import GoldArticle, GoldSentence

    text = "The HNC, the main opposition negotiating body, rejected the proposal."
    text += " The High Negotiations Committee said the plan favoured Damascus."
    article = GoldArticle(
        "acronym", "train", None, text, (GoldSentence("acronym", 0, 0, len(text), text, (), None),)
    )
    pending, skipped = _pending([article], nlp, rules=False)
    assert not skipped
    holders = {
        m.span(rows.sentence.doc).text: [actor.name for actor in actors]
        for rows, _, _ in pending
        for m, actors in zip(rows.mentions, rows.holders, strict=True)
    }
    assert holders["HNC"] == ["High Negotiations Committee"], holders


def test_an_official_speaks_for_the_state_the_title_names(nlp, attributor):
    found = run(nlp, attributor, "A Foreign Office spokesperson said Britain welcomed the ceasefire.")
    assert ("United Kingdom", "state", "support") in found, found


def test_a_known_official_keeps_the_state_he_speaks_for_as_affiliation(nlp, attributor):
    found = statements(nlp, attributor, "Lavrov said he would host a summit in Sochi.")
    lavrov = [s.holder for s in found if s.holder.type == "person"]
    assert lavrov and lavrov[0].affiliation is not None and lavrov[0].affiliation.name == "Russia", lavrov


def test_an_adviser_named_by_a_leaders_possessive_speaks_for_that_leaders_state(nlp, attributor):
    text = "Maria Lind, Macron's national security adviser, said France would back the ceasefire plan."
    holders = {s.holder.name: s.holder for s in statements(nlp, attributor, text)}
    assert "Maria Lind" in holders, holders
    assert (
        holders["Maria Lind"].affiliation is not None and holders["Maria Lind"].affiliation.name == "France"
    )
    assert "Emmanuel Macron" not in holders  # the possessive names whom she speaks for; he says nothing


def test_a_ministry_spokesperson_speaks_for_its_state(nlp, attributor):
    found = run(
        nlp, attributor, "A Home Office spokesperson said the government would not repatriate the men."
    )
    assert ("United Kingdom", "state", "refusal") in found, found


def test_an_organisations_spokesman_speaks_for_the_organisation(nlp, attributor):
    found = run(nlp, attributor, "The UN spokesman said the organisation welcomed the agreement.")
    assert ("United Nations", "organization", "support") in found, found


RELATIVE_CLAUSE = (
    "Modi arrived in Cairo on Sunday. "
    "Sisi, who has said he will convene a regional peace conference, met Modi on Monday."
)


def test_a_pronoun_in_a_relative_clause_takes_the_clauses_head(nlp, attributor):
    found = run(nlp, attributor, RELATIVE_CLAUSE)
    assert [stance for holder, _, stance in found if holder == "Abdel Fattah al-Sisi"], found
    assert ("Narendra Modi", "person", "mediation") not in found


@pytest.mark.xfail(
    strict=True,
    reason="attribution-mpnet 2.0.0 to 3.0.0 give Sisi's convening of a peace conference neutral "
    "(2.2.0: neutral 0.83, mediation 0.03); 1.1.0 gave the mediation",
)
def test_convening_a_peace_conference_is_mediation(nlp, attributor):
    assert ("Abdel Fattah al-Sisi", "person", "mediation") in run(nlp, attributor, RELATIVE_CLAUSE)


# 2.0.0-2.2.0 gave 'Authorities' neutral and the refusal to 'Tigray' (spaCy tags it a person); 3.0.0
# gives 'Authorities' the refusal 0.87 (Tigray scores 0.06 in float32, below the threshold with int8)
def test_authorities_in_a_region_hold_their_own_refusal(nlp, attributor):
    found = run(
        nlp,
        attributor,
        "Kenya and Uganda invited every party to the talks in Nairobi. "
        "Authorities in the Tigray region said they would not attend.",
    )
    assert any("Authorities" in name and stance == "refusal" for name, _, stance in found), found
    assert not any(kind == "person" for _, kind, _ in found), found


def test_a_plural_description_holds_for_the_states_it_counts(nlp, attributor):
    found = run(
        nlp,
        attributor,
        "Mali, Niger and Burkina Faso left the regional bloc last year. "
        "The three landlocked states said they would not return to it.",
    )
    for state in ("Mali", "Niger", "Burkina Faso"):
        assert (state, "state", "refusal") in found, found


BOTH_SIDES = (
    "Armenia and Azerbaijan met in Geneva on Friday. "
    "Both sides said they supported the new border commission."
)


def test_both_sides_are_the_two_states_named_before(nlp, attributor):
    said = [s for s in statements(nlp, attributor, BOTH_SIDES) if s.sentence_index == 1]
    assert sorted(s.holder.name for s in said) == ["Armenia", "Azerbaijan"], said


def test_both_sides_supporting_is_support(nlp, attributor):
    found = run(nlp, attributor, BOTH_SIDES)
    for state in ("Armenia", "Azerbaijan"):
        assert (state, "state", "support") in found, found


def test_a_pronoun_takes_its_own_sentence_subject(nlp, attributor):
    found = run(
        nlp,
        attributor,
        "Israel moved more tanks to the border on Sunday. "
        "Egypt has insisted it will not allow foreign troops on its soil.",
    )
    assert ("Egypt", "state", "refusal") in found, found
    assert ("Israel", "state", "refusal") not in found


def test_the_reporter_does_not_take_the_reported_refusal(nlp, attributor):
    found = run(nlp, attributor, "The UN said Russia rejected five of the names on the list.")
    assert any(name == "Russia" for name, _, _ in found), found
    assert ("United Nations", "organization", "refusal") not in found


def test_the_reported_rejection_is_a_refusal(nlp, attributor):
    found = run(nlp, attributor, "The UN said Russia rejected five of the names on the list.")
    assert ("Russia", "state", "refusal") in found, found


def test_the_object_of_an_envisaged_action_holds_nothing(nlp, attributor):
    found = run(
        nlp, attributor, "The Turkish minister said he could envisage Egypt accepting Assad as a partner."
    )
    assert not any("Assad" in name for name, _, _ in found), found


def test_places_are_never_candidates(nlp):
    doc = nlp("DOHA – Fighting resumed near the port of Hodeidah on Monday, residents of Aleppo said.")
    actors, by_token, chunks = list(doc._.actors), actor_by_token(doc), chunks_by_sentence(doc)
    mentions = [m for s in doc.sents for m in sentence_mentions(doc, s, actors, by_token, chunks)]
    named = {doc[m.start : m.end].text for m in mentions}
    assert not named & {"DOHA", "Hodeidah", "the port of Hodeidah", "Aleppo"}, named


def test_a_country_adjective_is_a_candidate_the_model_decides(nlp):
    doc = nlp("Iranian-backed militias pushed into the valley on Tuesday.")
    actors, by_token, chunks = list(doc._.actors), actor_by_token(doc), chunks_by_sentence(doc)
    mentions = sentence_mentions(doc, next(doc.sents), actors, by_token, chunks)
    assert [(doc[m.start : m.end].text, m.entry.name) for m in mentions if m.kind == "modifier"] == [
        ("Iranian", "Iran")
    ], mentions
    group = nlp("The Sudanese opposition said it would boycott the talks.")
    named = sentence_mentions(
        group, next(group.sents), list(group._.actors), actor_by_token(group), chunks_by_sentence(group)
    )
    assert not [m for m in named if m.kind == "modifier"]  # the adjective is part of the group's name


THREE_LEADERS = (
    "Vladimir Putin met Emmanuel Macron and Recep Tayyip Erdoğan in Paris on Friday. "
    "He said Russia would not withdraw its troops."
)


def test_a_pronoun_is_one_candidate_per_antecedent_it_may_have(nlp):
    doc = nlp(THREE_LEADERS)
    actors, by_token, chunks = list(doc._.actors), actor_by_token(doc), chunks_by_sentence(doc)
    mentions = sentence_mentions(doc, list(doc.sents)[1], actors, by_token, chunks)
    he = [m for m in mentions if doc[m.head].text == "He"]
    assert [(m.option, m.entry.name) for m in he] == [
        (0, "Vladimir Putin"),  # the subject: coreference's own choice
        (1, "Recep Tayyip Erdogan"),  # then the nearest first
        (2, "Emmanuel Macron"),
    ], he


def test_the_model_gives_a_pronoun_one_antecedent(nlp, attributor):
    said = [s for s in statements(nlp, attributor, THREE_LEADERS) if s.sentence_index == 1]
    assert [(s.holder.name, s.stance) for s in said if s.holder.type == "person"] == [
        ("Vladimir Putin", "refusal")
    ], said


def test_first_person_in_a_later_sentence_of_a_quote_is_the_speakers(nlp):
    doc = nlp(
        "Iran's foreign minister said: \"The talks must go on in Geneva. "
        'We will send our delegation next week and we expect the others to do the same."'
    )
    actors, by_token, chunks = list(doc._.actors), actor_by_token(doc), chunks_by_sentence(doc)
    last = list(doc.sents)[-1]
    assert "We will send" in last.text
    we = [
        m for m in sentence_mentions(doc, last, actors, by_token, chunks, doc._.quotes) if m.kind == "pronoun"
    ]
    assert we and all([a.entry.name for a in m.antecedents] == ["Iran"] for m in we), [
        (doc[m.start : m.end].text, m.antecedents) for m in we
    ]
    outside = nlp("We will send our delegation next week.")
    mentions = sentence_mentions(
        outside,
        next(outside.sents),
        list(outside._.actors),
        actor_by_token(outside),
        chunks_by_sentence(outside),
    )
    assert mentions and all(m.antecedents == () for m in mentions)  # no quote: the document's author


def test_a_quotes_speaker_named_in_another_sentence_is_a_candidate(nlp):
    doc = nlp(
        "Iran's foreign minister said: \"The talks must go on in Geneva. "
        'Nobody should walk away from the table before the end of the month."'
    )
    actors, by_token, chunks = list(doc._.actors), actor_by_token(doc), chunks_by_sentence(doc)
    sentences = list(doc.sents)
    first, last = sentences[0], sentences[-1]
    assert "Nobody should" in last.text and "said" in first.text
    quoted = [
        m for m in sentence_mentions(doc, last, actors, by_token, chunks, doc._.quotes) if m.kind == "quoted"
    ]
    assert [(m.entry.name, doc[m.head].sent.start) for m in quoted] == [("Iran", last.start)], quoted
    assert quoted[0].end <= last.start  # its words are where the speaker is named
    here = sentence_mentions(doc, first, actors, by_token, chunks, doc._.quotes)
    assert not [m for m in here if m.kind == "quoted"]  # named in this sentence: a candidate already


NOT_STOPPING = "Qatar said it would not stop trying to mediate between the two sides."


# 2.0.0-2.2.0 scored this refusal 0.50 against mediation 0.50 (strict xfails then); 3.0.0's adapted
# encoder gives the mediation 0.99
def test_not_stopping_trying_to_mediate_is_mediation(nlp, attributor):
    found = run(nlp, attributor, NOT_STOPPING)
    assert ("Qatar", "state", "mediation") in found, found


def test_not_stopping_is_not_a_refusal(nlp, attributor):
    found = run(nlp, attributor, NOT_STOPPING)
    assert ("Qatar", "state", "refusal") not in found, found


# 2.0.0-2.2.0 read it as support (2.2.0: 0.63 against refusal 0.33); 3.0.0 gives the refusal 0.55
# with the 7-bit int8 encoder runs use, but opposition (0.43) in float32: a narrow margin
def test_suspending_cooperation_is_a_refusal(nlp, attributor):
    found = run(nlp, attributor, "Ankara said it would suspend cooperation with the coalition.")
    assert ("Türkiye", "state", "refusal") in found, found


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_CORPORA.is_dir(), reason="the shared corpora are not beside the project")
def test_train_attribution_writes_a_model_the_pipeline_loads(tmp_path, nlp):
    from pipeline.attribution.attributor import Attributor
    from pipeline.attribution.config import AttributionConfig

    out = tmp_path / "model"
    result = subprocess.run(
        [
            STANCE,
            "train-attribution",
            "--limit",
            "4",
            "--written-limit",
            "60",
            "--epochs",
            "2",
            "--heads",
            "2",
            "--hidden",
            "16",
            "--marker",
            "16",
            "--adapter",
            "2",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    meta = json.loads((out / "attribution.json").read_text())
    assert meta["training"]["articles"] == 4 and meta["training"]["candidates"] > 50
    assert meta["training"]["written_sentences"] == 60 and meta["training"]["written_candidates"] > 60
    assert str(meta["threshold"]) in meta["training"]["cross_validated_f1"]  # chosen among the tried
    assert (meta["members"], meta["hidden"]) == (2, 16)
    assert meta["marker"] == 16  # with the marked-token reader, which the pipeline then runs
    assert meta["adapter"] == 2 and (out / "adapter.safetensors").is_file()  # and an adapted encoder
    assert not list(out.glob(".fold*"))  # the threshold fold's adapter is not left behind
    attributor = Attributor(AttributionConfig(model_dir=out))
    assert "-a" in attributor.encoder.path.parent.name  # the export merged the adapter
    article = clean_document(
        RawDocument(source="case", text="Chile rejected the plan. Peru backed it.", format="text"),
        IngestConfig(),
    )
    [output] = process_articles([article], nlp, attributor=attributor)
    assert output.article.text.startswith("Chile")  # runs end to end with the freshly trained head
