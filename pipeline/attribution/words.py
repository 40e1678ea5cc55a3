"""The attribution candidates' word lists (``pipeline/attribution/words/*.txt``)."""

from pipeline.wordlists import word_list as _word_list


def word_list(name: str) -> frozenset[str]:
    return _word_list("pipeline.attribution", name)
