"""Every attribution case of the guide, each with its own sentence, through the real spaCy model."""

import pytest

from pipeline.extract import _author_mention, _locate, body_doc
from pipeline.ingest import IngestConfig, RawDocument, clean_document

pytestmark = pytest.mark.integration


def statements(nlp, text: str, speaker: str | None = None) -> list[dict]:
    article = clean_document(
        RawDocument(source="case", text=text, format="text", speaker=speaker), IngestConfig()
    )
    doc, _ = body_doc(nlp, article)
    doc = nlp(doc)
    found = []
    for item in _locate(doc, _author_mention(nlp, speaker)):
        c = item.candidate
        found.append(
            {
                "holder": item.holder.entry.name,
                "country": item.holder.entry.country_code,
                "mention": item.holder_mention,
                "title": item.holder.entry.title,
                "speaker": c.speaker.entry.name if c.speaker else None,
                "target": c.target.entry.name if c.target else None,
                "cue": c.cue,
                "negated": c.negated,
                "conditional": c.conditional,
                "hedged": c.hedged,
                "sentence": item.sentence_index,
            }
        )
    return found


def one(found: list[dict], **expected) -> dict:
    matches = [f for f in found if all(f[k] == v for k, v in expected.items())]
    assert len(matches) == 1, (expected, found)
    return matches[0]


@pytest.mark.parametrize(
    "text, holder, cue",
    [
        ("The foreign minister of Brazil said Brasilia backed the plan.", "Brazil", "backed"),
        ("Norway stated that it would fund the talks.", "Norway", "fund"),
        ("Indonesia warned that it would expel the diplomats.", "Indonesia", "expel"),
        ("Kenya told the council that it would send more troops.", "Kenya", "send"),
        ("According to Egyptian officials, Cairo rejected the proposal.", "Egypt", "rejected"),
    ],
)
def test_reported_speech(nlp, text, holder, cue):
    one(statements(nlp, text), holder=holder, cue=cue)


@pytest.mark.parametrize(
    "text, holder, target, cue",
    [
        ("Oslo signed a defence pact with Warsaw on Monday.", "Norway", "Poland", "signed"),
        ("Ankara declined the Swedish request.", "Türkiye", "Sweden", "declined"),
        ("Hungary rejected the proposal from Brussels.", "Hungary", "European Union", "rejected"),
        ("Qatar offered to mediate between Sudan and Chad.", "Qatar", "Sudan", "mediate"),
        ("Beijing urged Delhi to exercise restraint.", "China", "India", "urged"),
        ("Washington backed Kyiv with new air-defence systems.", "United States", "Ukraine", "backed"),
        ("Tehran supplied drones to Moscow.", "Iran", "Russia", "supplied"),
        ("Canberra condemned the strikes.", "Australia", None, "condemned"),
        ("Poland's parliament condemned the killings.", "Poland", None, "condemned"),
        ("Kenya's government backed the Ethiopian plan.", "Kenya", "Ethiopia", "backed"),
    ],
)
def test_stance_actions_resolve_metonyms_and_targets(nlp, text, holder, target, cue):
    one(statements(nlp, text), holder=holder, target=target, cue=cue)


def test_coordination_gives_one_statement_per_holder(nlp):
    found = statements(nlp, "Russia, Turkey and Iran spurned the proposal.")
    assert sorted(f["holder"] for f in found if f["cue"] == "spurned") == ["Iran", "Russia", "Türkiye"]


@pytest.mark.parametrize(
    ("text", "holders"),
    [
        ("U.S. and Russian negotiators agreed to resume talks in Geneva.", ["Russia", "United States"]),
        ("Japanese and South Korean officials rejected the proposal.", ["Japan", "South Korea"]),
    ],
)
def test_coordinated_nationality_words_give_one_statement_per_state(nlp, text, holders):
    found = statements(nlp, text)
    assert sorted(f["holder"] for f in found) == holders


def test_a_single_nationality_word_still_gives_one_statement(nlp):
    assert [f["holder"] for f in statements(nlp, "Russian officials rejected the plan.")] == ["Russia"]


