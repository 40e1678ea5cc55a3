"""Labelled training examples: the team's batches plus any user-supplied JSONL."""

import json
import random
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline import STANCE_LABELS
from pipeline.stance.errors import TrainingDataError
from pipeline.stance.inputs import StanceInput

REQUIRED_KEYS = frozenset({"text", "holder", "label"})


@dataclass(frozen=True)
class Example:
    text: str
    holder: str
    target: str | None
    label: str
    batch: str
    holder_start: int
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None

    def to_input(self) -> StanceInput:
        end = self.holder_start + len(self.holder)
        return StanceInput(
            self.text, self.holder_start, end, self.target, self.cue, self.cue_start, self.cue_end
        )


def parse_example(obj: object, where: str, batch: str) -> Example:
    """One labelled example; ``holder_start`` may be given, else the first occurrence is used."""
    if not isinstance(obj, dict) or not obj.keys() >= REQUIRED_KEYS:
        raise TrainingDataError(f"{where}: expected an object with text, holder and label")
    text, holder, label = obj["text"], obj["holder"], obj["label"]
    target = obj.get("target")
    if not all(isinstance(v, str) and v.strip() for v in (text, holder, label)):
        raise TrainingDataError(f"{where}: text, holder and label must be non-empty strings")
    if label not in STANCE_LABELS:
        raise TrainingDataError(f"{where}: unknown label '{label}' (expected one of {STANCE_LABELS})")
    start = obj.get("holder_start")
    if start is None:
        start = text.find(holder)
    if not isinstance(start, int) or start < 0 or text[start : start + len(holder)] != holder:
        raise TrainingDataError(f"{where}: holder '{holder}' does not occur in the text")
    if target is not None and not isinstance(target, str):
        raise TrainingDataError(f"{where}: target must be a string or null")
    return Example(text, holder, target, label, obj.get("batch") or batch, start)


def load_jsonl(path: Path, batch: str | None = None) -> list[Example]:
    examples = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"{where}: malformed JSON ({exc.msg})") from exc
            examples.append(parse_example(obj, where, batch or path.stem))
    return examples


def load_examples(data_dir: Path, extra: tuple[Path, ...] = ()) -> list[Example]:
    """All batches in ``data_dir`` (sorted by file name) and then the extra files."""
    files = sorted(data_dir.glob("*.jsonl"))
    if not files:
        raise TrainingDataError(f"{data_dir}: no labelled *.jsonl batches found")
    examples = [example for path in files for example in load_jsonl(path)]
    for path in extra:
        if not path.is_file():
            raise TrainingDataError(f"{path}: extra training file is missing")
        examples.extend(load_jsonl(path, batch=f"extra-{path.stem}"))
    return examples


def split_by_batch(
    examples: list[Example], dev_batches: tuple[str, ...]
) -> tuple[list[Example], list[Example]]:
    """Whole writing batches go to dev, so no sentence frame is seen in both splits."""
    train = [e for e in examples if e.batch not in dev_batches]
    dev = [e for e in examples if e.batch in dev_batches]
    return train, dev


def drop_targets(examples: list[Example], rate: float, seed: int) -> list[Example]:
    """A seeded share ``rate`` of the examples with their target removed, as the classifier sees
    statements whose target the extractor did not find."""
    draw = random.Random(seed)
    return [replace(e, target=None) if e.target and draw.random() < rate else e for e in examples]
