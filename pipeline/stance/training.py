"""Fine-tune MiniLM for stance with a LoRA adapter; write a small, versioned artefact."""

import json
import shutil
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import LABEL_SCHEME, STANCE_LABELS
from pipeline.nlp import load_nlp
from pipeline.offline import ensure_offline
from pipeline.output.jsonio import write_atomic, write_json
from pipeline.stance.artefact import METADATA_FILE, ModelMetadata
from pipeline.stance.card import render_model_card
from pipeline.stance.classifier import pick_device
from pipeline.stance.config import BASE_MODEL_NAME, MODEL_NAME, TrainConfig, default_base_model_dir
from pipeline.stance.cues import attach_cues
from pipeline.stance.data import Example, drop_targets, load_examples, split_by_batch
from pipeline.stance.errors import TrainingDataError
from pipeline.stance.inputs import INPUT_FORMAT, marks_cue
from pipeline.stance.metrics import evaluate_logits, fit_temperature
from pipeline.stance.network import HEAD_FILE, NETWORK, build_network, encode_pairs, save_head

LORA_TARGETS = ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"]


def _encode(tokenizer: Any, examples: list[Example], max_length: int) -> Any:
    from datasets import Dataset

    label_ids = {label: i for i, label in enumerate(STANCE_LABELS)}
    encoded = encode_pairs(tokenizer, [e.to_input() for e in examples], INPUT_FORMAT, max_length)
    keys = ("input_ids", "attention_mask", "token_type_ids", "holder_index", "cue_index")
    columns = {key: encoded[key] for key in keys if key in encoded}
    columns["labels"] = [label_ids[e.label] for e in examples]
    return Dataset.from_dict(columns)


def halve_adapter(path: Path) -> None:
    """Store the adapter's weights in float16: half the size, and inference loads them back
    into the float32 network (2.5.0's logits moved by at most 2.4e-4 against float32). The
    dev logits that calibrate the model are the float32 ones of training."""
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(path))
    save_file({name: tensor.half().contiguous() for name, tensor in tensors.items()}, str(path))


def member_folder(index: int) -> str:
    return f"member-{index + 1}"


@dataclass
class Network:
    """One fine-tuned network (on the CPU) and its logits on the dev examples."""

    model: Any
    dev_rows: list[list[float]]


def load_training_data(config: TrainConfig) -> tuple[list[Example], list[Example], list[Example]]:
    """(train, variant, dev) with the cues the extractor finds: the team's batches and the extra
    files split by writing batch, and the variant batches, which only second networks see."""
    examples = load_examples(config.data_dir, config.extra_data)
    variant = load_examples(config.variant_dir) if config.variant_dir is not None else []
    cued = attach_cues(examples + variant, load_nlp())  # the cue the extractor finds at inference
    examples, variant = cued[: len(examples)], cued[len(examples) :]
    train, dev = split_by_batch(examples, config.dev_batches)
    if not train or not dev:
        raise TrainingDataError(
            f"{config.data_dir}: need examples outside and inside the dev batches {config.dev_batches}"
        )
    return train, variant, dev


