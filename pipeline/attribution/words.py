"""The word lists of ``words/*.txt``: data, not code, so that they are reviewed as data."""

from functools import cache
from importlib import resources


@cache
def word_list(name: str) -> frozenset[str]:
    """The words of ``words/<name>.txt`` (lower case; blank lines and '#' comments skipped)."""
    text = resources.files("pipeline.attribution").joinpath("words", f"{name}.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
