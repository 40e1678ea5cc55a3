import pytest

from tests.network.server import LocalServer


@pytest.fixture(scope="session")
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch):
    """Requests to 127.0.0.1 must never go through a proxy set in the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