def train_stance_model(config: TrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train the members, calibrate their mean on the dev batches, evaluate, and write the
    artefact; returns metrics."""
    ensure_offline()
    from transformers import AutoTokenizer

    train, variant, dev = load_training_data(config)
    log(
        f"training on {len(train)} examples (second networks: + {len(variant)} variant examples), "
        f"holding out {len(dev)} from {len(config.dev_batches)} batches"
    )
    base_dir = config.base_model_dir or default_base_model_dir()
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    device = pick_device("auto")
    members = []
    for index in range(config.members):
        seed = config.seed + index
        networks = [_train_network(config, seed, base_dir, tokenizer, train, dev, device)]
        if variant:
            networks.append(_train_network(config, seed, base_dir, tokenizer, train + variant, dev, device))
        log(f"member {index + 1}/{config.members} (seed {seed}): {len(networks)} network(s) trained")
        members.append(networks)
    return finish_training(config, members, train, variant, dev, base_dir, tokenizer, device, log)


def finish_training(
    config: TrainConfig,
    members: list[list[Network]],
    train: list[Example],
    variant: list[Example],
    dev: list[Example],
    base_dir: Path,
    tokenizer: Any,
    device: str,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Average each member's networks into one, calibrate the members' mean logits on the dev
    examples, and write the artefact; returns metrics."""
    import torch

    gold = [e.label for e in dev]
    gold_ids = [STANCE_LABELS.index(label) for label in gold]

    def scored(rows: list[list[float]]) -> dict[str, float]:
        # F1 and accuracy do not depend on a temperature, so none is fitted per member
        scores = evaluate_logits(rows, gold, STANCE_LABELS, 1.0)
        return {key: scores[key] for key in ("macro_f1_support_refusal_mediation", "accuracy")}

    models, member_rows, member_metrics = [], [], []
    for index, networks in enumerate(members):
        if len(networks) == 1:
            model, rows = networks[0].model, networks[0].dev_rows
        else:
            model = soup_networks([n.model for n in networks], config.soup_rank, base_dir)
            rows = dev_logits(model, tokenizer, dev, config.max_length)
        models.append(model)
        member_rows.append(rows)
        entry = {"folder": member_folder(index), "seed": config.seed + index, **scored(rows)}
        if len(networks) > 1:
            entry["networks"] = [
                {"data": data, **scored(n.dev_rows)}
                for data, n in zip(("team batches", "team and variant batches"), networks, strict=True)
            ]
        member_metrics.append(entry)
        log(
            f"member {index + 1}/{len(members)} (seed {config.seed + index}): dev macro-F1 "
            f"{entry['macro_f1_support_refusal_mediation']:.3f}"
        )
    dev_rows = [
        [sum(values) / len(values) for values in zip(*rows, strict=True)]
        for rows in zip(*member_rows, strict=True)
    ]
    temperature = fit_temperature(dev_rows, gold_ids)
    seen = train + variant
    metrics = {
        "uncalibrated": evaluate_logits(dev_rows, gold, STANCE_LABELS, 1.0),
        "calibrated": evaluate_logits(dev_rows, gold, STANCE_LABELS, temperature),
        "members": member_metrics,
        "variant_examples": len(variant),
        "train_label_counts": dict(sorted(Counter(e.label for e in seen).items())),
        "dev_label_counts": dict(sorted(Counter(e.label for e in dev).items())),
        "dev_batches": list(config.dev_batches),
        "device": device,
        "torch": torch.__version__,
    }
    metadata = ModelMetadata(
        name=MODEL_NAME,
        version=config.version,
        label_scheme=LABEL_SCHEME,
        labels=list(STANCE_LABELS),
        base_model=BASE_MODEL_NAME,
        max_length=config.max_length,
        input_format=INPUT_FORMAT,
        network=NETWORK,
        members=[member_folder(index) for index in range(len(members))],
        temperature=temperature,
        seed=config.seed,
        train_examples=len(seen),
        dev_examples=len(dev),
    )
    _write_artefact(models, metadata, metrics, config)
    log(
        f"dev macro-F1 (support/refusal/mediation) "
        f"{metrics['calibrated']['macro_f1_support_refusal_mediation']:.3f}, "
        f"ECE {metrics['uncalibrated']['ece']:.3f} -> {metrics['calibrated']['ece']:.3f} "
        f"(T={temperature}); artefact in {config.output_dir}"
    )
    return metrics


def _lora_network(base_dir: Path, rank: int) -> Any:
    """A fresh stance network: MiniLM with a rank-``rank`` LoRA adapter and an untrained head."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(base_dir))
    lora = LoraConfig(r=rank, lora_alpha=rank * 2, lora_dropout=0.1, target_modules=LORA_TARGETS)
    with warnings.catch_warnings():
        # peft calls a transformers method that transformers 5 renamed; harmless
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
        return build_network(
            get_peft_model(encoder, lora), len(STANCE_LABELS), read_cue=marks_cue(INPUT_FORMAT)
        )


def soup_networks(networks: list[Any], rank: int, base_dir: Path) -> Any:
    """One network whose weights are the mean of ``networks`` (a "model soup"): networks
    fine-tuned from the same MiniLM stay close enough for their average to work as one network,
    at the cost of one. The mean of their adapters' weight changes has rank up to the sum of
    theirs; its top ``rank`` singular directions become the new adapter, and the head is the
    mean of their heads."""
    import torch
    from peft.tuners.lora import LoraLayer

    soup = _lora_network(base_dir, rank)
    layers = [dict(network.named_modules()) for network in networks]
    with torch.no_grad():
        for name, module in soup.named_modules():
            if not isinstance(module, LoraLayer):
                continue
            changes = [layer[name].get_delta_weight("default").double() for layer in layers]
            delta = torch.stack(changes).mean(0)
            left, values, right = torch.linalg.svd(delta, full_matrices=False)
            root = values[:rank].sqrt()  # split evenly, so neither factor is large in float16
            module.lora_B["default"].weight.copy_(left[:, :rank] * root / module.scaling["default"])
            module.lora_A["default"].weight.copy_(root[:, None] * right[:rank])
        heads = [network.head.state_dict() for network in networks]
        soup.head.load_state_dict({key: torch.stack([h[key] for h in heads]).mean(0) for key in heads[0]})
    return soup.eval()


def dev_logits(model: Any, tokenizer: Any, examples: list[Example], max_length: int) -> list[list[float]]:
    """The network's logits for ``examples``, in their order (64 per batch, padded to the
    longest input of the batch)."""
    import torch

    rows: list[list[float]] = []
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(examples), 64):
            chunk = [e.to_input() for e in examples[start : start + 64]]
            encoded = encode_pairs(
                tokenizer, chunk, INPUT_FORMAT, max_length, padding=True, return_tensors="pt"
            )
            rows.extend(model(**encoded).logits.float().tolist())
    return rows


def _train_network(
    config: TrainConfig,
    seed: int,
    base_dir: Path,
    tokenizer: Any,
    train: list[Example],
    dev: list[Example],
    device: str,
) -> Network:
    """One network: its seed sets the LoRA and head initialisation, the batch order and the
    targets it hides; returns the network (on the CPU) with its dev logits."""
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments, set_seed

    set_seed(seed)
    model = _lora_network(base_dir, config.lora_rank)
    with tempfile.TemporaryDirectory(prefix="stance-train-") as scratch:
        args = TrainingArguments(
            output_dir=scratch,
            per_device_train_batch_size=config.batch_size,
            num_train_epochs=config.epochs,
            max_steps=config.max_steps,
            learning_rate=config.learning_rate,
            weight_decay=0.01,
            warmup_steps=0.06,
            lr_scheduler_type="linear",
            logging_steps=20,
            save_strategy="no",
            eval_strategy="no",
            report_to="none",
            seed=seed,
            data_seed=seed,
            use_cpu=device == "cpu",
            dataloader_num_workers=0,
            disable_tqdm=True,
            train_sampling_strategy="group_by_length",  # less padding: about 17% faster on CPU
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=_encode(
                tokenizer, drop_targets(train, config.target_dropout, seed), config.max_length
            ),
            data_collator=DataCollatorWithPadding(tokenizer),
            processing_class=tokenizer,
        )
        trainer.train()
    model = model.to("cpu").eval()
    # not trainer.predict: transformers applies group_by_length to its batches too, which would
    # return the dev logits out of order
    return Network(model, dev_logits(model, tokenizer, dev, config.max_length))


def _write_artefact(
    models: list[Any], metadata: ModelMetadata, metrics: dict[str, Any], config: TrainConfig
) -> None:
    """Build the artefact beside the target, then swap it in, so a failed run keeps the old one."""
    from peft.utils import SAFETENSORS_WEIGHTS_NAME  # the adapter file save_pretrained writes

    target = config.output_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    staging.chmod(0o755)
    try:
        for model, folder in zip(models, metadata.members, strict=True):
            member = staging / folder
            model.encoder.save_pretrained(str(member))  # the LoRA adapter only
            halve_adapter(member / SAFETENSORS_WEIGHTS_NAME)
            (member / "README.md").unlink(missing_ok=True)  # peft's blank card; ours is one level up
            save_head(model, member / HEAD_FILE)
            adapter_config = member / "adapter_config.json"
            settings = json.loads(adapter_config.read_text(encoding="utf-8"))
            settings["base_model_name_or_path"] = BASE_MODEL_NAME  # not this machine's path
            settings["target_modules"] = sorted(settings["target_modules"])  # peft writes a set
            write_json(adapter_config, settings)
        write_json(staging / METADATA_FILE, metadata)
        write_json(staging / "metrics.json", metrics)
        write_atomic(staging / "README.md", [render_model_card(metadata, metrics, config)])
        previous = target.with_name(f".{target.name}.old")
        if target.exists():
            shutil.rmtree(previous, ignore_errors=True)
            target.rename(previous)
        staging.rename(target)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
