"""The statement rules' word lists, read from ``pipeline/statements/words/`` (data, not code).

Each file says what its words are for; the names below are what the rules import.
"""

from importlib import resources

from pipeline.wordlists import word_list


def _words(name: str) -> frozenset[str]:
    return word_list("pipeline.statements", name)


REPORTING_VERBS = _words("reporting-verbs")
EPISTEMIC_VERBS = _words("epistemic-verbs")
STANCE_VERBS = _words("stance-verbs")
CUE_NOUNS = _words("cue-nouns")
NOMINAL_CUES = _words("nominal-cues")
ATTRIBUTION_NOUNS = _words("attribution-nouns")
HEDGE_WORDS = _words("hedge-words")
CONDITION_MARKERS = _words("condition-markers")
NEGATION_WORDS = _words("negation-words")
TARGET_PREPOSITIONS = _words("target-prepositions")
PARTICLES_IN_CUE = _words("particles-in-cue")


def _particle_required() -> dict[str, frozenset[str]]:
    text = (
        resources.files("pipeline.statements").joinpath("words", "particle-required.tsv").read_text("utf-8")
    )
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {verb.strip(): frozenset(p.strip() for p in particles.split(",")) for verb, particles in rows}


# Verbs that are a stance only with this particle or complement: 'turned down', 'stands ready'.
PARTICLE_REQUIRED = _particle_required()
