"""Pass 3 of the statement rules: nominalisations with an actor owner ('Washington's support
for ...', 'the Russian refusal') and reciprocal nouns ('talks between Iran and Israel')."""

from spacy.tokens import Token

from pipeline.statements.candidates import Candidate
from pipeline.statements.syntax import agentive_object, subject_tokens
from pipeline.wordlists import word_list

# Nominalisations strong enough to attribute through a possessive pronoun ("its refusal").
STRONG_NOMINALS = word_list("pipeline.statements", "strong-nominals")


class Nominalisations:
    """Methods of ``SentenceReader`` (its state: doc, sentence, by_token, consumed)."""

    def _nominal(self, noun: Token) -> list[Candidate]:
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        if owner is None:
            owner = next(
                (c for c in noun.children if c.dep_ in ("amod", "compound") and c.i in self.by_token), None
            )
        if owner is None:
            owner = agentive_object(noun, self.by_token)
        if owner is None:
            return []
        adjective = self.by_token.get(owner.i)
        if adjective is not None and adjective.modifier:  # "the Russian refusal"
            return [self._candidate(noun, noun, adjective, owner, self.according_to, "nominal")]
        if owner.pos_ == "PRON" and noun.lemma_.lower() not in STRONG_NOMINALS:
            return []  # "its commitments": too weak to resolve a pronoun for
        resolved = self._actor_for(owner)
        if resolved is None:
            return []
        mention, token = resolved
        return [self._candidate(noun, noun, mention, token, self.according_to, "nominal")]

    def _between(self, noun: Token) -> list[Candidate]:
        """'talks between Moscow and Kyiv', 'exchanges between Moscow and Tel Aviv': each side
        takes part; one candidate per side (usually neutral, the classifier decides)."""
        governor = noun.head
        while governor.pos_ not in ("VERB", "AUX") and governor.head.i != governor.i:
            governor = governor.head
        if any(s.i in self.by_token for s in subject_tokens(governor)):
            return []  # 'Mexico is hosting negotiations between ...': the sentence is Mexico's
        results = []
        # 'tension and exchanges between X and Y': the phrase may hang on the first conjunct
        heads = [noun, noun.head] if noun.dep_ == "conj" else [noun]
        for prep in (child for head in heads for child in head.children):
            if prep.dep_ != "prep" or prep.lower_ != "between":
                continue
            for obj in prep.children:
                if obj.dep_ != "pobj":
                    continue
                for member in [obj, *obj.conjuncts]:
                    mention = self.by_token.get(member.i)
                    if mention is not None and not any(r.holder is mention for r in results):
                        results.append(self._candidate(noun, noun, mention, member, None, "nominal"))
        return results if len(results) >= 2 else []

    # -- shared pieces ----------------------------------------------------------------
