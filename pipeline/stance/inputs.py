"""How a statement is shown to the classifier: one function for training and inference, so
the two can never drift apart.

Format 2 (models from 1.3.0): first segment 'holder: X ; cue: C ; target: T', second segment
the sentence with the holder's mention in «». Format 1 had no cue.
"""

from dataclasses import dataclass

HOLDER_OPEN = "«"
HOLDER_CLOSE = "»"
INPUT_FORMAT = 2


@dataclass(frozen=True)
class StanceInput:
    sentence: str
    holder_start: int
    holder_end: int
    target: str | None = None
    cue: str | None = None  # the words that made the statement ('turned down', 'offered')


def mark_holder(sentence: str, start: int, end: int) -> str:
    """The sentence with the holder's mention (chars start..end) wrapped in markers."""
    return f"{sentence[:start]}{HOLDER_OPEN}{sentence[start:end]}{HOLDER_CLOSE}{sentence[end:]}"


def format_pair(item: StanceInput, input_format: int = INPUT_FORMAT) -> tuple[str, str]:
    """(first segment, second segment) for the tokenizer's sentence-pair encoding."""
    holder = item.sentence[item.holder_start : item.holder_end]
    cue = f" ; cue: {item.cue or 'none'}" if input_format >= 2 else ""
    first = f"holder: {holder}{cue} ; target: {item.target or 'none'}"
    return first, mark_holder(item.sentence, item.holder_start, item.holder_end)
