"""The PLOVER event type a statement's stance and cue map to (schema 1.1 ``plover``).

The table is data (``plover.tsv`` beside this module: each cue entry is a word start, or a
whole word where it ends in ``=``) so that analysts can read and change it
without reading code; neutral statements map to nothing.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pipeline import STANCE_LABELS

WORD_RE = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class PloverRule:
    stance: str
    prefixes: tuple[str, ...]
    plover: str
    mode: str | None
    example_cue: str

    def matches(self, stance: str, words: list[str]) -> bool:
        if stance != self.stance:
            return False
        return not self.prefixes or any(_starts(word, prefix) for word in words for prefix in self.prefixes)


def _starts(word: str, prefix: str) -> bool:
    """A prefix matches the start of a word; one that ends in '=' matches the whole word only
    ("sign=" is sign, not signal)."""
    return word == prefix[:-1] if prefix.endswith("=") else word.startswith(prefix)


@cache
def plover_rules() -> tuple[PloverRule, ...]:
    text = resources.files("pipeline.output").joinpath("plover.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    rules = []
    for row in rows:
        if row["stance"] not in STANCE_LABELS:
            raise ValueError(f"plover.tsv: unknown stance {row['stance']!r}")
        prefixes = tuple(p for p in row["cue_prefixes"].split("|") if p)
        rules.append(
            PloverRule(row["stance"], prefixes, row["plover"], row["mode"] or None, row["example_cue"])
        )
    return tuple(rules)


def plover_code(stance: str, cue: str) -> tuple[str | None, str | None]:
    """(PLOVER type, mode) for a stance and its cue; (None, None) for neutral."""
    words = WORD_RE.findall(cue.casefold())
    for rule in plover_rules():
        if rule.matches(stance, words):
            return rule.plover, rule.mode
    return None, None
