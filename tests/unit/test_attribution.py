"""The attribution model's parts that need no trained weights: acronyms, word lists, the artefact
class, and which candidates act together (Docs built by hand)."""

import json

import numpy
import pytest

from pipeline.actors.gazetteer import ActorEntry
from pipeline.actors.mentions import ActorMention
from pipeline.attribution.candidates import Mention, holding, is_acronym, link_acronyms
from pipeline.attribution.dataset import labels_for, quoted_labels
from pipeline.attribution.marker import CANDIDATE, OTHER, PREDICATE, TokenRows, torch_scores
from pipeline.attribution.model import LABELS, AttributionMetadata, AttributionModel, Head
from pipeline.attribution.words import word_list
from pipeline.evaluate.guardian import GoldSentence
from pipeline.stance.errors import ModelError
from tests.unit.gold import actor, gold


def test_acronyms_match_initials_of_the_long_form():
    assert is_acronym("HNC", "High Negotiations Committee")
    assert is_acronym("SDF", "Syrian Democratic Forces")
    assert is_acronym("OPCW", "Organisation for the Prohibition of Chemical Weapons")
    assert not is_acronym("HNC", "High Council")
    assert not is_acronym("Hnc", "High Negotiations Committee")  # one capital: a word, not an acronym
    assert not is_acronym("NATO", "NATO")


def test_an_acronym_takes_the_long_form_named_elsewhere_in_the_article():
    long = ActorEntry(
        key="open:high negotiations committee", name="High Negotiations Committee", type="group"
    )
    short = ActorEntry(key="HNC", name="HNC", type="organization")
    state = ActorEntry(key="syria", name="Syria", type="state", country_code="SYR")
    mentions = [
        Mention(0, 1, 0, "body", short),
        Mention(5, 8, 7, "open", long),
        Mention(9, 10, 9, "state", state),
        Mention(12, 13, 12, "pronoun", short),
    ]
    linked = link_acronyms(mentions)
    assert [m.entry.name for m in linked] == [
        "High Negotiations Committee",
        "High Negotiations Committee",
        "Syria",
        "High Negotiations Committee",
    ]
    assert [m.start for m in linked] == [0, 5, 9, 12]  # the words of each mention are kept
    assert link_acronyms(mentions[:1])[0].entry.name == "HNC"  # no long form: left alone


def test_a_mention_stands_for_its_actor_else_for_every_antecedent_it_was_given():
    russia = ActorEntry(key="russia", name="Russia", type="state", country_code="RUS")
    turkey = ActorEntry(key="turkey", name="Turkey", type="state", country_code="TUR")
    pair = (ActorMention(0, 1, 0, russia), ActorMention(2, 3, 2, turkey))
    assert Mention(0, 1, 0, "state", russia).stands_for() == [russia]
    assert Mention(5, 6, 5, "pronoun", None, antecedents=pair).stands_for() == [russia, turkey]
    assert Mention(5, 6, 5, "pronoun", turkey, antecedents=pair).stands_for() == [turkey]  # an option
    assert Mention(5, 6, 5, "pronoun", None).stands_for() == []  # unresolved


def _token_rows(rng: numpy.random.Generator, sentences: int) -> tuple[TokenRows, numpy.ndarray]:
    """Sentences of random vectors; per candidate, one or two pieces marked as its words and one
    as its predicate. It 'holds support' when its pieces' vectors are high in column 0 on average:
    a fact of its tokens that no feature row carries."""
    tokens, support = TokenRows.empty(), []
    for _ in range(sentences):
        length = int(rng.integers(5, 12))
        states = rng.normal(size=(length, 8)).astype(numpy.float32)
        types = []
        for _ in range(int(rng.integers(1, 4))):
            first, words = int(rng.integers(0, length - 2)), int(rng.integers(1, 3))
            marks = numpy.zeros(length, dtype=numpy.int64)
            marks[first + 2] = PREDICATE
            marks[first : first + words] = CANDIDATE
            types.append(marks)
            support.append(states[first : first + words, 0].mean() > 0.3)
        tokens.add(states, types)
    return tokens, numpy.asarray(support)


