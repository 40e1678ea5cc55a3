"""Label Studio: tasks and labeling config out, annotations back in as corrections."""

import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from pipeline import STANCE_LABELS
from review.corrections import review_all
from review.errors import ImportFormatError
from review.labelstudio import LABELING_CONFIG, NOT_A_STATEMENT, import_tasks, tasks
from review.run_data import load_run
from review.store import CorrectionStore
from stance_cli.main import app as cli
from tests.review.conftest import csrf_of


@pytest.fixture
def run(run_dir):
    return load_run(run_dir)


def by_holder(run):
    return {s.holder.name: s.statement_id for s in run.statements.values()}


def test_labeling_config_matches_the_tasks(run, tmp_path):
    config = ET.fromstring(LABELING_CONFIG)
    controls = {el.get("name"): el for el in config if el.get("toName")}
    assert controls["stance"].tag == "Choices" and controls["stance"].get("toName") == "text"
    assert [c.get("value") for c in controls["stance"]] == [*STANCE_LABELS, NOT_A_STATEMENT]
    assert controls["holder"].tag == controls["target"].tag == "TextArea"
    assert config.find("Text").get("value") == "$text"
    store = CorrectionStore(tmp_path / "db.sqlite")
    exported = tasks(review_all(run, store.active_events()), run)
    assert len(exported) == 6
    first = exported[0]
    assert first["data"]["text"] and first["data"]["statement_id"] in run.statements
    [prediction] = first["predictions"]
    [item] = prediction["result"]
    assert (item["from_name"], item["to_name"], item["type"]) == ("stance", "text", "choices")
    assert item["value"]["choices"] == [run.statements[first["data"]["statement_id"]].stance]
    assert "annotations" not in first  # nothing reviewed yet
    variables = {v.strip("$") for el in config.iter() for v in [el.get("value") or ""] if v.startswith("$")}
    assert variables <= set(first["data"])


def test_round_trip_reproduces_the_corrections(run, tmp_path):
    ids = by_holder(run)
    source = CorrectionStore(tmp_path / "a.sqlite")
    source.append(ids["Türkiye"], "accept", "ana")
    source.append(ids["Qatar"], "relabel", "ana", label="support")
    source.append(ids["Qatar"], "holder", "ana", holder_mention="Qatar", holder_name="Qatar")
    source.append(ids["Ingrid Solvang"], "holder", "ana", holder_mention="She", holder_name="Ingrid Solvang")
    source.append(ids["Norway"], "reject", "ana")
    source.append(ids["Australia"], "target", "ana", target_mention=None)
    raw = json.dumps(tasks(review_all(run, source.active_events()), run)).encode()

    fresh = CorrectionStore(tmp_path / "b.sqlite")
    report = import_tasks(raw, run, fresh, "importer")
    assert report.problems == [] and report.changed == 5 and report.not_annotated == 1

    def view(store):
        return {
            (
                r.statement_id,
                r.status,
                r.stance,
                r.holder.name,
                r.correction.holder_mention,
                r.target.name if r.target else None,
            )
            for r in review_all(run, store.active_events())
        }

    assert view(fresh) == view(source)
    assert {e.origin for e in fresh.events()} == {"labelstudio"} and {e.reviewer for e in fresh.events()} == {
        "importer"
    }
    again = import_tasks(raw, run, fresh, "importer")  # idempotent
    assert again.events == 0 and again.unchanged == 5


