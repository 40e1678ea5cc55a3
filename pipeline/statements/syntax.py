"""Syntax helpers shared by the statement passes and the attribution decoder: a predicate's
chain of control verbs, its subjects, the clauses a reporting verb introduces, negation,
condition and hedging, the cue's words, and de-duplication of candidates."""

from collections.abc import Iterable, Iterator

from spacy.tokens import Doc, Token

from pipeline.actors.mentions import ActorMention
from pipeline.statements.candidates import Candidate
from pipeline.statements.lexicon import (
    CONDITION_MARKERS,
    CUE_NOUNS,
    HEDGE_WORDS,
    NEGATION_WORDS,
    PARTICLE_REQUIRED,
    PARTICLES_IN_CUE,
    REPORTING_VERBS,
    STANCE_VERBS,
)
from pipeline.wordlists import word_list

RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
NOT_IN_TARGET = frozenset({"ccomp", "advcl", "relcl", "parataxis", "acl", "mark"})
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
RELATIONSHIP_NOUNS = frozenset({"partner", "ally", "allies", "shield", "supplier"})
# Participles that describe the subject's own position, not something done to it.
STATIVE_PARTICIPLES = word_list("pipeline.statements", "stative-participles")
# 'until their demands are met' makes a statement conditional, but unlike 'if' it does not stop
# its clause from being a statement of its own
CONDITIONAL_MARKS = CONDITION_MARKERS | {"until"}
# Who reports news rather than taking a position: '..., the agency said', 'witnesses said'.
SOURCE_NOUNS = word_list("pipeline.statements", "source-nouns")
AGENTIVE_OF = frozenset({"mediation", "efforts", "assistance", "help", "offices", "auspices", "backing"})
AGENTIVE_FROM = frozenset({"deliveries", "delivery", "supplies", "transfers", "shipments"})


def agentive_object(noun: Token, by_token: dict[int, ActorMention]) -> Token | None:
    """'mediation by the EU', 'the good offices of Qatar': the actor doing the noun."""
    for prep in noun.children:
        lemma = noun.lemma_.lower()
        if prep.dep_ != "prep" or not (
            prep.lower_ == "by"
            or (prep.lower_ == "of" and lemma in AGENTIVE_OF)
            or (prep.lower_ == "from" and noun.lower_ in AGENTIVE_FROM)
        ):
            continue
        for obj in prep.children:
            if obj.dep_ == "pobj" and obj.i in by_token and not by_token[obj.i].modifier:
                return obj
    return None


def is_cue_verb(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if lemma not in STANCE_VERBS and lemma not in REPORTING_VERBS:
        return False
    required = PARTICLE_REQUIRED.get(lemma)
    if required is None:
        return True
    attached = {c.lower_ for c in token.children if c.dep_ in ("prt", "prep", "acomp")}
    return bool(attached & required)


def subject_tokens(verb: Token, depth: int = 0) -> list[Token]:
    if depth > 6:
        return []
    agents = [
        obj
        for child in verb.children
        if child.dep_ == "agent"
        for obj in child.children
        if obj.dep_ == "pobj"
    ]
    if agents:
        return agents
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "csubj")]
    if not subjects:  # the small model sometimes hangs the subject on the auxiliary
        subjects = [
            s for aux in verb.children if aux.dep_ == "aux" for s in aux.children if s.dep_ == "nsubj"
        ]
    passive = [c for c in verb.children if c.dep_ == "nsubjpass"]
    if passive and (
        any(c.dep_ == "xcomp" for c in verb.children) or verb.lemma_.lower() in STATIVE_PARTICIPLES
    ):
        subjects = passive  # "Russia is obliged to defend", "Cairo was concerned"
    elif passive:
        return []
    if subjects:
        if verb.dep_ == "relcl" and subjects[0].lower_ in RELATIVE_PRONOUNS:
            pronoun = subjects[0]
            before = pronoun.nbor(-1) if pronoun.i > 0 else pronoun
            if before.is_punct and before.i > 0:
                before = before.nbor(-1)
            # the parser often hangs "..., who said" on the wrong noun; the name right
            # before the pronoun is its antecedent
            return [before if before.pos_ == "PROPN" else verb.head]
        return subjects
    if verb.dep_ == "relcl" and verb.head.pos_ in ("NOUN", "PROPN"):
        return []
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.pos_ in ("VERB", "AUX", "ADJ"):
        return subject_tokens(verb.head, depth + 1)
    return []


def reported_clauses(clause: Token, negated: bool = False) -> Iterator[tuple[Token, bool]]:
    """The clause a reporting verb introduces; through 'it does not mean X ...' to X."""
    chain = predicate_chain(clause)
    has_actor_subject = any(c.dep_ in SUBJECT_DEPS and c.pos_ != "PRON" for c in clause.children)
    deeper = [c for t in chain for c in t.children if c.dep_ == "ccomp"]
    if clause.lemma_ in REPORTING_VERBS and deeper:
        return  # "it was reported that Russia says ...": the inner reporting verb speaks
    cue_free = not any(t.lemma_.lower() in STANCE_VERBS for t in chain)
    if cue_free and not has_actor_subject and deeper:
        for inner in deeper:
            yield from reported_clauses(inner, negated or is_negated(chain))
        return
    yield clause, negated
    for conj in clause.conjuncts:
        if conj.i > clause.i and conj.pos_ in ("VERB", "AUX"):
            yield conj, negated


