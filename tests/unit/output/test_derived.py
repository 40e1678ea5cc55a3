"""Outputs derived from the JSONL: Parquet, flat CSV, actor positions, the run report."""

import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from pipeline import STANCE_LABELS
from pipeline.output.derived import (
    ARTICLE_SCHEMA,
    STATEMENT_SCHEMA,
    csv_columns,
    positions,
    render_csv,
    render_report,
    write_derived,
    write_parquet,
)
from pipeline.output.records import StatementRecord

TEXT = "Ankara refused the plan. Oslo pledged tents to Kyiv."


def _statement(n: int, holder: dict, stance: str, confidence: float, **extra) -> dict:
    scores = dict.fromkeys(STANCE_LABELS, (1 - confidence) / 4)
    scores[stance] = confidence
    record = StatementRecord(
        statement_id=f"{n:016x}", article_id=extra.pop("article_id", "a" * 16), sentence_index=0,
        char_start=0, char_end=24, text=TEXT[:24], holder=holder, cue=extra.pop("cue", "refused"),
        stance=stance, confidence=confidence, scores=scores, model="stance-test@1", **extra,
    )  # fmt: skip
    return record.model_dump(mode="json")


LAVROV = {
    "name": "Sergei Lavrov", "mention": "Lavrov", "type": "person", "country_code": "RUS",
    "title": "foreign minister", "sector": "government",
    "affiliation": {"name": "Russia", "type": "state", "country_code": "RUS", "id": "Q159"},
}  # fmt: skip
RUSSIA = {
    "name": "Russia",
    "mention": "Moscow",
    "type": "state",
    "country_code": "RUS",
    "sector": "government",
}
TURKEY = {"name": "Turkey", "mention": "=Ankara", "type": "state", "country_code": "TUR"}
UKRAINE = {"name": "Ukraine", "mention": "Kyiv", "type": "state", "country_code": "UKR"}


@pytest.fixture()
def statements() -> list[dict]:
    return [
        _statement(1, LAVROV, "refusal", 0.9, published="2026-03-01", target=UKRAINE),
        _statement(2, RUSSIA, "refusal", 0.7, published="2026-03-09", article_id="b" * 16, target=UKRAINE),
        _statement(3, RUSSIA, "refusal", 0.8, published="2026-02-20", article_id="c" * 16, target=UKRAINE),
        _statement(4, TURKEY, "support", 0.6, negated=True, cue="@pledged", target=UKRAINE),
    ]


def test_positions_count_statements_articles_sources_and_dates(statements):
    sources = {"a" * 16: "https://x.example/1", "b" * 16: "https://x.example/1", "c" * 16: "/in/c.txt"}
    rows = positions(statements, sources)
    russia = next(r for r in rows if r["holder"] == "Russia")
    assert (russia["statements"], russia["articles"], russia["sources"]) == (2, 2, 2)
    assert (russia["first_published"], russia["last_published"]) == ("2026-02-20", "2026-03-09")
    assert russia["mean_confidence"] == pytest.approx(0.75)
    assert russia["evidence"] == [f"{3:016x}", f"{2:016x}"]  # strongest first
    assert sum(r["statements"] for r in rows) == len(statements)
    rolled = positions(statements, sources, roll_up=True)
    assert next(r for r in rolled if r["holder"] == "Russia")["statements"] == 3  # Lavrov counts for Russia
    assert {r["holder"] for r in rolled} == {"Russia", "Turkey"}
    since = positions(statements, sources, keep=lambda s: (s.get("published") or "") >= "2026-03-01")
    assert sum(r["statements"] for r in since) == 2


def test_csv_is_flat_with_true_false_and_no_formulas(statements):
    rows = list(csv.DictReader(io.StringIO(render_csv(statements))))
    assert list(rows[0]) == csv_columns()
    turkey = rows[3]
    assert turkey["holder_name"] == "Turkey" and turkey["holder_mention"] == "'=Ankara"
    assert turkey["cue"] == "'@pledged" and turkey["negated"] == "true" and turkey["hedged"] == "false"
    assert rows[0]["holder_affiliation_name"] == "Russia" and rows[0]["target_country_code"] == "UKR"
    assert rows[0]["speaker_name"] == "" and float(rows[0]["score_refusal"]) == pytest.approx(0.9)


