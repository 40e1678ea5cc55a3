"""The team's own corpora are well-formed: sample annotations and training batches."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from pipeline import STANCE_LABELS
from pipeline.stance.config import TrainConfig
from pipeline.stance.data import load_examples, split_by_batch

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "corpora" / "samples"
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"


def _article_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix == ".jsonl":
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                texts[f"{path.name}#{number}"] = json.loads(line)["text"]
        else:
            texts[path.name] = path.read_text(encoding="utf-8")
    return texts


def test_sample_annotations_point_into_the_articles():
    texts = _article_texts()
    rows = [
        json.loads(line) for line in (ROOT / "corpora/annotations/samples.jsonl").read_text().splitlines()
    ]
    assert len(rows) >= 40
    for row in rows:
        assert row["sentence"] in texts[row["file"]], row["sentence"]
        assert row["holder_mention"] in row["sentence"]
        assert row["stance"] in STANCE_LABELS


def test_training_batches_are_large_balanced_and_split_by_batch():
    config = TrainConfig()
    examples = load_examples(config.data_dir)
    assert len(examples) >= 1000
    counts = Counter(e.label for e in examples)
    assert set(counts) == set(STANCE_LABELS) and min(counts.values()) >= 100
    train, dev = split_by_batch(examples, config.dev_batches)
    assert {e.batch for e in train}.isdisjoint({e.batch for e in dev})
    assert {e.text for e in train}.isdisjoint({e.text for e in dev})
    # the variant batches only ever train, and share no sentence with the held-out batches
    variant = load_examples(config.variant_dir)
    assert len(variant) >= 500
    assert {e.text for e in variant}.isdisjoint({e.text for e in dev})


def _shingles(text: str, size: int = 10) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not SHARED_CORPORA.is_dir(), reason="../shared/corpora is not beside the project")
def test_training_text_shares_no_ten_word_run_with_the_real_text_dev_set():
    """The team writes its own sentences: none may copy a dev sentence or a long stretch of one,
    or the real-text figures would be inflated. Ten words, because official names ("the Treaty
    on the Prohibition of Nuclear Weapons") are shared by any two texts on the subject."""
    from pipeline.evaluate.devset import load_devset

    dev = set()
    for item in load_devset(ROOT / "corpora" / "devset", SHARED_CORPORA):
        dev |= _shingles(item.text)
    config = TrainConfig()
    examples = load_examples(config.data_dir) + load_examples(config.variant_dir)
    assert any(e.batch.startswith("batch-k") for e in examples)  # the variant batches are checked too
    copied = [e.text for e in examples if _shingles(e.text) & dev]
    assert not copied, copied[:5]