def predicate_chain(head: Token) -> list[Token]:
    """The predicate and its control complements: 'declined to give', 'offered to act as'."""
    chain = [head]
    frontier = [head]
    while frontier:
        token = frontier.pop()
        for child in token.children:
            if child.dep_ in ("xcomp", "acomp"):
                chain.append(child)
                frontier.append(child)
            elif child.dep_ == "prep" and child.lower_ == "to":  # "committed to continuing to mediate"
                for complement in child.children:
                    if complement.dep_ == "pcomp" and complement.pos_ == "VERB":
                        chain.append(complement)
                        frontier.append(complement)
    return chain


def is_source(subject: Token) -> bool:
    return subject.lemma_.lower() in SOURCE_NOUNS or subject.lower_ in SOURCE_NOUNS


def is_purpose_clause(token: Token) -> bool:
    """A subjectless 'to' clause hanging on the predicate: 'sent troops to help'."""
    return (
        token.dep_ == "advcl"
        and token.pos_ == "VERB"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)
        and not any(c.dep_ in SUBJECT_DEPS for c in token.children)
    )


def is_negated(chain: Iterable[Token]) -> bool:
    for token in chain:
        for child in token.children:
            if child.dep_ == "neg" or (child.dep_ == "advmod" and child.lower_ in NEGATION_WORDS):
                return True
            if child.lower_ == "longer" and any(g.lower_ == "no" for g in child.children):
                return True  # 'will no longer tolerate': the parser hangs 'no' on 'longer'
    return False


def is_conditional(chain: Iterable[Token]) -> bool:
    for token in chain:
        for child in token.children:
            if child.dep_ == "advcl" and (
                any(m.dep_ == "mark" and m.lower_ in CONDITIONAL_MARKS for m in child.children)
                or inverted_condition(child)
            ):
                return True
            if child.dep_ == "prep" and child.lower_ == "unless":
                return True
    return False


def inverted_condition(clause: Token) -> bool:
    """'should a conflict erupt', 'were Iran attacked': a condition without 'if'."""
    subject = next((c for c in clause.children if c.dep_ in SUBJECT_DEPS), None)
    return subject is not None and any(
        c.dep_ in ("aux", "auxpass") and c.lower_ in ("should", "were", "had") and c.i < subject.i
        for c in clause.children
    )


def is_hedged(chain: list[Token]) -> bool:
    for token in chain:
        if token.lemma_.lower() in ("appear", "seem"):
            return True
        for child in token.children:
            # 'may send', 'reportedly sent', 'is likely to send'
            if child.dep_ in ("aux", "advmod", "acomp") and child.lower_ in HEDGE_WORDS:
                return True
    if chain and chain[0].pos_ == "NOUN" and chain[0].dep_ in SUBJECT_DEPS:
        # 'Russia's support appears to be conditional': the noun's own predicate hedges it
        return is_hedged(predicate_chain(chain[0].head))
    return False


def inverted(verb: Token) -> bool:
    """'will Russia defend Iran', 'can these powers do': a question, not a statement."""
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return False
    return any(
        c.dep_ in ("aux", "auxpass") and c.i < subject.i and c.lower_ not in ("to",) for c in verb.children
    ) and not any(c.tag_ in ("WDT", "WP", "WRB") and c.i < subject.i for c in verb.subtree)


def cue_noun(verb: Token, noun: Token) -> bool:
    """An object noun that makes a stance; a relationship noun only with a verb other than
    'be' ('will remain a close partner', not 'is a close partner': a description)."""
    lemma = noun.lemma_.lower()
    if lemma in RELATIONSHIP_NOUNS:
        return verb.lemma_ != "be"
    return lemma in CUE_NOUNS or noun.lower_ in CUE_NOUNS  # 'efforts', 'talks' are listed plural


def cue_words(token: Token) -> str:
    particles = [c.text for c in token.children if c.dep_ == "prt" and c.lower_ in PARTICLES_IN_CUE]
    return " ".join([token.text, *particles])


def subtree_without_clauses(root: Token) -> Iterator[Token]:
    yield root
    for child in root.children:
        if child.dep_ in NOT_IN_TARGET:
            continue
        yield from subtree_without_clauses(child)


def deduplicate(doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per holder and predicate; the first pass to find it wins. A predicate
    inside another of the same holder ('vetoed a package of aid') is part of it, unless the
    two are coordinated ('condemned the strikes and offered to mediate')."""
    seen: set[tuple[int, int, str | None]] = set()
    unique: list[Candidate] = []
    for candidate in candidates:
        holder_key = candidate.holder.entry.key if candidate.holder else None
        key = (candidate.holder_token, candidate.predicate, holder_key)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return [
        c
        for c in unique
        if not any(
            o is not c and same_holder(o, c) and governs(doc[o.predicate], doc[c.predicate]) for o in unique
        )
    ]


def same_holder(a: Candidate, b: Candidate) -> bool:
    if a.holder is not None and b.holder is not None:
        return a.holder.entry.key == b.holder.entry.key
    return a.holder_token == b.holder_token


def governs(outer: Token, inner: Token) -> bool:
    """``outer`` dominates ``inner`` without a coordination on the way."""
    if outer.i == inner.i or not outer.is_ancestor(inner):
        return False
    token = inner
    while token.i != outer.i:
        if token.dep_ == "conj":
            return False
        if token.dep_ == "advcl" and any(c.dep_ in SUBJECT_DEPS for c in token.children):
            return False  # 'accused Russia ..., as it warned of ...': a clause of its own
        token = token.head
    return True
