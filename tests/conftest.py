"""Shared fixtures. Environment defaults are set before Prefect or transformers import."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect" / "test-home"))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SAMPLES = ROOT / "corpora" / "samples"
SHARED_SAMPLE = ROOT.parent / "shared" / "samples" / "000_328d40c37c10cabc.txt"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def nlp():
    from pipeline.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def classifier():
    from pipeline.stance.classifier import load_classifier
    from pipeline.stance.config import StanceConfig

    config = StanceConfig()
    return load_classifier(config.model_dir, config.device, config.batch_size)


@pytest.fixture(scope="session")
def server():
    """A local HTTP server on 127.0.0.1 with pages, feeds and misbehaving endpoints."""
    from tests.network.server import LocalServer

    with LocalServer() as running:
        yield running


@pytest.fixture()
def no_proxies(monkeypatch):
    """Requests to 127.0.0.1 must never go through a proxy set in the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