def test_nominalisations(nlp):
    one(
        statements(nlp, "Washington's support for the Kurdish forces angered Ankara."),
        holder="United States",
        cue="support",
    )
    one(
        statements(nlp, "The Russian refusal to make concessions stalled the talks."),
        holder="Russia",
        cue="refusal",
    )


def test_speaker_is_not_the_holder(nlp):
    found = statements(
        nlp,
        "Russia's Deputy Foreign Minister Andrey Rudenko disclosed that Russian "
        "President Vladimir Putin won't protect Iran if the U.S. starts bombing.",
    )
    putin = one(found, holder="Vladimir Putin")
    assert (putin["country"], putin["speaker"], putin["target"]) == ("RUS", "Andrey Rudenko", "Iran")
    assert putin["negated"] and putin["conditional"] and not putin["hedged"]


def test_titles_and_appositions_give_people_a_country(nlp):
    found = statements(nlp, "Russian Foreign Minister Sergei Lavrov rejected the offer.")
    assert one(found, holder="Sergei Lavrov")["country"] == "RUS"
    found = statements(nlp, "Ingrid Solvang, Norway's foreign minister, endorsed the ceasefire plan.")
    solvang = one(found, holder="Ingrid Solvang")
    assert solvang["country"] == "NOR" and solvang["title"] == "foreign minister"


@pytest.mark.parametrize(
    "text, flag",
    [
        ("Moscow will not protect Tehran.", "negated"),
        ("Paris is not obliged to defend Niamey.", "negated"),
        ("Cairo will no longer tolerate the rallies.", "negated"),
        ("Russia may have started supplying air defence systems to Iran.", "hedged"),
        ("Rome would send troops only if the UN approved the mission.", "conditional"),
        ("Should a conflict erupt, Moscow will back Tehran.", "conditional"),
        ("Moscow is likely to back Tehran in the dispute.", "hedged"),
        ("Moscow's support for Tehran appears to be limited.", "hedged"),
        ("If a war breaks out, many experts believe that Moscow will support Tehran.", "conditional"),
        ("Bamako opposed the force until its demands were met.", "conditional"),
    ],
)
def test_negation_modality_and_conditions(nlp, text, flag):
    found = statements(nlp, text)
    assert found and all(f[flag] for f in found), found


def test_pronouns_and_descriptions(nlp):
    found = statements(
        nlp,
        "Japanese Foreign Minister Aiko Mori arrived in Seoul. She said Tokyo "
        "would back the plan. The minister also urged calm.",
    )
    one(found, holder="Japan", speaker="Aiko Mori")
    one(found, holder="Aiko Mori", cue="urged")
    found = statements(nlp, "Egypt, Jordan and Qatar met in Cairo. The three countries rejected the plan.")
    assert sorted(f["holder"] for f in found if f["cue"] == "rejected") == ["Egypt", "Jordan", "Qatar"]
    found = statements(nlp, "Russia met Iran in Geneva. The latter rejected the offer.")
    one(found, holder="Iran", cue="rejected")
    found = statements(nlp, "Chile hosted the summit. It later endorsed the final declaration.")
    one(found, holder="Chile", cue="endorsed", mention="It")


def test_multi_sentence_quote_keeps_its_speaker(nlp):
    found = statements(
        nlp,
        'Turkish Foreign Minister Selim Karaca said: "We are ready to host more talks. '
        'Turkey will back any fair deal."',
    )
    we = one(found, mention="We")
    assert we["holder"] == "Selim Karaca"
    turkey = one(found, holder="Türkiye", sentence=1)
    assert turkey["speaker"] == "Selim Karaca"


def test_first_person_in_a_speech_is_the_speaking_state(nlp):
    found = statements(
        nlp, "We reject the unilateral coercive measures imposed on our people.", speaker="CUB"
    )
    assert one(found, cue="reject")["holder"] == "Cuba"


def test_a_speech_names_its_own_state_without_a_speaker_apart(nlp):
    found = statements(
        nlp,
        "Fiji rejects the proposal. Indonesia has condemned the attack on the embassy.",
        speaker="FJI",
    )
    assert one(found, holder="Fiji")["speaker"] is None
    assert one(found, holder="Indonesia")["speaker"] == "Fiji"


