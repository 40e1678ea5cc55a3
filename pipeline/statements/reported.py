"""Pass 1 of the statement rules: reported speech ('X said that Y would ...'), demands on
others ('Russia said Sudan must ...') and viewpoint phrases ('from Moscow's perspective')."""

from spacy.tokens import Token

from pipeline.actors.mentions import ActorMention
from pipeline.statements.candidates import Candidate
from pipeline.statements.lexicon import EPISTEMIC_VERBS
from pipeline.statements.syntax import inverted, is_conditional, is_source, reported_clauses

DIRECTIVE_VERBS = frozenset({"demand", "ask", "request", "urge", "insist"})
OBLIGATION_MODALS = frozenset({"must", "should", "ought"})
VIEWPOINT_NOUNS = frozenset({"standpoint", "perspective", "viewpoint", "vantage"})


class ReportedSpeech:
    """Methods of ``SentenceReader`` (its state: doc, sentence, by_token, consumed)."""

    def _reported(self, verb: Token) -> list[Candidate]:
        if inverted(verb):
            return []
        complements = [c for c in verb.children if c.dep_ in ("ccomp", "parataxis")]
        if verb.dep_ == "parataxis" and verb.head.pos_ in ("VERB", "AUX"):
            complements.append(verb.head)  # "Paris will not send troops, the minister said."
        if not complements:
            return []
        speakers = [m for m in self.subjects(verb) if m is not None]
        speaker = speakers[0][0] if speakers else None
        epistemic = verb.lemma_ in EPISTEMIC_VERBS
        results: list[Candidate] = []
        self.consumed.add(verb.i)
        for complement in complements:
            for clause, negated_above in reported_clauses(complement):
                self.consumed.add(clause.i)
                holders = [h for h in self.subjects(clause) if h is not None]
                demand = self._demand(verb, clause, speakers, holders)
                if demand is not None:
                    results.append(demand)
                    continue
                if not holders and speakers and is_source(speakers[0][1]):
                    continue  # '..., Belgrade radio said': a source of news, not a position
                cue_token = self._cue(clause) or verb
                # no actor in the reported clause: the speaker holds the position themself
                for mention, token in holders or speakers:
                    results.append(
                        self._candidate(
                            clause,
                            cue_token,
                            mention,
                            token,
                            speaker if holders else mention,
                            "reported",
                            negated_above=negated_above,
                            hedged_above=epistemic,
                            # 'If war breaks out, experts believe Russia will support Iran'
                            conditional_above=is_conditional([verb]),
                        )
                    )
        return results

    def _demand(
        self,
        verb: Token,
        clause: Token,
        speakers: list[tuple[ActorMention | None, Token]],
        holders: list[tuple[ActorMention | None, Token]],
    ) -> Candidate | None:
        """'Russia said Sudan must return the helicopter', 'Greece demanded that its partners
        refuse': the speaker's demand on the clause's subject, not the subject's own position."""
        if not speakers or not holders:
            return None
        if verb.lemma_ not in DIRECTIVE_VERBS and not any(
            c.dep_ == "aux" and c.lower_ in OBLIGATION_MODALS for c in clause.children
        ):
            return None
        speaker, speaker_token = speakers[0]
        subject = holders[0][0]
        if subject is None or (speaker is not None and subject.entry.key == speaker.entry.key):
            return None  # 'Russia said it must defend its interests' is Russia's own position
        candidate = self._candidate(clause, verb, speaker, speaker_token, None, "reported")
        candidate.target = subject
        return candidate

    def _viewpoint(self, prep: Token) -> list[Candidate]:
        """'From the U.S. standpoint, X is ...', 'from Moscow's perspective': the clause is
        the owner's view, as if they had said it."""
        noun = next((c for c in prep.children if c.dep_ == "pobj"), None)
        clause = prep.head
        if noun is None or clause.i in self.consumed or clause.pos_ not in ("VERB", "AUX"):
            return []
        lemma = noun.lemma_.lower()
        if lemma == "point":  # 'point of view'
            view = [g for c in noun.children if c.lower_ == "of" for g in c.children if g.lemma_ == "view"]
            if not view:
                return []
            noun = view[0]
        elif lemma not in VIEWPOINT_NOUNS:
            return []
        owners = [c for c in noun.children if c.dep_ in ("poss", "compound", "amod", "nmod")]
        owners += [g for c in noun.children if c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
        for owner in owners:
            mention = next((self.by_token[t.i] for t in owner.subtree if t.i in self.by_token), None)
            if mention is not None:
                self.consumed.add(clause.i)
                cue = self._cue(clause) or noun
                return [self._candidate(clause, cue, mention, owner, None, "reported")]
        return []
