"""Find attributed statements in a parsed Doc with dependency rules.

Three passes per sentence: reporting verbs with a complement clause ('Rudenko disclosed that
Putin won't protect Iran': speaker Rudenko, holder Putin) and viewpoint phrases ('From the
U.S. standpoint, ...': the clause is the owner's position), stance verbs with an actor
subject or passive agent ('Moscow signed a pact with Iran'), and nominalisations with an
actor possessor ('Washington's support for ...'). Coordinated subjects give one candidate each.
"""

import re
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from pipeline.actors.mentions import ActorMention, actor_by_token
from pipeline.statements import coref
from pipeline.statements.actions import StanceActions
from pipeline.statements.candidates import Candidate
from pipeline.statements.lexicon import (
    ATTRIBUTION_NOUNS,
    NOMINAL_CUES,
    REPORTING_VERBS,
    TARGET_PREPOSITIONS,
)
from pipeline.statements.nominal import Nominalisations
from pipeline.statements.quotes import Quote, find_quotes, speaker_at
from pipeline.statements.reported import ReportedSpeech
from pipeline.statements.syntax import (
    cue_noun,
    cue_words,
    deduplicate,
    is_conditional,
    is_cue_verb,
    is_hedged,
    is_negated,
    is_purpose_clause,
    predicate_chain,
    subject_tokens,
    subtree_without_clauses,
)
from pipeline.wordlists import word_list

READER_PROMPT_RE = re.compile(
    r"\b(your (thoughts|view|views|perspective|opinion)|comments? (below|section)|let us know|"
    r"share (your|this)|subscribe|sign up|newsletter|click here|read more)\b",
    re.I,
)
FIRST_PERSON = frozenset({"we", "i", "us"})
FIRST_PERSON_NOUNS = frozenset({"government", "country", "delegation", "nation", "people", "administration"})


def is_reader_prompt(sentence: Span) -> bool:
    """Questions and calls to the reader are page furniture, never statements."""
    text = sentence.text.strip().rstrip("\"'”’ )")
    return text.endswith("?") or bool(READER_PROMPT_RE.search(sentence.text))


def doc_quotes(doc: Doc) -> list[Quote]:
    """The Doc's quotations, each with the actor of its reporting verb."""
    by_token = actor_by_token(doc)
    return find_quotes(doc, lambda verb: _reporting_subject(doc, verb, by_token))


def find_candidates(doc: Doc, quotes: list[Quote] | None = None) -> list[Candidate]:
    """``quotes``: ``doc_quotes(doc)`` where the caller has them already."""
    by_token = actor_by_token(doc)
    candidates: list[Candidate] = []
    for sentence in doc.sents:
        if is_reader_prompt(sentence):
            continue
        candidates.extend(SentenceReader(doc, sentence, by_token).candidates())
    if quotes is None:
        quotes = doc_quotes(doc)
    for candidate in candidates:
        _attribute_to_quote(doc, candidate, quotes)
    return candidates


def is_first_person(token: Token) -> bool:
    """'we', 'I', 'my government', 'our delegation': the voice of whoever speaks."""
    if token.lower_ in FIRST_PERSON or (token.lower_ in ("our", "my") and token.dep_ == "poss"):
        return True
    return token.lemma_.lower() in FIRST_PERSON_NOUNS and any(
        c.dep_ == "poss" and c.lower_ in ("my", "our") for c in token.children
    )


def _reporting_subject(doc: Doc, verb: Token, by_token: dict[int, ActorMention]) -> ActorMention | None:
    reader = SentenceReader(doc, verb.sent, by_token)
    for item in reader.subjects(verb):
        if item is not None and item[0] is not None:
            return item[0]
    return None


def _attribute_to_quote(doc: Doc, candidate: Candidate, quotes: list[Quote]) -> None:
    """Inside a quote: 'we' is the speaker's side, and the speaker is the quote's speaker."""
    holder_token = doc[candidate.holder_token]
    speaker = speaker_at(quotes, holder_token)
    if speaker is None:
        return
    if candidate.holder is None and is_first_person(holder_token):
        candidate.holder = speaker
        candidate.pronoun = holder_token.i
    elif candidate.speaker is None and candidate.holder is not speaker:
        candidate.speaker = speaker


