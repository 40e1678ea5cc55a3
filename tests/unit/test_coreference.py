"""Pronouns, definite descriptions, groups and quotes resolve to actors (hand-built parses)."""

from pipeline.actors.mentions import actor_by_token
from pipeline.statements.coref import options
from pipeline.statements.extract import find_candidates
from pipeline.statements.quotes import quote_spans
from tests.unit.docs import parse, person, state

EGYPT, JORDAN, QATAR = state("EGY", "Egypt"), state("JOR", "Jordan"), state("QAT", "Qatar")
RUSSIA, IRAN = state("RUS", "Russia"), state("IRN", "Iran")
LAVROV, RUDENKO = person("Sergei Lavrov", "RUS"), person("Andrey Rudenko", "RUS")


def _by_cue(doc, cue):
    return [c for c in find_candidates(doc) if c.cue == cue]


def test_the_three_countries_are_the_coordinated_group():
    doc = parse(
        """
        Egypt 5 nsubj PROPN Egypt
        , 0 punct PUNCT ,
        Jordan 0 conj PROPN Jordan
        and 2 cc CCONJ and
        Qatar 2 conj PROPN Qatar
        met 5 ROOT VERB meet
        . 5 punct PUNCT .
        The 9 det DET the
        three 9 nummod NUM three
        countries 10 nsubj NOUN country
        rejected 10 ROOT VERB reject
        the 12 det DET the
        plan 10 dobj NOUN plan
        . 10 punct PUNCT .
    """,
        {0: EGYPT, 2: JORDAN, 4: QATAR},
    )
    assert [c.holder.entry.name for c in _by_cue(doc, "rejected")] == ["Egypt", "Jordan", "Qatar"]


def test_the_latter_is_the_last_actor_named():
    doc = parse(
        """
        Russia 1 nsubj PROPN Russia
        met 1 ROOT VERB meet
        Iran 1 dobj PROPN Iran
        . 1 punct PUNCT .
        The 5 det DET the
        latter 6 nsubj ADJ latter
        refused 6 ROOT VERB refuse
        . 6 punct PUNCT .
    """,
        {0: RUSSIA, 2: IRAN},
    )
    [candidate] = _by_cue(doc, "refused")
    assert candidate.holder.entry is IRAN and doc[candidate.holder_token].text == "latter"


def test_the_minister_is_the_person_who_was_the_subject():
    doc = parse(
        """
        Lavrov 1 nsubj PROPN Lavrov
        met 1 ROOT VERB meet
        Rudenko 1 dobj PROPN Rudenko
        . 1 punct PUNCT .
        The 5 det DET the
        minister 6 nsubj NOUN minister
        rejected 6 ROOT VERB reject
        the 8 det DET the
        plan 6 dobj NOUN plan
        . 6 punct PUNCT .
    """,
        {0: LAVROV, 2: RUDENKO},
    )
    [candidate] = _by_cue(doc, "rejected")
    assert candidate.holder.entry is LAVROV


def test_a_pronouns_options_are_the_rules_choice_then_each_other_fitting_actor_nearest_first():
    doc = parse(
        """
        Lavrov 1 nsubj PROPN Lavrov
        met 1 ROOT VERB meet
        Rudenko 1 dobj PROPN Rudenko
        in 1 prep ADP in
        Iran 3 pobj PROPN Iran
        . 1 punct PUNCT .
        He 7 nsubj PRON he
        refused 7 ROOT VERB refuse
        . 7 punct PUNCT .
    """,
        {0: LAVROV, 2: RUDENKO, 4: IRAN},
    )
    by_token = actor_by_token(doc)
    he = [[m.entry for m in option] for option in options(doc, doc[6], by_token)]
    assert he == [[LAVROV], [RUDENKO]]  # the subject first; Iran is no person
    assert [[m.entry for m in o] for o in options(doc, doc[6], by_token, limit=1)] == [[LAVROV]]
    assert options(doc, doc[7], by_token) == []  # 'refused' wants no antecedent


def test_first_person_waits_for_the_author():
    doc = parse(
        """
        We 1 nsubj PRON we
        reject 1 ROOT VERB reject
        the 3 det DET the
        sanctions 1 dobj NOUN sanction
        . 1 punct PUNCT .
    """,
        {},
    )
    [candidate] = find_candidates(doc)
    assert candidate.holder is None and candidate.pronoun == 0


def test_quote_spans_pair_straight_and_curly_quotes():
    text = 'He said: "We agree. We will sign." Then “it ended”.'
    assert quote_spans(text) == [(9, 34), (40, 50)]
    assert [text[a:b] for a, b in quote_spans(text)] == ['"We agree. We will sign."', "“it ended”"]


def test_we_inside_a_quote_is_the_speakers_side_and_keeps_the_speaker():
    karaca = person("Selim Karaca", "TUR")
    doc = parse(
        """
        Karaca 1 nsubj PROPN Karaca
        said 1 ROOT VERB say
        : 1 punct PUNCT :
        " 5 punct PUNCT "
        We 5 nsubj PRON we
        are 1 ccomp AUX be
        ready 5 acomp ADJ ready
        . 5 punct PUNCT .
        Turkey 10 nsubj PROPN Turkey
        will 10 aux AUX will
        mediate 10 ROOT VERB mediate
        . 10 punct PUNCT .
        " 10 punct PUNCT "
    """,
        {0: karaca, 8: state("TUR", "Türkiye")},
    )
    candidates = find_candidates(doc)
    ready = next(c for c in candidates if c.cue == "ready")
    assert ready.holder.entry is karaca and doc[ready.holder_token].text == "We"
    mediate = next(c for c in candidates if c.cue == "mediate")
    assert mediate.holder.entry.name == "Türkiye" and mediate.speaker.entry is karaca
