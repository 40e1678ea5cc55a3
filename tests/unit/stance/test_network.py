"""The holder-marker network: the marker is found where training and inference both look, and
the head's input depends on which actor is marked (a tiny random encoder, no trained weights)."""

import json

import pytest

from pipeline.stance.inputs import StanceInput, format_pair, marker_offsets
from pipeline.stance.network import build_network, encode_pairs

SENTENCE = "Ankara rejected the plan that Doha offered to broker."


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from pipeline.stance.config import default_base_model_dir

    return AutoTokenizer.from_pretrained(str(default_base_model_dir()))


def _tokens(tokenizer, encoded, row):
    return tokenizer.convert_ids_to_tokens(encoded["input_ids"][row])


def test_holder_index_points_at_the_opening_marker_of_each_holder(tokenizer):
    items = [
        StanceInput(SENTENCE, 0, 6, "the plan", "rejected"),
        StanceInput(SENTENCE, 30, 34, None, "offered"),
    ]
    encoded = encode_pairs(tokenizer, items, 2, 64)
    first, second = encoded["holder_index"]
    assert _tokens(tokenizer, encoded, 0)[first] == "«"
    assert _tokens(tokenizer, encoded, 0)[first + 1] == "ankara"
    assert _tokens(tokenizer, encoded, 1)[second] == "«"
    assert _tokens(tokenizer, encoded, 1)[second + 1] == "doha"
    # the first segment ('holder: Doha ; ...') also names the holder: the index is in the sentence
    assert encoded.sequence_ids(1)[second] == 1
    assert "offset_mapping" not in encoded


def test_format_3_marks_the_cue_word_on_either_side_of_the_holder(tokenizer):
    before = StanceInput("Rejecting the plan, Ankara said no.", 20, 26, None, "rejecting", 0, 9)
    after = StanceInput(SENTENCE, 30, 34, None, "offered", 35, 42)
    assert format_pair(before)[1] == "⟨Rejecting⟩ the plan, «Ankara» said no."
    assert format_pair(after)[1] == "Ankara rejected the plan that «Doha» ⟨offered⟩ to broker."
    for item in (before, after):
        marked = format_pair(item)[1]
        holder, cue = marker_offsets(item)
        assert marked[holder] == "«" and marked[cue] == "⟨"
    encoded = encode_pairs(tokenizer, [before, after], 3, 64)
    for row, word in ((0, "rejecting"), (1, "offered")):
        tokens = _tokens(tokenizer, encoded, row)
        assert tokens[encoded["cue_index"][row]] == "⟨"
        assert tokens[encoded["cue_index"][row] + 1] == word
        assert tokens[encoded["holder_index"][row]] == "«"


def test_unknown_or_overlapping_cue_is_not_marked_and_reads_cls(tokenizer):
    unknown = StanceInput(SENTENCE, 0, 6, None, None)
    overlapping = StanceInput("Washington's support for Kyiv grew.", 0, 12, None, "support", 5, 10)
    outside = StanceInput(SENTENCE, 0, 6, None, "rejected", 50, 70)
    for item in (unknown, overlapping, outside):
        assert "⟨" not in format_pair(item)[1]
    assert encode_pairs(tokenizer, [unknown, overlapping, outside], 3, 64)["cue_index"] == [0, 0, 0]
    assert "cue_index" not in encode_pairs(tokenizer, [unknown], 2, 64)


def test_a_quote_mark_in_the_text_is_not_taken_for_the_holder_marker(tokenizer):
    text = "Le Monde wrote «non» and Paris rejected the plan."
    start = text.index("Paris")
    encoded = encode_pairs(
        tokenizer, [StanceInput(text, start, start + 5, None, "rejected", start + 6, start + 14)], 3, 64
    )
    tokens = _tokens(tokenizer, encoded, 0)
    assert tokens[encoded["holder_index"][0] + 1] == "paris"
    assert tokens[encoded["cue_index"][0] + 1] == "rejected"


def test_marker_cut_off_by_truncation_falls_back_to_cls(tokenizer):
    long = "word " * 200 + "and then Chile agreed."
    start = long.index("Chile")
    encoded = encode_pairs(tokenizer, [StanceInput(long, start, start + 5)], 2, 32)
    assert encoded["holder_index"] == [0]
    assert len(encoded["input_ids"][0]) == 32