def test_parquet_holds_the_same_rows_with_actors_as_structs(statements, tmp_path):
    path = tmp_path / "statements.parquet"
    write_parquet(path, statements, STATEMENT_SCHEMA)
    table = pq.read_table(path)
    assert table.to_pylist() == statements
    assert str(table.schema.field("holder").type).startswith("struct<name: string")
    assert table.schema.field("negated").type == "bool"
    assert not list(tmp_path.glob(".*.tmp"))


def test_v1_rows_without_the_new_fields_still_convert(tmp_path):
    old = {"schema_version": "1", "article_id": "a" * 16, "source": "x.txt", "title": None,
           "published": "5 March 2026", "text": "T", "furniture": []}  # fmt: skip
    write_parquet(tmp_path / "a.parquet", [old], ARTICLE_SCHEMA)
    row = pq.read_table(tmp_path / "a.parquet").to_pylist()[0]
    assert row["url"] is None and row["urls"] is None and row["published"] == "5 March 2026"


def test_report_has_counts_positions_chart_and_least_confident(statements):
    report = render_report([{"article_id": "a" * 16}], statements, positions(statements, {}), errors=2)
    assert "1 articles, 4 statements, 2 inputs failed" in report
    assert "| refusal | 3 |" in report
    assert "| Russia | refusal | Ukraine | 2 | 2 | 2026-02-20 | 2026-03-09 |" in report
    assert report.count("<svg") == 1 and "<title>refusal: 2</title>" in report
    least = report.split("## Least confident")[1]
    assert least.index("0.60") < least.index("0.70")


def test_write_derived_rebuilds_everything_from_the_jsonl(statements, tmp_path):
    (tmp_path / "statements.jsonl").write_text("".join(json.dumps(s) + "\n" for s in statements))
    article = {"schema_version": "1.1", "article_id": "a" * 16, "source": "x.txt", "text": TEXT, "urls": []}
    (tmp_path / "articles.jsonl").write_text(json.dumps(article) + "\n")
    write_derived(tmp_path, errors=0)
    assert pq.read_table(tmp_path / "statements.parquet").num_rows == 4
    positions_rows = [json.loads(x) for x in (tmp_path / "positions.jsonl").read_text().splitlines()]
    assert sum(r["statements"] for r in positions_rows) == 4
    # a shorter JSONL (a cut uncommitted tail) gives shorter derived files
    (tmp_path / "statements.jsonl").write_text(json.dumps(statements[0]) + "\n")
    write_derived(tmp_path, errors=0)
    assert pq.read_table(tmp_path / "statements.parquet").num_rows == 1
    assert len((tmp_path / "statements.csv").read_text().splitlines()) == 2


def test_report_text_from_articles_is_inert(statements):
    evil = {**RUSSIA, "name": "<img src=x onerror=alert(1)> [x](javascript:alert(1)) ![](https://evil/x.png)"}
    bad = _statement(9, evil, "refusal", 0.3, target=UKRAINE)
    report = render_report([], [*statements, bad], positions([*statements, bad], {}), errors=0)
    assert "<img" not in report and "&lt;img src=x onerror=alert\\(1\\)&gt;" in report
    assert "](javascript" not in report and "![](" not in report
    assert report.count("<svg") == 1  # the chart is the only markup


def test_sources_are_sites_or_input_files():
    from pipeline.output.derived import source_name

    assert source_name({"source": "https://www.theguardian.com/world/1", "url": None}) == "theguardian.com"
    assert (
        source_name({"source": "feeds/wire.jsonl:7", "url": "https://wire.example/a?b=1"}) == "wire.example"
    )
    assert source_name({"source": "feeds/wire.jsonl:7"}) == "feeds/wire.jsonl"
