"""How a (sentence, holder, target) triple is shown to the classifier: one function for
training and inference, so the two can never drift apart."""

HOLDER_OPEN = "«"
HOLDER_CLOSE = "»"


def mark_holder(sentence: str, start: int, end: int) -> str:
    """The sentence with the holder's mention (chars start..end) wrapped in markers."""
    return f"{sentence[:start]}{HOLDER_OPEN}{sentence[start:end]}{HOLDER_CLOSE}{sentence[end:]}"


def format_pair(sentence: str, holder_start: int, holder_end: int, target: str | None) -> tuple[str, str]:
    """(first segment, second segment) for the tokenizer's sentence-pair encoding."""
    holder = sentence[holder_start:holder_end]
    first = f"holder: {holder} ; target: {target or 'none'}"
    return first, mark_holder(sentence, holder_start, holder_end)
