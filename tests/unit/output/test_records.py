import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from pipeline import STANCE_LABELS
from pipeline.output import Actor, ArticleRecord, StatementRecord
from pipeline.output.records import RECORD_KINDS
from pipeline.output.schemas import load_schema, render_schema, schema_filename

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "pipeline" / "output" / "schemas"
TEXT = "Qatar offered to host talks. Egypt endorsed the plan."


def _statement(**changes) -> dict:
    scores = dict.fromkeys(STANCE_LABELS, 0.05)
    scores["mediation"] = 0.8
    base = {
        "statement_id": "0123456789abcdef",
        "article_id": "fedcba9876543210",
        "sentence_index": 0,
        "char_start": 0,
        "char_end": 28,
        "text": TEXT[:28],
        "holder": {
            "name": "Qatar",
            "mention": "Qatar",
            "type": "state",
            "country": "Qatar",
            "country_code": "QAT",
            "id": "Q846",
        },
        "cue": "offered",
        "stance": "mediation",
        "confidence": 0.8,
        "scores": scores,
        "model": "stance-minilm@1.0.0",
    }
    base.update(changes)
    return base


def test_shipped_schemas_match_the_records():
    for kind in RECORD_KINDS:
        shipped = (SCHEMA_DIR / schema_filename(kind)).read_text(encoding="utf-8")
        assert shipped == render_schema(kind), f"regenerate {schema_filename(kind)}"
        assert load_schema(kind) == json.loads(shipped)


def test_valid_statement_passes_model_and_schema():
    data = _statement()
    record = StatementRecord.model_validate(data)
    jsonschema.validate(record.model_dump(mode="json"), load_schema("statement"))


@pytest.mark.parametrize(
    "change",
    [
        {"char_end": 30},  # offsets do not fit the evidence
        {"confidence": 1.5},
        {"stance": "support"},  # not the top score
        {"scores": {"support": 1.0}},
        {"holder": {"name": "Qatar", "mention": "Qatar", "type": "state", "country_code": "qat"}},
        {"holder": {"name": "Qatar", "mention": "Qatar", "type": "state", "id": "846"}},
        {"model": "no-version"},
    ],
)
def test_invalid_statements_are_rejected(change):
    with pytest.raises(ValidationError):
        StatementRecord.model_validate(_statement(**change))


def test_schema_rejects_unknown_stance():
    data = StatementRecord.model_validate(_statement()).model_dump(mode="json")
    data["stance"] = "anger"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_schema("statement"))


def test_article_furniture_must_be_inside_the_text():
    with pytest.raises(ValidationError):
        ArticleRecord(
            article_id="0123456789abcdef",
            source="a.txt",
            text=TEXT,
            furniture=[{"kind": "caption", "char_start": 0, "char_end": 999}],
        )


def test_actor_type_is_closed():
    with pytest.raises(ValidationError):
        Actor(name="X", mention="X", type="city")
