"""The statement rules on hand-built parses: no model, so each rule is tested in isolation."""

from pipeline.actors import ActorEntry
from pipeline.statements.extract import find_candidates
from tests.unit.docs import parse

RUSSIA = ActorEntry("RUS", "Russia", "state", "Russia", "RUS", "Q159")
IRAN = ActorEntry("IRN", "Iran", "state", "Iran", "IRN", "Q794")
TURKEY = ActorEntry("TUR", "Türkiye", "state", "Türkiye", "TUR", "Q43")
EGYPT = ActorEntry("EGY", "Egypt", "state", "Egypt", "EGY", "Q79")
USA = ActorEntry("USA", "United States", "state", "United States", "USA", "Q30")
PUTIN = ActorEntry("Vladimir Putin", "Vladimir Putin", "person", "Russia", "RUS", title="president")
RUDENKO = ActorEntry("Andrey Rudenko", "Andrey Rudenko", "person", "Russia", "RUS")


def test_speaker_is_not_the_holder_and_flags_come_from_the_parse():
    doc = parse(
        """
        Rudenko 1 nsubj PROPN Rudenko
        disclosed 1 ROOT VERB disclose
        that 6 mark SCONJ that
        Putin 6 nsubj PROPN Putin
        wo 6 aux AUX will
        n't 6 neg PART not
        protect 1 ccomp VERB protect
        Iran 6 dobj PROPN Iran
        if 11 mark SCONJ if
        the 10 det DET the
        U.S. 11 nsubj PROPN U.S.
        starts 6 advcl VERB start
        bombing 11 xcomp VERB bomb
        . 1 punct PUNCT .
    """,
        {0: RUDENKO, 3: PUTIN, 7: IRAN, 10: USA},
    )
    [candidate] = find_candidates(doc)
    assert candidate.holder.entry is PUTIN
    assert candidate.speaker.entry is RUDENKO
    assert candidate.target.entry is IRAN
    assert candidate.cue == "protect"
    assert (candidate.negated, candidate.conditional, candidate.hedged) == (True, True, False)


def test_coordinated_subjects_give_one_candidate_each():
    doc = parse(
        """
        Russia 5 nsubj PROPN Russia
        , 0 punct PUNCT ,
        Turkey 0 conj PROPN Turkey
        and 2 cc CCONJ and
        Iran 2 conj PROPN Iran
        spurned 5 ROOT VERB spurn
        the 7 det DET the
        proposal 5 dobj NOUN proposal
        . 5 punct PUNCT .
    """,
        {0: RUSSIA, 2: TURKEY, 4: IRAN},
    )
    holders = [c.holder.entry.name for c in find_candidates(doc)]
    assert holders == ["Russia", "Türkiye", "Iran"]


def test_passive_agent_is_the_holder():
    doc = parse(
        """
        The 1 det DET the
        plan 3 nsubjpass NOUN plan
        was 3 auxpass AUX be
        rejected 3 ROOT VERB reject
        by 3 agent ADP by
        Egypt 4 pobj PROPN Egypt
        . 3 punct PUNCT .
    """,
        {5: EGYPT},
    )
    [candidate] = find_candidates(doc)
    assert candidate.holder.entry is EGYPT and candidate.cue == "rejected"


def test_nominalisation_with_possessor():
    doc = parse(
        """
        Washington 2 poss PROPN Washington
        's 0 case PART 's
        support 7 nsubj NOUN support
        for 2 prep ADP for
        the 5 det DET the
        Iranian 5 amod ADJ Iranian
        government 3 pobj NOUN government
        grew 7 ROOT VERB grow
        . 7 punct PUNCT .
    """,
        {0: USA},
    )
    [candidate] = find_candidates(doc)
    assert candidate.kind == "nominal" and candidate.holder.entry is USA and candidate.cue == "support"


def test_pronoun_subject_resolves_to_the_earlier_state():
    doc = parse(
        """
        Russia 1 nsubj PROPN Russia
        says 1 ROOT VERB say
        it 5 nsubj PRON it
        wo 5 aux AUX will
        n't 5 neg PART not
        defend 1 ccomp VERB defend
        Iran 5 dobj PROPN Iran
        . 1 punct PUNCT .
    """,
        {0: RUSSIA, 6: IRAN},
    )
    [candidate] = find_candidates(doc)
    assert candidate.holder.entry is RUSSIA and doc[candidate.holder_token].text == "it"
    assert candidate.negated and candidate.target.entry is IRAN


def test_questions_yield_nothing():
    doc = parse(
        """
        Will 2 aux AUX will
        Russia 2 nsubj PROPN Russia
        defend 2 ROOT VERB defend
        Iran 2 dobj PROPN Iran
        ? 2 punct PUNCT ?
    """,
        {1: RUSSIA, 3: IRAN},
    )
    assert find_candidates(doc) == []


def test_verbs_without_a_cue_yield_nothing():
    doc = parse(
        """
        Russia 1 nsubj PROPN Russia
        borders 1 ROOT VERB border
        Iran 1 dobj PROPN Iran
        . 1 punct PUNCT .
    """,
        {0: RUSSIA, 2: IRAN},
    )
    assert find_candidates(doc) == []
