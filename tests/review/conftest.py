"""Fixtures for the review app: a hand-built run folder and a test client over it."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review.app import create_app
from tests.review.builders import write_run

BASE_URL = "http://127.0.0.1:8765"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return write_run(tmp_path / "run")


@pytest.fixture
def app(run_dir: Path):
    return create_app(run_dir, reviewer="tester")


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get("/statements")
    return re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page.text).group(1)


def statement_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="s-([0-9a-f]{16})"', html)