@pytest.mark.parametrize(
    "text, holder",
    [
        ("From the U.S. standpoint, any deal between Russia and Iran is a step backwards.", "United States"),
        ("From Beijing's perspective, the new pact is aimed at its navy.", "China"),
        ("From the point of view of Ankara, the agreement is a betrayal.", "Türkiye"),
    ],
)
def test_a_viewpoint_phrase_makes_the_clause_its_owners_position(nlp, text, holder):
    one(statements(nlp, text), holder=holder, speaker=None)


def test_a_viewpoint_phrase_without_an_actor_is_not_a_statement(nlp):
    assert statements(nlp, "From the start, the talks between the two sides were difficult.") == []


def test_views_and_regards_are_positions(nlp):
    one(
        statements(nlp, "Washington has long viewed the pact with alarm."),
        holder="United States",
        cue="viewed",
    )
    one(statements(nlp, "Ankara regards the militia as a terrorist group."), holder="Türkiye", cue="regards")


def test_votes_and_concern_are_positions(nlp):
    one(statements(nlp, "Djibouti voted for the resolution on Ukraine."), holder="Djibouti", cue="voted")
    one(statements(nlp, "Egypt is deeply concerned about the fighting."), holder="Egypt", cue="concerned")


def test_talks_between_two_sides_give_one_statement_per_side(nlp):
    found = statements(nlp, "Talks between Russia and Ukraine resumed in Istanbul on Monday.")
    assert sorted(f["holder"] for f in found if f["cue"] == "Talks") == ["Russia", "Ukraine"]
    # a third party's talks are the third party's statement, not the sides'
    hosted = statements(nlp, "Qatar is hosting negotiations between Russia and Ukraine.")
    assert all(f["cue"] != "negotiations" for f in hosted)
    # a sentence with no verb at all ends too
    verbless = statements(
        nlp, "Renewed talks between Russia and Ukraine in Istanbul, after months of silence."
    )
    assert sorted(f["holder"] for f in verbless) == ["Russia", "Ukraine"]


def test_coordinated_targets_give_one_statement_per_target(nlp):
    found = statements(nlp, "Oslo pledged fresh aid to Chad, Niger and Mali.")
    assert sorted(f["target"] for f in found if f["holder"] == "Norway") == ["Chad", "Mali", "Niger"]
    # the two sides of a mediation stay one statement: the pair is its target
    mediation = statements(nlp, "Qatar offered to mediate between Sudan and Chad.")
    assert [f["holder"] for f in mediation] == ["Qatar"]


def test_coordinated_targets_get_distinct_statement_ids(nlp, classifier):
    from pipeline.extract import process_articles

    article = clean_document(
        RawDocument(source="case", text="Oslo pledged fresh aid to Chad, Niger and Mali.", format="text"),
        IngestConfig(),
    )
    (result,) = process_articles([article], nlp, classifier)
    ids = [s.statement_id for s in result.statements if s.holder.name == "Norway"]
    assert len(ids) == 3 and len(set(ids)) == 3


@pytest.mark.parametrize(
    "text, holder, cue",
    [
        # the noun that names what kind of body an organisation or group is
        ("The Hamas movement rejected the truce proposal.", "Hamas", "rejected"),
        # plural officials of a named organisation speak for it
        (
            "NATO commanders condemned the attack on the convoy.",
            "North Atlantic Treaty Organization",
            "condemned",
        ),
        # one office holder of a state, named by its capital
        ("Nairobi's security chief warned the protesters.", "Kenya", "warned"),
        # a legislature speaks for its state
        ("The U.S. Congress voted to extend aid to Kyiv.", "United States Congress", "extend"),
    ],
)
def test_bodies_officials_and_legislatures_speak_for_their_actor(nlp, text, holder, cue):
    one(statements(nlp, text), holder=holder, cue=cue)