def test_padded_tensors_keep_the_marker_position(tokenizer):
    items = [StanceInput("Oslo agreed.", 0, 4), StanceInput(SENTENCE, 30, 34, None, "offered")]
    plain = encode_pairs(tokenizer, items, 2, 64)
    padded = encode_pairs(tokenizer, items, 2, 64, padding=True, return_tensors="pt")
    assert padded["holder_index"].tolist() == plain["holder_index"]  # a tensor, ready for the network
    assert padded["input_ids"].shape[0] == 2


def test_the_head_reads_the_marked_holder_and_cue(tokenizer):
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    encoder = BertModel(
        BertConfig(
            vocab_size=tokenizer.vocab_size,
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=64,
        ),
        add_pooling_layer=False,
    )
    network = build_network(encoder, 5).eval()
    items = [
        StanceInput(SENTENCE, 0, 6, None, "rejected", 7, 15),
        StanceInput(SENTENCE, 30, 34, None, "offered", 35, 42),
    ]
    encoded = encode_pairs(tokenizer, items, 3, 64, padding=True, return_tensors="pt")
    labels = torch.tensor([1, 2])
    with torch.no_grad():
        output = network(**encoded, labels=labels)
        holder_moved = network(**dict(encoded, holder_index=torch.tensor([0, 0]))).logits
        cue_moved = network(**dict(encoded, cue_index=torch.tensor([0, 0]))).logits
    assert output.logits.shape == (2, 5)
    assert not torch.allclose(output.logits[0], output.logits[1])
    assert output.loss is not None and output.loss.item() > 0
    # reading the vectors at other positions changes the logits: both indices are used
    assert not torch.allclose(holder_moved, output.logits)
    assert not torch.allclose(cue_moved, output.logits)
    assert build_network(encoder, 5, read_cue=False).head.in_features == 64


# the fields every model's stance_model.json carries; each test sets its version and format
METADATA = {
    "name": "stance-minilm",
    "label_scheme": "scheme-v1",
    "labels": ["support", "refusal", "mediation", "opposition", "neutral"],
    "base_model": "sentence-transformers/all-MiniLM-L6-v2",
    "max_length": 128,
    "temperature": 2.0,
    "seed": 13,
    "train_examples": 10,
    "dev_examples": 5,
}


def test_an_artefact_of_the_old_network_is_refused_with_a_clear_error(tmp_path):
    from pipeline.stance.classifier import StanceClassifier
    from pipeline.stance.config import StanceConfig
    from pipeline.stance.errors import ModelError

    metadata = {**METADATA, "version": "1.5.0", "input_format": 2}
    (tmp_path / "stance_model.json").write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(ModelError, match=r"stance-minilm@1\.5\.0 uses the 'sequence-classification' network"):
        StanceClassifier(StanceConfig(model_dir=tmp_path))


def test_target_dropout_is_seeded_and_removes_about_the_share_asked():
    from pipeline.stance.data import Example, drop_targets

    examples = [
        Example(f"Chile backed plan {i}.", "Chile", f"plan {i}" if i % 10 else None, "support", "b", 0)
        for i in range(1000)
    ]
    dropped = drop_targets(examples, 0.4, seed=13)
    assert dropped == drop_targets(examples, 0.4, seed=13)
    assert dropped != drop_targets(examples, 0.4, seed=14)
    with_target = [e for e in examples if e.target]
    removed = sum(1 for a, b in zip(examples, dropped, strict=True) if a.target and b.target is None)
    assert 0.35 < removed / len(with_target) < 0.45
    assert all(b.text == a.text and b.label == a.label for a, b in zip(examples, dropped, strict=True))
    assert drop_targets(examples, 0.0, seed=13) == examples
    assert all(e.target is None for e in drop_targets(examples, 1.0, seed=13))


def test_member_folders_must_stay_inside_the_artefact():
    from pipeline.stance.artefact import ModelMetadata

    fields = {**METADATA, "version": "2.2.0"}
    assert ModelMetadata(**fields).members == ["."]  # a 2.0.0 artefact: one network at the top
    assert ModelMetadata(**fields, members=["member-1", "member-2"]).members == ["member-1", "member-2"]
    for bad in (["../elsewhere"], ["/tmp/x"], ["a/b"], []):
        with pytest.raises(ValueError):
            ModelMetadata(**fields, members=bad)
