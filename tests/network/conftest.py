import pytest


@pytest.fixture(autouse=True)
def _no_proxies(no_proxies):
    """Every network test runs without proxies (the fixture lives in tests/conftest.py)."""