def test_annotations_made_in_label_studio(run, tmp_path):
    ids = by_holder(run)
    store = CorrectionStore(tmp_path / "db.sqlite")
    exported = tasks(review_all(run, store.active_events()), run)
    task = next(t for t in exported if t["data"]["statement_id"] == ids["Ingrid Solvang"])
    task["id"] = 7
    task["annotations"] = [
        {
            "id": 1,
            "completed_by": 3,
            "updated_at": "2026-01-01T10:00:00Z",
            "was_cancelled": False,
            "result": [
                {
                    "from_name": "stance",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": ["support"]},
                }
            ],
        },
        {
            "id": 2,
            "completed_by": {"id": 4, "email": "ana@example.org"},
            "updated_at": "2026-01-02T10:00:00Z",
            "result": [
                {
                    "from_name": "stance",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": ["opposition"]},
                },
                {"from_name": "holder", "to_name": "text", "type": "textarea", "value": {"text": ["She"]}},
            ],
        },
        {
            "id": 3,
            "was_cancelled": True,
            "updated_at": "2026-01-03T10:00:00Z",
            "result": [
                {
                    "from_name": "stance",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": ["neutral"]},
                }
            ],
        },
    ]
    rejected = next(t for t in exported if t["data"]["statement_id"] == ids["Norway"])
    rejected["annotations"] = [
        {
            "result": [
                {
                    "from_name": "stance",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": [NOT_A_STATEMENT]},
                }
            ]
        }
    ]
    bad_holder = next(t for t in exported if t["data"]["statement_id"] == ids["Qatar"])
    bad_holder["annotations"] = [
        {
            "result": [
                {
                    "from_name": "stance",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": ["support"]},
                },
                {"from_name": "holder", "to_name": "text", "type": "textarea", "value": {"text": ["Doha"]}},
            ]
        }
    ]
    exported.append({"data": {"statement_id": "../../../etc/passwd"}, "annotations": []})
    exported.append({"data": {"statement_id": "0123456789abcdef"}, "annotations": []})
    exported.append("not a task")
    report = import_tasks(json.dumps(exported).encode(), run, store, "importer")
    assert (report.changed, report.events) == (2, 3)
    assert len(report.problems) == 4
    assert "'Doha' do not occur" in report.problems[0]
    assert "not a statement id" in report.problems[1] and "not in this run" in report.problems[2]
    items = {r.statement_id: r for r in review_all(run, store.active_events())}
    solvang = items[ids["Ingrid Solvang"]]
    assert (solvang.stance, solvang.correction.holder_mention, solvang.correction.reviewer) == (
        "opposition",
        "She",
        "labelstudio:ana@example.org",
    )
    assert items[ids["Norway"]].status == "rejected" and items[ids["Qatar"]].status == "unreviewed"


@pytest.mark.parametrize("raw", [b"{not json", b'{"tasks": []}', b"\xff\xfe"])
def test_malformed_import_files(run, tmp_path, raw):
    with pytest.raises(ImportFormatError):
        import_tasks(raw, run, CorrectionStore(tmp_path / "db.sqlite"), "x")


def test_import_through_the_app_and_the_cli(client, app, run_dir, tmp_path):
    run = app.state.review.run
    ids = by_holder(run)
    exported = tasks(review_all(run, {}), run)
    for task in exported:
        task["annotations"] = [
            {
                "result": [
                    {
                        "from_name": "stance",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["neutral"]},
                    }
                ]
            }
        ]
    raw = json.dumps(exported).encode()
    csrf = csrf_of(client)
    page = client.post(
        "/import/labelstudio",
        data={"csrf": csrf},
        files={"file": ("<b>tasks</b>.json", raw, "application/json")},
    )
    assert page.status_code == 200 and "6 tasks: 6 changed" in page.text
    assert (
        client.post("/import/labelstudio", files={"file": ("t.json", raw, "application/json")}).status_code
        == 403
    )
    bad = client.post(
        "/import/labelstudio", data={"csrf": csrf}, files={"file": ("t.json", b"[", "application/json")}
    )
    assert bad.status_code == 422 and "not a Label Studio JSON export" in bad.text
    assert {r.stance for r in review_all(run, app.state.review.store.active_events())} == {"neutral"}

    path = tmp_path / "tasks.json"
    exported[0]["annotations"][0]["result"][0]["value"]["choices"] = [NOT_A_STATEMENT]
    exported.append({"data": {"statement_id": "0123456789abcdef"}})
    path.write_text(json.dumps(exported), encoding="utf-8")
    result = CliRunner().invoke(cli, ["review-import", str(run_dir), str(path), "--reviewer", "cli"])
    assert (
        result.exit_code == 1 and "7 tasks: 1 changed" in result.output and "not in this run" in result.output
    )
    assert ids  # the run had statements to import into
