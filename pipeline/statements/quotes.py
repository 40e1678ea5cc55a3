"""Quotations and who said them, so that every sentence of a quote keeps its speaker.

'Karaca said: "We are ready to keep talking. Turkey will be a bridge."' has one speaker for
both sentences; 'We' inside the quote is Karaca's side.
"""

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from pipeline.actors.mentions import ActorMention
from pipeline.statements.lexicon import REPORTING_VERBS

OPENING = {"“": "”", "«": "»", '"': '"'}
ATTRIBUTION_WINDOW = 8  # tokens between a quote and its reporting verb


@dataclass(frozen=True)
class Quote:
    start: int  # character offsets in the Doc, quote marks included
    end: int
    speaker: ActorMention | None

    def covers(self, token: Token) -> bool:
        return self.start <= token.idx < self.end


def speaker_at(quotes: Sequence[Quote], token: Token) -> ActorMention | None:
    """The speaker of the quote around ``token``, None outside quotes or where none was found."""
    return next((q.speaker for q in quotes if q.covers(token) and q.speaker is not None), None)


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quotations; straight quotes pair up in order, curly ones by shape."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    closing = ""
    for i, char in enumerate(text):
        if open_at is None and char in OPENING:
            open_at, closing = i, OPENING[char]
        elif open_at is not None and char == closing:
            spans.append((open_at, i + 1))
            open_at = None
    return spans


def find_quotes(doc: Doc, speaker_of: Callable[[Token], ActorMention | None]) -> list[Quote]:
    """Quotes of at least a few words with the actor of the nearest reporting verb outside them.

    ``speaker_of(verb)`` returns the actor mention that is the subject of a reporting verb.
    """
    quotes = []
    text = doc.text  # Doc.text joins every token each time it is read
    offsets = [t.idx for t in doc]  # ascending: the tokens inside a span are found by bisection
    for start, end in quote_spans(text):
        if len(text[start:end].split()) < 4:
            continue  # scare quotes around a word or a title are not speech
        first, stop = bisect.bisect_left(offsets, start), bisect.bisect_left(offsets, end)
        if first == stop:
            continue
        last = stop - 1
        before = doc[max(0, first - ATTRIBUTION_WINDOW) : first]
        after = doc[last + 1 : min(len(doc), last + 1 + ATTRIBUTION_WINDOW)]
        speaker = None
        for verb in [*reversed(list(before)), *after]:
            if verb.lemma_.lower() in REPORTING_VERBS and verb.pos_ in ("VERB", "AUX"):
                speaker = speaker_of(verb)
                if speaker is not None:
                    break
        quotes.append(Quote(start, end, speaker))
    return quotes