def test_a_marked_token_head_learns_what_only_the_tokens_show_and_scores_as_torch_does(tmp_path):
    rng = numpy.random.default_rng(3)
    tokens, support = _token_rows(rng, 1500)
    x = rng.normal(size=(len(tokens), 5)).astype(numpy.float32)  # rows that say nothing of the label
    y = numpy.zeros((len(tokens), 7), dtype=numpy.float32)
    y[:, 0] = support
    metadata = AttributionMetadata(
        name="t", version="0.0.1", encoder="x", features=5, hidden=8, threshold=0.3, members=1, marker=8
    )
    with pytest.raises(ValueError, match="needs the tokens"):
        AttributionModel.fit(x, y, metadata, epochs=1)
    model = AttributionModel.fit(x, y, metadata, epochs=25, seed=2, tokens=tokens)
    scores = model.scores(x, tokens)
    assert ((scores[:, 0] > 0.5) == support).mean() > 0.85  # chance (the majority) is about 0.62
    # the numpy reader (what runs use) computes what the torch module computes
    state = {f"rows.1.{k}": v for k, v in (("weight", model.heads[0].w1), ("bias", model.heads[0].b1))}
    state |= {f"out.1.{k}": v for k, v in (("weight", model.heads[0].w2), ("bias", model.heads[0].b2))}
    state |= model.heads[0].marker.tensors
    standard = (x - model.mean) / model.std
    numpy.testing.assert_allclose(torch_scores(state, standard, tokens), scores, atol=1e-4)
    fresh, _ = _token_rows(numpy.random.default_rng(4), 50)  # unseen sentences, scored alone and together
    part = fresh.subset(numpy.arange(3))
    x_fresh = rng.normal(size=(len(fresh), 5)).astype(numpy.float32)
    numpy.testing.assert_allclose(
        model.scores(x_fresh[:3], part), model.scores(x_fresh, fresh)[:3], atol=1e-6
    )
    model.save(tmp_path / "m")
    loaded = AttributionModel.load(tmp_path / "m")
    assert loaded.metadata.marker == 8 and loaded.heads[0].marker is not None
    numpy.testing.assert_allclose(loaded.scores(x, tokens), scores, atol=3e-3)  # half-precision weights
    with pytest.raises(ModelError, match="sentence tokens"):
        loaded.scores(x)


def test_marker_types_mark_the_candidates_pieces_and_its_predicates():
    from pipeline.attribution.encoder import EncodedSentence
    from pipeline.attribution.features import marker_types
    from tests.unit.docs import parse, state

    doc = parse(
        """
        Russia 1 nsubj PROPN Russia
        rejected 1 ROOT VERB reject
        the 3 det DET the
        plan 1 dobj NOUN plan
        . 1 punct PUNCT .
        Lavrov 6 nsubj PROPN Lavrov
        spoke 6 ROOT VERB speak
        """,
        {0: state("RUS", "Russia")},
    )
    sentence = doc[0:5]
    # word pieces as a tokenizer gives them: the special tokens at (0, 0), 'rejected' in two pieces
    offsets = [(0, 0), (0, 6), (7, 12), (12, 15), (16, 19), (20, 24), (24, 25), (0, 0)]
    reading = EncodedSentence(numpy.zeros((len(offsets), 4), dtype=numpy.float32), offsets)
    russia = Mention(0, 1, 0, "state", doc._.actors[0].entry)
    plan = Mention(2, 4, 3, "open", None)
    elsewhere = Mention(
        5, 6, 1, "quoted", None
    )  # a quote's speaker named in the next sentence: read at the root
    types = marker_types(sentence, [russia, plan, elsewhere], reading)
    assert types[0].tolist() == [OTHER, CANDIDATE, PREDICATE, PREDICATE, OTHER, OTHER, OTHER, OTHER]
    assert types[1].tolist() == [OTHER, OTHER, PREDICATE, PREDICATE, CANDIDATE, CANDIDATE, OTHER, OTHER]
    assert types[2].tolist() == [OTHER, OTHER, PREDICATE, PREDICATE, OTHER, OTHER, OTHER, OTHER]


def test_word_lists_are_lower_case_data_without_comments():
    agentive = word_list("agentive")
    assert {"spokesperson", "opposition", "authorities"} <= agentive
    assert all(word == word.lower() and not word.startswith("#") for word in agentive)
    assert "opposition" in word_list("not-the-state") and "militia" in word_list("open-armed_group")


def _metadata(features: int) -> AttributionMetadata:
    return AttributionMetadata(
        name="t", version="0.0.1", encoder="x", features=features, hidden=16, threshold=0.3, members=2
    )


