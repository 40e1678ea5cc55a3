"""Pass 2 of the statement rules: stance actions, a cue verb with an actor subject or passive
agent ('Moscow signed a pact with Iran')."""

from spacy.tokens import Token

from pipeline.statements.candidates import Candidate
from pipeline.statements.lexicon import CONDITION_MARKERS
from pipeline.statements.reported import DIRECTIVE_VERBS
from pipeline.statements.syntax import SUBJECT_DEPS, inverted

CLAUSE_DEPS_TO_SKIP = frozenset({"pcomp", "acl", "csubj", "amod", "compound", "npadvmod"})


class StanceActions:
    """Methods of ``SentenceReader`` (its state: doc, sentence, by_token, consumed)."""

    def _is_clause_head(self, token: Token) -> bool:
        if token.pos_ not in ("VERB", "AUX", "ADJ") or token.dep_ in ("xcomp", "acomp", "aux", "auxpass"):
            return False
        if token.pos_ == "ADJ" and token.dep_ not in ("ROOT", "conj", "ccomp"):
            return False
        if token.dep_ == "ccomp" and token.head.lemma_ in DIRECTIVE_VERBS:
            return False  # 'demanded that Mugabe abandon the policy': the demand, not Mugabe's act
        if token.dep_ in CLAUSE_DEPS_TO_SKIP and not (
            token.dep_ == "acl" and any(c.dep_ == "agent" for c in token.children)
        ):
            return False  # ... except "talks facilitated by Norway"
        # adverbial clauses without a subject ("..., citing its obligations", "to protect its
        # skies") describe the main clause's action rather than state a new one
        if token.dep_ == "advcl" and any(
            c.dep_ == "mark" and c.lower_ in CONDITION_MARKERS for c in token.children
        ):
            return False  # "if the U.S. starts bombing" is a condition, not a statement
        return not (token.dep_ == "advcl" and not any(c.dep_ in SUBJECT_DEPS for c in token.children))

    def _action(self, verb: Token) -> list[Candidate]:
        if inverted(verb):
            return []
        cue = self._cue(verb)
        if cue is None:
            return []
        subjects = self.subjects(verb)
        results = []
        for item in subjects:
            if item is None:
                continue
            mention, token = item
            speaker = self.according_to if self.according_to is not mention else None
            results.append(self._candidate(verb, cue, mention, token, speaker, "action"))
        return results