class SentenceReader(ReportedSpeech, StanceActions, Nominalisations):
    """Rules over one sentence; ``consumed`` keeps a clause from being read twice."""

    def __init__(self, doc: Doc, sentence: Span, by_token: dict[int, ActorMention]) -> None:
        self.doc = doc
        self.sentence = sentence
        self.by_token = by_token
        self.consumed: set[int] = set()
        self.according_to = self._according_to()

    def candidates(self) -> list[Candidate]:
        found: list[Candidate] = []
        for token in self.sentence:
            if token.lemma_ in REPORTING_VERBS and token.pos_ in ("VERB", "AUX"):
                found.extend(self._reported(token))
        for token in self.sentence:
            if token.lower_ == "from" and token.dep_ == "prep":
                found.extend(self._viewpoint(token))
        for token in self.sentence:
            if token.i not in self.consumed and self._is_clause_head(token):
                found.extend(self._action(token))
        for token in self.sentence:
            if token.pos_ == "NOUN" and token.lemma_.lower() in NOMINAL_CUES:
                found.extend(self._nominal(token))
            elif token.pos_ == "NOUN" and token.lower_ in RECIPROCAL_NOUNS:
                found.extend(self._between(token))
        return [each for candidate in deduplicate(self.doc, found) for each in self._per_target(candidate)]

    def _per_target(self, candidate: Candidate) -> list[Candidate]:
        """'lifted embargoes on Iran, Libya and Cuba': one statement per coordinated target, each
        classified on its own; 'talks between Iran and Israel' keep the pair as one target."""
        target = candidate.target
        if target is None:
            return [candidate]
        first = self.doc[target.head]
        while first.dep_ == "conj":
            first = first.head
        if first.head.lower_ in PAIR_PREPOSITIONS:
            return [candidate]
        others: list[ActorMention] = []
        for conjunct in self.doc[target.head].conjuncts:
            mention = self.by_token.get(conjunct.i)
            if (
                mention is not None
                and not mention.modifier
                and mention.entry.key != target.entry.key
                and (candidate.holder is None or mention.entry.key != candidate.holder.entry.key)
                and all(mention.entry.key != o.entry.key for o in others)
            ):
                others.append(mention)
        return [candidate, *(replace(candidate, target=m, split_target=True) for m in others)]

    def _candidate(
        self,
        predicate: Token,
        cue: Token,
        holder: ActorMention | None,
        holder_token: Token,
        speaker: ActorMention | None,
        kind: str,
        *,
        negated_above: bool = False,
        hedged_above: bool = False,
        conditional_above: bool = False,
    ) -> Candidate:
        chain = predicate_chain(predicate)
        target = self._target(chain, holder)
        return Candidate(
            sent_start=self.sentence.start,
            sent_end=self.sentence.end,
            predicate=predicate.i,
            cue=cue_words(cue),
            cue_token=cue.i,
            holder=holder,
            holder_token=holder_token.i,
            pronoun=holder_token.i
            if holder is None or not holder.start <= holder_token.i < holder.end
            else None,
            speaker=speaker if speaker is not holder else None,
            target=target,
            negated=negated_above or is_negated(chain),
            conditional=conditional_above or is_conditional(chain),
            hedged=hedged_above or is_hedged(chain),
            kind=kind,
        )

    def _cue(self, verb: Token) -> Token | None:
        chain = predicate_chain(verb)
        for token in reversed(chain):
            if is_cue_verb(token):
                return token
        for token in chain:
            for child in token.children:
                if child.dep_ in ("dobj", "attr", "dative", "oprd") and cue_noun(token, child):
                    return token
                if child.dep_ == "prep":
                    for obj in child.children:
                        if obj.dep_ == "pobj" and cue_noun(token, obj):
                            return token
        for token in chain:
            for child in token.children:
                # 'work closely with ASEAN to facilitate dialogue': the purpose is the stance
                if is_purpose_clause(child) and is_cue_verb(child):
                    return child
        return None

    def subjects(self, verb: Token) -> list[tuple[ActorMention | None, Token] | None]:
        """Actor(s) doing ``verb``: subject, passive agent, shared or controlling subject."""
        tokens = subject_tokens(verb)
        results: list[tuple[ActorMention | None, Token] | None] = []
        for token in tokens:
            for member in [token, *token.conjuncts]:
                if self.by_token.get(member.i) is None and coref.wants(member) in ("group", "plural"):
                    group = coref.resolve(self.doc, member, self.by_token)
                    if len(group) > 1:  # 'the three countries', 'they': one statement each
                        results.extend((mention, member) for mention in group)
                        continue
                found = self._actor_for(member)
                results.append(found)
                if found is not None and found[0] is not None:
                    # 'Hungarian and Romanian officials agreed': one statement per state
                    results.extend((other, self.doc[other.head]) for other in found[0].coordinated)
        return results

    def _actor_for(self, token: Token) -> tuple[ActorMention | None, Token] | None:
        """The actor a subject token names, or (None, token) for a pronoun to resolve later."""
        for appos in token.children:
            # "Iran's religious leader, Ayatollah Khomeini, rejected": the named person acts
            named = self.by_token.get(appos.i)
            if appos.dep_ == "appos" and named is not None and named.entry.type == "person":
                return named, appos
        mention = self.by_token.get(token.i)
        if mention is not None and not mention.modifier:
            return mention, token
        if token.lower_ in QUANTITY_NOUNS:
            # 'thousands of Chilean students', 'members of the association': the people counted
            for prep in token.children:
                for obj in prep.children if prep.dep_ == "prep" and prep.lower_ == "of" else ():
                    counted = self.by_token.get(obj.i)
                    if obj.dep_ == "pobj" and counted is not None and not counted.modifier:
                        return counted, obj
        lower = token.lower_
        if is_first_person(token):
            return None, token  # the quote's speaker or the document's author, resolved later
        if lower == "it" and (token.dep_ == "expl" or token.head.lemma_ == "be"):
            return None  # "it is important to note", "it was reported that"
        if coref.wants(token) is not None:
            antecedents = coref.resolve(self.doc, token, self.by_token)
            return (antecedents[0], token) if antecedents else None
        if lower in ATTRIBUTION_NOUNS or token.lemma_.lower() in ATTRIBUTION_NOUNS:
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ in ("from", "by", "of"):
                    for obj in prep.children:
                        if obj.i in self.by_token and not self.by_token[obj.i].modifier:
                            return self.by_token[obj.i], obj
        return None

    def _target(self, chain: list[Token], holder: ActorMention | None) -> ActorMention | None:
        for token in chain:
            for child in sorted(token.children, key=lambda c: (c.dep_ not in ("dobj", "dative"), c.i)):
                is_object = child.dep_ in ("dobj", "dative", "attr", "oprd", "nsubjpass")
                if is_object or (child.dep_ == "prep" and child.lower_ in TARGET_PREPOSITIONS):
                    found = self._first_actor(child, holder)
                else:
                    continue
                if found is not None:
                    return found
        return None

    def _first_actor(self, root: Token, holder: ActorMention | None) -> ActorMention | None:
        for token in subtree_without_clauses(root):
            mention = self.by_token.get(token.i)
            if (
                mention is not None
                and mention is not holder
                and (holder is None or mention.entry.key != holder.entry.key)
            ):
                return mention
        return None

    def _according_to(self) -> ActorMention | None:
        for token in self.sentence:
            if token.lower_ == "according" and token.i + 1 < self.sentence.end:
                to = token.nbor(1)
                for obj in to.subtree:
                    mention = self.by_token.get(obj.i)
                    if mention is not None and not mention.modifier:
                        return mention
        return None


PAIR_PREPOSITIONS = frozenset({"between", "among", "amongst"})
QUANTITY_NOUNS = word_list("pipeline.statements", "quantity-nouns")
# Reporting verbs that put a demand on the subject of their clause.
RECIPROCAL_NOUNS = word_list("pipeline.statements", "reciprocal-nouns")