def test_a_named_person_in_apposition_to_the_subject_is_the_holder(nlp):
    found = statements(nlp, "Venezuela's interim leader, Juan Guaido, rejected the plan.")
    one(found, holder="Juan Guaido", cue="rejected")
    assert all(f["holder"] != "Venezuela" for f in found)


@pytest.mark.parametrize(
    "text, holder, cue",
    [
        ("Peru lodged a formal protest with Chile over the border incident.", "Peru", "lodged"),
        ("Ecuador issued an ultimatum to Colombia.", "Ecuador", "issued"),
        ("Kenyan farmers rioted outside the parliament in Nairobi.", "Kenya", "rioted"),
        ("Thousands of Chilean students staged mass demonstrations in Santiago.", "Chile", "staged"),
        ("Ethiopian troops shelled Eritrean positions near the border.", "Ethiopia", "shelled"),
        ("Qatar redoubled its efforts to end the fighting.", "Qatar", "redoubled"),
    ],
)
def test_protests_acts_and_plural_cue_nouns_are_statements(nlp, text, holder, cue):
    one(statements(nlp, text), holder=holder, cue=cue)


def test_a_purpose_clause_gives_the_cue(nlp):
    found = statements(nlp, "Ghana will work closely with Togo to facilitate dialogue between the parties.")
    one(found, holder="Ghana", cue="facilitate")
    # a purpose with no stance in it makes no statement
    assert statements(nlp, "Ghana will work closely with Togo to build a new road.") == []


def test_a_demand_on_another_actor_is_the_speakers_statement(nlp):
    said = statements(nlp, "Russia said on Tuesday that Georgia must return the captured helicopter.")
    one(said, holder="Russia", target="Georgia", cue="said")
    assert all(f["holder"] != "Georgia" for f in said)
    demanded = statements(nlp, "Farmers' unions are demanding that Kenya abandon the new land law.")
    assert all(f["holder"] != "Kenya" for f in demanded)
    # an obligation the speaker puts on itself stays its own position
    one(statements(nlp, "Russia said it must defend its bases in Syria."), holder="Russia", cue="defend")


def test_a_news_source_is_not_the_holder_of_what_it_reports(nlp):
    found = statements(
        nlp, "Two Chadian soldiers were killed near the border with Sudan, Chadian police said."
    )
    assert found == []
    # a source that reports an actor's act keeps the actor as holder
    one(
        statements(nlp, "Chad shelled rebel positions near the border, police sources said."),
        holder="Chad",
        cue="shelled",
    )


def test_an_unnamed_official_speaks_for_the_state(nlp):
    found = statements(nlp, "A senior Kenyan minister praised Uganda's handling of the talks.")
    minister = one(found, holder="Kenya", cue="praised")
    assert minister["title"] == "minister" and minister["mention"] == "Kenyan minister"


def test_people_named_by_where_they_act_speak_for_that_state(nlp):
    one(
        statements(nlp, "The authorities in Chad cracked down on the protesters."),
        holder="Chad",
        cue="cracked down",
    )
    # troops 'in' a country are often foreign: they do not become that country
    assert all(f["holder"] != "Mali" for f in statements(nlp, "Foreign troops in Mali withdrew from Kidal."))


def test_a_bracketed_aside_does_not_hide_the_body_noun(nlp):
    found = statements(nlp, "The Hamas (Islamic Resistance Movement) group rejected the truce proposal.")
    one(found, holder="Hamas", cue="rejected")


def test_an_adverbial_clause_with_its_own_subject_is_a_statement_of_its_own(nlp):
    found = statements(nlp, "Washington accused Moscow of arming the rebels, as it warned of a wider war.")
    assert sorted(f["cue"] for f in found if f["holder"] == "United States") == ["accused", "warned"]
    # a predicate inside another of the same holder, with no subject of its own, is part of it
    vetoed = statements(nlp, "Hungary vetoed a package of aid for Ukraine.")
    assert [f["cue"] for f in vetoed if f["holder"] == "Hungary"] == ["vetoed"]


def test_a_time_clause_is_not_a_condition(nlp):
    found = statements(nlp, "Moscow backed Tehran before the talks began.")
    assert one(found, holder="Russia")["conditional"] is False
