"""One typed settings model: stance.toml, STANCE_* variables and options, clear errors."""

import re
from pathlib import Path

import pytest

from pipeline.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stance.toml here unless a test writes one
    for name in [n for n in __import__("os").environ if n.startswith("STANCE_")]:
        monkeypatch.delenv(name)


def test_defaults_without_a_file():
    settings = Settings.load()
    assert settings.runner.kind == "default" and settings.articles_per_batch == 64
    assert settings.schedules == []


def test_file_then_environment_then_options(tmp_path, monkeypatch):
    (tmp_path / "stance.toml").write_text(
        "articles_per_batch = 4\nspacy_batch_size = 8\n[runner]\nkind = 'dask'\nworkers = 3\n"
    )
    monkeypatch.setenv("STANCE_SPACY_BATCH_SIZE", "12")
    monkeypatch.setenv("STANCE_RUNNER__WORKERS", "5")
    settings = Settings.load()  # ./stance.toml is found without --config
    assert (settings.articles_per_batch, settings.spacy_batch_size) == (4, 12)
    assert (settings.runner.kind, settings.runner.workers) == ("dask", 5)
    assert settings.with_updates(runner={"workers": 7, "address": None}).runner.workers == 7


def test_config_file_named_by_option_or_environment(tmp_path, monkeypatch):
    named = tmp_path / "elsewhere.toml"
    named.write_text("[stance]\nbatch_size = 7\n")
    assert Settings.load(named).stance.batch_size == 7
    monkeypatch.setenv("STANCE_CONFIG", str(named))
    assert Settings.load().stance.batch_size == 7
    with pytest.raises(SettingsError, match=r"missing\.toml: config file not found"):
        Settings.load(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("toml", "field", "variable"),
    [
        ("[runner]\nworkers = 0\n", "runner.workers", "STANCE_RUNNER__WORKERS"),
        ("[runner]\nkind = 'spark'\n", "runner.kind", "STANCE_RUNNER__KIND"),
        ("articles_per_batch = 'many'\n", "articles_per_batch", "STANCE_ARTICLES_PER_BATCH"),
        ("[ingest]\nmax_input_bytes = -1\n", "ingest.max_input_bytes", "STANCE_INGEST__MAX_INPUT_BYTES"),
        ("[stance]\nbatchsize = 8\n", "stance.batchsize", "STANCE_STANCE__BATCHSIZE"),
        ("colour = 'blue'\n", "colour", "STANCE_COLOUR"),
    ],
)
def test_invalid_values_name_the_field_and_its_variable(tmp_path, toml, field, variable):
    path = tmp_path / "stance.toml"
    path.write_text(toml)
    with pytest.raises(SettingsError) as caught:
        Settings.load(path)
    message = str(caught.value)
    assert str(path) in message
    assert re.search(rf"^  {re.escape(field)}: .+\[env {variable}\]$", message, re.MULTILINE), message


def test_invalid_environment_value_is_named(monkeypatch):
    monkeypatch.setenv("STANCE_RUNNER__WORKERS", "-2")
    with pytest.raises(SettingsError, match=r"runner\.workers: Input should be greater than 0"):
        Settings.load()


def test_malformed_toml_names_the_file(tmp_path):
    path = tmp_path / "stance.toml"
    path.write_text("[runner\nkind = ")
    with pytest.raises(SettingsError, match=r"stance\.toml: cannot read config file"):
        Settings.load(path)


def test_schedules_need_exactly_one_valid_timing(tmp_path):
    base = "[[schedules]]\nname = 'inbox'\ninputs = ['inbox']\nout = 'runs/inbox'\n"
    path = tmp_path / "stance.toml"
    path.write_text(base + "cron = '*/5 * * * *'\n")
    (schedule,) = Settings.load(path).schedules
    assert schedule.cron == "*/5 * * * *" and schedule.timezone == "UTC"
    for extra, problem in [
        ("", "exactly one of 'cron' or 'interval_seconds'"),
        ("cron = '0 * * * *'\ninterval_seconds = 60\n", "exactly one"),
        ("cron = '61 * * * *'\n", "invalid cron schedule"),
        ("interval_seconds = 0\n", "greater than 0"),
    ]:
        path.write_text(base + extra)
        with pytest.raises(SettingsError, match=problem):
            Settings.load(path)


def test_the_example_config_is_valid_and_every_field_is_in_the_readme():
    settings = Settings.load(ROOT / "stance.example.toml")
    assert [s.name for s in settings.schedules] == ["inbox", "feeds"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    def variables(model, prefix):
        for name in type(model).model_fields:
            value = getattr(model, name)
            if hasattr(type(value), "model_fields"):
                yield from variables(value, f"{prefix}{name.upper()}__")
            else:
                yield f"{prefix}{name.upper()}"

    missing = [v for v in variables(settings, "STANCE_") if f"`{v}`" not in readme]
    assert missing == []
