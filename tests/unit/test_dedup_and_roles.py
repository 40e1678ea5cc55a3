"""De-duplication keeps the copy that says most about itself; actors get affiliation and sector."""

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.actors.gazetteer import load_gazetteer
from pipeline.actors.roles import affiliation, sector, with_roles
from pipeline.ingest import IngestConfig, read_articles
from pipeline.output.records import Actor, ArticleRecord, StatementRecord
from pipeline.output.schemas import load_schema
from pipeline.paths import CORPORA_DIR

TEXT = "Oslo pledged air-defence batteries to Kyiv on Monday.\n\nAnkara turned down the request."


def _inputs(folder: Path) -> tuple[Path, Path, Path]:
    plain = folder / "a-copy.txt"
    plain.write_text(TEXT, encoding="utf-8")
    wire = folder / "b-wire.jsonl"
    wire.write_text(
        json.dumps({"text": TEXT, "url": "https://wire.example/2", "published": "5 March 2026", "title": "T"})
        + "\n",
        encoding="utf-8",
    )
    mirror = folder / "c-mirror.jsonl"
    mirror.write_text(json.dumps({"text": TEXT, "url": "https://mirror.example/1"}) + "\n", encoding="utf-8")
    return plain, wire, mirror


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 0, 2)])
def test_the_copy_with_most_metadata_is_kept_and_urls_merge(tmp_path, order):
    files = _inputs(tmp_path)
    result = read_articles([files[i] for i in order], IngestConfig())
    (kept,) = result.articles
    assert kept.source == "https://wire.example/2" and kept.url == "https://wire.example/2"
    assert kept.published == "2026-03-05" and kept.title == "T"
    assert kept.urls == ("https://mirror.example/1", "https://wire.example/2")
    assert sorted(result.duplicates) == sorted([str(files[0]), "https://mirror.example/1"])


def test_an_unreadable_date_is_null_and_remembered_for_the_warning(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"text": TEXT, "published": "sometime soon"}) + "\n", encoding="utf-8")
    (article,) = read_articles([path], IngestConfig()).articles
    assert article.published is None and article.published_raw == "sometime soon"


GAZETTEER = load_gazetteer(CORPORA_DIR / "gazetteer")


def _actor(name: str, kind: str, code: str | None = None, title: str | None = None) -> Actor:
    return Actor(name=name, mention=name, type=kind, country_code=code, title=title)


def test_an_official_speaks_for_the_state_an_expert_for_himself():
    minister = _actor("Selim Karaca", "person", "TUR", "foreign minister")
    ref = affiliation(minister, GAZETTEER)
    assert ref is not None and ref.type == "state" and ref.country_code == "TUR" and ref.id == "Q43"
    assert sector(minister, GAZETTEER) == "government"
    general = _actor("Ana Ruiz", "person", "ESP", "general")
    assert sector(general, GAZETTEER) == "military" and affiliation(general, GAZETTEER).country_code == "ESP"
    assert affiliation(_actor("Dr Lee", "person", "KOR", "analyst"), GAZETTEER) is None
    assert affiliation(_actor("Nobody", "person", "FRA"), GAZETTEER) is None  # no office: no voice


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (_actor("Norway", "state", "NOR"), "government"),
        (_actor("United Nations", "organization"), "IGO"),
        (_actor("International Committee of the Red Cross", "organization"), "NGO"),
        (_actor("Islamic Revolutionary Guard Corps", "organization", "IRN"), "military"),
        (_actor("Hezbollah", "group", "LBN"), "rebel"),
        (_actor("the West", "other"), None),
    ],
)
def test_sector_follows_type_and_the_gazetteer(actor, expected):
    assert sector(actor, GAZETTEER) == expected
    assert with_roles(actor, GAZETTEER).sector == expected


def test_schema_1_1_accepts_a_v1_record_and_declares_the_date_format():
    v1 = {
        "schema_version": "1", "statement_id": "0123456789abcdef", "article_id": "fedcba9876543210",
        "sentence_index": 0, "char_start": 0, "char_end": 4, "text": "Oslo",
        "holder": {"name": "Norway", "mention": "Oslo", "type": "state"}, "cue": "pledged",
        "stance": "support", "confidence": 0.9,
        "scores": {"support": 0.9, "refusal": 0.025, "mediation": 0.025, "opposition": 0.025,
                   "neutral": 0.025},
        "model": "stance-minilm@2.6.0",
    }  # fmt: skip
    jsonschema.validate(v1, load_schema("statement"))
    StatementRecord.model_validate(v1)
    schema = load_schema("article")
    jsonschema.validate(
        {"article_id": "a" * 16, "source": "x", "text": "t", "published": "2026-03-05"}, schema
    )
    jsonschema.validate({"article_id": "a" * 16, "source": "x", "text": "t", "published": None}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"article_id": "a" * 16, "source": "x", "text": "t", "published": "5 March 2026"}, schema
        )
    with pytest.raises(ValueError):
        ArticleRecord(article_id="a" * 16, source="x", text="t", published="2026-3-5")


def test_an_organisation_the_gazetteer_does_not_know_has_no_sector():
    assert sector(_actor("Amnesty International", "organization"), GAZETTEER) is None
    assert sector(_actor("Reuters", "organization"), GAZETTEER) is None


def test_a_sector_outside_the_schema_is_refused_when_the_gazetteer_loads(tmp_path):
    import shutil

    from pipeline.actors.errors import GazetteerError
    from pipeline.actors.gazetteer import build_gazetteer

    folder = tmp_path / "gazetteer"
    shutil.copytree(CORPORA_DIR / "gazetteer", folder)
    (folder / "sectors.tsv").write_text("name\tsector\nHamas\tRebel\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"sectors.tsv:2: unknown sector 'Rebel'"):
        build_gazetteer(folder)
