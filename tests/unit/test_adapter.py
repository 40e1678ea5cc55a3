"""The encoder adapter (pipeline/attribution/adapter.py): its low-rank updates, merged into the
weights, compute what the adapted layers compute in training; the file round-trips; the model
folder and the encoder cache name it."""

import numpy
import pytest

from pipeline.attribution.adapter import ADAPTER_FILE, Adapter, _Reader, _wrap, digest
from pipeline.attribution.model import AttributionMetadata, AttributionModel, Head
from pipeline.stance.errors import ModelError

torch = pytest.importorskip("torch")


def tiny_mpnet(seed: int = 0):
    from transformers import MPNetConfig, MPNetModel

    torch.manual_seed(seed)
    config = MPNetConfig(
        vocab_size=50, hidden_size=16, num_hidden_layers=3, num_attention_heads=2, intermediate_size=24,
        max_position_embeddings=40,
    )  # fmt: skip
    return MPNetModel(config).eval()


def trained_updates(model, first: int, rank: int, alpha: float, seed: int = 1) -> dict:
    """Wrap the layers from ``first`` and give every update random (non-zero) factors."""
    wrapped = _wrap(model, first, rank, alpha)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in wrapped.values():
            module.up.copy_(torch.randn(module.up.shape, generator=generator) * 0.3)
    return wrapped


def test_merged_weights_compute_what_the_adapted_layers_compute():
    ids = torch.tensor([[0, 5, 9, 13, 7, 2], [0, 8, 3, 2, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]])
    adapted = tiny_mpnet()
    frozen_out = adapted(input_ids=ids, attention_mask=mask).last_hidden_state
    wrapped = trained_updates(adapted, first=1, rank=4, alpha=8.0)
    with torch.no_grad():
        expected = adapted(input_ids=ids, attention_mask=mask).last_hidden_state
    tensors = {}
    for name, module in wrapped.items():
        tensors[f"{name}.down"] = module.down.detach().numpy()
        tensors[f"{name}.up"] = module.up.detach().numpy()
    assert len(tensors) == 2 * 2 * 6  # two layers, six products each, two factors
    merged = Adapter(tensors, rank=4, alpha=8.0).merge_into(tiny_mpnet())
    with torch.no_grad():
        got = merged(input_ids=ids, attention_mask=mask).last_hidden_state
    assert torch.allclose(got, expected, atol=1e-5)
    assert not torch.allclose(expected, frozen_out, atol=1e-3)  # the updates change the output


def test_the_reader_gives_the_rows_the_feature_rows_read():
    """The training reader's four means (span, head word, predicate, sentence) over the adapted
    layers equal the means of the mean-of-layers states the exported encoder gives."""
    from pipeline.attribution.adapter import RowPlaces, _additive_mask, _position_bias

    model = tiny_mpnet()
    ids = torch.tensor([[0, 5, 9, 13, 7, 2]])
    with torch.no_grad():
        out = model(input_ids=ids, output_hidden_states=True)
        states = torch.stack(out.hidden_states[-2:]).mean(0)[0]
        hidden = model.embeddings(input_ids=ids)
        first = model.encoder.layer[0](hidden, _additive_mask(torch, [6], 6), _position_bias(model, hidden))[
            0
        ]
        place = RowPlaces(0, [1, 2], [2], [4])
        rows = _Reader(model, 1).rows([first[0]], [place], [[1, 2, 3, 4]])
    expected = torch.cat([states[[1, 2]].mean(0), states[2], states[4], states[1:5].mean(0)])
    assert rows.shape == (1, 64)
    assert torch.allclose(rows[0], expected, atol=1e-5)


def test_adapter_file_round_trips_and_names_its_encoder(tmp_path):
    from pipeline.attribution.runtime import encoder_path

    rng = numpy.random.default_rng(0)
    tensors = {
        "layer.2.attention.attn.q.down": rng.normal(size=(4, 16)),
        "layer.2.attention.attn.q.up": rng.normal(size=(16, 4)),
    }
    adapter = Adapter({k: v.astype(numpy.float32) for k, v in tensors.items()}, rank=4, alpha=16.0)
    path = tmp_path / ADAPTER_FILE
    adapter.save(path)
    loaded = Adapter.load(path)
    assert (loaded.rank, loaded.alpha) == (4, 16.0)
    for key, value in adapter.tensors.items():
        numpy.testing.assert_allclose(loaded.tensors[key], value, atol=2e-3)  # half precision
    other = tmp_path / "other.safetensors"
    Adapter({k: v * 2 for k, v in adapter.tensors.items()}, rank=4, alpha=16.0).save(other)
    assert digest(path) != digest(other) and digest(None) == ""
    base = tmp_path / "base"
    base.mkdir()
    plain = encoder_path(base, 3, "onnx-int8", tmp_path, 6)
    assert encoder_path(base, 3, "onnx-int8", tmp_path, 6, path) != plain
    assert encoder_path(base, 3, "onnx-int8", tmp_path, 6, path) != encoder_path(
        base, 3, "onnx-int8", tmp_path, 6, other
    )


def test_an_unreadable_or_misfit_adapter_is_named(tmp_path):
    bad = tmp_path / ADAPTER_FILE
    bad.write_bytes(b"not safetensors")
    with pytest.raises(ModelError, match="not a readable encoder adapter"):
        Adapter.load(bad)
    deep = {
        "layer.7.output.dense.down": numpy.zeros((2, 24), numpy.float32),
        "layer.7.output.dense.up": numpy.zeros((16, 2), numpy.float32),
    }
    with pytest.raises(ModelError, match="layer 7"):
        Adapter(deep, rank=2, alpha=4.0).merge_into(tiny_mpnet())


def _model(adapter: int) -> AttributionModel:
    meta = AttributionMetadata(
        name="m", version="0", encoder="e", features=3, hidden=2, threshold=0.5, adapter=adapter
    )
    head = Head(
        numpy.ones((2, 3), numpy.float32),
        numpy.zeros(2, numpy.float32),
        numpy.ones((7, 2), numpy.float32),
        numpy.zeros(7, numpy.float32),
    )
    return AttributionModel(meta, [head], numpy.zeros(3), numpy.ones(3))


def test_model_folder_keeps_its_adapter_and_drops_a_stale_one(tmp_path):
    with pytest.raises(ModelError, match="adapter"):
        _model(adapter=4).save(tmp_path)  # the adapter file must be there first
    Adapter({}, rank=4, alpha=16.0).save(tmp_path / ADAPTER_FILE)
    _model(adapter=4).save(tmp_path)
    loaded = AttributionModel.load(tmp_path)
    assert loaded.metadata.adapter == 4
    assert loaded.metadata.adapter_file(tmp_path) == tmp_path / ADAPTER_FILE
    _model(adapter=0).save(tmp_path)  # a model without one, saved over it
    assert not (tmp_path / ADAPTER_FILE).exists()
    assert AttributionModel.load(tmp_path).metadata.adapter_file(tmp_path) is None
    (tmp_path / "attribution.json").write_text(
        (tmp_path / "attribution.json").read_text().replace('"adapter": 0', '"adapter": 4')
    )
    with pytest.raises(ModelError, match="missing"):
        AttributionModel.load(tmp_path).metadata.adapter_file(tmp_path)
