"""`stance train` as a Prefect flow, shortened to a few steps; the artefact must load and be small."""

import json

import pytest

from pipeline import STANCE_LABELS
from pipeline.stance.classifier import StanceClassifier, StanceInput
from pipeline.stance.config import MODEL_VERSION, StanceConfig, TrainConfig

pytestmark = [pytest.mark.flow, pytest.mark.slow]


def test_short_training_run_writes_a_loadable_small_artefact(tmp_path):
    import torch
    from safetensors.torch import load_file

    from flows.train import train_flow

    extra = tmp_path / "corrections.jsonl"
    extra.write_text(
        json.dumps(
            {"text": "Chile backed the truce plan.", "holder": "Chile", "target": None, "label": "support"}
        )
        + "\n",
        encoding="utf-8",
    )
    output = tmp_path / "model"
    metrics = train_flow(TrainConfig(output_dir=output, max_steps=2, extra_data=(extra,)))

    assert {p.name for p in output.iterdir()} >= {"stance_model.json", "metrics.json", "README.md"}
    members = json.loads((output / "stance_model.json").read_text())["members"]
    assert members == ["member-1", "member-2", "member-3", "member-4"]
    for folder in members:
        assert {p.name for p in (output / folder).iterdir()} == {
            "adapter_model.safetensors",
            "adapter_config.json",
            "head.safetensors",
        }
    assert sum(p.stat().st_size for p in output.rglob("*") if p.is_file()) < 10 * 1024 * 1024
    # the adapters are stored in float16 (half the size) and run in float32
    adapter = load_file(str(output / "member-1" / "adapter_model.safetensors"))
    assert {tensor.dtype for tensor in adapter.values()} == {torch.float16}
    assert [m["seed"] for m in metrics["members"]] == [13, 14, 15, 16]
    # each member averages two networks (without and with the variant batches) into one adapter
    assert [len(m["networks"]) for m in metrics["members"]] == [2, 2, 2, 2]
    assert metrics["variant_examples"] >= 500
    settings = json.loads((output / "member-1" / "adapter_config.json").read_text())
    assert settings["r"] == TrainConfig().soup_rank
    assert {tensor.shape[0] for name, tensor in adapter.items() if "lora_A" in name} == {settings["r"]}
    card = (output / "README.md").read_text()
    assert "| support |" in card and "Confusion matrix" in card and "calibration error" in card
    assert "an ensemble of 4 members" in card and "weight average" in card
    assert set(metrics["calibrated"]["per_label"]) == set(STANCE_LABELS)
    assert metrics["train_label_counts"]["support"] >= 1

    classifier = StanceClassifier(StanceConfig(model_dir=output))
    [prediction] = classifier.predict([StanceInput("Chile backed the truce plan.", 0, 5, None)])
    assert set(prediction.scores) == set(STANCE_LABELS)
    assert abs(sum(prediction.scores.values()) - 1.0) < 0.01
    assert classifier.tag == f"stance-minilm@{MODEL_VERSION}"
    assert {p.dtype for member in classifier.members for p in member.parameters()} == {torch.float32}


def test_training_is_seeded_and_reproducible(tmp_path):
    from pipeline.stance.training import train_stance_model

    first, second = tmp_path / "first", tmp_path / "second"
    for output in (first, second):
        train_stance_model(TrainConfig(output_dir=output, max_steps=2, members=2), log=lambda message: None)
    for name in ("adapter_model.safetensors", "head.safetensors"):
        assert (first / "member-1" / name).read_bytes() == (second / "member-1" / name).read_bytes()
        assert (first / "member-2" / name).read_bytes() == (second / "member-2" / name).read_bytes()
    # the second member has its own seed, so it is a different network
    assert (first / "member-1" / "head.safetensors").read_bytes() != (
        first / "member-2" / "head.safetensors"
    ).read_bytes()
    assert (first / "metrics.json").read_text() == (second / "metrics.json").read_text()
    # a member depends only on its own seed, not on the members trained before it in the run
    alone = tmp_path / "alone"
    train_stance_model(
        TrainConfig(output_dir=alone, max_steps=2, members=1, seed=14), log=lambda message: None
    )
    for name in ("adapter_model.safetensors", "head.safetensors"):
        assert (alone / "member-1" / name).read_bytes() == (first / "member-2" / name).read_bytes()


def test_cli_trains_the_number_of_members_asked(tmp_path):
    from typer.testing import CliRunner

    from stance_cli.main import app as cli

    output = tmp_path / "one"
    args = ["train", "--members", "1", "--max-steps", "1", "--no-variant", "--output", str(output)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "dev macro-F1" in result.output
    assert json.loads((output / "stance_model.json").read_text())["members"] == ["member-1"]
    assert not (output / "member-2").exists()
    # without the variant batches a member is one network, its adapter at the training rank
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["variant_examples"] == 0 and "networks" not in metrics["members"][0]
    settings = json.loads((output / "member-1" / "adapter_config.json").read_text())
    assert settings["r"] == TrainConfig().lora_rank
    assert "weight average" not in (output / "README.md").read_text()
    refused = CliRunner().invoke(cli, ["train", "--members", "0", "--output", str(tmp_path / "none")])
    assert refused.exit_code != 0 and not (tmp_path / "none").exists()


def test_a_networks_dev_logits_are_in_the_dev_sets_order(tmp_path):
    """Training groups batches by length; the dev logits it returns (for calibration and the
    model card) must still be row for row those of the dev examples."""
    import torch
    from transformers import AutoTokenizer

    from pipeline.stance.config import default_base_model_dir
    from pipeline.stance.data import Example
    from pipeline.stance.training import _encode, _train_network

    def example(index: int, label: str) -> Example:
        text = "Chile " + "firmly " * (index % 23) + f"backed plan number {index} of the truce talks."
        return Example(text, "Chile", None, label, "test", 0)

    train = [example(i, STANCE_LABELS[i % 5]) for i in range(20)]
    dev = [example(i, STANCE_LABELS[i % 5]) for i in range(70)]  # two predict batches of mixed lengths
    base = default_base_model_dir()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    config = TrainConfig(output_dir=tmp_path / "model", max_steps=1)
    network = _train_network(config, 13, base, tokenizer, train, dev, "cpu")
    model, rows = network.model, network.dev_rows
    assert len(rows) == len(dev)
    with torch.no_grad():
        for item, row in zip(dev, rows, strict=True):
            features = _encode(tokenizer, [item], config.max_length).with_format("torch")[0]
            batch = {k: v.unsqueeze(0) for k, v in features.items() if k != "labels"}
            expected = model(**batch).logits[0].tolist()
            assert row == pytest.approx(expected, abs=1e-4)
