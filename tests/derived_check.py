"""One check shared by the flow tests: the derived outputs hold exactly the JSONL's rows."""

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_derived_in_step(out: Path) -> None:
    statements, articles = _jsonl(out / "statements.jsonl"), _jsonl(out / "articles.jsonl")
    assert pq.read_table(out / "statements.parquet").to_pylist() == statements
    assert pq.read_table(out / "articles.parquet").to_pylist() == articles
    with (out / "statements.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["statement_id"] for row in rows] == [s["statement_id"] for s in statements]
    positions = _jsonl(out / "positions.jsonl")
    assert pq.read_table(out / "positions.parquet").to_pylist() == positions
    assert sum(row["statements"] for row in positions) == len(statements)
    assert "# Stance run report" in (out / "report.md").read_text(encoding="utf-8")
