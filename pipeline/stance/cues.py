"""The cue of a labelled example, found by the same statement rules used at inference."""

from collections.abc import Sequence
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.stance.data import Example
from pipeline.statements.candidates import Candidate


def candidate_for(doc: Doc, holder_start: int, holder_end: int, target: str | None) -> Candidate | None:
    """The candidate whose holder word lies in chars holder_start..holder_end, preferring the
    one about ``target`` when the sentence has several."""
    found = [
        c for c in doc._.statement_candidates or () if holder_start <= doc[c.holder_token].idx < holder_end
    ]
    if target:
        about = [c for c in found if c.target is not None and c.target.span(doc).text in target]
        found = about or found
    return found[0] if found else None


def attach_cues(
    examples: Sequence[Example], nlp: Language, batch_size: int = 64, *, extractor_targets: bool = False
) -> list[Example]:
    """Each example with the cue the extractor finds for its holder: the words and where the
    cue's head word stands in the text. With ``extractor_targets`` the target too is the one
    the extractor finds (none when it finds none), as the classifier sees it in a run."""
    texts = list(dict.fromkeys(e.text for e in examples))
    docs = dict(zip(texts, nlp.pipe(texts, batch_size=batch_size), strict=True))
    attached = []
    for e in examples:
        doc = docs[e.text]
        found = candidate_for(doc, e.holder_start, e.holder_start + len(e.holder), e.target)
        if found is None:
            target = None if extractor_targets else e.target
            attached.append(replace(e, target=target, cue=None, cue_start=None, cue_end=None))
            continue
        word = doc[found.cue_token]
        target = e.target
        if extractor_targets:
            target = found.target.span(doc).text if found.target is not None else None
        attached.append(
            replace(e, target=target, cue=found.cue, cue_start=word.idx, cue_end=word.idx + len(word.text))
        )
    return attached