def test_the_model_learns_saves_and_loads_the_same_scores(tmp_path):
    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(3000, 6)).astype(numpy.float32)
    y = numpy.zeros((3000, 7), dtype=numpy.float32)
    y[:, 0] = x[:, 0] > 0.5  # holds a support statement when feature 0 is high
    y[:, 5] = x[:, 1] < -0.5  # is a target when feature 1 is low
    model = AttributionModel.fit(x, y, _metadata(6), epochs=20, seed=1)
    scores = model.scores(x)
    assert ((scores[:, 0] > 0.5) == (y[:, 0] == 1)).mean() > 0.9  # chance (the majority) is about 0.69
    assert ((scores[:, 5] > 0.5) == (y[:, 5] == 1)).mean() > 0.9  # chance (the majority) is about 0.69
    assert scores[:, 2].max() < 0.1  # a label never seen stays low
    model.save(tmp_path / "m")
    loaded = AttributionModel.load(tmp_path / "m")
    assert loaded.tag == "t@0.0.1" and loaded.metadata.threshold == 0.3
    assert len(loaded.heads) == 2
    numpy.testing.assert_allclose(loaded.scores(x), scores, atol=2e-3)  # weights stored in half precision
    assert loaded.scores(numpy.zeros((0, 6), dtype=numpy.float32)).shape == (0, 7)
    with pytest.raises(ModelError, match="reads 6 features per candidate and this version builds 7"):
        loaded.scores(numpy.zeros((2, 7), dtype=numpy.float32))  # a model from another feature layout


def test_scores_are_the_heads_mean_over_standardised_features():
    rng = numpy.random.default_rng(3)
    heads = [
        Head(*(rng.normal(size=shape).astype(numpy.float32) for shape in ((4, 4), (4,), (7, 4), (7,))))
        for _ in range(2)
    ]
    # the last column was constant (50) in training: its deviation is the floor
    mean, std = numpy.array([1.0, -2.0, 5.0, 50.0]), numpy.array([0.5, 3.0, 0.1, 1e-4])
    model = AttributionModel(_metadata(4), heads, mean, std)
    x = (rng.normal(size=(5, 4)) * std + mean).astype(numpy.float32)
    x[:, 3] = 50.0
    standard = (x - mean) / std
    standard[:, 3] = 0.0
    expected = numpy.mean([1 / (1 + numpy.exp(-h.logits(standard))) for h in heads], axis=0)
    numpy.testing.assert_allclose(model.scores(x), expected, atol=1e-5)
    x[:, 3] = 51.0  # a value training never saw moves nothing the head did not learn
    numpy.testing.assert_allclose(model.scores(x), expected, atol=1e-5)


def test_scores_do_not_depend_on_how_many_blas_threads_the_process_allows():
    """Dask workers run single-threaded BLAS; the default runner does not."""
    from threadpoolctl import threadpool_limits

    rng = numpy.random.default_rng(5)
    features, hidden = 3000, 256  # the shipped head's size: large enough for BLAS to split
    heads = [
        Head(
            *(
                rng.normal(size=s).astype(numpy.float32) / 50
                for s in ((hidden, features), (hidden,), (7, hidden), (7,))
            )
        )
        for _ in range(3)
    ]
    model = AttributionModel(_metadata(features), heads, numpy.zeros(features), numpy.ones(features))
    x = rng.normal(size=(300, features)).astype(numpy.float32)
    with threadpool_limits(limits=2, user_api="blas"):
        two = model.scores(x)
    with threadpool_limits(limits=1, user_api="blas"):
        one = model.scores(x)
    numpy.testing.assert_array_equal(one, two)


def test_a_broken_model_folder_is_named_in_the_error(tmp_path):
    with pytest.raises(ModelError, match="empty"):
        AttributionModel.load(tmp_path / "empty")
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "attribution.json").write_text('{"format": 99}')
    with pytest.raises(ModelError, match="format 99"):
        AttributionModel.load(folder)


def test_a_candidate_holds_when_its_chance_of_any_stance_reaches_the_threshold():
    entry = ActorEntry(key="x", name="X", type="state")
    mentions = [Mention(i, i + 1, i, "state", entry) for i in range(3)]
    scores = numpy.zeros((3, 7), dtype=numpy.float32)
    scores[0, 1] = 0.6  # one stance likely
    scores[1, :5] = 0.2  # each stance unlikely, but together 1 - 0.8**5 = 0.67
    scores[2, 5] = 0.99  # only a target
    assert holding(mentions, scores, threshold=0.5) == [0, 1]
    assert holding(mentions, scores, threshold=0.7) == []


def test_of_a_pronouns_antecedent_options_only_the_likeliest_may_hold():
    egypt, israel = (
        ActorEntry(key="egy", name="Egypt", type="state"),
        ActorEntry(key="isr", name="Israel", type="state"),
    )
    mentions = [
        Mention(0, 1, 0, "state", israel),
        Mention(5, 6, 5, "pronoun", egypt, option=0),
        Mention(5, 6, 5, "pronoun", israel, option=1),
    ]
    scores = numpy.zeros((3, 7), dtype=numpy.float32)
    scores[0, 1] = 0.9
    scores[1, 1], scores[2, 1] = 0.6, 0.8  # both options above the threshold: the second is likelier
    assert holding(mentions, scores, threshold=0.5) == [0, 2]
    scores[1, 1] = 0.85
    assert holding(mentions, scores, threshold=0.5) == [0, 1]


