"""How a statement is shown to the classifier: one function for training and inference, so
the two can never drift apart.

Format 3 (models from 2.0.0): first segment 'holder: X ; cue: C ; target: T', second segment
the sentence with the holder's mention in «» and the cue word in ⟨⟩, so the network can read
the vectors at both. Format 2 (1.3.0-1.5.0) marked only the holder; format 1 had no cue.
"""

from dataclasses import dataclass

HOLDER_OPEN = "«"
HOLDER_CLOSE = "»"
CUE_OPEN = "⟨"
CUE_CLOSE = "⟩"
INPUT_FORMAT = 3


@dataclass(frozen=True)
class StanceInput:
    sentence: str
    holder_start: int
    holder_end: int
    target: str | None = None
    cue: str | None = None  # the words that made the statement ('turned down', 'offered')
    cue_start: int | None = None  # the cue's head word in the sentence, when known
    cue_end: int | None = None

    @property
    def cue_span(self) -> tuple[int, int] | None:
        """The cue word's chars, when known and apart from the holder's mention."""
        if self.cue_start is None or self.cue_end is None:
            return None
        if not 0 <= self.cue_start < self.cue_end <= len(self.sentence):
            return None
        if self.cue_start < self.holder_end and self.holder_start < self.cue_end:
            return None
        return self.cue_start, self.cue_end


def marks_cue(input_format: int) -> bool:
    """Whether inputs of this format mark the cue word (and the network reads it)."""
    return input_format >= 3


def _cue_span(item: StanceInput, input_format: int) -> tuple[int, int] | None:
    return item.cue_span if marks_cue(input_format) else None


def mark_sentence(item: StanceInput, input_format: int = INPUT_FORMAT) -> str:
    """The sentence with the holder in «» and, from format 3 and when known, the cue word in ⟨⟩."""
    spans = [(item.holder_start, item.holder_end, HOLDER_OPEN, HOLDER_CLOSE)]
    cue = _cue_span(item, input_format)
    if cue is not None:
        spans.append((*cue, CUE_OPEN, CUE_CLOSE))
    text = item.sentence
    for start, end, opening, closing in sorted(spans, reverse=True):  # right to left keeps offsets
        text = f"{text[:start]}{opening}{text[start:end]}{closing}{text[end:]}"
    return text


def marker_offsets(item: StanceInput, input_format: int = INPUT_FORMAT) -> tuple[int, int | None]:
    """Where « and (format 3) ⟨ stand in the marked sentence of ``format_pair``."""
    cue = _cue_span(item, input_format)
    if cue is None:
        return item.holder_start, None
    if cue[0] < item.holder_start:
        return item.holder_start + len(HOLDER_OPEN + HOLDER_CLOSE), cue[0]
    return item.holder_start, cue[0] + len(CUE_OPEN + CUE_CLOSE)


def format_pair(item: StanceInput, input_format: int = INPUT_FORMAT) -> tuple[str, str]:
    """(first segment, second segment) for the tokenizer's sentence-pair encoding."""
    holder = item.sentence[item.holder_start : item.holder_end]
    cue = f" ; cue: {item.cue or 'none'}" if input_format >= 2 else ""
    first = f"holder: {holder}{cue} ; target: {item.target or 'none'}"
    return first, mark_sentence(item, input_format)
