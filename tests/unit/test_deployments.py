"""prefect.yaml and the `stance serve` deployments point at the real flow with valid values."""

import inspect
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project() -> dict:
    return yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))


def test_prefect_yaml_deployments_load_the_flow_and_fit_its_parameters(project, monkeypatch):
    from prefect.client.schemas.schedules import construct_schedule
    from prefect.flows import load_flow_from_entrypoint

    monkeypatch.chdir(ROOT)
    assert project["deployments"], "prefect.yaml declares no deployments"
    for deployment in project["deployments"]:
        flow = load_flow_from_entrypoint(deployment["entrypoint"])
        assert flow.name == "stance-extract"
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(deployment["parameters"]) <= accepted, deployment["name"]
        assert {"inputs", "out_dir"} <= set(deployment["parameters"])
        assert deployment["work_pool"]["name"] == "stance-process"
        for schedule in deployment.get("schedules", []):
            construct_schedule(**schedule)  # raises on an invalid cron or interval


def test_prefect_yaml_names_an_existing_config_only(project):
    from pipeline.settings import Settings

    named = [d["parameters"].get("config_file") for d in project["deployments"]]
    assert any(named), "no deployment names a config file"
    for config in filter(None, named):
        assert config.endswith(".toml") and (ROOT / config).is_file(), config
        settings = Settings.load(ROOT / config)  # ships, and is valid
        if "dask" in config:
            assert settings.runner.kind == "dask"


def test_serve_deployments_follow_the_schedules(tmp_path):
    from flows.deployments import build_deployments
    from pipeline.settings import Settings

    config = tmp_path / "stance.toml"
    config.write_text(
        "[[schedules]]\nname = 'inbox'\ninputs = ['inbox', 'https://example.org/rss.xml']\n"
        "out = 'runs/inbox'\ncron = '*/15 * * * *'\ntimezone = 'Europe/Oslo'\ntags = ['news']\n"
        "[[schedules]]\nname = 'archive'\ninputs = ['/data/archive']\nout = '/data/runs'\n"
        "interval_seconds = 3600\n"
    )
    inbox, archive = build_deployments(Settings.load(config), config)
    assert inbox.name == "inbox" and archive.name == "archive"
    assert inbox.parameters == {
        "inputs": [str(tmp_path / "inbox"), "https://example.org/rss.xml"],
        "out_dir": str(tmp_path / "runs" / "inbox"),
        "config_file": str(config.resolve()),
    }
    assert archive.parameters["inputs"] == ["/data/archive"]
    assert set(inbox.tags) == {"stance", "scheduled", "news"}
    (cron,) = inbox.schedules
    assert (cron.schedule.cron, cron.schedule.timezone) == ("*/15 * * * *", "Europe/Oslo")
    assert inbox.concurrency_limit == 1
    assert inbox.concurrency_options.collision_strategy == "CANCEL_NEW"
    (interval,) = archive.schedules
    assert interval.schedule.interval.total_seconds() == 3600