def test_training_decodes_every_sentence_and_only_the_articles_asked_for():
    from types import SimpleNamespace

    from pipeline.attribution.train import decoded

    egypt, israel = actor("Egypt", code="EGY"), actor("Israel", code="ISR")
    sentences = [
        SimpleNamespace(
            article=a, gold_sentence=0, start=a, holders=[[who]], mentions=[Mention(0, 1, 0, "state", None)]
        )
        for a, who in enumerate((egypt, israel))
    ]
    scores = numpy.zeros((2, 7), dtype=numpy.float32)
    scores[:, 1] = 0.9  # both hold a refusal
    found = decoded(SimpleNamespace(sentences=sentences), scores, 0.5)
    assert {k: [(s.holder.name, s.stance) for s in v] for k, v in found.items()} == {
        (0, 0): [("Egypt", "refusal")],
        (1, 0): [("Israel", "refusal")],
    }
    assert list(decoded(SimpleNamespace(sentences=sentences), scores, 0.5, rows={1})) == [(1, 0)]


def test_training_and_inference_keep_the_same_antecedent_options():
    from types import SimpleNamespace

    from pipeline.attribution.train import decoded

    names = ("Israel", "Egypt", "Israel", "Qatar", "Jordan")
    mentions = [
        Mention(0, 1, 0, "state", None),
        Mention(5, 6, 5, "pronoun", None, option=0),
        Mention(5, 6, 5, "pronoun", None, option=1),
        Mention(8, 9, 8, "pronoun", None, option=0),
        Mention(8, 9, 8, "pronoun", None, option=1),
    ]
    scores = numpy.zeros((5, 7), dtype=numpy.float32)
    scores[:, 1] = [0.9, 0.6, 0.8, 0.05, 0.3]  # the second pronoun's likelier option is below 0.5
    assert holding(mentions, scores, 0.5) == [0, 2]
    sentence = SimpleNamespace(
        article=0, gold_sentence=0, start=0, holders=[[actor(n)] for n in names], mentions=mentions
    )
    found = decoded(SimpleNamespace(sentences=[sentence]), scores, 0.5)
    assert [s.holder.name for s in found[(0, 0)]] == ["Israel"]  # once: both holders are Israel
    scores[2, 1] = 0.55
    assert [s.holder.name for s in decoded(SimpleNamespace(sentences=[sentence]), scores, 0.5)[(0, 0)]] == [
        "Israel",
        "Egypt",
    ]


def test_a_holders_target_is_never_another_option_of_its_own_pronoun():
    from pipeline.attribution.attributor import TARGET, _best

    putin, macron, france = (
        ActorEntry(key=k, name=k, type=t)
        for k, t in (("putin", "person"), ("macron", "person"), ("fra", "state"))
    )
    mentions = [
        Mention(5, 6, 5, "pronoun", putin, option=0),
        Mention(5, 6, 5, "pronoun", macron, option=1),
        Mention(9, 10, 9, "state", france),
    ]
    scores = numpy.zeros((3, 7), dtype=numpy.float32)
    scores[1, TARGET] = 0.9  # 'he' read as Macron scores as a target: still the holder's own word
    assert _best(mentions, scores, TARGET, mentions[0]) is None
    scores[2, TARGET] = 0.6
    assert _best(mentions, scores, TARGET, mentions[0]).entry is france


def test_a_pronouns_option_holds_a_gold_statement_only_for_the_gold_holder():
    text = "Egypt has insisted it will not allow foreign troops."
    sentence = GoldSentence(
        "a", 0, 0, len(text), text, (gold("Egypt", "refusal", country="EGY", mention="it"),), None
    )
    it = (19, 21, 19)  # the pronoun's start, end and head
    assert [LABELS[i] for i, v in enumerate(labels_for(sentence, it)) if v] == ["refusal"]
    assert labels_for(sentence, it, [actor("Egypt", code="EGY", mention="it")]) == labels_for(sentence, it)
    assert not any(labels_for(sentence, it, [actor("Israel", code="ISR", mention="it")]))


