"""Word lists kept as data (``<package>/words/<name>.txt``), so that they are reviewed as data.

One word or phrase per line, lower case; blank lines and lines starting with '#' are skipped.
"""

from functools import cache
from importlib import resources


@cache
def word_list(package: str, name: str) -> frozenset[str]:
    text = resources.files(package).joinpath("words", f"{name}.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
