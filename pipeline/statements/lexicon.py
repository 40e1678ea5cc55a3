"""Words that signal an attributed statement. They select candidates; the classifier labels them."""

REPORTING_VERBS = frozenset({
    "say", "state", "tell", "disclose", "note", "warn", "add", "announce", "claim", "insist",
    "stress", "reiterate", "confirm", "declare", "indicate", "report", "explain", "argue",
    "suggest", "believe", "write", "acknowledge", "emphasize", "emphasise", "assert", "signal",
    "underline", "admit", "reply", "respond", "affirm", "vow", "pledge", "promise", "threaten",
    "predict", "expect", "think", "caution", "complain", "allege", "concede", "remark", "observe",
    "reveal", "hint", "tweet", "post", "recall", "deny", "agree", "contend",
})
# Reporting verbs whose subject voices an expectation, not a position: their content is hedged.
EPISTEMIC_VERBS = frozenset({
    "believe", "expect", "suggest", "indicate", "think", "predict", "speculate", "estimate",
    "appear", "seem", "assume", "suspect",
})
STANCE_VERBS = frozenset({
    # support
    "support", "back", "endorse", "sign", "supply", "provide", "deliver", "send", "pledge", "aid",
    "help", "assist", "defend", "protect", "arm", "ship", "ratify", "commit", "welcome",
    "reaffirm", "recognize", "recognise", "approve", "guarantee", "export", "transfer", "fund",
    "finance", "train", "equip", "bolster", "side", "join", "ally", "offer", "promise", "vow",
    "donate", "grant", "deploy", "sell", "extend", "praise", "applaud", "hail", "stand",
    "back", "champion", "embrace", "accept", "allow", "lift",
    # refusal
    "decline", "refuse", "reject", "rule", "veto", "spurn", "turn", "dismiss", "balk", "block",
    "boycott", "withdraw", "resist", "rebuff", "snub", "halt", "suspend", "abstain", "shun",
    "oppose", "stop", "freeze", "scrap", "cancel", "walk",
    # mediation
    "mediate", "broker", "host", "facilitate", "urge", "call", "appeal", "propose", "invite",
    "convene", "negotiate", "encourage", "press", "arbitrate", "intercede", "plead",
    # opposition
    "condemn", "criticize", "criticise", "accuse", "protest", "threaten", "denounce", "slam",
    "blame", "warn", "sanction", "summon", "expel", "attack", "decry", "deplore", "censure",
    "rebuke", "lambast", "castigate", "demand", "retaliate", "impose", "punish", "target",
    # neutral but attributable
    "ask", "request", "seek", "express", "discuss", "meet", "visit", "eye", "consider",
    "review", "study", "plan", "intend", "concern", "worry", "comment", "act", "prepare",
    "oblige", "obligate",
})
# Object nouns that make an otherwise plain verb a stance ("act as a mediator", "signed a pact").
CUE_NOUNS = frozenset({
    "mediator", "mediation", "talks", "ceasefire", "truce", "restraint", "calm", "de-escalation",
    "dialogue", "negotiation", "negotiations", "pact", "treaty", "agreement", "deal", "accord",
    "support", "aid", "assistance", "weapon", "weapons", "arms", "troops", "sanctions",
    "condemnation", "alliance", "guarantee", "request", "proposal", "offer", "veto", "plan",
    "bridge", "guarantor", "peace", "solidarity",
})
# Nouns that carry a stance of their possessor: "Washington's support for ...".
NOMINAL_CUES = frozenset({
    "support", "backing", "refusal", "rejection", "mediation", "condemnation", "offer", "pledge",
    "commitment", "reluctance", "assistance", "aid", "veto", "opposition", "criticism",
    "endorsement", "call", "appeal", "threat", "accusation", "proposal", "help", "invitation",
    "warning", "decision", "objection", "demand", "sanctions", "recognition", "willingness",
    "unwillingness", "readiness", "insistence", "protest",
})
# Subject nouns that pass attribution to their 'from'/'by' object: "statements from X".
ATTRIBUTION_NOUNS = frozenset({
    "statement", "statements", "remark", "remarks", "comment", "comments", "announcement",
    "message", "words", "signal", "signals", "communique", "letter", "declaration",
})
HEDGE_WORDS = frozenset({
    "may", "might", "could", "reportedly", "allegedly", "apparently", "possibly", "likely",
    "perhaps", "probably", "seemingly", "reported", "unlikely",
})
CONDITION_MARKERS = frozenset({"if", "unless", "provided", "providing", "once", "should"})
NEGATION_WORDS = frozenset({"not", "n't", "never", "no", "nor", "neither", "hardly", "without"})
TARGET_PREPOSITIONS = frozenset({
    "to", "with", "for", "against", "toward", "towards", "on", "between", "from", "at", "over",
    "of", "into",
})
PARTICLES_IN_CUE = frozenset({"out", "down", "up", "off", "back", "away"})