def test_the_threshold_is_the_lowest_within_the_tolerance_of_the_best_cross_validated_f1():
    from pipeline.attribution.train import choose_threshold

    # 2.0.0's cross-validation: the best F1 is at 0.2, but 0.1 is within 0.01 and finds more holders
    assert choose_threshold({0.05: 0.3917, 0.1: 0.3965, 0.15: 0.4012, 0.2: 0.4045, 0.3: 0.3934}) == 0.1
    assert choose_threshold({0.05: 0.30, 0.1: 0.35, 0.2: 0.31}) == 0.1  # a clear peak stays the choice
    assert choose_threshold({0.1: 0.2, 0.3: 0.2}) == 0.1  # ties go to the lower threshold


def test_written_sentences_become_one_sentence_gold_articles(tmp_path):
    from pipeline.attribution.dataset import team_articles

    rows = [
        {"text": "Russia and Iran signed a pact.", "holder": "Russia", "target": "Iran", "label": "support"},
        {"text": "Russia and Iran signed a pact.", "holder": "Iran", "target": "Russia", "label": "support"},
        {"text": "Qatar offered to mediate.", "holder": "Qatar", "target": None, "label": "mediation"},
    ]
    (tmp_path / "batch-1.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    held = {"text": "Chile refused.", "holder": "Chile", "target": None, "label": "refusal"}
    (tmp_path / "held-out.jsonl").write_text(json.dumps(held) + "\n")
    articles = team_articles(tmp_path, held_out=("held-out",))
    assert [a.text for a in articles] == ["Russia and Iran signed a pact.", "Qatar offered to mediate."]
    [pact] = articles[0].sentences
    assert (pact.start, pact.end) == (0, len(articles[0].text))
    assert [(s.holder_mention, s.target_mention, s.stance) for s in pact.statements] == [
        ("Russia", "Iran", "support"),
        ("Iran", "Russia", "support"),
    ]
    assert len({a.id for a in articles}) == 2


def test_noun_chunks_grouped_once_per_doc_are_each_sentences_chunks():
    from pipeline.attribution.candidates import chunks_by_sentence
    from tests.unit.docs import parse, state

    doc = parse(
        """
        The 1 det DET the
        minister 2 nsubj NOUN minister
        rejected 2 ROOT VERB reject
        the 4 det DET the
        plan 2 dobj NOUN plan
        . 2 punct PUNCT .
        Russian 7 amod ADJ russian
        officials 8 nsubj NOUN official
        backed 8 ROOT VERB back
        Iran 8 dobj PROPN Iran
        . 8 punct PUNCT .
    """,
        {9: state("IRN", "Iran")},
    )
    grouped = chunks_by_sentence(doc)
    assert len(list(doc.sents)) == 2
    for sentence in doc.sents:
        assert [c.text for c in grouped.get(sentence.start, [])] == [c.text for c in sentence.noun_chunks]
    assert [c.text for c in grouped[6]] == ["Russian officials", "Iran"]


def test_parsing_does_not_import_pytorch():
    """thinc imports PyTorch when it is installed; the project keeps it out of processes that only
    parse (1 s and 180 MB), and PyTorch still imports when code asks for it."""
    import subprocess
    import sys

    code = (
        "import sys, pipeline, spacy\n"
        "from spacy.tokens import Doc\n"
        "print('torch' in sys.modules)\n"
        "import torch\n"
        "print(torch.ones(2).sum().item())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "2.0"]


@pytest.mark.parametrize("count", [0, 1, 2, 7, 8, 9, 20, 64, 65])
def test_overlap_groups_cover_every_doc_once_and_end_in_pairs(count):
    from pipeline.extract import _groups

    groups = _groups(count, 8)
    covered = [i for first, size in groups for i in range(first, first + size)]
    assert covered == list(range(count))  # in order, none twice, none left out
    assert all(0 < size <= 8 for _, size in groups)
    if count >= 8:
        assert [size for _, size in groups[-4:]] == [2, 2, 2, 2]  # the encoder's last job is small


def test_a_quotes_speaker_is_labelled_with_the_statements_it_holds_in_the_sentence():
    sentence = GoldSentence(
        "a",
        3,
        0,
        40,
        "The talks must go on, and we will be there.",
        (gold("Iran", "support", country="IRN"), gold("Qatar", "mediation", country="QAT")),
        None,
    )
    iran = actor("Iran", code="IRN", mention="Iran's foreign minister")
    row = quoted_labels(sentence, [iran])
    assert [LABELS[i] for i, v in enumerate(row) if v] == ["support"]  # not Qatar's mediation
    lavrov = actor("Sergei Lavrov", "person", "RUS", "Lavrov")
    assert not any(quoted_labels(sentence, [lavrov]))
