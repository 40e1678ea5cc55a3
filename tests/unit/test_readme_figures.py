"""The README's Guardian figures are the recorded evaluation outputs, not numbers typed by hand.

`make guardian-metrics` reruns `stance evaluate --corpus guardian --json` for dev and test, on
the attribution path and the rules path, into `models/<model>/guardian-<split>.json`; this
test reads the README's table and checks every figure against those files.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = "| | dev, attribution | dev, rules + classifier | test, attribution | test, rules + classifier |"
COLUMNS = [
    ("attribution-mpnet-v3", "dev"),
    ("stance-minilm-v2", "dev"),
    ("attribution-mpnet-v3", "test"),
    ("stance-minilm-v2", "test"),
]
# README row label -> (metric, fields shown in the cell; the interval is the last field's)
ROWS = {
    "holder+stance, support/refusal/mediation: P": ("stances", ["precision"]),
    "R": ("stances", ["recall"]),
    "**F1**": ("stances", ["f1"]),
    "right holder for a support/refusal/mediation gold": ("stances", ["holder_recall"]),
    "holder+stance, all five labels: P / R / F1": ("holder_and_stance", ["precision", "recall", "f1"]),
    "holder (statement found): P / R / F1": ("holder", ["precision", "recall", "f1"]),
    "speaker P / R / F1": ("speaker", ["precision", "recall", "f1"]),
    "target P / R / F1": ("target", ["precision", "recall", "f1"]),
    "quote attribution: right speaker (who says each gold statement of a sentence that quotes)": (
        "quotes",
        ["right_speaker"],
    ),
}
NUMBER = re.compile(r"\d\.\d\d")


def _table() -> dict[str, list[str]]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER)
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def _recorded(model: str, split: str) -> dict:
    return json.loads((ROOT / "models" / model / f"guardian-{split}.json").read_text(encoding="utf-8"))


def _expected(report: dict, metric: str, fields: list[str]) -> list[str]:
    values = [report["metrics"][metric][field] for field in fields]
    interval = report["intervals_95"].get(f"{metric}.{fields[-1]}")
    return [f"{v:.2f}" for v in [*values, *(interval or [])]]


@pytest.mark.parametrize("label", list(ROWS))
def test_each_readme_figure_is_the_recorded_one(label):
    table = _table()
    assert label in table, f"README row {label!r} is gone: update ROWS"
    metric, fields = ROWS[label]
    for (model, split), cell in zip(COLUMNS, table[label], strict=True):
        report = _recorded(model, split)
        assert report["split"] == split
        assert NUMBER.findall(cell) == _expected(report, metric, fields), (label, model, split)


def test_the_recorded_files_are_of_the_models_they_sit_beside():
    for model, split in COLUMNS:
        card = json.loads(
            (
                ROOT
                / "models"
                / model
                / ("attribution.json" if "attribution" in model else "stance_model.json")
            ).read_text()
        )
        assert _recorded(model, split)["model"] == f"{card['name']}@{card['version']}"
